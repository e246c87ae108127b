"""The kiosk side of sync: every event reaches the receiver exactly once,
whatever the network and the server do."""
import queue
import time

import pytest

from kiosk import __version__
from kiosk.core.events import SyncStatusChanged
from kiosk.services.sync import sync_status
from kiosk.office import receiver
from kiosk.services.sync.worker import SyncClient, SyncWorker, backoff_delay, sync_once
from sync_helpers import (  # noqa: F401  (fixtures)
    DAY, DEVICE, FaultServer, ReceiverThread, assert_exactly_once, fault_server, fill, free_port,
    kiosk_store, real_receiver, sync_config, token_file, upstream, upstream_db, write_token)


def test_sync_once_delivers_every_pending_event_in_batches(demo_config, kiosk_store, real_receiver, token_file,
                                                           upstream_db):
    cfg = sync_config(demo_config, real_receiver.url, token_file, batch_size=50)
    fill(kiosk_store, 120)

    report = sync_once(cfg, kiosk_store)

    assert (report.ok, report.acknowledged, report.requests, report.pending) == (True, 120, 3, 0)
    assert_exactly_once(kiosk_store, upstream_db[0])
    assert sync_status(kiosk_store)["last_success"] == pytest.approx(time.time(), abs=30)


def test_ticket_events_arrive_with_their_fields(demo_config, kiosk_store, real_receiver, token_file, upstream_db):
    cfg = sync_config(demo_config, real_receiver.url, token_file)
    ticket = kiosk_store.issue(DAY, cfg.services[0], True, now=1776300000.0)
    kiosk_store.transition(ticket.id, "printed", now=1776300001.0)

    assert sync_once(cfg, kiosk_store).ok

    summary = receiver.ReceiverDB(upstream_db[0]).summary(DEVICE, DAY)[DEVICE][DAY]
    assert summary["by_type"] == {"issued": 1, "printed": 1}
    assert summary["services"][cfg.services[0].code]["issued"] == 1


def test_after_a_restart_only_the_unsent_events_are_sent(demo_config, kiosk_store, real_receiver, token_file,
                                                          upstream_db):
    cfg = sync_config(demo_config, real_receiver.url, token_file)
    fill(kiosk_store, 10)
    sync_once(cfg, kiosk_store)
    fill(kiosk_store, 5, start=10)

    report = sync_once(cfg, kiosk_store)  # a new client, as after a restart

    assert report.acknowledged == 5
    assert_exactly_once(kiosk_store, upstream_db[0])


def test_receiver_down_keeps_everything_and_a_later_sync_sends_it_once(demo_config, kiosk_store, token_file,
                                                                        upstream_db):
    port = free_port()
    cfg = sync_config(demo_config, f"http://127.0.0.1:{port}/api/v1/events", token_file)
    fill(kiosk_store, 20)

    report = sync_once(cfg, kiosk_store)

    assert not report.ok and "cannot reach 127.0.0.1" in report.error
    assert kiosk_store.backlog() == 20
    assert sync_status(kiosk_store)["last_error"] == report.error
    server = ReceiverThread(upstream_db[0])
    try:
        assert sync_once(sync_config(demo_config, server.url, token_file), kiosk_store).ok
    finally:
        server.close()
    assert_exactly_once(kiosk_store, upstream_db[0])
    assert sync_status(kiosk_store)["last_error"] is None


@pytest.mark.parametrize("fault, message", [
    ("down-500", "HTTP 500"),  # failed before storing
    ("500", "HTTP 500"),  # stored, then failed
    ("slow", "no answer from 127.0.0.1"),  # stored, answered after the timeout
    ("garbage", "not with an acknowledgement"),  # stored, answered with an HTML error page
    ("badack", "not with an acknowledgement"),  # stored, answered JSON of the wrong shape
    ("reset", "127.0.0.1"),  # stored, then the connection was reset
])
def test_a_failed_request_marks_nothing_and_the_retry_stores_nothing_twice(
        demo_config, kiosk_store, fault_server, token_file, upstream_db, fault, message):
    cfg = sync_config(demo_config, fault_server.url, token_file, timeout=0.3)
    fault_server.faults = [fault]
    fault_server.slow_seconds = 0.8
    fill(kiosk_store, 20)

    first = sync_once(cfg, kiosk_store)

    assert not first.ok and message in first.error
    assert kiosk_store.backlog() == 20, "events were marked sent without an acknowledgement"
    second = sync_once(cfg, kiosk_store)
    assert second.ok, second.error
    assert_exactly_once(kiosk_store, upstream_db[0])


def test_partial_acknowledgement_marks_only_those_and_sends_the_rest(demo_config, kiosk_store, fault_server,
                                                                      token_file, upstream_db):
    cfg = sync_config(demo_config, fault_server.url, token_file, batch_size=50)
    fault_server.faults = ["partial"]
    fill(kiosk_store, 20)

    report = sync_once(cfg, kiosk_store)

    assert fault_server.seen == ["partial", "pass"]
    assert report.ok and report.acknowledged == 20
    assert_exactly_once(kiosk_store, upstream_db[0])


