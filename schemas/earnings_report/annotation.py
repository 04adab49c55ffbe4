"""Annotation: every amount in the text becomes a candidate fact, labelled by rules.

For each sentence: amounts and percentages come from the deterministic parser; the
metric from the nearest metric phrase before the amount (lexicon.py); the period from
period words around it (periods.py); the sign from loss words; yoy/qoq from change
percentages in the same sentence; evidence is the clause, a slice of the original text.
What the rules cannot name is left for the model (`Fact.label_source == "unlabelled"`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from extract.amounts import Amount, Percent, find_amounts, find_percents, find_ranges
from extract.schemas.earnings_report import lexicon
from extract.schemas.earnings_report.crosscheck import settle_periods
from extract.schemas.earnings_report.periods import Mention, Period, find_mentions, main_period, main_period_end, resolve
from extract.segmenting import Span, clause_bounds, sentences

_OPEN_PAREN = re.compile(r"^\s*[（(]\s*(?:约合|約合|折合|约|約|合|approximately|about|or|equivalent\s+to)?\s*$", re.I)
_CONNECTIVE = re.compile(
    r"[\s\d,，.、%％()（）:：\-–—“”\"'之的为為是达達至到约約近较較与與和及相比比同期去年上年度季度财年財年年月日截止至于於在从從由负負正转轉"
    r"]|同比|环比|環比|增长|增長|下降|减少|減少|增加|上升|下滑|下跌|提升|收窄|扩大|擴大|大幅|显著|顯著|进一步|進一步|分别|分別|均|有所|亏损|虧損"
    r"|increase[sd]?|decrease[sd]?|up|down|rose|fell|grew|declined?|loss|compared|compares|with|versus|vs|from|over|than|reported|in|the|same|period|of|year|quarter|prior|previous|last|fiscal|as|at|end|and|was|were|to|for|ended|million|billion|a|an",
    re.I,
)
# "同比增长6%、环比增长8%至4,050万元": a change that leads into its amount, within one clause.
_LEADS_INTO = re.compile(r"^[\s、和及与與]*(?:同比|环比|環比|[^，,。；;\d]{0,20}?)?(?:至|到|达|達|为|為|to)\s*(?:approximately|about|around|nearly|roughly)?\s*$")
_QOQ_NEAR = re.compile(r"环比|環比|上季|前季|sequential|quarter[\s-]+(?:over|on)[\s-]+quarter|q/q|qoq", re.I)
_YOY_NEAR = re.compile(r"同比|同期|按年|年增|year[\s-]+(?:over|on)[\s-]+year|y/y|yoy|a\s+year\s+(?:earlier|ago)", re.I)
# "同比增长1.2倍": a multiple is a change of N x 100 percent (the parser leaves 倍 alone).
_TIMES = re.compile(r"(同比|环比|環比|按年|较上年同期|較上年同期)?(增长|增長|增加|提升|上升)(\d+(?:\.\d+)?)倍")
_MONEY_WORD = re.compile(r"金额|金額|收入|收益|费用|費用|成本|利润|利潤|资金|資金|交易额|交易額|GMV|amount|revenue|sales|cost|expense|profit|value|volume", re.I)
# "$100,000 or more", "100万元以上": a threshold, not a figure.
_BOUND_AFTER = re.compile(r"\s*(?:or\s+(?:more|above|greater|higher|over)\b|及以上|以上|或以上|以内|以內|之内|之內)", re.I)
_SHARE_OF = re.compile(r"(?P<verb>[佔占])(?:[^，,。；;]{0,6}?)(?:總|总)(?P<base>[\u4e00-\u9fff]{2,4}?)的?\s*(?:約|约|近)?\s*$")
_BOUND_BEFORE = re.compile(r"(?:超过|超過|逾|超|高于|高於|不低于|不低於|至少|不足|低于|低於|more\s+than|over|above|at\s+least|under|below)\s*$", re.I)
# "raised its forecast after sales rose …": the reason clause reports results.
_REASON_EN = re.compile(r"\b(?:after|because|since)\b", re.I)
# A figure right after "from", "versus", "compared with" is the one compared against.
# "up 6% over the $1.40 billion", "compared to a loss of $1.12", "This compares with $80.2 million".
_FROM_EN = re.compile(
    r"\b(?:from|versus|vs\.?|over|than|compared\s+(?:with|to)|compares\s+with|against)"
    r"(?:\s+(?:the|a\s+(?:net\s+)?(?:loss|profit)\s+of))?\s*$",
    re.I,
)
# "…$5.1 million in the same period of 2023": a comparison period belongs to the figure it follows
# directly; "…$2.31 billion, up 8% from a year earlier" describes the change, not the figure.
_ADJACENT_EN = re.compile(r"^\s*(?:\([^)]*\)\s*)?(?:in|for|during|of)?\s*(?:the\s+)?$", re.I)
_OPENING_EN = re.compile(r"\W*(?:(?:in|for|during|over)\s+)?(?:the\s+)?", re.I)
# AP: "On a per-share basis, the Atlanta-based company said it had profit of $1.02."
_ADJUSTED_OPENING = re.compile(
    r"\W*(?:on\s+an?\s+(?:non-GAAP|adjusted|underlying)\s+basis|excluding\s+(?:one-time\s+|special\s+|certain\s+|one-off\s+)?items)\b", re.I
)
_PER_SHARE_OPENING = re.compile(r"\W*on\s+a\s+per[\s-]share\s+basis\b", re.I)
# A period word right after a figure ("10.9% in the second quarter", "$5.1 million in Q3 2023").
_AFTER_FIGURE_EN = re.compile(
    r"(?:%|\d|\b(?:million|billion|thousand|mln|bln|bn|mn|m|percent))\s*(?:\([^)]*\)\s*)?(?:in|for|during|of|as\s+of|at|on|ended)?\s*(?:the\s+)?$",
    re.I,
)
_CUE_EN = re.compile(r"\b(?:from|than|versus|vs\.?|compared\s+(?:with|to)|over)\b", re.I)
# "712 as of February 28, 2023 and 744 as of …": a date right after a figure is its own.
_AS_OF_EN = re.compile(r"\s*(?:as\s+of|at|on|ended)\s+", re.I)
_EARNINGS = re.compile(r"earnings|earned|income|profit|loss|收益|盈利|利润|利潤|亏损|虧損", re.I)
_COMPARE = re.compile(r"相比|相較|相较|较|較|比|与|與|和|同比|环比|環比|compared|versus|vs", re.I)
_VERB = re.compile(r"\b(?:was|were|is|are|rose|fell|grew|increased|decreased|declined|reached|totaled|amounted)\b|为|為|达|達|至|录得|錄得", re.I)
_RATE_WORD = re.compile(r"率|占比|佔比|比例|比重|市场占有率|市場佔有率|份额|份額|margin|ratio|rate|share", re.I)


_FRONT_MATTER = re.compile(r"(?:layout|categories|tags|date|author|permalink|slug)\s*:", re.I)
_RELATIVE = ("same_period_last_year", "year_same_period", "previous_quarter")


@dataclass(frozen=True)
class Fact:
    metric: str
    period: str | None
    segment: str | None
    value: float
    unit: str
    unit_currency: str | None
    yoy_pct: float | None
    qoq_pct: float | None
    evidence: str
    start: int  # of the amount, in the document
    comparison: bool  # a prior-period figure given for comparison
    label_source: str  # "lexicon" | "inherited" | "unlabelled"
    context: str  # the clause, for the model when it must label

    def entry(self) -> dict[str, Any]:
        return {
            "metric": self.metric, "period": self.period, "segment": self.segment, "value": self.value,
            "unit": self.unit, "unit_currency": self.unit_currency, "yoy_pct": self.yoy_pct,
            "qoq_pct": self.qoq_pct, "evidence": self.evidence,
        }  # fmt: skip


@dataclass(frozen=True)
class Guidance:
    metric: str
    period: str | None
    segment: str | None
    low: float
    high: float
    unit: str
    evidence: str

    def entry(self) -> dict[str, Any]:
        return self.__dict__.copy()


def company_subjects(text: str) -> tuple[str, ...]:
    """The company's names as the text uses them as a subject: the title's leading words and
    names introduced as (下称"X") / ("X")."""
    names: set[str] = set()
    first = next(iter(sentences(text)), None)
    if first:
        m = re.match(r"[\u4e00-\u9fff]{2,8}?(?=[\d一二三四上下前全第去今本中Q（(：:]|公布|發布|发布|披露|宣布|录得|錄得|实现|實現|$)", first.text)
        if m:
            names.add(m.group(0))
    for m in re.finditer(r"(?:下称|下稱|简称|簡稱|以下称|以下稱)\s*[“\"「]([^”\"」]{2,12})[”\"」]", text[:3000]):
        names.add(m.group(1))
    for m in _NAMED_BY_TICKER.finditer(text[:1500]):
        names.add(m.group(1))
    from extract.schemas.earnings_report.header import find_header

    header = find_header(text).name
    if header and re.fullmatch(r"[\u4e00-\u9fff]{2,8}", header):
        names.add(header)
    return tuple(sorted(names, key=len, reverse=True))


# "知乎(NYSE:ZH)", "中梁控股(02772)", "友好集团(600778.SH)", "理想汽车公布…": the company's own name.
_NAMED_BY_TICKER = re.compile(
    r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff]{2,6}?)(?:[（(](?:[A-Za-z]{2,8}\s*[:：]\s*)?[A-Z0-9]{2,6}(?:\.[A-Z]{1,2})?[)）]"
    r"|(?:今日|今天|昨日|昨晚|近日)?(?:公布|發布|发布|披露|宣布))"
)


@dataclass
class Annotations:
    facts: list[Fact]
    guidance: list[Guidance]
    currency: str | None


# Currencies whose Chinese name ends in 元/幣 and that a text may go on calling plain "元"
# after naming them once ("新台幣68.42億元 … 營業利益15.81億元").
_YUAN_FAMILY = ("CNY", "TWD", "HKD", "MOP")
_NAMED_CURRENCY = re.compile(
    r"人民币|人民幣|RMB|CNY|[¥￥]|美元|美金|港元|港币|港幣|台币|台幣|澳门|澳門|日元|日圓|欧元|歐元|英镑|英鎊|新加坡|新元|澳元|加元|韩元|韓元",
    re.I,
)


def _is_plain_yuan(a: Amount) -> bool:
    return a.unit == "CNY" and a.text.rstrip().endswith("元") and not _NAMED_CURRENCY.search(a.text)


# "1982億元(人民幣;下同)", "50.93億元(美元‧下同)", "人民币1.44億元(單位下同)": the text declares
# once what its later plain "元" figures are in.
_DECLARED = re.compile(
    r"[（(]\s*(?:(?P<cur>人民币|人民幣|美元|港元|港幣|港币|新台幣|新台币)\s*元?|(?:单位|單位))\s*[;；,，‧·、]?\s*下同\s*[)）]"
)
_DECLARED_CODE = {"人民币": "CNY", "人民幣": "CNY", "美元": "USD", "港元": "HKD", "港幣": "HKD", "港币": "HKD",
                  "新台幣": "TWD", "新台币": "TWD"}  # fmt: skip


def declared_currency(text: str) -> str | None:
    """The currency a "(…下同)" note declares for the figures that follow, if the text has one."""
    m = _DECLARED.search(text)
    if m is None:
        return None
    if m.group("cur"):
        return _DECLARED_CODE[m.group("cur")]
    before = [a for a in find_amounts(text[: m.start()]) if _is_currency(a.unit)]
    return before[-1].unit if before and before[-1].end >= m.start() - 2 else None


def yuan_currency(text: str) -> str:
    """What a plain "元" means here: the currency a "(…下同)" note declares, else the yuan-family
    currency the text names most (CNY if none)."""
    declared = declared_currency(text)
    if declared is not None:
        return declared
    counts = Counter(
        a.unit for a in find_amounts(text) if a.unit in _YUAN_FAMILY and not _is_plain_yuan(a)
    )  # fmt: skip
    return counts.most_common(1)[0][0] if counts else "CNY"


def document_currency(text: str, yuan: str) -> str | None:
    """The reporting currency: the most common explicit currency, not counting amounts in
    parentheses right after another amount (convenience translations); a plain "元" counts
    as `yuan`, the yuan-family currency the text names (see `yuan_currency`)."""
    counts: Counter[str] = Counter()
    for sent in sentences(text):
        amounts = [a for a in find_amounts(sent.text) if a.unit and len(a.unit) == 3 and a.unit.isupper()]
        for prev, a in zip([None, *amounts], amounts, strict=False):
            if prev is not None and _is_translation(sent.text, prev, a):
                continue
            counts[yuan if _is_plain_yuan(a) else a.unit] += 1  # type: ignore[index]
    return counts.most_common(1)[0][0] if counts else None


def _is_translation(sentence: str, prev: Amount, a: Amount) -> bool:
    return _OPEN_PAREN.match(sentence[prev.end : a.start]) is not None and prev.unit != a.unit


def _is_currency(unit: str | None) -> bool:
    return unit is not None and len(unit) == 3 and unit.isalpha() and unit.isupper()


@dataclass(frozen=True)
class Frame:
    """What holds for the whole document: its period (and that period's stated end date, for
    balances "as of" it), its reporting currency, and the names it uses for its company."""

    main: Period | None
    main_end: date | None
    currency: str | None
    subjects: tuple[str, ...]
    yuan: str = "CNY"  # what a plain "元" means in this text


_ANCHORS = ("absolute", "quarter_no_year", "this_year", "year_only")


def _anchor_period(mentions: list[Mention], pos: int, fallback: Period | None, main: Period | None) -> Period | None:
    """The period the text is talking about at `pos`: its last explicit period word before it,
    unless that names an earlier year (a comparison: "2022年第一季度为…，上一季度为…")."""
    for m in reversed([m for m in mentions if m.kind in _ANCHORS and m.end <= pos]):
        period = resolve(m, main if m.kind == "year_only" else (fallback or main))
        if period is not None and (main is None or period.year >= main.year):
            return period
    return fallback


def _period_of(
    sent: Span, lo: int, hi: int, pos: int, mentions: list[Mention], frame: Frame, context: Period | None,
    pos_end: int | None = None,
) -> tuple[Period | None, bool]:  # fmt: skip
    """Period for an item at `pos` whose own stretch of the sentence is [lo, hi); `context`
    is the period the paragraph was last talking about."""
    main = frame.main
    english = _is_english(sent.text)
    if english:
        # English names a figure's period after it: "12.1% in the second quarter, while gross margin
        # was 12.4%": "the second quarter" is the earlier figure's, and "rose 48.7% from a year
        # earlier to $12.9 billion": "a year earlier" is the change's; neither is this figure's.
        mentions = [
            m for m in mentions
            if not (m.end <= pos and _AFTER_FIGURE_EN.search(sent.text[max(0, m.start - 40) : m.start]))
            and not (m.end <= pos and _FROM_EN.search(sent.text[max(0, m.start - 30) : m.start]))
        ]  # fmt: skip
    reference = _anchor_period(mentions, pos, context or main, main)
    pos_end = pos if pos_end is None else pos_end
    own = [m for m in mentions if lo <= m.start and m.end <= hi]
    left = [m for m in own if m.end <= pos]
    # A mention after the item is its own only when it is nearer to it than to what follows
    # ("$3.3 million in Q3 2023, compared with $5.1 million in ..."), and not a comparison cue.
    right = [
        m for m in own
        if m.start >= pos_end and (hi >= len(sent.text) or m.start - pos_end < hi - m.end
                                   or english and _AS_OF_EN.fullmatch(sent.text[pos_end : m.start]) is not None)
        and not re.match(r"\s*(?:同期)?\s*[:：]", sent.text[m.end :])  # "(2021年:无)": the comparison's label
        and (english and (m.kind not in _RELATIVE or _ADJACENT_EN.match(sent.text[pos_end : m.start]))
             and not _CUE_EN.search(sent.text[pos_end : m.start])  # "…, and up 17% from the second quarter"
             and not lexicon.GUIDANCE_RE.search(sent.text[pos_end : m.start])  # "Q1 revenue $850M, sees Q2 revenue …"
             or (m.kind not in _RELATIVE and m.start - pos_end < 8 and not _COMPARE.search(sent.text[pos_end : m.start])
                 and not re.search(r"[，,；;]", sent.text[pos_end : m.start])))
    ]  # fmt: skip
    # English names the period after the figure ("RMB2.76 billion in the second quarter of
    # 2023"); Chinese before it ("2022年同期的7,610万元").
    if english:
        # A comparison cue in an earlier clause ("…, up 8% from a year earlier, and adjusted
        # earnings of $1.47 per share") is not this figure's.
        # A sentence that opens with one ("In the previous-year quarter, the company …") is about it.
        c0 = clause_bounds(sent.text, pos)[0]
        left = [m for m in left if m.kind not in _RELATIVE or m.start >= c0 or _OPENING_EN.fullmatch(sent.text[: m.start])]
        pick = right[0] if right else (left[-1] if left else None)
        if _FROM_EN.search(sent.text[max(lo, c0 - 40) : pos]) and reference is not None:
            # "rose to $148.7 million from $112.3 million", "versus $71.8 million": the figure
            # compared against is the prior period's, unless it names one of its own.
            named = resolve(pick, reference, frame.main_end) if pick is not None else None
            if named is None or named == reference:
                prior = reference.previous_quarter() if _QOQ_NEAR.search(sent.text) else reference.shift_year(-1)
                return prior, True
    else:
        pick = left[-1] if left else (right[0] if right else None)
    if pick is None:
        opening = next((m for m in mentions if m.kind == "date" and m.end <= pos and _AS_OF_OPENING.match(sent.text[: m.start])), None)
        if opening is None or main is None or resolve(opening, main, frame.main_end) != main:
            return reference, False
        return main, False  # "截至2021年9月30日,…现金…为76亿元": the main period's end date opens the sentence
    # Year-only words and balance dates are about the document's periods, not the paragraph's.
    period = resolve(pick, main if pick.kind in ("year_only", "date", "month_end") and main else reference, frame.main_end)
    comparison = pick.kind in _RELATIVE
    if period is not None and main is not None and pick.kind in ("absolute", "year_only", "date", "month_end"):
        comparison = period != main and (period.year < main.year or pick.kind in ("date", "month_end"))
    return period or reference, comparison


def _without_periods(text: str) -> str:
    for m in reversed(find_mentions(text)):
        text = text[: m.start] + text[m.end :]
    return text


_AS_OF_OPENING = re.compile(r"^\s*(?:截至|截止|于|於|as\s+of|at)?\s*$", re.I)


def _own_label_words(left_of_amount: str) -> str:
    """What an amount's own clause says besides connectives, periods and change words:
    empty means it continues the metric named earlier ("2022年同期为…", "this figure was…")."""
    text = re.sub(r"[（(][^（()）]*[)）]", "", left_of_amount)
    for m in reversed(find_mentions(text)):  # period words are not a new label
        text = text[: m.start] + text[m.end :]
    text = re.sub(r"这一数字|這一數字|该数字|該數字|此数字|this\s+figure|that\s+figure|人民币|人民幣|美元|港元|港幣|RMB|US\$|HK\$", "", text, flags=re.I)
    return _CONNECTIVE.sub("", text)


_A_SHARE_CODE = re.compile(r"^(?:60|68|00|30)\d{4}$")


def report_period(text: str) -> Period | None:
    """The period the document reports. A-share third-quarter reports are cumulative by rule
    (年初至报告期末), so one that leads with the year to date reports 9M, not Q3."""
    main = main_period(text)
    if main is not None and main.kind == "Q3":
        from extract.schemas.earnings_report.header import find_header

        ticker = find_header(text).ticker or ""
        if _A_SHARE_CODE.match(ticker) and re.search(r"前三季|前九个月|年初至报告期末", text[:600]):
            return Period(main.year, "9M")
        # "发布2022年三季度报告,前三季度实现营业收入…": the leading figures are the year to date
        named = next((m.end for m in find_mentions(text[:1500]) if m.period == main), 0)  # past any headline
        first = next((a for a in find_amounts(text[:1500]) if a.start >= named), None)
        if first is not None:
            before = [m for m in find_mentions(text[max(0, first.start - 60) : first.start]) if m.kind in ("absolute", "quarter_no_year")]
            nearest = before[-1] if before else None
            if nearest is not None and ((nearest.period and nearest.period.kind == "9M") or nearest.quarter == "9M"):
                return Period(main.year, "9M")
    return main


def annotate(text: str) -> Annotations:
    main = report_period(text)
    yuan = yuan_currency(text)
    currency = declared_currency(text) or document_currency(text, yuan)
    frame = Frame(main, main_period_end(text, main), currency, company_subjects(text), yuan)
    facts: list[Fact] = []
    guidance: list[Guidance] = []
    context: Period | None = None
    outlook = False  # inside "…expects:" followed by bullet lines of guidance
    previous_end = 0
    previous: list[Fact] = []  # the facts of the sentence before
    spans = sentences(text)
    # A headline restates body facts in shorthand; read it last so the body's wording wins.
    headlines = [sp for sp in spans if _TITLE_LINE.match(sp.text)]
    if len(spans) > 2 and "\n" in text[spans[0].end : spans[1].start] and len(spans[0].text) < 90:
        headlines.append(spans[0])
    spans = [sp for sp in spans if sp not in headlines and not _FRONT_MATTER.match(sp.text)] + headlines
    section: Period | None = None  # the period a heading ("Fourth Quarter Fiscal 2025 Highlights") names
    for sent in spans:
        if re.search(r"\n\s*\n|</?p[\s>]", text[previous_end : sent.start]):
            context, outlook = section, False  # a blank line ends the paragraph and what it was talking about
        heading = _is_heading(text, sent)
        if heading:
            section = None
        previous_end = sent.end
        before = len(facts)
        _annotate_sentence(sent, frame, context, outlook, facts, guidance)
        if len(facts) == before and previous and _COMPARES_OPENING.match(sent.text):
            _compares_with(sent, previous, facts)
        _restated_adjusted(facts, before)
        previous = facts[before:]
        if lexicon.GUIDANCE_RE.search(sent.text) and sent.text.rstrip().endswith((":", "：")):
            outlook = True
        # The subject period changes where a sentence opens with one ("第四季度，…", a heading
        # "2024财年第三财季业绩摘要"); period words after its first figure are comparisons.
        first_figure = min((a.start for a in find_amounts(sent.text)), default=len(sent.text))
        for m in reversed([m for m in find_mentions(sent.text) if m.kind in _ANCHORS and m.start < first_figure]):
            anchor = resolve(m, main if m.kind == "year_only" else (context or main))
            if anchor is not None and (main is None or anchor.year == main.year):
                context = anchor
                if heading:
                    section = anchor  # holds for the paragraphs under the heading
                break
    title_starts = [(sp.start, sp.end) for sp in headlines]
    # Two readings of one metric and period: a stated change says which is the prior (crosscheck.py).
    merged = _merge(settle_periods(facts))
    body = [f for f in merged if not any(a <= f.start < b for a, b in title_starts)]
    kept = [f for f in merged if f in body or not _restated(f, body)]
    guided = _merge_guidance(guidance)
    in_title = [g for g in guided if any(g.evidence in text[a:b] for a, b in title_starts)]
    guided = [g for g in guided if g not in in_title or not any(
        o not in in_title and o.unit == g.unit and {abs(o.low), abs(o.high)} == {abs(g.low), abs(g.high)} for o in guided
    )]  # fmt: skip
    return Annotations(facts=kept, guidance=guided, currency=frame.currency)


# "title:", "(原标题:…)": a headline line, read after the body.
_TITLE_LINE = re.compile(r"title\s*[:：]|[（(]?\s*原[标標]题\s*[:：]|[（(]?\s*原[标標]題\s*[:：]", re.I)
# A headline rounds the body's figure ("交付1.3萬輛" for 12,579) and names it loosely ("淨利潤" for
# the attributable profit): a headline figure this close to a body figure is that figure again.
_HEADLINE_ROUNDING = 0.05


def _restated(f: Fact, body: list[Fact]) -> bool:
    return any(
        b.unit == f.unit and abs(b.value - f.value) <= _HEADLINE_ROUNDING * max(abs(b.value), abs(f.value))
        for b in body
    )


# RTTNews: "The company's earnings totaled $329.1 million, or $5.17 per share. This compares with
# $80.2 million, or $1.26 per share, in last year's second quarter."
_COMPARES_OPENING = re.compile(r"\W*(?:this|that|these|those|it)\s+(?:compares|compared|was\s+(?:up|down)\s+from)\b", re.I)


def _compares_with(sent: Span, previous: list[Fact], facts: list[Fact]) -> None:
    """A sentence that only compares: its amounts are, in order, the prior-period figures of the
    metrics the sentence before stated (money figures to money facts, per-share to per-share)."""
    s = sent.text
    queues: dict[bool, list[Fact]] = {
        ps: [f for f in previous if not f.comparison and f.unit != "%" and (f.unit == "per_share") == ps] for ps in (False, True)
    }  # fmt: skip
    mentions = find_mentions(s)
    for a in find_amounts(s):
        queue = queues[a.per_share]
        if not (_is_currency(a.unit) or a.per_share) or not queue or queue[0].period is None:
            continue
        f = queue.pop(0)
        current = Period(int(f.period[:4]), f.period[4:])  # type: ignore[index]
        named = [m for m in mentions if m.kind == "absolute" and m.period and m.period != current]
        if named:
            prior = named[0].period
        elif any(m.kind == "previous_quarter" for m in mentions):
            prior = current.previous_quarter()
        else:
            prior = current.shift_year(-1)
        c0, _ = clause_bounds(s, a.start)
        loss = f.metric in lexicon.INCOME_METRICS and lexicon.LOSS_RE.search(s[c0 : a.start])
        facts.append(replace(
            f, period=str(prior), value=-abs(a.value) if loss else a.value, unit=a.unit if a.unit and _is_currency(a.unit) and not a.per_share else f.unit,
            yoy_pct=None, qoq_pct=None, evidence=s[c0 : a.end].strip(" ,"), start=sent.start + a.start,
            comparison=True, label_source="inherited", context=s,
        ))  # fmt: skip


# A summary box ("-Earnings (Q2): $328.1 Mln. vs. $88.0 Mln. last year.") often repeats the
# adjusted figures under the plain names: a plain figure equal to the adjusted one of its period
# (and to no plain one) is that adjusted figure, and so is the comparison beside it.
_ADJUSTED_OF = {"net_income": "adjusted_net_income", "eps": "adjusted_eps", "operating_income": "adjusted_operating_income"}


def _restated_adjusted(facts: list[Fact], start: int) -> None:
    earlier = facts[:start]
    for i in range(start, len(facts)):
        f = facts[i]
        adjusted = _ADJUSTED_OF.get(f.metric)
        if adjusted is None or f.comparison:
            continue
        same = [g for g in earlier if g.period == f.period and g.segment == f.segment and _same_value(g.value, f.value)]
        if any(g.metric == adjusted for g in same) and not any(g.metric == f.metric for g in same):
            facts[i] = replace(f, metric=adjusted)
            for j in range(i + 1, len(facts)):  # its comparison, up to the next current figure
                if not facts[j].comparison:
                    break
                if facts[j].metric == f.metric:
                    facts[j] = replace(facts[j], metric=adjusted)


def _same_value(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1e-9)  # the same figure, not a near one (329.1 vs 328.1)


def _is_heading(text: str, sent: Span) -> bool:
    """A heading: a line of its own, short, with no figures and no sentence punctuation
    ("Fourth Quarter Fiscal 2025 Highlights", "二、第三季度经营情况")."""
    line_start = text.rfind("\n", 0, sent.start) + 1
    line_end = text.find("\n", sent.end)
    line = text[line_start : len(text) if line_end < 0 else line_end].strip()
    return (
        0 < len(line) <= 80 and line == sent.text.strip() and not find_amounts(line)
        and not re.search(r"[.。!?！？:：;；]$|\d%", line)
    )  # fmt: skip


def _annotate_sentence(
    sent: Span, frame: Frame, context: Period | None, outlook: bool, facts: list[Fact], guidance: list[Guidance]
) -> None:
    s = sent.text
    amounts = find_amounts(s)
    percents = find_percents(s)
    labels: dict[int, str] = {}
    if _is_english(s):
        counts = _bare_counts(s, amounts, percents)
        labels = {a.start: label for a, label in counts}
        amounts = sorted([*amounts, *(a for a, _ in counts)], key=lambda a: a.start)
    if not amounts and not percents:
        return
    mentions = find_mentions(s)
    if _PER_SHARE_OPENING.match(s):
        amounts = [replace(a, per_share=True) if _is_currency(a.unit) else a for a in amounts]
    # "$71.8 million, or 60 cents, a year earlier": cents after "$A, or" are per share
    amounts = [
        replace(a, per_share=True) if k and re.search(r"cents?$", a.text, re.I) and _OR_PER_SHARE.fullmatch(s[amounts[k - 1].end : a.start]) else a
        for k, a in enumerate(amounts)
    ]  # fmt: skip
    # Figures after a forecast word ("预计", "expects") are outlook, not results: ranges become
    # guidance, the rest is not recorded. Figures before it are ordinary facts.
    cue = 0 if outlook else next((m.start() for m in lexicon.GUIDANCE_RE.finditer(s) if not lexicon.VERSUS_EXPECTED_RE.search(s, max(0, m.start() - 2), m.end() + 1)), len(s))
    if cue < len(s):
        _guidance(sent, mentions, frame, context, guidance, cue)
        # "…raised its profit forecast after sales rose 7% to $1.1 billion": a reason clause
        # after the forecast word states results again (unless it forecasts too).
        reason = _REASON_EN.search(s, cue)
        resume = reason.end() if reason and not lexicon.GUIDANCE_RE.search(s, reason.end()) else len(s)
        amounts = [a for a in amounts if a.end <= cue or a.start >= resume]
        percents = [p for p in percents if p.end <= cue or p.start >= resume]
    kept: list[Amount] = []
    for prev, a in zip([None, *amounts], amounts, strict=False):
        if prev is not None and _is_translation(s, prev, a):
            continue
        if a.bound is not None or _BOUND_AFTER.match(s[a.end :]):
            continue  # "超过/逾/more than", "100万元以上", "$100,000 or more": a bound, not a figure (spec)
        if a.unit == "count" and s[max(0, a.start - 1) : a.start] in ("每", "per"):
            continue  # "每10股派…": the basis of a rate, not a count
        if lexicon.CHANGE_AMOUNT_RE.search(s[max(0, a.start - 12) : a.start]):
            continue  # "成本增加280万元": a change, not a level
        if lexicon.IMPACT_BY_RE.search(s[max(0, a.start - 80) : a.start]):
            continue  # "Foreign exchange negatively impacted operating profit by $5 million": an effect, not a level
        if (
            lexicon.PAGE_COUNT_BEFORE_RE.search(s[max(0, a.start - 8) : a.start])
            or lexicon.PAGE_COUNT_AFTER_RE.match(s[a.end :])
            or lexicon.CONSENSUS_AFTER_RE.match(s[a.end :])
            or lexicon.UNIT_PRICE_AFTER_RE.match(s[a.end :])
        ):
            continue  # a page's view count, or an analysts' estimate: not the company's figure
        c0, c1 = clause_bounds(s, a.start)
        if lexicon.NOT_A_RESULT_RE.search(s[c0 : min(a.end + 6, c1)]):
            continue
        kept.append(a)

    ratios = [p for p in percents if p.direction is None and p.kind is None and not lexicon.CONSENSUS_AFTER_RE.match(s[p.end :])]
    kpi_growth = _kpi_growth(s, percents) if _is_english(s) else {}
    ratios = sorted([*ratios, *(p for p in percents if p.start in kpi_growth and p not in ratios)], key=lambda p: p.start)
    items: list[Amount | Percent] = sorted([*kept, *ratios], key=lambda x: x.start)
    new: list[tuple[Fact, Amount | None]] = []
    for i, item in enumerate(items):
        # Each item's own stretch of the sentence runs to its neighbours: period words there are its own.
        lo = items[i - 1].end if i else 0
        hi = items[i + 1].start if i + 1 < len(items) else len(s)
        if isinstance(item, Amount):
            previous = new[-1][0] if new and new[-1][1] is not None else None
            fact = _fact_for_amount(sent, item, lo, hi, mentions, frame, context, previous, labels.get(item.start))
            if (fact is None or fact.metric == "other" and fact.label_source == "unlabelled") and previous is not None:
                fact = _other_compared(sent, item, previous, lo, hi, mentions, frame, context) or fact
            if fact is not None:
                new.append((fact, item))
        else:
            if item.start in kpi_growth:
                fact = _kpi_fact(sent, item, kpi_growth[item.start], lo, hi, mentions, frame, context)
            else:
                fact = _ratio_fact(sent, item, lo, hi, mentions, frame, context)
            if fact is None and new and new[-1][0].unit == "%":
                fact = _ratio_compared(sent, item, new[-1][0], lo, hi, mentions, frame, context)
            if fact is not None:
                new.append((fact, None))
    _per_share_pairs(s, new)
    if _ADJUSTED_OPENING.match(s):  # "On a non-GAAP basis, …, the net loss was RMB 1.17 billion"
        new[:] = [(replace(f, metric=_ADJUSTED_OF.get(f.metric, f.metric)), a) for f, a in new]
    _bracketed_comparisons(sent, items, new, frame)
    _breakdown_of_comparison(sent, new)
    _from_to(sent, new, frame, context)
    _attach_changes(s, new, percents)
    _respectively(s, new, frame)
    _respective_metrics(s, new)
    _respective_segments(s, new)
    _under_headings(sent, new)
    facts.extend(f for f, _ in new)


_OR_PER_SHARE = re.compile(r"\s*,?\s*or\s*$", re.I)


def _per_share_pairs(s: str, new: list[tuple[Fact, Amount | None]]) -> None:
    """"compared with $47.9 million, or $0.88 per share, last year": the per-share figure after
    "$A, or" is a comparison figure when A is."""
    for k in range(1, len(new)):
        (prev, pa), (f, a) = new[k - 1], new[k]
        if a is None or pa is None or not a.per_share or pa.per_share or not _OR_PER_SHARE.fullmatch(s[pa.end : a.start]):
            continue
        if prev.comparison and not f.comparison:
            new[k] = (replace(f, period=prev.period, comparison=True), a)
# HK results print the comparison figure in brackets right after the figure:
# "…為15.5%(2022年12月31日:13.1%)", "虧損8600萬港元(2021年:2900萬港元)", "(2015年同期:應佔虧損為…)".
_BRACKET_PRIOR = re.compile(r"^\s*[（(]\s*(?P<when>[^:：（）()]{2,16}?)\s*[:：]\s*(?P<words>[^\d（）()]{0,14})$")


def _bracketed_comparisons(
    sent: Span, items: list[Amount | Percent], new: list[tuple[Fact, Amount | None]], frame: Frame
) -> None:
    s = sent.text
    by_start = {f.start - sent.start: i for i, (f, _) in enumerate(new)}
    for prev, item in zip(items, items[1:], strict=False):
        if prev.start not in by_start:
            continue
        m = _BRACKET_PRIOR.match(s[prev.end : item.start])
        if m is None:
            continue
        base, _ = new[by_start[prev.start]]
        when = find_mentions(m.group("when"))
        if not when or base.period is None or (isinstance(item, Percent)) != (base.unit == "%"):
            continue
        own = Period(int(base.period[:4]), base.period[4:])
        mention = when[0]
        period = Period(mention.year, own.kind) if mention.kind == "year_only" and mention.year else resolve(mention, own, frame.main_end)
        if period is None or period == own:
            continue
        value = abs(item.value) if isinstance(item, Amount) else item.value
        if isinstance(item, Amount) and (lexicon.LOSS_RE.search(m.group("words")) or (base.value < 0 and not _EARNINGS.search(m.group("words")))):
            value = -value
        unit = item.unit if isinstance(item, Amount) and item.unit and _is_currency(item.unit) else base.unit
        fact = replace(
            base, period=str(period), value=value, unit=unit, yoy_pct=None, qoq_pct=None, comparison=True,
            start=sent.start + item.start, evidence=s[prev.end : item.end].strip(" （()）"), context=m.group(0),
        )  # fmt: skip
        if item.start in by_start:
            new[by_start[item.start]] = (fact, new[by_start[item.start]][1])
        else:
            new.append((fact, item if isinstance(item, Amount) else None))
            by_start[item.start] = len(new) - 1
    new.sort(key=lambda pair: pair[0].start)


# "经调整后的净亏损由第二季度的2亿元收窄为1.124亿元": from the earlier period's figure to this one's
_FROM_ZH = re.compile(r"(?:由|从|從)[^，,。；;\d]{0,14}$")
_TO_ZH = re.compile(r"^\s*(?:收窄|扩大|擴大|增加|减少|減少|增长|增長|下降|上升|提升|改善|升|降)?(?:为|為|至|到)\s*$")


def _from_to(sent: Span, new: list[tuple[Fact, Amount | None]], frame: Frame, context: Period | None) -> None:
    s = sent.text
    current = context or frame.main
    if current is None:
        return
    for (f1, a1), (f2, a2) in zip(new, new[1:], strict=False):
        if a1 is None or a2 is None or f1.period != f2.period or f1.period == str(current):
            continue
        if _FROM_ZH.search(s[max(0, a1.start - 16) : a1.start]) and _TO_ZH.match(s[a1.end : a2.start]):
            i = next(k for k, (f, _) in enumerate(new) if f is f2)
            new[i] = (replace(f2, period=str(current), comparison=False), a2)


def _breakdown_of_comparison(sent: Span, new: list[tuple[Fact, Amount | None]]) -> None:
    """"上年同期则约为650万港元(持续经营业务溢利约4400万港元,及已终止经营业务亏损约3750万港元)":
    figures in brackets right after a comparison figure break it down, in its period."""
    s = sent.text
    for i, (base, amount) in enumerate(new):
        if not base.comparison or amount is None:
            continue
        opened = re.match(r"\s*[（(]", s[amount.end :])
        if opened is None:
            continue
        close = s.find(")" if s[amount.end + opened.end() - 1] == "(" else "）", amount.end)
        close = len(s) if close < 0 else close
        inside = s[amount.end + opened.end() : close]
        if any(m.kind in ("absolute", "year_only", "date") for m in find_mentions(inside)):
            continue  # "(2021年:…)" names its own period
        for j, (fact, item) in enumerate(new):
            if j != i and item is not None and amount.end < item.start < close and fact.period != base.period:
                new[j] = (replace(fact, period=base.period, comparison=True, yoy_pct=None, qoq_pct=None), item)


# Results summaries list business lines as numbered items: "(二)製造業務:營業額…; (三)貿易:…",
# nested "(三)富足: 1﹒保險:…". An item's name is the segment of the figures up to the next item.
_ITEM_MARK = re.compile(
    r"(?:^|(?<=[\s;；:：。]))(?:[(（][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,2}、|\d{1,2}[﹒.、](?!\d))"
    r"\s*(?:([\u4e00-\u9fff]{2,8})\s*[:：])?"
)


def _under_headings(sent: Span, new: list[tuple[Fact, Amount | None]]) -> None:
    marks = list(_ITEM_MARK.finditer(sent.text))
    drop: list[int] = []
    for i, (fact, _) in enumerate(new):
        pos = fact.start - sent.start
        heading = next((m.group(1) for m in reversed(marks) if m.end() <= pos), None)
        if fact.label_source == "share" and not heading:
            # "汽車電子收入為24.1億港元,…,佔總收入約41%": the share of the line just named
            line = next((f.segment for f, _ in reversed(new[:i]) if f.segment and f.metric != "other"), None)
            share = _SHARE_OF.search(fact.context)
            if line is None or share is None:
                drop.append(i)
            else:
                new[i] = (replace(fact, segment=f"{line}{share.group('verb')}{'總' if share.group('verb') == '佔' else '总'}{share.group('base')}比例"), None)
            continue
        if not heading:
            continue
        if fact.metric in lexicon.SEGMENTED_METRICS and fact.segment is None:
            new[i] = (replace(fact, segment=heading), new[i][1])
        elif fact.metric == "other" and fact.segment and not fact.segment.startswith(heading):
            new[i] = (replace(fact, segment=heading + fact.segment), new[i][1])
    for i in reversed(drop):
        del new[i]


_YEAR_SPAN = re.compile(r"(\d{4})\s*年?\s*(?:至|到|-|–|—|~|to)\s*(\d{4})\s*年?")
_RESPECTIVELY = re.compile(r"分别|分別|respectively", re.I)


def _respectively(s: str, new: list[tuple[Fact, Amount | None]], frame: Frame | None = None) -> None:
    """"2018年至2021年净利润分别为A、B、C和D": one year each, in order; "第一季度、第二季度
    净利润分别为A、B": one listed period each."""
    words = list(_RESPECTIVELY.finditer(s))
    for k, word in enumerate(words):
        spans = [m for m in _YEAR_SPAN.finditer(s) if m.end() <= word.start()]
        if not spans:
            _listed_periods(s, new, word, words[k + 1].start() if k + 1 < len(words) else len(s), frame)
            continue
        years = list(range(int(spans[-1].group(1)), int(spans[-1].group(2)) + 1))
        stop = words[k + 1].start() if k + 1 < len(words) else len(s)
        listed = [i for i, (_, a) in enumerate(new) if a is not None and word.end() <= a.start < stop]
        if len(listed) != len(years) or not 1 < len(years) <= 10:
            continue
        for i, year in zip(listed, years, strict=True):
            new[i] = (replace(new[i][0], period=f"{year}FY", yoy_pct=None, qoq_pct=None), new[i][1])


