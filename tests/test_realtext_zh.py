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


H1_HK = "信和環球公布2024年中期業績。"


@pytest.mark.parametrize(
    "text,expected",
    [
        # per-share profit worded 溢利, in HK cents
        (H1_HK + "每股基本溢利為9.6港仙。", {("eps", "2024H1", None, 0.096)}),
        # "underlying" / "core" profit excludes revaluations: the adjusted figure
        (H1_HK + "期內錄得基礎淨虧損3400萬港元。", {("adjusted_net_income", "2024H1", None, -34e6)}),
        (H1_HK + "核心淨利潤為2.15億港元。", {("adjusted_net_income", "2024H1", None, 215e6)}),
        # profit before tax has no canonical metric: `other`, named by its noun phrase
        (H1_HK + "除稅前溢利為1.2億港元。", {("other", "2024H1", "除稅前溢利", 120e6)}),
        (H1_HK + "公司利润总额为8600万港元。", {("other", "2024H1", "利润总额", 86e6)}),
        # a segment's result: a loss is the same line, negative, not the company's net loss
        (H1_HK + "錄得分部虧損1250萬港元。", {("other", "2024H1", "分部溢利", -12.5e6)}),
        (H1_HK + "集團之現金結餘為5﹒6億港元。", {("cash", "2024H1", None, 560e6)}),
    ],
)
def test_hk_result_lines(text: str, expected: set[tuple]) -> None:
    assert facts(text) == expected
