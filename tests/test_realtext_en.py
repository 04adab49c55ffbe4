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


# --------------------------------------------------------------------------- wire wording of the metrics

@pytest.mark.parametrize(
    "text,expected",
    [
        # "earnings" is the bottom line; "adjusted earnings of $X or $Y per share" the adjusted pair
        ("The company's earnings totaled $61.4 million, or $1.12 per share. Excluding items, Norland Freight "
         "reported adjusted earnings of $66.0 million or $1.20 per share for the period.",
         {("net_income", "2024Q2", None, 61.4e6), ("eps", "2024Q2", None, 1.12),
          ("adjusted_net_income", "2024Q2", None, 66.0e6), ("adjusted_eps", "2024Q2", None, 1.2)}),
        # attributable to a company named in the sentence; the adjusted attributable figure
        ("Net income attributable to Norland Freight increased by 31.0% year over year to $18.5 million. "
         "Adjusted attributable net income was $22.75 million.",
         {("net_income_attributable", "2024Q2", None, 18.5e6), ("adjusted_net_income", "2024Q2", None, 22.75e6)}),
        ("Non-GAAP net income attributable to Norland Freight was $24.0 million.",
         {("adjusted_net_income", "2024Q2", None, 24.0e6)}),
        # Reuters briefs: "before special items" is the adjusted figure
        ("* Qtrly diluted EPS before special items $0.47",
         {("adjusted_eps", "2024Q2", None, 0.47)}),
        # AP: "Losses, adjusted for one-time gains and costs, were $0.38 per share"
        ("Losses, adjusted for one-time gains and costs, were $0.38 per share.",
         {("adjusted_eps", "2024Q2", None, -0.38)}),
    ],
)
def test_wire_metric_wording(text: str, expected: set[tuple]) -> None:
    assert facts(Q2 + text) == expected


# --------------------------------------------------------------------------- labels that are not segments

@pytest.mark.parametrize(
    "text,expected",
    [
        ("The freight carrier posted revenue of $1.42 billion in the period.", {("revenue", "2024Q2", None, 1.42e9)}),
        ("For the second quarter, the company announced sales was USD 3.118 million.", {("revenue", "2024Q2", None, 3.118e6)}),
    ],
)
def test_verbs_are_not_segments(text: str, expected: set[tuple]) -> None:
    assert facts(Q2 + text) == expected


def test_adjusted_sales_outlook_is_company_revenue() -> None:
    guidance = annotate(Q2 + "Adjusted sales outlook has been raised to $5.75 billion - $5.9 billion.").guidance
    assert [(g.metric, g.segment, g.low, g.high) for g in guidance] == [("revenue", None, 5.75e9, 5.9e9)]


# --------------------------------------------------------------------------- figures that are not results

@pytest.mark.parametrize(
    "text",
    [
        "Analysts on average had estimated $402.5 million in revenue.",
        "The average estimate of nine analysts surveyed by Zacks Investment Research was for a loss of $0.12 per share.",
        "Ten analysts surveyed by Zacks expected $1.61 billion.",
        "In pre-market activity on the NYSE, NLFR shares were trading at $41.20, up 0.8%.",
        "Analysts polled by Thomson Reuters expect the company to report profit per share of $2.95 on revenue of $5.1 billion.",
    ],
)
def test_not_results(text: str) -> None:
    assert facts(Q2 + text) == set()


def test_ticker_after_inc() -> None:
    from extract.schemas.earnings_report.header import find_header

    assert find_header("BEIJING (dpa-AFX) - Lantern Learning Group Inc. (LNTN) reported on Tuesday …").ticker == "LNTN"


# --------------------------------------------------------------------------- periods inside the text

def test_quarter_and_half_year_in_parallel_sentences() -> None:
    text = (
        "Pell Ceramics, Inc. announced earnings results for the second quarter ended June 30, 2024. "
        "For the second quarter, the company announced sales was USD 2.310 million compared to USD 2.004 million a year ago. "
        "Net income was USD 98,120 compared to USD 61,400 a year ago. "
        "For the half year, sales was USD 4.870 million compared to USD 4.112 million a year ago. "
        "Net income was USD 301,552 compared to USD 150,007 a year ago."
    )
    assert facts(text) == {
        ("revenue", "2024Q2", None, 2.31e6), ("revenue", "2023Q2", None, 2.004e6),
        ("net_income", "2024Q2", None, 98120.0), ("net_income", "2023Q2", None, 61400.0),
        ("revenue", "2024H1", None, 4.87e6), ("revenue", "2023H1", None, 4.112e6),
        ("net_income", "2024H1", None, 301552.0), ("net_income", "2023H1", None, 150007.0),
    }  # fmt: skip