_LIST_JOIN = re.compile(r"以及|与|與|和|及|、|and", re.I)
_PERIOD_LIST = re.compile(r"^[\s、和及与與]*$")


def _listed_periods(s: str, new: list[tuple[Fact, Amount | None]], word: re.Match[str], stop: int, frame: Frame | None) -> None:
    c0 = clause_bounds(s, word.start())[0]
    listed_mentions = [m for m in find_mentions(s[c0 : word.start()]) if m.kind in ("absolute", "quarter_no_year")]
    if len(listed_mentions) < 2 or any(
        not _PERIOD_LIST.match(s[c0 + a.end : c0 + b.start]) for a, b in zip(listed_mentions, listed_mentions[1:], strict=False)
    ):
        return  # only a run of periods joined by 、/和 ("第一季度、第二季度…分别为")
    main = frame.main if frame else None
    periods = [resolve(m, main) for m in listed_mentions]
    listed = [i for i, (_, a) in enumerate(new) if a is not None and word.end() <= a.start < stop]
    if len(listed) != len(periods) or any(p is None for p in periods):
        return
    for i, period in zip(listed, periods, strict=True):
        new[i] = (replace(new[i][0], period=str(period), comparison=period != main, yoy_pct=None, qoq_pct=None), new[i][1])


def _respective_metrics(s: str, new: list[tuple[Fact, Amount | None]]) -> None:
    """"营业总收入与归母净利分别为43.30亿元和4.47亿元": the n-th metric named gets the n-th amount."""
    for word in _RESPECTIVELY.finditer(s):
        c0 = clause_bounds(s, word.start())[0]
        parts = _LIST_JOIN.split(s[c0 : word.start()])
        hits = [lexicon.find_metric(part) for part in parts]
        if len(hits) < 2 or any(h is None for h in hits) or len({h.metric for h in hits if h}) != len(hits):
            continue
        listed = [i for i, (_, a) in enumerate(new) if a is not None and a.start >= word.end()][: len(hits)]
        if len(listed) != len(hits):
            continue
        first = new[listed[0]][0]  # a period named before the list holds for all of it
        for i, hit in zip(listed, hits, strict=True):
            fact, amount = new[i]
            assert hit is not None and amount is not None
            loss = hit.metric in lexicon.INCOME_METRICS and lexicon.LOSS_RE.search(hit.text)
            new[i] = (
                replace(fact, metric=hit.metric, segment=None, value=-abs(amount.value) if loss else amount.value,
                        period=first.period, comparison=first.comparison, label_source="lexicon"),
                amount,
            )  # fmt: skip


