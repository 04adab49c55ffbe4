"""Tests for extract.amounts: the deterministic number reader behind every extracted value.

Expected values are written by hand from the domain rules (docs: shared spec), not copied
from the parser's output.
"""

from __future__ import annotations

import math
import sys
import types
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.amounts import (
    Amount,
    Percent,
    Range,
    find_amounts,
    find_percents,
    find_ranges,
    normalize_width,
    parse_amount,
    parse_number,
)


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


# ------------------------------------------------------------------ one amount per text
# (text, expected amount text, value, unit)
ONE_AMOUNT = [
    # Chinese scales and currencies
    ("收入为7,330万元人民币,同比下降4%", "7,330万元人民币", 73_300_000, "CNY"),
    ("2021年总体营收为1.68亿美元", "1.68亿美元", 168_000_000, "USD"),
    ("截至2022年12月31日为1.163亿元人民币。", "1.163亿元人民币", 116_300_000, "CNY"),
    ("第四季度实现营收4039万美元", "4039万美元", 40_390_000, "USD"),
    ("营收为4039万", "4039万", 40_390_000, None),
    ("总收入为人民币5.862亿元", "人民币5.862亿元", 586_200_000, "CNY"),
    ("净收入为人民币5,846.1百万元", "人民币5,846.1百万元", 5_846_100_000, "CNY"),
    ("收入823.4百万美元", "823.4百万美元", 823_400_000, "USD"),
    ("市值为11.61亿美元", "11.61亿美元", 1_161_000_000, "USD"),
    ("收入3千万元", "3千万元", 30_000_000, "CNY"),
    ("投资10十万元", "10十万元", 10 * 100_000, "CNY"),
    ("规模达1.2万亿元", "1.2万亿元", 1.2e12, "CNY"),
    ("募资3.5十亿港元", "3.5十亿港元", 3.5e9, "HKD"),
    ("估值25百亿日元", "25百亿日元", 25e10, "JPY"),
    ("规模5千亿", "5千亿", 5e11, None),
    ("成本5千元", "5千元", 5_000, "CNY"),
    ("收入1亿2000万元", "1亿2000万元", 120_000_000, "CNY"),
    ("营收62,418.35万元", "62,418.35万元", 624_183_500, "CNY"),
    ("净利润8,736,512,408.57元", "8,736,512,408.57元", 8_736_512_408.57, "CNY"),
    ("收益1.5亿欧元", "1.5亿欧元", 150_000_000, "EUR"),
    ("收入2亿英镑", "2亿英镑", 200_000_000, "GBP"),
    ("营收新台币128.7亿元", "新台币128.7亿元", 12_870_000_000, "TWD"),
    ("营收128.7亿新台币", "128.7亿新台币", 12_870_000_000, "TWD"),
    ("收益港币68.42亿元", "港币68.42亿元", 6_842_000_000, "HKD"),
    ("收益58.36亿港元", "58.36亿港元", 5_836_000_000, "HKD"),
    ("收益58.36亿港币", "58.36亿港币", 5_836_000_000, "HKD"),
    ("收入300万美金", "300万美金", 3_000_000, "USD"),
    ("约合1.2亿元港币", "1.2亿元港币", 120_000_000, "HKD"),
    ("价格为343.8元", "343.8元", 343.8, "CNY"),
    ("目标价为11美元", "11美元", 11, "USD"),
    ("股价报收10.02美元/股", "10.02美元/股", 10.02, "USD"),
    # symbols and codes before the number
    ("售价¥199", "¥199", 199, "CNY"),
    ("售价￥1.5万", "￥1.5万", 15_000, "CNY"),
    ("Revenue was $3.3 million.", "$3.3 million", 3_300_000, "USD"),
    ("Revenue was US$1.2 billion.", "US$1.2 billion", 1.2e9, "USD"),
    ("Revenue was US$10.1 million.", "US$10.1 million", 10_100_000, "USD"),
    ("Revenue was RMB73.3mn.", "RMB73.3mn", 73_300_000, "CNY"),
    ("Revenue was US$1.2bn.", "US$1.2bn", 1.2e9, "USD"),
    ("Revenue was RMB 612.4 million.", "RMB 612.4 million", 612_400_000, "CNY"),
    ("Revenue was HK$5.2 billion.", "HK$5.2 billion", 5.2e9, "HKD"),
    ("Revenue was NT$12.5 billion.", "NT$12.5 billion", 12.5e9, "TWD"),
    ("Revenue was €2.1 million.", "€2.1 million", 2_100_000, "EUR"),
    ("Revenue was £3 million.", "£3 million", 3_000_000, "GBP"),
    ("Revenue was JPY 500 million.", "JPY 500 million", 500_000_000, "JPY"),
    ("Revenue was USD 284,615 thousand.", "USD 284,615 thousand", 284_615_000, "USD"),
    ("Revenue was $5M.", "$5M", 5_000_000, "USD"),
    ("Revenue was $5m.", "$5m", 5_000_000, "USD"),
    ("Revenue was $250k.", "$250k", 250_000, "USD"),
    ("Revenue was $1.2B.", "$1.2B", 1.2e9, "USD"),
    ("Revenue was $3MM.", "$3MM", 3_000_000, "USD"),
    ("Revenue was $2.5 trillion.", "$2.5 trillion", 2.5e12, "USD"),
    ("Revenue was $2.5tn.", "$2.5tn", 2.5e12, "USD"),
    ("Revenue was $100,000.", "$100,000", 100_000, "USD"),
    ("Revenue was $1.5 Million.", "$1.5 Million", 1_500_000, "USD"),
    ("Revenue was $1.5mln.", "$1.5mln", 1_500_000, "USD"),
    ("Revenue was 73.3 million yuan.", "73.3 million yuan", 73_300_000, "CNY"),
    ("Revenue was 73.3 million RMB.", "73.3 million RMB", 73_300_000, "CNY"),
    ("Revenue was 1.2 billion US dollars.", "1.2 billion US dollars", 1.2e9, "USD"),
    ("Revenue was 5 billion Hong Kong dollars.", "5 billion Hong Kong dollars", 5e9, "HKD"),
    ("Revenue was 10 million euros.", "10 million euros", 10_000_000, "EUR"),
    ("Revenue was 12.5 million.", "12.5 million", 12_500_000, None),
    ("Revenue was 3 billion.", "3 billion", 3e9, None),
    ("Revenue was RMB7.0176.", "RMB7.0176", 7.0176, "CNY"),
    # negatives
    ("净利润为-618万美元", "-618万美元", -6_180_000, "USD"),
    ("净利润为\u2212618万美元", "\u2212618万美元", -6_180_000, "USD"),
    ("2022年同期为负2,270万元", "负2,270万元", -22_700_000, "CNY"),
    ("净利润-8,642.51万元", "-8,642.51万元", -86_425_100, "CNY"),
    ("Net loss was -$3.3 million.", "-$3.3 million", -3_300_000, "USD"),
    ("Net loss was US$-3.3 million.", "US$-3.3 million", -3_300_000, "USD"),
    ("净利润为－618万美元", "－618万美元", -6_180_000, "USD"),
    # counts and days
    ("全球活跃客户数量达2670个", "2670个", 2_670, "count"),
    ("全球注册应用数量增长至40.5万个", "40.5万个", 405_000, "count"),
    ("海外邮件请求总量为33亿次", "33亿次", 3.3e9, "count"),
    ("2023年第二季度回购443,121股ADS", "443,121股", 443_121, "count"),
    ("累计回购1,831,099股美国存托股票", "1,831,099股", 1_831_099, "count"),
    ("付费客户数为2,318家", "2,318家", 2_318, "count"),
    ("员工人数为3,500名", "3,500名", 3_500, "count"),
    ("付费用户40.5万人", "40.5万人", 405_000, "count"),
    ("会员1,200万户", "1,200万户", 12_000_000, "count"),
    ("累计销量12.4万辆", "12.4万辆", 124_000, "count"),
    ("学员人次为312.6万人次", "312.6万人次", 3_126_000, "count"),
    ("应收账款周转天数为37天", "37天", 37, "days"),
    ("DSO was 37 days.", "37 days", 37, "days"),
    ("Paying users reached 10.1 million users.", "10.1 million users", 10_100_000, "count"),
    ("The company served 2,284 customers.", "2,284 customers", 2_284, "count"),
    ("It repurchased 2.6 million shares.", "2.6 million shares", 2_600_000, "count"),
    ("It repurchased 1.9 million ADSs.", "1.9 million ADSs", 1_900_000, "count"),
    ("It has 48.6 million monthly active users.", "48.6 million monthly active users", 48_600_000, "count"),
    # Chinese numerals
    ("融资三千万元", "三千万元", 30_000_000, "CNY"),
    ("融资两亿美元", "两亿美元", 200_000_000, "USD"),
    ("市值十二亿", "十二亿", 1_200_000_000, None),
    ("融资三点五亿元", "三点五亿元", 350_000_000, "CNY"),
    ("用户突破一千二百万", "一千二百万", 12_000_000, None),
    ("门店五百家", "五百家", 500, "count"),
    ("奖励五元", "五元", 5, "CNY"),
    ("融资三亿五千万元", "三亿五千万元", 350_000_000, "CNY"),
    # traditional characters and full width
    ("收益為58.36億港元", "58.36億港元", 5_836_000_000, "HKD"),
    ("淨利潤為人民幣9,820萬元", "人民幣9,820萬元", 98_200_000, "CNY"),
    ("收入７,３３０万元", "７,３３０万元", 73_300_000, "CNY"),
    ("收入７，３３０万元人民币", "７，３３０万元人民币", 73_300_000, "CNY"),
    ("收入１．６８亿美元", "１．６８亿美元", 168_000_000, "USD"),
    ("收入ＵＳ＄１.２ｍｉｌｌｉｏｎ", "ＵＳ＄１.２ｍｉｌｌｉｏｎ", 1_200_000, "USD"),
    ("營收新臺幣490億元", "新臺幣490億元", 49_000_000_000, "TWD"),
    ("派息兩億港幣", "兩億港幣", 200_000_000, "HKD"),
    # thousands separator only with exactly three digits
    ("余额为1,234,567元", "1,234,567元", 1_234_567, "CNY"),
    ("余额为12,345.6万元", "12,345.6万元", 123_456_000, "CNY"),
    # a space between number and scale
    ("收入7,330 万元", "7,330 万元", 73_300_000, "CNY"),
    ("营收为12.3 亿元", "12.3 亿元", 1_230_000_000, "CNY"),
    ("公司总股本为10亿股", "10亿股", 1_000_000_000, "count"),
    ("营收达1.2万亿日元", "1.2万亿日元", 1.2e12, "JPY"),
    ("营收为一百二十亿元", "一百二十亿元", 12_000_000_000, "CNY"),
    ("收入为1.2亿人民币元", "1.2亿人民币元", 120_000_000, "CNY"),
    ("The company had 1,200 employees.", "1,200 employees", 1_200, "count"),
]


