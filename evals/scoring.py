"""Score extracted earnings reports against hand-labelled gold files.

Every number here follows the "Scoring" section of the earnings-report spec
(shared/spec/earnings-report.md). Gold and prediction are plain dicts of the same
shape; a prediction of ``None`` means the extraction failed.

A document's score is kept as one list of per-field rows (``DocScore.rows``); every
count, rate and error list is derived from those rows, so the figures in a summary and
the rows shown in a report cannot disagree.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DocScore",
    "Readback",
    "EvidenceIndex",
    "normalize_segment",
    "normalize_for_evidence",
    "segments_match",
    "value_correct",
    "pct_correct",
    "classify_wrong_value",
    "score_document",
    "summarize",
    "prf",
]

Readback = Callable[[str, float, "str | None"], bool]

VALUE_TOLERANCE = 0.005  # 0.5 % relative, spec "Scoring"
PCT_TOLERANCE = 0.1  # yoy/qoq, in percentage points
_EPS = 1e-9  # absorbs float noise at the tolerance boundary (100 * 1.005 != 100.5)

SCALAR_FIELDS = ("company.ticker", "fiscal_period", "currency")

# Row statuses. A gold entry is counted by the first set, a predicted one by the second.
GOLD_STATUSES = frozenset({"correct", "wrong_value", "missed"})
PRED_STATUSES = frozenset({"correct", "wrong_value", "invented", "wrong_period", "duplicate"})
ERROR_CLASSES = (
    "missed",
    "wrong_value",
    "wrong_period",
    "invented",
    "duplicate",
    "wrong_yoy",
    "wrong_qoq",
    "wrong_scalar",
)
WRONG_VALUE_SUBCLASSES = ("scale", "sign", "other")

_SEGMENT_WORDS = re.compile(r"\s+|收入|业务|营收")
_WS = re.compile(r"\s+")


# --------------------------------------------------------------------------- helpers


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
    g, p = normalize_segment(gold_seg), normalize_segment(pred_seg)
    if g is None or p is None:
        return g is None and p is None
    if g == p:
        return True
    return metric == "other" and (g in p or p in g)


def _num(x: Any) -> float | None:
    """A JSON number as float; anything else (strings, bools, NaN) is no value."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def value_correct(gold: Any, pred: Any) -> bool:
    """Within 0.5 % of gold with the same sign; a gold 0 needs an exact 0."""
    g, p = _num(gold), _num(pred)
    if g is None or p is None:
        return gold is None and pred is None
    if g == 0:
        return p == 0
    # Within 0.5 % of a non-zero gold already implies the same sign.
    return abs(p - g) <= VALUE_TOLERANCE * abs(g) * (1 + _EPS)


def pct_correct(gold: Any, pred: Any) -> bool:
    """yoy/qoq: within 0.1 point; null equals null (and only null)."""
    g, p = _num(gold), _num(pred)
    if gold is None or pred is None:
        return gold is None and pred is None
    if g is None or p is None:
        return False
    return abs(p - g) <= PCT_TOLERANCE + _EPS


def _ratio_is(ratio: float, target: float) -> bool:
    return abs(ratio / target - 1) <= VALUE_TOLERANCE * (1 + _EPS)


def classify_wrong_value(gold: Any, pred: Any) -> str:
    """Why a matched value is wrong: "scale" (off by 10^k, k in ±1..±8), "sign", "other".

    Scale errors point at unit parsing (万/亿/million), sign errors at loss wording.
    """
    g, p = _num(gold), _num(pred)
    if g is None or p is None or g == 0 or p == 0:
        return "other"
    ratio = p / g
    if ratio > 0:
        for k in range(1, 9):
            if _ratio_is(ratio, 10.0**k) or _ratio_is(ratio, 10.0**-k):
                return "scale"
        return "other"
    return "sign" if _ratio_is(-ratio, 1.0) else "other"


def _rel_distance(gold: Any, pred: Any) -> float:
    g, p = _num(gold), _num(pred)
    if g is None or p is None:
        return math.inf
    return abs(p - g) / abs(g) if g else abs(p)


