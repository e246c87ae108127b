"""``ptsp-kiosk display``: the waiting-room display board on a TV."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
from urllib.parse import urlparse

from kiosk.cli.app import _size
from kiosk.core import config
from kiosk.core.errors import KioskError

log = logging.getLogger(__name__)


def register(sub, common):
    p = sub.add_parser("display", parents=[common],
                       help="the waiting-room display board: called numbers from a kiosk's LAN feed, on a TV")
    p.add_argument("--source", required=True, metavar="URL",
                   help="the kiosk's LAN feed, e.g. http://127.0.0.1:8090 (same Pi) or http://192.168.1.20:8090")
    p.add_argument("--token-file", required=True, metavar="PATH",
                   help="file with the kiosk's [lan] token (mode 600)")
    p.add_argument("--headless", action="store_true", help="no window (SDL dummy driver); for tests and checks")
    p.add_argument("--screenshot-dir", metavar="DIR", help="save board.png in DIR whenever the picture changes")
    p.add_argument("--size", metavar="WxH", type=_size,
                   help="window size, e.g. 1920x1080 (default: fullscreen at the TV's resolution)")
    p.add_argument("--language", choices=config.LANGUAGES, help="board language (default: the kiosk's [board])")
    p.add_argument("--diagonal", type=_diagonal, metavar="INCHES",
                   help="TV diagonal in inches (default: the kiosk's [board] diagonal_inches)")
    p.add_argument("--state-file", metavar="PATH",
                   help="where the board remembers the last call it announced "
                        "(default: $STATE_DIRECTORY/announced.json or ~/.local/state/ptsp-kiosk/)")
    p.add_argument("--silent", action="store_true", help="never speak, whatever the kiosk's [board] announce says")
    p.set_defaults(func=display)


def _diagonal(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of inches") from None
    if not 7 <= value <= 120:
        raise argparse.ArgumentTypeError(f"{text!r}: use a diagonal from 7 to 120 inches")
    return value


def check_source(url: str) -> str:
    """The --source URL, checked: http(s)://host[:port] and nothing else."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise KioskError(f"--source {url!r} must look like http://192.168.1.20:8090")
    try:
        parsed.port
    except ValueError:
        raise KioskError(f"--source {url!r} has a bad port number") from None
    return url


def _speaker(args):
    from drivers.sound import FakeAnnouncer, open_announcer

    if args.silent:
        return FakeAnnouncer()
    try:
        cfg = config.load(args.config) if args.config else None
    except KioskError:
        cfg = None
    return open_announcer(cfg.display if cfg else config.Display())


def display(args):
    """Run the board until stopped (SIGTERM, window closed, Ctrl+Alt+Q)."""
    from kiosk.lan.server import read_token

    source = check_source(args.source)
    token = read_token(args.token_file)
    if args.headless:
        os.environ["SDL_VIDEODRIVER"] = "dummy"
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from kiosk.board.app import BoardApp, default_state_file

    overrides = {"language": args.language, "diagonal_inches": args.diagonal}
    if args.silent:
        overrides["announce"] = "kiosk"
    speaker = _speaker(args)
    app = BoardApp(source, token, speaker, size=args.size or ((1920, 1080) if args.headless else None),
                   fullscreen=not args.headless and not args.size, screenshot_dir=args.screenshot_dir,
                   overrides=overrides, state_file=args.state_file or default_state_file())
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: app.stop())
    log.info("display board reading %s", source)
    try:
        return app.run()
    finally:
        speaker.close()