@pytest.mark.parametrize(
    "text,expected",
    [
        # a sentence that opens with the prior period is about it; the label is the noun phrase after the verb
        ("In the previous-year quarter, the company had recorded certain other expenses of $214 million.",
         {("other", "2023Q2", "certain other expenses", 214e6)}),
        ("Earnings per share were $0.41, up 17 percent from $0.35 a year ago.",
         {("eps", "2024Q2", None, 0.41), ("eps", "2023Q2", None, 0.35)}),
        ("Net profit was $1.657 billion, significantly higher than $111 million in the comparable quarter last year.",
         {("net_income", "2024Q2", None, 1.657e9), ("net_income", "2023Q2", None, 111e6)}),
        # AP: the per-share figure is named by the sentence's opening, not beside the amount
        ("On a per-share basis, the Denver-based company said it had profit of $0.87.",
         {("eps", "2024Q2", None, 0.87)}),
    ],
)
def test_wire_sentences(text: str, expected: set[tuple]) -> None:
    assert facts(Q2 + text) == expected


# --------------------------------------------------------------------------- figures across sentences

def test_this_compares_with_takes_the_metrics_of_the_sentence_before() -> None:
    text = Q2 + ("The company's earnings totaled $61.4 million, or $1.12 per share. "
                 "This compares with $47.9 million, or $0.88 per share, in last year's second quarter.")
    assert facts(text) == {
        ("net_income", "2024Q2", None, 61.4e6), ("eps", "2024Q2", None, 1.12),
        ("net_income", "2023Q2", None, 47.9e6), ("eps", "2023Q2", None, 0.88),
    }  # fmt: skip


def test_summary_box_repeating_the_adjusted_figures() -> None:
    text = Q2 + (
        "Net income was $61.4 million, or $1.12 per share, compared with $47.9 million, or $0.88 per share, last year. "
        "Excluding items, the company reported adjusted earnings of $66.0 million or $1.20 per share for the period.\n\n"
        "Norland Freight earnings at a glance:\n\n"
        "-Earnings (Q2): $66.0 Mln. vs. $52.3 Mln. last year. -EPS (Q2): $1.20 vs. $0.96 last year."
    )
    got = facts(text)
    assert ("adjusted_net_income", "2023Q2", None, 52.3e6) in got
    assert ("adjusted_eps", "2023Q2", None, 0.96) in got
    assert ("net_income", "2023Q2", None, 47.9e6) in got and ("eps", "2023Q2", None, 0.88) in got


def test_brief_states_revenue_twice_the_precise_one_is_kept() -> None:
    text = ("BRIEF-Harlow Foods Q2 earnings per share $0.61\n\n"
            "* Q2 earnings per share $0.61\n\n* Quarterly revenue $3.1 billion\n\n"
            "* Q2 revenue view $3.02 billion -- Thomson Reuters I/B/E/S\n\n"
            "* Qtrly total revenue $3.06 billion versus $2.87 billion last year")
    got = facts("date 2024-08-01\n\n" + text)
    assert ("revenue", "2024Q2", None, 3.06e9) in got and ("revenue", "2023Q2", None, 2.87e9) in got
    assert not any(f[3] in (3.1e9, 3.02e9) for f in got)


# --------------------------------------------------------------------------- 'other' figures in English

@pytest.mark.parametrize(
    "text,expected",
    [
        # counts written as bare numbers after the noun that names them, with their comparisons
        ("The company's store count at the end of the quarter was 1,204 vs. 1,151 a year ago.",
         {("other", "2024Q2", "store count", 1204.0), ("other", "2023Q2", "store count", 1151.0)}),
        ("Total student enrollments increased 12.5% year-over-year to approximately 310,000 for the second quarter.",
         {("other", "2024Q2", "student enrollments", 310000.0)}),
        # an unnamed figure after a comparison cue is the prior value of the 'other' figure before it
        ("Income before income taxes (IBT) was $52.0 million, up 9.1% compared to $47.7 million reported in "
         "the prior year's second quarter.",
         {("other", "2024Q2", "income before income taxes", 52.0e6), ("other", "2023Q2", "income before income taxes", 47.7e6)}),
    ],
)
def test_other_figures(text: str, expected: set[tuple]) -> None:
    assert facts(Q2 + text) == expected


def test_bare_count_reads_back_as_a_count_only() -> None:
    from extract.grounding import reads_back

    assert reads_back("restaurant count at the end of the quarter was 8,917", 8917, "count")
    assert not reads_back("restaurant count at the end of the quarter was 8,917", 8917, "USD")


