"""Compare two scored runs (summary.json) and say whether the second regressed.

`extract eval compare BASE NEW [--threshold 0.02]` prints the differences and exits
1 when overall metric F1 dropped by more than the threshold, so CI can gate on it.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["FieldDelta", "CompareResult", "compare_runs", "format_compare", "load_summary", "main"]

_EPS = 1e-9  # 0.80 - 0.78 is 0.02000000000000007: not a drop "by more than" 0.02


@dataclass
class FieldDelta:
    """One figure in both runs; `higher_is_better` is False for counts of mistakes."""

    name: str
    a: float | None
    b: float | None
    higher_is_better: bool = True

    @property
    def delta(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def worse(self) -> bool:
        d = self.delta
        return d is not None and (d < -_EPS if self.higher_is_better else d > _EPS)


@dataclass
class CompareResult:
    """What changed from run a (baseline) to run b (candidate)."""

    deltas: list[FieldDelta]
    newly_failing: list[str] = field(default_factory=list)  # passed in a, fail in b
    newly_passing: list[str] = field(default_factory=list)  # failed in a, pass in b
    only_in_a: list[str] = field(default_factory=list)
    only_in_b: list[str] = field(default_factory=list)
    threshold: float = 0.02
    regressed: bool = False

    def get(self, name: str) -> FieldDelta | None:
        return next((d for d in self.deltas if d.name == name), None)


def _num(x: Any) -> float | None:
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else None


def _dig(summary: dict, *path: str) -> float | None:
    cur: Any = summary
    for p in path:
        cur = cur.get(p) if isinstance(cur, dict) else None
    return _num(cur)


def _passed(entry: dict) -> bool:
    """Per-document verdict: all gold entries correct and nothing false predicted."""
    if "pass" in entry:
        return bool(entry["pass"])
    g = entry.get("guidance", {})
    return entry.get("error") is None and all(
        b.get("correct") == b.get("gold") == b.get("predicted") for b in (entry, g)
    )


def compare_runs(a: dict, b: dict, *, threshold: float = 0.02) -> CompareResult:
    """Field-by-field deltas from summary `a` to summary `b`.

    `regressed` is true when overall metric F1 fell by more than `threshold` (absolute,
    F1 on a 0..1 scale). Documents present in only one run are listed, not judged.
    """
    deltas: list[FieldDelta] = []

    def add(name: str, *path: str, higher_is_better: bool = True) -> None:
        deltas.append(FieldDelta(name, _dig(a, *path), _dig(b, *path), higher_is_better))

    for k in ("f1", "precision", "recall", "value_accuracy"):
        add(f"overall.{k}", "overall", k)
    for m in sorted(set(a.get("per_metric", {})) | set(b.get("per_metric", {}))):
        for k in ("f1", "precision", "recall"):
            add(f"per_metric.{m}.{k}", "per_metric", m, k)
    for name in sorted(set(a.get("scalars", {})) | set(b.get("scalars", {}))):
        add(f"scalars.{name}.accuracy", "scalars", name, "accuracy")
    add("yoy.accuracy", "yoy", "accuracy")
    add("qoq.accuracy", "qoq", "accuracy")
    for k in ("f1", "precision", "recall"):
        add(f"guidance.{k}", "guidance", k)
    add("evidence_verbatim_rate", "evidence_verbatim_rate")
    add("ungrounded", "ungrounded", higher_is_better=False)
    deltas.append(
        FieldDelta("failed_documents", len(a.get("failed_documents", [])), len(b.get("failed_documents", [])), False)
    )

    da, db = a.get("per_document", {}), b.get("per_document", {})
    both = sorted(set(da) & set(db))
    f1 = deltas[0]
    regressed = f1.a is not None and f1.b is not None and (f1.a - f1.b) > threshold + _EPS
    return CompareResult(
        deltas=deltas,
        newly_failing=[d for d in both if _passed(da[d]) and not _passed(db[d])],
        newly_passing=[d for d in both if not _passed(da[d]) and _passed(db[d])],
        only_in_a=sorted(set(da) - set(db)),
        only_in_b=sorted(set(db) - set(da)),
        threshold=threshold,
        regressed=regressed,
    )


_COUNTS = ("ungrounded", "failed_documents")


def _fmt(x: float | None, name: str, *, signed: bool = False) -> str:
    if x is None:
        return "—" if not signed else ""
    spec = "g" if name in _COUNTS else ".3f"
    return format(x, ("+" if signed else "") + spec)


def format_compare(result: CompareResult) -> str:
    """Terminal text: verdict first, then figures that moved, then documents that flipped."""
    f1 = result.get("overall.f1")
    verdict = "REGRESSED" if result.regressed else "ok"
    lines = [
        f"overall F1 {_fmt(f1.a if f1 else None, 'f1')} -> {_fmt(f1.b if f1 else None, 'f1')}"
        f"  {verdict} (threshold {result.threshold:.3f})",
        "",
    ]
    width = max((len(d.name) for d in result.deltas), default=10)
    shown = [d for d in result.deltas if d.name.startswith("overall.") or d.delta is None or abs(d.delta) > _EPS]
    for d in shown:
        if d.a is None and d.b is None:
            continue
        flag = "  worse" if d.worse else ""
        lines.append(
            f"  {d.name:<{width}}  {_fmt(d.a, d.name):>7} -> {_fmt(d.b, d.name):>7}"
            f"  {_fmt(d.delta, d.name, signed=True)}{flag}"
        )
    for title, docs in (
        ("newly failing (pass -> fail)", result.newly_failing),
        ("newly passing (fail -> pass)", result.newly_passing),
        ("only in baseline", result.only_in_a),
        ("only in candidate", result.only_in_b),
    ):
        if docs:
            lines += ["", f"{title}: {len(docs)}", *(f"  {d}" for d in docs)]
    return "\n".join(lines)


def load_summary(path: str | Path) -> dict:
    """A summary dict from a run folder (its summary.json) or a summary.json path."""
    p = Path(path)
    if p.is_dir():
        p = p / "summary.json"
        if not p.is_file():
            raise FileNotFoundError(f"run folder {path} has no summary.json (was the run scored?)")
    elif not p.is_file():
        raise FileNotFoundError(f"no such run folder or summary file: {path}")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{p} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or "overall" not in data:
        raise ValueError(f"{p} does not look like an eval summary (no 'overall' key)")
    return data


def main(argv: list[str] | None = None) -> int:
    """CLI: 0 when no regression, 1 when regressed, 2 when a summary cannot be loaded."""
    ap = argparse.ArgumentParser(prog="extract eval compare", description=__doc__.splitlines()[0])
    ap.add_argument("baseline", help="run folder or summary.json")
    ap.add_argument("candidate", help="run folder or summary.json")
    ap.add_argument("--threshold", type=float, default=0.02, help="allowed overall F1 drop (default 0.02)")
    args = ap.parse_args(argv)
    try:
        a, b = load_summary(args.baseline), load_summary(args.candidate)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = compare_runs(a, b, threshold=args.threshold)
    print(format_compare(result))
    return 1 if result.regressed else 0


if __name__ == "__main__":
    sys.exit(main())
