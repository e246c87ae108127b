"""The /usr/local/bin/ptsp-kiosk wrapper that the installer writes."""

# Technician commands run as the kiosk's user: a `status` run by root would
# otherwise leave root-owned SQLite journal files the kiosk cannot write.
WRAPPER_TEXT = """#!/bin/sh
# ptsp-kiosk for technicians, installed by `ptsp-kiosk install`.
# Run as root (sudo), commands drop to the kiosk's user so that files they
# create (database journal, printer cache) stay usable by the service.
VENV=/opt/ptsp-kiosk/venv
export PTSP_KIOSK_CONFIG="${PTSP_KIOSK_CONFIG:-/etc/ptsp-kiosk/kiosk.toml}"
export ESCPOS_CAPABILITIES_PICKLE_DIR="${ESCPOS_CAPABILITIES_PICKLE_DIR:-/var/cache/ptsp-kiosk}"
export LG_WD="${LG_WD:-/var/cache/ptsp-kiosk}"
# install and provision write /etc: they stay root.
if [ "$(id -u)" = 0 ] && [ "$1" != install ] && [ "$1" != provision ] && id -u ptsp-kiosk >/dev/null 2>&1; then
    cd /var/lib/ptsp-kiosk 2>/dev/null || cd /
    exec runuser -u ptsp-kiosk -- "$VENV/bin/ptsp-kiosk" "$@"
fi
exec "$VENV/bin/ptsp-kiosk" "$@"
"""
