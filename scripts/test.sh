#!/usr/bin/env bash
# Install everything the tests need on a fresh Debian 12 machine, then run them.
# The tests start (and stop) their own OpenBao, PostgreSQL, keyring daemons and stub model servers on 127.0.0.1,
# run bubblewrap sealed sessions for real, and install
# the pinned agent CLIs from the npm registry once per machine (tests/parts/agent_cli.py).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  missing=()
  # bubblewrap: the sealed-session tests run hostile commands behind the real wall
  for pkg in git postgresql gnome-keyring dbus-x11 libsecret-tools bubblewrap; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  # npm installs the pinned agent CLIs (Claude Code) that tests/agents runs end to end
  command -v npm >/dev/null || missing+=(nodejs npm)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
