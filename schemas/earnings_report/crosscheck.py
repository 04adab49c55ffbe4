"""Arithmetic cross-checks between the figures of one report.

A report's figures constrain each other: a value, its stated yoy and the prior-period value
(value / prior - 1 = yoy); gross profit = revenue - cost of revenue; gross margin = gross
profit / revenue; a segment is not above its total; EPS x shares = net income. Each check
that can be made is recorded on every entry it involves, passed or failed, and against
which entry, so a user can filter on it (`MetricEntry.checks`). A failed check is a flag,
not a verdict: the entry stays (one of the two figures is misread, or the text is wrong).

Tolerances come from how precisely the figures are printed: "3.2亿" is known to within half a
unit of its last digit (0.05亿, 1.6%), "7,330万" to 0.07%, "12%" to 0.5 points, "12.3%" to
0.05; a check fails only when the arithmetic is off by more than that allows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Protocol, TypeVar

Entry = dict[str, Any]
Check = dict[str, Any]

_PERIOD = re.compile(r"^(\d{4})(Q[1-4]|H[12]|9M|FY)$")
_SLACK_PCT = 0.1  # percentage points beyond the printed precision (float noise, 1 ulp of a ratio)
_SLACK_REL = 0.002  # relative, beyond the printed precision, for sums and products
# The label of an "other" count that is the number of shares EPS is computed on (outstanding or
# weighted average; not shares repurchased or issued in the period), for EPS x shares = income.
SHARE_COUNT_RE = re.compile(
    r"(?:weighted|outstanding|diluted)[\w\s-]*(?:shares|ADSs)|(?:shares|ADSs)\s+outstanding"
    r"|加权平均股数|加權平均股數|加权平均普通股|加權平均普通股|总股本|總股本|已发行股份|已發行股份",
    re.I,
)
# "约1.06亿", "approximately $5 million": a rounded figure, known to a digit less than printed.
APPROXIMATE_RE = re.compile(r"约|約|近|approximately|about|around|roughly|nearly", re.I)


def shift_year(period: str, years: int) -> str | None:
    m = _PERIOD.match(period)
    return f"{int(m.group(1)) + years}{m.group(2)}" if m else None


def previous_quarter(period: str) -> str | None:
    m = _PERIOD.match(period)
    if not m or not m.group(2).startswith("Q"):
        return None
    year, q = int(m.group(1)), int(m.group(2)[1])
    return f"{year - 1}Q4" if q == 1 else f"{year}Q{q - 1}"


def half_unit(value: float) -> float:
    """Half a unit of the last significant digit a printed figure can have had: 320000000
    (printed "3.2亿") -> 5,000,000; 73300000 ("7,330万") -> 50,000; 0.28 -> 0.005."""
    if value == 0 or not math.isfinite(value):
        return 0.0
    digits = f"{abs(value):.10g}"  # at most 10 significant digits: what a news page prints
    mantissa, _, exponent = digits.partition("e")
    exp = int(exponent) if exponent else 0
    whole, _, frac = mantissa.partition(".")
    if frac.rstrip("0"):
        last = -len(frac.rstrip("0"))
    else:
        stripped = whole.rstrip("0")
        last = len(whole) - len(stripped)
    return 0.5 * 10.0 ** (last + exp)


def rel_precision(value: float) -> float:
    return half_unit(value) / abs(value) if value else 0.0


def precision(entry: Entry) -> float:
    """Relative precision of an entry's value as printed: ten times coarser when its evidence says
    the figure is approximate ("约650万" may be anything from 600万 to 700万)."""
    coarse = 10.0 if APPROXIMATE_RE.search(entry.get("evidence") or "") else 1.0
    return rel_precision(entry["value"]) * coarse


def pct_precision(pct: float) -> float:
    """Half a unit of the last digit of a stated percentage (12 -> 0.5, 12.3 -> 0.05)."""
    return half_unit(pct) if pct else 0.5


def label(entry: Entry) -> str:
    """How a check names the entry it was made against: "revenue 2022Q2", "revenue (云服务) 2023Q2"."""
    segment = f" ({entry['segment']})" if entry.get("segment") else ""
    return f"{entry['metric']}{segment} {entry['period']}"


def _fmt(value: float) -> str:
    return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"


def _check(name: str, passed: bool, against: Entry, detail: str) -> Check:
    return {"check": name, "passed": passed, "against": label(against), "detail": detail}


def _same_kind(a: Entry, b: Entry) -> bool:
    return a["metric"] == b["metric"] and a.get("segment") == b.get("segment") and a["unit"] == b["unit"]


def _change_checks(entries: list[Entry], out: list[list[Check]]) -> None:
    """yoy / qoq: a stated change against the prior period's stated value."""
    index = {(e["metric"], e.get("segment"), e["unit"], e["period"]): j for j, e in enumerate(entries)}
    for kind, field, prior_of in (("yoy", "yoy_pct", lambda p: shift_year(p, -1)), ("qoq", "qoq_pct", previous_quarter)):
        for i, e in enumerate(entries):
            pct = e.get(field)
            if pct is None or e["unit"] == "%":  # a rate's change is in points, not percent
                continue
            j = index.get((e["metric"], e.get("segment"), e["unit"], prior_of(e["period"])))
            if j is None or j == i:
                continue
            p = entries[j]
            result = _change_result(e["value"], p["value"], pct, precision(e) + precision(p))
            if result is None:
                continue
            passed, implied = result
            detail = f"{_fmt(e['value'])} / {_fmt(p['value'])} - 1 = {implied:+.1f}%, stated {pct:+g}%"
            out[i].append(_check(kind, passed, p, detail))
            out[j].append(_check(kind, passed, e, f"the {kind} stated with {label(e)}: {detail}"))