# --------------------------------------------------------------------------- fiscal years ending in another month

def test_balance_dates_in_a_fiscal_year_ending_in_may() -> None:
    text = (
        "date 2024-07-24\n\n(RTTNews) - Lantern Learning Group Inc. (LNTN) reported that its fourth quarter net "
        "income rose to $41.0 million. The total number of learning centers was 1,032 as of May 31, 2024, compared "
        "to 990 as of February 29, 2024 and 951 as of May 31, 2023."
    )
    assert str(main_period(text)) == "2024Q4"
    got = {f for f in facts(text) if f[0] == "other"}
    assert got == {("other", "2024Q4", "learning centers", 1032.0), ("other", "2024Q3", "learning centers", 990.0),
                   ("other", "2023Q4", "learning centers", 951.0)}  # fmt: skip


def test_fiscal_year_end_inside_the_period_phrase() -> None:
    text = (
        "Kestle Instruments, Inc. (Nasdaq: KSTL) today announced results for its fourth quarter and fiscal year "
        "ended September 30, 2025.\n\nCash and cash equivalents totaled $212.3 million as of September 30, 2025, "
        "compared with $198.0 million as of September 30, 2024."
    )
    assert {f for f in facts(text) if f[0] == "cash"} == {("cash", "2025FY", None, 212.3e6), ("cash", "2024FY", None, 198.0e6)}


# --------------------------------------------------------------------------- store sales, margins, counted guidance

@pytest.mark.parametrize(
    "text,expected",
    [
        ("* Harlow Foods reports 4% same-store sales growth and 9% system sales growth; operating profit up 7% YOY",
         {("other", "2024Q2", "same-store sales growth", 4.0), ("other", "2024Q2", "system sales growth", 9.0)}),
        ("Comparable sales were up 1.5% during the quarter vs +2.0% consensus.",
         {("other", "2024Q2", "comparable sales growth", 1.5)}),
        # a margin named before the verb, its prior value after "vs.", and the consensus left out
        ("Restaurant margin improved slightly to 15.2% of sales vs. 14.9% a year ago and 15.5% consensus.",
         {("other", "2024Q2", "restaurant margin", 15.2), ("other", "2023Q2", "restaurant margin", 14.9)}),
    ],
)
def test_store_sales_and_margins(text: str, expected: set[tuple]) -> None:
    assert facts(Q2 + text) == expected


def test_counted_guidance_is_not_revenue() -> None:
    text = Q2 + ("For the third quarter, Norland expects deliveries of 41,000 to 44,000 vehicles and revenue of "
                 "RMB 9.6 billion to RMB 10.1 billion. The company remains on track to achieve its target of 120-140 new restaurants in the year.")
    got = {(g.metric, g.segment, g.low, g.high, g.unit) for g in annotate(text).guidance}
    assert got == {("other", "deliveries", 41000.0, 44000.0, "count"), ("revenue", None, 9.6e9, 10.1e9, "CNY"),
                   ("other", "new restaurants", 120.0, 140.0, "count")}  # fmt: skip


# --------------------------------------------------------------------------- more wire sentences

Q3 = "Harbin Motors Inc (NYSE: HRBM) reported third-quarter results on November 12, 2025. "


@pytest.mark.parametrize(
    "text,expected",
    [
        # "a year earlier" after "from" is the change's, "the second quarter" after "from" a comparison cue
        ("Total revenues for the quarter ended September 30 rose 31.5% from a year earlier to RMB 8.21 billion, "
         "and were up 9.0% from the second quarter.",
         {("revenue", "2025Q3", None, 8.21e9)}),
        # a period right after an earlier figure is that figure's, not the next one's
        ("Vehicle margin improved to 11.2% from 8.4% a year ago and 10.9% in the second quarter, while overall "
         "gross margin was 10.1%.",
         {("other", "2025Q3", "vehicle margin", 11.2), ("other", "2024Q3", "vehicle margin", 8.4),
          ("other", "2025Q2", "vehicle margin", 10.9), ("gross_margin", "2025Q3", None, 10.1)}),
        # a month-end without a year is the latest one before the period's end
        ("The company ended September with cash and cash equivalents of RMB 21.4 billion, down from RMB 24.0 billion "
         "at the end of June.",
         {("cash", "2025Q3", None, 21.4e9), ("cash", "2025Q2", None, 24.0e9)}),
        ("On a non-GAAP basis, which excludes share-based compensation, the net loss was RMB 0.92 billion.",
         {("adjusted_net_income", "2025Q3", None, -0.92e9)}),
        ("Harbin delivered 41,220 vehicles in the quarter, compared with 30,118 vehicles in the same period of 2024.",
         {("other", "2025Q3", "deliveries", 41220.0), ("other", "2024Q3", "deliveries", 30118.0)}),
        # SG&A is neither selling nor G&A expenses
        ("Selling, general and administrative expenses were RMB 1.12 billion.",
         {("other", "2025Q3", "selling, general and administrative expenses", 1.12e9)}),
        # GAAP-basis words are not segments; a sentence-case label is written in lower case
        ("Statutory operating profit came in at RMB 310 million. Annual recurring revenue reached RMB 2.6 billion.",
         {("operating_income", "2025Q3", None, 310e6), ("other", "2025Q3", "annual recurring revenue", 2.6e9)}),
    ],
)
def test_wire_sentences_more(text: str, expected: set[tuple]) -> None:
    assert facts(Q3 + text) == expected


