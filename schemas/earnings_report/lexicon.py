"""Metric wording in zh (simplified and traditional) and en, mapped to canonical metric names.

The words follow the genre (results releases, news flashes, HK announcements, A-share
reports), not any one document. `find_metric` picks, for an amount, the metric phrase
nearest before it; a longer phrase ending at the same place wins ("归属于…股东的净亏损"
over "净亏损"), so specific metrics beat general ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NONGAAP = r"(?:经调整|經調整|调整后|調整後|非公认会计准则|非公認會計準則|非GAAP|Non-GAAP|non-GAAP|adjusted|Adjusted|ADJUSTED|core|Core)"
_NONGAAP_ZH = (
    r"(?:(?:经调整|經調整|调整后|調整後)(?:的)?(?:[（(](?:非公认会计准则|非公認會計準則|非美国通用会计准则|非美國通用會計準則|非GAAP)[)）])?"
    r"|(?:按)?(?:非公认会计准则|非公認會計準則|非美国通用会计准则|非GAAP|non-GAAP|Non-GAAP)(?:下的|的|计算的)?(?:经调整|經調整)?)"
)
_ATTR_ZH = r"(?:(?:归属于|歸屬於|归属|歸屬)[^，,。；;：:]{0,24}?(?:股东|股東|所有者|持有人|母公司|公司)(?:的|應佔)?|(?:归属|歸屬)(?=净利|淨利))"
_LOSS = r"(?:亏损|虧損|净亏|淨虧|loss|Loss|LOSS)"

# (metric, pattern). Order only matters as a tie-break between equally long matches.
_TABLE: list[tuple[str, str]] = [
    # adjusted (non-GAAP) figures first: they contain the plain words
    ("adjusted_ebitda", _NONGAAP_ZH + r"?[^，,。；;]{0,12}?(?:息税折旧摊销前|息稅折舊攤銷前)(?:利润|利潤|盈利|亏损|虧損)?(?:[（(]\s*ADJUSTED\s*EBITDA[)）]?)?"),
    ("adjusted_ebitda", _NONGAAP + r"\s*(?:的)?\s*EBITDA(?:亏损|虧損|利润|利潤| loss| income)?"),
    ("adjusted_net_income", _NONGAAP_ZH + r"(?:归属于[^，,。；;]{0,20}?股东的|归属|歸屬)?(?:净利润|淨利潤|净亏损|淨虧損|净收益|淨收益|净利|淨利|纯利|純利|溢利|亏损|虧損)"),
    ("adjusted_net_income", r"(?:非公认会计准则|非公認會計準則|非GAAP)(?:下的)?(?:归属于[^，,。；;]{0,20}?股东的)?(?:净利润|淨利潤|净亏损|淨虧損|净利|淨利)"),
    # Hong Kong "underlying" and developers' "core" profit exclude revaluations: an adjusted figure
    ("adjusted_net_income", r"(?:基础|基礎|核心)(?:净利润|淨利潤|净亏损|淨虧損|净利|淨利|纯利|純利|溢利|盈利|亏损|虧損)"),
    ("adjusted_net_income", r"(?:non-GAAP|Non-GAAP|adjusted|Adjusted)\s+net\s+(?:income|loss|profit|earnings)(?:\s+attributable\s+to\s+[\w\s.,'&]{0,60}?(?:shareholders|stockholders|holders))?"),
    ("adjusted_operating_income", _NONGAAP_ZH + r"(?:经营|經營|营业|營業|运营|運營)(?:利润|利潤|亏损|虧損|溢利)"),
    ("adjusted_operating_income", r"(?:non-GAAP|Non-GAAP|adjusted|Adjusted)\s+(?:operating\s+(?:income|loss|profit)|(?:income|loss)\s+from\s+operations)"),
    ("adjusted_eps", _NONGAAP_ZH + r"[^，,。；;]{0,10}?每股[^，,。；;]{0,12}?(?:收益|盈利|亏损|虧損)"),
    ("adjusted_eps", r"(?:non-GAAP|Non-GAAP|adjusted|Adjusted)\s+(?:basic\s+and\s+)?(?:diluted\s+)?(?:net\s+)?(?:income|earnings|loss|EPS)\s+per\s+(?:diluted\s+|basic\s+)?(?:ordinary\s+)?(?:share|ADS)|(?:non-GAAP|Non-GAAP|adjusted|Adjusted)\s+(?:diluted\s+)?EPS"),
    # attributable / recurring
    ("net_income_attributable_recurring", r"(?:扣除非经常性损益(?:后|後)?|扣除非經常性損益(?:後)?|扣非后?|扣非後)[^，,。；;]{0,16}?(?:净利润|淨利潤|净亏损|淨虧損|净利|淨利)"),
    ("net_income_attributable", _ATTR_ZH + r"(?:净利润|淨利潤|净亏损|淨虧損|净利|淨利|溢利|虧損|亏损)"),
    ("net_income_attributable", r"(?:归母|歸母)(?:净利润|淨利潤|净亏损|淨虧損|净利|淨利)"),
    ("net_income_attributable", r"(?:归属于|歸屬於)[^，,。；;：:\d扣]{1,24}?的?(?:净利润|淨利潤|净亏损|淨虧損|净利|淨利)"),
    ("net_income_attributable", r"(?:股东|股東|擁有人|拥有人|(?:股权|股權|权益|權益)持有人)應?应?佔?占?(?:溢利|虧損|亏损|利润|利潤|淨利|净利)"),
    ("net_income_attributable", r"net\s+(?:income|loss|profit|earnings)\s+attributable\s+to\s+[\w\s.,'&]{0,60}?(?:shareholders|stockholders|holders|the\s+company)"),
    # per share
    ("eps", r"(?:基本|摊薄|攤薄|稀释|稀釋)?每股[^，,。；;\d]{0,16}?(?:收益|盈利|亏损|虧損|利润|利潤|淨利|净利|純益|纯益|溢利|賺|赚)"),
    ("eps", r"(?:basic|diluted|basic\s+and\s+diluted)?\s*(?:net\s+)?(?:income|earnings|loss)\s+per\s+(?:diluted\s+|basic\s+)?(?:ordinary\s+)?(?:share|ADS)|(?<![A-Za-z])EPS(?![A-Za-z])"),
    # profit lines
    ("net_income", r"(?:净利润|淨利潤|净亏损|淨虧損|净利|淨利|稅後淨利|税后净利|纯利|純利|純益|纯益|净收益|淨收益)"),
    ("net_income", r"(?:净赚|淨賺|赚|賺|盈利|轉盈|转盈|為盈|为盈)(?=\s*(?:了|约|約|近|逾)?\s*(?:[\d０-９一二三四五六七八九十]|$))"),  # news shorthand: "Q3賺3.1億"
    ("net_income", r"(?:年度|年內|年内|期内|期內|本期)(?:溢利|虧損|亏损|利润|利潤)(?!分配)"),
    ("net_income", r"net\s+(?:income|loss|profit|earnings)|profit\s+for\s+the\s+(?:year|period|quarter)|loss\s+for\s+the\s+(?:year|period|quarter)"),
    ("operating_income", r"(?:营业利润|營業利潤|营业盈利|營業盈利|经营盈利|經營盈利|营业利益|營業利益|营业亏损|營業虧損|经营利润|經營利潤|经营亏损|經營虧損|运营利润|運營利潤|运营亏损|運營虧損|经营溢利|經營溢利|營業淨利|营业净利)"),
    ("operating_income", r"operating\s+(?:income|loss|profit)|(?:income|loss)\s+from\s+operations|\bEBIT\b"),
    ("gross_margin", r"(?:毛利率|gross\s+margin)"),
    ("gross_profit", r"(?:毛利润|毛利潤|毛亏损|毛虧損|毛损|毛損|毛利|gross\s+(?:profit|loss))"),
    # costs and expenses
    ("cost_of_revenue", r"(?:营收成本|營收成本|主营业务成本|主營業務成本|营业成本|營業成本|收入成本|销售成本|銷售成本|营业总成本|cost\s+of\s+(?:revenues?|sales|goods\s+sold))"),
    ("rd_expenses", r"(?:研发费用|研發費用|研发开支|研發開支|研发投入|研發投入|研发支出|研發支出|研究及开发开支|研究及開發開支|research\s+and\s+development\s+expenses?|R&D\s+expenses?|product\s+development\s+expenses?)"),
    ("sales_marketing_expenses", r"(?:(?:销售|銷售)(?:及|和|与|與|、)?(?:市场|市場|营销|營銷|分销|分銷)?(?:推广|推廣)?(?:费用|費用|开支|開支|支出)|(?:市场|市場)(?:营销|營銷|推广|推廣)(?:费用|費用|开支|開支)|销售及市场推广费用|銷售及市場推廣費用|销售和营销费用|銷售和營銷費用|销售及营销费用|銷售及營銷費用|销售与市场费用|销售费用|銷售費用|销售开支|銷售開支|销售及分销开支|銷售及分銷開支|市场营销费用|sales\s+and\s+marketing\s+expenses?|selling\s+and\s+marketing\s+expenses?|selling(?:,\s+general)?\s+expenses?|selling\s+and\s+distribution\s+expenses?)"),
    ("ga_expenses", r"(?:管理费用|管理費用|一般和行政费用|一般和行政費用|一般及行政开支|一般及行政開支|行政开支|行政開支|行政费用|行政費用|general\s+and\s+administrative\s+expenses?|G&A\s+expenses?|administrative\s+expenses?)"),
    ("operating_expenses", r"(?:营业费用|營業費用|营运费用|營運費用|总运营费用|總運營費用|运营费用|運營費用|总经营费用|經營開支|经营开支|营运开支|營運開支|运营支出|運營支出|经营费用|(?:total\s+)?operating\s+expenses?|opex)"),
    # cash and balances
    ("operating_cash_flow", r"(?:经营活动(?:产生|所得|所用)?的?现金流量?净额|經營活動(?:產生|所得|所用)?的?現金(?:流量?)?淨額|经营活动(?:产生|所得|所用)?的?现金(?:流量?)?净额|经营活动现金流|經營活動現金流|(?:经营业务|經營業務)(?:现金|現金)(?:流入|流量)?(?:净额|淨額)|经营性现金流|經營性現金流|经营现金流|經營現金流|net\s+cash\s+(?:provided\s+by|generated\s+from|from|used\s+in)\s+operating\s+activities|operating\s+cash\s+flows?|cash\s+flows?\s+from\s+operating\s+activities|cash\s+(?:provided|generated)\s+(?:by|from)\s+operating\s+activities|cash\s+(?:generated|provided)\s+(?:from|by)\s+operations|cash\s+flows?\s+from\s+operations|operating\s+cash\s+generation)"),
    ("cash", r"(?:(?:银行|銀行)(?:结余|結餘|存款)(?:及|和)(?:现金|現金)|(?:现金|現金)(?:及|和)(?:银行|銀行)(?:结余|結餘|存款)|现金、现金等价物|現金、現金等價物|现金及现金等价物|現金及現金等價物|现金和现金等价物|現金和現金等價物|货币资金|貨幣資金|现金余额|現金餘額|现金结余|現金結餘|现金储备|現金儲備|cash(?:,)?\s+(?:and\s+)?cash\s+equivalents|cash\s+and\s+short-term\s+investments|cash\s+position|cash\s+balance)"),
    ("deferred_revenue", r"(?:递延收入|遞延收入|递延收益|遞延收益|deferred\s+revenues?)"),
    # figures the canonical list has no name for: the phrase is the label
    # recurring-revenue run rates are not revenue
    ("other", r"(?:年度)?(?:经常性|經常性)(?:收入|收益)|ARR\b|annual(?:ized)?\s+recurring\s+revenues?"),
    ("other", r"(?:单个付费用户|付费用户|每用户|每名用户|人均|户均)?平均(?:收入|收益)|ARPP?U|客单价|客單價|average\s+revenue\s+per\s+(?:paying\s+)?(?:user|customer|member)"),
    ("other", r"(?:末期|中期|特别|特別|全年|年度)(?:股)?息|股息|派息|现金红利|現金紅利|分红|分紅|(?:final|interim|special)\s+dividends?|dividends?\s+per\s+share"),
    # A-share income-statement gains are not revenue ("资产处置收益", "投资收益", "其他收益")
    ("other", r"(?:资产处置|資產處置|投资|投資|公允价值变动|公允價值變動|汇兑|匯兌|营业外|營業外)(?:收益|损益|損益)"),
    # profit before tax, and a segment's result ("分部溢利"; a loss there is the same line, negative)
    ("other", r"(?:列賬基準|列账基准|法定)?(?:除稅前|除税前|稅前|税前)(?:溢利|利潤|利润|盈利|虧損|亏损)|利潤總額|利润总额"
              r"|(?:profit|loss)\s+before\s+(?:income\s+)?tax(?:ation|es)?|pre-tax\s+(?:profit|loss)"),
    ("other", r"(?:分部|分類|分类)(?:溢利|虧損|亏损|利潤|利润|業績|业绩)"),
    ("other", r"(?:股份|股票)?(?:回購|回购)(?:金額|金额)?|share\s+(?:buyback|repurchase)s?"),
    # revenue last: its words are inside many other phrases
    ("revenue", r"(?:营业总收入|營業總收入|营业收入|營業收入|主营业务收入|主營業務收入|总营收|總營收|总收入|總收入|净收入|淨收入|(?<![经經])(?:营收|營收)|收入|收益|营业额|營業額|销售额|銷售額|销售收入|銷售收入)"),
    ("revenue", r"(?:total\s+|net\s+)?(?:revenues?|sales|turnover)\b"),
]

METRIC_PATTERNS: list[tuple[str, re.Pattern[str]]] = [(m, re.compile(p, re.IGNORECASE)) for m, p in _TABLE]

# Income metrics take a negative value when the text calls them a loss.
INCOME_METRICS = frozenset({
    "gross_profit", "operating_income", "net_income", "net_income_attributable",
    "net_income_attributable_recurring", "adjusted_net_income", "adjusted_operating_income",
    "adjusted_ebitda", "eps", "adjusted_eps", "operating_cash_flow",
})  # fmt: skip
# A gross loss (毛损) and cash used in operations (经营活动所用现金) are negative figures too.
LOSS_RE = re.compile(_LOSS + r"|毛损|毛損|(?:经营活动|經營活動)所用|(?:cash\s+)?used\s+in")
PROFIT_TURN_RE = re.compile(r"扭亏为盈|扭虧為盈|转亏为盈|轉虧為盈|returned\s+to\s+profit|turned\s+profitable")

# Figures that are not the company's reported results: prices, valuations, others' forecasts.
NOT_A_RESULT_RE = re.compile(
    r"股价|股價|市值|成交额|成交額|成交量|总股本|總股本|发行价|發行價|目标价|目標價|收盘价|收盤價|收报|收報|报收|報收|发售价|招股价|估值|注册资本|註冊資本"
    r"|share\s+price|stock\s+price|market\s+(?:cap|capitalization|value)|price\s+target|target\s+price|IPO\s+price|valuation"
    r"|同为|同為|同行|同业|同業|竞争对手|競爭對手|对手|對手|竞品|競品|rivals?\b|competitors?\b"
    r"|分析师|分析師|预期为|預期為|预期的|預期的|市场预期|市場預期|一致预期|consensus|analysts?\s+(?:expected|estimated|forecast)"
    r"|[兑兌]|折算|汇率|匯率|exchange\s+rate|translations?\b|translated\b|the\s+rate\s+of|noon\s+buying\s+rate",
    re.IGNORECASE,
)
# A price per unit of product ("20元/KG", "每吨3,200元" is caught by 每): a market price, not a result.
UNIT_PRICE_AFTER_RE = re.compile(r"\s*(?:/|每)\s*(?:KG|kg|Kg|公斤|千克|斤|吨|噸|头|頭|桶|盎司|平方米|平米|㎡|兆瓦时|度)")
# Page furniture of news sites ("阅读 3.2万 | 分享至", "2,418 views"): counts of the page, not the company.
PAGE_COUNT_BEFORE_RE = re.compile(r"(?:阅读|閱讀|浏览|瀏覽|点赞|點讚|评论|評論|转发|轉發|收藏|播放)(?:量|数|數|次数)?\s*[:：]?\s*$")
PAGE_COUNT_AFTER_RE = re.compile(r"\s*(?:views|reads|likes|comments|shares)\b|\s*(?:次阅读|次閱讀|人阅读|人閱讀|次浏览|次瀏覽)", re.I)
# "…ahead of the 84 cents analysts had pencilled in": a figure followed by whose estimate it is.
CONSENSUS_AFTER_RE = re.compile(
    r"\s*(?:that\s+|which\s+)?(?:analysts?|the\s+street|wall\s+street)\s+(?:had\s+|were\s+|on\s+average\s+)?"
    r"(?:expected|expecting|estimated|forecast|projected|pencill?ed|polled|anticipated)",
    re.I,
)
# An amount right after a direction word is a change ("成本增加280万元"), not a level.
CHANGE_AMOUNT_RE = re.compile(
    r"(?:增加|减少|減少|增长|增長|下降|上升|减|減|增|降低|多|少|提升|improved\s+by|increased\s+by|decreased\s+by|up\s+by|down\s+by|an?\s+(?:increase|decrease)\s+of)\s*(?:了|约|約|近)?\s*$",
    re.IGNORECASE,
)
# "高于预期的9.61%", "不及預期": a result measured against the market's expectation, not a forecast
VERSUS_EXPECTED_RE = re.compile(
    r"(?:高于|低于|超出|超过|不及|符合|好于|优于|差于|逊于|高於|低於|超過|優於|遜於|超)?(?:预期|預期)(?:的|之)"
    r"|(?:监管|監管|自律|操作|工作|审核|審核)指引"  # a regulator's guideline ("自律監管指引第9號"), not guidance
)
# A direction word between a metric and the next clause ends that metric's noun phrase ("销售收入增加,但…").
CHANGE_WORD_RE = re.compile(r"增加|增长|增長|减少|減少|下降|上升|提升|下滑|扩大|擴大|收窄|increased|decreased|rose|fell|grew|declined")
GUIDANCE_RE = re.compile(
    r"预计|預計|业绩预告|業績預告|预期|預期|预测|預測|指引|展望|有望|guidance|expects?|anticipates?|outlook|forecasts?|projects?|sees|targets?",
    re.IGNORECASE,
)

_SEGMENT_STOP = re.compile(
    r"^[总總净淨年季度全本期营營业業]+$|^(?:主营业务|主營業務|销售|銷售|non-GAAP|GAAP|经调整|經調整|公司预计|预计|預計|這一數字|这一数字|总|總|净|淨|营业|營業|公司|集团|集團|本公司|本集团|本集團|本季度|季度|全年|年度|本期|期内|期內|报告期内|報告期內|整体|整體|总体|總體|合计|合計|同期|主营|主營|其|该|該|其中|总计|上半年|下半年|前三季度|第[一二三四]季度|累计|累計|实现|實現|the|total|net|quarterly|annual|its|our|company|group)$",
    re.IGNORECASE,
)
_SEGMENT_TAIL = re.compile(r"(?:总体|總體|整体|整體|总|總|净|淨|累计|累計|当季|當季|单季|單季|全年|本季|期内|期內|年内|年內|营业|營業|主营|主營|合计|合計|业务|業務|板块|板塊|分部|分类|分類)+$")
_SEGMENT_HEAD = re.compile(r"^(?:年|年内|年內|期内|期內|本年|本期|本季|当季|當季|其中|集团|集團|本集团|本集團|合併|合并|第[一二三四]财季|第[一二三四]財季|财季|財季)+")
_COMPANYISH = re.compile(r"公司|集团|集團|控股|股份|^[A-Z][a-z]+$")
_PERIODISH = re.compile(
    r"\d{4}\s*(?:年度|年)?|今年|去年|本年|上年|本报告期内?|本報告期內?|报告期内|報告期內|第[一二三四1-4]季度?|[一二三四]季度|Q[1-4]|上半年|下半年|前三季度|全年|年度|本季度|中期|同期|去年|上年|财年|財年"
)


@dataclass(frozen=True)
class MetricHit:
    metric: str
    start: int
    end: int
    text: str


# Pages built from PDFs break words with stray spaces ("股東應佔溢 利", "稅 前利潤"): a space
# between two Chinese characters is not a word boundary.
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])[ \t\u3000]+(?=[\u4e00-\u9fff])")


# Variant characters some pages use ("歸母凈利潤"): folded 1:1 before matching.
_VARIANTS = str.maketrans({"凈": "淨"})


def _close_gaps(text: str) -> tuple[str, list[int]]:
    """`text` without spaces between Chinese characters (variants folded), and each kept
    character's offset."""
    text = text.translate(_VARIANTS)
    if not _CJK_GAP.search(text):
        return text, []
    kept: list[int] = []
    out: list[str] = []
    pos = 0
    for m in _CJK_GAP.finditer(text):
        out.append(text[pos : m.start()])
        kept.extend(range(pos, m.start()))
        pos = m.end()
    out.append(text[pos:])
    kept.extend(range(pos, len(text)))
    return "".join(out), kept