@pytest.mark.parametrize(("text", "span", "value", "unit"), ONE_AMOUNT)
def test_one_amount(text: str, span: str, value: float, unit: str | None) -> None:
    found = find_amounts(text)
    assert len(found) == 1, found
    a = found[0]
    assert a.text == span
    assert text[a.start:a.end] == a.text
    assert close(a.value, value), (a.value, value)
    assert a.unit == unit


# ------------------------------------------------------------------ several amounts
MULTI_AMOUNTS = [
    ("净亏损为2,370万元人民币(330万美元)", [(23_700_000, "CNY"), (3_300_000, "USD")]),
    ("净亏损为2,370万元人民币（330万美元）", [(23_700_000, "CNY"), (3_300_000, "USD")]),
    ("收入为7,330万元人民币,同比下降4%,2022年同期为7,610万元人民币", [(73_300_000, "CNY"), (76_100_000, "CNY")]),
    ("净利润分别为37.6万美元、-618万美元、-312万美元和-7236万美元",
     [(376_000, "USD"), (-6_180_000, "USD"), (-3_120_000, "USD"), (-72_360_000, "USD")]),
    ("Net revenues were RMB612.4 million (US$87.3 million), an increase of 18.2% from RMB518.1 million",
     [(612_400_000, "CNY"), (87_300_000, "USD"), (518_100_000, "CNY")]),
    ("每股美国存托股净亏损为人民币0.31元（0.04美元）", [(0.31, "CNY"), (0.04, "USD")]),
    ("按1美元兑7.0999元人民币折算", [(1, "USD"), (7.0999, "CNY")]),
    ("at the rate of RMB7.0176 to US$1.00", [(7.0176, "CNY"), (1.0, "USD")]),
    ("回购了约1,160万股ADS，总金额约5,320万美元", [(11_600_000, "count"), (53_200_000, "USD")]),
    ("付费客户数为2,318家，2022年同期为1,946家", [(2_318, "count"), (1_946, "count")]),
    ("本季度为37天,较去年同期的46天显著改善", [(37, "days"), (46, "days")]),
    ("营收1.2亿元，净利润3000万元，毛利率30%", [(120_000_000, "CNY"), (30_000_000, "CNY")]),
    ("公司持有现金8,110万元人民币(1,120万美元),截至2022年12月31日为1.163亿元人民币",
     [(81_100_000, "CNY"), (11_200_000, "USD"), (116_300_000, "CNY")]),
    ("Revenue $58.4 $46.0", [(58.4, "USD"), (46.0, "USD")]),
]


