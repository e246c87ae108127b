"""Hostile checks of counter staff operations (issue 15): absurd PIN hashes,
transfer loops, a transferred ticket at its old counter, a closed target."""
import base64

import pytest

from core_helpers import MON, Clock, config_dict, make_config, wib
from kiosk.core import config, staff_pin
from kiosk.core.errors import ConfigError, OperationRefused
from kiosk.core.report import day_report
from kiosk.services.queue_service import QueueService
from kiosk.services.store import Store

_SALT, _HASH = base64.b64encode(b"s" * 16).decode(), base64.b64encode(b"h" * 32).decode()
COSTLY = [f"scrypt${2 ** 19}$8$1${_SALT}${_HASH}",    # 512 MiB and seconds per login
          f"scrypt${2 ** 16}$32$1${_SALT}${_HASH}",   # 256 MiB
          f"scrypt${2 ** 20}$8$1${_SALT}${_HASH}"]    # over hashlib's maxmem: could never log in
BROKEN = [f"scrypt$3$8$1${_SALT}${_HASH}", f"scrypt$16384$8$0${_SALT}${_HASH}", f"scrypt$16384$8$1${_SALT}$"]


@pytest.mark.parametrize("stored", COSTLY)
def test_given_a_costly_pin_hash_when_a_pin_is_checked_then_nothing_is_hashed(stored, monkeypatch):
    hashed = []
    monkeypatch.setattr(staff_pin.hashlib, "scrypt", lambda *a, **k: hashed.append(k) or b"")
    assert staff_pin.verify_pin("1234", stored) is False
    assert hashed == []  # eight parallel logins of 512 MiB each would kill a Pi


@pytest.mark.parametrize("stored", COSTLY + BROKEN)
def test_given_a_pin_hash_that_can_never_log_in_when_the_config_loads_then_it_is_named(stored):
    def edit(data):
        data["counters"][0]["pin_hash"] = stored

    with pytest.raises(ConfigError) as info:
        config.from_dict(config_dict(edit=edit))
    assert any("counters[0].pin_hash" in p for p in info.value.problems)


def test_given_a_hash_of_hash_pin_when_the_config_loads_then_it_is_accepted():
    line = staff_pin.hash_pin("482913")

    def edit(data):
        data["counters"][0]["pin_hash"] = line

    assert config.from_dict(config_dict(edit=edit)).counters[0].pin_hash == line


# --- transfers a hostile officer tries --------------------------------------------------

@pytest.fixture
def queue(tmp_path):
    clock = Clock(wib(MON, 10))
    cfg = make_config(tmp_path / "k.db")
    q = QueueService(cfg, Store(cfg.storage.database), clock=clock)
    q.clock_for_test = clock
    yield q
    q.store.close()


def _take(queue, code):
    issued = queue.issue(code)
    queue.store.transition(issued.ticket.id, "printed", queue.clock_for_test())
    queue.clock_for_test.advance(60)
    return issued.ticket.label


def test_given_a_transfer_loop_when_reported_then_each_transfer_counts_once_and_the_path_shows_the_loop(queue):
    label = _take(queue, "informasi")
    queue.call_next(2)
    queue.transfer("barang", counter_number=2)
    queue.call_next(1)
    queue.transfer("informasi", counter_number=1)

    row = {r.service: r for r in day_report(queue.cfg, queue.store, queue.day_clock().day)}["informasi"]
    assert (row.issued, row.transferred_out, row.transferred_in, row.waiting) == (1, 1, 1, 1)
    assert row.transfers == (f"{label} informasi > barang > informasi",)
    assert queue.call_next(2).ticket.label == label  # back in its first queue, with its label


def test_given_a_transferred_ticket_when_called_at_its_old_counter_then_it_is_refused(queue):
    label = _take(queue, "informasi")
    queue.call_next(2)
    queue.transfer("barang", counter_number=2)  # counter 2 does not serve barang

    with pytest.raises(OperationRefused) as info:
        queue.call_ticket(2, label)
    assert info.value.reason == "not_served_here"
    assert queue.call_ticket(1, label).ticket.label == label


def test_given_every_counter_of_a_service_closed_when_transferred_to_it_then_it_is_refused(queue):
    _take(queue, "kunjungan")
    queue.call_next(2)
    queue.set_counter_open(1, False)  # the only counter serving barang

    with pytest.raises(OperationRefused) as info:
        queue.transfer("barang", counter_number=2)
    assert info.value.reason == "service_closed"
    assert queue.store.current(queue.day_clock().day, 2) is not None  # still served at counter 2
