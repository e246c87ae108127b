"""Hostile clients (issue 11, items 4-5): every malformed request gets 4xx, never 5xx;
waitress closes stalled connections, serves others while clients idle or trickle,
and enforces header and body limits. Both backends."""
import json
import socket
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.office import receiver
from kiosk.office.server import ServerLimits
from kiosk.office.validate import parse_batch
from kiosk.services.sync import protocol
from kiosk.services.sync.protocol import ProtocolError
from office_helpers import DEVICE, Server, status_of
from sync_helpers import call_app

CORPUS = Path(__file__).resolve().parent.parent / "data" / "bad_requests"
CASES = sorted(CORPUS.glob("*.http"))


def load_case(path, token):
    """(expected status, reason text, raw request bytes) of one corpus file."""
    text = path.read_text(encoding="utf-8")
    first, _, request = text.partition("\n")
    _, _, status, *reason = first.split(" ", 3)
    head, _, body = request.partition("\n\n")
    body_bytes = body.encode("utf-8", "surrogatepass")
    head = head.replace("{TOKEN}", token).replace("{LEN}", str(len(body_bytes)))
    raw = head.replace("\n", "\r\n").encode("utf-8") + b"\r\n\r\n" + body_bytes
    return int(status), (reason[0].strip() if reason else ""), raw


@pytest.fixture
def app(shared_office_db):
    return receiver.make_app(shared_office_db)


@pytest.fixture(scope="module")
def token(shared_office_db):
    """DEVICE's token, made once per module: making another replaces it, which
    would lock out the corpus server's cases run after it."""
    return receiver.ReceiverDB(shared_office_db).add_token(DEVICE)


@pytest.fixture
def server(shared_office_db):
    s = Server(shared_office_db, limits=ServerLimits(threads=4, channel_timeout=1.0, max_header_bytes=8192))
    yield s
    s.close()


@pytest.fixture(scope="module")
def corpus_server(shared_office_db, token):
    """(server, device token) shared by the corpus cases: none of them may store an event."""
    s = Server(shared_office_db, limits=ServerLimits(threads=4, max_header_bytes=8192))
    yield s, token
    s.close()


def test_the_corpus_is_there():
    assert len(CASES) >= 40


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_each_bad_request_of_the_corpus_gets_its_status_and_stores_nothing(corpus_server, shared_office_db, path):
    server, token = corpus_server
    status, reason, raw = load_case(path, token)
    with shared_office_db.read() as q:
        before = q.all("SELECT count(*) FROM events")

    answer = server.raw(raw)

    assert status_of(answer) == status, answer[:300]
    if reason:
        assert reason in json.loads(answer.partition(b"\r\n\r\n")[2])["reason"]
    with shared_office_db.read() as q:
        assert q.all("SELECT count(*) FROM events") == before


def test_a_request_that_promises_more_than_it_sends_is_closed_and_holds_no_worker(server, token):
    # Every worker thread gets a stalled request; the server must still answer.
    stalled = []
    for _ in range(6):
        s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        s.sendall(b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Authorization: Bearer " + token.encode() + b"\r\nContent-Length: 500\r\n\r\n{\"protocol\": 1")
        stalled.append(s)
    try:
        health = server.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status_of(health) == 200
        # channel_timeout (1 s here) closes the stalled connection: recv sees the end.
        assert stalled[0].recv(1024) == b""
    finally:
        for s in stalled:
            s.close()


def test_many_idle_connections_do_not_keep_new_clients_out_nor_cost_threads(server):
    server.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")  # the worker pool is up now
    threads_before = threading.active_count()
    idle = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(50)]
    try:
        answers = [server.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") for _ in range(5)]
        threads_during = threading.active_count()
    finally:
        for s in idle:
            s.close()
    assert [status_of(a) for a in answers] == [200] * 5
    assert threads_during == threads_before, "idle connections got threads of their own (wsgiref did)"


def test_a_body_over_the_servers_limit_is_refused_before_it_is_read(server, token):
    answer = server.raw(b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        b"Content-Length: 99999999\r\n\r\n{")

    assert status_of(answer) == 413


# --- property tests over the request parser and the application ----------------------

def test_parse_batch_refuses_with_a_reason_or_accepts():
    @given(st.binary(max_size=300))
    def check(raw):
        try:
            parse_batch(raw)
        except ProtocolError as e:
            assert e.reason

    check()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
event_values = st.fixed_dictionaries(
    {"seq": st.integers(min_value=-5, max_value=2**65) | json_values,
     "uid": st.text(max_size=70) | st.just("uid-1") | json_values,
     "type": st.sampled_from(["issued", "called", "served", "void", "print_uncertain", "x y"]) | json_values,
     "time": st.floats(min_value=-1e20, max_value=1e300) | st.integers(min_value=-1, max_value=2**64) | json_values,
     "day": st.sampled_from(["2026-04-16", "2026-02-30", "1969-12-31", "2100-01-01", None]) | st.text(max_size=12),
     "ticket_id": st.none() | st.integers(min_value=-1, max_value=2**64),
     "service": st.none() | st.text(max_size=70),
     "label": st.none() | st.text(max_size=10),
     "counter": st.none() | st.integers(min_value=-1, max_value=2**64),
     "data": st.dictionaries(st.text(max_size=5), json_values, max_size=3) | json_values})
bodies = st.fixed_dictionaries({"protocol": st.just(1) | json_values, "device": st.just(DEVICE) | st.text(max_size=8),
                                "events": st.lists(event_values, max_size=4) | json_values},
                               optional={"heartbeat": st.dictionaries(st.text(max_size=8), json_values, max_size=4),
                                         "sent_at": json_values})


def _post(app, token, raw, length=None, content_type="application/json"):
    headers = {"Content-Type": content_type, "Authorization": f"Bearer {token}"}
    status, _, payload = call_app(app, "POST", protocol.EVENTS_PATH, headers, raw)
    return status, payload


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_any_json_body_gets_2xx_or_4xx_never_5xx(app, token, body):
    status, payload = _post(app, token, json.dumps(body).encode("utf-8", "surrogatepass"))

    assert 200 <= status < 500, payload
    assert json.loads(payload)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=400) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_any_bytes_as_a_body_get_4xx_never_5xx(app, token, raw):
    status, payload = _post(app, token, raw)

    assert 400 <= status < 500, payload


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=60), length=st.text(max_size=8), path=st.sampled_from(
    [protocol.SUMMARY_PATH, protocol.DEVICES_PATH, protocol.EVENTS_PATH, "/x"]))
