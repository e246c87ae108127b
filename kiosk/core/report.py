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


def _minutes(values):
    return [v / 60.0 for v in values if v is not None and v >= 0]


def _mean(values):
    return sum(values) / len(values) if values else None


def day_report(cfg, store, day):
    """Figures per configured service for one business day (YYYY-MM-DD)."""
    by_service = {}
    for t in store.tickets(day):
        by_service.setdefault(t.service, []).append(t)
    out = []
    for service in cfg.services:
        tickets = by_service.get(service.code, [])
        states = [t.state for t in tickets]
        waits = _minutes([t.called_at - t.issued_at for t in tickets if t.called_at])
        services = _minutes([t.finished_at - t.called_at for t in tickets
                             if t.state == T.SERVED and t.finished_at and t.called_at])
        out.append(ServiceFigures(
            service=service.code, name=service.display_name(cfg.device.language),
            issued=len(tickets), served=states.count(T.SERVED), skipped=states.count(T.SKIPPED),
            void=states.count(T.VOID), waiting=states.count(T.WAITING) + states.count(T.ISSUED),
            median_wait_min=_round(median(waits)), mean_wait_min=_round(_mean(waits)),
            mean_service_min=_round(_mean(services))))
    return out


def _round(v):
    return None if v is None else round(v, 1)


def as_rows(figures):
    return [asdict(f) for f in figures]
