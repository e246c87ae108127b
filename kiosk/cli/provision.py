"""``ptsp-kiosk provision``: apply ptsp-kiosk.toml / ptsp-sync.token from the boot partition.

Run at every boot by ptsp-kiosk-provision.service (before the kiosk starts);
safe to run by hand. See ``kiosk.install.provision``.
"""
import sys
from pathlib import Path

from kiosk.install import provision


def register(sub, common):
    p = sub.add_parser(
        "provision",
        help="apply ptsp-kiosk.toml and ptsp-sync.token from the boot partition (run at boot)",
        description="Validate ptsp-kiosk.toml on the boot partition (/boot/firmware) like check-config; "
                    "if valid install it as /etc/ptsp-kiosk/kiosk.toml and rename it to .applied, else keep "
                    "the old config, write .errors.txt beside it and show code CFG-BOOT on the kiosk. "
                    "ptsp-sync.token is installed with mode 600 and deleted from the boot partition. "
                    "Exit status 1 when a file was not applied.")
    p.add_argument("--boot-dir", metavar="DIR",
                   help="the boot partition's folder (default: /boot/firmware, else /boot)")
    p.add_argument("--root", default="/", metavar="PREFIX", help="the system to provision (default /)")
    p.set_defaults(func=run)


def run(args):
    """Provision; 0 when everything found was applied (or nothing was there), 1 otherwise."""
    def log(line):
        print(line, file=sys.stdout, flush=True)

    result = provision.provision(Path(args.root), Path(args.boot_dir) if args.boot_dir else None, log=log)
    for note in result.notes:
        log(f"note: {note}")
    return 1 if result.problems else 0
