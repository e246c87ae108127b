"""The office's IKM per kiosk and month from synced survey events (both backends)."""
import pytest

from kiosk.core import survey as S
from kiosk.office import ikm
from kiosk.office.ingest import store_batch
from kiosk.office.validate import parse_event
from kiosk.services.sync import protocol

from office_helpers import T, event

ROWS = [(4, 3, 3, 2, 4, 4, 4, 3, 3), (3, 3, 2, 2, 4, 4, 3, 3, 3), (4, 3, 3, 3, 3, 4, 4, 2, 3)]


def response_event(n, scores, day="2026-04-16", **over):
    data = {"answers": dict(zip(S.ELEMENT_CODES, scores)), "profile": dict.fromkeys(S.PROFILE_CODES),
            "suggestion": ""}
    e = event(n, type="survey_response", day=day, ticket_id=None, label=None, service=None, data=data)
    e.update(over)
    return e


def ingest(db, device, events):
    store_batch(db, device, [parse_event(e) for e in events], now=T + 1000)


def test_index_per_device_and_month_matches_the_kiosk_computation(office_db):
    ingest(office_db, "blora-1", [response_event(i + 1, r) for i, r in enumerate(ROWS)]
           + [response_event(9, (1,) * 9, day="2026-05-02"),
              event(10, type="survey_box", ticket_id=None, label=None, service=None, data={"score": 4})])
    ingest(office_db, "blora-2", [response_event(1, (4,) * 9)])
    months = {(m["device"], m["month"]): m for m in ikm.monthly_index(office_db, "2026-04-01", "2026-05-31")}
    april = months[("blora-1", "2026-04")]
    assert (april["respondents"], april["index"], april["category"], april["performance"]) == (3, "79.63", "B",
                                                                                               "Baik")
    assert april["elements"][3] == {"code": "biaya", "number": 4, "name": "Biaya/tarif", "nrr": 2.3333,
                                    "converted": "58.33", "category": "D"}
    assert april["box"] == {1: 0, 2: 0, 3: 0, 4: 1}  # apart from the index
    assert months[("blora-1", "2026-05")]["index"] == "25.00"
    assert months[("blora-2", "2026-04")]["index"] == "100.00"
    summary = ikm.summary_section(office_db, "2026-04-01", "2026-04-30", device="blora-1")
    assert summary == {"blora-1": {"2026-04": {"respondents": 3, "index": "79.63", "category": "B",
                                               "rejected": 0, "box": {"1": 0, "2": 0, "3": 0, "4": 1}}}}


def test_a_malformed_response_is_counted_as_rejected_not_computed(office_db):
    bad = response_event(2, (4,) * 9)
    bad["data"]["answers"]["sarana"] = 9
    ingest(office_db, "blora-1", [response_event(1, (3,) * 9), bad])
    (m,) = ikm.monthly_index(office_db, "2026-04-01", "2026-04-30")
    assert (m["respondents"], m["rejected"], m["index"]) == (1, 1, "75.00")


def test_the_protocol_check_refuses_bad_survey_events():
    good = response_event(1, (4,) * 9)
    assert protocol.check_survey_event(good) is good
    with pytest.raises(protocol.ProtocolError, match="never names its ticket"):
        protocol.check_survey_event({**good, "label": "A-001"})
    with pytest.raises(protocol.ProtocolError, match="1, 2, 3 or 4"):
        protocol.check_survey_event({**good, "data": {**good["data"], "answers": {**good["data"]["answers"],
                                                                                  "biaya": 2 ** 63}}})
    with pytest.raises(protocol.ProtocolError, match="score"):
        protocol.check_survey_event(event(2, type="survey_box", ticket_id=None, label=None, data={"score": 5}))
    assert protocol.check_survey_event(event(3)) == event(3)  # other types pass unchanged
