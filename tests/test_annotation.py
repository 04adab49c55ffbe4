"""Rules that turn amounts into labelled facts: metric, period, sign, segment, changes.

Sentences are written for these tests (genre phrasing, invented companies and figures).
"""

from __future__ import annotations

import pytest

from extract.schemas.earnings_report.annotation import annotate
from extract.schemas.earnings_report.header import find_header
from extract.schemas.earnings_report.periods import Period, find_mentions, main_period, period_end_stated


def facts(text: str) -> set[tuple]:
    return {(f.metric, f.period, f.segment, f.value, f.yoy_pct, f.qoq_pct) for f in annotate(text).facts}


Q2_CN = "远川科技公布2024年第二季度财报。"
Q3_EN = "Maple Robotics (NASDAQ: MPLR) reported results for the third quarter of 2024. "


@pytest.mark.parametrize(
    "text,expected",
    [
        # level, yoy and the comparison figure with its own period
        (Q2_CN + "营业收入为4.56亿元人民币(6,270万美元),同比增长8%,2023年同期为4.22亿元人民币。",
         {("revenue", "2024Q2", None, 456e6, 8.0, None), ("revenue", "2023Q2", None, 422e6, None, None)}),
        # losses are negative; 收窄 makes the change negative; 上一季度 is the previous quarter
        (Q2_CN + "净亏损为3,150万元,同比收窄21.5%;较上一季度的3,480万元环比收窄9.5%。",
         {("net_income", "2024Q2", None, -31.5e6, -21.5, -9.5), ("net_income", "2024Q1", None, -34.8e6, None, None)}),
        # change amounts ("减少280万元") and bounds ("超过") are not facts
        (Q2_CN + "研发费用为8,800万元,主要由于人员成本减少280万元;公司客户数超过1,200家。",
         {("rd_expenses", "2024Q2", None, 88e6, None, None)}),
        # segment revenue, the change leading into the amount
        (Q2_CN + "其中云服务收入同比增长12%、环比增长3%至1.21亿元。",
         {("revenue", "2024Q2", "云服务", 121e6, 12.0, 3.0)}),
        # balances: at the period end, and at a prior year-end
        (Q2_CN + "截至2024年6月30日,公司现金及现金等价物为12.3亿元,截至2023年12月31日为13.1亿元。",
         {("cash", "2024Q2", None, 1.23e9, None, None), ("cash", "2023FY", None, 1.31e9, None, None)}),
        # non-GAAP and attributable wording
        (Q2_CN + "经调整(非公认会计准则)净利润为2,040万元;归属于远川科技股东的净利润为1,650万元。",
         {("adjusted_net_income", "2024Q2", None, 20.4e6, None, None), ("net_income_attributable", "2024Q2", None, 16.5e6, None, None)}),
        # English: the period follows the figure; per-share figures are EPS
        (Q3_EN + "Revenue was $84.2 million, up 17% year over year, compared with $72.0 million in the third quarter of 2023. "
         "Net loss was $6.1 million, or $0.11 per diluted share.",
         {("revenue", "2024Q3", None, 84.2e6, 17.0, None), ("revenue", "2023Q3", None, 72.0e6, None, None),
          ("net_income", "2024Q3", None, -6.1e6, None, None), ("eps", "2024Q3", None, -0.11, None, None)}),
        # a convenience translation in parentheses is not recorded
        (Q3_EN + "Net revenues were RMB512.4 million (US$70.2 million).",
         {("revenue", "2024Q3", None, 512.4e6, None, None)}),
        # a ratio is a percentage fact; a change percentage is not
        (Q2_CN + "毛利率为41.3%,去年同期为38.9%。",
         {("gross_margin", "2024Q2", None, 41.3, None, None), ("gross_margin", "2023Q2", None, 38.9, None, None)}),
    ],
)
def test_facts(text: str, expected: set[tuple]) -> None:
    assert facts(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        # "to A from B": B is the same period a year earlier
        (Q3_EN + "Operating income climbed to $52.6 million from $40.1 million.",
         {("operating_income", "2024Q3", None, 52.6e6, None, None), ("operating_income", "2023Q3", None, 40.1e6, None, None)}),
        (Q3_EN + "Gross margin narrowed to 33.5% from 35.2%.",
         {("gross_margin", "2024Q3", None, 33.5, None, None), ("gross_margin", "2023Q3", None, 35.2, None, None)}),
        # "versus" / "compared with" and no period of its own; a sequential cue means the previous quarter
        (Q3_EN + "Net income was $12.0 million versus $9.5 million.",
         {("net_income", "2024Q3", None, 12.0e6, None, None), ("net_income", "2023Q3", None, 9.5e6, None, None)}),
        # a period of its own still wins
        (Q3_EN + "Revenue was $84.2 million, compared with $61.0 million in the third quarter of 2022.",
         {("revenue", "2024Q3", None, 84.2e6, None, None), ("revenue", "2022Q3", None, 61.0e6, None, None)}),
    ],
)
def test_the_figure_compared_against_is_the_prior_period(text: str, expected: set[tuple]) -> None:
    assert facts(text) == expected


