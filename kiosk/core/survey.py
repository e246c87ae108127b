"""The public satisfaction survey (SKM) as Permenpan RB No. 14 Tahun 2017 defines it.

Source: Peraturan Menteri PANRB Nomor 14 Tahun 2017 tentang Pedoman Penyusunan
Survei Kepuasan Masyarakat Unit Penyelenggara Pelayanan Publik, Lampiran:

- the nine elements (unsur) and their order in the scope list ("ruang lingkup"):
  persyaratan; sistem, mekanisme dan prosedur; waktu penyelesaian; biaya/tarif;
  produk spesifikasi jenis pelayanan; kompetensi pelaksana; perilaku pelaksana;
  penanganan pengaduan, saran dan masukan; sarana dan prasarana;
- the sample questionnaire ("CONTOH KUESIONER DAN FORMAT PENGOLAHAN DATA"): one
  question per element with four answers a-d scored 1-4. It asks sarana (Q8)
  before pengaduan (Q9), the other way round from the scope list, so each
  element carries a stable ``code`` and its ``question`` position separately;
- the respondent profile of that form (jenis kelamin, pendidikan, pekerjaan).

The wording below follows the regulation's sample questionnaire as reproduced
by several independent copies of the Lampiran that agree with each other
(published SKM reports of government units, e-SKM report generators that copy
the regulation's text), including its sentence case; the question of element 7
keeps its wording but not the typo "Bagamana". The official text: JDIH
Kementerian PANRB (jdih.menpan.go.id), Permenpan RB 14/2017. English texts are
our translation for the English UI.

This module is pure (no I/O): the questionnaire, the respondent fields and the
reading of a ticket code (QR content or a typed number).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Element:
    """One element (unsur) of the questionnaire.

    ``code``: stable key used in the store, the sync events and reports.
    ``number``: its place in the regulation's scope list (U1..U9).
    ``question``: its place in the sample questionnaire (asked in this order).
    ``answers``: the four answer labels a..d, scored 1..4, per language.
    """

    code: str
    number: int
    question: int
    name: dict
    text: dict
    answers: dict  # language -> (a, b, c, d)

    def label(self, language: str) -> str:
        return self.name.get(language) or self.name["id"]

    def question_text(self, language: str) -> str:
        return self.text.get(language) or self.text["id"]

    def answer_labels(self, language: str) -> tuple:
        return self.answers.get(language) or self.answers["id"]


def _e(code, number, question, name_id, name_en, q_id, q_en, a_id, a_en):
    return Element(code, number, question, {"id": name_id, "en": name_en}, {"id": q_id, "en": q_en},
                   {"id": tuple(a_id), "en": tuple(a_en)})


# In the regulation's scope-list order (U1..U9); ``question`` gives the asking order.
ELEMENTS: tuple[Element, ...] = (
    _e("persyaratan", 1, 1, "Persyaratan", "Requirements",
       "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
       "How well do the requirements of the service match the kind of service?",
       ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
       ("Not appropriate", "Less appropriate", "Appropriate", "Very appropriate")),
    _e("prosedur", 2, 2, "Sistem, mekanisme, dan prosedur", "System, mechanism and procedure",
       "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
       "How easy did you find the service procedure of this unit?",
       ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
       ("Not easy", "Less easy", "Easy", "Very easy")),
    _e("waktu", 3, 3, "Waktu penyelesaian", "Completion time",
       "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
       "How fast was the service given?",
       ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
       ("Not fast", "Less fast", "Fast", "Very fast")),
    # Answer a is the worst here too ("Sangat mahal" = 1 ... "Gratis" = 4).
    _e("biaya", 4, 4, "Biaya/tarif", "Cost/fee",
       "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
       "How fair was the cost or fee of the service?",
       ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
       ("Very expensive", "Fairly expensive", "Cheap", "Free of charge")),
    _e("produk", 5, 5, "Produk spesifikasi jenis pelayanan", "Service product specification",
       "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam "
       "standar pelayanan dengan hasil yang diberikan?",
       "How well did the result you received match what the service standard promises?",
       ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
       ("Not appropriate", "Less appropriate", "Appropriate", "Very appropriate")),
    _e("kompetensi", 6, 6, "Kompetensi pelaksana", "Staff competence",
       "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
       "How competent were the staff who served you?",
       ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
       ("Not competent", "Less competent", "Competent", "Very competent")),
    _e("perilaku", 7, 7, "Perilaku pelaksana", "Staff conduct",
       "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
       "How polite and friendly were the staff?",
       ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"),
       ("Not polite and friendly", "Less polite and friendly", "Polite and friendly",
        "Very polite and friendly")),
    _e("pengaduan", 8, 9, "Penanganan pengaduan, saran dan masukan",
       "Handling of complaints, suggestions and feedback",
       "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
       "How are complaints from service users handled?",
       ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"),
       ("There is none", "Exists but does not work", "Works, but not fully", "Well managed")),
    _e("sarana", 9, 8, "Sarana dan prasarana", "Facilities and infrastructure",
       "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
       "How good are the facilities and infrastructure?",
       ("Buruk", "Cukup", "Baik", "Sangat Baik"),
       ("Poor", "Fair", "Good", "Very good")),
)
ELEMENT_CODES = tuple(e.code for e in ELEMENTS)
QUESTIONS: tuple[Element, ...] = tuple(sorted(ELEMENTS, key=lambda e: e.question))
SCORES = (1, 2, 3, 4)


def element(code: str) -> Element:
    """The element with this code; KeyError otherwise."""
    for e in ELEMENTS:
        if e.code == code:
            return e
    raise KeyError(code)


# -- respondent fields ---------------------------------------------------------------
@dataclass(frozen=True)
class ProfileField:
    """A respondent field of the form; every one may be skipped (stored as None)."""

    code: str
    name: dict
    options: tuple  # (value, {"id": label, "en": label})

    def label(self, language: str) -> str:
        return self.name.get(language) or self.name["id"]

    def option_label(self, value: str, language: str) -> str:
        for v, names in self.options:
            if v == value:
                return names.get(language) or names["id"]
        raise KeyError(value)

    def values(self) -> tuple:
        return tuple(v for v, _ in self.options)


def _same(*values):
    return tuple((v, {"id": v, "en": v}) for v in values)


PROFILE: tuple[ProfileField, ...] = (
    # The regulation's form has "Usia: ... tahun" (a free number). A kiosk asks
    # for a band instead: one tap, and a band says less about one person.
    ProfileField("age", {"id": "Usia", "en": "Age"}, (
        ("<20", {"id": "Di bawah 20 tahun", "en": "Under 20"}),
        ("20-29", {"id": "20-29 tahun", "en": "20-29"}),
        ("30-39", {"id": "30-39 tahun", "en": "30-39"}),
        ("40-49", {"id": "40-49 tahun", "en": "40-49"}),
        ("50-59", {"id": "50-59 tahun", "en": "50-59"}),
        ("60+", {"id": "60 tahun ke atas", "en": "60 or over"}),
    )),
    ProfileField("sex", {"id": "Jenis kelamin", "en": "Sex"}, (
        ("L", {"id": "Laki-laki", "en": "Male"}),
        ("P", {"id": "Perempuan", "en": "Female"}),
    )),
    # The form of 14/2017 lists SD, SMP, SMA, S1, S2, S3. "D1-D4" (diploma) is a
    # local addition, which the regulation allows units to make, so that
    # diploma holders need not pick a wrong level.
    ProfileField("education", {"id": "Pendidikan terakhir", "en": "Education"},
                 _same("SD", "SMP", "SMA", "D1-D4", "S1", "S2", "S3")),
    # The form's "Lainnya (sebutkan)" has a free-text line; the kiosk keeps only
    # "Lainnya": free text next to a profile could identify a person.
    ProfileField("occupation", {"id": "Pekerjaan", "en": "Occupation"}, (
        ("PNS", {"id": "PNS", "en": "Civil servant (PNS)"}),
        ("TNI", {"id": "TNI", "en": "Military (TNI)"}),
        ("POLRI", {"id": "POLRI", "en": "Police (POLRI)"}),
        ("SWASTA", {"id": "Swasta", "en": "Private sector"}),
        ("WIRAUSAHA", {"id": "Wirausaha", "en": "Self-employed"}),
        ("LAINNYA", {"id": "Lainnya", "en": "Other"}),
    )),
)
PROFILE_CODES = tuple(f.code for f in PROFILE)
SUGGESTION_MAX = 300  # characters of the optional suggestion


def profile_field(code: str) -> ProfileField:
    for f in PROFILE:
        if f.code == code:
            return f
    raise KeyError(code)


# -- one response ------------------------------------------------------------------------
@dataclass(frozen=True)
class Response:
    """One completed questionnaire: a score 1-4 per element code, the
    respondent fields (None where skipped) and the suggestion ("" for none)."""

    answers: dict
    profile: dict
    suggestion: str = ""

    def as_data(self) -> dict:
        """Plain JSON values (the store and the sync event)."""
        return {"answers": dict(self.answers), "profile": dict(self.profile), "suggestion": self.suggestion}


def check_response(answers: dict, profile: dict, suggestion: str) -> Response:
    """A Response, or ValueError naming what is wrong: every element answered
    with 1-4, known profile values (or None), a printable suggestion."""
    if set(answers) != set(ELEMENT_CODES):
        missing = [c for c in ELEMENT_CODES if c not in answers]
        raise ValueError(f"answers: every element needs an answer (missing: {', '.join(missing) or 'none'}, "
                         f"unknown: {', '.join(sorted(set(answers) - set(ELEMENT_CODES))) or 'none'})")
    for code, score in answers.items():
        if isinstance(score, bool) or score not in SCORES:
            raise ValueError(f"answers.{code}: must be 1, 2, 3 or 4, not {score!r}")
    clean_profile = {}
    for f in PROFILE:
        value = profile.get(f.code)
        if value is not None and value not in f.values():
            raise ValueError(f"profile.{f.code}: {value!r} is not one of {', '.join(f.values())}")
        clean_profile[f.code] = value
    unknown = set(profile) - set(PROFILE_CODES)
    if unknown:
        raise ValueError(f"profile: unknown field(s) {', '.join(sorted(map(repr, unknown)))}")
    return Response({c: int(answers[c]) for c in ELEMENT_CODES}, clean_profile, clean_suggestion(suggestion))


_QR_IN_TEXT = re.compile(r"PTSP1:\S*", re.IGNORECASE)


def clean_suggestion(text: str) -> str:
    """The suggestion as stored: control characters (NUL, ESC...) dropped,
    whitespace collapsed, at most SUGGESTION_MAX characters. A ticket's QR
    content (a scan on the suggestion screen) is dropped: reports print the
    suggestions and must never show the ticket link."""
    kept = "".join(ch if ch.isprintable() else " " for ch in str(text))
    kept = _QR_IN_TEXT.sub(" ", kept)
    return " ".join(kept.split())[:SUGGESTION_MAX]


# -- identifying the ticket ----------------------------------------------------------------
QR_RE = re.compile(r"^PTSP1:(\d{4})(\d{2})(\d{2}):([A-Z])-?(\d{1,4})$")
LABEL_RE = re.compile(r"^([A-Z])-?(\d{1,4})$")


@dataclass(frozen=True)
class TicketCode:
    """A ticket as the visitor identified it: ``day`` (YYYY-MM-DD) from the QR,
    None when typed (meaning today's business day); ``label`` like 'A-012'."""

    label: str
    day: Optional[str] = None
    prefix: str = ""
    number: int = 0


def parse_ticket_code(text: str) -> Optional[TicketCode]:
    """Read what a scanner or the keypad gave: the QR content
    ``PTSP1:<YYYYMMDD>:<label>`` (see docs/CONTRACTS.md) or a label ``A-012`` /
    ``A12``. Returns None for anything else (the screen says so politely)."""
    # ASCII only: str.isdigit() would accept Arabic-Indic digits.
    raw = "".join(str(text).split()).upper()
    if not raw.isascii() or len(raw) > 40:
        return None
    m = QR_RE.match(raw)
    if m:
        y, mo, d, prefix, number = m.groups()
        if not (1 <= int(mo) <= 12 and 1 <= int(d) <= 31):
            return None
        return TicketCode(f"{prefix}-{int(number):03d}", f"{y}-{mo}-{d}", prefix, int(number))
    m = LABEL_RE.match(raw)
    if m:
        prefix, number = m.groups()
        return TicketCode(f"{prefix}-{int(number):03d}", None, prefix, int(number))
    return None


# Why a ticket may not answer (the shell's check returns one of these, or "").
REFUSALS = ("unreadable", "unknown", "not_served", "other_day", "already", "disabled")


def eligibility(code: TicketCode, today: str, tickets: tuple) -> str:
    """"" when this ticket may answer now, else the reason (see REFUSALS).

    ``tickets``: (state, answered) of each of today's tickets with this label
    (more than one only after a number range wrapped). Only a ticket served
    today may answer, and only once.
    """
    if code.day is not None and code.day != today:
        return "other_day"
    if not tickets:
        return "unknown"
    if any(state == "served" and not answered for state, answered in tickets):
        return ""
    if any(answered for _, answered in tickets):
        return "already"
    return "not_served"
