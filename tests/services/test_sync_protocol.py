"""The protocol module alone: what a body and an answer must look like."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.services.sync import protocol
from kiosk.services.sync.protocol import ProtocolError, parse_ack, validate_batch
from sync_helpers import DAY, fill, kiosk_store  # noqa: F401


def body(events=(), **extra):
    b = {"protocol": 1, "device": "demo-kiosk", "sent_at": 1.0, "events": list(events)}
    b.update(extra)
    return b


def test_events_read_from_the_real_store_are_valid_on_the_wire(kiosk_store, demo_config):
    ticket = kiosk_store.issue(DAY, demo_config.services[0], False, now=1776300000.0)
    kiosk_store.transition(ticket.id, "void", now=1776300001.0, reason="paper out")
    fill(kiosk_store, 1)

    events = [protocol.event_from_outbox(r) for r in kiosk_store.unsent_events(10)]

    validate_batch(protocol.decode(protocol.encode(body(events))))
    assert [e["type"] for e in events] == ["issued", "void", "press_ignored"]
    assert events[1]["data"] == {"reason": "paper out"} and events[1]["label"] == ticket.label


def test_the_acknowledgement_counts_only_uids_that_were_sent():
    acked = parse_ack({"acknowledged": ["a", "b", "zzz"]}, ["a", "b", "c"])

    assert acked == {"a", "b"}


@pytest.mark.parametrize("answer", [[], {"ok": True}, {"acknowledged": "a"}, {"acknowledged": [1, 2]}])
def test_an_answer_that_is_not_an_acknowledgement_is_an_error(answer):
    with pytest.raises(ProtocolError):
        parse_ack(answer, ["a"])


def test_more_events_than_the_limit_are_refused():
    events = [{"seq": i, "uid": f"u{i}", "type": "x", "time": 1.0} for i in range(1, protocol.MAX_BATCH_EVENTS + 2)]

    with pytest.raises(ProtocolError, match="more than 1000"):
        validate_batch(body(events))


def test_a_heartbeat_must_be_a_small_object():
    with pytest.raises(ProtocolError, match="heartbeat: must be an object"):
        validate_batch(body(heartbeat=[1]))
    with pytest.raises(ProtocolError, match="heartbeat: larger than"):
        validate_batch(body(heartbeat={"x": "y" * protocol.MAX_HEARTBEAT_BYTES}))


@pytest.mark.parametrize("raw", [b'{"a": Infinity}', b'{"a": -Infinity}', b'{"a": NaN}'])
def test_non_json_numbers_are_refused(raw):
    with pytest.raises(ProtocolError, match="not allowed in JSON"):
        protocol.decode(raw)


def test_unknown_fields_are_ignored_for_forward_compatibility():
    event = {"seq": 1, "uid": "u1", "type": "issued", "time": 5.0, "new_field": [1]}

    assert validate_batch(body([event], extension={"a": 1}))["events"][0]["new_field"] == [1]


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                    max_leaves=20))
def test_any_json_body_is_either_valid_or_refused_with_a_reason(value):
    try:
        validate_batch(protocol.decode(protocol.encode(value)))
    except ProtocolError as e:
        assert e.reason
