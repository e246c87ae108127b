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

    p = sub.add_parser("receiver", help="run the reference receiver (office side, WSGI on wsgiref)")
    p.add_argument("--listen", default="127.0.0.1:8080", metavar="HOST:PORT",
                   help="address to listen on (default 127.0.0.1:8080; put a TLS proxy in front)")
    p.add_argument("--db", required=True, metavar="PATH", help="receiver SQLite database (created if missing)")
    p.add_argument("--tokens", metavar="FILE", help="tokens file: 'DEVICE_ID TOKEN [device|viewer]' per line")
    p.set_defaults(func=receiver_command)

    p = sub.add_parser("receiver-add-device", help="create a token for a kiosk (or a viewer) and print it")
    p.add_argument("device", metavar="DEVICE_ID", help="the kiosk's [device] id")
    p.add_argument("--db", required=True, metavar="PATH", help="receiver SQLite database")
    p.add_argument("--viewer", action="store_true",
                   help="a read-only token for summaries of all devices (cannot post events)")
    p.set_defaults(func=add_device_command)


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


def receiver_command(args):
    from kiosk.office import receiver

    try:
        host, port = receiver.parse_listen(args.listen)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    app = receiver.make_app(args.db, args.tokens)
    try:
        server = receiver.make_server(app, host, port)
    except OSError as e:
        print(f"error: cannot listen on {args.listen}: {e.strerror or e}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    bound = server.server_address
    print(f"receiver listening on http://{bound[0]}:{bound[1]}{receiver.protocol.EVENTS_PATH} "
          f"(database {args.db}); Ctrl-C to stop", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("listening on %s without TLS: put an HTTPS reverse proxy in front", host)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def add_device_command(args):
    from kiosk.office import receiver

    role = "viewer" if args.viewer else "device"
    try:
        token = receiver.ReceiverDB(args.db).add_token(args.device, role=role)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(token)
    print(f"# token for {role} {args.device!r} stored (as SHA-256) in {args.db}; it is shown only now. "
          f"On the kiosk: put it in the [sync] token_file with mode 600.", file=sys.stderr)
    return 0
