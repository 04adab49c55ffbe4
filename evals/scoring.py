"""Score extracted reports of any schema against hand-labelled gold files.

What matches and what counts as right is the schema's declaration (`SchemaInfo.scoring`, an
`extract.schema_api.Scoring`): the lists of entries, their match keys, their fields with
tolerances, the scalars. For the earnings schema that declaration is the "Scoring" section of
its spec. Gold and prediction are plain dicts of the same shape; a prediction of ``None``
means the extraction failed.

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

from extract.schema_api import EntryList, FieldRule, Scoring

__all__ = [
    "DocScore",
    "Readback",
    "EvidenceIndex",
    "normalize_for_evidence",
    "normalize_text",
    "text_equal",
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

# Row statuses. A gold row is counted by the first set, a predicted one by the second.
# `wrong_period`: right values under another value of the list's `period_key`.
GOLD_STATUSES = frozenset({"correct", "wrong_value", "missed"})
PRED_STATUSES = frozenset({"correct", "wrong_value", "invented", "wrong_period", "duplicate"})
ENTRY_ERRORS = ("missed", "wrong_value", "wrong_period", "invented", "duplicate")
WRONG_VALUE_SUBCLASSES = ("scale", "sign", "other")

_WS = re.compile(r"\s+")


def error_classes(scoring: Scoring) -> tuple[str, ...]:
    """The error classes a summary counts: entry errors, each judged field, scalars."""
    return (*ENTRY_ERRORS, *(f"wrong_{f.name}" for f in scoring.judged()), "wrong_scalar")


def default_scoring() -> Scoring:
    """The default schema's declaration (tests and callers that name no schema)."""
    from extract.schemas import get_schema

    scoring = get_schema().scoring
    assert scoring is not None, "the default schema declares how it is scored"
    return scoring


# --------------------------------------------------------------------------- helpers


