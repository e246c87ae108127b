"""The kiosk's LAN server: token, feed, long-poll, bad input, staff mount (waitress on 127.0.0.1)."""
import os
import threading
import time

import pytest
import requests

from board_helpers import TOKEN, Kiosk, board_config
from kiosk.lan.server import LanError, LanServer, read_token
from kiosk.lan.state import LanState

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def lan():
    cfg = board_config()
    state = LanState(cfg)
    server = LanServer(cfg, state, token=TOKEN, listen="127.0.0.1:0").start()
    yield server, Kiosk(state)
    server.stop()


def feed(server, headers=AUTH, **params):
    return requests.get(server.url + "/api/feed", params=params, headers=headers, timeout=10)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token-0123456789"},
                                     {"Authorization": f"Basic {TOKEN}"}, {"Authorization": "Bearer"},
                                     {"Authorization": f"Bearer {TOKEN}x"}])
def test_the_feed_refuses_requests_without_the_right_token(lan, headers):
    server, _ = lan
    r = feed(server, headers)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert "calls" not in r.json()


def test_the_feed_lists_calls_newest_first_serving_waiting_and_open_services(lan):
    server, kiosk = lan
    first = kiosk.call(1, "A-001")
    second = kiosk.call(2, "B-001", service="barang")
    body = feed(server).json()
    assert [c["call_id"] for c in body["calls"]] == [second, first]
    assert body["calls"][0] == {**body["calls"][0], "label": "B-001", "counter": 2, "service": "barang"}
    assert [(c["counter"], c["label"]) for c in body["counters"]] == [(1, "A-001"), (2, "B-001"), (3, "")]
    names = body["counters"][1]["name"]
    assert names["id"].split() == ["Loket", "2"] and names["en"].split() == ["Counter", "2"]  # both languages
    services = {s["code"]: s for s in body["services"]}
    assert services["kunjungan"]["waiting"] == 4 and services["kunjungan"]["open"] is True
    assert services["integrasi"]["open"] is False and services["integrasi"]["message"] == "Tutup"
    assert body["clock_problem"] is None and body["day"] == "2026-12-01"
    assert body["timezone"] == "Asia/Jakarta" and body["institution"]
    assert body["board"]["announce"] == "board" and body["board"]["language"] == "id"
    assert feed(server).headers["Cache-Control"] == "no-store"  # a proxy must never serve an old call


def test_a_long_poll_returns_as_soon_as_a_call_is_published(lan):
    server, kiosk = lan
    version = feed(server).json()["version"]
    result = {}

    def poll():
        result["body"] = feed(server, since=version, wait=20).json()

    t = threading.Thread(target=poll)
    t.start()
    time.sleep(0.2)  # let the request reach the server and wait there
    assert t.is_alive(), "the long-poll returned before anything changed"
    kiosk.call(3, "A-007")
    t.join(5)
    assert not t.is_alive()
    assert result["body"]["version"] > version and result["body"]["calls"][0]["label"] == "A-007"


def test_a_long_poll_answers_at_once_when_the_version_differs_after_a_kiosk_restart(lan):
    server, kiosk = lan
    kiosk.call(1, "A-001")
    started = time.monotonic()
    body = feed(server, since=900, wait=20).json()  # a board that knew the previous run's version
    assert time.monotonic() - started < 5 and body["calls"][0]["label"] == "A-001"


def test_publishing_the_same_snapshot_makes_no_new_version(lan):
    server, kiosk = lan
    kiosk.call(1, "A-001")
    v1 = kiosk.state.publish(kiosk.snapshot())
    v2 = kiosk.state.publish(kiosk.snapshot())
    assert v1 == v2 == feed(server).json()["version"]


@pytest.mark.parametrize("query", ["since=abc", "since=-1", "since=1%00", f"since={2**63}", "since=1e3",
                                   "wait=inf", "wait=nan", "wait=-1", "wait=1%002", "wait=" + "9" * 400,
                                   "&".join(f"k{i}=1" for i in range(50))])
def test_bad_queries_get_a_clear_400(lan, query):
    server, _ = lan
    r = requests.get(f"{server.url}/api/feed?{query}", headers=AUTH, timeout=10)
    assert r.status_code == 400
    assert r.json()["error"]


def test_a_huge_wait_is_cut_to_the_longest_long_poll_not_refused(lan):
    server, kiosk = lan
    kiosk.call(1, "A-001")
    assert feed(server, since=0, wait=10**9).status_code == 200


def test_the_feed_is_read_only_and_unknown_pages_are_404(lan):
    server, _ = lan
    assert requests.post(server.url + "/api/feed", headers=AUTH, data=b"x" * 1000, timeout=10).status_code == 405
    assert requests.get(server.url + "/nothing", timeout=10).status_code == 404
    assert requests.get(server.url + "/staff/", timeout=10).status_code == 404  # staff page not enabled
    assert requests.get(server.url + "/api/health", timeout=10).json() == {"ok": True}


