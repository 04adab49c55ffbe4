"""Grounding: is the evidence in the document, and does the value read back from it?

A fact is emitted only when its evidence is a verbatim substring of the document (after
whitespace and full-width folding) and the evidence states its value (within 0.5%,
sign aside: "净亏损2,370万" states -23,700,000).
"""

from __future__ import annotations

import re

from extract.amounts import find_amounts, find_percents, find_ranges, normalize_width

_WS = re.compile(r"\s+")
TOLERANCE = 0.005


def normalize_for_match(text: str) -> str:
    """Fold full-width ASCII and drop all whitespace: line wraps and spacing are not content."""
    return _WS.sub("", normalize_width(text))


def is_verbatim(evidence: str, document: str) -> bool:
    needle = normalize_for_match(evidence)
    return bool(needle) and needle in normalize_for_match(document)


def close(a: float, b: float) -> bool:
    if b == 0:
        return a == 0
    return abs(abs(a) - abs(b)) <= TOLERANCE * abs(b)


def stated_values(evidence: str) -> list[float]:
    """Every number the evidence states as an amount, percentage or range bound."""
    values = [a.value for a in find_amounts(evidence)]
    values += [p.value for p in find_percents(evidence)]
    for r in find_ranges(evidence):
        values += [r.low.value, r.high.value]
    return values


def reads_back(evidence: str, value: float, unit: str | None = None) -> bool:
    """True when the evidence states `value` (magnitude within 0.5%)."""
    if value is None:
        return False
    return any(close(v, value) for v in stated_values(evidence))

