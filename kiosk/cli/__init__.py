"""``ptsp-kiosk`` / ``python -m kiosk``: the command line for technicians and scripts."""
import argparse
import importlib
import logging
import os
import sys

from kiosk import __version__
from kiosk.cli.modules import MODULES, module_for
from kiosk.core.errors import ConfigError, KioskError, UnknownName


def build_parser(only=None):
    """The parser of every command, or of those of module ``only``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH",
                        help="config file (default: $PTSP_KIOSK_CONFIG or /etc/ptsp-kiosk/kiosk.toml)")
    parser = argparse.ArgumentParser(prog="ptsp-kiosk", description="PTSP queue-ticket kiosk")
    parser.add_argument("--version", action="version", version=f"ptsp-kiosk {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in [only] if only else MODULES:
        importlib.import_module(name).register(sub, common)
    return parser


def main(argv=None):
    """Run one command; returns the exit status (2: bad config or input)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(module_for(argv))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args) or 0
    except ConfigError as e:
        print("Configuration problems:", file=sys.stderr)
        for p in e.problems:
            print(f"  - {p}", file=sys.stderr)
        return 2
    except UnknownName as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KioskError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and cut short: not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
