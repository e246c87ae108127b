"""The staff page over HTTP on 127.0.0.1: the real LAN server, staff app,
machine, effects and store (kiosk.bench.staff.HeadlessKiosk), a small client.

The demo config with the staff page on; every counter's PIN is 2468; counter
1 serves kunjungan (A) and barang (B) in the demo.
"""
import json

import pytest

from kiosk.bench.staff import HeadlessKiosk, StaffClient, staff_config
from kiosk.core.staff_pin import hash_pin
from kiosk.lan.staff_auth import business_day_end
from kiosk.services.queue_service import QueueService
from kiosk.services.store import Store

PIN = "2468"
PIN_HASH = hash_pin(PIN, n=2 ** 10)  # a cheap hash keeps the tests quick


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def cfg(tmp_path):
    return staff_config(tmp_path / "kiosk.db", PIN_HASH)


def seed(cfg, *services):
    """Printed tickets for ``services`` before the kiosk starts; returns labels."""
    store = Store(cfg.storage.database)
    queue = QueueService(cfg, store)
    labels = []
    for code in services:
        issued = queue.issue(code)
        queue.printed(issued.ticket.id)
        labels.append(issued.ticket.label)
    store.close()
    return labels


@pytest.fixture
def kiosk(cfg):
    with HeadlessKiosk(cfg) as k:
        yield k


def logged_in(kiosk, counter=1):
    client = StaffClient(kiosk.url)
    assert client.login(counter, PIN) == 303
    assert client.csrf
    return client


def act(client, payload, counter=1):
    status, body = client.action(counter, json.dumps(payload))
    return status, json.loads(body)


def store_of(cfg):
    return Store(cfg.storage.database)


def test_given_the_right_pin_when_calling_next_then_the_ticket_is_called_in_the_store_and_the_feed(cfg):
    seed(cfg, "barang", "barang")
    with HeadlessKiosk(cfg) as kiosk:
        client = logged_in(kiosk)

        status, reply = act(client, {"action": "next"})

        assert status == 200 and reply["ok"], reply
        assert reply["message"] == "B-001 dipanggil"
        assert reply["view"]["current"]["label"] == "B-001"
        assert {w["code"]: w["count"] for w in reply["view"]["waiting"]}["barang"] == 1
        _, feed = kiosk.state.current()
        assert feed["calls"][0]["label"] == "B-001" and feed["calls"][0]["counter"] == 1
    assert store_of(cfg).current(feed["day"], 1).label == "B-001"


def test_given_a_called_ticket_when_transferred_then_it_waits_in_the_other_service_with_its_label(cfg):
    seed(cfg, "kunjungan")
    with HeadlessKiosk(cfg) as kiosk:
        client = logged_in(kiosk)
        act(client, {"action": "next"})

        status, reply = act(client, {"action": "transfer", "service": "informasi"})

        assert reply["ok"] and reply["message"] == "A-001 dialihkan ke Informasi & Pengaduan", reply
        assert reply["view"]["current"] is None
        other = logged_in(kiosk, counter=3)  # the demo's counter 3 serves informasi
        status, reply = act(other, {"action": "next"}, counter=3)
        assert reply["ok"] and reply["view"]["current"]["label"] == "A-001", reply


def test_given_a_bad_request_when_acted_then_a_clear_refusal_comes_back_and_nothing_changes(cfg):
    seed(cfg, "barang")
    with HeadlessKiosk(cfg) as kiosk:
        client = logged_in(kiosk)
        before = store_of(cfg).events()

        replies = [act(client, p) for p in (
            {"action": "call", "label": "Z-999"},
            {"action": "call", "label": "A-0\u0000"},
            {"action": "transfer", "service": "kantin"},
            {"action": "skip"},
        )]

        assert [r["ok"] for _, r in replies] == [False, False, False, True]
        assert replies[0][1]["message"] == "Tidak ada tiket Z-999 hari ini."
        assert replies[1][1]["message"] == "Nomor tidak valid. Contoh: A-012."
        assert replies[2][1]["message"] == "Layanan tidak dikenal."
        assert replies[3][1]["message"] == "Tidak ada yang sedang dilayani"
        assert len(store_of(cfg).events()) == len(before)


@pytest.mark.parametrize("body, status", [
    (b"not json", 400), (b"[1, 2]", 400), (b'{"action": 7}', 400), (b'{"action": "explode"}', 400),
    (b'{"action": "call", "label": ' + b'"A' * 1 + b'1' * 70 + b'"}', 400), (b"[" * 3000 + b"]" * 3000, 413),
    (b'{"action": "transfer", "service": null}', 400), (b'{"action": "next", "x": 1e999}', 200),
])
def test_given_hostile_bodies_when_posted_then_each_gets_a_clear_status_and_the_server_lives(kiosk, body, status):
    client = logged_in(kiosk)

    got, data = client.request("POST", "/1/action", body,
                               {"Content-Type": "application/json", "X-CSRF-Token": client.csrf})

    assert got == status, data
    assert "message" in json.loads(data)
    assert client.request("GET", "/1/state")[0] == 200


