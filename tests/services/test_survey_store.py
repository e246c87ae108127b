"""One response per ticket served today; refusals; privacy of the stored rows
and of the sync events; the survey box kept apart."""
import pytest

from core_helpers import MON, wib
from kiosk.core import events as E
from kiosk.core import survey as S
from kiosk.machine.survey_flow import CheckSurveyTicket, RecordBoxRating, SaveSurveyResponse
from kiosk.services import survey_service
from kiosk.services.store_survey import AlreadyAnswered
from kiosk.core.errors import StoreError

from survey_helpers import DAY, open_queue, response, serve


@pytest.fixture
def queue(tmp_path):
    q, clock = open_queue(tmp_path)
    q.test_clock = clock
    yield q
    q.store.close()


def check(queue, text):
    return survey_service.run(queue, CheckSurveyTicket(S.parse_ticket_code(text)))[0]


def test_a_ticket_served_today_may_answer_by_label_or_by_qr(queue):
    ticket = serve(queue, queue.test_clock)
    assert ticket.state == "served"
    assert check(queue, ticket.label) == E.SurveyTicketChecked(ticket.label, "", ticket.id)
    assert check(queue, f"PTSP1:20250602:{ticket.label}").ticket_id == ticket.id


def test_a_double_answer_is_refused(queue):
    ticket = serve(queue, queue.test_clock)
    assert survey_service.run(queue, SaveSurveyResponse(ticket.id, response())) == [E.SurveySaved("")]
    assert check(queue, ticket.label).reason == "already"
    assert survey_service.run(queue, SaveSurveyResponse(ticket.id, response())) == [E.SurveySaved("already")]
    with pytest.raises(AlreadyAnswered):
        queue.store.save_survey_response(ticket.id, response(), wib(MON, 11))
    assert len(queue.store.survey_responses(DAY, DAY)) == 1


def test_a_ticket_never_served_is_refused(queue):
    waiting = queue.issue("barang").ticket
    queue.printed(waiting.id)
    assert check(queue, waiting.label).reason == "not_served"
    assert check(queue, "B-099").reason == "unknown"
    with pytest.raises(StoreError, match="not a served ticket"):
        queue.store.save_survey_response(waiting.id, response(), wib(MON, 11))
    assert queue.store.survey_responses(DAY, DAY) == []


def test_a_ticket_of_another_day_is_refused(queue):
    ticket = serve(queue, queue.test_clock)
    assert check(queue, f"PTSP1:20250601:{ticket.label}").reason == "other_day"
    # Next day: the same label typed means today's ticket, which does not exist.
    queue.test_clock.now = wib(MON + 1, 10)
    assert check(queue, ticket.label).reason == "unknown"
    assert check(queue, f"PTSP1:20250602:{ticket.label}").reason == "other_day"


def test_after_a_number_wrap_the_served_unanswered_ticket_answers(queue):
    first = serve(queue, queue.test_clock)
    queue.store.save_survey_response(first.id, response(), wib(MON, 11))
    # Push the first ticket past the range's end, so the next one wraps to the
    # start (cycle 1); then give the first its number back: two B-001 today.
    queue.store.conn.execute("UPDATE tickets SET number = 999 WHERE id = ?", (first.id,))
    second = serve(queue, queue.test_clock)
    queue.store.conn.execute("UPDATE tickets SET number = ? WHERE id = ?", (second.number, first.id))
    assert second.label == first.label and second.id != first.id
    assert check(queue, second.label) == E.SurveyTicketChecked(second.label, "", second.id)


def test_stored_response_and_its_sync_event_carry_no_ticket_identity(queue):
    ticket = serve(queue, queue.test_clock)
    survey_service.run(queue, SaveSurveyResponse(ticket.id, response(suggestion="Bagus", age="30-39", sex="L")))
    (row,) = queue.store.survey_responses(DAY, DAY)
    assert row == {"day": DAY, "answers": dict(zip(S.ELEMENT_CODES, (4, 3, 3, 2, 4, 4, 4, 3, 3))),
                   "profile": {"age": "30-39", "sex": "L", "education": None, "occupation": None},
                   "suggestion": "Bagus"}
    columns = [r[1] for r in queue.store.conn.execute("PRAGMA table_info(survey_responses)")]
    assert not {"ticket_id", "label", "service", "counter"} & set(columns)
    (event,) = queue.store.events(types=("survey_response",))
    assert event["ticket_id"] is None and event["label"] is None and event["service"] is None
    assert event["day"] == DAY and event["data"]["answers"]["biaya"] == 2
    assert ticket.label not in str(event["data"])
    assert event["uid"] in [e["uid"] for e in queue.store.unsent_events(1000)]  # in the sync outbox


def test_survey_box_presses_are_stored_apart_from_the_questionnaire(queue):
    survey_service.run(queue, RecordBoxRating(4))
    survey_service.run(queue, RecordBoxRating(4))
    survey_service.run(queue, RecordBoxRating(1))
    assert queue.store.survey_box_counts(DAY, DAY) == {4: 2, 1: 1}
    assert queue.store.survey_responses(DAY, DAY) == []
    assert [e["data"] for e in queue.store.events(types=("survey_box",))] == [{"score": 4}, {"score": 4},
                                                                             {"score": 1}]
    with pytest.raises(ValueError):
        queue.store.record_box_rating(5, DAY, wib(MON, 11))


def test_the_database_refuses_a_score_outside_1_to_4(queue):
    import sqlite3

    cols = ", ".join(S.ELEMENT_CODES)
    with pytest.raises(sqlite3.IntegrityError):
        queue.store.conn.execute(f"INSERT INTO survey_responses (day, answered_at, {cols}) "
                                 f"VALUES ('{DAY}', 1, 4, 4, 4, 4, 4, 4, 4, 4, 9)")


def test_served_count_is_the_population(queue):
    serve(queue, queue.test_clock)
    serve(queue, queue.test_clock)
    waiting = queue.issue("barang").ticket
    queue.printed(waiting.id)
    assert queue.store.served_count(DAY, DAY) == 2
    assert queue.store.served_count("2025-06-03", "2025-06-30") == 0