_LIST_TAIL = re.compile(r"(?:[两三四五六七八九十\d]+大)?(?:品类|品類|业务|業務|板块|板塊|分部|产品|產品)?$")
_LIST_RUN = re.compile(r"[\u4e00-\u9fffA-Za-z0-9、]{5,80}$")


def _listed_names(head: str) -> list[str]:
    """"公司火锅底料、复合调味料、酱腌菜三大品类" -> the three names (one run, split on 、 and a last 和)."""
    run = _LIST_RUN.search(head[: _LIST_TAIL.search(head).start()])  # type: ignore[union-attr]
    if run is None or "、" not in run.group(0):
        return []
    names = run.group(0).split("、")
    last = re.split(r"和|及|与|與", names[-1])
    if len(last) == 2 and all(len(x) >= 2 for x in last):
        names = names[:-1] + last
    names[0] = lexicon.strip_label_head(names[0])
    return names if all(2 <= len(n) <= 10 for n in names) else []


def _respective_segments(s: str, new: list[tuple[Fact, Amount | None]]) -> None:
    """"火锅底料、复合调味料、酱腌菜三大品类收入分别为A、B和C": the n-th line gets the n-th amount."""
    for word in _RESPECTIVELY.finditer(s):
        c0 = clause_bounds(s, word.start())[0]
        hit = lexicon.find_metric(s[c0 : word.start()])
        if hit is None or hit.metric not in lexicon.SEGMENTED_METRICS:
            continue
        core = re.search(r"收入|收益|营收|營收|营业额|營業額|销售额|銷售額", hit.text)
        head = s[c0 : c0 + hit.start + (core.start() if core else 0)]
        lines = _listed_names(head)
        listed = [i for i, (f, a) in enumerate(new) if a is not None and a.start >= word.end()][: len(lines)]
        if len(lines) < 2 or len(listed) != len(lines) or any(new[i][0].metric != hit.metric for i in listed):
            continue
        for i, line in zip(listed, lines, strict=True):
            new[i] = (replace(new[i][0], segment=line), new[i][1])


