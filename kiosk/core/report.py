"""Daily figures per service for the office (counts, waiting and service time)."""
from dataclasses import asdict, dataclass
from typing import Optional

from kiosk.core import tickets as T
from kiosk.core.rules import median


@dataclass(frozen=True)
class ServiceFigures:
    service: str
    name: str
    issued: int
    served: int
    skipped: int
    void: int
    waiting: int
    median_wait_min: Optional[float]
    mean_wait_min: Optional[float]
    mean_service_min: Optional[float]
    # Transfers (issue 15): a ticket counts as issued in the service it was
    # issued for, once as transferred out of and into each service on its way,
    # and as served, skipped or waiting where it is now.
    transferred_in: int = 0
    transferred_out: int = 0
    transfers: tuple = ()  # "C-001 informasi > barang", every transfer touching this service


def _minutes(values):
    return [v / 60.0 for v in values if v is not None and v >= 0]


def _mean(values):
    return sum(values) / len(values) if values else None


def day_report(cfg, store, day):
    """Figures per configured service for one business day (YYYY-MM-DD)."""
    by_service: dict[str, list] = {}
    now_in: dict[str, list] = {}  # by the service each ticket is in now
    all_tickets = store.tickets(day)
    for t in all_tickets:
        by_service.setdefault(t.service, []).append(t)
        now_in.setdefault(t.current_service, []).append(t)
    paths = store.transfers(day)
    labels = {t.id: t.label for t in all_tickets}
    out = []
    for service in cfg.services:
        tickets = by_service.get(service.code, [])
        here = now_in.get(service.code, [])  # where transferred tickets ended up
        states = [t.state for t in here]
        touching = [(labels.get(i, "?"), p) for i, p in sorted(paths.items()) if service.code in p]
        waits = _minutes([t.called_at - t.issued_at for t in tickets if t.called_at])
        services = _minutes([t.finished_at - t.called_at for t in here
                             if t.state == T.SERVED and t.finished_at and t.called_at])
        out.append(ServiceFigures(
            service=service.code, name=service.display_name(cfg.device.language),
            issued=len(tickets), served=states.count(T.SERVED), skipped=states.count(T.SKIPPED),
            void=[t.state for t in tickets].count(T.VOID), waiting=states.count(T.WAITING) + states.count(T.ISSUED),
            median_wait_min=_round(median(waits)), mean_wait_min=_round(_mean(waits)),
            mean_service_min=_round(_mean(services)),
            transferred_in=sum(p[1:].count(service.code) for _, p in touching),
            transferred_out=sum(p[:-1].count(service.code) for _, p in touching),
            transfers=tuple(f"{label} {' > '.join(p)}" for label, p in touching)))
    return out


def _round(v):
    return None if v is None else round(v, 1)


def as_rows(figures):
    """Plain rows (CSV, JSON); the transfer paths joined by '; '."""
    return [dict(asdict(f), transfers="; ".join(f.transfers)) for f in figures]
