"""Upstream sync: the kiosk's event log reaches the office server exactly once.

- protocol.py: the JSON body, the answer and the limits (shared, pure)
- worker.py:   SyncWorker thread and sync_once() on the kiosk (requests)
- receiver.py: the reference receiver, a stdlib-only WSGI application

Protocol and how to run the receiver: docs/SYNC_PROTOCOL.md. This package
file imports nothing heavy, so the receiver runs without the kiosk's
hardware or HTTP client libraries.
"""

# Keys in the store's meta table (JSON values).
META_LAST_SUCCESS = "sync.last_success"  # epoch of the last acknowledged request
META_LAST_ERROR = "sync.last_error"  # text of the last failure, None after a success
META_LAST_ERROR_AT = "sync.last_error_at"  # epoch of that failure
META_LAST_HEARTBEAT = "sync.last_heartbeat"  # epoch of the last heartbeat delivered


def sync_status(store, timezone=None):
    """Backlog and sync history for ``ptsp-kiosk status`` and the screen:
    ``{"backlog": int, "last_success": epoch|None, "last_success_text": str|None,
    "last_error": str|None, "last_error_at": epoch|None, "last_heartbeat": epoch|None}``.
    ``timezone``: IANA name for the text (default: the system's local time)."""
    last = store.meta_get(META_LAST_SUCCESS)
    return {
        "backlog": store.backlog(),
        "last_success": last,
        "last_success_text": format_time(last, timezone) if last else None,
        "last_error": store.meta_get(META_LAST_ERROR),
        "last_error_at": store.meta_get(META_LAST_ERROR_AT),
        "last_heartbeat": store.meta_get(META_LAST_HEARTBEAT),
    }


def format_time(epoch, timezone=None):
    """Epoch seconds -> '2024-04-16 15:47:02' in ``timezone`` (or local time)."""
    from datetime import datetime

    if timezone:
        from zoneinfo import ZoneInfo

        return datetime.fromtimestamp(epoch, ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M:%S")
    return datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M:%S")