def _label_case(s: str, label: str) -> str:
    """A label as the name is written: "INVENTORY" in an all-caps brief is "inventory",
    "Annual recurring revenue" opening a sentence is "annual recurring revenue"."""
    letters = re.findall(r"[A-Za-z]", s)
    if len(letters) > 12 and sum(c.isupper() for c in letters) > 0.8 * len(letters) and _is_english(s):
        return label.lower()
    if re.match(r"[A-Z][a-z]", label) and not re.match(r"[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+$", label):
        return label[0].lower() + label[1:]  # sentence case, not a proper name ("Annual recurring revenue")
    return label


def _is_english(s: str) -> bool:
    return len(re.findall(r"[A-Za-z]", s)) > len(re.findall(r"[\u4e00-\u9fff]", s))


_BARE_INT = re.compile(r"(?<![\w$€£¥.,/-])(?:\d{1,3}(?:,\d{3})+|\d{2,7})(?![\w%/]|[.,]\d)")
_MONTH_BEFORE = re.compile(r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*$", re.I)


def _bare_counts(s: str, amounts: list[Amount], percents: list[Percent]) -> list[tuple[Amount, str]]:
    """Bare numbers that a count label names earlier in the sentence, as counts with that label."""
    labels = list(lexicon.COUNT_LABEL_EN.finditer(s))
    if not labels:
        return []
    taken = [(a.start, a.end) for a in amounts] + [(p.start, p.end) for p in percents]
    out = []
    for m in _BARE_INT.finditer(s):
        text = m.group(0)
        if re.fullmatch(r"(?:19|20)\d\d", text) or _MONTH_BEFORE.search(s[max(0, m.start() - 12) : m.start()]):
            continue  # a year or a day of a date
        if any(a <= m.start() < b for a, b in taken):
            continue
        label = next((lb for lb in reversed(labels) if lb.end() <= m.start() and m.start() - lb.end() <= 160), None)
        if label is None:
            continue
        name = next(g for g in label.groups() if g)
        value = float(text.replace(",", ""))
        out.append((Amount(value, "count", m.start(), m.end(), text), re.sub(r"\s+", " ", name).strip()))
    return out


def _other_compared(
    sent: Span, a: Amount, prev: Fact, lo: int, hi: int, mentions: list[Mention], frame: Frame, context: Period | None
) -> Fact | None:
    """"IBT was $167.0 million, up 64% compared to $101.8 million …", "count was 8,917 vs. 8,313 a
    year ago": an unnamed figure right after a comparison cue is the prior value of the 'other'
    figure before it."""
    s = sent.text
    c0, c1 = clause_bounds(s, a.start)
    if prev.metric != "other" or prev.comparison or not _FROM_EN.search(s[max(lo, c0 - 40) : a.start]):
        return None
    money = _is_currency(a.unit)
    if (prev.unit == "count") != (a.unit in ("count", None)) or (money and prev.unit != a.unit):
        return None
    return _as_prior(sent, prev, a.start, a.end, a.value, (c0, c1), lo, hi, mentions, frame, context, yoy_pct=None, qoq_pct=None)


# "…from 8.4% a year ago and 10.9% in the second quarter": the next prior value in a chain
_AND_NEXT = re.compile(r"[^;%$\d]{0,40}\band\s*$", re.I)


def _ratio_compared(
    sent: Span, p: Percent, prev: Fact, lo: int, hi: int, mentions: list[Mention], frame: Frame, context: Period | None
) -> Fact | None:
    """"Restaurant margin improved to 17.7% of sales vs. 17.6% a year ago": the prior value of
    the ratio before it."""
    s = sent.text
    c0, c1 = clause_bounds(s, p.start)
    cue = _FROM_EN.search(s[max(lo, c0 - 40) : p.start]) or (prev.comparison and _AND_NEXT.match(s[lo : p.start]))
    if prev.metric != "other" or not cue or (prev.comparison and not _AND_NEXT.match(s[lo : p.start])):
        return None
    return _as_prior(sent, prev, p.start, p.end, p.value, (c0, c1), lo, hi, mentions, frame, context)


def _as_prior(
    sent: Span, prev: Fact, start: int, end: int, value: float, clause: tuple[int, int], lo: int, hi: int,
    mentions: list[Mention], frame: Frame, context: Period | None, **reset: Any,
) -> Fact | None:
    """`prev` restated as the prior-period figure at sent[start:end] (in `clause`), when that
    figure's period is a comparison or another period than the report's."""
    s = sent.text
    c0, c1 = clause
    period, comparison = _period_of(sent, lo, hi, start, mentions, frame, context, end)
    if not comparison and (period is None or period == frame.main):
        return None
    evidence = s[max(c0, lo) : max(end, c1 if c1 - end < 30 else end)].strip(" ,，")
    return replace(
        prev, period=str(period) if period else None, value=value, evidence=evidence, start=sent.start + start,
        comparison=True, label_source="inherited", context=s[c0:c1], **reset,
    )  # fmt: skip


def _fact_for_amount(
    sent: Span, a: Amount, lo: int, hi: int, mentions: list[Mention], frame: Frame, context: Period | None,
    previous: Fact | None = None, label: str | None = None,
) -> Fact | None:  # fmt: skip
    s = sent.text
    currency = frame.currency
    c0, c1 = clause_bounds(s, a.start)
    left = s[:a.start]
    hit = lexicon.find_metric(left)
    source = "lexicon"
    if hit is not None and hit.end <= c0:
        if (hit.start >= lo and c0 - hit.end < 80 and not _VERB.search(s[hit.end : c0]) and not re.search(r"[;；]", s[hit.end : c0])
                and not lexicon.CHANGE_WORD_RE.search(s[hit.end : c0])):
            source = "lexicon"  # a list continues the noun phrase: "cash, cash equivalents, short-term investments was …"
        elif _FROM_EN.search(s[max(c0, lo) : a.start]) or not re.search(
            r"[\u4e00-\u9fff]{2,}|[A-Za-z]{4,}", _own_label_words(s[max(c0, lo) : a.start])
        ):  # fmt: skip
            source = "inherited"  # "…，2022年同期为…": this clause names nothing new
        else:
            source = "unlabelled"
    if hit is not None and source == "lexicon" and _LISTED_AFTER_CHANGE.search(s[hit.end : a.start]):
        source = "unlabelled"  # "收入减少及作出应占减值拨备6400万": a new item after the change
    if hit is None or source == "unlabelled":
        right = lexicon.find_metric(s[a.end : c1])
        if right is not None and right.start <= (20 if hit is None else 3):
            hit, source = right, "lexicon"  # "…仍出现3.6亿元的净亏损": the figure's name follows it
        else:
            source = "unlabelled"
    metric = hit.metric if hit is not None and source != "unlabelled" else "other"
    carried, carrying = None, False
    segment_label: str | None = None
    if (previous is not None and source != "lexicon" and previous.unit == _fact_unit_of(a, previous)
            and not (hit is not None and hit.metric == previous.metric) and not _counted_noun(s, a)
            and not re.search(r"[\u4e00-\u9fff]{2,}|[A-Za-z]{4,}", _own_label_words(s[max(c0, lo) : a.start]))):
        # "…外汇净损益8,120万元,比上年同期的1,560万元": a clause naming nothing new continues
        # the figure just stated, not the last lexicon word before it
        metric, source, hit, carried, carrying = previous.metric, "inherited", None, previous.segment, True
    if metric not in lexicon.INCOME_METRICS and lexicon.LOSS_RE.search(
        s[max(hit.end, c0) if (hit is not None and source == "lexicon") else max(c0, lo) : a.start]
    ):
        metric, source, hit = "net_income", "lexicon", None  # "…，亏损扩大至7236万美元": a loss is net income unless said otherwise
        named = _LOSS_OF.search(_without_periods(s[max(c0, lo) : a.start]))
        if named and not _COMPANYISH_OR_SUBJECT.search(named.group(1)) and named.group(1) not in frame.subjects:
            metric, source, segment_label = "other", "lexicon", lexicon.strip_label_head(named.group(1)) + named.group(2)  # "发展物业亏损8300万": that line's loss
    if metric == "gross_margin":
        return None  # a margin is a percentage; an amount here is mislabelled
    own_words = s[max(c0, lo) : a.start]
    if a.per_share and (metric not in ("eps", "adjusted_eps", "other") or (metric == "other" and _EARNINGS.search(own_words))):
        # "net income of $39.5 million, or $0.28 per diluted share", "adjusted earnings of $1.47 per share"
        adjusted = metric.startswith("adjusted") or re.search(r"adjusted|non-GAAP|经调整|經調整|非公认", own_words, re.I)
        if metric == "other":
            source, hit = "lexicon", None  # the label words were not a metric phrase
        metric = "adjusted_eps" if adjusted else "eps"
    if a.unit in ("count", "days") and metric == "other" and hit is not None and (hit.end <= c0 or a.start - hit.end > 6):
        source, hit = "unlabelled", None  # "末期息7.8仙　今年再開12間門市": a label further back is not a count's
    if a.unit in ("count", "days") and metric not in ("other", "eps", "adjusted_eps"):
        metric, source, hit = "other", "unlabelled", None  # "收入100万元以上的客户达到56家": 56 customers, not revenue
    if frame.yuan != "CNY" and _is_plain_yuan(a):
        a = replace(a, unit=frame.yuan)
    unit, unit_currency = _unit(a, metric, currency)
    if unit is None and metric != "other":
        return None
    value = a.value
    if metric in lexicon.INCOME_METRICS:
        own = s[c0 : a.end]
        loss = (hit is not None and lexicon.LOSS_RE.search(hit.text)) or lexicon.LOSS_RE.search(own)
        if loss and not lexicon.PROFIT_TURN_RE.search(own):
            value = -abs(value)
    if carrying and previous is not None and previous.value < 0 and metric in lexicon.INCOME_METRICS:
        value = -abs(value)  # continuing a loss
    segment = carried
    if segment_label is not None:
        segment, value = segment_label, -abs(value)
    elif carrying:
        pass
    elif metric == "other" and hit is not None and hit.metric == "other" and source != "unlabelled":
        segment, lost = lexicon.other_result_label(hit.text)  # the lexicon's own label ("ARPU", "末期股息")
        if lost and source == "lexicon":
            value = -abs(value)
    elif source != "unlabelled" and hit is not None:
        segment = lexicon.segment_of(s, hit, frame.subjects)
    elif metric == "other":
        counted_noun = _counted_noun(s, a)
        for name in frame.subjects:  # "793座小鹏汽车自营超级充电站": the company's own stations
            if counted_noun and counted_noun.startswith(name) and len(counted_noun) - len(name) >= 2:
                counted_noun = counted_noun[len(name) :]
        segment = label or counted_noun or lexicon.label_before(_after_listed_change(s[max(c0, lo) : a.start]))
        if a.unit in ("count", None) and not label:
            segment = _volume_label(s[max(c0, lo) : a.start], _counted_noun(s, a)) or segment
        counted = re.search(r"[A-Za-z][A-Za-z\- ]+$", a.text) if a.unit == "count" else None
        done = lexicon.COUNT_VERB_EN.search(s[max(c0, lo) : a.start]) if counted else None
        if segment is None and done:  # "Lumo delivered 58,312 vehicles": deliveries
            segment = lexicon.COUNT_VERB_NOUNS[done.group(1).lower()]
        if segment is None and counted:
            # "1,942 full-time equivalents", "1.9 million ADSs": what is counted, not the scale word
            segment = re.sub(r"^(?:thousand|million|billion|mn|bn|m)\s+", "", counted.group(0).strip(), flags=re.I) or None
        if segment is None and _is_currency(a.unit) and lexicon.REPURCHASE_FOR_RE.search(s[max(0, a.start - 160) : a.start]):
            segment = "share repurchase amount"  # "repurchased 1.9 million ADSs for US$12.4 million"
        if segment is None:
            return None
        if unit is None:  # "年度活跃买家为4,210万": a scaled number with no currency
            unit = currency if (currency and _MONEY_WORD.search(segment)) else "count"
    if unit is None:
        return None
    if segment and metric == "other":
        segment = _label_case(s, segment)
    period, comparison = _period_of(
        sent, max(lo, c0 if source == "lexicon" else lo), hi, a.start, mentions, frame, context, a.end
    )
    ev0 = min(c0, hit.start) if (hit is not None and source == "lexicon" and hit.start >= c0 - 40) else c0
    evidence = s[ev0 : max(a.end, c1 if c1 - a.end < 30 else a.end)].strip(" ,，")
    return Fact(
        metric=metric, period=str(period) if period else None, segment=segment, value=value, unit=unit,
        unit_currency=unit_currency, yoy_pct=None, qoq_pct=None, evidence=evidence, start=sent.start + a.start,
        comparison=comparison, label_source=source, context=s[c0:c1],
    )  # fmt: skip


# "发展物业亏损8300万港元": a loss named by its business line is that line's, not the company's
_LOSS_OF = re.compile(r"([\u4e00-\u9fff]{2,8}?)(亏损|虧損)(?:约|約|近|达|達|为|為)?\s*$")
_COMPANYISH_OR_SUBJECT = re.compile(r"则|則|也|仍|亦|更|均|共|还|還|公司|集团|集團|本期|期内|期內|年内|年內|录得|錄得|出现|出現|錄|仍|由|转为|轉為|盈转|盈轉|上年|去年|同期|净|淨")


_COUNTED = re.compile(
    r"^(?:不同|多个|多個|各|家|位)?([\u4e00-\u9fffA-Z][\u4e00-\u9fffA-Za-z0-9]{1,13}?)(?=[的，,。；;（(、和及与與]|完成|提供|使用|覆盖|覆蓋|$)"
)


# "共交付12,579辆理想ONE", "销售生猪3128万头": a volume sold or delivered is named "<what>交付量".
_VOLUME_VERB = re.compile(r"(交付|销售|銷售|售出|卖出|賣出|出栏|出欄|出货|出貨)(?![量额額收])(?:了)?([\u4e00-\u9fffA-Za-z0-9]{0,8}?)\s*(?:接近|將近|将近|大约|大約|约|約|近|达|達|为|為)?\s*$")


def _volume_label(left: str, counted: str | None) -> str | None:
    m = _VOLUME_VERB.search(left)
    if m is None:
        return None
    return (m.group(2) or counted or "") + m.group(1) + "量"


def _fact_unit_of(a: Amount, previous: Fact) -> str | None:
    """The unit `a` would have as a continuation of `previous` (a bare number takes its currency)."""
    if a.per_share:
        return "per_share"
    if a.unit is None or (a.unit == "CNY" and _is_plain_yuan(a) and _is_currency(previous.unit)):
        return previous.unit if _is_currency(previous.unit) else None
    return a.unit


_LISTED_AFTER_CHANGE = re.compile(r"(?:增加|增长|增長|减少|減少|下降|上升)(?:及|和|以及|、|并|並)(?=[\u4e00-\u9fff]{2,})")


def _after_listed_change(left: str) -> str:
    """"因为确认入账的收入减少及作出应占减值拨备": the figure's own words follow the listed change."""
    found = list(_LISTED_AFTER_CHANGE.finditer(left))
    return left[found[-1].end() :] if found else left


def _counted_noun(s: str, a: Amount) -> str | None:
    """"12个不同国家和地区" -> "国家和地区": what a Chinese count counts, when the text says."""
    if a.unit != "count" or not re.search(r"[\u4e00-\u9fff]$", a.text):
        return None
    m = _COUNTED.match(s[a.end :])
    return m.group(1) if m else None


def _unit(a: Amount, metric: str, currency: str | None) -> tuple[str | None, str | None]:
    money = a.unit if _is_currency(a.unit) else None
    if a.per_share or metric in ("eps", "adjusted_eps"):
        return "per_share", money or currency
    if money:
        return money, None
    if a.unit in ("count", "days"):
        return a.unit, None
    # No marker: money in the document's currency when the metric is a money metric.
    if metric != "other" and currency:
        return currency, None
    return None, None


def _kpi_growth(s: str, percents: list[Percent]) -> dict[int, str]:
    """Percentages that are store-sales growth figures, by start, with their label."""
    out = {}
    for p in percents:
        m = lexicon.KPI_GROWTH_AFTER_RE.match(s, p.end) or lexicon.KPI_GROWTH_BEFORE_RE.search(s[max(0, p.start - 60) : p.start])
        if m and not lexicon.CONSENSUS_AFTER_RE.match(s[p.end :]):
            kpi = re.sub(r"(?i)^same\s+store", "same-store", re.sub(r"\s+", " ", m.group("kpi")))
            out[p.start] = kpi[0].lower() + kpi[1:] + " growth"  # sentence case is not part of the name
    return out


def _kpi_fact(
    sent: Span, p: Percent, label: str, lo: int, hi: int, mentions: list[Mention], frame: Frame, context: Period | None
) -> Fact:
    s = sent.text
    c0, c1 = clause_bounds(s, p.start)
    period, comparison = _period_of(sent, max(c0, lo), min(c1, hi), p.start, mentions, frame, context, p.end)
    end = m.end() if (m := lexicon.KPI_GROWTH_AFTER_RE.match(s, p.end)) else p.end
    start = min(c0, p.start) if end > p.end else max(0, min(c0, p.start))
    return Fact(
        metric="other", period=str(period) if period else None, segment=label, value=p.value, unit="%",
        unit_currency=None, yoy_pct=None, qoq_pct=None, evidence=s[start:end].strip(" ,*"), start=sent.start + p.start,
        comparison=comparison, label_source="lexicon", context=s[c0:c1],
    )  # fmt: skip


def _ratio_fact(
    sent: Span, p: Percent, lo: int, hi: int, mentions: list[Mention], frame: Frame, context: Period | None
) -> Fact | None:
    s = sent.text
    c0, c1 = clause_bounds(s, p.start)
    left = s[c0 : p.start]
    share = _SHARE_OF.search(left)
    if share and not _BOUND_BEFORE.search(left):
        # "佔總營業額22.8%": a business line's share of the total, named "營業額佔比"
        period, comparison = _period_of(sent, max(c0, lo), min(c1, hi), p.start, mentions, frame, context, p.end)
        return Fact(
            metric="other", period=str(period) if period else None, segment=share.group("base") + share.group("verb") + "比",
            value=p.value, unit="%", unit_currency=None, yoy_pct=None, qoq_pct=None, evidence=s[c0 : p.end].strip(),
            start=sent.start + p.start, comparison=comparison, label_source="share", context=share.group(0),
        )  # fmt: skip
    if not _RATE_WORD.search(left) and not _own_label_words(s[max(lo, c0) : p.start]).strip():
        # "…margin was 81.2%, compared with 80.6% in …": the rate named earlier in the sentence
        c0 = max(lo if lo < c0 else 0, 0)
        earlier = [m for m in _RATE_WORD.finditer(s[:p.start])]
        if not earlier:
            return None
        c0 = clause_bounds(s, earlier[-1].start())[0]
        left = s[c0 : earlier[-1].end()]
    if not _RATE_WORD.search(left) or lexicon.NOT_A_RESULT_RE.search(left):
        return None
    if _BOUND_BEFORE.search(s[max(0, p.start - 8) : p.start]) or _BOUND_AFTER.match(s[p.end :]):
        return None  # "占比已超过20%": a bound, not a figure (spec)
    hit = lexicon.find_metric(left)
    if hit is not None and hit.metric == "gross_margin":
        metric, segment = "gross_margin", lexicon.segment_of(left, hit)
    else:
        metric, segment = "other", lexicon.label_before(left)
        if segment is None:
            return None
    period, comparison = _period_of(sent, max(c0, lo), min(c1, hi), p.start, mentions, frame, context, p.end)
    return Fact(
        metric=metric, period=str(period) if period else None, segment=segment, value=p.value, unit="%",
        unit_currency=None, yoy_pct=None, qoq_pct=None, evidence=s[c0 : p.end].strip(), start=sent.start + p.start,
        comparison=comparison, label_source="lexicon" if metric != "other" else "unlabelled", context=s[c0:c1],
    )  # fmt: skip


def _attach_changes(s: str, new: list[tuple[Fact, Amount | None]], percents: list[Percent]) -> None:
    """A change percentage belongs to the amount it leads into ("同比增长6%至4,050万"), else
    to the last current-period amount before it in the sentence."""
    for p in [*percents, *_times_changes(s)]:
        if p.direction is None and p.kind is None and not p.text.startswith("+"):
            continue  # a ratio, not a change ("+9.7%" after a figure is a change)
        kind = p.kind or _kind_near(s, p)
        target = None
        after = [
            (i, f) for i, (f, a) in enumerate(new)
            if a is not None and a.start >= p.end and _LEADS_INTO.match(_without(s, p.end, a.start, percents))
        ]  # fmt: skip
        if after:
            target = after[0]
        else:
            before = [(i, f) for i, (f, a) in enumerate(new) if not f.comparison and f.unit != "%" and (a is None or a.end <= p.start)]
            if before:
                target = before[-1]
        if target is None:
            continue
        i, f = target
        if kind == "yoy" and f.yoy_pct is None:
            new[i] = (replace(f, yoy_pct=p.value), new[i][1])
        elif kind == "qoq" and f.qoq_pct is None:
            new[i] = (replace(f, qoq_pct=p.value), new[i][1])


def _kind_near(s: str, p: Percent) -> str:
    """yoy or qoq from the words next to an unmarked change ("down 12.6% quarter-over-quarter")."""
    near = s[max(0, p.start - 12) : p.end + 30]
    if _QOQ_NEAR.search(near) and not _YOY_NEAR.search(near):
        return "qoq"
    return "yoy"


def _times_changes(s: str) -> list[Percent]:
    changes = []
    for m in _TIMES.finditer(s):
        kind = "qoq" if m.group(1) in ("环比", "環比") else "yoy"
        changes.append(Percent(float(m.group(3)) * 100, m.start(), m.end(), m.group(0), kind, 1))
    return changes


def _without(s: str, start: int, end: int, percents: list[Percent]) -> str:
    """s[start:end] with the percentages in it removed ("、环比增长3%至" -> "、至")."""
    out, pos = [], start
    for q in percents:
        if start <= q.start and q.end <= end:
            out.append(s[pos : q.start])
            pos = q.end
    out.append(s[pos:end])
    return "".join(out)


_PER_SHARE_OF = {"net_income": "eps", "adjusted_net_income": "adjusted_eps", "net_income_attributable": "eps"}
_GOAL_WORD = re.compile(r"target|goal|guidance|outlook|range|plan|forecast|目标|目標|指引", re.I)


def _guidance(
    sent: Span, mentions: list[Mention], frame: Frame, context: Period | None, out: list[Guidance], cue: int
) -> None:
    s = sent.text
    main = frame.main
    last_amount_end = -1
    for r in find_ranges(s):
        if r.start < cue:
            continue
        if isinstance(r.low, Percent) and r.low.direction is not None and 0 <= r.start - last_amount_end <= 12:
            continue  # "…介乎68至72亿元,同比增长18.9%至25.9%": the growth restates the range just given
        if isinstance(r.low, Amount):
            last_amount_end = r.end
        hit = lexicon.find_metric(s[: r.start])
        metric = hit.metric if hit else "revenue"
        segment = lexicon.segment_of(s, hit) if hit else None
        if isinstance(r.high, Amount) and r.high.per_share and metric in _PER_SHARE_OF:
            metric = _PER_SHARE_OF[metric]  # "earnings in the range of $5.10 to $5.40 per share"
        if isinstance(r.low, Percent):
            unit: str | None = "%"
            rate = _RATE_WORD.search(s[hit.start if hit else cue : r.start])
            if rate and metric != "gross_margin":  # "EBIT margin of 14% to 15%": a ratio with no canonical name
                metric, segment = "other", lexicon.label_before(s[cue : rate.end()]) or (hit.text if hit else None)
        elif isinstance(r.high, Amount) and r.high.unit in ("count", "days") and not _is_currency(r.low.unit):  # type: ignore[union-attr]
            # "交付量将介乎29000至31000辆", "deliveries of 66,000 to 70,000 vehicles", "a target of
            # 550-600 new stores": a count is no money metric; its noun phrase names it
            c0 = clause_bounds(s, r.start)[0]
            metric, unit = "other", r.high.unit
            named = lexicon.label_before(_GUIDE_VERB_TAIL.sub("", s[max(c0, cue) : r.start]))
            counted_en = re.search(r"[A-Za-z][A-Za-z\- ]+$", r.high.text)
            counted = counted_en.group(0).strip() if counted_en else None
            segment = named if named and not _GOAL_WORD.search(named) else counted or named
            if segment is None:
                continue
        else:
            unit = next((u for u in (r.high.unit, r.low.unit) if _is_currency(u)), frame.currency)  # type: ignore[union-attr]
            if unit == "CNY" and isinstance(r.high, Amount) and _is_plain_yuan(r.high):
                unit = frame.yuan
        if unit is None:
            continue
        low, high = r.low.value, r.high.value
        said = s[(hit.end if hit else cue) : r.start] + (hit.text if hit else "")
        if unit != "%" and low >= 0 and (metric in lexicon.INCOME_METRICS or hit is None) and lexicon.LOSS_RE.search(said):
            # "预计亏损2,000万元–3,000万元": a loss range is negative, high to low
            low, high = -high, -low
            if hit is None:
                metric = "net_income"
        # Guidance is about the period ahead: the one the paragraph names, else the next one.
        ahead = context if context is not None and main is not None and context != main else _next_period(main)
        period, _ = _period_of(sent, 0, len(s), r.start, mentions, replace(frame, main=ahead), None)
        evidence = s[max(0, (hit.start if hit else r.start)) : r.end]
        out.append(Guidance(metric, str(period) if period else None, segment, low, high, unit, evidence))


_GUIDE_VERB_TAIL = re.compile(r"(?:将|將|会|會|预计|預計|预期|預期|介乎|介于|介於|在|约|約|大约|大約|为|為|达到|達到|达|達|至|于|於)+\s*$")


def _next_period(main: Period | None) -> Period | None:
    if main is None:
        return None
    if main.kind == "FY":
        return main.shift_year(1)
    if main.kind.startswith("Q"):
        q = int(main.kind[1])
        return Period(main.year + 1, "Q1") if q == 4 else Period(main.year, f"Q{q + 1}")
    return main


def _merge(facts: list[Fact]) -> list[Fact]:
    """One fact per (metric, period, segment): the first stated, with changes filled in from
    repeats (highlights and body often state the same figure)."""
    merged: dict[tuple[Any, ...], Fact] = {}
    for f in facts:
        # an `other` label may name an amount of money and a count ("回购…金额", "…数量")
        key = (f.metric, f.period, f.segment, f.unit if f.metric == "other" else None)
        if key not in merged:
            merged[key] = f
            continue
        kept = merged[key]
        rounded = _rounded_from(kept.value, f.value)
        if rounded:
            # "Quarterly revenue $2.0 billion" … "total revenue $2.04 billion": the precise statement
            kept, f = replace(f, start=kept.start), kept
        if rounded or abs(kept.value - f.value) <= 0.005 * max(abs(kept.value), 1e-9):
            merged[key] = replace(kept, yoy_pct=kept.yoy_pct if kept.yoy_pct is not None else f.yoy_pct,
                                  qoq_pct=kept.qoq_pct if kept.qoq_pct is not None else f.qoq_pct)  # fmt: skip
    return list(merged.values())


def _significant_digits(x: float) -> int:
    return len(f"{abs(x):.12e}".split("e")[0].replace(".", "").rstrip("0")) or 1


def _rounded_from(rough: float, precise: float) -> bool:
    """Whether `rough` is `precise` stated with fewer digits (2.0 billion for 2.04 billion)."""
    digits = _significant_digits(rough)
    if rough == precise or digits >= _significant_digits(precise) or abs(rough - precise) > 0.025 * abs(precise):
        return False
    return float(f"{precise:.{digits - 1}e}") == rough


def _merge_guidance(items: list[Guidance]) -> list[Guidance]:
    seen: dict[tuple[Any, ...], Guidance] = {}
    for g in items:
        seen.setdefault((g.metric, g.period, g.segment, g.unit), g)
    return list(seen.values())
