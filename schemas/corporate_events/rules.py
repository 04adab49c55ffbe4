"""The corporate_events rules: code finds every event, figure, date and name.

A sentence with an event word (lexicon.TRIGGERS) opens or extends an event of that type; the
engine's parsers read its amounts, counts and dates, and the word tables here tell which is
which (a bound "不超过", a price "/股", a record date "股权登记日"). Consecutive sentences of one
type are one event unless they disagree (a second person, another amount). Sentences that tell
of another company in passing (lexicon.PASSING) are left out. The announcing company and the
announcement date come from the header, the dateline or the signature.

The model is not asked: the rules name every value from the text, and until a measurement shows
that a question to the embedded model helps (and does not cost more than it gains), none is asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from extract.amounts import Amount, find_amounts, find_percents, normalize_width, parse_number
from extract.dates import find_dates
from extract.schema_api import Ask, RulesContext
from extract.schemas.corporate_events import lexicon as lx
from extract.segmenting import Span, sentences

# Fields each type may carry (a dividend has no target; a buyback no investors).
TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    "share_buyback": ("amount", "shares", "price_cap", "period_months"),
    "share_issue": ("amount", "shares", "price", "investors"),
    "acquisition": ("amount", "target", "counterparty", "stake_pct"),
    "disposal": ("amount", "target", "counterparty", "stake_pct"),
    "dividend": ("per_share", "record_date", "payment_date"),
    "executive_change": ("person", "role", "change", "effective_date"),
}
# What an event needs before it is reported at all.
REQUIRED: dict[str, tuple[str, ...]] = {
    "share_buyback": ("amount_low", "amount_high", "shares_low", "shares_high", "price_cap"),
    "share_issue": ("amount_low", "amount_high", "shares_low", "shares_high", "price"),
    "acquisition": ("target", "amount_low", "amount_high"),
    "disposal": ("target", "amount_low", "amount_high"),
    "dividend": ("per_share",),
    "executive_change": ("person",),
}
MAX_GAP = 400  # characters between two sentences that may still be one event


GROUPS = (("amount_low", "amount_high"), ("shares_low", "shares_high"))


@dataclass
class Draft:
    type: str
    start: int
    end: int
    values: dict[str, Any] = field(default_factory=dict)

    def conflicts(self, other: dict[str, Any]) -> bool:
        """Two sentences tell of different events when they disagree: other figures (a range
        and one of its bounds agree), names neither of which contains the other, other dates."""
        for group in GROUPS:
            ours = {self.values[k] for k in group if self.values.get(k) is not None}
            theirs = {other[k] for k in group if other.get(k) is not None}
            if ours and theirs and not ours & theirs:
                return True
        for k, v in other.items():
            if k in self.values and any(k in g for g in GROUPS):
                continue
            mine = self.values.get(k)
            if mine is None or mine == v:
                continue
            if isinstance(mine, str) and isinstance(v, str) and (mine in v or v in mine):
                continue
            return True
        return False

    def merge(self, other: dict[str, Any], end: int) -> None:
        """Take in a later sentence: its bounds replace a headline's rounder figure, and the
        longer of two names stays ("江南膜业" -> "江南膜业科技有限公司")."""
        for group in GROUPS:
            if any(other.get(k) is not None for k in group):
                for k in group:
                    self.values.pop(k, None)
        for k, v in other.items():
            mine = self.values.get(k)
            if isinstance(mine, str) and isinstance(v, str) and len(mine) >= len(v):
                continue
            self.values[k] = v
        self.end = max(self.end, end)


# --------------------------------------------------------------------------- figures


def _bound(text: str, a: Amount) -> str | None:
    if a.bound in ("upper", "lower"):
        return a.bound
    before = normalize_width(text[max(0, a.start - 24) : a.start])
    if lx.UPPER.search(before):
        return "upper"
    if lx.LOWER.search(before):
        return "lower"
    return None


def _is_price(text: str, a: Amount) -> bool:
    if a.per_share or lx.PER_SHARE_AFTER.match(text, a.end):
        return True
    return bool(lx.PER_SHARE_BEFORE.search(text[max(0, a.start - 12) : a.start]))


def _range(amounts: list[tuple[Amount, str | None]]) -> dict[str, float]:
    """low / high from bounded amounts ("不低于1亿元，不超过2亿元"), else the first amount as both."""
    lows = [a.value for a, b in amounts if b == "lower"]
    highs = [a.value for a, b in amounts if b == "upper"]
    if lows or highs:
        out = {}
        if lows:
            out["low"] = lows[0]
        if highs:
            out["high"] = highs[0]
        return out
    if len(amounts) >= 2 and amounts[0][0].value < amounts[1][0].value and _joined(amounts[0][0], amounts[1][0]):
        return {"low": amounts[0][0].value, "high": amounts[1][0].value}
    return {"low": amounts[0][0].value, "high": amounts[0][0].value} if amounts else {}


def _joined(a: Amount, b: Amount) -> bool:
    """"500万股至1,000万股": two amounts a range apart, nothing but a dash or 至 between them."""
    return 0 <= b.start - a.end <= 3


def _money(text: str, unit: Span) -> dict[str, Any]:
    found = [a for a in find_amounts(unit.text) if a.unit not in (None, "count", "%") and not _is_price(unit.text, a)]
    found = [a for a in found if a.value >= 1000]  # a sum of money, not a price
    if not found:
        return {}
    r = _range([(a, _bound(unit.text, a)) for a in found])
    out: dict[str, Any] = {"currency": found[0].unit}
    if "low" in r:
        out["amount_low"] = r["low"]
    if "high" in r:
        out["amount_high"] = r["high"]
    return out


def _shares(unit: Span) -> dict[str, Any]:
    text = unit.text
    counts = [a for a in find_amounts(text) if a.unit == "count" and a.value >= 1000]
    counts = [a for a in counts if not text[max(0, a.start - 1) : a.start].endswith("每")]
    counts = [a for a in counts if not lx.NOT_A_COUNT.search(text[max(0, a.start - 12) : a.end + 4])]
    if lx.ESTIMATE.search(text):
        return {}  # "按回购价格上限测算，预计回购股份数量约为…": a sum worked out, not a term of the plan
    pairs = [(a, _bound(text, a)) for a in counts]
    if not pairs:
        for m in lx.EN_SHARES.finditer(text):
            value = parse_number(m.group(1))
            if value is not None and value >= 1000:
                a = Amount(value=value, unit="count", start=m.start(), end=m.end(), text=m.group())
                pairs.append((a, _bound(text, a)))
    bounded = [p for p in pairs if p[1]]
    r = _range(bounded or pairs[:2])
    return {f"shares_{k}": v for k, v in r.items()}


def _price(unit: Span) -> dict[str, Any]:
    for a in find_amounts(unit.text):
        if a.unit not in (None, "count", "%") and _is_price(unit.text, a):
            return {"price": a.value, "currency": a.unit}
    return {}


def _months(unit: Span) -> dict[str, Any]:
    m = lx.MONTHS.search(unit.text)
    if not m:
        return {}
    value = parse_number(m.group(1) or m.group(2))
    return {"period_months": value} if value else {}


def _per_share(unit: Span) -> dict[str, Any]:
    m = lx.PER_LOT.search(normalize_width(unit.text))
    if m:
        lot, cash = float(m.group(1)), float(m.group(2))
        return {"per_share": round(cash / lot, 6), "currency": "CNY"}
    for a in find_amounts(unit.text):
        if a.unit not in (None, "count", "%") and _is_price(unit.text, a):
            return {"per_share": a.value, "currency": a.unit}
    return {}


def _dates(text: str, unit: Span) -> dict[str, Any]:
    """Record, payment and effective dates by the words around each date."""
    out: dict[str, Any] = {}
    for d in find_dates(unit.text):
        before, after = unit.text[max(0, d.start - 60) : d.start], unit.text[d.end : d.end + 30]
        iso = d.value.isoformat()
        if lx.RECORD_BEFORE.search(before) or lx.RECORD_AFTER.match(after):
            out.setdefault("record_date", iso)
        elif lx.PAYMENT_BEFORE.search(before) or lx.PAYMENT_AFTER.match(after):
            out.setdefault("payment_date", iso)
        if lx.EFFECTIVE_BEFORE.search(before[-20:]) or lx.EFFECTIVE_AFTER.match(after) or lx.RETIRE_ON.search(before):
            out.setdefault("effective_date", iso)
    return out


def _clean_name(name: str | None) -> str | None:
    if not name:
        return None
    name = lx.NAME_STOP.sub("", name.strip(" ,，、的")).strip(" ,，")
    return name or None


def _deal(kind: str, unit: Span) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pattern in lx.ACQUIRE if kind == "acquisition" else lx.DISPOSE:
        m = pattern.search(unit.text)
        if not m:
            continue
        groups = m.groupdict()
        target = _clean_name(groups.get("target"))
        if target:
            out["target"] = target
        cp = _clean_name(groups.get("counterparty") or groups.get("counterparty0"))
        if cp:
            out["counterparty"] = cp
        if groups.get("stake"):
            out["stake_pct"] = float(groups["stake"].rstrip("%"))
        break
    if "stake_pct" not in out:
        for p in find_percents(unit.text):
            if re.match(r"\s*(的)?(股权|股權|interest|stake|equity)", unit.text[p.end : p.end + 12]):
                out["stake_pct"] = p.value
                break
    if kind == "acquisition" and "counterparty" not in out:
        m = lx.COUNTERPARTY_ZH.search(unit.text)
        if m:
            out["counterparty"] = _clean_name(m.group("counterparty"))
    return {k: v for k, v in out.items() if v is not None}


def _executive(unit: Span) -> list[dict[str, Any]]:
    found = []
    for change, patterns in (("joins", lx.JOINS), ("leaves", lx.LEAVES)):
        for pattern in patterns:
            for m in pattern.finditer(unit.text):
                if lx.NOT_NAME_ZH.search(m.group("person")):
                    continue
                found.append((m.start(), {"person": m.group("person"), "role": m.group("role").strip(), "change": change}))
    found.sort(key=lambda x: x[0])
    seen: set[str] = set()
    out = []
    for _, item in found:
        if item["person"] not in seen:
            seen.add(item["person"])
            out.append(item)
    return out


def _investors(unit: Span) -> dict[str, Any]:
    m = lx.INVESTORS_ZH.search(unit.text)
    if not m:
        return {}
    names = lx.INVESTOR_ZH.findall(m.group(1))
    return {"investors": [n.removeprefix("控股股东") for n in names]} if names else {}


def _fields(kind: str, text: str, unit: Span) -> list[dict[str, Any]]:
    """The values of one sentence for an event of `kind` (executive changes: one per person)."""
    if kind == "executive_change":
        dates = _dates(text, unit)
        effective = {"effective_date": dates["effective_date"]} if "effective_date" in dates else {}
        return [{**p, **effective} for p in _executive(unit)]
    values: dict[str, Any] = {}
    if kind in ("share_buyback", "share_issue", "acquisition", "disposal"):
        values.update(_money(text, unit))
    if kind in ("share_buyback", "share_issue"):
        values.update(_shares(unit))
        price = _price(unit)
        if price and kind == "share_buyback":
            price["price_cap"] = price.pop("price")
        values = {**price, **values}
        if kind == "share_buyback":
            values.update(_months(unit))
        else:
            values.update(_investors(unit))
    if kind in ("acquisition", "disposal"):
        values.update(_deal(kind, unit))
    if kind == "dividend":
        values.update(_per_share(unit))
        values.update({k: v for k, v in _dates(text, unit).items() if k != "effective_date"})
    return [values]


# --------------------------------------------------------------------------- company and date


def _company(text: str) -> str | None:
    head = text[:600]
    for pattern in (lx.TICKER_EN, lx.LEGAL_EN):
        m = pattern.search(head)
        if m:
            return m.group("name").strip(" ,")
    m = lx.TICKER_ZH.search(head)
    if m:
        return _strip_news_prefix(m.group("name"))
    m = lx.LEGAL_SUFFIX_ZH.search(head)
    if m:
        return m.group().strip()
    first = next(iter(sentences(text)), None)
    if first:
        m = lx.FLASH_ZH.match(first.text)
        if m:
            return m.group("name")
    m = lx.ANNOUNCES_ZH.search(head)
    if m:
        return _strip_news_prefix(m.group("name"))
    return None


def _strip_news_prefix(name: str) -> str:
    stripped = lx.NEWS_PREFIX_ZH.sub("", name)
    return stripped if len(stripped) >= 2 else name


def _announcement_date(text: str) -> str | None:
    dates = find_dates(text)
    for d in dates:
        if lx.DATELINE_AFTER.match(text, d.end) or lx.ANNOUNCED_AFTER.match(text, d.end):
            return d.value.isoformat()
    # a signature line at the foot: the date alone on its line (maybe after a place or "Date:")
    tail_start = max(0, len(text.rstrip()) - 200)
    for d in reversed(dates):
        if d.start < tail_start:
            break
        line_start = text.rfind("\n", 0, d.start) + 1
        line_end = text.find("\n", d.end)
        rest = text[d.end : line_end if line_end >= 0 else len(text)]
        if lx.FOOTER_LINE.match(text[line_start : d.start]) and not rest.strip():
            return d.value.isoformat()
    return None


# --------------------------------------------------------------------------- events


def _type_of(sentence: str) -> str | None:
    for kind, pattern in lx.TRIGGERS.items():
        if pattern.search(sentence):
            return kind
    return None


def _drafts(text: str) -> list[Draft]:
    drafts: list[Draft] = []
    previous: Span | None = None
    for unit in sentences(text):
        if lx.PASSING.search(unit.text):
            previous = None
            continue
        kind = _type_of(unit.text)
        last_any = drafts[-1] if drafts else None
        if kind is None:
            if last_any is not None and previous is not None and previous.end == last_any.end:
                _continue(text, last_any, previous, unit)
            previous = unit
            continue
        previous = unit
        for values in _fields(kind, text, unit):
            values = {k: v for k, v in values.items() if v not in (None, [], "")}
            if not values:
                continue
            same = [d for d in drafts if d.type == kind]
            if kind == "executive_change":
                if not any(d.values.get("person") == values.get("person") for d in same):
                    drafts.append(Draft(kind, unit.start, unit.end, dict(values)))
                continue
            last = same[-1] if same else None
            if last is not None and unit.start - last.end <= MAX_GAP and not last.conflicts(values):
                last.merge(values, unit.end)
            elif last is not None and all(last.values.get(k) == v for k, v in values.items()):
                continue  # says again what an earlier sentence said
            else:
                drafts.append(Draft(kind, unit.start, unit.end, dict(values)))
    return drafts


def _continue(text: str, draft: Draft, previous: Span, unit: Span) -> None:
    """A sentence right after an event's, in the same paragraph, may carry more of it
    ("The program is expected to be completed over the next 24 months.")."""
    if draft.type == "executive_change" or "\n" in text[previous.end : unit.start]:
        return
    extra = {k: v for k, v in _fields(draft.type, text, unit)[0].items() if v not in (None, [], "")}
    if extra and not draft.conflicts(extra):
        draft.merge(extra, unit.end)


def run(text: str, ask: Ask, context: RulesContext) -> dict[str, Any]:  # declares no options
    company = _company(text)
    if company is None:
        return {"events": []}
    announced = _announcement_date(text)
    events = []
    for d in _drafts(text):
        if not any(d.values.get(k) is not None for k in REQUIRED[d.type]):
            continue
        events.append({
            "type": d.type,
            "company": company,
            "announcement_date": announced,
            **d.values,
            "evidence": text[d.start : d.end],
        })  # fmt: skip
    return {"events": events}
