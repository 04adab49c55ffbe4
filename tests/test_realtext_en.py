"""English wire copy (RTTNews, dpa-AFX, AP, Reuters briefs, newsletter rewrites): how these
services print results, in sentences written for these tests (invented companies and figures).

Each table is one class of error seen on real English articles; a row is a text and the facts
(metric, period, segment, value) it must yield, or the facts it must not yield.
"""

from __future__ import annotations

import pytest

from extract.schemas.earnings_report.annotation import annotate
from extract.schemas.earnings_report.periods import main_period


def facts(text: str) -> set[tuple]:
    return {(f.metric, f.period, f.segment, f.value) for f in annotate(text).facts}


# --------------------------------------------------------------------------- the report's period

@pytest.mark.parametrize(
    "text,period",
    [
        # the outlook sentence names the next fiscal year first; the quarter's year comes later
        ("NEW YORK (dpa-AFX) - Harrow Devices Corp. (HRWD) said its fourth-quarter adjusted profit per share "
         "rose 9%. For fiscal 2022, the company expects revenues in the range of $2.1 billion to $2.2 billion. "
         "Revenues for the fourth quarter of fiscal 2021 were $512.0 million.", "2021Q4"),
        # a fiscal quarter named with its fiscal year wins over its calendar end date
        ("Kelso Coatings Inc. reported record sales for its fiscal 2023 second quarter ended November 30, 2022. "
         "Fiscal 2023 second-quarter net sales were $1.12 billion.", "2023Q2"),
        # a plain forecast in the opening is not the period reported
        ("Tamber Foods (TMBF) projects fiscal 2026 sales growth of 4%. Third-quarter revenue was $88.1 million, "
         "compared with $80.3 million for the third quarter of fiscal 2025.", "2025Q3"),
    ],
)
def test_report_period(text: str, period: str) -> None:
    assert str(main_period(text)) == period


# --------------------------------------------------------------------------- comparison figures

Q2 = "(RTTNews) - Norland Freight Inc. (NLFR) reported results for the second quarter of 2024. "


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Net sales were a record $2.31 billion, up 5.0% over the $2.20 billion reported a year ago.",
         {("revenue", "2024Q2", None, 2.31e9), ("revenue", "2023Q2", None, 2.2e9)}),
        ("Net income per share was $0.21 compared to a loss of $0.64.",
         {("eps", "2024Q2", None, 0.21), ("eps", "2023Q2", None, -0.64)}),
        ("Non-GAAP net income was $48.2 million, compared to a loss of $12.9 million, prior year.",
         {("adjusted_net_income", "2024Q2", None, 48.2e6), ("adjusted_net_income", "2023Q2", None, -12.9e6)}),
    ],
)
def test_comparison_figures(text: str, expected: set[tuple]) -> None:
    assert facts(Q2 + text) == expected
