"""Helpers for the survey tests: a queue with served tickets, complete responses."""
from core_helpers import MON, Clock, make_config, wib
from kiosk.core import survey as S
from kiosk.services.queue_service import QueueService
from kiosk.services.store import Store

DAY = "2025-06-02"  # Monday MON


def open_queue(tmp_path, edit=None):
    """(QueueService, Clock) on a new database, Monday 10:00 in Jakarta."""
    clock = Clock(wib(MON, 10))
    cfg = make_config(tmp_path / "k.db", edit)
    return QueueService(cfg, Store(cfg.storage.database), clock=clock), clock


def serve(queue, clock, service="barang", counter=1):
    """Issue, print, call and serve one ticket; returns the served ticket."""
    ticket = queue.issue(service).ticket
    queue.printed(ticket.id)
    clock.advance(30)
    queue.call_next(counter)
    clock.advance(60)
    queue.call_next(counter)  # serves the current one (nobody else may be waiting)
    return queue.store.ticket(ticket.id)


def response(scores=(4, 3, 3, 2, 4, 4, 4, 3, 3), suggestion="", **profile):
    return S.check_response(dict(zip(S.ELEMENT_CODES, scores)),
                            {**dict.fromkeys(S.PROFILE_CODES), **profile}, suggestion)