# An `other` label that names a result line is named as the profit even when it is a loss
# ("分部虧損4254萬元" is 分部溢利 -42,540,000), as the lexicon's canonical metrics are.
OTHER_LOSS_WORD = re.compile(r"虧損|亏损")


def other_result_label(label: str) -> tuple[str, bool]:
    """("分部虧損" -> "分部溢利", True): the label named as the profit, and whether it was a loss."""
    lost = bool(OTHER_LOSS_WORD.search(label))
    if label[:1].isupper() and label[1:2].islower():
        label = label[0].lower() + label[1:]  # sentence case is not part of the name
    return OTHER_LOSS_WORD.sub("溢利", label), lost


def find_metric(context: str) -> MetricHit | None:
    """The metric phrase nearest the end of `context` (the text before an amount)."""
    closed, kept = _close_gaps(context)
    best: MetricHit | None = None
    for metric, pattern in METRIC_PATTERNS:
        for m in pattern.finditer(closed):
            start, end = (kept[m.start()], kept[m.end() - 1] + 1) if kept and m.end() > m.start() else m.span()
            hit = MetricHit(metric, start, end, m.group(0))  # the words without the stray spaces
            if best is None or hit.end > best.end or (hit.end == best.end and hit.start < best.start):
                best = hit
    return best


