"""Feeds, snapshots and a running LAN server for the board and LAN tests."""
from __future__ import annotations

import dataclasses
import threading
import time
from typing import Callable, Optional

from kiosk.core import config

TOKEN = "test-token-0123456789abcdef"
SIZES = [(1920, 1080), (1366, 768), (1280, 720), (1080, 1920)]
LONG_INSTITUTION = ("Rumah Tahanan Negara Kelas IIB Blora, Kantor Wilayah Kementerian Imigrasi dan "
                    "Pemasyarakatan Jawa Tengah")
LONG_SERVICE = ("Layanan Integrasi Pembebasan Bersyarat, Cuti Bersyarat, Cuti Menjelang Bebas "
                "dan Asimilasi Warga Binaan Pemasyarakatan")


def board_config(announce="board", **board):
    """The demo config with the board speaking (unless told otherwise)."""
    cfg = config.load_demo()
    return dataclasses.replace(cfg, board=dataclasses.replace(cfg.board, announce=announce, **board))


def call(call_id, counter, label, service="kunjungan", at=None, priority=False):
    """A CallInfo dict as the machine's Snapshot.as_dict() lists it."""
    return {"call_id": call_id, "counter": counter, "counter_name": f"Loket {counter}", "label": label,
            "service": service, "priority": priority, "text": "", "at": time.time() if at is None else at}


class Kiosk:
    """What the kiosk's machine would publish: calls newest first, one per ticket."""

    def __init__(self, state):
        self.state = state
        self.calls: list = []
        self.next_id = 100

    def snapshot(self):
        serving = {}
        for c in reversed(self.calls):
            serving[c["counter"]] = c["label"]
        return {"day": "2026-12-01", "clock_problem": None, "calls": list(self.calls[:20]),
                "serving": [{"counter": n, "name": f"Loket {n}", "label": serving.get(n, "")} for n in (1, 2, 3)],
                "services": [{"code": "kunjungan", "can_issue": True, "message": "", "waiting": 4},
                             {"code": "integrasi", "can_issue": False, "message": "Tutup", "waiting": 0}]}

    def call(self, counter, label, service="kunjungan", publish=True):
        """A call (or a recall: the same label again) with a new, higher call id."""
        self.next_id += 1
        self.calls = [c for c in self.calls if c["label"] != label]
        self.calls.insert(0, call(self.next_id, counter, label, service))
        if publish:
            self.state.publish(self.snapshot())
        return self.next_id


def sample_feed(lang="id", long=False, calls=None, **board):
    """A complete public feed for the renderer tests."""
    from kiosk.lan.state import build_feed

    cfg = config.load_demo()
    if long:
        services = list(cfg.services)
        services[3] = dataclasses.replace(services[3], name={"id": LONG_SERVICE, "en": LONG_SERVICE})
        counters = [dataclasses.replace(c, name=f"Loket {c.number} - Informasi dan Pengaduan Masyarakat",
                                        name_en=f"Counter {c.number} - Information and public complaints")
                    for c in cfg.counters]
        counters += [config.Counter(number=n, name="", services=["kunjungan"]) for n in (4, 5)]
        cfg = dataclasses.replace(cfg, services=tuple(services), counters=tuple(counters),
                                  device=dataclasses.replace(cfg.device, institution=LONG_INSTITUTION))
    cfg = dataclasses.replace(cfg, board=dataclasses.replace(cfg.board, language=lang, **board))
    now = time.time()
    calls = calls if calls is not None else [
        call(15, 2, "C-104", "informasi", now - 2, priority=True), call(14, 1, "A-012", at=now - 40),
        call(12, 3, "D-003", "integrasi", now - 90), call(10, 1, "A-011", at=now - 200)]
    snap = {"day": "2026-12-01", "calls": calls,
            "serving": [{"counter": c["counter"], "label": c["label"]} for c in reversed(calls)],
            "services": [{"code": "kunjungan", "can_issue": True, "waiting": 12},
                         {"code": "integrasi", "can_issue": False, "message": "Tutup"}]}
    feed = build_feed(snap, cfg)
    return {**feed, "version": 3, "published_at": now, "now": now}


def wait_for(predicate: Callable[[], bool], timeout: float = 15.0, step: Optional[threading.Event] = None) -> bool:
    """Poll ``predicate`` until true (or ``timeout``); waits on ``step`` between checks when given."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if step is not None:
            step.wait(0.05)
            step.clear()
        else:
            time.sleep(0.01)
    return predicate()