def test_with_a_sequential_cue_the_figure_compared_against_is_the_previous_quarter() -> None:
    found = {(f.metric, f.period, f.value) for f in annotate(Q3_EN + "Revenue grew 5% q/q to $84.2 million from $80.0 million.").facts}
    assert ("revenue", "2024Q2", 80.0e6) in found and ("revenue", "2023Q3", 80.0e6) not in found


@pytest.mark.parametrize(
    "text,expected",
    [
        # a gross loss and cash used in operations are negative
        (Q2_CN + "公司录得毛损1,850万元。", {("gross_profit", "2024Q2", None, -18.5e6, None, None)}),
        (Q2_CN + "经营活动所用现金净额为3,300万元。", {("operating_cash_flow", "2024Q2", None, -33e6, None, None)}),
    ],
)
def test_losses_and_outflows_are_negative(text: str, expected: set[tuple]) -> None:
    assert facts(text) == expected


def test_page_counts_and_analyst_estimates_are_not_facts() -> None:
    page = "远川科技二季度营收4.56亿元\n财经频道　2024-08-20 09:30　阅读 2.7万 | 分享至：微信\n"
    assert facts(page + Q2_CN + "营业收入为4.56亿元。") == {("revenue", "2024Q2", None, 456e6, None, None)}
    assert facts(Q3_EN + "Adjusted EPS was $0.91, ahead of the 84 cents analysts had expected.\n\n3,120 views") == {
        ("adjusted_eps", "2024Q3", None, 0.91, None, None)
    }


def test_labels_name_what_is_counted_and_the_segment_not_period_or_scale_words() -> None:
    assert facts(Q3_EN + "During the quarter the company repurchased approximately 2.4 million ADSs.") == {
        ("other", "2024Q3", "ADSs", 2.4e6, None, None)
    }
    # 經營收益 is operating revenue: the segment is the whole word before it, not "餐廳經"
    hk = "松月餐飲(港交所:9922)公布2024年中期業績。餐廳經營收益按年增長5.1%至人民幣11.2億元。"
    assert facts(hk) == {("revenue", "2024H1", "餐廳經營", 1.12e9, 5.1, None)}
    # period words in front of the metric ("中期收入", "第三季營收") are not a segment
    assert facts("松月餐饮公布2024年中期业绩。中期收入为11.2亿元。") == {("revenue", "2024H1", None, 1.12e9, None, None)}
    assert facts("晶測(6680)公布2024年第三季財報。晶測第三季營收新台幣128.7億元。") == {
        ("revenue", "2024Q3", None, 12.87e9, None, None)
    }


def test_results_in_a_reason_clause_after_a_forecast_word_are_facts() -> None:
    text = Q3_EN + "The company raised its annual outlook on Tuesday after sales rose 9% to $310 million."
    assert facts(text) == {("revenue", "2024Q3", None, 310e6, 9.0, None)}


def test_by_division_is_not_a_segment_name() -> None:
    text = Q3_EN + "By division, Outdoor Gear sales increased 11% to $92 million."
    assert facts(text) == {("revenue", "2024Q3", "Outdoor Gear", 92e6, 11.0, None)}


def test_metrics_listed_before_respectively_take_the_amounts_in_order() -> None:
    assert facts(Q2_CN + "营收和净亏损分别为4.5亿元和3,000万元。") == {
        ("revenue", "2024Q2", None, 450e6, None, None),
        ("net_income", "2024Q2", None, -30e6, None, None),
    }
    # a period named before the list holds for every amount in it
    assert facts(Q2_CN + "营业收入与归母净利润的上年同期数分别为4.1亿元和2,900万元。") == {
        ("revenue", "2023Q2", None, 410e6, None, None),
        ("net_income_attributable", "2023Q2", None, 29e6, None, None),
    }


def test_recurring_revenue_operating_cash_and_thresholds() -> None:
    text = (
        Q3_EN + "Annual recurring revenue (ARR) reached $240 million. Cash flow from operations of $31.5 million. "
        "The company ended the quarter with 1,120 customers contributing $100,000 or more in ARR."
    )
    found = facts(text)
    assert ("other", "2024Q3", "ARR", 240e6, None, None) in found  # a run rate, not revenue
    assert ("operating_cash_flow", "2024Q3", None, 31.5e6, None, None) in found
    assert not any(f[3] == 100_000 for f in found)  # a threshold, not a figure
    # a count is never a money metric, and the threshold in its label is not a figure
    assert facts(Q2_CN + "年收入100万元以上的客户达到56家。") == {("other", "2024Q2", "年收入100万元以上的客户", 56, None, None)}


def test_english_labels_keep_the_head_noun_phrase() -> None:
    found = facts(Q3_EN + "Average monthly active users of the Maple app were 12.5 million. The number of paying customers was 1.4 million.")
    assert ("other", "2024Q3", "average monthly active users", 12.5e6, None, None) in found
    assert ("other", "2024Q3", "paying customers", 1.4e6, None, None) in found