SEGMENTED_METRICS = frozenset({"revenue", "cost_of_revenue", "gross_profit", "gross_margin", "operating_income"})
_CORE_WORD = re.compile(r"(?:收入|營收|营收|收益|营业额|營業額|revenues?|sales)$", re.IGNORECASE)


_EN_SEGMENT = re.compile(
    r"(?:the\s+)?(?!(?:By|The|Each|Per|This|That|Our|Its|Every|In|For|At)\s)([A-Z][\w&\-]*(?:\s+[A-Z&][\w&\-]*){0,4})"
    r"\s+(?:segment|business|division|unit)\b"
)


def segment_of(text: str, hit: MetricHit, subjects: tuple[str, ...] = ()) -> str | None:
    """The segment for a metric phrase, measured from its core word ("商品销售收入" -> "商品销售");
    `subjects` are the company's own names, which are never a segment ("星火互娱总营收")."""
    segment = _segment_of(text, hit)
    for name in subjects:
        if segment and segment.startswith(name):
            segment = segment[len(name) :].strip() or None
    if segment and (len(segment) < 2 or _SEGMENT_STOP.match(segment)):
        return None
    return segment


_EN_FROM_SEGMENT = re.compile(
    r"^\s+from\s+(?:the\s+|our\s+|its\s+)?([A-Za-z][\w&\-]*(?:\s+[A-Za-z&][\w&\-]*){0,3}?)\s+"
    r"(?:segment\s+|business\s+)?(?:was|were|grew|increased|decreased|declined|rose|fell|amounted|reached|totaled|came)",
    re.IGNORECASE,
)