@pytest.mark.parametrize(("text", "expected"), MULTI_AMOUNTS)
def test_several_amounts(text: str, expected: list[tuple[float, str | None]]) -> None:
    found = find_amounts(text)
    assert [(a.unit) for a in found] == [u for _, u in expected], found
    for a, (value, _) in zip(found, expected, strict=True):
        assert close(a.value, value), (a, value)
        assert text[a.start:a.end] == a.text
    assert all(x.end <= y.start for x, y in zip(found, found[1:], strict=False))


# ------------------------------------------------------------------ not amounts
NOT_AMOUNTS = [
    "2023年",
    "2023年8月31日,中国深圳",
    "截至6月30日止",
    "2021年Q4及全年财报",
    "2023财年第三财季",
    "FY2023 results",
    "第二季度",
    "Q2 results",
    "连续第6个季度",
    "早上7:30召开电话会议",
    "at 8:00 a.m. Eastern Time",
    "毛利率为65.1%",
    "市场占有率达到43.4%",
    "股票代码603259",
    "阿里巴巴(9988.HK)",
    "http://quote.eastmoney.com/unify/r/105.API?id=12345",
    "见 https://example.com/2023/08/report-100万元.html",
    "[返回首页](//finews.withounder.com/2023/12/x.html)",
    '<img src="x.png" width="578" height="276" />',
    "&#8220;引号&#8221;",
    "是国内邮件请求量的4.2倍",
    "客户增长量超过7倍",
    "6.18购物节",
    "请在电话会议开始前15分钟拨入",
    "毛利率下降1.8个百分点",
    "数十亿美元的市场",
    "几十亿",
    "统一的客户服务",
    "一季度营收",
    "一次性收益",
    "三大解决方案",
    "两家公司",
    "十分重要",
    "万一出现问题",
    "千万不要",
    "元宇宙方向",
    "公司成立于2011年",
    "COVID-19 pandemic",
    "H1 2023 and 2Q23",
    "版本V2.0",
    "12345",
    "the year 2023 was good",
    "In 2023 users grew quickly",
    "人民币2022年同期",
    "3千米长",
    "一万年太久",
    "数百万美元",
    "单位：人民币千元",
    "上千家客户",
    "十几亿元",
    "比亚迪(002594.SZ)",
    "服务热线400-123-4567",
    "北京时间2023年8月31日20:00",
    "截至2023年6月30日止六个月",
    "过去12个月",
    "排名第3位",
    "revenue grew 3 times",
]


@pytest.mark.parametrize("text", NOT_AMOUNTS)
def test_not_amounts(text: str) -> None:
    assert find_amounts(text) == []


# ------------------------------------------------------------------ approx / bound / per share
# (text, amount text, approx, bound, per_share)
QUALIFIED = [
    ("回购金额约11.91万美元", "11.91万美元", True, None, False),
    ("回购金额大约1亿元", "1亿元", True, None, False),
    ("金额约为5,320万美元", "5,320万美元", True, None, False),
    ("市场规模近1250亿元", "1250亿元", True, None, False),
    ("收入1000万元左右", "1000万元", True, None, False),
    ("about $2.4 billion", "$2.4 billion", True, None, False),
    ("approximately US$12.4 million", "US$12.4 million", True, None, False),
    ("around 1.9 million ADSs", "1.9 million ADSs", True, None, False),
    ("nearly $3 million", "$3 million", True, None, False),
    ("递延收入余额超过1.3亿元人民币", "1.3亿元人民币", False, "lower", False),
    ("RTE服务分钟数已超6000亿", "6000亿", False, "lower", False),
    ("市值逾80亿元", "80亿元", False, "lower", False),
    ("收入1000万元以上", "1000万元", False, "lower", False),
    ("收入1000多万元", "1000多万元", False, "lower", False),
    ("收入三千多万元", "三千多万元", False, "lower", False),
    ("累计销量已突破100万台", "100万台", False, "lower", False),
    ("more than 12,000 hotel partners", "12,000 hotel partners", False, "lower", False),
    ("over $5 million", "$5 million", False, "lower", False),
    ("at least $5 million", "$5 million", False, "lower", False),
    ("exceeding $5 million", "$5 million", False, "lower", False),
    ("亏损不足100万元", "100万元", False, "upper", False),
    ("成本低于500万元", "500万元", False, "upper", False),
    ("少于200家", "200家", False, "upper", False),
    ("成本500万元以下", "500万元", False, "upper", False),
    ("不低于500万元", "500万元", False, "lower", False),
    ("不超过500万元", "500万元", False, "upper", False),
    ("less than $1 million", "$1 million", False, "upper", False),
    ("under $1 million", "$1 million", False, "upper", False),
    ("up to $1 million", "$1 million", False, "upper", False),
    ("发行价为20美元/股", "20美元/股", False, None, True),
    ("每股收益0.35元", "0.35元", False, None, True),
    ("每股0.5元", "0.5元", False, None, True),
    ("基本每股收益0.08元", "0.08元", False, None, True),
    ("每股美国存托股基本及摊薄净亏损均为人民币0.31元", "人民币0.31元", False, None, True),
    ("经调整每股ADS净收益为人民币0.34元", "人民币0.34元", False, None, True),
    ("EPS 0.31元/股", "0.31元/股", False, None, True),
    ("US$0.12 per ADS", "US$0.12 per ADS", False, None, True),
    ("$0.52 per diluted share", "$0.52 per diluted share", False, None, True),
    ("$0.52 per share", "$0.52 per share", False, None, True),
    ("Diluted net income per ADS was RMB1.02", "RMB1.02", False, None, True),
    ("diluted EPS of $1.32", "$1.32", False, None, True),
    ("net income of $10 million", "$10 million", False, None, False),
    ("平均回购价格为0.27美元", "0.27美元", False, None, False),
    ("新签约1.2亿元合同", "1.2亿元", False, None, False),
    ("合约金额约1.2亿元", "1.2亿元", True, None, False),
    ("附近3家门店", "3家", False, None, False),
    ("最近1.2亿元的订单", "1.2亿元", False, None, False),
    ("两千余名员工", "两千余名", False, "lower", False),
    ("会员人数超过1.2亿", "1.2亿", False, "lower", False),
    ("每股派发现金红利0.5元(含税)", "0.5元", False, None, True),
    ("每股末期股息0.08港元", "0.08港元", False, None, True),
    ("派息每股港币0.5元", "港币0.5元", False, None, True),
    ("每股经营活动产生的现金流量净额为0.52元", "0.52元", False, None, True),
]