def _num(x: Any) -> float | None:
    """A JSON number as float; anything else (strings, bools, NaN) is no value."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def value_correct(gold: Any, pred: Any, tolerance: float = VALUE_TOLERANCE) -> bool:
    """Within 0.5 % of gold with the same sign; a gold 0 needs an exact 0."""
    g, p = _num(gold), _num(pred)
    if g is None or p is None:
        return gold is None and pred is None
    if g == 0:
        return p == 0
    # Within 0.5 % of a non-zero gold already implies the same sign.
    return abs(p - g) <= tolerance * abs(g) * (1 + _EPS)


def pct_correct(gold: Any, pred: Any, tolerance: float = PCT_TOLERANCE) -> bool:
    """yoy/qoq: within 0.1 point; null equals null (and only null)."""
    g, p = _num(gold), _num(pred)
    if gold is None or pred is None:
        return gold is None and pred is None
    if g is None or p is None:
        return False
    return abs(p - g) <= tolerance + _EPS


def normalize_text(s: Any) -> str:
    """A name as compared: width folded, casefolded, no whitespace."""
    return normalize_for_evidence(str(s)).casefold() if s is not None else ""


def text_equal(gold: Any, pred: Any) -> bool:
    """Names: equal after normalisation, or one contains the other ("云帆" and "云帆集团股份有限公司")."""
    if gold is None or pred is None:
        return gold is None and pred is None
    g, p = normalize_text(gold), normalize_text(pred)
    return bool(g and p) and (g in p or p in g)


def names_equal(gold: Any, pred: Any) -> bool:
    """Lists of names: every name on each side has its partner on the other (order aside)."""
    gs = [x for x in gold or [] if x is not None] if isinstance(gold, list) else ([] if gold is None else [gold])
    ps = [x for x in pred or [] if x is not None] if isinstance(pred, list) else ([] if pred is None else [pred])
    return all(any(text_equal(g, p) for p in ps) for g in gs) and all(any(text_equal(g, p) for g in gs) for p in ps)


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


# --------------------------------------------------------------------------- fields


def _entries(doc: dict | None, key: str) -> list[dict]:
    items = (doc or {}).get(key) or []
    return [e for e in items if isinstance(e, dict)] if isinstance(items, list) else []


def _raw(entry: dict, f: FieldRule) -> tuple[Any, ...]:
    return tuple(entry.get(p) for p in f.paths)


def _present(entry: dict, f: FieldRule) -> bool:
    return any(v is not None and v != [] for v in _raw(entry, f))


def _shown(entry: dict, f: FieldRule) -> Any:
    """What a row shows as the value: the value, or a list for a field of several keys ([low, high])."""
    vals = _raw(entry, f)
    return vals[0] if len(vals) == 1 else list(vals)


def _field_correct(f: FieldRule, gold: dict, pred: dict) -> bool:
    pairs = zip(_raw(gold, f), _raw(pred, f), strict=True)
    if f.compare == "number":
        check = pct_correct if f.absolute else value_correct
        return all(check(g, p, f.tolerance) for g, p in pairs)
    if f.compare == "text":
        return all(text_equal(g, p) for g, p in pairs)
    if f.compare == "names":
        return all(names_equal(g, p) for g, p in pairs)
    return all(g == p for g, p in pairs)


def _distance(lst: EntryList, gold: dict, pred: dict) -> float:
    """The farthest numeric value of a pair, relative to gold (closest pair wins a tie)."""
    dists = [
        _rel_distance(g, p)
        for f in lst.scored
        if f.compare == "number"
        for g, p in zip(_raw(gold, f), _raw(pred, f), strict=True)
        if g is not None or p is not None
    ]
    return max(dists, default=0.0)


def _key_score(lst: EntryList, gold: dict, pred: dict, skip: str | None = None) -> int:
    """2 every key matches exactly, 1 some only loosely, 0 no match. `skip` leaves one key out."""
    worst = 2
    for key in lst.keys:
        if key.name != skip:
            worst = min(worst, key.match(gold.get(key.name), pred.get(key.name), gold))
    return worst


def _match(lst: EntryList, golds: list[dict], preds: list[dict]) -> dict[int, int]:
    """One-to-one greedy matching gold index -> pred index.

    Among all key-matching pairs, exact keys win over loose ones (an `other` segment label
    that contains the other), then the pair agreeing on more fields, then the closest value,
    then document order; so duplicates of a key leave the farther prediction unmatched.
    """
    cands = []
    for gi, g in enumerate(golds):
        for pi, p in enumerate(preds):
            score = _key_score(lst, g, p)
            if score:
                agree = sum(_present(g, f) and _present(p, f) and _field_correct(f, g, p) for f in lst.scored)
                cands.append((score != 2, -agree, _distance(lst, g, p), gi, pi))
    cands.sort()
    g2p: dict[int, int] = {}
    used: set[int] = set()
    for _, _, _, gi, pi in cands:
        if gi not in g2p and pi not in used:
            g2p[gi] = pi
            used.add(pi)
    return g2p


# --------------------------------------------------------------------------- rows


def _row(doc_id: str, lst: EntryList, f: FieldRule, gold: dict | None, pred: dict | None, status: str) -> dict:
    base = gold if gold is not None else pred or {}
    row: dict[str, Any] = {"doc": doc_id, "kind": lst.kind}
    if len(lst.scored) > 1:
        row["field"] = f.name
    for key in lst.show:
        row[key] = base.get(key)
    row.update({
        "gold_value": _shown(gold, f) if gold is not None else None,
        "pred_value": _shown(pred, f) if pred is not None else None,
        "status": status,
        "error": None,
        "gold_evidence": gold.get(lst.evidence) if gold is not None and lst.evidence else None,
        "evidence": pred.get(lst.evidence) if pred is not None and lst.evidence else None,
        "verbatim": None,
        "grounded": None,
    })  # fmt: skip
    if pred is not None and gold is not None:
        for key in lst.show_pred:
            row[f"pred_{key}"] = pred.get(key)
    for judged in lst.fields:
        if judged.scored:
            continue
        gv = _raw(gold, judged)[0] if gold is not None else None
        pv = _raw(pred, judged)[0] if pred is not None else None
        row[f"gold_{judged.name}"], row[f"pred_{judged.name}"] = gv, pv
        # Only matched entries are judged, and only when either side states a value.
        is_judged = gold is not None and pred is not None and (gv is not None or pv is not None)
        ok = is_judged and _field_correct(judged, gold or {}, pred or {})
        row[f"{judged.name}_status"] = ("correct" if ok else "wrong") if is_judged else None
    return row


def _wrong_value_subclass(f: FieldRule, gold: dict, pred: dict) -> str:
    if f.compare != "number":
        return "other"
    check = pct_correct if f.absolute else value_correct
    subs = {
        classify_wrong_value(g, p)
        for g, p in zip(_raw(gold, f), _raw(pred, f), strict=True)
        if not check(g, p, f.tolerance)
    }
    return subs.pop() if len(subs) == 1 else "other"


def _pair_rows(doc_id: str, lst: EntryList, g: dict, p: dict) -> list[dict]:
    rows = []
    for f in lst.scored:
        in_g, in_p = _present(g, f), _present(p, f)
        if in_g and in_p:
            ok = _field_correct(f, g, p)
            row = _row(doc_id, lst, f, g, p, "correct" if ok else "wrong_value")
            if not ok:
                row["error"] = _wrong_value_subclass(f, g, p)
        elif in_g:
            row = _row(doc_id, lst, f, g, None, "missed")
        elif in_p:
            row = _row(doc_id, lst, f, None, p, "invented")
        else:
            continue
        rows.append(row)
    return rows


def _all_scored_correct(lst: EntryList, g: dict, p: dict) -> bool:
    return all(_field_correct(f, g, p) for f in lst.scored)


def _score_entries(doc_id: str, lst: EntryList, golds: list[dict], preds: list[dict]) -> list[dict]:
    g2p = _match(lst, golds, preds)
    rows: list[dict] = []
    for gi, g in enumerate(golds):
        if gi in g2p:
            rows += _pair_rows(doc_id, lst, g, preds[g2p[gi]])
        else:
            rows += [_row(doc_id, lst, f, g, None, "missed") for f in lst.scored if _present(g, f)]

    matched_preds = set(g2p.values())
    missed = [gi for gi in range(len(golds)) if gi not in g2p]
    claimed: set[int] = set()
    for pi, p in enumerate(preds):
        if pi in matched_preds:
            continue
        other_period = None
        if lst.period_key is not None:
            other_period = next(
                (
                    gi
                    for gi in missed
                    if gi not in claimed
                    and golds[gi].get(lst.period_key) != p.get(lst.period_key)
                    and _key_score(lst, golds[gi], p, skip=lst.period_key)
                    and _all_scored_correct(lst, golds[gi], p)
                ),
                None,
            )
        if other_period is not None:
            claimed.add(other_period)
            status = "wrong_period"
        elif any(_key_score(lst, g, p) for g in golds):
            status = "duplicate"
        else:
            status = "invented"
        for f in lst.scored:
            if _present(p, f):
                row = _row(doc_id, lst, f, None, p, status)
                if other_period is not None:
                    row[f"gold_{lst.period_key}"] = golds[other_period].get(lst.period_key)
                rows.append(row)
    return rows


def _scalar(doc: dict | None, name: str) -> Any:
    cur: Any = doc
    for part in name.split("."):
        cur = cur.get(part) if isinstance(cur, dict) else None
    return cur


def _scalar_equal(casefold: bool, gold: Any, pred: Any) -> bool:
    if casefold and isinstance(gold, str) and isinstance(pred, str):
        return gold.strip().casefold() == pred.strip().casefold()
    return gold == pred


def _grounded(f: FieldRule, value: Any, evidence: str, text: str, unit: str | None, readback: Readback | None) -> bool:
    if f.ground == "amount":
        return bool((readback or _default_readback())(evidence, value, unit))
    from extract.grounding import field_grounded

    return field_grounded(f.ground or "", f.scope, value, evidence, text)


def _check_evidence(rows: list[dict], scoring: Scoring, text: str, readback: Readback | None) -> None:
    """Fill `verbatim` and `grounded` on every predicted entry row."""
    index = EvidenceIndex(text)
    lists = {lst.kind: lst for lst in scoring.lists}
    for row in rows:
        if row["kind"] == "scalar" or row["status"] not in PRED_STATUSES:
            continue
        lst = lists[row["kind"]]
        f = next((x for x in lst.scored if x.name == row.get("field")), lst.scored[0])
        ev = row["evidence"]
        row["verbatim"] = index.contains(ev)
        if f.ground is None:
            continue
        if f.compare in ("number",):
            values = row["pred_value"] if isinstance(row["pred_value"], list) else [row["pred_value"]]
            values = [v for v in dict.fromkeys(_num(v) for v in values) if v is not None]
        else:
            values = [v for v in (row["pred_value"] if isinstance(row["pred_value"], list) else [row["pred_value"]]) if v]
        if not values:
            continue  # nothing stated, nothing to ground
        if not isinstance(ev, str) or not ev.strip():
            row["grounded"] = False
            continue
        unit = row.get(f"pred_{lst.unit_key}", row.get(lst.unit_key)) if lst.unit_key else None
        if f.ground == "amount" and readback is None:
            readback = _default_readback()
        row["grounded"] = all(_grounded(f, v, ev, text, unit, readback) for v in values)


# --------------------------------------------------------------------------- DocScore


@dataclass
class DocScore:
    """One document's score. `rows` is the single source; the rest is derived."""

    doc_id: str
    rows: list[dict] = field(default_factory=list)
    error: str | None = None  # why the extraction failed (pred was None)
    scoring: Scoring = field(default_factory=default_scoring)

    def _rows(self, kind: str) -> list[dict]:
        return [r for r in self.rows if r["kind"] == kind]

    def counts(self, kind: str | None = None) -> dict[str, int]:
        """Row counts of one list (default: the primary one), by status."""
        return _counts(self._rows(kind or self.scoring.primary.kind))

    @property
    def passed(self) -> bool:
        """Every gold entry row correct and no false prediction."""
        if self.error is not None:
            return False
        entries = [r for r in self.rows if r["kind"] != "scalar"]
        return all(r["status"] == "correct" for r in entries)

    @property
    def errors(self) -> dict[str, list[dict]]:
        """Error class -> rows (judged fields and scalar mistakes included)."""
        judged = [f.name for f in self.scoring.judged()]
        out: dict[str, list[dict]] = {c: [] for c in error_classes(self.scoring)}
        for r in self.rows:
            if r["kind"] == "scalar":
                if r["status"] != "correct":
                    out["wrong_scalar"].append(r)
                continue
            if r["status"] in out:
                out[r["status"]].append(r)
            for name in judged:
                if r.get(f"{name}_status") == "wrong":
                    out[f"wrong_{name}"].append(r)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Per-document figures for summary["per_document"]."""
        primary, *others = self.scoring.lists
        return {
            **_prf_block(self._rows(primary.kind)),
            **{lst.path: _prf_block(self._rows(lst.kind)) for lst in others},
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
    scoring: Scoring | None = None,
) -> DocScore:
    """Score one document's prediction against its gold file, under `scoring` (default: the
    default schema's declaration).

    `pred=None` means the extraction failed: every gold entry is missed and every scalar
    wrong (a failed run states nothing, not "null"). `error` carries the failure message.
    `readback(evidence, value, unit)` decides whether an amount can be read back from its
    evidence; it defaults to extract.grounding.reads_back, imported on first use.
    """
    scoring = scoring or default_scoring()
    failed = pred is None
    rows: list[dict] = []
    for lst in scoring.lists:
        rows += _score_entries(doc_id, lst, _entries(gold, lst.path), _entries(pred, lst.path))

    for scalar in scoring.scalars:
        g, p = _scalar(gold, scalar.path), _scalar(pred, scalar.path)
        ok = not failed and _scalar_equal(scalar.casefold, g, p)
        rows.append(
            {
                "doc": doc_id,
                "kind": "scalar",
                "field": scalar.path,
                "gold_value": g,
                "pred_value": p,
                "status": "correct" if ok else "wrong",
                "error": None,
            }
        )

    if not failed:
        _check_evidence(rows, scoring, text or "", readback)
    if failed and error is None:
        error = "extraction failed (no prediction)"
    return DocScore(doc_id=doc_id, rows=rows, error=error, scoring=scoring)


# --------------------------------------------------------------------------- summary


def summarize(doc_scores: list[DocScore], languages: dict[str, str] | None = None) -> dict:
    """Aggregate document scores into the JSON-serialisable run summary.

    All rates are micro-averaged (pooled counts), so a document with many figures weighs
    more than one with few, matching "correct values / predicted entries" in the spec.
    Documents absent from `languages` are grouped under "unknown". "overall" holds the
    primary list's rows (earnings: metrics); every other list has its own block ("guidance").
    """
    scoring = doc_scores[0].scoring if doc_scores else default_scoring()
    primary, *others = scoring.lists
    all_rows = [r for d in doc_scores for r in d.rows]
    primary_rows = [r for r in all_rows if r["kind"] == primary.kind]
    scalar_rows = [r for r in all_rows if r["kind"] == "scalar"]
    pred_rows = [r for r in all_rows if r["kind"] != "scalar" and r["status"] in PRED_STATUSES]

    per_group_rows: dict[str, list[dict]] = defaultdict(list)
    for r in primary_rows:
        per_group_rows[".".join(str(r.get(k)) for k in primary.group_by) or primary.kind].append(r)

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
                **_prf_block(r for d in docs for r in d.rows if r["kind"] == primary.kind),
            }

    def judged_block(name: str) -> dict[str, Any]:
        judged = [r for r in all_rows if r.get(f"{name}_status") is not None]
        ok = sum(r[f"{name}_status"] == "correct" for r in judged)
        return {"correct": ok, "total": len(judged), "accuracy": _rate(ok, len(judged))}

    scalars = {}
    for scalar in scoring.scalars:
        rs = [r for r in scalar_rows if r["field"] == scalar.path]
        ok = sum(r["status"] == "correct" for r in rs)
        scalars[scalar.path] = {"correct": ok, "total": len(rs), "accuracy": _rate(ok, len(rs))}

    verbatim = sum(bool(r.get("verbatim")) for r in pred_rows)
    checked = [r for r in pred_rows if r.get("grounded") is not None]
    ungrounded = sum(r["grounded"] is False for r in checked)

    errors: dict[str, list[dict]] = {c: [] for c in error_classes(scoring)}
    for d in doc_scores:
        for cls, rs in d.errors.items():
            errors[cls].extend(rs)
    subclasses = Counter(r["error"] for r in errors["wrong_value"])

    return {
        "documents": len(doc_scores),
        "failed_documents": [{"doc": d.doc_id, "error": d.error} for d in doc_scores if d.error],
        "passed_documents": sum(d.passed for d in doc_scores),
        "overall": _prf_block(primary_rows),
        "per_metric": {m: _prf_block(rs) for m, rs in sorted(per_group_rows.items())},
        "per_document": per_document,
        "per_language": per_language,
        **{f.name: judged_block(f.name) for f in scoring.judged()},
        "scalars": scalars,
        **{lst.path: _prf_block(r for r in all_rows if r["kind"] == lst.kind) for lst in others},
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
