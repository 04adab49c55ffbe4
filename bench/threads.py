"""How many threads should the embedded llama.cpp server use? Measured the way users meet it: a
batch of documents at concurrency 2 and 4 (the service's workers do the same: `extract serve`
runs `--concurrency` extractions at once, default 2), with whatever else the machine is running.

    .venv/bin/python bench/threads.py                        # 1 vs 2 threads, concurrency 2 and 4, 3 rounds
    .venv/bin/python bench/threads.py --threads 1 --threads 2 --threads 3 --docs 6 --rounds 5

Each round starts one embedded server per thread count (the model loaded and warmed before the
clock starts), in alternating order, and runs the same documents through the grounded strategy
with the cache off, so every document costs one model call. Printed: median wall seconds per
batch and median seconds per document for each (threads, concurrency), the ratio of each thread
count to the first, and the load average before and after (other processes on the machine).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _documents(count: int) -> list[tuple[str, str]]:
    folder = ROOT / "evals" / "datasets" / "earnings"
    paths = sorted(folder.glob("*.txt"))[:count]
    return [(p.stem, p.read_text(encoding="utf-8")) for p in paths]


def _batch(threads: int, concurrencies: list[int], docs: list[tuple[str, str]], model: str) -> dict[int, tuple[float, float]]:
    """(wall seconds, median seconds per document) per concurrency, on one fresh server. Each
    concurrency gets its own documents (the server reuses the cached prefix of a prompt it has
    just seen, which would flatter whichever batch came second); the last one warms the model."""
    from extract import Extractor
    from extract.config import load_settings

    settings = load_settings(model=model, embedded_threads=threads, use_cache=False, deadline=0)
    out: dict[int, tuple[float, float]] = {}
    with Extractor(settings=settings) as ex:
        ex.extract(docs[-1][1])  # load and warm the model: not timed
        per_batch = (len(docs) - 1) // len(concurrencies)
        for i, c in enumerate(concurrencies):
            started = time.perf_counter()
            per_doc = []
            for doc_id, result in ex.extract_many(docs[i * per_batch : (i + 1) * per_batch], concurrency=c):
                if isinstance(result, Exception):
                    raise SystemExit(f"{doc_id}: {result}")
                per_doc.append(result.seconds)
            out[c] = (time.perf_counter() - started, statistics.median(per_doc))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, action="append", help="thread counts to compare (repeatable; default 1 and 2)")
    parser.add_argument("--concurrency", type=int, action="append", help="documents in flight (repeatable; default 2 and 4)")
    parser.add_argument("--docs", type=int, default=4, help="documents per batch")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the order of thread counts alternates")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    args = parser.parse_args()
    threads = args.threads or [1, 2]
    concurrencies = args.concurrency or [2, 4]
    docs = _documents(args.docs * len(concurrencies) + 1)
    load_before = os.getloadavg()
    walls: dict[tuple[int, int], list[float]] = {}
    lat: dict[tuple[int, int], list[float]] = {}
    for r in range(args.rounds):
        order = threads if r % 2 == 0 else list(reversed(threads))
        for t in order:
            for c, (wall, median_doc) in _batch(t, concurrencies, docs, args.model).items():
                walls.setdefault((t, c), []).append(wall)
                lat.setdefault((t, c), []).append(median_doc)
                print(f"round {r + 1}: threads {t}, concurrency {c}: {wall:.1f} s for {args.docs} documents, "
                      f"median {median_doc:.1f} s each; load {os.getloadavg()[0]:.1f}", flush=True)
    print(f"\nload average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f} (1 min); {os.cpu_count()} cores")
    print(f"{'threads':>7} {'conc.':>5} {'batch s (median)':>17} {'per doc s':>10} {'vs ' + str(threads[0]) + ' threads':>12}")
    for c in concurrencies:
        base = statistics.median(walls[(threads[0], c)])
        for t in threads:
            wall = statistics.median(walls[(t, c)])
            print(f"{t:>7} {c:>5} {wall:>17.1f} {statistics.median(lat[(t, c)]):>10.1f} {wall / base:>12.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
