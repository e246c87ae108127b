"""The index (IKM) of Permenpan RB 14/2017 from known answers, its interval
edges, the Krejcie-Morgan minimum sample, and properties over any answers."""
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core import survey as S
from kiosk.core.survey_index import (KREJCIE_MORGAN, category, compute, krejcie_morgan_formula, minimum_sample,
                                     performance, round2)

CODES = S.ELEMENT_CODES  # regulation order U1..U9


def responses(*rows):
    return [dict(zip(CODES, row)) for row in rows]


def test_given_three_respondents_the_index_matches_the_hand_computation():
    # U1..U9 per respondent; sums 11 9 8 7 11 12 11 8 9 = 86 over 3 respondents.
    result = compute(responses((4, 3, 3, 2, 4, 4, 4, 3, 3),
                               (3, 3, 2, 2, 4, 4, 3, 3, 3),
                               (4, 3, 3, 3, 3, 4, 4, 2, 3)))
    nrr = {r.code: r.nrr for r in result.elements}
    assert nrr == dict(zip(CODES, [Fraction(11, 3), Fraction(3), Fraction(8, 3), Fraction(7, 3), Fraction(11, 3),
                                   Fraction(4), Fraction(11, 3), Fraction(8, 3), Fraction(3)]))
    # Weighted: each NRR x 1/9; sum = 86/27 = 3.1852; x 25 = 79.6296 -> 79.63, B (Baik).
    assert result.elements[0].weighted == Fraction(11, 27)
    assert result.weighted_sum == Fraction(86, 27)
    assert result.index_2dp == Decimal("79.63")
    assert result.category == "B" and performance("B") == "Baik"
    # Per element: NRR x 25 by the same table.
    assert [r.category for r in result.elements] == ["A", "C", "C", "D", "A", "A", "A", "C", "C"]
    assert result.respondents == 3


def test_all_best_answers_give_100_and_all_worst_give_25():
    assert compute(responses((4,) * 9)).index == 100
    assert compute(responses((1,) * 9)).index == 25
    assert compute(responses((1,) * 9)).category == "D"


@pytest.mark.parametrize("value, letter", [
    ("100", "A"), ("88.31", "A"), ("88.305", "A"), ("88.3049", "B"), ("88.30", "B"),
    ("76.61", "B"), ("76.605", "B"), ("76.6049", "C"), ("76.60", "C"),
    ("65.00", "C"), ("64.995", "C"), ("64.9949", "D"), ("64.99", "D"), ("25", "D"),
])
def test_interval_edges_follow_the_table_at_two_decimals(value, letter):
    # The table: D 25,00-64,99; C 65,00-76,60; B 76,61-88,30; A 88,31-100,00.
    assert category(Fraction(value)) == letter
    assert category(float(value)) == letter


def test_the_nrr_edge_3064_is_c_and_just_above_is_b_end_to_end():
    # 125 respondents, 1125 answers summing to 3447: mean 3.064 (NI edge of C), IKM 76.60.
    rows = [[3] * 9 for _ in range(125)]
    for i in range(72):
        rows[i // 9][i % 9] = 4
    result = compute(responses(*rows))
    assert result.index == Fraction(766, 10) and result.category == "C"
    rows[100][0] = 4  # one answer better: 3448 / 1125 x 25 = 76.62
    assert compute(responses(*rows)).index_2dp == Decimal("76.62")
    assert compute(responses(*rows)).category == "B"


def test_the_a_edge_end_to_end_with_2500_respondents():
    def index_with(total):
        rows = [[3] * 9 for _ in range(2500)]  # 67500
        extra = total - 67500
        for i in range(extra):
            rows[i // 9][i % 9] = 4
        return compute(responses(*rows))

    assert index_with(79470).index == Fraction(8830, 100) and index_with(79470).category == "B"
    assert index_with(79479).index == Fraction(8831, 100) and index_with(79479).category == "A"


def test_weight_is_exactly_one_ninth_not_0_11():
    # With 0.11 the best possible index would be 99.00 and miss category A's top.
    result = compute(responses((4,) * 9))
    assert result.weighted_sum == 4 and result.index_2dp == Decimal("100.00")


def test_a_skipped_element_does_not_count_in_its_denominator():
    result = compute([dict(zip(CODES, (4,) * 9)), {**dict(zip(CODES, (2,) * 9)), "biaya": None}])
    by_code = {r.code: r for r in result.elements}
    assert by_code["biaya"].nrr == 4 and by_code["biaya"].answered == 1
    assert by_code["sarana"].nrr == 3


def test_no_respondents_gives_no_index():
    result = compute([])
    assert result.index is None and result.category is None and result.respondents == 0


def test_a_score_outside_1_to_4_is_refused():
    with pytest.raises(ValueError, match="1-4"):
        compute([dict(zip(CODES, (4, 4, 4, 4, 4, 4, 4, 4, 5)))])
    with pytest.raises(ValueError):
        compute([dict(zip(CODES, (True,) * 9))])


def test_the_krejcie_morgan_table_is_the_formula_rounded_to_nearest():
    assert len(KREJCIE_MORGAN) == 91
    for n, s in KREJCIE_MORGAN:
        if n != 100000:  # the printed table rounds this row up (382.6 -> 384)
            assert round(krejcie_morgan_formula(n)) == s, n


@pytest.mark.parametrize("population, sample", [
    (0, 0), (1, 1), (9, 9), (10, 10), (11, 11), (14, 14), (15, 14), (50, 44), (51, 48),
    (100, 80), (1000, 278), (1001, 285), (1000000, 384), (10**12, 384),
])
def test_minimum_sample_reads_the_next_row_at_or_above(population, sample):
    assert minimum_sample(population) == sample


def _table_category(value: Decimal) -> str:
    # Independent of the code: the closed rows of the table, on the 2-decimal value.
    for low, high, letter in (("25.00", "64.99", "D"), ("65.00", "76.60", "C"),
                              ("76.61", "88.30", "B"), ("88.31", "100.00", "A")):
        if Decimal(low) <= value <= Decimal(high):
            return letter
    raise AssertionError(f"{value} is in no row of the table")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.integers(1, 4), min_size=9, max_size=9), min_size=1, max_size=40))
def test_property_the_index_is_within_25_and_100_and_its_category_matches_the_table(rows):
    result = compute(responses(*rows))
    assert 25 <= result.index <= 100
    assert Decimal("25.00") <= result.index_2dp <= Decimal("100.00")
    assert result.category == _table_category(result.index_2dp)
    for r in result.elements:
        assert 1 <= r.nrr <= 4
        assert r.category == _table_category(round2(r.converted))
