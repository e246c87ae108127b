"""The satisfaction index (IKM) per kiosk and month at the office.

Reads the ``survey_response`` events that kiosks synced (see
docs/SYNC_PROTOCOL.md, "Survey events") from the receiver's ``events`` table and
computes, with the kiosk's own code (kiosk.core.survey_index, Permenpan RB
14/2017), per device and month: respondents, NRR and category per element,
the index and its category. Survey box presses (``survey_box``) are counted
apart and never enter the index. A malformed response (a hostile or broken
client) is counted as rejected, never computed.

Used by the receiver's summary and by the dashboard (issue 14).
"""
from __future__ import annotations

import json
from collections import defaultdict
from typing import Any, Optional

from kiosk.core import survey as S
from kiosk.core.survey_index import compute, performance, round2
from kiosk.services.sync.protocol import SURVEY_BOX, SURVEY_RESPONSE


def _answers(data_text: Any) -> Optional[dict]:
    """The answers of a stored event's data, or None when malformed."""
    try:
        data = json.loads(data_text) if isinstance(data_text, str) else data_text
        return S.check_response(data["answers"], data.get("profile") or {}, data.get("suggestion") or "").answers
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def monthly_index(db: Any, first_day: str, last_day: str, device: Optional[str] = None,
                  language: str = "id") -> list[dict]:
    """One dict per (device, month YYYY-MM) with survey events in first_day..last_day:
    ``device, month, respondents, rejected, index (2 decimals as text, or None),
    category, performance, elements [{code, number, name, nrr, converted, category}],
    box {score: presses}``. ``db``: kiosk.office.db.Database."""
    sql = "SELECT device, day, type, data FROM events WHERE type IN (?, ?) AND day BETWEEN ? AND ?"
    args: list = [SURVEY_RESPONSE, SURVEY_BOX, first_day, last_day]
    if device is not None:
        sql += " AND device = ?"
        args.append(device)
    with db.read() as q:
        rows = q.all(sql, tuple(args))
    responses: dict = defaultdict(list)
    rejected: dict = defaultdict(int)
    box: dict = defaultdict(lambda: {1: 0, 2: 0, 3: 0, 4: 0})
    for dev, day, type_, data in rows:
        key = (dev, str(day)[:7])
        if type_ == SURVEY_BOX:
            try:
                score = json.loads(data).get("score") if isinstance(data, str) else data.get("score")
            except (ValueError, AttributeError):
                score = None
            if score in S.SCORES and not isinstance(score, bool):
                box[key][score] += 1
            else:
                rejected[key] += 1
            continue
        answers = _answers(data)
        if answers is None:
            rejected[key] += 1
        else:
            responses[key].append(answers)
    out = []
    for key in sorted(set(responses) | set(rejected) | set(box)):
        result = compute(responses.get(key, []))
        elements = []
        for r in result.elements:
            e = S.element(r.code)
            elements.append({"code": r.code, "number": e.number, "name": e.label(language),
                             "nrr": None if r.nrr is None else round(float(r.nrr), 4),
                             "converted": None if r.nrr is None else str(round2(r.converted)),
                             "category": r.category})
        out.append({"device": key[0], "month": key[1], "respondents": result.respondents,
                    "rejected": rejected.get(key, 0),
                    "index": None if result.index is None else str(result.index_2dp),
                    "category": result.category,
                    "performance": None if result.category is None else performance(result.category, language),
                    "elements": elements, "box": dict(box[key]) if key in box else {1: 0, 2: 0, 3: 0, 4: 0}})
    return out


def summary_section(db: Any, first_day: str, last_day: str, device: Optional[str] = None) -> dict:
    """For the receiver's JSON summary: {device: {month: {respondents, index,
    category, box}}} (the index only where every element has answers)."""
    out: dict = {}
    for m in monthly_index(db, first_day, last_day, device):
        out.setdefault(m["device"], {})[m["month"]] = {
            "respondents": m["respondents"], "index": m["index"], "category": m["category"],
            "rejected": m["rejected"], "box": {str(k): v for k, v in m["box"].items()}}
    return out