def _change_result(value: float, prior: float, pct: float, rel: float) -> tuple[bool, float] | None:
    """(passed, implied change) for value against prior with a stated change pct, the two values
    known to `rel` (relative, summed); None when the arithmetic says nothing (a zero prior, a
    change of sign: "turned a profit")."""
    if prior == 0 or (value < 0) != (prior < 0):
        return None
    implied = (abs(value) / abs(prior) - 1) * 100
    tolerance = (abs(value) / abs(prior)) * rel * 100
    tolerance += pct_precision(pct) + _SLACK_PCT
    if value < 0 and abs(-implied - pct) <= tolerance:
        return True, -implied  # a loss that shrank, stated as an improvement ("亏损收窄" read as +)
    return abs(implied - pct) <= tolerance, implied


Totals = dict[tuple[str, str], list[int]]


def _totals(entries: list[Entry]) -> Totals:
    """(metric, period) -> the whole-company entries (segment null), in report order."""
    found: Totals = {}
    for i, e in enumerate(entries):
        if e.get("segment") is None:
            found.setdefault((e["metric"], e["period"]), []).append(i)
    return found


def _find(entries: list[Entry], totals: Totals, metric: str, period: str, unit: str | None = None) -> int | None:
    """The whole-company entry for metric and period (in `unit` if given), if the report has one."""
    return next((i for i in totals.get((metric, period), []) if unit is None or entries[i]["unit"] == unit), None)


