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


FY_SUMMARY = "- 2023年度,集團營業額增加6﹒2%至812﹒4億元(美元;下同),錄得股東應佔溢利9﹒1億元。"


def test_declared_currency_holds_for_plain_yuan() -> None:
    ann = annotate(FY_SUMMARY + "集團之現金結餘為120﹒5億元。")
    assert ann.currency == "USD"
    assert {(f.metric, f.unit, f.value) for f in ann.facts} == {
        ("revenue", "USD", 81.24e9), ("net_income_attributable", "USD", 910e6), ("cash", "USD", 12.05e9)
    }


def test_numbered_items_name_segments() -> None:
    text = FY_SUMMARY + (
        "年內業務概況如下: (一)物流:營業額下降3﹒5%至300﹒2億元,分部溢利減少8%至 12﹒6億元; "
        "(二)零售: 1﹒超市:營業額增加4%至200億元,錄得分部 虧損3100萬元; (三)於2023年12月31日,總債務為55﹒2億元。"
    )
    got = changes(text)
    assert ("revenue", "2023FY", "物流", 30.02e9, -3.5, None) in got
    assert ("other", "2023FY", "物流分部溢利", 1.26e9, -8.0, None) in got
    assert ("revenue", "2023FY", "超市", 20e9, 4.0, None) in got
    assert ("other", "2023FY", "超市分部溢利", -31e6, None, None) in got
    assert ("other", "2023FY", "總債務", 5.52e9, None, None) in got


@pytest.mark.parametrize(
    "text,expected",
    [
        # variant 凈 for 淨
        (FY_HK + "歸母凈利潤4.12億元。", {("net_income_attributable", "2023FY", None, 412e6)}),
        # the label is the noun phrase: no subject, aside or change words
        (FY_HK + "集團之銀行借貸為6﹒8億元。", {("other", "2023FY", "銀行借貸", 680e6)}),
        (FY_HK + "資本負債比率(以借貸除以總資產計算)為18﹒4%。", {("other", "2023FY", "資本負債比率", 18.4)}),
        (FY_HK + "已實施的股份回購金額3.5億元。", {("other", "2023FY", "股份回購金額", 350e6)}),
        # an adverb is no label: nothing is recorded rather than "僅為"
        (FY_HK + "規模較小,僅為820萬元。", set()),
    ],
)
def test_other_labels(text: str, expected: set[tuple]) -> None:
    assert facts(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        # the company's name before its ticker is never a segment
        ("8月20日,云禾(NASDAQ:YHE)公布2024年第二季度财报。云禾直播业务收入为2.4亿元。",
         {("revenue", "2024Q2", "直播", 240e6)}),
        ("青石科技公布2024年第二季度业绩。今年第二季度青石科技总收入为9.6亿元。",
         {("revenue", "2024Q2", None, 960e6)}),
        # an acronym in brackets stays with its name; a count is no amount of money
        ("云禾公布2024年第二季度财报。平均月活跃用户数(MAU)为8650万。",
         {("other", "2024Q2", "平均月活跃用户数(MAU)", 86.5e6)}),
    ],
)
def test_company_names_and_acronyms(text: str, expected: set[tuple]) -> None:
    assert facts(text) == expected


def test_buyback_amount_and_count_are_two_facts() -> None:
    got = facts("云禾公布2024年第二季度财报。公司在二季度斥资约1,200万美元回购了约300万股美国存托股。")
    assert ("other", "2024Q2", "回购", 12e6) in got and ("other", "2024Q2", "回购", 3e6) in got


