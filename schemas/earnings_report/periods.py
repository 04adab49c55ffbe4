"""Periods: finding "2023年第二季度", "Q3 2024", "去年同期", "截至2022年12月31日" and resolving
them to the spec's format (2023Q2, 2024H1, 20239M, 2021FY).

Rules, not a model: period words are a closed set, and a relative reference ("同期")
is resolved against the period the sentence is about.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

_CN_Q = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_EN_Q = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"], 1
)}  # fmt: skip
_MONTH_RE = "|".join(list(_MONTHS) + [m[:3] for m in _MONTHS])

PERIOD_RE = re.compile(r"^\d{4}(Q[1-4]|H[12]|9M|FY)$")


@dataclass(frozen=True)
class Period:
    year: int
    kind: str  # "Q1".."Q4", "H1", "H2", "9M", "FY"

    def __str__(self) -> str:
        return f"{self.year}{self.kind}"

    def shift_year(self, years: int) -> Period:
        return Period(self.year + years, self.kind)

    def previous_quarter(self) -> Period:
        if not self.kind.startswith("Q"):
            return self
        q = int(self.kind[1])
        return Period(self.year - 1, "Q4") if q == 1 else Period(self.year, f"Q{q - 1}")

    def end_month(self) -> int:
        return {"Q1": 3, "Q2": 6, "Q3": 9, "Q4": 12, "H1": 6, "H2": 12, "9M": 9, "FY": 12}[self.kind]


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    kind: str  # "absolute", "quarter_no_year", "same_period_last_year", "year_same_period", "previous_quarter", "date", "year_only"
    period: Period | None = None
    year: int | None = None
    quarter: str | None = None
    on: date | None = None


def _y(s: str) -> int:
    y = int(s)
    return y + 2000 if y < 100 else y


_SPAN_WORDS = (r"(?:第[一二三四1-4])?(三个月|三個月|六个月|六個月|九个月|九個月|十二个月|十二個月|[369]\s*个月|[369]\s*個月"
               r"|12\s*个月|12\s*個月|年度|全年|财年|財年|季度|中期|半年)")
_EN_SPAN = r"(three|six|nine|twelve)[\s-]+months?|(quarter|year|fiscal\s+year|half[\s-]+year|half)"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # "截至2024年6月30日止六个月", "six months ended 30 June 2024", "quarter ended September 30, 2023"
    ("ending", re.compile(r"截至\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*止?\s*(?:的)?\s*" + _SPAN_WORDS)),
    ("ending_en", re.compile(r"(?:" + _EN_SPAN + r")\s+ended\s+(?:(" + _MONTH_RE + r")\.?\s+\d{1,2},?\s+(\d{4})|\d{1,2}\s+(" + _MONTH_RE + r")\.?\s+(\d{4}))", re.I)),
    # fiscal-year quarters: "2024财年第三财季", "fiscal 2024 third quarter", "third quarter of fiscal 2024"
    ("ending_en_noyear", re.compile(r"(?:" + _EN_SPAN + r")\s+ended\s+(" + _MONTH_RE + r")\.?\s+\d{1,2}(?![\d,]*\s*\d{4})", re.I)),
    ("fy_quarter", re.compile(r"(\d{4})\s*(?:财年|財年|财政年度|財政年度)\s*第?([一二三四1-4])\s*(?:财季|財季|季度|季)")),
    ("fy_quarter_en", re.compile(r"(first|second|third|fourth)\s+(?:fiscal\s+)?quarter\s+(?:of\s+)?fiscal\s+(?:year\s+)?(\d{4})|fiscal\s+(?:year\s+)?(\d{4})\s+(first|second|third|fourth)\s+quarter", re.I)),
    ("quarter", re.compile(r"(\d{4})\s*年?\s*(?:第\s*)?([一二三四1-4])\s*(?:季度|季)|(\d{4})\s*年?\s*Q([1-4])|Q([1-4])\s*(?:FY)?\s*'?(\d{2,4})\b|([1-4])Q\s*'?(\d{2,4})\b", re.I)),
    ("quarter_en", re.compile(r"(first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter\s+(?:of\s+)?(?:fiscal\s+(?:year\s+)?)?(\d{4})|(\d{4})\s+(first|second|third|fourth)\s+quarter", re.I)),
    ("half", re.compile(r"(\d{4})\s*(?:年|财年|財年)?\s*(?:上半年|中期|半年度|前六个月|前六個月|1\s*[-至到]\s*6\s*月)|(?:first[\s-]+half|H1|1H)\s*(?:of\s+)?(?:fiscal\s+)?'?(\d{2,4})\b|(\d{4})\s*(?:H1|first\s+half|interim)", re.I)),
    ("half2", re.compile(r"(\d{4})\s*年?\s*下半年|(?:second[\s-]+half|H2|2H)\s*(?:of\s+)?'?(\d{2,4})\b", re.I)),
    ("nine", re.compile(r"(\d{4})\s*(?:年|财年|財年)?\s*(?:前三季度|前三季|前九个月|前九個月|1\s*[-至到]\s*9\s*月)|(?:first\s+nine\s+months|nine\s+months)\s+(?:of\s+|ended\s+[A-Za-z]+\s+\d{1,2},\s+)?(\d{4})", re.I)),
    ("same_period", re.compile(r"(\d{4})\s*年\s*同期|(?:same|corresponding|comparable)\s+(?:period|quarter)\s+(?:of|in)\s+(\d{4})|(?:去年|上年|上一年|上年度|上一年度|去年度)?同期|去年|上年度|上一年度|上年|(?:the\s+)?(?:same|corresponding|comparable)\s+(?:period|quarter)\s+(?:of|in|last)\s+(?:the\s+)?(?:prior|previous|last)?\s*(?:fiscal\s+)?(?:year)?|(?:a|one)\s+year\s+(?:earlier|ago)|year[\s-]ago|prior[\s-]year|previous\s+year|last\s+year", re.I)),
    ("prev_quarter", re.compile(r"上季度|上一季度|上個季度|上个季度|前一季度|前季度|上一季|上季|previous\s+quarter|prior\s+quarter|preceding\s+quarter|last\s+quarter|sequential", re.I)),
    ("date", re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|(\d{4})-(\d{2})-(\d{2})|(" + _MONTH_RE + r")\.?\s+(\d{1,2}),?\s+(\d{4})|(\d{1,2})\s+(" + _MONTH_RE + r")\.?\s+(\d{4})", re.I)),
    ("year_end", re.compile(r"(\d{4})\s*年\s*(?:底|末|年底|年末)|(?:end\s+of|year[\s-]end)\s+(\d{4})", re.I)),
    ("full_year", re.compile(r"(\d{4})\s*(?:年|财年|財年|財政年度|财政年度)\s*(?:全年|年度|全年度|整年)?|(\d{4})\s*(?:全年|年度|全年度)|(?:full[\s-]+year|fiscal\s+(?:year\s+)?|FY\s*'?)(\d{2,4})\b|(\d{4})\s+(?:full[\s-]+year|fiscal\s+year|annual)", re.I)),
    ("half_no_year", re.compile(r"中期|上半年|半年度|(?<![\d.])1\s*[-至到~]\s*6\s*月|(?:the\s+)?first[\s-]+half|interim\s+period", re.I)),
    ("nine_no_year", re.compile(r"前三季度|前三季|(?<![\d.])1\s*[-至到~]\s*9\s*月|前九个月|前九個月|年初至报告期末|年初至報告期末|(?:the\s+)?first\s+nine\s+months|year[\s-]to[\s-]date", re.I)),
    ("quarter_no_year", re.compile(r"第\s*([一二三四1-4])\s*季度?|(?<![\d年])([一二三四])季度|(?<![A-Za-z\d])Q([1-4])(?![\d\s]*\d{2})|(first|second|third|fourth)[\s-]+quarter(?!\s+(?:of\s+)?(?:fiscal\s+)?\d{4})", re.I)),
    ("this_year", re.compile(r"全年|年度|full\s+year|the\s+year", re.I)),
]


def find_mentions(text: str) -> list[Mention]:
    """Every period mention, longest first where they overlap, in text order."""
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            mention = _mention(kind, m)
            if mention is not None:
                found.append(mention)
                taken.append((m.start(), m.end()))
    return sorted(found, key=lambda x: x.start)


def _first(m: re.Match[str], *idx: int) -> str | None:
    for i in idx:
        if m.group(i):
            return m.group(i)
    return None


def _span_period(year: int, month: int, span: str) -> Period | None:
    """The period of a span ending in `month` of `year`: "六个月" to June is H1."""
    span = re.sub(r"\s+", "", span.lower()).replace("個", "个")
    span = {"3个月": "三个月", "6个月": "六个月", "9个月": "九个月", "12个月": "十二个月"}.get(span, span)
    if span in ("三个月", "季度", "three", "quarter"):
        return Period(year, f"Q{(month - 1) // 3 + 1}")
    if span in ("六个月", "中期", "半年", "six", "half", "half-year", "half year"):
        if month == 6:
            return Period(year, "H1")
        # An announced six months that end elsewhere are the first half of a fiscal year that
        # ends six months later, named by the year it ends: to 2022-09-30 (year to March) and
        # to 2022-12-31 (year to June) are 2023H1. Companies on the calendar year announce the
        # full year, not its second half.
        return Period(year + 1 if month > 6 else year, "H1")
    if span in ("九个月", "nine"):
        return Period(year, "9M")
    return Period(year, "FY")  # 年度, 全年, twelve months, year: a fiscal year named by its end


def _mention(kind: str, m: re.Match[str]) -> Mention | None:
    s, e = m.start(), m.end()
    g = m.group
    if kind == "ending":
        return Mention(s, e, "absolute", _span_period(int(g(1)), int(g(2)), g(4)))
    if kind == "ending_en":
        span = re.sub(r"\s+", " ", (g(1) or g(2)).lower().replace("-", " "))
        month, year = (g(3), g(4)) if g(3) else (g(5), g(6))
        return Mention(s, e, "absolute", _span_period(int(year), _month3(month), span.split()[0] if g(1) else span))
    if kind == "ending_en_noyear":
        span = re.sub(r"\s+", " ", (g(1) or g(2)).lower().replace("-", " "))
        p = _span_period(2000, _month3(g(3)), span.split()[0] if g(1) else span)
        return Mention(s, e, "quarter_no_year", quarter=p.kind) if p else None
    if kind == "half_no_year":
        return Mention(s, e, "quarter_no_year", quarter="H1")
    if kind == "nine_no_year":
        return Mention(s, e, "quarter_no_year", quarter="9M")
    if kind == "fy_quarter":
        return Mention(s, e, "absolute", Period(int(g(1)), f"Q{_CN_Q[g(2)]}"))
    if kind == "fy_quarter_en":
        q, y = (g(1), g(2)) if g(1) else (g(4), g(3))
        return Mention(s, e, "absolute", Period(int(y), f"Q{_EN_Q[q.lower()]}"))
    if kind == "quarter":
        if g(1):
            return Mention(s, e, "absolute", Period(int(g(1)), f"Q{_CN_Q[g(2)]}"))
        if g(3):
            return Mention(s, e, "absolute", Period(int(g(3)), f"Q{g(4)}"))
        if g(5):
            return Mention(s, e, "absolute", Period(_y(g(6)), f"Q{g(5)}"))
        return Mention(s, e, "absolute", Period(_y(g(8)), f"Q{g(7)}"))
    if kind == "quarter_en":
        q, y = (g(1), g(2)) if g(1) else (g(4), g(3))
        return Mention(s, e, "absolute", Period(int(y), f"Q{_EN_Q[q.lower()]}"))
    if kind in ("half", "half2", "nine"):
        y = _first(m, *range(1, (m.re.groups or 0) + 1))
        if y is None:
            return None
        return Mention(s, e, "absolute", Period(_y(y), {"half": "H1", "half2": "H2", "nine": "9M"}[kind]))
    if kind == "full_year":
        y = _first(m, 1, 2, 3, 4)
        if y is None:
            return None
        explicit = bool(re.search(r"全年|年度|整年|full|fiscal|FY|annual|财年|財年", m.group(0), re.I))
        return Mention(s, e, "absolute" if explicit else "year_only", Period(_y(y), "FY"), year=_y(y))
    if kind == "date":
        try:
            if g(1):
                d = date(int(g(1)), int(g(2)), int(g(3)))
            elif g(4):
                d = date(int(g(4)), int(g(5)), int(g(6)))
            elif g(7):
                d = date(int(g(9)), _month3(g(7)), int(g(8)))
            else:
                d = date(int(g(12)), _month3(g(11)), int(g(10)))
        except (ValueError, KeyError):
            return None
        return Mention(s, e, "date", on=d)
    if kind == "year_end":
        y = int(_first(m, 1, 2) or 0)
        return Mention(s, e, "date", on=date(y, 12, 31))
    if kind == "same_period":
        if g(1) or g(2):
            return Mention(s, e, "year_same_period", year=int(g(1) or g(2)))
        return Mention(s, e, "same_period_last_year")
    if kind == "prev_quarter":
        return Mention(s, e, "previous_quarter")
    if kind == "quarter_no_year":
        q = _first(m, 1, 2, 3)
        if q is None:
            word = g(4)
            q = str(_EN_Q[word.lower()]) if word else None
        return Mention(s, e, "quarter_no_year", quarter=f"Q{_CN_Q.get(q, q)}") if q else None
    if kind == "this_year":
        return Mention(s, e, "this_year")
    return None


def _month3(name: str) -> int:
    return {k[:3]: v for k, v in _MONTHS.items()}[name.lower()[:3]]


def period_for_date(on: date, main: Period | None, main_end: date | None = None) -> Period:
    """A balance "as of" a date belongs to the period ending then: the main period if it ends
    that day (`main_end`, as the text states it, for fiscal years that are not calendar years),
    the fiscal year for a year-end, otherwise the quarter."""
    if main_end is not None and (on.year, on.month) == (main_end.year, main_end.month):
        return main  # type: ignore[return-value]
    if main is not None and main.end_month() == on.month and main.year == on.year:
        return main
    if on.month == 12:
        return Period(on.year, "FY")
    return Period(on.year, f"Q{(on.month - 1) // 3 + 1}")


def resolve(mention: Mention, reference: Period | None, main_end: date | None = None) -> Period | None:
    """The period a mention names, relative ones resolved against `reference`."""
    if mention.kind == "absolute":
        return mention.period
    if reference is None:
        return None
    if mention.kind == "same_period_last_year":
        return reference.shift_year(-1)
    if mention.kind == "year_same_period" and mention.year:
        return Period(mention.year, reference.kind)
    if mention.kind == "previous_quarter":
        return reference.previous_quarter()
    if mention.kind == "quarter_no_year" and mention.quarter:
        return Period(reference.year, mention.quarter)
    if mention.kind == "year_only" and mention.year:
        return Period(mention.year, "FY") if reference.kind == "FY" or mention.year != reference.year else reference
    if mention.kind == "date" and mention.on:
        return period_for_date(mention.on, reference, main_end)
    if mention.kind == "this_year":
        return Period(reference.year, "FY")
    return None


def main_period(text: str) -> Period | None:
    """The period a document reports: the first absolute period in its opening, preferring
    the full year when the opening announces a Q4 together with the year."""
    head = text[:600]
    mentions = [m for m in find_mentions(head) if m.kind == "absolute" and m.period]
    this_year = _THIS_YEAR_SPAN.search(head)
    dated = [m.period.year for m in find_mentions(text[:3000]) if m.kind == "absolute" and m.period]
    if this_year and (not mentions or this_year.start() < mentions[0].start) and (year := max(dated, default=None) or _first_year(text[:3000])):
        # "该公司今年二季度实现营业总收入…" before any dated period: this year's quarter, the
        # year being the latest the article dates (a mirror's crawl stamp is no publication date)
        q = this_year.group("q")
        return Period(year, f"Q{_CN_Q[q]}" if q else {"上半年": "H1", "中期": "H1", "前三季度": "9M"}[this_year.group("h")])
    if not mentions:
        # News wires often give no year with the period ("the three months ended September 30");
        # the year is the article's (its first date or year).
        quarters = [m for m in find_mentions(head) if m.kind == "quarter_no_year" and m.quarter]
        year = _first_year(text[:3000])
        if quarters and year:
            # The quarter the article keeps naming, not one its headline forecasts ("第四季營收估季減…").
            named = Counter(m.quarter for m in find_mentions(text[:3000]) if m.kind == "quarter_no_year" and m.quarter)
            quarter = max(dict.fromkeys(q.quarter for q in quarters if q.quarter), key=lambda q: named[q])
            if quarter not in ("Q4", "H2", "FY") and _only_year_end_dates(text[:3000], year):
                year += 1  # "vs. December 31, 2024" in a Q3 report: the prior year-end balance
            return Period(year, quarter)  # type: ignore[arg-type]
        relative = _RELATIVE_YEAR.search(head)
        year = _first_year(text[:3000])
        if relative and year:
            # "截至去年12月底止全年業績" under a 2024 dateline is 2023FY; "今年上半年" is this year's H1
            shift = -1 if relative.group("which") in ("去年", "上年", "上一年") else 0
            kind = {"上半年": "H1", "中期": "H1", "前三季度": "9M", "下半年": "H2"}.get(relative.group("span") or "", "FY")
            return Period(year + shift, kind)
        mentions = [m for m in find_mentions(text[:3000]) if m.kind in ("absolute", "year_only") and m.period]
    if not mentions:
        return None
    first = mentions[0].period
    assert first is not None
    if first.kind == "Q4" and re.search(r"全年|年度|full[\s-]year|fiscal\s+year|annual", head, re.I):
        return Period(first.year, "FY")
    return first


_THIS_YEAR_SPAN = re.compile(r"(?:今年|本年)度?(?:第\s*)?(?:(?P<q>[一二三四1-4])季度?|(?P<h>上半年|中期|前三季度))")
# A results period named relative to the article's date: "去年全年業績", "截至去年12月底止全年", "今年上半年".
_RELATIVE_YEAR = re.compile(
    r"(?P<which>去年|上年|上一年|今年|本年)度?(?:\d{1,2}月底?止?|[^，,。；;]{0,6}?)?(?P<span>全年|年度|上半年|中期|前三季度|下半年)"
)


_ENDED = re.compile(r"(?:ended|ending|截至|截止|止)\s*$", re.I)


def main_period_end(text: str, main: Period | None) -> date | None:
    """The end date of the main period as the opening states it ("quarter ended March 31,
    2024", "截至2023年6月30日"): fiscal quarters need not end where calendar ones do."""
    if main is None:
        return None
    head = text[:1500]
    dates = [m for m in find_mentions(head) if m.kind == "date" and m.on]
    for m in dates:
        if _ENDED.search(head[max(0, m.start - 12) : m.start]) and m.on and abs(m.on.year - main.year) <= 1:
            return m.on
    for m in dates:
        if m.on and m.on.year == main.year and m.on.month == main.end_month():
            return m.on
    return None


def _first_year(text: str) -> int | None:
    """The article's year: its dateline if it has one, else the latest year it mentions
    (results news compares with earlier years, rarely later ones)."""
    mentions = find_mentions(text)
    for m in mentions:
        if m.kind == "date" and m.on and m.start < 400:  # a dateline, not a balance date
            return m.on.year
    years = [m.period.year for m in mentions if m.period is not None]
    years += [int(y) for y in re.findall(r"(?<!\d)(20\d\d)(?!\d)", text)]
    return max(years) if years else None


def _only_year_end_dates(text: str, year: int) -> bool:
    """Whether `year` appears only as a December 31 balance date."""
    mentions = [m for m in find_mentions(text) if (m.period and m.period.year == year) or (m.on and m.on.year == year)]
    return bool(mentions) and all(m.on is not None and (m.on.month, m.on.day) == (12, 31) for m in mentions)


def period_end_stated(text: str, main: Period | None) -> str | None:
    """The ISO end date of the main period when the text states it."""
    end = main_period_end(text, main)
    return end.isoformat() if end else None
