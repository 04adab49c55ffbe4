"""Chinese results news as real sites print it (issue 10): number shapes, traditional-Chinese
press wording, figures that are not results, `other` labels, periods.

Every sentence here is written for these tests: invented companies and figures, genre wording.
"""

from __future__ import annotations

import pytest

from extract.amounts import find_amounts
from extract.schemas.earnings_report.annotation import annotate


def facts(text: str) -> set[tuple]:
    return {(f.metric, f.period, f.segment, f.value) for f in annotate(text).facts}


def changes(text: str) -> set[tuple]:
    return {(f.metric, f.period, f.segment, f.value, f.yoy_pct, f.qoq_pct) for f in annotate(text).facts}


# ---------------------------------------------------------------- number shapes on real pages


@pytest.mark.parametrize(
    "text,value,unit",
    [
        ("總債務為33﹒07億元", 3_307_000_000, "CNY"),  # U+FE52 as the decimal point
        ("營業額為1﹒5億港元", 150_000_000, "HKD"),
        ("营收2. 815亿元", 281_500_000, "CNY"),  # a space after the point on a scraped page
        ("每股盈利3.4分", 0.034, "CNY"),  # 分: hundredths of a yuan, in a per-share clause
        ("每股基本盈利12.5港仙", 0.125, "HKD"),
        ("末期股息每股18美仙", 0.18, "USD"),
    ],
)
def test_number_shapes(text: str, value: float, unit: str) -> None:
    (amount,) = find_amounts(text)
    assert amount.value == pytest.approx(value) and amount.unit == unit


@pytest.mark.parametrize("text", ["该产品评分为92分", "会议持续了45分钟", "in 2019. 5 stores opened"])
def test_not_fen_or_spaced_point(text: str) -> None:
    assert all(a.unit != "CNY" for a in find_amounts(text))
    assert all(a.value not in (2019.5,) for a in find_amounts(text))


FY_HK = "恒岳控股公布2023年度業績。"


@pytest.mark.parametrize(
    "text,expected",
    [
        # words broken by stray spaces on pages converted from PDF
        (FY_HK + "年內錄得股東應佔溢 利3﹒62億元。", {("net_income_attributable", "2023FY", None, 362e6)}),
        (FY_HK + "錄得股東應佔虧 損2140萬元。", {("net_income_attributable", "2023FY", None, -21.4e6)}),
    ],
)
def test_traditional_press(text: str, expected: set[tuple]) -> None:
    assert facts(text) == expected