@pytest.mark.parametrize(
    "text,expected",
    [
        # HK comparison figures in brackets: "(2022年:…)" is the same period a year earlier
        (H1_HK + "期內錄得基礎淨虧損5200萬港元(2023年:1800萬港元)。",
         {("adjusted_net_income", "2024H1", None, -52e6), ("adjusted_net_income", "2023H1", None, -18e6)}),
        (H1_HK + "股權持有人應佔虧損為640萬港元(2023年同期:應佔虧損為910萬港元)。",
         {("net_income_attributable", "2024H1", None, -6.4e6), ("net_income_attributable", "2023H1", None, -9.1e6)}),
        # a balance-sheet ratio against the previous year-end; days against the previous year
        (FY_HK + "資產負債比率為21﹒5%(2022年12月31日:19﹒8%),存貨周 轉天數為41天(2022年:37天)。",
         {("other", "2023FY", "資產負債比率", 21.5), ("other", "2022FY", "資產負債比率", 19.8),
          ("other", "2023FY", "存貨周轉天數", 41.0), ("other", "2022FY", "存貨周轉天數", 37.0)}),
        # a share that is only a bound is not recorded
        (FY_HK + "海外收入佔比已超過35%。", set()),
    ],
)
def test_bracketed_comparisons(text: str, expected: set[tuple]) -> None:
    assert facts(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        # six months that end in September or December are the first half of a fiscal year
        # ending six months later, named by the year it ends
        ("翠岭餐饮(01234)发布截至2023年9月30日止6个月业绩,收入25.1亿港元。", {("revenue", "2024H1", None, 2.51e9)}),
        ("【财华社讯】远帆集团(01888.HK)公布,截至2023年12月31日止六个月,集团录得纯利约3200万港元。",
         {("net_income", "2024H1", None, 32e6)}),
        ("海川科技公布截至2024年6月30日止六个月业绩,收入9.8亿元。", {("revenue", "2024H1", None, 980e6)}),
        # the year from the dateline: "去年…全年業績" published in 2025 is 2024FY
        ("港股直擊 | 2025-03-04 12:05\n北辰銀行公布截至去年12月底止全年業績,列賬基準除稅前溢利12.4億元(美元‧下同)。",
         {("other", "2024FY", "列賬基準除稅前溢利", 1.24e9)}),
    ],
)
def test_periods_of_real_headlines(text: str, expected: set[tuple]) -> None:
    assert facts(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        # a business line's share of the total under its numbered heading
        (FY_SUMMARY + "業務概況如下: (一)物流:營業額下降3﹒5%至300﹒2億元,佔總營業額37﹒0%;",
         {("revenue", "2023FY", "物流", 30.02e9), ("other", "2023FY", "物流營業額佔比", 37.0)}),
        # revenue "源自" a business line
        ("中禾药业公布截至2024年6月30日止六个月业绩。源自中成药的收益增长约12.5%至3.12亿元。",
         {("revenue", "2024H1", "中成药", 312e6)}),
    ],
)
def test_shares_and_sources(text: str, expected: set[tuple]) -> None:
    got = facts(text)
    assert expected <= got


def test_resolver_keeps_an_amount_and_a_count_under_one_label() -> None:
    from extract.resolver import resolve

    text = "公司斥资约1,200万美元回购了约300万股美国存托股。"
    entry = {"metric": "other", "period": "2024Q2", "segment": "回购", "yoy_pct": None, "qoq_pct": None}
    report = {"metrics": [
        {**entry, "value": 12e6, "unit": "USD", "evidence": "斥资约1,200万美元"},
        {**entry, "value": 3e6, "unit": "count", "evidence": "回购了约300万股"},
        {**entry, "value": 3e6, "unit": "count", "evidence": "回购了约300万股"},
    ], "guidance": []}  # fmt: skip
    kept = resolve(report, text).report["metrics"]
    assert [(e["unit"], e["value"]) for e in kept] == [("USD", 12e6), ("count", 3e6)]


Q1_CN = "星河汽车公布2024年第一季度财报。"


@pytest.mark.parametrize(
    "text,expected",
    [
        # a model year is not a count
        (Q1_CN + "在2024款星河S7上市后,不少车主反映2023款车型降价。", set()),
        # counts name what they count, Latin model names included
        (Q1_CN + "其中包括5120辆S7和1830辆X9。", {("other", "2024Q1", "S7", 5120.0), ("other", "2024Q1", "X9", 1830.0)}),
        # trading turnover and the share capital are not the company's results
        (Q1_CN + "股价跌3.1%,成交额82.6万港元。", set()),
        (Q1_CN + "以公司总股本512,000,000股为基数。", set()),
        # operating profit turned into a loss is a negative operating income
        (Q1_CN + "由营业盈利转为亏损1500万元。", {("operating_income", "2024Q1", None, -15e6)}),
        (Q1_CN + "本报告期内营业收入1,234,567,890.12元。", {("revenue", "2024Q1", None, 1234567890.12)}),
        (Q1_CN + "主营业务成本为2.31亿元。", {("cost_of_revenue", "2024Q1", None, 231e6)}),
    ],
)
def test_counts_and_non_results(text: str, expected: set[tuple]) -> None:
    assert facts(text) == expected


def test_headline_restating_a_body_figure_is_dropped() -> None:
    text = "星河汽车一季度交付1.2万辆\n星河汽车公布2024年第一季度财报。\n2024年第一季度星河汽车共交付12,210辆。\n"
    assert facts(text) == {("other", "2024Q1", "交付量", 12210.0)}


