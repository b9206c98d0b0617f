"""Real parts for tests: an OpenBao dev server, a PostgreSQL cluster, a gnome-keyring session, a pty.

Each starts on 127.0.0.1 (a free port) or in a private temporary directory, and stops by PID.
"""