@pytest.mark.parametrize(("text", "span", "approx", "bound", "per_share"), QUALIFIED)
def test_qualifiers(text: str, span: str, approx: bool, bound: str | None, per_share: bool) -> None:
    found = find_amounts(text)
    assert len(found) == 1, found
    a = found[0]
    assert (a.text, a.approx, a.bound, a.per_share) == (span, approx, bound, per_share)


def test_per_share_unit_is_currency() -> None:
    a = find_amounts("发行价为0.27美元/股")[0]
    assert a.unit == "USD" and a.per_share and close(a.value, 0.27)


def test_per_share_marker_without_currency_is_not_swallowed() -> None:
    found = find_amounts("每10股派发4元")
    assert [(a.text, a.unit) for a in found] == [("10股", "count"), ("4元", "CNY")]


# ------------------------------------------------------------------ percents
# (text, [(span, value, kind, direction), ...])
PERCENTS = [
    ("收入同比下降4%", [("同比下降4%", -4.0, "yoy", -1)]),
    ("营收同比增长26%", [("同比增长26%", 26.0, "yoy", 1)]),
    ("毛利率为65.1%", [("65.1%", 65.1, None, None)]),
    ("同比增长22%，环比下滑10%", [("同比增长22%", 22.0, "yoy", 1), ("环比下滑10%", -10.0, "qoq", -1)]),
    ("亏损扩大68%", [("扩大68%", 68.0, None, 1)]),
    ("亏损同比大幅收窄42%", [("同比大幅收窄42%", -42.0, "yoy", -1)]),
    ("同比下降了4%", [("同比下降了4%", -4.0, "yoy", -1)]),
    ("同比增长约26%", [("同比增长约26%", 26.0, "yoy", 1)]),
    ("营收成本同比增加13%", [("同比增加13%", 13.0, "yoy", 1)]),
    ("同比减少27%至6,410万元", [("同比减少27%", -27.0, "yoy", -1)]),
    ("与2022年同期的7,610万元人民币相比下降4%", [("下降4%", -4.0, "yoy", -1)]),
    ("较去年同期增长5%", [("增长5%", 5.0, "yoy", 1)]),
    ("较上年同期的1.820亿元增长7.5%", [("增长7.5%", 7.5, "yoy", 1)]),
    ("较上季度增长5%", [("增长5%", 5.0, "qoq", 1)]),
    ("较前季度下降3%", [("下降3%", -3.0, "qoq", -1)]),
    ("但较前季度取得了45%的环比增长", [("45%的环比增长", 45.0, "qoq", 1)]),
    ("为订阅服务6%的增长所部分抵消", [("6%的增长", 6.0, None, 1)]),
    ("实现了超过30%的同比增长", [("30%的同比增长", 30.0, "yoy", 1)]),
    ("订阅服务收入同比增长6%、环比增长8%", [("同比增长6%", 6.0, "yoy", 1), ("环比增长8%", 8.0, "qoq", 1)]),
    ("请求量分别环比增长19%和90%", [("环比增长19%", 19.0, "qoq", 1), ("90%", 90.0, "qoq", 1)]),
    ("营收增幅分别为48%、107%和26%", [("增幅分别为48%", 48.0, None, 1), ("107%", 107.0, None, 1),
                                    ("26%", 26.0, None, 1)]),
    ("营收下降6%", [("下降6%", -6.0, None, -1)]),
    ("增速上升3%", [("上升3%", 3.0, None, 1)]),
    ("利润提升12%", [("提升12%", 12.0, None, 1)]),
    ("股价上涨约4%", [("上涨约4%", 4.0, None, 1)]),
    ("股价下跌逾6%", [("下跌逾6%", -6.0, None, -1)]),
    ("营收同比降6.3%", [("同比降6.3%", -6.3, "yoy", -1)]),
    ("净利润增27.3%", [("增27.3%", 27.3, None, 1)]),
    ("成本降低5%", [("降低5%", -5.0, None, -1)]),
    ("收入减少8%", [("减少8%", -8.0, None, -1)]),
    ("费用下滑2.5%", [("下滑2.5%", -2.5, None, -1)]),
    ("增幅不足10%", [("增幅不足10%", 10.0, None, 1)]),
    ("营收负增长5%", [("负增长5%", -5.0, None, -1)]),
    ("按年增長12.4%", [("按年增長12.4%", 12.4, "yoy", 1)]),
    ("按年減少27.4%", [("按年減少27.4%", -27.4, "yoy", -1)]),
    ("季增9.6%、年增21.3%", [("季增9.6%", 9.6, "qoq", 1), ("年增21.3%", 21.3, "yoy", 1)]),
    ("营收与2020年相比翻番", [("翻番", 100.0, None, 1)]),
    ("净利润同比翻倍", [("同比翻倍", 100.0, "yoy", 1)]),
    ("收入翻了一番", [("翻了一番", 100.0, None, 1)]),
    ("非GAAP经营利润同比增近六成", [("同比增近六成", 60.0, "yoy", 1)]),
    ("中期亏损收窄三成", [("收窄三成", -30.0, None, -1)]),
    ("营收增长4.5％", [("增长4.5％", 4.5, None, 1)]),
    ("营收增长百分之四", [("增长百分之四", 4.0, None, 1)]),
    ("占比百分之二十五点五", [("百分之二十五点五", 25.5, None, None)]),
    ("同比+21.5%", [("+21.5%", 21.5, "yoy", None)]),
    ("经营利润率为-132.6%", [("-132.6%", -132.6, None, None)]),
    ("毛利率由去年同期的40.8%提升至43.9%", [("40.8%", 40.8, None, None), ("43.9%", 43.9, None, None)]),
    ("毛利率较去年同期的57.3%下降1.8个百分点", [("57.3%", 57.3, None, None)]),
    ("占比攀升至25%", [("25%", 25.0, None, None)]),
    ("占总营收的比例由去年同期的13.6%降至11.0%", [("13.6%", 13.6, None, None), ("11.0%", 11.0, None, None)]),
    ("毛利率为43.9%，去年同期为40.8%", [("43.9%", 43.9, None, None), ("40.8%", 40.8, None, None)]),
    ("增值服务收入同比下降32%至1,150万元", [("同比下降32%", -32.0, "yoy", -1)]),
    # English
    ("Revenue was up 22% year-over-year.", [("up 22%", 22.0, "yoy", 1)]),
    ("Revenue was down 3% year over year.", [("down 3%", -3.0, "yoy", -1)]),
    ("a 4% decrease", [("4% decrease", -4.0, None, -1)]),
    ("representing a 24% increase year over year and an 11% increase quarter over quarter",
     [("24% increase", 24.0, "yoy", 1), ("11% increase", 11.0, "qoq", 1)]),
    ("Revenue decreased by 4% compared with the same period last year.", [("decreased by 4%", -4.0, "yoy", -1)]),
    ("Net revenues increased by 18.2% to RMB612.4 million", [("increased by 18.2%", 18.2, None, 1)]),
    ("an increase of 18.2% from RMB518.1 million", [("increase of 18.2%", 18.2, None, 1)]),
    ("Revenue grew 26% YoY", [("grew 26%", 26.0, "yoy", 1)]),
    ("Revenue rose 10% sequentially", [("rose 10%", 10.0, "qoq", 1)]),
    ("Revenue fell 5% QoQ", [("fell 5%", -5.0, "qoq", -1)]),
    ("Revenue declined 3% quarter-over-quarter", [("declined 3%", -3.0, "qoq", -1)]),
    ("year-over-year growth of 22%", [("growth of 22%", 22.0, "yoy", 1)]),
    ("up 5.7% from RMB107.6 million a year earlier", [("up 5.7%", 5.7, "yoy", 1)]),
    ("a 9% increase from RMB200 million in the prior-year period", [("9% increase", 9.0, "yoy", 1)]),
    ("Income from operations more than doubled year over year", [("doubled", 100.0, "yoy", 1)]),
    ("Revenue rose 4 percent", [("rose 4 percent", 4.0, None, 1)]),
    ("Revenue rose 4 per cent", [("rose 4 per cent", 4.0, None, 1)]),
    ("Revenue rose 4 pct", [("rose 4 pct", 4.0, None, 1)]),
    ("Gross margin expanded to 60.7% from 59.6%", [("60.7%", 60.7, None, None), ("59.6%", 59.6, None, None)]),
    ("an operating margin of -16.6%", [("-16.6%", -16.6, None, None)]),
    ("revenue of up to 10%", [("10%", 10.0, None, None)]),
    ("Revenue rose 10% to $5 million, and margin was 30%", [("rose 10%", 10.0, None, 1), ("30%", 30.0, None, None)]),
    ("增速为26%", [("增速为26%", 26.0, None, 1)]),
    ("营收同比增长5成", [("同比增长5成", 50.0, "yoy", 1)]),
    ("同比增长-5%", [("同比增长-5%", -5.0, "yoy", 1)]),
    ("同比增长超过50%，达到3亿元", [("同比增长超过50%", 50.0, "yoy", 1)]),
    ("较上年同期减少1.5%", [("减少1.5%", -1.5, "yoy", -1)]),
    ("revenue declined 3% on a year-over-year basis", [("declined 3%", -3.0, "yoy", -1)]),
    ("Revenue increased 22% to $10 million from $8 million a year ago.", [("increased 22%", 22.0, "yoy", 1)]),
    ("The stock fell 12% in after-hours trading", [("fell 12%", -12.0, None, -1)]),
    ("毛利率同比提升2.3个百分点至45.6%", [("45.6%", 45.6, None, None)]),
    ("海外收入占比从15%提升到25%", [("15%", 15.0, None, None), ("25%", 25.0, None, None)]),
    ("营收增长主要来自新业务，毛利率为30%", [("30%", 30.0, None, None)]),
    ("营收同比增长10%-15%", [("同比增长10%", 10.0, "yoy", 1), ("15%", 15.0, "yoy", 1)]),
    ("同比持平，为12%", [("12%", 12.0, None, None)]),
    ("收入涨跌幅为5%", [("5%", 5.0, None, None)]),
    ("expects revenue to decrease by 2-4% year over year", [("4%", -4.0, "yoy", -1)]),
    ("营收同比增长8至11%", [("11%", 11.0, "yoy", 1)]),
    ("2019-2021年营收增幅为20%", [("增幅为20%", 20.0, None, 1)]),
    ("毛利率38.4%，較上季的37.2%提升", [("38.4%", 38.4, None, None), ("37.2%", 37.2, None, None)]),
    ("同比5%", [("5%", 5.0, "yoy", None)]),
]


