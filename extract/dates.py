"""Find calendar dates in zh/en text: "2024年3月15日", "2024-03-15", "2024/3/15", "March 15, 2024",
"15 March 2024", "Mar. 15, 2024". A field type of the engine, like amounts: a schema's rules find
dates with it, and the grounding gate reads a date back from its evidence with it.

Only full dates (year, month, day) are found: "3月15日" alone names no year, and a date that a
reader must guess is not grounded. Every pattern is linear (bounded digit runs, one alternation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from extract.amounts import normalize_width

__all__ = ["DateMention", "find_dates", "dates_stated"]


@dataclass(frozen=True)
class DateMention:
    value: date
    start: int
    end: int
    text: str


_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH_WORD = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
_DATE = re.compile(
    # 2024年3月15日 (also with spaces, and 二〇二四年三月十五日)
    r"(?P<zy>\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*(?P<zm>\d{1,2}|[一二三四五六七八九十]{1,2})\s*月"
    r"\s*(?P<zd>\d{1,2}|[一二三四五六七八九十]{1,3})\s*[日号號]"
    # 2024-03-15, 2024/3/15, 2024.03.15
    r"|(?<!\d)(?P<iy>\d{4})(?P<sep>[-/.])(?P<im>\d{1,2})(?P=sep)(?P<id>\d{1,2})(?!\d)"
    # March 15, 2024 / Mar. 15 2024
    r"|\b" + _MONTH_WORD + r"\s+(?P<ed>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<ey>\d{4})\b"
    # 15 March 2024
    r"|\b(?P<fd>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mon2>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?"
    r"|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?,?\s+(?P<fy>\d{4})\b",
    re.IGNORECASE,
)


def _cn_number(s: str) -> int:
    """Digits or Chinese numerals up to 31 ("十五", "二十一", "三十"), or a 4-digit 二〇二四."""
    if s.isdigit():
        return int(s)
    if len(s) == 4 and "十" not in s:
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS[s]


def _month(word: str) -> int:
    return _MONTHS[word.lower().rstrip(".")[:4] if word.lower().startswith("sept") else word.lower()[:3]]


def find_dates(text: str) -> list[DateMention]:
    """Every full date in `text`, with offsets into `text` (width folding keeps every index)."""
    out: list[DateMention] = []
    for m in _DATE.finditer(normalize_width(text)):
        g = m.groupdict()
        try:
            if g["zy"]:
                y, mo, d = _cn_number(g["zy"]), _cn_number(g["zm"]), _cn_number(g["zd"])
            elif g["iy"]:
                y, mo, d = int(g["iy"]), int(g["im"]), int(g["id"])
            elif g["ey"]:
                y, mo, d = int(g["ey"]), _month(g["mon"]), int(g["ed"])
            else:
                y, mo, d = int(g["fy"]), _month(g["mon2"]), int(g["fd"])
            value = date(y, mo, d)
        except (ValueError, KeyError):
            continue  # 2024-13-45 is not a date
        out.append(DateMention(value, m.start(), m.end(), text[m.start() : m.end()]))
    return out


def dates_stated(evidence: str) -> list[date]:
    return [d.value for d in find_dates(evidence)]