def prf(correct: int, predicted: int, gold: int) -> dict[str, float | None]:
    """Precision, recall, F1; None where the denominator is empty (0/0 is not 0 or 1).

    F1 is 2c/(p+g), which equals the harmonic mean whenever both are defined and is 0
    (not undefined) when a document has gold entries but no predictions.
    """
    return {
        "precision": correct / predicted if predicted else None,
        "recall": correct / gold if gold else None,
        "f1": 2 * correct / (predicted + gold) if predicted + gold else None,
    }


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


# --------------------------------------------------------------------------- evidence

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20  # ideographic space


def normalize_for_evidence(s: str) -> str:
    """Full-width ASCII folded to ASCII, all whitespace removed.

    Removing (rather than collapsing) whitespace treats "7,330 万元" and "7,330万元" as
    the same text, which is what a Chinese reader would say; both sides get the same rule.
    """
    return _WS.sub("", s.translate(_FULLWIDTH))


class EvidenceIndex:
    """A document normalised once, answering "where is this evidence in the raw text?".

    Keeps a map from normalised positions back to raw offsets so a report can highlight
    the raw span even when the match needed whitespace or width folding.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        chars: list[str] = []
        pos: list[int] = []
        for i, ch in enumerate(text.translate(_FULLWIDTH)):
            if not ch.isspace():
                chars.append(ch)
                pos.append(i)
        self._norm = "".join(chars)
        self._pos = pos

    def find(self, evidence: str | None) -> tuple[int, int] | None:
        """Raw (start, end) of the first occurrence, or None when not verbatim."""
        if not isinstance(evidence, str):
            return None
        needle = normalize_for_evidence(evidence)
        if not needle:
            return None
        i = self._norm.find(needle)
        if i < 0:
            return None
        return self._pos[i], self._pos[i + len(needle) - 1] + 1

    def find_all(self, evidence: str | None) -> list[tuple[int, int]]:
        """Every raw span of the evidence (for highlighting repeated sentences)."""
        if not isinstance(evidence, str):
            return []
        needle = normalize_for_evidence(evidence)
        out: list[tuple[int, int]] = []
        if not needle:
            return out
        i = self._norm.find(needle)
        while i >= 0:
            out.append((self._pos[i], self._pos[i + len(needle) - 1] + 1))
            i = self._norm.find(needle, i + len(needle))
        return out

    def contains(self, evidence: str | None) -> bool:
        return self.find(evidence) is not None


def _default_readback() -> Readback:
    """The project's read-back check, imported only when a score needs it."""
    try:
        from extract.grounding import reads_back
    except ImportError as exc:  # pragma: no cover - depends on another module
        raise ImportError(
            "scoring needs extract.grounding.reads_back to count ungrounded values; "
            "pass readback=... to score_document to use another check"
        ) from exc
    return reads_back


# --------------------------------------------------------------------------- matching


def _entries(doc: dict | None, key: str) -> list[dict]:
    items = (doc or {}).get(key) or []
    return [e for e in items if isinstance(e, dict)] if isinstance(items, list) else []


def _values(entry: dict, kind: str) -> tuple[Any, ...]:
    return (entry.get("value"),) if kind == "metric" else (entry.get("low"), entry.get("high"))


def _entry_value(entry: dict, kind: str) -> Any:
    """What a row shows as the value: a number, or [low, high] for guidance."""
    vals = _values(entry, kind)
    return vals[0] if kind == "metric" else list(vals)


def _all_values_correct(gold: dict, pred: dict, kind: str) -> bool:
    return all(value_correct(g, p) for g, p in zip(_values(gold, kind), _values(pred, kind), strict=True))


def _keys_match(gold: dict, pred: dict, *, same_period: bool = True) -> bool:
    metric = gold.get("metric")
    if metric != pred.get("metric"):
        return False
    if (gold.get("period") == pred.get("period")) != same_period:
        return False
    return segments_match(metric, gold.get("segment"), pred.get("segment"))


def _match(golds: list[dict], preds: list[dict], kind: str) -> dict[int, int]:
    """One-to-one greedy matching gold index -> pred index.

    Among all key-matching pairs, exact segment labels win over `other` containment,
    then the closest value wins, then document order; so duplicates of a key leave the
    farther prediction unmatched.
    """
    cands = []
    for gi, g in enumerate(golds):
        for pi, p in enumerate(preds):
            if _keys_match(g, p):
                exact = normalize_segment(g.get("segment")) == normalize_segment(p.get("segment"))
                dist = max(_rel_distance(gv, pv) for gv, pv in zip(_values(g, kind), _values(p, kind), strict=True))
                cands.append((not exact, dist, gi, pi))
    cands.sort()
    g2p: dict[int, int] = {}
    used: set[int] = set()
    for _, _, gi, pi in cands:
        if gi not in g2p and pi not in used:
            g2p[gi] = pi
            used.add(pi)
    return g2p


