#!/bin/sh
# Install (or update) the PTSP kiosk from this checkout:
#   sudo ./systemd/install.sh                 # a kiosk on Raspberry Pi OS
#   sudo ./systemd/install.sh --role receiver # the office receiver
# It runs `python3 -m kiosk.install` with Debian's Python, which needs nothing
# but the standard library; all options of `ptsp-kiosk install` work here too.
set -eu
cd "$(dirname "$0")/.."
exec python3 -m kiosk.install --source "$PWD" "$@"