def _segment_of(text: str, hit: MetricHit) -> str | None:
    if hit.metric not in SEGMENTED_METRICS:
        return None
    after = _EN_FROM_SEGMENT.match(text[hit.end :])
    if after:  # "Revenues from learning services grew …"
        return after.group(1)
    named = list(_EN_SEGMENT.finditer(text[: hit.start]))
    if named and hit.start - named[-1].end() < 40:
        return named[-1].group(1)
    source = _FROM_LINE.search(text[: hit.start])
    if source:  # "源自制药的收益": revenue from a business line
        return source.group(1)
    core = _CORE_WORD.search(hit.text)
    return segment_before(text, hit.start + core.start() if core else hit.start)


_FROM_LINE = re.compile(r"(?:来自|來自|源自|源於|源于)([\u4e00-\u9fff]{2,8}?)(?:业务|業務|分部)?的?\s*$")


_EN_FUNCTION = re.compile(
    r"^(?:the|its|our|their|total|net|quarterly|annual|group|company|of|for|in|and|with|from|to|by|was|were|is|"
    r"first|second|third|fourth|quarter|half|year|fiscal|full|gaap|non-gaap|reported|expects?|between|q[1-4]|fy\d*|\d+|"
    r"versus|vs|an|a|compared|or|while|whereas|as|at|on|after|because|since|when|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)$",
    re.IGNORECASE,
)