def test_a_batch_the_receiver_refuses_stays_in_the_outbox_with_the_reason(demo_config, kiosk_store,
                                                                          real_receiver, token_file):
    cfg = sync_config(demo_config, real_receiver.url, token_file)
    kiosk_store.log("not a valid type", 1776300000.0, day=DAY)

    report = sync_once(cfg, kiosk_store)

    assert "refused the batch as invalid: events[0].type" in report.error
    assert kiosk_store.backlog() == 1


def test_a_receiver_with_a_smaller_size_limit_gets_smaller_batches(demo_config, kiosk_store, token_file,
                                                                     upstream_db):
    server = ReceiverThread(upstream_db[0], app=receiver.make_app(upstream_db[0], max_body=4000))
    try:
        cfg = sync_config(demo_config, server.url, token_file, batch_size=100)
        fill(kiosk_store, 100)  # about 250 bytes each: 25 KB per full batch

        report = sync_once(cfg, kiosk_store)
    finally:
        server.close()
    assert report.ok, report.error
    assert_exactly_once(kiosk_store, upstream_db[0])


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_a_token_file_others_can_read_is_refused_before_any_request(demo_config, kiosk_store, fault_server,
                                                                     tmp_path, upstream_db, mode):
    token = write_token(tmp_path / "open-token", upstream_db[1], mode=mode)
    cfg = sync_config(demo_config, fault_server.url, token)
    fill(kiosk_store, 3)

    report = sync_once(cfg, kiosk_store)

    assert f"chmod 600 {token}" in report.error
    assert fault_server.seen == [] and kiosk_store.backlog() == 3


def test_a_missing_token_file_is_named_in_the_error(demo_config, kiosk_store, real_receiver, tmp_path):
    cfg = sync_config(demo_config, real_receiver.url, tmp_path / "nope")
    fill(kiosk_store, 1)

    report = sync_once(cfg, kiosk_store)

    assert f"token file {tmp_path / 'nope'} does not exist" in report.error


def test_a_wrong_token_is_reported_as_refused(demo_config, kiosk_store, real_receiver, tmp_path):
    cfg = sync_config(demo_config, real_receiver.url, write_token(tmp_path / "t", "not-the-token"))
    fill(kiosk_store, 2)

    report = sync_once(cfg, kiosk_store)

    assert "refused this kiosk's token (401" in report.error and kiosk_store.backlog() == 2


def test_retention_prunes_old_acknowledged_events_but_never_unsent_ones(demo_config, kiosk_store, real_receiver,
                                                                        token_file):
    day = 86400.0
    now = time.time()
    cfg = sync_config(demo_config, real_receiver.url, token_file, retention_days=60)
    old_sent = fill(kiosk_store, 5)
    sync_once(cfg, kiosk_store, clock=lambda: now - 90 * day)  # acknowledged 90 days ago
    recent_sent = fill(kiosk_store, 3, start=5)
    sync_once(cfg, kiosk_store, clock=lambda: now - 10 * day)  # acknowledged 10 days ago
    old_unsent = fill(kiosk_store, 4, start=8)  # never acknowledged
    down = sync_config(demo_config, f"http://127.0.0.1:{free_port()}/api/v1/events", token_file,
                       retention_days=60)

    sync_once(down, kiosk_store, clock=lambda: now + 400 * day)  # much later, receiver down

    left = {e["uid"] for e in kiosk_store.events()}
    assert left == set(old_unsent), "retention pruned an unsent event or kept an expired one"
    assert not left & set(old_sent + recent_sent)


def test_retention_keeps_acknowledged_events_younger_than_the_limit(demo_config, kiosk_store, real_receiver,
                                                                     token_file):
    cfg = sync_config(demo_config, real_receiver.url, token_file, retention_days=60)
    uids = fill(kiosk_store, 5)
    sync_once(cfg, kiosk_store)

    sync_once(cfg, kiosk_store, clock=lambda: time.time() + 59 * 86400)

    assert {e["uid"] for e in kiosk_store.events()} == set(uids)


def test_heartbeat_carries_version_backlog_and_the_kiosk_status(demo_config, kiosk_store, real_receiver,
                                                                 token_file, upstream_db):
    cfg = sync_config(demo_config, real_receiver.url, token_file, batch_size=10)
    fill(kiosk_store, 25)
    status = {"printer": {"online": True, "paper": "near_end"}, "last_ticket": "A-012",
              "clock": {"ntp_synchronized": True, "problem": None}}
    client = SyncClient(cfg, kiosk_store, status_provider=lambda: status)

    client.step(heartbeat=True)

    hb = receiver.ReceiverDB(upstream_db[0]).devices(DEVICE)[0]["heartbeat"]
    assert hb["software"] == __version__ and hb["backlog"] == 25
    assert hb["printer"] == status["printer"] and hb["last_ticket"] == "A-012"
    assert hb["clock"]["ntp_synchronized"] is True


