"""The satisfaction index (IKM) as Permenpan RB No. 14 Tahun 2017 computes it.

From the regulation's Lampiran (checked against independent copies of it that
agree: SKM reports of government units and e-SKM report generators):

- NRR per element (nilai rata-rata): the sum of the element's scores divided by
  the number of respondents who answered it.
- NRR tertimbang: NRR x the weight; the weight is 1 / number of elements, i.e.
  1/9 (the Lampiran prints it as 0,11: that is a display rounding only; using
  0.11 would cap the index at 99 and shift categories, so the arithmetic here is
  exact, with fractions).
- IKM (the converted index) = sum of the weighted NRR x 25, between 25 and 100.
- Category (mutu pelayanan) by the interval table of the regulation:

    NI (mean 1-4)     NIK (x 25)        Mutu  Kinerja unit pelayanan
    1,00 - 2,5996     25,00 - 64,99     D     Tidak baik
    2,60 - 3,064      65,00 - 76,60     C     Kurang baik
    3,0644 - 3,532    76,61 - 88,30     B     Baik
    3,5324 - 4,00     88,31 - 100,00    A     Sangat baik

  The table has gaps between its rows (76,60 | 76,61) at more than two
  decimals. We round the converted value to two decimals (half up) first, as it
  is published, and then classify with lower bounds, so every value has exactly
  one category and the printed number always agrees with its letter. Per
  element, NRR x 25 is classified the same way.
- Minimum sample: Krejcie and Morgan, "S = {lambda^2 N P Q} / {d^2 (N-1) +
  lambda^2 P Q}" with lambda^2 = 3,841, P = Q = 0,5, d = 0,05, read from the
  table the regulation prints (next row at or above N).

Pure: no I/O.
"""
from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Iterable, Optional

from kiosk.core.survey import ELEMENT_CODES, ELEMENTS

WEIGHT = Fraction(1, len(ELEMENTS))  # 1/9
CONVERSION = 25

# (lower bound of the converted value, letter, performance words id/en), best first.
CATEGORIES = (
    (Decimal("88.31"), "A", {"id": "Sangat baik", "en": "Very good"}),
    (Decimal("76.61"), "B", {"id": "Baik", "en": "Good"}),
    (Decimal("65.00"), "C", {"id": "Kurang baik", "en": "Less than good"}),
    (Decimal("25.00"), "D", {"id": "Tidak baik", "en": "Not good"}),
)


def round2(value: Fraction | float) -> Decimal:
    """Two decimals, half up, as the index is published (exact for fractions)."""
    exact = value if isinstance(value, Fraction) else Fraction(Decimal(repr(value)))
    hundredths = math.floor(exact * 100 + Fraction(1, 2))  # half up, in exact arithmetic
    return Decimal(hundredths).scaleb(-2)


def category(converted: Fraction | float | Decimal) -> str:
    """The letter A-D of a converted value (25-100) by the interval table."""
    value = converted if isinstance(converted, Decimal) else round2(converted)
    for low, letter, _ in CATEGORIES:
        if value >= low:
            return letter
    return "D"  # below 25 cannot come from scores 1-4; the table's last row


def performance(letter: str, language: str = "id") -> str:
    """The regulation's words for a category: 'Sangat baik', 'Baik'..."""
    for _, code, words in CATEGORIES:
        if code == letter:
            return words.get(language) or words["id"]
    raise KeyError(letter)


@dataclass(frozen=True)
class ElementResult:
    code: str
    answered: int
    nrr: Optional[Fraction]  # None: nobody answered it

    @property
    def weighted(self) -> Optional[Fraction]:
        return None if self.nrr is None else self.nrr * WEIGHT

    @property
    def converted(self) -> Optional[Fraction]:
        return None if self.nrr is None else self.nrr * CONVERSION

    @property
    def category(self) -> Optional[str]:
        return None if self.nrr is None else category(self.converted)  # type: ignore[arg-type]