@pytest.mark.parametrize(("text", "expected"), PERCENTS)
def test_percents(text: str, expected: list[tuple[str, float, str | None, int | None]]) -> None:
    found = find_percents(text)
    got = [(p.text, p.value, p.kind, p.direction) for p in found]
    assert len(got) == len(expected), got
    for (span, value, kind, direction), g in zip(expected, got, strict=True):
        assert g[0] == span and close(g[1], value) and g[2] == kind and g[3] == direction, (g, expected)
    for p in found:
        assert text[p.start:p.end] == p.text


NOT_PERCENTS = [
    "毛利率下降1.8个百分点",
    "Gross margin improved 150 basis points",
    "Gross margin fell 2 percentage points",
    "margin fell 2 pct points",
    "收入增长3倍",
    "revenue tripled",
    "营收增长主要得益于全球业务扩张",
    "翻两番",
    "成本控制",
    "完成任务",
]


@pytest.mark.parametrize("text", NOT_PERCENTS)
def test_not_percents(text: str) -> None:
    assert find_percents(text) == []


def test_percent_is_not_an_amount() -> None:
    assert find_amounts("同比下降4%,毛利率65.1%, 4 percent") == []


# ------------------------------------------------------------------ ranges
# (text, range text, low, high, unit or kind)
RANGES = [
    ("预计2022年年度营收将在1.76亿美元至1.78亿美元之间", "1.76亿美元至1.78亿美元", 176e6, 178e6, "USD"),
    ("营收将在1.76亿至1.78亿美元之间", "1.76亿至1.78亿美元", 176e6, 178e6, "USD"),
    ("营收1.76亿美元-1.78亿美元", "1.76亿美元-1.78亿美元", 176e6, 178e6, "USD"),
    ("营收176-178百万美元", "176-178百万美元", 176e6, 178e6, "USD"),
    ("营收176至178百万美元", "176至178百万美元", 176e6, 178e6, "USD"),
    ("总收入将在人民币6.05亿元至6.25亿元之间", "人民币6.05亿元至6.25亿元", 605e6, 625e6, "CNY"),
    ("总营收将在21.0亿元至22.0亿元人民币之间", "21.0亿元至22.0亿元人民币", 2.1e9, 2.2e9, "CNY"),
    ("营收6,200万美元至6,500万美元", "6,200万美元至6,500万美元", 62e6, 65e6, "USD"),
    ("净利润9亿元到10亿元", "9亿元到10亿元", 9e8, 1e9, "CNY"),
    ("新开门店250至300家", "250至300家", 250, 300, "count"),
    ("expects revenue of US$176 million to US$178 million", "US$176 million to US$178 million", 176e6, 178e6, "USD"),
    ("revenue between $176 million and $178 million", "$176 million and $178 million", 176e6, 178e6, "USD"),
    ("to be between RMB640.0 million and RMB655.0 million", "RMB640.0 million and RMB655.0 million",
     640e6, 655e6, "CNY"),
    ("revenue of $176 to $178 million", "$176 to $178 million", 176e6, 178e6, "USD"),
    ("revenue of US$176-178 million", "US$176-178 million", 176e6, 178e6, "USD"),
    ("EPS of $1.32 to $1.35", "$1.32 to $1.35", 1.32, 1.35, "USD"),
    ("revenue of $1.635 billion to $1.639 billion", "$1.635 billion to $1.639 billion", 1.635e9, 1.639e9, "USD"),
    ("营收增长2%至4%", "增长2%至4%", 2.0, 4.0, None),
    ("毛利率32%至34%", "32%至34%", 32.0, 34.0, None),
    ("毛利率2%-4%", "2%-4%", 2.0, 4.0, None),
    ("毛利率2%~4%", "2%~4%", 2.0, 4.0, None),
    ("毛利率2-4%", "2-4%", 2.0, 4.0, None),
    ("总净收入将同比增长8%至11%", "同比增长8%至11%", 8.0, 11.0, "yoy"),
    ("营收增长8至11%", "增长8至11%", 8.0, 11.0, None),
    ("营收下降2%至4%", "下降2%至4%", -4.0, -2.0, None),
    ("growth of 8% to 10%", "growth of 8% to 10%", 8.0, 10.0, None),
    ("公司预计净收入介于8.95亿元与9.25亿元之间", "8.95亿元与9.25亿元", 8.95e8, 9.25e8, "CNY"),
    ("营收在1亿元和2亿元之间", "1亿元和2亿元", 1e8, 2e8, "CNY"),
    ("净利润3.24亿元~3.5亿元", "3.24亿元~3.5亿元", 3.24e8, 3.5e8, "CNY"),
    ("净利润3.24亿元～3.5亿元", "3.24亿元～3.5亿元", 3.24e8, 3.5e8, "CNY"),
    ("营收12-15亿元", "12-15亿元", 1.2e9, 1.5e9, "CNY"),
    ("营收12亿-15亿元", "12亿-15亿元", 1.2e9, 1.5e9, "CNY"),
    ("营收1.2亿—1.5亿元", "1.2亿—1.5亿元", 1.2e8, 1.5e8, "CNY"),
    ("Revenue guidance: $100-$105 million.", "$100-$105 million", 100e6, 105e6, "USD"),
    ("in the range of $100 million to $105 million", "$100 million to $105 million", 100e6, 105e6, "USD"),
    ("revenue growth of 15-17%", "growth of 15-17%", 15.0, 17.0, None),
    ("营收1.76亿至1.78亿", "1.76亿至1.78亿", 176e6, 178e6, None),
    ("expects a 2% to 4% decline in revenue", "2% to 4% decline", -4.0, -2.0, None),
    ("expects revenue to decrease by 2-4% year over year", "decrease by 2-4%", -4.0, -2.0, "yoy"),
    ("净利润下降10%~20%", "下降10%~20%", -20.0, -10.0, None),
]


