"""`ptsp-kiosk survey-report`: per element NRR and category, the index, the
respondents against the minimum sample, profile breakdown, suggestions, the
survey box apart; CSV; bad dates refused; no ticket identity in the output."""
import csv
import io

import pytest

from core_helpers import config_dict
from kiosk.cli import main
from kiosk.core import survey as S
from kiosk.core.survey_report import build

from survey_helpers import DAY, open_queue, response, serve

ROWS = [(4, 3, 3, 2, 4, 4, 4, 3, 3), (3, 3, 2, 2, 4, 4, 3, 3, 3), (4, 3, 3, 3, 3, 4, 4, 2, 3)]


@pytest.fixture
def kiosk(tmp_path):
    """A config file and a store where 4 tickets were served and 3 answered."""
    queue, clock = open_queue(tmp_path)
    served = [serve(queue, clock) for _ in range(4)]
    for ticket, scores, extra in zip(served, ROWS, ({"suggestion": "=HYPERLINK(1)", "sex": "P", "age": "60+"},
                                                    {"suggestion": "Antrian tertib"}, {})):
        queue.store.save_survey_response(ticket.id, response(scores, **extra), clock())
    queue.store.record_box_rating(4, DAY, clock())
    queue.store.record_box_rating(1, DAY, clock())
    queue.store.close()
    data = config_dict(tmp_path / "k.db")
    path = tmp_path / "k.toml"
    import json
    lines = [f"[device]\nid = {json.dumps(data['device']['id'])}\ninstitution = \"Rutan Uji\"\n",
             f"[storage]\ndatabase = {json.dumps(str(tmp_path / 'k.db'))}\n"]
    for s in data["services"]:
        lines.append(f"[[services]]\ncode = \"{s['code']}\"\nprefix = \"{s['prefix']}\"\n"
                     f"name = {{id = {json.dumps(s['name']['id'])}}}\n")
    for c in data["counters"]:
        lines.append(f"[[counters]]\nnumber = {c['number']}\nservices = {json.dumps(c['services'])}\n")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, [t.label for t in served]


def run(capsys, *args):
    status = main(["survey-report", *map(str, args)])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_the_report_shows_the_hand_computed_index_and_every_part(kiosk, capsys):
    path, labels = kiosk
    status, out, err = run(capsys, "--config", path, "--from", DAY, "--to", DAY)
    assert status == 0, err
    assert "IKM (indeks kepuasan masyarakat): 79.63  B (Baik)" in out
    assert "U4   Biaya/tarif" in out and "58.33  D Tidak baik" in out
    assert "Responden: 3" in out
    assert "Populasi (tiket dilayani): 4" in out
    assert "Sampel minimum (Krejcie dan Morgan): 4 (belum tercapai, kurang 1)" in out
    assert "Antrian tertib" in out
    assert "60 tahun ke atas" in out
    assert "tidak termasuk IKM" in out
    for label in labels:  # privacy: no ticket number anywhere
        assert label not in out


def test_csv_has_every_figure_and_defuses_formulas(kiosk, capsys):
    path, labels = kiosk
    status, out, err = run(capsys, "--config", path, "--from", DAY, "--to", DAY, "--csv")
    assert status == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    index = next(r for r in rows if r["section"] == "index")
    assert (index["converted"], index["category"], index["respondents"]) == ("79.63", "B", "3")
    elements = [r for r in rows if r["section"] == "element"]
    assert [r["code"] for r in elements] == [f"U{n}" for n in range(1, 10)]
    assert elements[0]["nrr"] == "3.6667" and elements[0]["category"] == "A"
    suggestions = [r["text"] for r in rows if r["section"] == "suggestion"]
    assert "'=HYPERLINK(1)" in suggestions
    box = {r["code"]: r["count"] for r in rows if r["section"] == "box"}
    assert box == {"1": "1", "2": "0", "3": "0", "4": "1", "satisfied": "1"}
    assert not any(label in out for label in labels)


def test_a_period_without_answers_says_so(kiosk, capsys):
    path, _ = kiosk
    status, out, err = run(capsys, "--config", path, "--from", "2025-07-01", "--to", "2025-07-31")
    assert status == 0 and "belum ada responden" in out and "Responden: 0" in out


@pytest.mark.parametrize("args, message", [
    (("--from", "2025-02-30"), "not a real date"),
    (("--from", "2025-6-1"), "not a date like"),
    (("--to", "٢٠٢٥-٠٦-٠١"), "not a date like"),
    (("--from", "2025-06-02\x00"), "not a date like"),
    (("--from", "2025-07-01", "--to", "2025-06-01"), "is after"),
])
def test_bad_dates_are_refused_with_status_2(kiosk, capsys, args, message):
    path, _ = kiosk
    status, out, err = run(capsys, "--config", path, *args)
    assert status == 2 and message in err and "Traceback" not in err


def test_the_box_never_changes_the_index():
    responses = [{"day": DAY, "answers": dict(zip(S.ELEMENT_CODES, r)), "profile": {}, "suggestion": ""}
                 for r in ROWS]
    without = build(responses, DAY, DAY, 10)
    with_box = build(responses, DAY, DAY, 10, {1: 500})
    assert without.result == with_box.result
