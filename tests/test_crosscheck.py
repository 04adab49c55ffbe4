"""Arithmetic cross-checks between a report's figures (schemas/earnings_report/crosscheck.py).

Figures are invented; each case states which checks each entry takes part in and whether
they pass. Failing cases are the errors the checks exist to flag: a misread scale, a change
attached to the wrong figure, a company name read as a business line.
"""

from __future__ import annotations

from typing import Any

import pytest

from extract.evals.scoring import score_document
from extract.resolver import resolve
from extract.schema_api import RulesContext
from extract.schemas import get_schema
from extract.schemas.earnings_report.crosscheck import cross_checks, half_unit, review, settle_periods
from extract.schemas.earnings_report.model import EarningsReport


def m(metric: str, period: str, value: float, unit: str = "CNY", segment: str | None = None, yoy: float | None = None,
      qoq: float | None = None, evidence: str = "x") -> dict[str, Any]:  # fmt: skip
    return {"metric": metric, "period": period, "segment": segment, "value": value, "unit": unit, "unit_currency": None,
            "yoy_pct": yoy, "qoq_pct": qoq, "evidence": evidence}  # fmt: skip


def outcome(entries: list[dict[str, Any]]) -> list[set[tuple[str, bool, str]]]:
    return [{(c["check"], c["passed"], c["against"]) for c in checks} for checks in cross_checks(entries)]


@pytest.mark.parametrize(
    ("value", "half"),
    [(320_000_000, 5_000_000), (73_300_000, 50_000), (0.28, 0.005), (12.0, 0.5), (12.3, 0.05), (1_942, 0.5), (0, 0.0)],
)
def test_half_unit_is_half_the_last_printed_digit(value: float, half: float) -> None:
    assert half_unit(value) == pytest.approx(half)


CASES = [
    # 5.1亿 against 4.25亿 is +20.0%: stated +20% passes, on both figures
    (
        [m("revenue", "2024Q2", 510e6, yoy=20.0), m("revenue", "2023Q2", 425e6)],
        [{("yoy", True, "revenue 2023Q2")}, {("yoy", True, "revenue 2024Q2")}],
    ),
    # the same change attached to a figure it does not describe (a 61% rise in deliveries)
    (
        [m("net_income", "2024Q3", -1.42e9, yoy=61.0), m("net_income", "2023Q3", -2.37e9)],
        [{("yoy", False, "net_income 2023Q3")}, {("yoy", False, "net_income 2024Q3")}],
    ),
    # a loss that narrowed from 8,000万 to 6,000万: -25% in size, stated either way round
    (
        [m("net_income", "2024H1", -60e6, yoy=-25.0), m("net_income", "2023H1", -80e6)],
        [{("yoy", True, "net_income 2023H1")}, {("yoy", True, "net_income 2024H1")}],
    ),
    # "约1.1亿, up 1,470%, against about 700万": rounded figures, checked loosely
    (
        [m("net_income", "2024H1", 110e6, yoy=1470.0, evidence="纯利约1.1亿元"), m("net_income", "2023H1", 7e6, evidence="约为700万元")],
        [{("yoy", True, "net_income 2023H1")}, {("yoy", True, "net_income 2024H1")}],
    ),
    # a turn from loss to profit: no percentage to check
    ([m("net_income", "2024Q1", 5e6, yoy=150.0), m("net_income", "2023Q1", -10e6)], [set(), set()]),
    # quarter on quarter, across a year end
    (
        [m("revenue", "2024Q1", 96e6, qoq=-4.0), m("revenue", "2023Q4", 100e6)],
        [{("qoq", True, "revenue 2023Q4")}, {("qoq", True, "revenue 2024Q1")}],
    ),
    # gross profit = revenue - cost of revenue, and gross margin = gross profit / revenue
    (
        [m("revenue", "2024FY", 820e6), m("cost_of_revenue", "2024FY", 574e6), m("gross_profit", "2024FY", 246e6),
         m("gross_margin", "2024FY", 30.0, unit="%")],
        [{("gross_profit", True, "gross_profit 2024FY"), ("gross_margin", True, "gross_margin 2024FY")},
         {("gross_profit", True, "gross_profit 2024FY")},
         {("gross_profit", True, "revenue 2024FY"), ("gross_profit", True, "cost_of_revenue 2024FY"),
          ("gross_margin", True, "gross_margin 2024FY")},
         {("gross_margin", True, "gross_profit 2024FY"), ("gross_margin", True, "revenue 2024FY")}],
    ),  # fmt: skip
    # a margin misread (8.6% read as 6%) fails against the figures it contradicts
    (
        [m("revenue", "2024FY", 745.99e8), m("gross_profit", "2024FY", 63.89e8), m("gross_margin", "2024FY", 6.0, unit="%")],
        [{("gross_margin", False, "gross_margin 2024FY")}, {("gross_margin", False, "gross_margin 2024FY")},
         {("gross_margin", False, "gross_profit 2024FY"), ("gross_margin", False, "revenue 2024FY")}],
    ),  # fmt: skip
    # a business line below its total passes; a company name read as a line is above it
    (
        [m("revenue", "2024Q1", 3.46e9), m("revenue", "2024Q1", 1.2e9, segment="云服务"),
         m("revenue", "2024Q1", 3.58e9, segment="今年星河汽车")],
        [set(), {("segment_total", True, "revenue 2024Q1")}, {("segment_total", False, "revenue 2024Q1")}],
    ),  # fmt: skip
    # a line's profit may exceed the company's when another line loses: no check
    ([m("net_income", "2024H1", 21.8e6), m("net_income", "2024H1", 305e6, segment="销售")], [set(), set()]),
    # EPS x weighted average shares = net income; shares bought back are not that count
    (
        [m("eps", "2024Q2", 0.44, unit="per_share"), m("other", "2024Q2", 140e6, unit="count", segment="weighted average diluted shares"),
         m("net_income", "2024Q2", 61.7e6)],
        [{("eps_shares", True, "net_income 2024Q2"), ("eps_shares", True, "other (weighted average diluted shares) 2024Q2")},
         {("eps_shares", True, "eps 2024Q2")}, {("eps_shares", True, "eps 2024Q2")}],
    ),  # fmt: skip
    (
        [m("eps", "2024Q2", 0.44, unit="per_share"), m("other", "2024Q2", 2.6e6, unit="count", segment="shares repurchased"),
         m("net_income", "2024Q2", 61.7e6)],
        [set(), set(), set()],
    ),  # fmt: skip
    # different currencies are not compared
    ([m("revenue", "2024Q2", 510e6, yoy=20.0), m("revenue", "2023Q2", 70e6, unit="USD")], [set(), set()]),
]