@dataclass(frozen=True)
class IndexResult:
    """The whole computation for a set of responses."""

    respondents: int
    elements: tuple  # ElementResult, in the regulation's element order
    weighted_sum: Optional[Fraction]  # None when an element has no answer
    index: Optional[Fraction]  # weighted_sum x 25

    @property
    def index_2dp(self) -> Optional[Decimal]:
        return None if self.index is None else round2(self.index)

    @property
    def category(self) -> Optional[str]:
        return None if self.index is None else category(self.index)


def compute(responses: Iterable[dict]) -> IndexResult:
    """NRR per element, weighted sum and IKM of ``responses`` (each a dict
    element code -> score 1..4; a missing or None score is "not answered" and
    does not count in that element's denominator)."""
    sums = dict.fromkeys(ELEMENT_CODES, 0)
    counts = dict.fromkeys(ELEMENT_CODES, 0)
    respondents = 0
    for answers in responses:
        respondents += 1
        for code in ELEMENT_CODES:
            score = answers.get(code)
            if score is None:
                continue
            if isinstance(score, bool) or score not in (1, 2, 3, 4):
                raise ValueError(f"{code}: score {score!r} is not 1-4")
            sums[code] += score
            counts[code] += 1
    results = tuple(ElementResult(c, counts[c], Fraction(sums[c], counts[c]) if counts[c] else None)
                    for c in ELEMENT_CODES)
    if respondents == 0 or any(r.nrr is None for r in results):
        return IndexResult(respondents, results, None, None)
    weighted = Fraction(0)
    for r in results:
        weighted += r.nrr * WEIGHT  # type: ignore[operator]  # None excluded above
    return IndexResult(respondents, results, weighted, weighted * CONVERSION)


# -- minimum sample -------------------------------------------------------------------
# The Krejcie and Morgan table as the regulation prints it: population N -> sample S.
KREJCIE_MORGAN = (
    (10, 10), (15, 14), (20, 19), (25, 24), (30, 28), (35, 32), (40, 36), (45, 40), (50, 44), (55, 48),
    (60, 52), (65, 56), (70, 59), (75, 63), (80, 66), (85, 70), (90, 73), (95, 76), (100, 80), (110, 86),
    (120, 92), (130, 97), (140, 103), (150, 108), (160, 113), (170, 118), (180, 123), (190, 127),
    (200, 132), (210, 136), (220, 140), (230, 144), (240, 148), (250, 152), (260, 155), (270, 159),
    (280, 162), (290, 165), (300, 169), (320, 175), (340, 181), (360, 186), (380, 191), (400, 196),
    (420, 201), (440, 205), (460, 210), (480, 214), (500, 217), (550, 226), (600, 234), (650, 242),
    (700, 248), (750, 254), (800, 260), (850, 265), (900, 269), (950, 274), (1000, 278), (1100, 285),
    (1200, 291), (1300, 297), (1400, 302), (1500, 306), (1600, 310), (1700, 313), (1800, 317),
    (1900, 320), (2000, 322), (2200, 327), (2400, 331), (2600, 335), (2800, 338), (3000, 341),
    (3500, 346), (4000, 351), (4500, 354), (5000, 357), (6000, 361), (7000, 364), (8000, 367),
    (9000, 368), (10000, 370), (15000, 375), (20000, 377), (30000, 379), (40000, 380), (50000, 381),
    (75000, 382), (100000, 384), (1000000, 384),
)
_KM_N = tuple(n for n, _ in KREJCIE_MORGAN)


def krejcie_morgan_formula(population: int) -> float:
    """S = 3,841 N 0,25 / (0,0025 (N - 1) + 3,841 x 0,25), unrounded."""
    n = population
    return 3.841 * n * 0.25 / (0.0025 * (n - 1) + 3.841 * 0.25)


def minimum_sample(population: int) -> int:
    """The minimum number of respondents for a population (served tickets):
    the table's row at or above N (never more than N itself; 384 above the
    last row)."""
    if population <= 0:
        return 0
    i = bisect_left(_KM_N, population)
    sample = KREJCIE_MORGAN[i][1] if i < len(KREJCIE_MORGAN) else KREJCIE_MORGAN[-1][1]
    return min(sample, population)