def _english_segment(left: str) -> str | None:
    """"Professional services revenue" -> "Professional services"; "Youlv's net revenues" -> None."""
    if re.search(r"['’]s\s+(?:[a-z]+\s+)?$", left):
        return None  # "<company>'s (net) revenue": the company, not a segment
    words: list[str] = []
    for word in reversed(re.findall(r"[A-Za-z&][\w&\-]*|[^\sA-Za-z]", left[-80:])):
        if _EN_FUNCTION.match(word) or not re.match(r"[A-Za-z&]", word) or re.search(r"quarter|year|half|month", word, re.I):
            break
        words.insert(0, word)
        if len(words) == 4:
            break
    label = " ".join(words)
    return label if len(label) >= 3 else None


def segment_before(clause: str, keyword_start: int) -> str | None:
    """The business line named right before a metric word: "订阅服务收入" -> "订阅服务"."""
    if re.search(r"[A-Za-z]\s*$", clause[:keyword_start]) and not re.search(r"[\u4e00-\u9fff]\s*$", clause[:keyword_start]):
        return _english_segment(clause[:keyword_start])
    left = re.sub(r"[（(][^（()）]*[)）]\s*$", "", clause[:keyword_start])
    m = re.search(r"([\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z&\- ]{1,24})$", left)
    if not m:
        return None
    words = m.group(1).strip()
    # Cut at words that end a noun phrase in these texts.
    pieces = re.split(r"(?:其中|的|为|為|在|实现|實現|录得|錄得|来自|來自|包括|预计|預計|预期|預期|并|並|将|將|of|from|in|the)", words)
    words = pieces[-1].strip()
    if not words and len(pieces) > 1 and re.search(r"(?:实现|實現|录得|錄得)$", m.group(1).strip()):
        words = pieces[-2].strip()  # "工程建设板块实现营收": the line is the subject of 实现
    words = _PERIODISH.sub("", words).strip()
    words = _SEGMENT_TAIL.sub("", _SEGMENT_HEAD.sub("", words)).strip()
    if len(words) < 2 or _COMPANYISH.search(words) or _SEGMENT_STOP.match(words) or re.fullmatch(r"[A-Za-z ]+", words) and len(words.split()) > 4:
        return None
    return words