def test_any_query_string_or_content_length_gets_an_answer_below_500(app, token, query, length, path):
    environ = {"REQUEST_METHOD": "GET" if path != protocol.EVENTS_PATH else "POST", "PATH_INFO": path,
               "QUERY_STRING": query.encode("utf-8", "surrogatepass").decode("latin-1"),
               "CONTENT_LENGTH": length, "CONTENT_TYPE": "application/json",
               "HTTP_AUTHORIZATION": f"Bearer {token}", "wsgi.input": __import__("io").BytesIO(b"{}")}
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = int(status.split()[0])

    b"".join(app(environ, start_response))
    assert seen["status"] < 500


def test_a_body_shorter_than_its_content_length_gets_400_under_any_server(app, token):
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": protocol.EVENTS_PATH, "CONTENT_LENGTH": "500",
               "CONTENT_TYPE": "application/json", "HTTP_AUTHORIZATION": f"Bearer {token}",
               "wsgi.input": __import__("io").BytesIO(b'{"protocol": 1')}
    seen = {}

    body = b"".join(app(environ, lambda status, headers, exc_info=None: seen.update(status=status)))

    assert seen["status"].startswith("400") and b"shorter than Content-Length" in body


def test_a_bug_is_answered_500_as_json_without_internals_and_logged(app, token, monkeypatch, caplog):
    from kiosk.office import ingest

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(ingest, "store_batch", broken)

    status, payload = _post(app, token, json.dumps({"protocol": 1, "device": DEVICE, "events": []}).encode())

    assert status == 500 and json.loads(payload) == {"error": "Internal Server Error", "reason": "see the receiver log"}
    assert "secret internal detail" in caplog.text


@pytest.mark.parametrize("kind, retry", [("StorageBusy", "5"), ("StorageError", "30")])
def test_storage_trouble_is_answered_503_with_retry_after_and_no_paths(app, token, monkeypatch, kind, retry):
    from kiosk.office import db as office_db_module
    from kiosk.office import ingest

    def trouble(*args, **kwargs):
        raise getattr(office_db_module, kind)("/var/lib/secret/receiver.db: database is locked")

    monkeypatch.setattr(ingest, "store_batch", trouble)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}

    status, answer_headers, payload = call_app(app, "POST", protocol.EVENTS_PATH, headers,
                                               json.dumps({"protocol": 1, "device": DEVICE, "events": []}).encode())

    assert status == 503 and ("Retry-After", retry) in answer_headers
    assert b"secret" not in payload


header_lines = st.lists(st.sampled_from([
    b"Content-Length: 5", b"Content-Length: -1", b"Content-Length: 99999999999999999999", b"Content-Length: 1e3",
    b"Transfer-Encoding: chunked", b"Content-Type: application/json", b"Authorization: Bearer x",
    b"Authorization: Bearer \xff\xfe", b"Host: \x00", b"X: " + b"a" * 300, b"no colon", b": empty name",
    b"Content-Length: 2", b"Expect: 100-continue"]) | st.binary(max_size=40), max_size=6)


@settings(max_examples=40, deadline=None)
@given(method=st.sampled_from([b"POST", b"GET", b"PUT", b"\x00", b"G E T"]),
       path=st.sampled_from([b"/api/v1/events", b"/api/v1/summary?day=%ff", b"/healthz", b"*", b"//../x"])
       | st.binary(max_size=20), headers=header_lines, body=st.binary(max_size=64))
def test_any_raw_request_to_the_server_gets_no_5xx(corpus_server, method, path, headers, body):
    server, _ = corpus_server
    raw = method + b" " + path + b" HTTP/1.1\r\n" + b"\r\n".join(headers) + b"\r\n\r\n" + body
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(raw)
        s.shutdown(socket.SHUT_WR)  # end of request: the server answers or closes, never waits
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk

    assert not 500 <= status_of(answer) < 600, answer[:300]