@pytest.mark.parametrize(("entries", "expected"), CASES)
def test_cross_checks(entries: list[dict[str, Any]], expected: list[set[tuple[str, bool, str]]]) -> None:
    assert outcome(entries) == expected


def test_review_sets_checks_only_where_one_was_made_and_the_report_validates() -> None:
    report = {"metrics": [m("revenue", "2024Q2", 510e6, yoy=20.0), m("revenue", "2023Q2", 425e6), m("cash", "2024Q2", 1e9)]}
    out = review(report, "")
    assert [("checks" in e) for e in out["metrics"]] == [True, True, False]
    assert out["metrics"][0]["checks"][0] == {
        "check": "yoy", "passed": True, "against": "revenue 2023Q2", "detail": "510,000,000 / 425,000,000 - 1 = +20.0%, stated +20%",
    }  # fmt: skip
    EarningsReport.model_validate(out)
    assert "checks" not in report["metrics"][0]  # the input is not changed


def test_checks_are_not_in_the_json_schema_a_model_is_given() -> None:
    assert "checks" not in EarningsReport.model_json_schema()["$defs"]["MetricEntry"]["properties"]


TEXT = (
    "星河电子(深交所:002999)发布2024年半年度报告。报告期内，公司实现营业收入5.1亿元，同比增长20%，"
    "上年同期为4.25亿元；毛利润为1.53亿元，毛利率为30%。"
)


def test_rules_and_review_give_checked_entries_and_the_scorer_ignores_checks() -> None:
    info = get_schema()

    def ask(prompt: str, variables: dict[str, Any], response_model: Any, *, max_tokens: int) -> Any:
        return response_model()  # no model: the rules' own company name stands

    report = resolve(info.rules(TEXT, ask, RulesContext(options=info.resolve_options({}))), TEXT).report
    assert info.review is not None
    checked = EarningsReport.model_validate(info.review(report, TEXT)).model_dump(mode="json")
    found = {(e["metric"], e["period"]): {(c["check"], c["passed"]) for c in e.get("checks") or []} for e in checked["metrics"]}
    assert found[("revenue", "2024H1")] == {("yoy", True), ("gross_margin", True)}
    assert found[("revenue", "2023H1")] == {("yoy", True)}
    assert found[("gross_margin", "2024H1")] == {("gross_margin", True)}
    plain = {**checked, "metrics": [{k: v for k, v in e.items() if k != "checks"} for e in checked["metrics"]]}
    with_checks = score_document("d", TEXT, plain, checked)
    assert [r["status"] for r in with_checks.rows] == [r["status"] for r in score_document("d", TEXT, plain, plain).rows]
    assert {r["status"] for r in with_checks.rows} == {"correct"}  # a gold file without checks, a prediction with them


# (a) Two readings of one metric and period, and a stated change that tells them apart.
SETTLE = [
    # the prior year's figure in a sentence whose period words the rules do not tie to it
    (
        "Aurora Tours (NASDAQ: AUTR) reported results for the third quarter of 2024. Net revenues for the third quarter of 2024 "
        "were RMB5.10 billion, a 20% increase year over year. Net revenues were RMB4.25 billion in the third quarter of 2023 "
        "and RMB4.80 billion in the second quarter of 2024.",
        {("revenue", "2024Q3", 5.10e9, 20.0), ("revenue", "2023Q3", 4.25e9, None)},
    ),
    # Chinese: a comparison paragraph that names the year only
    (
        "6月12日晚间，华岳精工（002777.SZ）发布2024年年度报告。报告期内，公司实现营业收入8,736,512,408.57元，同比增长12.46%；"
        "基本每股收益1.38元，同比增长15%。\n\n作为对比，2023年公司归母净利润为7.68亿元，基本每股收益为1.20元。",
        {("eps", "2024FY", 1.38, 15.0), ("eps", "2023FY", 1.20, None)},
    ),
]


@pytest.mark.parametrize(("text", "expected"), SETTLE)
def test_a_stated_change_decides_which_reading_is_the_prior_period(text: str, expected: set[tuple[Any, ...]]) -> None:
    from extract.schemas.earnings_report.annotation import annotate

    found = {(f.metric, f.period, f.value, f.yoy_pct) for f in annotate(text).facts if f.metric in ("revenue", "eps")}
    assert expected <= found


def test_no_change_or_no_fit_leaves_both_readings_alone() -> None:
    from extract.schemas.earnings_report.annotation import Fact

    def fact(value: float, yoy: float | None) -> Fact:
        return Fact("revenue", "2024Q3", None, value, "CNY", None, yoy, None, "x", 0, False, "lexicon", "")

    for pair in ([fact(5.1e9, None), fact(4.25e9, None)], [fact(5.1e9, 3.0), fact(4.25e9, None)]):
        assert settle_periods(pair) == pair