def test_all_caps_brief_labels() -> None:
    text = ("BRIEF-Tarnow Outfitters Q1 profit falls\n\nMay 28 (Wirefeed) - Tarnow Outfitters Co (NYSE:TRNW):\n\n"
            "* TARNOW OUTFITTERS REPORTS FIRST QUARTER FISCAL 2025 RESULTS\n"
            "* Q1 NET SALES $0.91 BILLION VERSUS $0.95 BILLION LAST YEAR\n* ENDED QUARTER WITH 412 STORES\n"
            "* INVENTORY UP 4% TO $1.12 BILLION\n* Q1 EARNINGS PER SHARE VIEW $0.33 -- LSEG IBES DATA\n")
    got = facts(text)
    assert ("other", "2025Q1", "stores", 412.0) in got
    assert any(f[0] == "other" and f[2] == "inventory" and f[3] == 1.12e9 for f in got)
    assert not any(f[3] == 0.33 for f in got)


def test_heading_period_holds_for_the_bullets_under_it() -> None:
    text = (
        "Kestle Instruments, Inc. (Nasdaq: KSTL) today announced results for its fourth quarter and fiscal year "
        "ended September 30, 2025.\n\nFiscal 2025 Highlights\n\n- Revenue was $612.0 million, up 11%.\n\n"
        "Fourth Quarter Fiscal 2025 Highlights\n\n- Revenue was $166.2 million, up 14% from $145.8 million a year ago.\n"
        "- GAAP operating loss was $2.3 million, versus $7.9 million in the year-ago quarter.\n"
    )
    assert facts(text) == {
        ("revenue", "2025FY", None, 612.0e6), ("revenue", "2025Q4", None, 166.2e6), ("revenue", "2024Q4", None, 145.8e6),
        ("operating_income", "2025Q4", None, -2.3e6), ("operating_income", "2024Q4", None, -7.9e6),
    }  # fmt: skip


@pytest.mark.parametrize(
    "text,expected",
    [
        # "or 60 cents" after a money figure is per share, and shares its period
        ("Net income was $96.4 million, or 82 cents a share, versus $71.8 million, or 60 cents, a year earlier.",
         {("net_income", "2024Q2", None, 96.4e6), ("eps", "2024Q2", None, 0.82),
          ("net_income", "2023Q2", None, 71.8e6), ("eps", "2023Q2", None, 0.6)}),
        # a scaled count with no counter word, compared
        ("Annual active customers reached 27.4 million in the quarter, up from 23.1 million a year earlier.",
         {("other", "2024Q2", "annual active customers", 27.4e6), ("other", "2023Q2", "annual active customers", 23.1e6)}),
    ],
)
def test_wire_pairs(text: str, expected: set[tuple]) -> None:
    assert facts(Q2 + text) == expected


def test_headline_forecast_period_is_not_the_results() -> None:
    text = ("BRIEF-Trellis Optics Q1 revenue $410M, sees Q2 revenue $420M-$440M\n\n"
            "May 6 (FinWire) - Trellis Optics Inc (TROP):\n* Quarter ended March 29, 2025\n")
    assert ("revenue", "2025Q1", None, 410e6) in facts(text)


@pytest.mark.parametrize(
    "text,expected",
    [
        # UK pence
        ("Basic earnings per share were 21.3p (Q2 2023: 18.9p).",
         {("eps", "2024Q2", None, 0.213), ("eps", "2023Q2", None, 0.189)}),
        # what a buyback cost
        ("During the quarter, Norland repurchased 1.4 million shares of its common stock for $52.5 million.",
         {("other", "2024Q2", "shares", 1.4e6), ("other", "2024Q2", "share repurchase amount", 52.5e6)}),
    ],
)
def test_pence_and_buybacks(text: str, expected: set[tuple]) -> None:
    assert facts(Q2 + text) == expected


