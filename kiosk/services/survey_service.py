"""Carries out the survey's effects (kiosk.machine.survey_flow) with the store.

The shell's effects runner hands each survey effect to ``run`` and feeds the
returned events back to the machine, like every other effect. The business
day and the time come from the QueueService's guarded clock, so a survey
answer is recorded on the same day as the tickets around it.
"""
from __future__ import annotations

import logging
from typing import Any

from kiosk.core import events as E
from kiosk.core.errors import StoreError
from kiosk.machine.survey_flow import CheckSurveyTicket, RecordBoxRating, SaveSurveyResponse
from kiosk.services.store_survey import AlreadyAnswered

log = logging.getLogger(__name__)

SURVEY_EFFECTS = (CheckSurveyTicket, SaveSurveyResponse, RecordBoxRating)


def run(service: Any, effect: object) -> list:
    """Execute one survey effect with ``service`` (a QueueService); returns
    the result events. A storage failure while saving is answered to the
    visitor (the survey's "sorry" screen) and raised no further: the kiosk
    keeps serving tickets."""
    store = service.store
    dc = service.day_clock()
    if isinstance(effect, CheckSurveyTicket):
        try:
            reason, ticket_id = store.survey_check(effect.code, dc.day)
        except StoreError as e:
            # The visitor hears the survey is unavailable; the kiosk shows its storage fault.
            return [E.SurveyTicketChecked(effect.code.label, "disabled"),
                    E.StorageFailed(str(e), getattr(e, "code", None) or "DB")]
        return [E.SurveyTicketChecked(effect.code.label, reason, ticket_id)]
    if isinstance(effect, SaveSurveyResponse):
        try:
            store.save_survey_response(effect.ticket_id, effect.response, dc.now)
        except AlreadyAnswered:
            return [E.SurveySaved("already")]
        except StoreError as e:
            log.error("survey response not saved: %s", e)
            return [E.SurveySaved(f"not saved: {e}")]
        return [E.SurveySaved("")]
    if isinstance(effect, RecordBoxRating):
        store.record_box_rating(effect.score, dc.day, dc.now)
        return []
    raise TypeError(f"not a survey effect: {effect!r}")