@pytest.mark.parametrize(
    "text,expected",
    [
        # volumes sold or delivered are named "<what><verb>量", whatever the clause opens with
        (Q1_CN + "2024年第一季度星河汽车共交付8,120辆星河S7。", {("other", "2024Q1", "星河S7交付量", 8120.0)}),
        ("南岭牧业公布2024年半年度报告。2024年上半年公司共销售生猪1520.5万头。",
         {("other", "2024H1", "生猪销售量", 15205000.0)}),
        (Q1_CN + "该公司的汽车交付量为9,310辆。", {("other", "2024Q1", "汽车交付量", 9310.0)}),
    ],
)
def test_volume_labels(text: str, expected: set[tuple]) -> None:
    assert facts(text) == expected


def guidance(text: str) -> set[tuple]:
    return {(g.metric, g.period, g.segment, g.low, g.high, g.unit) for g in annotate(text).guidance}


@pytest.mark.parametrize(
    "text,expected",
    [
        # a loss range written as positive numbers after 亏损 is negative
        ("寒山文化2024年第一季度业绩预告:归属于上市公司股东的净利润预计亏损1,500万元–2,500万元。",
         {("net_income_attributable", "2024Q1", None, -25e6, -15e6, "CNY")}),
        # a count range is guided as `other`, named by its noun; the money range keeps its metric
        (Q1_CN + "公司预计,二季度汽车交付量将介乎21000至23000辆,总收入将介乎人民币48至52亿元。",
         {("other", "2024Q2", "汽车交付量", 21000.0, 23000.0, "count"),
          ("revenue", "2024Q2", None, 4.8e9, 5.2e9, "CNY")}),
    ],
)
def test_guidance_shapes(text: str, expected: set[tuple]) -> None:
    assert guidance(text) == expected


def test_growth_range_restating_a_guided_range_is_not_a_second_entry() -> None:
    text = Q1_CN + "公司预计,二季度总收入将介乎人民币48至52亿元,同比增长10.5%至19.7%。"
    assert guidance(text) == {("revenue", "2024Q2", None, 4.8e9, 5.2e9, "CNY")}


def test_year_to_date_figures() -> None:
    # an A-share third-quarter report that leads with the year to date reports 9M
    text = ("来源:财经快讯2024-10-29\n南岭铜业10月28日发布2024年三季度报告,前三季度实现营业收入412.3亿元,同比增长8.1%。"
            "其中,第三季度实现营业收入140.2亿元。")
    ann = annotate(text)
    assert {(f.metric, f.period, f.value) for f in ann.facts} == {("revenue", "20249M", 41.23e9), ("revenue", "2024Q3", 14.02e9)}
    # "1-9月," opening a sentence names the year to date
    got = facts("泰岳医药(01234)发布2024年第三季度业绩,营业收入约12.5亿元。\n1-9月,营收约36.2亿元,同比增长21.5%。")
    assert got == {("revenue", "2024Q3", None, 1.25e9), ("revenue", "20249M", None, 3.62e9)}


Q2_CN = "星河汽车公布2024年第二季度财报。"


@pytest.mark.parametrize(
    "text,expected",
    [
        # "…比上年同期的X": a clause naming nothing new continues the figure just stated
        ("海岚股份公布2024年第三季度报告。2024年第三季度外汇净损益8,120万元,比上年同期的1,560万元,增加近6,560万元。",
         {("other", "2024Q3", "外汇净损益", 81.2e6), ("other", "2023Q3", "外汇净损益", 15.6e6)}),
        # a result measured against expectations is still a result; the expectation is not recorded
        (Q2_CN + "公司毛利率12.3%,高于预期的10.2%,上年同期13.1%;经调整后每股亏损0.82元人民币,低于预期的1.05元。",
         {("gross_margin", "2024Q2", None, 12.3), ("gross_margin", "2023Q2", None, 13.1),
          ("adjusted_eps", "2024Q2", None, -0.82)}),
    ],
)
def test_continuations_and_expectations(text: str, expected: set[tuple]) -> None:
    assert facts(text) == expected


def test_continuing_a_loss_keeps_its_sign() -> None:
    got = facts(Q2_CN + "净亏损为人民币3,420万元(471万美元),2023年同期为5,160万元。")
    assert got == {("net_income", "2024Q2", None, -34.2e6), ("net_income", "2023Q2", None, -51.6e6)}


