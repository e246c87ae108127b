"""``ptsp-kiosk display``: the waiting-room display board on a TV."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
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
        parsed.port  # noqa: B018  (reading it validates it)
    except ValueError:
        raise KioskError(f"--source {url!r} has a bad port number") from None
    return url


def _speaker(args):
    from drivers.sound import FakeAnnouncer, open_announcer

    if args.silent:
        return FakeAnnouncer()
    try:
        cfg = config.load(args.config) if args.config else None
    except KioskError as e:  # only the voice settings come from it: speak with the defaults
        log.warning("--config %s unusable (%s): default voice settings", args.config, e)
        cfg = None
    return open_announcer(cfg.display if cfg else config.Display())


def display(args):
    """Run the board until stopped (SIGTERM, window closed, Ctrl+Alt+Q)."""
    from kiosk.lan.server import read_token

    source = check_source(args.source)
    token = read_token(args.token_file, copy_from="the kiosk's [lan] token_file (/etc/ptsp-kiosk/lan-token)")
    if args.headless:
        os.environ["SDL_VIDEODRIVER"] = "dummy"
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from kiosk.board.app import BoardApp, ScreenUnavailable, default_state_file

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
    except ScreenUnavailable as e:
        # Status 3, not 1: a TV switched off at boot or a busy screen may come
        # right, so systemd keeps retrying (the unit stops only on 1 and 2).
        log.error("cannot open the screen: %s", e)
        print(f"error: cannot open the screen: {e}", file=sys.stderr)
        return 3
    finally:
        speaker.close()


DEMO_LISTEN = "127.0.0.1:8090"


def demo_board_overrides(folder) -> dict:
    """Config overrides for ``ptsp-kiosk demo --board``: the LAN feed on this
    machine only, a token made once in the demo's folder, the board speaking."""
    import secrets
    from pathlib import Path

    token = Path(folder) / "lan-token"
    if not token.exists():
        token.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(32) + "\n")
    os.chmod(token, 0o600)
    return {"lan": {"enabled": True, "listen": DEMO_LISTEN, "token_file": str(token)},
            "board": {"announce": "board",
                      "running_text": "Demo PTSP: layanan ini GRATIS, tidak dipungut biaya. "
                                      "Jam layanan Senin-Kamis 08.00-11.00 dan 13.00-14.00."}}


def start_demo_board(cfg, folder, headless: bool):
    """Start the board for the demo in its own process (one pygame window each);
    prints the command so that it can be run again by hand."""
    import shlex
    import subprocess
    from pathlib import Path

    cmd = [sys.executable, "-m", "kiosk.cli.display", "--source", f"http://{cfg.lan.listen}",
           "--token-file", cfg.lan.token_file, "--size", "1280x720",
           "--state-file", str(Path(folder) / "board-announced.json")]
    if headless:
        cmd += ["--headless", "--screenshot-dir", str(Path(folder) / "board")]
    print("Display board: " + " ".join(shlex.quote(c) for c in cmd)
          + (f"  (pictures in {Path(folder) / 'board'}/board.png)" if headless else ""), file=sys.stderr)
    return subprocess.Popen(cmd)


def main(argv=None) -> int:
    """``python -m kiosk.cli.display``: the board alone, as its systemd unit starts it.

    Same options as ``ptsp-kiosk display``, but without loading every other
    command (SQLite helpers, printer libraries...), and without numpy, which
    pygame imports only for surfarray: together about 30 MB less on a Pi.
    """
    sys.modules.setdefault("numpy", None)  # type: ignore[arg-type]  # pygame then skips surfarray
    from kiosk.core.errors import ConfigError

    parser = argparse.ArgumentParser(prog="python -m kiosk.cli.display",
                                     description="PTSP waiting-room display board")
    sub = parser.add_subparsers(dest="command")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", help="config file (only its [display] voice settings are used)")
    common.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    register(sub, common)
    args = parser.parse_args(["display", *(sys.argv[1:] if argv is None else argv)])
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return display(args)
    except ConfigError as e:
        print("Configuration problems:\n" + "\n".join(f"  - {p}" for p in e.problems), file=sys.stderr)
        return 2
    except KioskError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

if __name__ == "__main__":
    raise SystemExit(main())
