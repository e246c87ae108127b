"""``ptsp-kiosk install``: provision this machine as a kiosk (or receiver)."""
from kiosk.install import installer as install


def register(sub, common):
    p = sub.add_parser(
        "install",
        help="install the services, user, udev rule and example config (safe to run twice)",
        description="Install the kiosk on Raspberry Pi OS: system user and groups, "
                    "/opt/ptsp-kiosk/venv, systemd units, udev rule for USB printers, an example "
                    "/etc/ptsp-kiosk/kiosk.toml (only if none exists), and enable the service. "
                    "Running it again updates what changed and never touches your config.")
    install.add_arguments(p)
    p.set_defaults(func=install.run_from_args)