# --------------------------------------------------------------------------- rows


def _row(doc_id: str, kind: str, gold: dict | None, pred: dict | None, status: str) -> dict:
    base = gold if gold is not None else pred or {}
    row: dict[str, Any] = {
        "doc": doc_id,
        "kind": kind,
        "metric": base.get("metric"),
        "period": base.get("period"),
        "segment": base.get("segment"),
        "unit": base.get("unit"),
        "gold_value": _entry_value(gold, kind) if gold is not None else None,
        "pred_value": _entry_value(pred, kind) if pred is not None else None,
        "status": status,
        "error": None,
        "gold_evidence": gold.get("evidence") if gold is not None else None,
        "evidence": pred.get("evidence") if pred is not None else None,
        "verbatim": None,
        "grounded": None,
    }
    if pred is not None and gold is not None:
        row["pred_segment"] = pred.get("segment")
        row["pred_unit"] = pred.get("unit")
    if kind == "metric":
        for pct in ("yoy", "qoq"):
            g = gold.get(f"{pct}_pct") if gold is not None else None
            p = pred.get(f"{pct}_pct") if pred is not None else None
            row[f"gold_{pct}"], row[f"pred_{pct}"] = g, p
            # Only matched entries are judged, and only when either side states a change.
            judged = gold is not None and pred is not None and (g is not None or p is not None)
            row[f"{pct}_status"] = ("correct" if pct_correct(g, p) else "wrong") if judged else None
    return row


def _wrong_value_subclass(gold: dict, pred: dict, kind: str) -> str:
    subs = {
        classify_wrong_value(g, p)
        for g, p in zip(_values(gold, kind), _values(pred, kind), strict=True)
        if not value_correct(g, p)
    }
    return subs.pop() if len(subs) == 1 else "other"


def _score_entries(doc_id: str, golds: list[dict], preds: list[dict], kind: str) -> list[dict]:
    g2p = _match(golds, preds, kind)
    rows: list[dict] = []
    for gi, g in enumerate(golds):
        if gi in g2p:
            p = preds[g2p[gi]]
            ok = _all_values_correct(g, p, kind)
            row = _row(doc_id, kind, g, p, "correct" if ok else "wrong_value")
            if not ok:
                row["error"] = _wrong_value_subclass(g, p, kind)
        else:
            row = _row(doc_id, kind, g, None, "missed")
        rows.append(row)

    matched_preds = set(g2p.values())
    missed = [gi for gi in range(len(golds)) if gi not in g2p]
    claimed: set[int] = set()
    for pi, p in enumerate(preds):
        if pi in matched_preds:
            continue
        other_period = next(
            (
                gi
                for gi in missed
                if gi not in claimed
                and _keys_match(golds[gi], p, same_period=False)
                and _all_values_correct(golds[gi], p, kind)
            ),
            None,
        )
        if other_period is not None:
            claimed.add(other_period)
            row = _row(doc_id, kind, None, p, "wrong_period")
            row["gold_period"] = golds[other_period].get("period")
        elif any(_keys_match(g, p) for g in golds):
            row = _row(doc_id, kind, None, p, "duplicate")
        else:
            row = _row(doc_id, kind, None, p, "invented")
        rows.append(row)
    return rows


def _scalar(doc: dict | None, name: str) -> Any:
    cur: Any = doc
    for part in name.split("."):
        cur = cur.get(part) if isinstance(cur, dict) else None
    return cur


def _scalar_equal(name: str, gold: Any, pred: Any) -> bool:
    if name == "company.ticker" and isinstance(gold, str) and isinstance(pred, str):
        return gold.strip().casefold() == pred.strip().casefold()
    return gold == pred


