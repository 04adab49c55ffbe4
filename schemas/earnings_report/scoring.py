"""How earnings reports are matched, compared and grounded: the spec's "Scoring" section as the
schema's declaration (read by the scorer, the gold check and the resolver).

- A metric entry matches a gold entry when `metric` and `period` are equal and the segments
  match (both null, or equal after removing spaces and 收入/业务/营收; for `other`, when one
  label contains the other).
- Its value is right within 0.5 % with the same sign; yoy_pct / qoq_pct within 0.1 point,
  judged apart from the F1. Guidance is scored like metrics on low and high together.
- ticker (case-insensitive), fiscal_period and currency are scored as exact matches.
- Grounding: a value must read back from its evidence (else the entry is dropped); a yoy /
  qoq change must be stated in the evidence's sentence (else it is set to null).
"""

from __future__ import annotations

import re
from typing import Any

from extract.schema_api import EntryList, FieldRule, KeyRule, ScalarRule, Scoring

_SEGMENT_WORDS = re.compile(r"\s+|收入|业务|营收")


def normalize_segment(seg: str | None) -> str | None:
    """Segment label as the spec compares it: no whitespace, no 收入/业务/营收.

    "订阅服务收入" and "订阅服务" are the same business line; an empty result means the
    label only said "revenue", i.e. the company-wide figure (None).
    """
    if seg is None:
        return None
    out = _SEGMENT_WORDS.sub("", str(seg))
    return out or None


def segments_match(metric: str | None, gold_seg: str | None, pred_seg: str | None) -> bool:
    """Spec rule: both null, or equal after normalisation; `other` labels may nest."""
    return _segment_key(gold_seg, pred_seg, {"metric": metric}) > 0


def _segment_key(gold: Any, pred: Any, entry: dict[str, Any]) -> int:
    g, p = normalize_segment(gold), normalize_segment(pred)
    if g is None or p is None:
        return 2 if g is None and p is None else 0
    if g == p:
        return 2
    return 1 if entry.get("metric") == "other" and (g in p or p in g) else 0


_KEYS = (KeyRule("metric"), KeyRule("period"), KeyRule("segment", _segment_key))
_SHOW = ("metric", "period", "segment", "unit")
_SHOW_PRED = ("segment", "unit")

SCORING = Scoring(
    lists=(
        EntryList(
            path="metrics",
            kind="metric",
            keys=_KEYS,
            fields=(
                FieldRule("value", ("value",), ground="amount"),
                FieldRule("yoy", ("yoy_pct",), tolerance=0.1, absolute=True, scored=False, ground="change", on_ungrounded="null"),
                FieldRule("qoq", ("qoq_pct",), tolerance=0.1, absolute=True, scored=False, ground="change", on_ungrounded="null"),
            ),
            period_key="period",
            show=_SHOW,
            show_pred=_SHOW_PRED,
            group_by=("metric",),
            unit_key="unit",
            # one `other` label may name an amount and a count ("回购": US$18.5m for 6.4m ADSs)
            dedupe=("unit",),
        ),
        EntryList(
            path="guidance",
            kind="guidance",
            keys=_KEYS,
            fields=(FieldRule("value", ("low", "high"), ground="amount"),),
            period_key="period",
            show=_SHOW,
            show_pred=_SHOW_PRED,
            group_by=("metric",),
            unit_key="unit",
        ),
    ),
    scalars=(ScalarRule("company.ticker", casefold=True), ScalarRule("fiscal_period"), ScalarRule("currency")),
)