def test_the_staff_page_is_mounted_under_staff_when_given():
    seen = {}

    def staff_app(environ, start_response):
        seen["script"], seen["path"] = environ["SCRIPT_NAME"], environ["PATH_INFO"]
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"staff"]

    cfg = board_config()
    server = LanServer(cfg, LanState(cfg), token=TOKEN, staff_app=staff_app, listen="127.0.0.1:0").start()
    try:
        r = requests.get(server.url + "/staff/counter/2", timeout=10)
    finally:
        server.stop()
    assert r.text == "staff" and seen == {"script": "/staff", "path": "/counter/2"}


def test_stop_ends_a_waiting_long_poll_and_frees_the_port(lan):
    server, _ = lan
    version = feed(server).json()["version"]
    t = threading.Thread(target=lambda: feed(server, since=version, wait=20))
    t.start()
    time.sleep(0.2)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 4
    t.join(5)
    assert not t.is_alive()


def test_a_port_in_use_is_a_clear_error():
    cfg = board_config()
    first = LanServer(cfg, LanState(cfg), token=TOKEN, listen="127.0.0.1:0").start()
    try:
        with pytest.raises(LanError, match="cannot listen on 127.0.0.1"):
            LanServer(cfg, LanState(cfg), token=TOKEN, listen=f"127.0.0.1:{first.port}").start()
    finally:
        first.stop()


# ---------------------------------------------------------------- token file
def write(path, data, mode=0o600):
    path.write_bytes(data)
    os.chmod(path, mode)
    return str(path)


def test_the_token_is_read_from_a_0600_file(tmp_path):
    assert read_token(write(tmp_path / "t", TOKEN.encode() + b"\n")) == TOKEN


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_token_file_others_can_read_is_refused_with_the_fix(tmp_path, mode):
    path = write(tmp_path / "t", TOKEN.encode(), mode)
    with pytest.raises(LanError, match=f"readable by others.*chmod 600 {path}"):
        read_token(path)


@pytest.mark.parametrize("data, words", [(b"", "at least 16"), (b"short", "at least 16"),
                                         (b"\xff\xfe" * 20, "printable ASCII"),
                                         (b"two words here but long", "one word"),
                                         (b"nul\x00byte-in-the-token-file", "printable")])
def test_a_bad_token_file_is_refused_clearly(tmp_path, data, words):
    with pytest.raises(LanError, match=words):
        read_token(write(tmp_path / "t", data))


def test_a_missing_token_file_says_how_to_make_one(tmp_path):
    with pytest.raises(LanError, match="does not exist; create it: head -c 32 /dev/urandom"):
        read_token(str(tmp_path / "missing"))


def test_the_server_refuses_to_start_with_a_readable_token_file(tmp_path):
    cfg = board_config()
    path = write(tmp_path / "t", TOKEN.encode(), 0o644)
    cfg = cfg.__class__(**{**cfg.__dict__, "lan": cfg.lan.__class__(enabled=True, listen="127.0.0.1:0",
                                                                  token_file=path)})
    with pytest.raises(LanError, match="readable by others"):
        LanServer(cfg, LanState(cfg))


def test_hostile_clients_get_refusals_not_a_stuck_server(lan):
    import socket

    server, kiosk = lan
    huge = requests.get(server.url + "/api/feed", headers={**AUTH, "X-Junk": "x" * 40_000}, timeout=10)
    assert huge.status_code in (400, 413, 431)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
        raw.sendall(b"GET /api/feed\x00 HTTP/1.1\r\nHost: x\r\n\r\n")  # NUL in the request line
        assert raw.recv(100).startswith(b"HTTP/1.")
    kiosk.call(1, "A-001")
    assert feed(server).json()["calls"][0]["label"] == "A-001"  # still serving everyone else


def test_long_polls_abandoned_by_boards_leave_threads_for_health_and_staff(lan):
    """waitress cannot see that a board gave up its long-poll: each one held a
    worker for 25 s, so ten of them (boards reconnecting) left the health check
    and the staff page waiting 24 s. Long-polls beyond a share of the pool now
    wait at most a second. (h_hostile)"""
    import socket

    server, kiosk = lan
    kiosk.call(1, "A-001")
    port = int(server.url.rsplit(":", 1)[1])
    request = f"GET /api/feed?since=1&wait=25 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
    boards = [socket.create_connection(("127.0.0.1", port)) for _ in range(10)]
    try:
        for s in boards:
            s.sendall(request.encode())
        for s in boards:
            s.close()
        assert requests.get(server.url + "/api/health", timeout=8).status_code == 200
    finally:
        for s in boards:
            s.close()