@pytest.mark.parametrize(("text", "span", "low", "high", "tag"), RANGES)
def test_ranges(text: str, span: str, low: float, high: float, tag: str | None) -> None:
    found = find_ranges(text)
    assert len(found) == 1, found
    r = found[0]
    assert r.text == span and text[r.start:r.end] == r.text
    assert close(r.low.value, low) and close(r.high.value, high), r
    if isinstance(r.low, Amount):
        assert isinstance(r.high, Amount) and r.low.unit == r.high.unit == tag
    else:
        assert isinstance(r.high, Percent) and r.high.kind == tag
    for side in (r.low, r.high):
        assert text[side.start:side.end] == side.text


NOT_RANGES = [
    "2019年至2021年的营收",
    "2019-2021年",
    "at the rate of RMB7.0176 to US$1.00",
    "毛利率由去年同期的40.8%提升至43.9%",
    "毛利率从30%至25%",
    "gross margin from 59.6% to 60.7%",
    "收入7,330万元人民币(1,010万美元)",
    "收入从1亿元至2亿元",
    "2,318家至1亿元",
    "付费客户2,318家,营收1亿元",
    "revenue of $5 million and $6 million",
    "分别在1亿元和2亿元",
    "2022年和2023年营收分别为1亿元和2亿元",
]


@pytest.mark.parametrize("text", NOT_RANGES)
def test_not_ranges(text: str) -> None:
    assert find_ranges(text) == []


def test_range_percent_low_high_are_percents() -> None:
    r = find_ranges("预计营收同比增长2%至4%")[0]
    assert isinstance(r.low, Percent) and isinstance(r.high, Percent)
    assert (r.low.direction, r.high.direction) == (1, 1)


# ------------------------------------------------------------------ parse_number / parse_amount / width
PARSE_NUMBER = [
    ("7,330", 7330.0), ("7，330", 7330.0), ("1.163", 1.163), ("１２３", 123.0), ("37.6", 37.6),
    ("1,234,567.89", 1234567.89), ("0.27", 0.27), ("-618", -618.0), ("\u2212618", -618.0), ("+5", 5.0),
    (" 42 ", 42.0), ("三千", 3000.0), ("两百五十", 250.0), ("十二", 12.0), ("二十", 20.0), ("十二亿", 1.2e9),
    ("三千万", 3e7), ("三亿五千万", 3.5e8), ("一万亿", 1e12), ("一百零五", 105.0), ("三万五", 35000.0),
    ("二〇二三", 2023.0), ("三点五", 3.5), ("三点五亿", 3.5e8), ("零点五", 0.5), ("兩億", 2e8), ("1.2万", 12000.0),
    ("1.68亿", 1.68e8), ("3.3 million", 3.3e6), ("1.2bn", 1.2e9), ("百万", 1e6),
]


@pytest.mark.parametrize(("s", "value"), PARSE_NUMBER)
def test_parse_number(s: str, value: float) -> None:
    got = parse_number(s)
    assert got is not None and close(got, value), got