def _gross_checks(entries: list[Entry], out: list[list[Check]]) -> None:
    totals = _totals(entries)
    for i, gp in enumerate(entries):
        if gp["metric"] != "gross_profit" or gp.get("segment") is not None:
            continue
        r = _find(entries, totals, "revenue", gp["period"], gp["unit"])
        c = _find(entries, totals, "cost_of_revenue", gp["period"], gp["unit"])
        if r is not None and c is not None:
            rev, cost = entries[r]["value"], abs(entries[c]["value"])
            expected = rev - cost
            rel = precision(gp) * abs(gp["value"]) + precision(entries[r]) * abs(rev) + precision(entries[c]) * cost
            tolerance = rel + _SLACK_REL * abs(rev)
            passed = abs(gp["value"] - expected) <= tolerance
            detail = f"revenue {_fmt(rev)} - cost of revenue {_fmt(cost)} = {_fmt(expected)}, stated {_fmt(gp['value'])}"
            out[i] += [_check("gross_profit", passed, entries[r], detail), _check("gross_profit", passed, entries[c], detail)]
            out[r].append(_check("gross_profit", passed, gp, detail))
            out[c].append(_check("gross_profit", passed, gp, detail))
    for i, gm in enumerate(entries):
        if gm["metric"] != "gross_margin" or gm.get("segment") is not None or gm["unit"] != "%":
            continue
        gp_i = _find(entries, totals, "gross_profit", gm["period"])
        r = _find(entries, totals, "revenue", gm["period"])
        if gp_i is None or r is None or entries[r]["value"] == 0 or entries[gp_i]["unit"] != entries[r]["unit"]:
            continue
        gp, rev = entries[gp_i]["value"], entries[r]["value"]
        implied = gp / rev * 100
        rel = precision(entries[gp_i]) + precision(entries[r])
        tolerance = abs(implied) * rel + pct_precision(gm["value"]) + _SLACK_PCT
        passed = abs(implied - gm["value"]) <= tolerance
        detail = f"gross profit {_fmt(gp)} / revenue {_fmt(rev)} = {implied:.1f}%, stated {gm['value']:g}%"
        out[i] += [_check("gross_margin", passed, entries[gp_i], detail), _check("gross_margin", passed, entries[r], detail)]
        out[gp_i].append(_check("gross_margin", passed, gm, detail))
        out[r].append(_check("gross_margin", passed, gm, detail))


# Metrics whose business lines add up to the total with no negative part, so no line can be
# above it. Not profits: a profitable line may earn more than the company when another loses.
ADDITIVE_METRICS = frozenset(
    {"revenue", "cost_of_revenue", "operating_expenses", "rd_expenses", "sales_marketing_expenses", "ga_expenses",
     "deferred_revenue"}
)  # fmt: skip


def _segment_checks(entries: list[Entry], out: list[list[Check]]) -> None:
    """A business line's figure is not above the whole company's (revenue and costs)."""
    totals = _totals(entries)
    for i, seg in enumerate(entries):
        if seg.get("segment") is None or seg["metric"] not in ADDITIVE_METRICS or seg["unit"] == "%" or seg["value"] <= 0:
            continue
        t = _find(entries, totals, seg["metric"], seg["period"], seg["unit"])
        if t is None or entries[t]["value"] <= 0:
            continue
        total = entries[t]["value"]
        passed = seg["value"] <= total + half_unit(total) + half_unit(seg["value"])
        detail = f"segment {_fmt(seg['value'])} {'<=' if passed else '>'} total {_fmt(total)}"
        out[i].append(_check("segment_total", passed, entries[t], detail))


def _eps_checks(entries: list[Entry], out: list[list[Check]]) -> None:
    """EPS x shares = net income, where the report states a share count for the period."""
    totals = _totals(entries)
    share_counts: dict[str, int] = {}
    for j, e in enumerate(entries):
        if e["metric"] == "other" and e["unit"] == "count" and SHARE_COUNT_RE.search(e.get("segment") or ""):
            share_counts.setdefault(e["period"], j)
    for i, eps in enumerate(entries):
        if eps["metric"] not in ("eps", "adjusted_eps") or eps.get("segment") is not None or not eps["value"]:
            continue
        shares = share_counts.get(eps["period"])
        income_metric = "adjusted_net_income" if eps["metric"] == "adjusted_eps" else None
        candidates = [income_metric] if income_metric else ["net_income_attributable", "net_income"]
        n = next((k for m in candidates if (k := _find(entries, totals, m, eps["period"])) is not None), None)
        if shares is None or n is None:
            continue
        count, income = entries[shares]["value"], entries[n]["value"]
        implied = eps["value"] * count
        rel = precision(eps) + precision(entries[shares]) + precision(entries[n]) + 0.01  # EPS is rounded, shares averaged
        tolerance = abs(implied) * rel
        passed = abs(implied - income) <= tolerance
        detail = f"EPS {eps['value']:g} x {_fmt(count)} shares = {_fmt(implied)}, stated {_fmt(income)}"
        out[i] += [_check("eps_shares", passed, entries[n], detail), _check("eps_shares", passed, entries[shares], detail)]
        out[n].append(_check("eps_shares", passed, eps, detail))
        out[shares].append(_check("eps_shares", passed, eps, detail))