@pytest.mark.parametrize(
    "text,expected",
    [
        # a share of the total right after a business line's figure is that line's share
        (FY_HK + "汽車電子收入為18.2億港元,按年增長12.5%,佔總收入約36%。",
         {("revenue", "2023FY", "汽車電子", 1.82e9), ("other", "2023FY", "汽車電子佔總收入比例", 36.0)}),
        # a share with no business line named is not recorded
        (FY_HK + "佔總收入約36%。", set()),
        (FY_HK + "年內集團錄得經營業務現金流入淨額3.1億港元。", {("operating_cash_flow", "2023FY", None, 310e6)}),
    ],
)
def test_shares_of_named_lines(text: str, expected: set[tuple]) -> None:
    assert facts(text) == expected


H1_CN = "青岚控股公布2024年半年度报告。"


@pytest.mark.parametrize(
    "text,expected",
    [
        # "X板块实现营收…": the line is the subject of 实现
        (H1_CN + "智能制造板块实现营收12.6亿元,较去年同期增长8.2%。", {("revenue", "2024H1", "智能制造", 1.26e9)}),
        # income-statement gains are not revenue
        (H1_CN + "公司确认资产处置收益8000万元。", {("other", "2024H1", "资产处置收益", 80e6)}),
        # a loss named by its business line is that line's; a bare loss is the company's
        (H1_CN + "酒店业务亏损4200万港元。", {("other", "2024H1", "酒店业务亏损", -42e6)}),
        (H1_CN + "2023年则亏损1.1亿元。", {("net_income", "2023FY", None, -110e6)}),
        # the figure's name may follow it; an earlier clause's change ends that metric
        (H1_CN + "尽管销售收入增加,但上半年仍出现2.4亿元的净亏损。", {("net_income", "2024H1", None, -240e6)}),
    ],
)
def test_line_subjects_and_losses(text: str, expected: set[tuple]) -> None:
    assert facts(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        # "第一季度、第二季度…分别为A、B": one listed period each
        (H1_CN + "第一季度、第二季度归属于母公司所有者的净利润分别为-3.20亿元、-1.10亿元。",
         {("net_income_attributable", "2024Q1", None, -320e6), ("net_income_attributable", "2024Q2", None, -110e6)}),
        # a market price per unit of product is not a result
        (H1_CN + "生猪价格维持在18元/KG上方波动。", set()),
        # "今年二季度" before any dated period: the quarter of the latest year the article dates
        ("8月20日,星河汽车公布的财报显示,该公司今年二季度实现营业总收入52.1亿元;2024年第一季度为47.3亿元。",
         {("revenue", "2024Q2", None, 5.21e9), ("revenue", "2024Q1", None, 4.73e9)}),
    ],
)
def test_listed_periods_prices_this_year(text: str, expected: set[tuple]) -> None:
    assert facts(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        # figures in brackets after a comparison figure break it down, in its period
        ("【财华社讯】远帆集团(01888.HK)公布,截至2024年6月30日止六个月,集团录得纯利约8200万港元,"
         "上年同期则约为910万港元(持续经营业务溢利约5200万港元,及已终止经营业务亏损约4290万港元)。",
         {("net_income", "2024H1", None, 82e6), ("net_income", "2023H1", None, 9.1e6),
          ("other", "2023H1", "持续经营业务溢利", 52e6), ("other", "2023H1", "已终止经营业务亏损", -42.9e6)}),
        # "(2023年:无)" labels a comparison; it is not the figure's own period
        (H1_CN + "集团期内取得政府补助1250万港元(2023年:无)。", {("other", "2024H1", "取得政府补助", 12.5e6)}),
    ],
)
def test_bracketed_breakdowns(text: str, expected: set[tuple]) -> None:
    assert facts(text) == expected


def test_period_end_date_opening_the_sentence_holds_for_its_balance() -> None:
    text = ("10月20日,云禾(NYSE:YHE)公布了截至2024年9月30日的第三季度财报。经调整后的净亏损由第二季度的1.5亿元收窄为0.9亿元。\n"
            "截至2024年9月30日,云禾持有现金及现金等价物、定期存款和短期投资总额为52亿元。")
    assert ("cash", "2024Q3", None, 5.2e9) in facts(text)


@pytest.mark.parametrize(
    "text,expected",
    [
        # "由<earlier period>的A收窄为B": B is this period's figure, A the earlier one's
        ("云禾公布2024年第三季度财报。经调整后的净亏损由第二季度的1.8亿元收窄为0.96亿元。",
         {("adjusted_net_income", "2024Q2", None, -180e6), ("adjusted_net_income", "2024Q3", None, -96e6)}),
        # "从去年同期的负A%转为正B%": a margin turning positive from a negative level
        (Q2_CN + "第二季度,该公司的毛利率实现转正,从去年同期的负12.5%转为正3.2%。",
         {("gross_margin", "2023Q2", None, -12.5), ("gross_margin", "2024Q2", None, 3.2)}),
    ],
)
def test_from_to(text: str, expected: set[tuple]) -> None:
    assert facts(text) == expected