@pytest.mark.parametrize("s", ["", "abc", "7,33", "7,3300", "1.2.3", "12a", "%", "US$", "元", "--5", "1,2"])
def test_parse_number_rejects(s: str) -> None:
    assert parse_number(s) is None


def test_parse_number_uses_cn2an_only_as_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def fake(s: str, mode: str) -> float:
        calls.append(s)
        return 7.0

    monkeypatch.setitem(sys.modules, "cn2an", types.SimpleNamespace(cn2an=fake))
    assert parse_number("三千") == 3000.0 and calls == []  # handled without cn2an
    assert parse_number("三千点") == 7.0 and calls == ["三千点"]


def test_parse_number_without_cn2an(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cn2an", None)  # import raises ImportError
    assert parse_number("三千点") is None
    assert parse_number("三千") == 3000.0


@pytest.mark.parametrize(
    ("s", "value", "unit"),
    [
        ("收入为7,330万元人民币(1,010万美元),同比下降4%", 73_300_000, "CNY"),
        ("2023年第二季度收入为7,330万元人民币", 73_300_000, "CNY"),
        ("净亏损为2,370万元人民币(330万美元)", 23_700_000, "CNY"),
        ("公司预计2022年年度营收将在1.76亿美元至1.78亿美元之间", 176_000_000, "USD"),
        ("Net revenues were RMB612.4 million (US$87.3 million)", 612_400_000, "CNY"),
        ("应收账款周转天数为37天", 37, "days"),
    ],
)
def test_parse_amount_reads_first(s: str, value: float, unit: str) -> None:
    a = parse_amount(s)
    assert a is not None and close(a.value, value) and a.unit == unit


@pytest.mark.parametrize("s", ["", "同比下降4%", "2023年8月31日", "no numbers here"])
def test_parse_amount_none(s: str) -> None:
    assert parse_amount(s) is None


def test_normalize_width() -> None:
    assert normalize_width("７，３３０万元（１,０１０万美元）％\u3000ＡＢＣ") == "7,330万元(1,010万美元)% ABC"
    assert normalize_width("人民币") == "人民币"


def test_offsets_refer_to_original_text() -> None:
    text = "\u3000\u3000收入为７，３３０萬元人民幣（１，０１０萬美元），同比下降４％"
    amounts = find_amounts(text)
    assert [a.text for a in amounts] == ["７，３３０萬元人民幣", "１，０１０萬美元"]
    assert [a.value for a in amounts] == [73_300_000, 10_100_000]
    (p,) = find_percents(text)
    assert p.text == "同比下降４％" and p.value == -4.0


def test_dataclasses_are_frozen() -> None:
    a = find_amounts("1亿元")[0]
    with pytest.raises(AttributeError):
        a.value = 2.0  # type: ignore[misc]
    assert isinstance(find_ranges("2%至4%")[0], Range)


def test_seed_like_paragraph() -> None:
    text = (
        "实时互动云服务商声网Agora(API.NASDAQ)今日发布2021年Q4及全年财报，报告显示，声网2021年第四季度"
        "实现营收4039万美元，同比增长22%，环比下滑10%。2021年总体营收为1.68亿美元，同比增长26%，"
        "亏损进一步扩大至7236万美元。"
    )
    assert [(a.value, a.unit) for a in find_amounts(text)] == [
        (40_390_000, "USD"), (168_000_000, "USD"), (72_360_000, "USD")]
    assert [(p.value, p.kind) for p in find_percents(text)] == [(22.0, "yoy"), (-10.0, "qoq"), (26.0, "yoy")]


# ------------------------------------------------------------------ property tests

CN_SCALES = {"": 1, "千": 10**3, "万": 10**4, "十万": 10**5, "百万": 10**6, "千万": 10**7, "亿": 10**8,
             "十亿": 10**9, "百亿": 10**10, "千亿": 10**11, "万亿": 10**12, "萬": 10**4, "億": 10**8}
EN_SCALES = {" thousand": 10**3, " million": 10**6, "mn": 10**6, " billion": 10**9, "bn": 10**9,
             " trillion": 10**12, "tn": 10**12, "m": 10**6, "b": 10**9, "k": 10**3}
CN_CURRENCY_SUFFIX = {"": None, "元": "CNY", "元人民币": "CNY", "人民币": "CNY", "美元": "USD", "港元": "HKD",
                      "港币": "HKD", "欧元": "EUR", "日元": "JPY", "英镑": "GBP", "新台币": "TWD", "人民幣": "CNY"}
PREFIX = {"US$": "USD", "$": "USD", "RMB": "CNY", "HK$": "HKD", "¥": "CNY", "€": "EUR", "NT$": "TWD",
          "USD ": "USD", "人民币": "CNY"}


def fmt_number(n: Decimal, commas: bool) -> str:
    s = f"{n:,f}" if commas else f"{n:f}"
    return s


numbers = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999.99"), places=2, allow_nan=False,
                      allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(n=numbers, commas=st.booleans(), scale=st.sampled_from(sorted(CN_SCALES)),
       cur=st.sampled_from(sorted(CN_CURRENCY_SUFFIX)), template=st.sampled_from(
           ["公司本季度收入为{}，同比有所变化。", "{}", "据悉，净利润达到{}。", "营收({})"]))
def test_property_chinese_amount(n: Decimal, commas: bool, scale: str, cur: str, template: str) -> None:
    if not scale and not cur:
        return  # a bare number is not an amount
    expr = fmt_number(n, commas) + scale + cur
    text = template.format(expr)
    found = find_amounts(text)
    assert len(found) == 1, (text, found)
    a = found[0]
    assert a.text == expr and text[a.start:a.end] == a.text
    assert close(a.value, float(n * CN_SCALES[scale]))
    assert a.unit == CN_CURRENCY_SUFFIX[cur]


@settings(max_examples=300, deadline=None)
@given(n=numbers, commas=st.booleans(), scale=st.sampled_from(sorted(EN_SCALES)),
       pre=st.sampled_from(sorted(PREFIX)), template=st.sampled_from(
           ["Revenue was {} for the quarter.", "{}", "Net income of {}, compared with a loss.", "({})"]))
def test_property_prefixed_amount(n: Decimal, commas: bool, scale: str, pre: str, template: str) -> None:
    expr = pre + fmt_number(n, commas) + scale
    text = template.format(expr)
    found = find_amounts(text)
    assert len(found) == 1, (text, found)
    a = found[0]
    assert a.text == expr and text[a.start:a.end] == a.text
    assert close(a.value, float(n * EN_SCALES[scale]))
    assert a.unit == PREFIX[pre]


@settings(max_examples=200, deadline=None)
@given(n=numbers, commas=st.booleans(), scale=st.sampled_from(sorted(CN_SCALES)), pre=st.sampled_from(sorted(PREFIX)))
def test_property_prefix_with_chinese_scale(n: Decimal, commas: bool, scale: str, pre: str) -> None:
    expr = pre + fmt_number(n, commas) + scale
    text = f"公司收入为{expr}，主要来自海外。"
    (a,) = find_amounts(text)
    assert a.text == expr and close(a.value, float(n * CN_SCALES[scale])) and a.unit == PREFIX[pre]


EN_SUFFIX = {" yuan": "CNY", " RMB": "CNY", " US dollars": "USD", " U.S. dollars": "USD", " dollars": "USD",
             " euros": "EUR", " HKD": "HKD", " Hong Kong dollars": "HKD", " yen": "JPY"}


@settings(max_examples=200, deadline=None)
@given(n=numbers, commas=st.booleans(), scale=st.sampled_from(["", " thousand", " million", " billion", "mn", "bn"]),
       suffix=st.sampled_from(sorted(EN_SUFFIX)))
def test_property_english_suffix_currency(n: Decimal, commas: bool, scale: str, suffix: str) -> None:
    expr = fmt_number(n, commas) + scale + suffix
    text = f"Sales reached {expr} in the period."
    (a,) = find_amounts(text)
    assert a.text == expr and close(a.value, float(n * EN_SCALES.get(scale, 1))) and a.unit == EN_SUFFIX[suffix]


@settings(max_examples=200, deadline=None)
@given(n=st.integers(min_value=1, max_value=10**7), commas=st.booleans(), scale=st.sampled_from(["", "万", "亿"]),
       counter=st.sampled_from(["个", "家", "名", "人", "户", "次", "股", " users", " customers", " shares", "天",
                                " days"]))
def test_property_counts(n: int, commas: bool, scale: str, counter: str) -> None:
    if scale and counter.startswith(" "):
        return  # "5万 users" is not a form the genre uses
    expr = (f"{n:,}" if commas else str(n)) + scale + counter
    text = f"截至期末，共有{expr}。"
    (a,) = find_amounts(text)
    assert a.text == expr and close(a.value, n * CN_SCALES[scale])
    assert a.unit == ("days" if "天" in counter or "day" in counter else "count")


@settings(max_examples=200, deadline=None)
@given(n=numbers, word=st.sampled_from([("增长", 1), ("下降", -1), ("增加", 1), ("减少", -1), ("下滑", -1),
                                        ("上升", 1), ("收窄", -1), ("扩大", 1), ("up ", 1), ("down ", -1),
                                        ("increased by ", 1), ("decreased by ", -1)]),
       kind=st.sampled_from([("同比", "yoy"), ("环比", "qoq"), ("", None)]))
def test_property_percent_direction(n: Decimal, word: tuple[str, int], kind: tuple[str, str | None]) -> None:
    text = f"收入{kind[0]}{word[0]}{n:f}%，主要由于业务调整"
    (p,) = find_percents(text)
    assert close(p.value, word[1] * float(n)) and p.direction == word[1] and p.kind == kind[1]
    assert text[p.start:p.end] == p.text and p.text.endswith("%")


@settings(max_examples=200, deadline=None)
@given(lo=numbers, hi=numbers, scale=st.sampled_from(["万", "亿", "百万"]), cur=st.sampled_from(["美元", "元", "港元"]),
       low_has_units=st.booleans())
def test_property_chinese_range(lo: Decimal, hi: Decimal, scale: str, cur: str, low_has_units: bool) -> None:
    low_expr = f"{lo:f}" + (scale + cur if low_has_units else scale)
    text = f"预计营收将在{low_expr}至{hi:f}{scale}{cur}之间"
    (r,) = find_ranges(text)
    values = sorted([float(lo * CN_SCALES[scale]), float(hi * CN_SCALES[scale])])
    assert close(r.low.value, values[0]) and close(r.high.value, values[1])
    assert text[r.start:r.end] == r.text


@settings(max_examples=500, deadline=None)
@given(text=st.text())
def test_property_never_raises_and_spans_match(text: str) -> None:
    _check_spans(text)


SOUP = ("0123456789,.，。%％-−+$¥￥亿億万萬千百十元美港币幣人民约超逾以上下左右同比环比增长下降减少翻番倍个家股天"
        "年月日季度第一二三四五六七八九零两点成每/ millionbnUS$RMB()（）至到~～between and to")


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet=SOUP, max_size=60))
def test_property_never_raises_on_numeric_soup(text: str) -> None:
    _check_spans(text)


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.sampled_from(
    ["7,330", "万元", "人民币", "(", ")", "1.68", "亿美元", "同比", "下降", "4%", "至", "-", "US$", "1.2",
     " million", "约", "超过", "每股", "0.27美元/股", "2023年", "第6个季度", "37天", "翻番", " to ", "and",
     "between ", "，", "。", "\u3000", "７", "％", "億", "萬", "负", "亏损", "扩大"]), max_size=25))
