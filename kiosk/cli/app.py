"""``ptsp-kiosk run`` (the appliance) and ``ptsp-kiosk demo`` (a laptop, no setup)."""
import argparse
import logging
import os
import sys

from kiosk.cli import validation
from kiosk.core import config

log = logging.getLogger(__name__)


def register(sub, common):
    p = sub.add_parser("run", parents=[common], help="run the kiosk (fullscreen touch screen, buttons, printer)")
    _screen_options(p)
    p.set_defaults(func=run)

    p = sub.add_parser("demo", parents=[common],
                       help="try the kiosk on a laptop: a window, the demo services, tickets as PNG pictures")
    _screen_options(p)
    p.add_argument("--database", metavar="PATH",
                   help="SQLite file (default: ptsp-kiosk/demo.db in $XDG_DATA_HOME or ~/.local/share)")
    p.add_argument("--language", choices=config.LANGUAGES, help="screen and ticket language (default: id)")
    p.add_argument("--board", action="store_true",
                   help="also start the waiting-room display board (a second window; LAN feed on 127.0.0.1:8090)")
    p.set_defaults(func=demo)


def _screen_options(p):
    p.add_argument("--headless", action="store_true",
                   help="no window (SDL dummy driver); button presses are read from stdin as a script "
                        "('press A', 'press counter 1', 'hold counter 2', 'wait 1.5', 'quit')")
    p.add_argument("--screenshot-dir", metavar="DIR", help="save a PNG of each new screen in DIR")
    p.add_argument("--size", metavar="WxH", type=_size, help="window size, e.g. 800x480 (default: from config)")


def _size(text):
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size like 800x480") from None
    if w < 320 or h < 240 or w > 7680 or h > 4320:
        raise argparse.ArgumentTypeError(f"{text!r}: use a size between 320x240 and 7680x4320")
    return w, h


def _display_available():
    """Whether a desktop session can show a window (always assumed off Linux)."""
    if not sys.platform.startswith("linux") or os.environ.get("SDL_VIDEODRIVER"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _start(cfg, args, demo):
    from kiosk.shell.app import App

    script = sys.stdin if args.headless else None
    app = App(cfg, demo=demo, headless=args.headless, screenshot_dir=args.screenshot_dir, size=args.size,
              script=script, install_signals=True)
    return app.run()


def run(args):
    """Production: the config from --config / $PTSP_KIOSK_CONFIG / /etc, fullscreen, no quit key."""
    cfg = validation.load_checked(args.config)
    return _start(cfg, args, demo=False)


def demo(args):
    """The README's first command: works on a fresh machine with no configuration."""
    from kiosk.shell.app import data_dir

    # A laptop never runs the demo fullscreen, whatever a given config says.
    overrides: dict = {"display": {"fullscreen": False}}
    if args.language:
        overrides["device"] = {"language": args.language}
    if args.board:
        from kiosk.cli.display import demo_board_overrides

        overrides.update(demo_board_overrides(data_dir()))
    if args.config:
        if args.database:
            overrides["storage"] = {"database": args.database}
        cfg = validation.load_checked(args.config, overrides)
    else:
        folder = data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        overrides["storage"] = {"database": str(args.database or folder / "demo.db")}
        cfg = validation.demo_checked(overrides)
    if not args.headless and not _display_available():
        # A fresh server or CI box: the demo still works, driven from stdin.
        print("No display found (DISPLAY/WAYLAND_DISPLAY unset): running headless. Type lines such as "
              "'press A', 'press counter 1', 'hold counter 1', 'press skip 1', 'wait 1', 'quit'.",
              file=sys.stderr)
        args.headless = True
    if not args.headless:
        print(f"PTSP kiosk demo: database {cfg.storage.database}; ticket pictures beside it in tickets/. "
              "Keys are shown at the bottom of the window; Esc quits.", file=sys.stderr)
    if not args.board:
        return _start(cfg, args, demo=True)
    from kiosk.cli.display import start_demo_board

    board = start_demo_board(cfg, data_dir(), args.headless)
    try:
        return _start(cfg, args, demo=True)
    finally:
        board.terminate()
        board.wait(10)
