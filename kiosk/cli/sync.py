"""Sync commands: ``sync`` (kiosk side), ``receiver`` and ``receiver-add-device`` (office side)."""
import logging
import signal
import sys
import threading

from kiosk.core import config

log = logging.getLogger("kiosk.services.sync")


def register(sub, common):
    p = sub.add_parser("sync", parents=[common], help="send pending events to the office receiver")
    p.add_argument("--once", action="store_true",
                   help="send what is pending now and report (exit 0: all sent, 1: some left)")
    p.set_defaults(func=sync_command)

    p = sub.add_parser("receiver", help="run the office receiver (sync API and dashboard, on waitress)")
    p.add_argument("--listen", default="127.0.0.1:8080", metavar="HOST:PORT",
                   help="address to listen on (default 127.0.0.1:8080; put a TLS proxy in front)")
    p.add_argument("--db", required=True, metavar="PATH|URL",
                   help="SQLite file (created if missing) or postgresql://user@host/dbname")
    p.add_argument("--tokens", metavar="FILE", help="tokens file: 'DEVICE_ID TOKEN [device|viewer]' per line")
    p.add_argument("--threads", type=_bounded_int(1, 64), default=8, metavar="N",
                   help="worker threads answering requests (1-64, default 8)")
    p.add_argument("--timeout", type=_bounded_int(1, 3600), default=30, metavar="SECONDS",
                   help="close a connection silent this long, even mid-request (1-3600, default 30)")
    p.set_defaults(func=receiver_command)

    p = sub.add_parser("receiver-add-device", help="create a token for a kiosk (or a viewer) and print it")
    p.add_argument("device", metavar="DEVICE_ID", help="the kiosk's [device] id")
    p.add_argument("--db", required=True, metavar="PATH|URL",
                   help="receiver database (SQLite file or postgresql:// URL)")
    p.add_argument("--viewer", action="store_true",
                   help="a read-only token for summaries of all devices (cannot post events)")
    p.set_defaults(func=add_device_command)


def _bounded_int(low, high):
    def parse(text):
        import argparse

        if not (text.isascii() and text.isdigit()) or len(text) > 6 or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(f"{text!r}: use a whole number from {low} to {high}")
        return int(text)
    return parse


def sync_command(args):
    from kiosk.services.store import Store
    from kiosk.services.sync import format_time
    from kiosk.services.sync.worker import SyncWorker, sync_once

    cfg = config.load(args.config)
    if not cfg.sync.url:
        print("error: no receiver configured: set [sync] url (and token_file) in the config", file=sys.stderr)
        return 1
    if not cfg.sync.enabled:
        print("note: [sync] enabled = false, so the kiosk itself does not sync; sending anyway")
    if not args.once:
        return _run_worker(cfg, SyncWorker)
    store = Store(cfg.storage.database)
    try:
        before = store.backlog()
        report = sync_once(cfg, store)
    finally:
        store.close()
    last = format_time(report.last_success, cfg.device.timezone) if report.last_success else "never"
    print(f"pending before: {before}, sent: {report.acknowledged} events in {report.requests} request(s), "
          f"pending now: {report.pending}, last success: {last}")
    if report.error:
        print(f"error: {report.error}", file=sys.stderr)
    elif report.pending:
        print(f"error: {report.pending} events are still pending (new events arrived meanwhile?)",
              file=sys.stderr)
    return 0 if report.ok else 1


def _run_worker(cfg, worker_class):
    """``ptsp-kiosk sync`` without --once: the worker in the foreground until
    SIGTERM or Ctrl-C (for a kiosk whose app runs sync in a separate service)."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    worker = worker_class(cfg, cfg.storage.database)
    worker.start()
    print(f"syncing {cfg.storage.database} to {cfg.sync.url}; Ctrl-C to stop")
    try:
        while not stop.wait(0.5) and worker.is_alive():
            pass
    except KeyboardInterrupt:
        pass
    worker.stop()
    return 0


def _shown(text):
    """Text for the terminal: control characters escaped (a path may hold ESC bytes)."""
    return "".join(c if c.isprintable() or c == "\n" else repr(c)[1:-1] for c in str(text))


def receiver_command(args):
    from kiosk.office import receiver
    from kiosk.office.db import redact

    try:
        host, port = receiver.parse_listen(args.listen)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        app = receiver.make_app(args.db, args.tokens)
    except receiver.ReceiverError as e:
        print(f"error: {_shown(e)}", file=sys.stderr)
        return 1
    limits = receiver.ServerLimits(threads=args.threads, channel_timeout=float(args.timeout))
    try:
        server = receiver.make_server(app, host, port, limits)
    except OSError as e:
        print(f"error: cannot listen on {args.listen}: {e.strerror or e}", file=sys.stderr)
        app.db.close()
        return 1
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    bound = server.server_address
    print(f"receiver listening on http://{bound[0]}:{bound[1]}{receiver.protocol.EVENTS_PATH} "
          f"(database {_shown(redact(args.db))}, {app.db.backend}); Ctrl-C to stop", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("listening on %s without TLS: put an HTTPS reverse proxy in front", host)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        app.db.close()
    return 0


def add_device_command(args):
    from kiosk.office import receiver
    from kiosk.office.db import redact

    role = "viewer" if args.viewer else "device"
    try:
        rdb = receiver.ReceiverDB(args.db)
    except receiver.ReceiverError as e:
        print(f"error: {_shown(e)}", file=sys.stderr)
        return 1
    try:
        token = rdb.add_token(args.device, role=role)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    finally:
        rdb.close()
    print(token)
    print(f"# token for {role} {args.device!r} stored (as SHA-256) in {_shown(redact(args.db))}; "
          "it is shown only now. "
          f"On the kiosk: put it in the [sync] token_file with mode 600.", file=sys.stderr)
    return 0