_EN_LABEL = re.compile(
    r"([A-Za-z][A-Za-z\-'& ]{2,60}?)\s+(?:amounted\s+to|was|were|of|reached|totaled|totalled|stood\s+at|came\s+in\s+at"
    r"|rose\s+to|increased\s+to|grew\s+to|fell\s+to|decreased\s+to|declined\s+to|at)\s*(?:about|approximately|around|nearly)?\s*$",
    re.IGNORECASE,
)
_EN_LABEL_STOP = re.compile(r"^(?:the|it|this|that|which|and|while|compared|with|to|from|by|in|of)$", re.IGNORECASE)


_EN_HEAD_ONLY = re.compile(r"^(?:number|total|count|amount|share|percentage|proportion|value|volume|level)$", re.I)


# An explanation in brackets is no part of a name; an acronym is ("商品交易总额（GMV）").
_ZH_ASIDE = re.compile(r"[（(][^（()）]{0,40}?[\u4e00-\u9fff][^（()）]{0,40}?[)）]")
_ZH_CHANGE_TAIL = re.compile(
    r"(?:同比|環比|环比|按年|按季|較上年同期|较上年同期|較去年|较去年)?(?:增长|增長|增加|减少|減少|下降|下跌|上升|提升|下滑|上漲|上涨|回落|大增|大跌)"
)
# Words that open a clause but name nothing: subjects, adverbs, connectives ("集團之現金結餘", "僅為").
_ZH_LABEL_HEAD = re.compile(
    r"^(?:(?:本集團|本集团|該集團|该集团|集團|集团|本公司|該公司|该公司|公司|期內|期内|年內|年内|其中|包括|而|且|並|并|及|僅|仅|才|只|也|共|合共|均)[之的]?)+"
)