CHECKS: tuple[Callable[[list[Entry], list[list[Check]]], None], ...] = (
    _change_checks,
    _gross_checks,
    _segment_checks,
    _eps_checks,
)


def cross_checks(entries: list[Entry]) -> list[list[Check]]:
    """For each metric entry, the checks it takes part in (empty where none can be made)."""
    out: list[list[Check]] = [[] for _ in entries]
    for run in CHECKS:
        run(entries, out)
    return out


def review(report: dict[str, Any], text: str) -> dict[str, Any]:
    """The report with `checks` set on every metric entry that takes part in one."""
    entries = [dict(e) for e in report.get("metrics") or []]
    for entry, checks in zip(entries, cross_checks(entries), strict=True):
        if checks:
            entry["checks"] = checks
        else:
            entry.pop("checks", None)
    return {**report, "metrics": entries}


# -- (a) deciding between readings -----------------------------------------------------------


class Reading(Protocol):
    """A rule-found figure, as the annotation holds it (a frozen dataclass)."""

    @property
    def metric(self) -> str: ...
    @property
    def period(self) -> str | None: ...
    @property
    def segment(self) -> str | None: ...
    @property
    def value(self) -> float: ...
    @property
    def unit(self) -> str: ...
    @property
    def yoy_pct(self) -> float | None: ...
    @property
    def qoq_pct(self) -> float | None: ...
    @property
    def evidence(self) -> str: ...


R = TypeVar("R", bound=Reading)


def _fits(current: Reading, prior: Reading, pct: float) -> bool:
    rel = precision({"value": current.value, "evidence": current.evidence}) + precision(
        {"value": prior.value, "evidence": prior.evidence}
    )
    result = _change_result(current.value, prior.value, pct, rel)
    return result is not None and result[0]


def settle_periods(facts: list[R]) -> list[R]:
    """Two different figures read as the same metric, period and segment, one with a stated
    change: when one of them over the other matches that change ("营收974万元，同比增长21.5%，
    …801.6万元"), the other is the prior period's (a year earlier for yoy, a quarter for qoq), and
    the change belongs to the current one. Only where the key has exactly two values (repeats
    of either aside); where no change decides, both stay (the annotation keeps the first stated)."""
    out = list(facts)
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, f in enumerate(out):
        if f.period is not None and f.unit != "%":
            groups.setdefault((f.metric, f.period, f.segment, f.unit), []).append(i)
    taken = {(f.metric, f.period, f.segment) for f in out}
    for (metric, period, segment, _), members in groups.items():
        values: list[list[int]] = []  # members grouped by value (within 0.5%)
        for i in members:
            same = next((v for v in values if abs(out[v[0]].value - out[i].value) <= 0.005 * abs(out[v[0]].value)), None)
            if same is not None:
                same.append(i)
            elif len(values) < 3:
                values.append([i])
        if len(values) != 2:
            continue
        a, b = out[values[0][0]], out[values[1][0]]
        for field, prior_of in (("yoy_pct", lambda p: shift_year(p, -1)), ("qoq_pct", previous_quarter)):
            pct = next((getattr(out[i], field) for i in members if getattr(out[i], field) is not None), None)
            if pct is None:
                continue
            ab, ba = _fits(a, b, pct), _fits(b, a, pct)
            prior_period = prior_of(period)
            if ab == ba or prior_period is None or (metric, prior_period, segment) in taken:
                continue  # neither reading fits, or both do (values too close to tell), or the prior is known
            current, prior = (values[0], values[1]) if ab else (values[1], values[0])
            for i in current:
                out[i] = replace(out[i], **{field: pct})  # type: ignore[type-var]
            for i in prior:
                out[i] = replace(out[i], period=prior_period, yoy_pct=None, qoq_pct=None, comparison=True)  # type: ignore[type-var]
            taken.add((metric, prior_period, segment))
            break
    return out
