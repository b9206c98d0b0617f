import sys

from secretguard.cli import main

sys.exit(main())
