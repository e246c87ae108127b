"""``ptsp-kiosk install``: provision this machine as a kiosk (or receiver)."""
import sys

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
    p.add_argument("--display", action="store_true",
                   help="also install the waiting-room display board (ptsp-display.service)")
    p.add_argument("--display-source", default="http://127.0.0.1:8090", metavar="URL",
                   help="the kiosk's LAN feed for the board (default: this machine, http://127.0.0.1:8090)")
    p.set_defaults(func=run)


def run(args) -> int:
    """The kiosk install, then the display board's unit when --display is given."""
    if not args.display:
        return install.run_from_args(args)
    if args.role != "kiosk":
        print("error: --display goes with the kiosk role", file=sys.stderr)
        return 2
    installer = install.Installer(args.root, args.source, role="kiosk", enable=args.enable, venv=args.venv,
                                  apt=args.apt, pygame=args.pygame, python=args.python,
                                  report=lambda action: print(action, flush=True))
    installer.run()
    install.install_display(installer, args.display_source)
    print("Installed with the display board. Next: make the kiosk's LAN token and enable [lan] "
          "(docs/TECHNICIAN.md, 'The display board'), then `sudo systemctl restart ptsp-kiosk ptsp-display`.")
    return 0