def test_given_a_request_without_the_csrf_token_when_posted_then_it_is_refused_and_nothing_is_called(cfg):
    seed(cfg, "barang")
    with HeadlessKiosk(cfg) as kiosk:
        client = logged_in(kiosk)

        missing = client.request("POST", "/1/action", b'{"action": "next"}', {"Content-Type": "application/json"})
        wrong = client.request("POST", "/1/action", b'{"action": "next"}',
                               {"Content-Type": "application/json", "X-CSRF-Token": "x" + client.csrf[1:]})

        assert missing[0] == wrong[0] == 403
        assert "Muat ulang" in json.loads(missing[1])["message"]
    assert store_of(cfg).events(types=("called",)) == []


def test_given_a_login_without_its_form_token_when_posted_then_it_is_refused(kiosk):
    client = StaffClient(kiosk.url)

    status, page = client.request("POST", "/1/login", b"pin=2468",
                                  {"Content-Type": "application/x-www-form-urlencoded"})

    assert status == 403 and b"Muat ulang" in page
    assert "ptsp_staff" not in client.cookies


def test_given_wrong_pins_when_tried_n_times_then_the_counter_locks_even_for_the_right_pin(kiosk, cfg):
    client = StaffClient(kiosk.url)
    statuses = [client.login(1, "0000") for _ in range(cfg.staff.max_failures)]

    assert statuses == [403] * (cfg.staff.max_failures - 1) + [429]
    assert client.login(1, PIN) == 429
    _, page = client.request("GET", "/1/")
    assert "Terlalu banyak PIN salah".encode() in page
    assert StaffClient(kiosk.url).login(2, PIN) == 303  # other counters are not locked


def test_given_a_locked_counter_when_the_lockout_passes_then_the_right_pin_works_again(cfg):
    clock = Clock(1_764_560_000.0)
    with HeadlessKiosk(cfg, clock=clock) as kiosk:
        client = StaffClient(kiosk.url)
        for _ in range(cfg.staff.max_failures):
            client.login(1, "1111")
        assert client.login(1, PIN) == 429

        clock.now += cfg.staff.lockout_minutes * 60 + 1

        assert client.login(1, PIN) == 303


def test_given_a_session_when_the_business_day_ends_then_it_is_over(cfg):
    clock = Clock(1_764_560_000.0)  # 2025-12-01 10:33 WIB
    with HeadlessKiosk(cfg, clock=clock) as kiosk:
        client = logged_in(kiosk)
        assert client.request("GET", "/1/state")[0] == 200
        end = business_day_end(clock.now, cfg.device.timezone, cfg.device.business_day_start)

        clock.now = end - 1
        assert client.request("GET", "/1/state")[0] == 200
        clock.now = end
        status, body = client.request("GET", "/1/state")

    assert status == 401 and "Sesi berakhir" in json.loads(body)["message"]


def test_given_a_session_of_one_counter_when_used_at_another_then_it_is_refused(kiosk):
    client = logged_in(kiosk, counter=1)

    status, _ = client.request("POST", "/2/action", b'{"action": "next"}',
                               {"Content-Type": "application/json", "X-CSRF-Token": client.csrf})

    assert status == 401


def test_given_a_counter_closed_from_the_page_when_its_last_service_counter_closes_then_the_kiosk_stops_issuing(cfg):
    with HeadlessKiosk(cfg) as kiosk:
        counters = [c.number for c in cfg.counters if "barang" in c.services]
        for number in counters:
            status, reply = act(logged_in(kiosk, number), {"action": "close"}, counter=number)
            assert reply["ok"] and reply["view"]["open"] is False

        status, reply = act(logged_in(kiosk, counters[0]), {"action": "next"}, counter=counters[0])

        assert reply["ok"] is False and reply["message"] == "Loket tutup. Buka loket dulu."
        _, feed = kiosk.state.current()
        barang = next(s for s in feed["services"] if s["code"] == "barang")
        assert (barang["open"], barang["message"]) == (False, "Loket tutup")


def test_given_unknown_paths_and_methods_when_asked_then_404_405_and_no_file_is_served(kiosk):
    client = StaffClient(kiosk.url)

    assert client.request("GET", "/99/")[0] == 404
    assert client.request("GET", "/static/../staff.py")[0] == 404
    assert client.request("GET", "/static/staff.css")[0] == 200
    assert client.request("GET", "/1/action")[0] == 405
    assert client.request("GET", "/1")[0] == 303


