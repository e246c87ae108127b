"""The kiosk side of upstream sync: outbox -> HTTPS batches -> acknowledged.

Exactly once, end to end: every event carries the device id, its sequence
number and a unique id; the receiver stores each (device, uid) once and answers
with the uids it holds; the kiosk marks sent only those. Whatever breaks in
between (network, server, power, SIGKILL) the event stays in the outbox and is
sent again, and the receiver recognises it.

``SyncWorker`` runs this in its own thread with its own store connection;
``sync_once`` does one full pass for ``ptsp-kiosk sync --once``.
"""
import json
import logging
import os
import queue
import random
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

import requests

from kiosk import __version__
from kiosk.services.clock_state import clock_synchronized
from kiosk.core.errors import StoreError, SyncError
from kiosk.core.events import SyncStatusChanged
from kiosk.services.sync import META_LAST_ERROR, META_LAST_ERROR_AT, META_LAST_HEARTBEAT, META_LAST_SUCCESS
from kiosk.services.sync import protocol
from kiosk.services.sync.protocol import ProtocolError

log = logging.getLogger("kiosk.services.sync")

PRUNE_EVERY = 3600.0  # seconds between retention passes
MAX_ANSWER_BYTES = 4 * 1024 * 1024  # never read more of an answer than this


class _TooLarge(Exception):
    """The receiver answered 413: send fewer events per request."""


class TokenFileError(SyncError):
    """The bearer token file is missing, empty, unreadable or readable by others."""


def read_token(path):
    """The bearer token in ``path``. Refuses a file that group or others may
    read or write: the token lets anyone post events in this kiosk's name."""
    p = Path(path)
    try:
        mode = p.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            bad = True
        else:
            bad = False
            token = p.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise TokenFileError(f"token file {p} does not exist; put this kiosk's token there (mode 600) "
                             "or set [sync] token_file") from None
    except PermissionError:
        raise TokenFileError(f"token file {p} cannot be read by this user; "
                             "it must belong to the user the kiosk runs as") from None
    except (OSError, UnicodeDecodeError) as e:
        raise TokenFileError(f"token file {p} cannot be read: {e}") from None
    if bad:
        raise TokenFileError(f"token file {p} can be read by other users (mode {stat.S_IMODE(mode):o}); "
                             f"run: chmod 600 {p}")
    if not token:
        raise TokenFileError(f"token file {p} is empty")
    if any(c.isspace() or not c.isprintable() for c in token):
        raise TokenFileError(f"token file {p} must hold one token on one line")
    return token


def backoff_delay(failures, start, maximum, rand=random.random):
    """Exponential backoff with jitter: about start * 2**(failures-1), capped
    at ``maximum``, drawn from its upper half so kiosks that lost the network
    together do not retry together, yet never retry at once."""
    if failures <= 0:
        return 0.0
    delay = min(maximum, start * 2 ** min(failures - 1, 30))
    return delay / 2 + rand() * delay / 2


@dataclass
class StepResult:
    """What one request achieved."""

    sent: int = 0  # events in the request
    acknowledged: int = 0  # of those, acknowledged (now marked sent)
    heartbeat: bool = False
    more: bool = False  # more events are waiting: send again without a pause


@dataclass
class SyncReport:
    """The outcome of ``sync_once``."""

    acknowledged: int = 0
    requests: int = 0
    pending: int = 0
    error: Optional[str] = None
    last_success: Optional[float] = None

    @property
    def ok(self):
        return self.error is None and self.pending == 0


