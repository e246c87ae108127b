"""The survey report for a period (``ptsp-kiosk survey-report``), as plain rows.

What Permenpan RB 14/2017 asks a unit to publish: the NRR and category per
element, the index (IKM) with its category, the number of respondents and the
method; plus whether the respondents reach the minimum sample (Krejcie and
Morgan) for the period's population, taken as the tickets served; the
respondents by profile field and the suggestions. The survey box (one overall
question) is reported apart and never enters the index. No ticket number,
name or NIK appears anywhere: responses carry none.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from kiosk.core import survey as S
from kiosk.core.survey_index import IndexResult, compute, minimum_sample, performance, round2

REGULATION = "Permenpan RB No. 14 Tahun 2017"
COLUMNS = ("section", "code", "name", "respondents", "nrr", "nrr_weighted", "converted", "category",
           "performance", "count", "text")

WORDS = {
    "element": {"id": "Unsur", "en": "Element"},
    "index": {"id": "IKM (indeks kepuasan masyarakat)", "en": "IKM (public satisfaction index)"},
    "respondents": {"id": "Responden", "en": "Respondents"},
    "population": {"id": "Populasi (tiket dilayani)", "en": "Population (tickets served)"},
    "minimum": {"id": "Sampel minimum (Krejcie dan Morgan)", "en": "Minimum sample (Krejcie and Morgan)"},
    "reached": {"id": "tercapai", "en": "reached"},
    "not_reached": {"id": "belum tercapai, kurang {n}", "en": "not reached, {n} more needed"},
    "skipped": {"id": "tidak diisi", "en": "not given"},
    "no_index": {"id": "belum ada responden", "en": "no respondents yet"},
    "method": {"id": "IKM = jumlah (NRR x 1/9) x 25, kategori menurut tabel interval " + REGULATION,
               "en": "IKM = sum of (NRR x 1/9) x 25, category by the interval table of " + REGULATION},
    "box": {"id": "Kotak survei (satu pertanyaan umum; dilaporkan terpisah, tidak termasuk IKM)",
            "en": "Survey box (one overall question; reported separately, not part of the IKM)"},
    "box_satisfied": {"id": "puas atau sangat puas", "en": "satisfied or very satisfied"},
    "suggestions": {"id": "Saran", "en": "Suggestions"},
}
BOX_LABELS = {1: {"id": "Tidak puas", "en": "Not satisfied"}, 2: {"id": "Kurang puas", "en": "Less satisfied"},
              3: {"id": "Puas", "en": "Satisfied"}, 4: {"id": "Sangat puas", "en": "Very satisfied"}}


def word(key: str, language: str, **values: object) -> str:
    entry = WORDS[key]
    return (entry.get(language) or entry["id"]).format(**values)


@dataclass(frozen=True)
class SurveyReport:
    first_day: str
    last_day: str
    result: IndexResult
    population: int
    minimum: int
    profile: tuple  # (field code, ((value or None, count), ...)) in form order
    suggestions: tuple  # (day, text), oldest first
    box: dict  # score -> presses

    @property
    def reached(self) -> bool:
        return self.result.respondents >= self.minimum

    def rows(self, language: str = "id") -> list[dict]:
        """Every figure as a row of COLUMNS (the CSV; the text output reads the same rows)."""
        out: list[dict] = []

        def row(section: str, **values: object) -> None:
            out.append({c: values.get(c, "") for c in COLUMNS} | {"section": section})

        for r in self.result.elements:
            e = S.element(r.code)
            if r.nrr is None:
                row("element", code=f"U{e.number}", name=e.label(language), respondents=r.answered)
                continue
            row("element", code=f"U{e.number}", name=e.label(language), respondents=r.answered,
                nrr=f"{float(r.nrr):.4f}", nrr_weighted=f"{float(r.weighted):.4f}",
                converted=f"{round2(r.converted)}", category=r.category,
                performance=performance(r.category, language))
        res = self.result
        if res.index is None or res.weighted_sum is None or res.category is None:
            row("index", code="IKM", name=word("index", language), respondents=res.respondents,
                text=word("no_index", language))
        else:
            row("index", code="IKM", name=word("index", language), respondents=res.respondents,
                nrr_weighted=f"{float(res.weighted_sum):.4f}", converted=f"{res.index_2dp}",
                category=res.category, performance=performance(res.category, language),
                text=word("method", language))
        short = self.minimum - res.respondents
        row("sample", code="population", name=word("population", language), count=self.population)
        row("sample", code="minimum", name=word("minimum", language), count=self.minimum,
            text=word("reached", language) if self.reached else word("not_reached", language, n=short))
        for code, counts in self.profile:
            field = S.profile_field(code)
            for value, n in counts:
                label = word("skipped", language) if value is None else field.option_label(value, language)
                row("profile", code=f"{code}:{value or '-'}", name=f"{field.label(language)}: {label}", count=n)
        for day, suggestion in self.suggestions:
            row("suggestion", code=day, name=word("suggestions", language), text=suggestion)
        total = sum(self.box.values())
        for score in S.SCORES:
            row("box", code=str(score), name=BOX_LABELS[score].get(language, BOX_LABELS[score]["id"]),
                count=self.box.get(score, 0), text=word("box", language) if score == 1 else "")
        if total:
            happy = self.box.get(3, 0) + self.box.get(4, 0)
            row("box", code="satisfied", name=word("box_satisfied", language), count=happy,
                text=f"{100 * happy / total:.1f}%")
        return out


def build(responses: list, first_day: str, last_day: str, population: int,
          box: Optional[dict] = None) -> SurveyReport:
    """The report of ``responses`` (dicts with answers/profile/suggestion/day,
    as the store returns them) for the period and its ``population``."""
    result = compute(r["answers"] for r in responses)
    profile = []
    for f in S.PROFILE:
        counts = {v: 0 for v in (*f.values(), None)}
        for r in responses:
            value = r["profile"].get(f.code)
            counts[value if value in counts else None] += 1
        profile.append((f.code, tuple(counts.items())))
    suggestions = tuple((r["day"], r["suggestion"]) for r in responses if r.get("suggestion"))
    return SurveyReport(first_day, last_day, result, population, minimum_sample(population), tuple(profile),
                        suggestions, dict(box or {}))