def _check_evidence(rows: list[dict], index: EvidenceIndex, readback: Readback | None) -> None:
    """Fill `verbatim` and `grounded` on every predicted metric/guidance row."""
    for row in rows:
        if row["kind"] == "scalar" or row["status"] not in PRED_STATUSES:
            continue
        ev = row["evidence"]
        row["verbatim"] = index.contains(ev)
        values = row["pred_value"] if row["kind"] == "guidance" else [row["pred_value"]]
        values = [v for v in dict.fromkeys(_num(v) for v in values) if v is not None]
        if not values:
            continue  # nothing stated, nothing to ground
        if not isinstance(ev, str) or not ev.strip():
            row["grounded"] = False
            continue
        if readback is None:
            readback = _default_readback()
        unit = row.get("pred_unit", row["unit"])
        row["grounded"] = all(bool(readback(ev, v, unit)) for v in values)


# --------------------------------------------------------------------------- DocScore


@dataclass
class DocScore:
    """One document's score. `rows` is the single source; the rest is derived."""

    doc_id: str
    rows: list[dict] = field(default_factory=list)
    error: str | None = None  # why the extraction failed (pred was None)

    def _rows(self, kind: str) -> list[dict]:
        return [r for r in self.rows if r["kind"] == kind]

    def counts(self, kind: str = "metric") -> dict[str, int]:
        """Entry counts for metrics or guidance, by status."""
        return _counts(self._rows(kind))

    @property
    def passed(self) -> bool:
        """Every gold metric/guidance entry correct and no false prediction."""
        if self.error is not None:
            return False
        entries = [r for r in self.rows if r["kind"] != "scalar"]
        return all(r["status"] == "correct" for r in entries)

    @property
    def errors(self) -> dict[str, list[dict]]:
        """Error class -> rows (yoy/qoq and scalar mistakes included)."""
        out: dict[str, list[dict]] = {c: [] for c in ERROR_CLASSES}
        for r in self.rows:
            if r["kind"] == "scalar":
                if r["status"] != "correct":
                    out["wrong_scalar"].append(r)
                continue
            if r["status"] in out:
                out[r["status"]].append(r)
            for pct in ("yoy", "qoq"):
                if r.get(f"{pct}_status") == "wrong":
                    out[f"wrong_{pct}"].append(r)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Per-document figures for summary["per_document"]."""
        return {
            **_prf_block(self._rows("metric")),
            "guidance": _prf_block(self._rows("guidance")),
            "scalars": {r["field"]: r["status"] == "correct" for r in self._rows("scalar")},
            "pass": self.passed,
            "error": self.error,
            "error_counts": {k: len(v) for k, v in self.errors.items()},
        }


def _counts(rows: Iterable[dict]) -> dict[str, int]:
    st = Counter(r["status"] for r in rows)
    return {
        "gold": sum(st[s] for s in GOLD_STATUSES),
        "predicted": sum(st[s] for s in PRED_STATUSES),
        "matched": st["correct"] + st["wrong_value"],
        "correct": st["correct"],
        "wrong_value": st["wrong_value"],
        "missed": st["missed"],
        "invented": st["invented"],
        "wrong_period": st["wrong_period"],
        "duplicate": st["duplicate"],
    }


def _prf_block(rows: Iterable[dict]) -> dict[str, Any]:
    c = _counts(rows)
    return {
        **c,
        **prf(c["correct"], c["predicted"], c["gold"]),
        "value_accuracy": _rate(c["correct"], c["matched"]),
    }


def score_document(
    doc_id: str,
    text: str,
    gold: dict,
    pred: dict | None,
    *,
    readback: Readback | None = None,
    error: str | None = None,
) -> DocScore:
    """Score one document's prediction against its gold file.

    `pred=None` means the extraction failed: every gold entry is missed and every scalar
    wrong (a failed run states nothing, not "null"). `error` carries the failure message.
    `readback(evidence, value, unit)` decides whether a value can be read back from its
    evidence; it defaults to extract.grounding.reads_back, imported on first use.
    """
    failed = pred is None
    rows: list[dict] = []
    for kind, key in (("metric", "metrics"), ("guidance", "guidance")):
        rows += _score_entries(doc_id, _entries(gold, key), _entries(pred, key), kind)

    for name in SCALAR_FIELDS:
        g, p = _scalar(gold, name), _scalar(pred, name)
        ok = not failed and _scalar_equal(name, g, p)
        rows.append(
            {
                "doc": doc_id,
                "kind": "scalar",
                "field": name,
                "gold_value": g,
                "pred_value": p,
                "status": "correct" if ok else "wrong",
                "error": None,
            }
        )

    if not failed:
        _check_evidence(rows, EvidenceIndex(text or ""), readback)
    if failed and error is None:
        error = "extraction failed (no prediction)"
    return DocScore(doc_id=doc_id, rows=rows, error=error)


# --------------------------------------------------------------------------- summary


def summarize(doc_scores: list[DocScore], languages: dict[str, str] | None = None) -> dict:
    """Aggregate document scores into the JSON-serialisable run summary.

    All rates are micro-averaged (pooled counts), so a document with many figures weighs
    more than one with few, matching "correct values / predicted entries" in the spec.
    Documents absent from `languages` are grouped under "unknown".
    """
    all_rows = [r for d in doc_scores for r in d.rows]
    metric_rows = [r for r in all_rows if r["kind"] == "metric"]
    guidance_rows = [r for r in all_rows if r["kind"] == "guidance"]
    scalar_rows = [r for r in all_rows if r["kind"] == "scalar"]
    pred_rows = [r for r in all_rows if r["kind"] != "scalar" and r["status"] in PRED_STATUSES]

    per_metric_rows: dict[str, list[dict]] = defaultdict(list)
    for r in metric_rows:
        per_metric_rows[str(r["metric"])].append(r)

    per_document = {}
    for d in doc_scores:
        entry = d.to_dict()
        if languages is not None:
            entry["language"] = languages.get(d.doc_id, "unknown")
        per_document[d.doc_id] = entry

    per_language: dict[str, Any] = {}
    if languages is not None:
        by_lang: dict[str, list[DocScore]] = defaultdict(list)
        for d in doc_scores:
            by_lang[languages.get(d.doc_id, "unknown")].append(d)
        for lang, docs in sorted(by_lang.items()):
            per_language[lang] = {
                "documents": len(docs),
                "failed": sum(d.error is not None for d in docs),
                "passed": sum(d.passed for d in docs),
                **_prf_block(r for d in docs for r in d.rows if r["kind"] == "metric"),
            }

    def pct_block(pct: str) -> dict[str, Any]:
        judged = [r for r in metric_rows if r.get(f"{pct}_status") is not None]
        ok = sum(r[f"{pct}_status"] == "correct" for r in judged)
        return {"correct": ok, "total": len(judged), "accuracy": _rate(ok, len(judged))}

    scalars = {}
    for name in SCALAR_FIELDS:
        rs = [r for r in scalar_rows if r["field"] == name]
        ok = sum(r["status"] == "correct" for r in rs)
        scalars[name] = {"correct": ok, "total": len(rs), "accuracy": _rate(ok, len(rs))}

    verbatim = sum(bool(r.get("verbatim")) for r in pred_rows)
    checked = [r for r in pred_rows if r.get("grounded") is not None]
    ungrounded = sum(r["grounded"] is False for r in checked)

    errors: dict[str, list[dict]] = {c: [] for c in ERROR_CLASSES}
    for d in doc_scores:
        for cls, rs in d.errors.items():
            errors[cls].extend(rs)
    subclasses = Counter(r["error"] for r in errors["wrong_value"])

    return {
        "documents": len(doc_scores),
        "failed_documents": [{"doc": d.doc_id, "error": d.error} for d in doc_scores if d.error],
        "passed_documents": sum(d.passed for d in doc_scores),
        "overall": _prf_block(metric_rows),
        "per_metric": {m: _prf_block(rs) for m, rs in sorted(per_metric_rows.items())},
        "per_document": per_document,
        "per_language": per_language,
        "yoy": pct_block("yoy"),
        "qoq": pct_block("qoq"),
        "scalars": scalars,
        "guidance": _prf_block(guidance_rows),
        "evidence": {
            "predicted": len(pred_rows),
            "verbatim": verbatim,
            "verbatim_rate": _rate(verbatim, len(pred_rows)),
            "readback_checked": len(checked),
            "ungrounded": ungrounded,
        },
        "evidence_verbatim_rate": _rate(verbatim, len(pred_rows)),
        "ungrounded": ungrounded,
        "error_counts": {c: len(rs) for c, rs in errors.items()},
        "wrong_value_subclasses": {s: subclasses[s] for s in WRONG_VALUE_SUBCLASSES},
        "errors": errors,
    }