def test_a_failing_status_provider_does_not_stop_delivery(demo_config, kiosk_store, real_receiver, token_file,
                                                          upstream_db):
    cfg = sync_config(demo_config, real_receiver.url, token_file)
    fill(kiosk_store, 3)

    def broken():
        raise RuntimeError("printer driver crashed")

    result = SyncClient(cfg, kiosk_store, status_provider=broken).step(heartbeat=True)

    assert result.acknowledged == 3
    hb = receiver.ReceiverDB(upstream_db[0]).devices(DEVICE)[0]["heartbeat"]
    assert "printer driver crashed" in hb["status_error"]


def test_heartbeat_is_sent_alone_when_due_and_not_before(demo_config, kiosk_store, fault_server, token_file):
    now = [1000.0]
    cfg = sync_config(demo_config, fault_server.url, token_file, heartbeat=300.0)
    client = SyncClient(cfg, kiosk_store, clock=lambda: now[0])

    first = client.step()
    now[0] += 299
    idle = client.step()
    now[0] += 2
    second = client.step()

    assert (first.heartbeat, idle.heartbeat, second.heartbeat) == (True, False, True)
    assert len(fault_server.seen) == 2


@pytest.fixture
def start_worker():
    """Start SyncWorkers with a status queue; any still running at the end are stopped."""
    started = []

    def start(cfg, store):
        events = queue.Queue()
        worker = SyncWorker(cfg, store.path, events=events)
        worker.start()
        started.append(worker)
        return worker, events

    yield start
    for worker in started:
        worker.stop(timeout=5)


def test_worker_drains_the_backlog_in_its_thread_and_reports_status(demo_config, kiosk_store, real_receiver,
                                                                     token_file, upstream_db, start_worker):
    cfg = sync_config(demo_config, real_receiver.url, token_file, batch_size=40)
    fill(kiosk_store, 150)
    worker, events = start_worker(cfg, kiosk_store)

    status = _wait_for(events, lambda s: s.backlog == 0)
    worker.stop(timeout=5)

    assert not worker.is_alive()
    assert status.error is None and status.last_success
    assert_exactly_once(kiosk_store, upstream_db[0])


def test_worker_retries_with_backoff_until_the_receiver_recovers(demo_config, kiosk_store, fault_server,
                                                                  token_file, upstream_db, start_worker):
    cfg = sync_config(demo_config, fault_server.url, token_file)
    fault_server.faults = ["down-500", "reset", "500"]
    fill(kiosk_store, 30)
    worker, events = start_worker(cfg, kiosk_store)

    error = _wait_for(events, lambda s: s.error is not None)
    done = _wait_for(events, lambda s: s.backlog == 0)
    worker.stop(timeout=5)

    assert "HTTP 500" in error.error and done.error is None
    assert fault_server.seen[:4] == ["down-500", "reset", "500", "pass"]
    assert_exactly_once(kiosk_store, upstream_db[0])


def test_stop_ends_a_worker_waiting_for_its_next_retry(demo_config, kiosk_store, token_file, start_worker):
    cfg = sync_config(demo_config, f"http://127.0.0.1:{free_port()}/api/v1/events", token_file,
                      backoff_start=60.0, backoff_max=60.0)
    fill(kiosk_store, 1)
    worker, events = start_worker(cfg, kiosk_store)
    _wait_for(events, lambda s: s.error is not None)  # it failed once and now waits about a minute

    worker.stop(timeout=2)

    assert not worker.is_alive()
    assert kiosk_store.backlog() == 1


def test_new_events_do_not_cut_short_a_wait_for_the_next_retry(demo_config, kiosk_store, fault_server,
                                                                token_file, start_worker):
    cfg = sync_config(demo_config, fault_server.url, token_file, backoff_start=60.0, backoff_max=60.0)
    fault_server.faults = ["down-500"]
    fill(kiosk_store, 1)
    worker, events = start_worker(cfg, kiosk_store)
    _wait_for(events, lambda s: s.error is not None)  # failed once: now backing off

    for _ in range(5):  # the app wakes the worker after every ticket and call
        worker.wake()
        time.sleep(0.05)
    worker.stop(timeout=2)

    assert fault_server.seen == ["down-500"]  # no request per press while the server is down


def test_backoff_doubles_per_failure_with_jitter_and_stops_at_the_cap():
    lowest = [backoff_delay(n, 2.0, 300.0, rand=lambda: 0.0) for n in range(1, 11)]
    highest = [backoff_delay(n, 2.0, 300.0, rand=lambda: 1.0) for n in range(1, 11)]

    assert highest[:5] == [2.0, 4.0, 8.0, 16.0, 32.0]
    assert lowest[:3] == [1.0, 2.0, 4.0]  # never 0: no retry storm
    assert highest[-1] == 300.0 and lowest[-1] == 150.0


def _wait_for(events, predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            item = events.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError("the expected SyncStatusChanged never came") from None
        assert isinstance(item, SyncStatusChanged)
        if predicate(item):
            return item