def strip_label_head(label: str) -> str:
    """A label without the subject, adverb or connective that opened its clause."""
    return _ZH_LABEL_HEAD.sub("", label)


def label_before(clause: str) -> str | None:
    """A short label for an 'other' figure: the words before its verb ("全球活跃客户数量达…",
    "Order intake amounted to …")."""
    en = _EN_LABEL.search(re.sub(r"\s*\([^()]*\)", "", clause))
    if en:
        phrase = en.group(1)
        head, of, tail = phrase.partition(" of ")
        if of:  # "monthly active users of the app": the head; "number of paying customers": the tail
            phrase = tail if _EN_HEAD_ONLY.match(head.split()[-1] if head.split() else "") else head
        words = [w for w in phrase.split() if not _EN_LABEL_STOP.match(w)]
        label = " ".join(words[-4:])
        if label[:1].isupper() and not label[1:2].isupper():
            label = label[0].lower() + label[1:]  # sentence case is not part of the name
        return label if len(label) >= 3 else None
    clause = _ZH_ASIDE.sub("", _close_gaps(clause)[0])  # "資本負債比率(以…計算)為": the aside is no part of the name
    change = _ZH_CHANGE_TAIL.search(clause)
    if change and change.start() >= 2:
        clause = clause[: change.start()]  # "稅前利潤下跌37.9%至": the name stops at its change
    m = re.search(
        r"((?:[^\s，,。；;：:、（()）“”\"「」『』]|[（(][A-Za-z0-9&\- ]{1,12}[)）]){2,30}?)\s*(?:为|為|达到|達到|达至|達至|达|達|增长至|增長至|增至|升至|降至|减至|減至|至|录得|錄得|共|合计|合計|约|約|是|of|was|were|reached|totaled|totalled|stood\s+at)?\s*$",
        clause,
    )
    if not m:
        return None
    label = _ZH_LABEL_HEAD.sub("", _PERIODISH.sub("", m.group(1))).strip(" 的之")
    if not re.search(r"[\u4e00-\u9fff]", clause):
        return None  # English with no "<label> was/reached …" shape: one stray word ("about", "for") is no label
    return label if len(label) >= 2 else None
