"""The questionnaire of Permenpan RB 14/2017 as the kiosk asks it, the
respondent fields, and reading a ticket code from a scanner or the keypad."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core import survey as S


def test_nine_elements_in_the_regulation_order_with_its_names():
    assert [e.label("id") for e in S.ELEMENTS] == [
        "Persyaratan", "Sistem, mekanisme, dan prosedur", "Waktu penyelesaian", "Biaya/tarif",
        "Produk spesifikasi jenis pelayanan", "Kompetensi pelaksana", "Perilaku pelaksana",
        "Penanganan pengaduan, saran dan masukan", "Sarana dan prasarana"]
    assert [e.number for e in S.ELEMENTS] == list(range(1, 10))


def test_the_questionnaire_asks_sarana_eighth_and_pengaduan_ninth():
    assert [q.code for q in S.QUESTIONS][7:] == ["sarana", "pengaduan"]
    assert sorted(q.question for q in S.QUESTIONS) == list(range(1, 10))


@pytest.mark.parametrize("code, labels", [
    ("persyaratan", ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    ("prosedur", ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah")),
    ("waktu", ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat")),
    ("biaya", ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")),
    ("kompetensi", ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten")),
    ("perilaku", ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah")),
    ("sarana", ("Buruk", "Cukup", "Baik", "Sangat Baik")),
    ("pengaduan", ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik")),
])
def test_answer_labels_follow_the_sample_questionnaire(code, labels):
    element = S.element(code)
    assert element.answer_labels("id") == labels
    assert len(element.answer_labels("en")) == 4 and all(element.answer_labels("en"))
    assert element.question_text("id").startswith("Bagaimana")


def test_every_profile_field_has_english_labels_and_education_follows_the_form():
    assert S.profile_field("education").values() == ("SD", "SMP", "SMA", "D1-D4", "S1", "S2", "S3")
    assert S.profile_field("occupation").values() == ("PNS", "TNI", "POLRI", "SWASTA", "WIRAUSAHA", "LAINNYA")
    for f in S.PROFILE:
        for v in f.values():
            assert f.option_label(v, "en") and f.option_label(v, "id")


@pytest.mark.parametrize("text, label, day", [
    ("PTSP1:20261201:A-012", "A-012", "2026-12-01"),
    ("ptsp1:20261201:a12", "A-012", "2026-12-01"),
    ("  PTSP1:20261201:B-1234\n", "B-1234", "2026-12-01"),
    ("A-012", "A-012", None), ("a12", "A-012", None), ("C7", "C-007", None),
])
def test_ticket_codes_are_read_from_qr_or_label(text, label, day):
    code = S.parse_ticket_code(text)
    assert (code.label, code.day) == (label, day)


@pytest.mark.parametrize("text", [
    "", "A", "12", "AA-12", "A-12345", "PTSP1:20261301:A-012", "PTSP1:20261200:A-012", "PTSP2:20261201:A-012",
    "A-٠١٢", "A-0\x0012", "PTSP1:20261201:A-012" * 10, "A" + "1" * 10 ** 6, "https://example.com/A-012",
])
def test_anything_else_is_not_a_ticket(text):
    assert S.parse_ticket_code(text) is None


@given(st.text(max_size=60))
def test_property_parsing_never_raises(text):
    code = S.parse_ticket_code(text)
    assert code is None or S.LABEL_RE.match(code.label)


def test_a_response_needs_every_element_with_1_to_4():
    good = dict.fromkeys(S.ELEMENT_CODES, 3)
    assert S.check_response(good, {}, "").answers == good
    for bad in ({**good, "biaya": 0}, {**good, "biaya": 2 ** 63}, {**good, "biaya": float("inf")},
                {**good, "biaya": True}, {k: v for k, v in good.items() if k != "sarana"}, {**good, "x": 1}):
        with pytest.raises(ValueError):
            S.check_response(bad, {}, "")
    with pytest.raises(ValueError, match="profile.age"):
        S.check_response(good, {"age": "17"}, "")
    with pytest.raises(ValueError, match="unknown field"):
        S.check_response(good, {"nik": "3316"}, "")


def test_a_suggestion_loses_control_characters_and_is_bounded():
    r = S.check_response(dict.fromkeys(S.ELEMENT_CODES, 3), {}, "Bagus\x00\x1b[2J  sekali\n" + "x" * 1000)
    assert r.suggestion.startswith("Bagus [2J sekali x") and len(r.suggestion) == S.SUGGESTION_MAX
    assert all(ch.isprintable() for ch in r.suggestion)


def test_eligibility_rules():
    typed = S.TicketCode("A-012", None, "A", 12)
    scanned = S.TicketCode("A-012", "2026-12-01", "A", 12)
    today = "2026-12-01"
    assert S.eligibility(typed, today, (("served", False),)) == ""
    assert S.eligibility(scanned, "2026-12-02", (("served", False),)) == "other_day"
    assert S.eligibility(typed, today, ()) == "unknown"
    assert S.eligibility(typed, today, (("waiting", False),)) == "not_served"
    assert S.eligibility(typed, today, (("called", False),)) == "not_served"
    assert S.eligibility(typed, today, (("served", True),)) == "already"
    assert S.eligibility(typed, today, (("served", True), ("served", False))) == ""


def test_a_scanned_ticket_qr_never_lands_in_a_suggestion():
    # A scanner fired on the suggestion screen types the QR then Enter (= save):
    # the report would print the ticket link next to the suggestion.
    text = "Ruang tunggu panas PTSP1:20250602:A-012 ptsp1:20250602:b12"
    assert S.clean_suggestion(text) == "Ruang tunggu panas"
    assert "PTSP1" not in S.check_response({c: 3 for c in S.ELEMENT_CODES}, {}, text).suggestion.upper()
