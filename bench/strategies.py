"""Side by side in one run: the grounded strategy against the direct baseline.

Both strategies extract the same documents with the same model, uncached by default, one
document at a time, alternating (so machine noise hits both alike); the script prints F1
from the eval scorer, median seconds and tokens per document, and the two ratios the
accuracy issue sets targets for (grounded F1 / direct F1 >= 3, direct time / grounded time >= 4).

    python bench/strategies.py --dataset evals/datasets/earnings --limit 4
    python bench/strategies.py --dataset DIR --use-cache      # F1 from cached answers, times meaningless
"""

from __future__ import annotations

import argparse
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
    ap.add_argument("--dataset", type=Path, required=True)
    ap.add_argument("--limit", type=int, default=4, help="documents (the direct baseline takes minutes each)")
    ap.add_argument("--model", default=None)
    ap.add_argument("--base-url", default=None)
    ap.add_argument("--use-cache", action="store_true", help="read and write the normal cache")
    args = ap.parse_args(argv)

    cases = load_dataset(args.dataset)[: args.limit]
    cache_dir = None if args.use_cache else Path(tempfile.mkdtemp(prefix="bench-cache-"))
    settings = load_settings(base_url=args.base_url, model=args.model, cache_dir=cache_dir)
    scores: dict[str, list[Any]] = {s: [] for s in STRATEGIES}
    seconds: dict[str, list[float]] = {s: [] for s in STRATEGIES}
    tokens: dict[str, list[int]] = {s: [] for s in STRATEGIES}
    with Extractor(settings=settings) as ex:
        mode = ex.client.mode_name  # start the server and run the canary before any timing
        print(f"endpoint {settings.public_base_url()}, mode {mode}", file=sys.stderr)
        for case in cases:
            for strategy in STRATEGIES:
                started = time.perf_counter()
                try:
                    result = ex.extract(case.text, strategy=strategy)
                    pred, error = result.report.model_dump(mode="json"), None
                    tokens[strategy].append(result.usage["total_tokens"])
                except (ExtractionError, ValueError) as exc:
                    pred, error = None, str(exc)
                seconds[strategy].append(time.perf_counter() - started)
                scores[strategy].append(score_document(case.id, case.text, case.gold, pred, error=error))
                print(f"{case.id:40s} {strategy:9s} {seconds[strategy][-1]:7.1f} s  {error or ''}", file=sys.stderr)

    rows = {}
    for strategy in STRATEGIES:
        summary = summarize(scores[strategy])
        rows[strategy] = {
            "f1": summary["overall"]["f1"] or 0.0,
            "precision": summary["overall"]["precision"] or 0.0,
            "recall": summary["overall"]["recall"] or 0.0,
            "ungrounded": summary["ungrounded"],
            "median_s": statistics.median(seconds[strategy]),
            "tokens": statistics.mean(tokens[strategy]) if tokens[strategy] else 0.0,
        }
    print(f"{len(cases)} documents from {args.dataset}, model {settings.model}, cache {'on' if args.use_cache else 'off'}")
    print(f"{'strategy':10s} {'F1':>6s} {'P':>6s} {'R':>6s} {'ungrounded':>10s} {'median s/doc':>12s} {'tokens/doc':>10s}")
    for strategy, r in rows.items():
        print(
            f"{strategy:10s} {r['f1']:6.3f} {r['precision']:6.3f} {r['recall']:6.3f} {r['ungrounded']:10d} "
            f"{r['median_s']:12.1f} {r['tokens']:10.0f}"
        )
    g, d = rows["grounded"], rows["direct"]
    f1_ratio = g["f1"] / d["f1"] if d["f1"] else float("inf")
    speed_ratio = d["median_s"] / g["median_s"] if g["median_s"] else float("inf")
    print(f"F1 ratio grounded/direct: {f1_ratio:.2f} (target >= 3)")
    print(f"speed ratio direct/grounded (median s/doc): {speed_ratio:.2f} (target >= 4)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