class SyncClient:
    """Sends the outbox of one store; used from one thread only."""

    def __init__(self, cfg, store, status_provider=None, session=None, clock=time.time):
        self.cfg = cfg
        self.sync = cfg.sync
        self.store = store
        self.status_provider = status_provider
        self.clock = clock
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = f"ptsp-kiosk/{__version__}"
        self.batch_limit = max(1, min(self.sync.batch_size, protocol.MAX_BATCH_EVENTS))
        self.last_heartbeat = store.meta_get(META_LAST_HEARTBEAT) or 0.0
        self.last_prune = 0.0
        self._error_shown = store.meta_get(META_LAST_ERROR) is not None
        parts = urlsplit(self.sync.url)
        self.host = parts.netloc or self.sync.url
        if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            log.warning("sync.url %s is plain http: events and the token travel unencrypted", self.sync.url)

    def close(self):
        self.session.close()

    # -- one request ----------------------------------------------------------
    def step(self, heartbeat=None):
        """Send one batch of unsent events (with a heartbeat when due).

        ``heartbeat``: True forces one, False suppresses it, None: when due.
        Raises SyncError (recorded in meta) when nothing could be delivered.
        """
        try:
            return self._step(heartbeat)
        except (SyncError, StoreError) as e:
            self._record_error(str(e))
            raise

    def _step(self, heartbeat):
        now = self.clock()
        self._prune_if_due(now)
        if not self.sync.url:
            raise SyncError("no receiver configured: set [sync] url")
        events = [protocol.event_from_outbox(r) for r in self.store.unsent_events(self.batch_limit)]
        if heartbeat is None:
            heartbeat = now - self.last_heartbeat >= self.sync.heartbeat
        if not events and not heartbeat:
            return StepResult()
        hb = self._heartbeat(now) if heartbeat else None
        while True:
            body, raw = self._encode(events, hb, now)
            events = body["events"]  # possibly fewer, to stay under the size limit
            try:
                acked = self._post(raw, [e["uid"] for e in events])
                break
            except _TooLarge as e:
                # The receiver has a lower limit than ours: halve and try again
                # at once; later batches keep the smaller size.
                if len(events) <= 1:
                    raise SyncError(f"the receiver refuses even a single event as too large ({e})") from None
                events = events[:len(events) // 2]
                self.batch_limit = len(events)
                log.warning("receiver says the batch is too large (%s); batches now hold at most %d events",
                            e, self.batch_limit)
        done = self.clock()
        seqs = [e["seq"] for e in events if e["uid"] in acked]
        if seqs:
            self.store.mark_sent(seqs, done)
        if heartbeat:
            self.last_heartbeat = done
            self.store.meta_set(META_LAST_HEARTBEAT, done)
        if events and not seqs:
            raise SyncError(f"the receiver acknowledged none of the {len(events)} events sent")
        self.store.meta_set(META_LAST_SUCCESS, done)
        if self._error_shown:
            self.store.meta_set(META_LAST_ERROR, None)
            self._error_shown = False
        if len(seqs) < len(events):
            log.warning("receiver acknowledged %d of %d events; the rest are sent again", len(seqs), len(events))
        # Progress was made: go on at once while anything is left.
        more = bool(seqs) and self.store.backlog() > 0
        return StepResult(sent=len(events), acknowledged=len(seqs), heartbeat=bool(heartbeat), more=more)

    def _encode(self, events, heartbeat, now):
        """The body and its bytes, halving the batch until it fits the limit."""
        device = self.cfg.device.id
        while True:
            body = protocol.build_batch(device, events, now, heartbeat)
            try:
                raw = protocol.encode(body)
            except ValueError as e:  # NaN in an event: the store should never hold one
                raise SyncError(f"an event cannot be encoded as JSON: {e}") from None
            if len(raw) <= protocol.MAX_BODY_BYTES:
                return body, raw
            if len(events) <= 1:
                seq = events[0]["seq"] if events else None
                raise SyncError(f"event seq {seq} is larger than the protocol limit of "
                                f"{protocol.MAX_BODY_BYTES} bytes and cannot be sent")
            events = events[:len(events) // 2]

    def _heartbeat(self, now):
        """Health of this kiosk for the office (merged with status_provider())."""
        day, last_event = self.store.last_event()
        hb = {"software": __version__, "backlog": self.store.backlog(),
              "clock": {"time": now, "ntp_synchronized": clock_synchronized()},
              "last_event_day": day, "last_event_time": last_event,
              "last_success": self.store.meta_get(META_LAST_SUCCESS)}
        if self.status_provider:
            try:
                hb.update(self.status_provider() or {})
            except Exception as e:  # a broken provider must not stop event delivery
                log.exception("status provider failed")
                hb["status_error"] = f"{type(e).__name__}: {e}"
        # Anything the provider returns becomes plain JSON (dates, enums -> text).
        hb = json.loads(json.dumps(hb, default=str, allow_nan=False)) if _finite(hb) else {
            "software": __version__, "status_error": "status is not valid JSON"}
        if len(protocol.encode(hb)) > protocol.MAX_HEARTBEAT_BYTES:
            hb = {"software": __version__, "backlog": hb.get("backlog"), "status_error": "status too large"}
        return hb

    def _post(self, raw, uids):
        """POST the body; returns the set of uids the receiver acknowledged."""
        try:
            token = read_token(self.sync.token_file)
            verify = self.sync.ca_file or True
            if self.sync.ca_file and not os.path.isfile(self.sync.ca_file):
                raise SyncError(f"CA file {self.sync.ca_file} does not exist (sync.ca_file)")
            response = self.session.post(
                self.sync.url, data=raw, timeout=self.sync.timeout, verify=verify, stream=True,
                allow_redirects=False,  # a redirect would turn the POST into a GET
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            try:
                content = response.raw.read(MAX_ANSWER_BYTES + 1, decode_content=True)
            finally:
                response.close()
        except SyncError:
            raise
        except requests.exceptions.SSLError as e:
            raise SyncError(f"TLS problem with {self.host}: {_short(e)}; check the certificate, "
                            "the clock, or sync.ca_file") from None
        except requests.exceptions.Timeout:
            raise SyncError(f"no answer from {self.host} within {self.sync.timeout:g} s") from None
        except (requests.exceptions.ConnectionError, OSError) as e:
            raise SyncError(f"cannot reach {self.host}: {_short(e)}") from None
        except requests.exceptions.RequestException as e:
            raise SyncError(f"request to {self.host} failed: {_short(e)}") from None
        except Exception as e:  # urllib3 errors while reading the answer body
            raise SyncError(f"connection to {self.host} broke: {_short(e)}") from None
        code = response.status_code
        if code == 200:
            if len(content) > MAX_ANSWER_BYTES:
                raise SyncError(f"answer from {self.host} is larger than {MAX_ANSWER_BYTES} bytes")
            try:
                return protocol.parse_ack(protocol.decode(content), uids)
            except ProtocolError as e:
                raise SyncError(f"{self.host} answered 200 but not with an acknowledgement ({e.reason})") from None
        reason = _reason(content)
        if code == 413:
            raise _TooLarge(reason)
        if code in (401, 403):
            raise SyncError(f"receiver refused this kiosk's token ({code}: {reason}); check "
                            f"{self.sync.token_file} and that device id {self.cfg.device.id!r} is registered")
        if code == 400:
            raise SyncError(f"receiver refused the batch as invalid: {reason}")
        if 300 <= code < 400:
            raise SyncError(f"receiver redirects to {response.headers.get('Location', '?')}; "
                            "set [sync] url to the final address")
        raise SyncError(f"receiver answered HTTP {code}: {reason}")

    # -- bookkeeping --------------------------------------------------------
    def _record_error(self, message):
        log.warning("sync: %s", message)
        try:
            self.store.meta_set(META_LAST_ERROR, message)
            self.store.meta_set(META_LAST_ERROR_AT, self.clock())
            self._error_shown = True
        except StoreError as e:
            log.error("cannot record the sync error: %s", e)

    def _prune_if_due(self, now):
        if now - self.last_prune < PRUNE_EVERY:
            return
        self.last_prune = now
        pruned = self.store.prune_sent(now - self.sync.retention_days * 86400)
        if pruned:
            log.info("pruned %d acknowledged events older than %d days", pruned, self.sync.retention_days)


def _finite(value):
    try:
        json.dumps(value, default=str, allow_nan=False)
        return True
    except ValueError:
        return False


def _short(e):
    text = str(e)
    for marker in ("Connection refused", "Name or service not known", "Connection reset",
                   "timed out", "Network is unreachable", "No route to host", "certificate verify failed"):
        if marker in text:
            return marker.lower()
    return text[:200]


def _reason(content):
    try:
        answer = json.loads(content)
        if isinstance(answer, dict) and answer.get("reason"):
            return str(answer["reason"])[:300]
    except ValueError:
        pass
    text = content[:200].decode("utf-8", "replace").strip()
    return text or "no reason given"


def sync_once(cfg, store, session=None, clock=time.time):
    """Send everything pending now (with one heartbeat), without retries.

    Returns a SyncReport; ``report.ok`` when the outbox is empty afterwards.
    """
    client = SyncClient(cfg, store, session=session, clock=clock)
    report = SyncReport()
    # Bounded even if events keep arriving: each request must make progress.
    limit = store.backlog() + 2
    try:
        first = True
        while report.requests < limit:
            result = client.step(heartbeat=True if first else False)
            first = False
            report.requests += 1
            report.acknowledged += result.acknowledged
            if not result.more:
                break
    except (SyncError, StoreError) as e:
        report.error = str(e)
    finally:
        client.close()
    report.pending = store.backlog()
    report.last_success = store.meta_get(META_LAST_SUCCESS)
    return report


class SyncWorker(threading.Thread):
    """Sends the outbox in the background; never blocks the screen or printing.

    Opens its own ``Store(db_path)`` (a SQLite connection belongs to one
    thread). ``status_provider() -> dict`` adds printer health, paper, clock
    and last ticket to the heartbeat; it is called from this thread, so it must
    only read thread-safe snapshots. ``events`` (a queue.Queue) receives
    ``SyncStatusChanged`` whenever backlog, last success or error change.
    After a restart it continues where it stopped: the outbox is the state.
    """

    def __init__(self, cfg, db_path, status_provider=None, events=None, session=None, clock=time.time):
        super().__init__(name="sync-worker", daemon=True)
        self.cfg = cfg
        self.db_path = db_path
        self.status_provider = status_provider
        self.events = events
        self.session = session
        self.clock = clock
        self.failures = 0
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._last_status = None

    def stop(self, timeout=None):
        """Ask the worker to end and wait for it. It ends at once when idle or
        waiting to retry, else after the request in flight (at most
        ``sync.timeout``)."""
        self._stopping.set()
        self._wake.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout if timeout is not None else self.cfg.sync.timeout + 5)

    def wake(self):
        """Check the outbox now instead of at the next interval (e.g. after a ticket)."""
        self._wake.set()

    def run(self):
        from kiosk.services.store import Store  # here, so importing this module needs no database

        try:
            store = Store(self.db_path)
        except StoreError as e:
            log.error("sync worker cannot open the store: %s", e)
            self._notify(None, error=str(e))
            return
        client = SyncClient(self.cfg, store, self.status_provider, session=self.session, clock=self.clock)
        try:
            while not self._stopping.is_set():
                delay = self._cycle(client, store)
                if self.failures:
                    # Backing off: new tickets must not turn into a retry per press.
                    self._stopping.wait(delay)
                else:
                    self._wake.wait(delay)
                self._wake.clear()
        finally:
            client.close()
            store.close()

    def _cycle(self, client, store):
        """One request; returns how long to wait before the next."""
        sync = self.cfg.sync
        error = None
        try:
            result = client.step()
            self.failures = 0
            delay = 0.0 if result.more else sync.interval
        except (SyncError, StoreError) as e:
            self.failures += 1
            error = str(e)
            delay = backoff_delay(self.failures, sync.backoff_start, sync.backoff_max)
        except Exception as e:  # a bug must not kill delivery for good
            log.exception("sync worker: unexpected error")
            self.failures += 1
            error = f"{type(e).__name__}: {e}"
            delay = backoff_delay(self.failures, sync.backoff_start, sync.backoff_max)
        self._notify(store, error)
        return delay

    def _notify(self, store, error=None):
        if self.events is None:
            return
        try:
            backlog = store.backlog() if store else 0
            last = store.meta_get(META_LAST_SUCCESS) if store else None
        except Exception:  # the status is informative; never let it stop the worker
            backlog, last = 0, None
        status = SyncStatusChanged(backlog=backlog, last_success=last, error=error)
        if status != self._last_status:
            self._last_status = status
            try:
                self.events.put_nowait(status)
            except queue.Full:
                pass