def test_given_english_asked_when_the_page_is_shown_then_it_speaks_english(kiosk):
    client = StaffClient(kiosk.url)

    status, page = client.request("GET", "/1/?lang=en")

    assert status == 200 and b"Log in" in page and b'lang="en"' in page
    assert client.cookies.get("ptsp_staff_lang") == "en"


# --- the app alone, with a fake main loop ----------------------------------------------

def wsgi(app, method, path, body=b"", headers=None):
    """Call the staff WSGI app as the LAN server would (mounted at /staff)."""
    import io as _io

    environ = {"REQUEST_METHOD": method, "SCRIPT_NAME": "/staff", "PATH_INFO": path, "QUERY_STRING": "",
               "CONTENT_LENGTH": str(len(body)), "wsgi.input": _io.BytesIO(body)}
    environ.update(headers or {})
    got = {}

    def start_response(status, response_headers):
        got["status"], got["headers"] = status, response_headers

    data = b"".join(app(environ, start_response))
    return got["status"], dict(got["headers"]), data


def test_given_a_kiosk_that_does_not_answer_when_the_page_asks_then_it_says_so_with_503(cfg):
    from kiosk.lan.staff import StaffApp

    def silent(event, timeout):
        raise TimeoutError("no answer")

    app = StaffApp(cfg, silent)
    token = app.auth.login(1, PIN).token
    session = app.auth.session(token, 1)

    status, _, body = wsgi(app, "POST", "/1/action", b'{"action": "next"}',
                           {"HTTP_COOKIE": f"ptsp_staff={token}", "HTTP_X_CSRF_TOKEN": session.csrf})

    assert status.startswith("503") and json.loads(body)["message"] == "Kiosk tidak menjawab. Coba lagi."


def test_given_a_fake_main_loop_when_next_is_pressed_then_the_page_sends_the_buttons_event(cfg):
    from kiosk.lan.staff import StaffApp
    from kiosk.machine.effects import Reply

    sent = []

    def submit(event, timeout):
        sent.append(event)
        if type(event).__name__ == "CounterViewRequest":
            return Reply(event.request_id, True, "", {"open": True, "current": None, "waiting": {},
                                                      "last_calls": [], "services": []})
        return Reply(event.request_id, False, "nobody_waiting")

    app = StaffApp(cfg, submit)
    token = app.auth.login(1, PIN).token
    csrf = app.auth.session(token, 1).csrf

    status, headers, body = wsgi(app, "POST", "/1/action", b'{"action": "next"}',
                                 {"HTTP_COOKIE": f"ptsp_staff={token}", "HTTP_X_CSRF_TOKEN": csrf})

    action = sent[0]
    assert (type(action).__name__, action.counter, action.action, action.source) == ("CounterAction", 1, "call",
                                                                                      "staff")
    assert action.request_id and json.loads(body)["message"] == "Tidak ada yang menunggu"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_given_a_counter_without_a_pin_when_its_page_is_opened_then_nobody_can_log_in(cfg):
    import dataclasses

    from kiosk.lan.staff import StaffApp

    counters = tuple(c if c.number != 2 else dataclasses.replace(c, pin_hash="") for c in cfg.counters)
    app = StaffApp(dataclasses.replace(cfg, counters=counters), lambda event, timeout: None)

    _, _, index = wsgi(app, "GET", "/")
    _, _, page = wsgi(app, "GET", "/2/")

    assert b'href="/staff/1/"' in index and b'href="/staff/2/"' not in index
    assert "Loket ini belum punya PIN".encode() in page
    assert app.auth.login(2, "").token == "" and app.auth.login(2, PIN).token == ""


def test_given_a_locked_counter_when_pins_keep_coming_then_none_is_even_hashed(cfg, monkeypatch):
    from kiosk.lan import staff_auth

    checked = []
    real = staff_auth.verify_pin
    monkeypatch.setattr(staff_auth, "verify_pin", lambda pin, stored: checked.append(pin) or real(pin, stored))
    auth = staff_auth.StaffAuth(cfg, clock=lambda: 1_764_560_000.0)
    for _ in range(cfg.staff.max_failures):
        auth.login(1, "0000")
    checked.clear()

    results = [auth.login(1, PIN) for _ in range(3)]

    assert checked == []  # scrypt costs time: a locked counter must not let guesses use it
    assert all(r.locked_until and not r.token for r in results)


@pytest.mark.parametrize("query", ["lang=" + "&x=1" * 50, "lang=xx", "lang=%00", "lang=en&lang=id"])
def test_given_odd_queries_when_a_page_is_asked_then_it_answers_in_a_known_language(cfg, query):
    from kiosk.lan.staff import StaffApp

    app = StaffApp(cfg, lambda event, timeout: None)

    status, _, page = wsgi(app, "GET", "/1/", headers={"QUERY_STRING": query})

    assert status == "200 OK" and (b'lang="id"' in page or b'lang="en"' in page)
