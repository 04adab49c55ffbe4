"""Field types that read a value from a verbatim quote: fiscal periods, dates and currencies.

Amounts and percentages are read by `extract/amounts.py`, dates by `extract/dates.py`; this
module adds the rest of what a quote-reading strategy needs, for any schema: "2023年第二季度" ->
"2023Q2", "first half of fiscal 2024" -> "2024H1", "人民币" -> "CNY" (and dates as ISO strings). The word lists
are tables (below), apart from the code that applies them.

A period quote without a year ("第二季度", "same period last year") is read against a
reference period (what the document reports), when the caller has one.
"""

from __future__ import annotations

import re

from extract.amounts import currency_code, normalize_width
from extract.dates import find_dates

# ---------------------------------------------------------------- tables

# Period words -> the part of a year they name. Longest first when matched.
PERIOD_PARTS: dict[str, str] = {
    # nine months
    "前三季度": "9M", "前三季": "9M", "前三個季度": "9M", "前三个季度": "9M", "1-9月": "9M", "1至9月": "9M",
    "first nine months": "9M", "nine months": "9M", "9 months": "9M", "9m": "9M", "9mfy": "9M",
    # halves
    "上半年": "H1", "上半财年": "H1", "上半財年": "H1", "中期": "H1", "半年度": "H1", "1-6月": "H1", "1至6月": "H1",
    "下半年": "H2", "下半财年": "H2", "下半財年": "H2",
    "first half": "H1", "second half": "H2", "half year": "H1", "half-year": "H1", "interim": "H1",
    "h1": "H1", "1h": "H1", "h2": "H2", "2h": "H2",
    # quarters
    "第一季度": "Q1", "第一季": "Q1", "一季度": "Q1", "首季": "Q1", "1季度": "Q1",
    "第二季度": "Q2", "第二季": "Q2", "二季度": "Q2", "2季度": "Q2",
    "第三季度": "Q3", "第三季": "Q3", "三季度": "Q3", "3季度": "Q3",
    "第四季度": "Q4", "第四季": "Q4", "四季度": "Q4", "4季度": "Q4",
    "first quarter": "Q1", "second quarter": "Q2", "third quarter": "Q3", "fourth quarter": "Q4",
    "q1": "Q1", "q2": "Q2", "q3": "Q3", "q4": "Q4", "1q": "Q1", "2q": "Q2", "3q": "Q3", "4q": "Q4",
    # whole year
    "全年": "FY", "年度": "FY", "财年": "FY", "財年": "FY", "全财年": "FY", "全財年": "FY",
    "full year": "FY", "full-year": "FY", "fiscal year": "FY", "annual": "FY", "fy": "FY",
}
# Words that move the period against the reference: a year back, a quarter back.
YEAR_BACK = ("去年", "上年", "上一年", "上一财年", "上一財年", "last year", "prior year", "previous year",
             "a year earlier", "a year ago", "year-ago", "year ago", "prior-year", "previous-year")
QUARTER_BACK = ("上季度", "上一季度", "上季", "上一季", "previous quarter", "prior quarter", "last quarter",
                "preceding quarter", "sequential")
SAME_PART = ("同期", "same period", "same quarter", "corresponding period", "corresponding quarter")

_CN_DIGITS = {"〇": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7",
              "八": "8", "九": "9"}

# ---------------------------------------------------------------- patterns (all linear)

_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")
_YEAR_CN = re.compile(r"([〇零一二三四五六七八九]{4})年")
_FY_SHORT = re.compile(r"(?i)(?<![a-z])fy[ '’]?([0-9]{2})(?![0-9])")  # FY24, FY'24
_QUARTER_NUM = re.compile(r"(?i)(?<![a-z0-9])(?:q([1-4])|([1-4])q)(?![0-9])")
_PARTS = re.compile(
    "|".join(
        rf"(?<![a-z]){re.escape(k)}(?![a-z])" if k.isascii() else re.escape(k)
        for k in sorted(PERIOD_PARTS, key=len, reverse=True)
    ),
    re.IGNORECASE,
)
# When a quote names several parts ("2023年度第二季度"), the narrowest wins.
_PART_ORDER = ("Q1", "Q2", "Q3", "Q4", "H1", "H2", "9M", "FY")
_PERIOD_RE = re.compile(r"^(\d{4})(Q[1-4]|H[12]|9M|FY)$")


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", normalize_width(text)).strip()


def parse_period(quote: str, reference: str | None = None) -> str | None:
    """A fiscal period as YYYY + Q1..Q4 | H1 | H2 | 9M | FY, read from a quote; None when the
    quote names none. `reference` (e.g. "2023Q2", the period the document reports) fills
    what the quote leaves out: the year of "第二季度", the whole of "去年同期" (2022Q2)."""
    text = _fold(quote)
    low = text.lower()
    ref = _PERIOD_RE.match(reference or "")
    year: int | None = None
    if m := _YEAR.search(text):
        year = int(m.group(1))
    elif m := _YEAR_CN.search(text):
        year = int("".join(_CN_DIGITS[c] for c in m.group(1)))
    elif m := _FY_SHORT.search(text):
        year = 2000 + int(m.group(1))
    named = {PERIOD_PARTS[m.group(0).lower()] for m in _PARTS.finditer(text)}
    named |= {f"Q{m.group(1) or m.group(2)}" for m in _QUARTER_NUM.finditer(text)}
    part = next((p for p in _PART_ORDER if p in named), None)
    back_year = any(w in low for w in YEAR_BACK)
    back_quarter = any(w in low for w in QUARTER_BACK)
    same = any(w in low for w in SAME_PART)
    if ref is not None:
        ref_year, ref_part = int(ref.group(1)), ref.group(2)
        if back_quarter and part is None and ref_part.startswith("Q"):
            q = int(ref_part[1]) - 1
            return f"{ref_year - 1}Q4" if q == 0 else f"{ref_year}Q{q}"
        if year is None and (part is not None or back_year or same):
            year = ref_year - 1 if back_year else ref_year
        if part is None and (same or back_year) and year is not None:
            part = ref_part
    if year is None:
        return None
    if part is None:
        # A bare year ("2023年", "fiscal 2024") is the whole year.
        part = "FY"
    return f"{year}{part}"


def parse_date(quote: str) -> str | None:
    """An ISO date (YYYY-MM-DD), the first full date the quote holds ("2023年6月30日",
    "June 30, 2023"; `extract/dates.py`); None when it holds none."""
    found = find_dates(quote)
    return found[0].value.isoformat() if found else None


def parse_currency(quote: str) -> str | None:
    """The ISO code of the currency a quote names ("人民币", "RMB", "US$", "港元", "USD")."""
    return currency_code(_fold(quote))