def test_an_adjusted_loss_is_adjusted_net_income() -> None:
    assert facts("雲圖科技(港交所:2099)公布2024年中期業績。經調整虧損為人民幣1.05億元。") == {
        ("adjusted_net_income", "2024H1", None, -105e6, None, None)
    }


def test_taiwan_news_plain_yuan_after_new_taiwan_dollars_and_the_quarter_it_keeps_naming() -> None:
    text = (
        "鼎華電子Q3賺3.1億 第四季營收估持平\n2025/11/06　記者／台北報導\n"
        "鼎華電子（3561）公布第三季財報，第三季合併營收達新台幣52.3億元，季增8.2%；稅後純益3.1億元，年增4.4%。"
        "第三季毛利率28.5%。"
    )
    ann = annotate(text)
    assert ann.currency == "TWD"
    assert {(f.metric, f.period, f.value, f.unit, f.yoy_pct, f.qoq_pct) for f in ann.facts} == {
        ("revenue", "2025Q3", 5.23e9, "TWD", None, 8.2),
        ("net_income", "2025Q3", 3.1e8, "TWD", 4.4, None),  # plain 元 in a 新台幣 text is TWD; 純益 is net income
        ("gross_margin", "2025Q3", 28.5, "%", None, None),
    }


def test_a_stray_english_word_is_not_a_label() -> None:
    # "for" is not what was paid for; with no label the figure is left out
    assert facts(Q3_EN + "The company sold a warehouse for US$4.4 million.") == set()


def test_exchange_rates_and_share_prices_are_not_facts() -> None:
    text = Q2_CN + "美元金额按1美元兑7.10元人民币折算。公司股价报收12.5美元/股,市值为8.6亿美元。"
    assert facts(text) == set()


def test_guidance_ranges_get_the_next_period() -> None:
    text = Q2_CN + "公司预计2024年第三季度营业收入将在4.8亿元至5.0亿元之间。"
    ann = annotate(text)
    assert [(g.metric, g.period, g.low, g.high, g.unit) for g in ann.guidance] == [("revenue", "2024Q3", 480e6, 500e6, "CNY")]
    assert ann.facts == []


def test_outlook_bullets_after_a_colon_are_guidance() -> None:
    text = Q3_EN + "\nFor the fourth quarter of 2024, the company expects:\n- Revenue of $88 million to $91 million.\n"
    ann = annotate(text)
    assert [(g.metric, g.period, g.low, g.high) for g in ann.guidance] == [("revenue", "2024Q4", 88e6, 91e6)]


def test_evidence_is_a_slice_of_the_document() -> None:
    text = Q2_CN + "营业收入为4.56亿元人民币,同比增长8%。净亏损为3,150万元。"
    for f in annotate(text).facts:
        assert f.evidence in text


@pytest.mark.parametrize(
    "text,period",
    [
        ("公司公布截至2024年6月30日止六个月的中期业绩。", "2024H1"),
        ("Results for the quarter ended September 30, 2024.", "2024Q3"),
        ("公司发布2024财年第三财季财报。", "2024Q3"),
        ("Redwood reports third quarter of fiscal 2024 results.", "2024Q3"),
        ("声网发布2021年Q4及全年财报。", "2021FY"),
        ("公司披露2024年前三季度业绩。", "20249M"),
        ("The company posted first-half 2024 results.", "2024H1"),
    ],
)
def test_main_period(text: str, period: str) -> None:
    assert str(main_period(text)) == period


def test_fiscal_quarter_end_date_is_taken_from_the_text() -> None:
    text = "Redwood reports results for the third quarter of fiscal 2024, which ended March 31, 2024."
    assert period_end_stated(text, Period(2024, "Q3")) == "2024-03-31"


def test_relative_mentions() -> None:
    kinds = [m.kind for m in find_mentions("去年同期为1亿元,上一季度为2亿元,2022年同期为3亿元")]
    assert kinds == ["same_period_last_year", "previous_quarter", "year_same_period"]


@pytest.mark.parametrize(
    "text,ticker,exchange",
    [
        ("极光(Aurora Mobile,纳斯达克股票代码:JG)公布财报", "JG", "NASDAQ"),
        ("声网Agora(API.NASDAQ)今日发布财报", "API", "NASDAQ"),
        ("鼎盛物业服务(06118.HK)公布中期业绩", "06118", "HKEX"),
        ("雅诺新材(603715.SH):前三季度归母净利润3.91亿元", "603715", "SSE"),
        ("Maple Robotics (NASDAQ: MPLR) reported", "MPLR", "NASDAQ"),
        ("某公司公布业绩,营收增长", None, None),
    ],
)
def test_header_ticker_and_exchange(text: str, ticker: str | None, exchange: str | None) -> None:
    header = find_header(text)
    assert (header.ticker, header.exchange) == (ticker, exchange)