def test_resolution_is_not_pence() -> None:
    from extract.amounts import find_amounts

    assert find_amounts("records 1080p video") == []
    assert [a.value for a in find_amounts("an interim dividend of 5.4p a share")] == [0.054]


def test_an_effect_by_an_amount_is_not_a_level() -> None:
    text = Q2 + "* Foreign exchange negatively impacted reported operating profit by $3 million in quarter"
    assert facts(text) == set()


AP_Q4 = """date 2024-02-08

DALLAS (AP) - Corbel Logistics Inc. (CRBL) on Thursday reported fourth-quarter net income of $84.2 million.

The Dallas-based company said it had profit of $1.31 per share. Earnings, adjusted for one-time gains and costs, were $1.45 per share.

The results exceeded Wall Street expectations. The average estimate of five analysts surveyed by Zacks Investment Research was for earnings of $1.38 per share.

The logistics company posted revenue of $1.12 billion in the period, which also topped Street forecasts. Four analysts surveyed by Zacks expected $1.09 billion.

For the year, the company reported profit of $301.5 million, or $4.69 per share. Revenue was reported as $4.37 billion.

For the current quarter ending in March, Corbel said it expects revenue in the range of $1.05 billion to $1.1 billion.

Corbel expects full-year earnings in the range of $5.10 to $5.40 per share, with revenue in the range of $4.6 billion to $4.8 billion.

Corbel shares have risen 4% since the beginning of the year. The stock has climbed 21% in the last 12 months.
"""


def test_ap_fourth_quarter_snapshot() -> None:
    """An AP earnings snapshot published in February: last year's fourth quarter and full year,
    the analysts' figures left out, per-share guidance as EPS."""
    assert str(main_period(AP_Q4)) == "2023Q4"
    assert facts(AP_Q4) == {
        ("net_income", "2023Q4", None, 84.2e6), ("eps", "2023Q4", None, 1.31), ("adjusted_eps", "2023Q4", None, 1.45),
        ("revenue", "2023Q4", None, 1.12e9), ("net_income", "2023FY", None, 301.5e6), ("eps", "2023FY", None, 4.69),
        ("revenue", "2023FY", None, 4.37e9),
    }  # fmt: skip
    guidance = {(g.metric, g.period, g.low, g.high) for g in annotate(AP_Q4).guidance}
    assert guidance == {("revenue", "2024Q1", 1.05e9, 1.1e9), ("eps", "2024FY", 5.1, 5.4), ("revenue", "2024FY", 4.6e9, 4.8e9)}


REUTERS_Q3 = (
    "date 2023-10-24\n\nOct 24 (Reuters) - Palmer Gate Foods Inc reported third-quarter revenue above Wall Street "
    "estimates on Tuesday. Net income rose to $412 million, or 74 cents per share, in the quarter ended Sept. 30, from "
    "$355 million, or 63 cents per share, a year earlier. Excluding items, the company earned 81 cents per share, "
    "beating analysts' average estimate of 76 cents, according to LSEG data. Revenue rose 5.2% to $4.31 billion, "
    "compared with estimates of $4.22 billion. Shares of the company rose 3% in premarket trading."
)


def test_reuters_story() -> None:
    assert facts(REUTERS_Q3) == {
        ("net_income", "2023Q3", None, 412e6), ("eps", "2023Q3", None, 0.74),
        ("net_income", "2022Q3", None, 355e6), ("eps", "2022Q3", None, 0.63),
        ("adjusted_eps", "2023Q3", None, 0.81), ("revenue", "2023Q3", None, 4.31e9),
    }  # fmt: skip


def test_a_quantity_word_is_no_label() -> None:
    text = Q2 + "* Increased Norland's existing share repurchase authorization from $200 million to an aggregate of $350 million"
    assert not any(f[2] and "aggregate" in f[2] for f in facts(text))


def test_seeking_alpha_flash() -> None:
    text = ("date 2023-10-31\n\nHarrow Devices (NYSE:HRWD): Q3 Non-GAAP EPS of $0.46 beats by $0.03; GAAP EPS of $0.44 "
            "misses by $0.06.\nRevenue of $2.29B (+3.6% Y/Y) misses by $20M.\nShares +2.1% premarket.")
    assert facts(text) == {("adjusted_eps", "2023Q3", None, 0.46), ("eps", "2023Q3", None, 0.44), ("revenue", "2023Q3", None, 2.29e9)}
