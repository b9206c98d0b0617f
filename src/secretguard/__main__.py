import sys

from secretguard.entry import main

sys.exit(main())
