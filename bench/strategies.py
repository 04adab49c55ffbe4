"""Side by side in one run: the grounded strategy against the direct baseline.

Both strategies extract the same documents with the same model, uncached by default, one
document at a time, alternating (so machine noise hits both alike); the script prints F1
from the eval scorer, median seconds and tokens per document, and the two ratios the
accuracy issue sets targets for (grounded F1 / direct F1 >= 3, direct time / grounded time >= 4).

    python bench/strategies.py --dataset evals/datasets/earnings --limit 4
    python bench/strategies.py --dataset evals/datasets/earnings --every 3 --dataset SEEDS --out bench.json
    python bench/strategies.py --dataset DIR --use-cache      # F1 from cached answers, times meaningless

`--every K` takes every K-th document (sorted by name, so languages and kinds stay mixed)
when the whole set would take hours: the direct baseline needs minutes per document.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from extract.config import load_settings
from extract.evals.harness import load_dataset
from extract.evals.scoring import score_document, summarize
from extract.extractor import Extractor
from extract.retry import ExtractionError

STRATEGIES = ("grounded", "direct")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", type=Path, action="append", required=True, help="repeatable")
    ap.add_argument("--limit", type=int, default=4, help="documents per dataset (direct takes minutes each)")
    ap.add_argument("--every", type=int, default=1, help="take every K-th document of each dataset")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per HTTP request")
    ap.add_argument("--out", type=Path, default=None, help="write the per-document rows and the table as JSON")
    ap.add_argument("--model", default=None)
    ap.add_argument("--base-url", default=None)
    ap.add_argument("--use-cache", action="store_true", help="read and write the normal cache")
    args = ap.parse_args(argv)

    if args.every < 1 or args.limit < 1:
        ap.error("--every and --limit must be at least 1")
    cases, origin = [], []
    for d in args.dataset:
        picked = load_dataset(d)[:: args.every][: args.limit]
        cases += picked
        origin += [str(d)] * len(picked)
    cache_dir = None if args.use_cache else Path(tempfile.mkdtemp(prefix="bench-cache-"))
    settings = load_settings(base_url=args.base_url, model=args.model, cache_dir=cache_dir, timeout=args.timeout)
    per_doc: list[dict[str, Any]] = []
    scores: dict[str, list[Any]] = {s: [] for s in STRATEGIES}
    seconds: dict[str, list[float]] = {s: [] for s in STRATEGIES}
    tokens: dict[str, list[int | None]] = {s: [] for s in STRATEGIES}
    with Extractor(settings=settings) as ex:
        mode = ex.client.mode_name  # start the server and run the canary before any timing
        print(f"endpoint {settings.public_base_url()}, mode {mode}", file=sys.stderr)
        for case in cases:
            for strategy in STRATEGIES:
                started = time.perf_counter()
                try:
                    result = ex.extract(case.text, strategy=strategy)
                    pred, error = result.report.model_dump(mode="json"), None
                    used: int | None = result.usage["total_tokens"]
                except (ExtractionError, ValueError) as exc:
                    pred, error = None, str(exc)
                    cost = getattr(exc, "usage", None)  # a failed extraction still spent tokens
                    used = cost.prompt_tokens + cost.completion_tokens if cost is not None else None
                tokens[strategy].append(used)
                seconds[strategy].append(time.perf_counter() - started)
                scores[strategy].append(score_document(case.id, case.text, case.gold, pred, error=error))
                per_doc.append(
                    {
                        "doc": case.id,
                        "strategy": strategy,
                        "seconds": round(seconds[strategy][-1], 2),
                        "tokens": used,
                        "error": error,
                    }
                )
                print(f"{case.id:40s} {strategy:9s} {seconds[strategy][-1]:7.1f} s  {error or ''}", file=sys.stderr)

    groups = {str(d): [i for i, name in enumerate(origin) if name == str(d)] for d in args.dataset}
    if len(groups) > 1:
        groups["all"] = list(range(len(cases)))
    tables = {}
    for label, picked in groups.items():
        tables[label] = _table(label, picked, scores, seconds, tokens)
    print(f"model {settings.model}, cache {'on' if args.use_cache else 'off'}")
    if args.out:
        table = {"model": settings.model, "documents": [c.id for c in cases], "tables": tables, "per_document": per_doc}
        args.out.write_text(json.dumps(table, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0



def _table(
    label: str,
    picked: list[int],
    scores: dict[str, list[Any]],
    seconds: dict[str, list[float]],
    tokens: dict[str, list[int | None]],
) -> dict[str, Any]:
    """Print and return one side-by-side table over the documents at positions `picked`."""
    rows = {}
    for strategy in STRATEGIES:
        summary = summarize([scores[strategy][i] for i in picked])
        counted = [t for t in (tokens[strategy][i] for i in picked) if t is not None]
        rows[strategy] = {
            "f1": summary["overall"]["f1"] or 0.0,
            "precision": summary["overall"]["precision"] or 0.0,
            "recall": summary["overall"]["recall"] or 0.0,
            "ungrounded": summary["ungrounded"],
            "failed": sum(1 for i in picked if scores[strategy][i].error),
            "median_s": statistics.median(seconds[strategy][i] for i in picked),
            "tokens": statistics.mean(counted) if counted else 0.0,
        }
    print(f"\n{label}: {len(picked)} documents")
    print(f"{'strategy':10s} {'F1':>6s} {'P':>6s} {'R':>6s} {'ungrounded':>10s} {'failed':>6s} {'median s':>9s} {'tokens':>7s}")
    for strategy, r in rows.items():
        print(
            f"{strategy:10s} {r['f1']:6.3f} {r['precision']:6.3f} {r['recall']:6.3f} {r['ungrounded']:10d} "
            f"{r['failed']:6d} {r['median_s']:9.1f} {r['tokens']:7.0f}"
        )
    g, d = rows["grounded"], rows["direct"]
    f1_ratio = g["f1"] / d["f1"] if d["f1"] else float("inf")
    speed_ratio = d["median_s"] / g["median_s"] if g["median_s"] else float("inf")
    print(f"F1 ratio grounded/direct: {f1_ratio:.2f} (target >= 3)")
    print(f"speed ratio direct/grounded (median s/doc): {speed_ratio:.2f} (target >= 4)")
    return {"rows": rows, "f1_ratio": f1_ratio, "speed_ratio": speed_ratio}


if __name__ == "__main__":
    sys.exit(main())