def test_a_regulators_guideline_is_not_guidance() -> None:
    text = FY_HK + "根據《上市公司自律監管指引第9號》的規定,公司2023年度已實施的股份回購金額3.4億元視同現金分紅。"
    assert ("other", "2023FY", "股份回購金額", 340e6) in facts(text) and not annotate(text).guidance


@pytest.mark.parametrize(
    "text,expected",
    [
        # after a listed change a new item starts: "收入减少及作出…拨备X" is the provision, not revenue
        (H1_CN + "业绩下滑主要因为确认入账的收入减少及作出应占减值拨备3200万港元。", {("other", "2024H1", "作出应占减值拨备", 32e6)}),
        # the company's own name is no part of what a count counts
        (Q2_CN + "包括512座星河汽车自营超级充电站及96座目的地充电站。",
         {("other", "2024Q2", "自营超级充电站", 512.0), ("other", "2024Q2", "目的地充电站", 96.0)}),
    ],
)
def test_items_after_changes_and_counted_nouns(text: str, expected: set[tuple]) -> None:
    assert facts(text) == expected


FY_CN = "青岚食品公布2024年年度报告。"


@pytest.mark.parametrize(
    "text,expected",
    [
        # "A、B和C三大品类收入分别为x、y和z": one line each, in order
        (FY_CN + "公司冻干食品、即食汤品和调味酱三大品类收入分别为6.12亿元、3.05亿元和1.48亿元。",
         {("revenue", "2024FY", "冻干食品", 612e6), ("revenue", "2024FY", "即食汤品", 305e6), ("revenue", "2024FY", "调味酱", 148e6)}),
        # a peer named in the same sentence: its figures are not the company's
        (FY_CN + "同为调味品企业的山野食品全年营收为58.2亿元。", set()),
        # consolidated revenue is the company's revenue, not a segment
        ("聯曜光電公布2024年第三季財報。第三季合併營收達新台幣68.1億元。", {("revenue", "2024Q3", None, 6.81e9)}),
        # 非美国通用会计准则 in brackets after 经调整
        ("博言教育公布2025财年第一财季财报。经调整（非美国通用会计准则）经营利润为1.02亿美元。",
         {("adjusted_operating_income", "2025Q1", None, 102e6)}),
    ],
)
def test_lists_peers_and_consolidated(text: str, expected: set[tuple]) -> None:
    assert facts(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        (FY_CN + "公司董事长说:“冻干产品去年全年出货接近310万箱。”", {("other", "2024FY", "出货量", 3.1e6)}),
        # a ceiling ("控制在…以内") is a bound, not a figure
        (FY_CN + "我们把全年经营亏损控制在3,000万元以内的目标不变。", set()),
    ],
)
def test_volumes_and_ceilings(text: str, expected: set[tuple]) -> None:
    assert facts(text) == expected


@pytest.mark.parametrize(
    "text,ticker",
    [
        ("华盛(国际)(00712)发布中期业绩,公司实现收入约为2.1亿港元。", "00712"),
        ("南岭牧业(行情002918,诊股)发布半年报,上半年营收80亿元。", "002918"),
    ],
)
def test_tickers_on_real_pages(text: str, ticker: str) -> None:
    from extract.schemas.earnings_report.header import find_header

    assert find_header(text).ticker == ticker


@pytest.mark.parametrize(
    "text,expected",
    [
        (FY_HK + "年內收益按年增長12.5%至48.6億港元,按季升3%。", {("revenue", "2023FY", None, 4.86e9, 12.5, 3.0)}),
        (FY_HK + "集團錄得股東應佔虧損3.2億港元,虧損收窄41%。", {("net_income_attributable", "2023FY", None, -320e6, -41.0, None)}),
        (FY_HK + "集團年度轉賺1.8億港元,去年同期虧損2.6億港元。",
         {("net_income", "2023FY", None, 180e6, None, None), ("net_income", "2022FY", None, -260e6, None, None)}),
        (FY_HK + "集團年度由虧轉盈2.11億港幣,每股盈利8.8仙。",
         {("net_income", "2023FY", None, 211e6, None, None), ("eps", "2023FY", None, 0.088, None, None)}),
    ],
)
def test_hk_press_wording(text: str, expected: set[tuple]) -> None:
    assert changes(text) == expected