def test_property_never_raises_on_genre_soup(parts: list[str]) -> None:
    _check_spans("".join(parts))


def _check_spans(text: str) -> None:
    amounts = find_amounts(text)
    for a in amounts:
        assert text[a.start:a.end] == a.text and a.start < a.end
        assert math.isfinite(a.value)
    assert all(x.end <= y.start for x, y in zip(amounts, amounts[1:], strict=False))
    for p in find_percents(text):
        assert text[p.start:p.end] == p.text and p.start < p.end
        assert p.kind in (None, "yoy", "qoq") and p.direction in (None, 1, -1)
    for r in find_ranges(text):
        assert text[r.start:r.end] == r.text
        assert r.low.value <= r.high.value
        for side in (r.low, r.high):
            assert text[side.start:side.end] == side.text
    parse_amount(text)
    parse_number(text)


@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_property_normalize_width_preserves_length(text: str) -> None:
    out = normalize_width(text)
    assert len(out) == len(text)
    assert all(c == o for c, o in zip(text, out, strict=True) if c.isascii())


@settings(max_examples=200, deadline=None)
@given(n=st.integers(min_value=0, max_value=10**12), full=st.booleans())
def test_property_parse_number_roundtrip(n: int, full: bool) -> None:
    s = f"{n:,}"
    if full:
        s = "".join(chr(ord(c) + 0xFEE0) for c in s)  # full-width digits and commas
    assert parse_number(s) == float(n)
