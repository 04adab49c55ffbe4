"""Scaling of `extract batch --ray`: documents per second for 1, 2 and 4 workers, from one run.

    .venv/bin/python bench/scale.py                      # 200 ms a call, 4 in flight per endpoint
    .venv/bin/python bench/scale.py --latency-ms 500 --cap 8 --docs 800 --out scale.json

Each worker is bound to its own scripted OpenAI-compatible endpoint (tests/scripted_server.py,
in a child process so the servers do not share the driver's interpreter) that answers every
call after a fixed latency; each endpoint takes `--cap` requests at once. The ideal is then
workers x cap / latency documents per second (the grounded strategy makes one model call per
document), and the table says how close the Ray path comes and what it costs in CPU: the
driver's (reading, writing results.jsonl, scheduling) and the workers' (the grounded rules,
HTTP, the cache), per document. A local batch (`run_batch`, one endpoint, the same cap) runs
first as the reference for one worker.

Workers are started and warmed (canary, one round of documents) before the clock starts: the
figures are steady-state throughput, not Ray's start-up. Every run writes its own
results.jsonl and cache in a temporary folder; a run with any failed document is an error.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MARK = re.compile(r"云帆(\d+)号科技")


def document(n: int) -> str:
    """A grounded-strategy document: one model call (the header snippet, which carries n)."""
    return (
        f"云帆{n:05d}号科技(纳斯达克:YFKJ)公布2024年第二季度财报。营业收入为{n % 90 + 1}.5亿元人民币，同比增长{n % 30 + 1}%。"
        f"净利润为{n % 70 + 1},200万元人民币。"
    )


def serve(count: int, latency: float) -> None:
    """Child process: `count` scripted endpoints; prints their URLs, serves until stdin closes."""
    from tests.scripted_server import Behaviour, ScriptedServer, delay, ok

    def model(request: dict[str, Any]) -> Behaviour:
        if "canary" in json.dumps(request.get("response_format") or {}):
            return ok({"canary": 7})
        found = MARK.search(json.dumps(request.get("messages"), ensure_ascii=False))
        name = f"云帆{int(found.group(1)):05d}号科技" if found else None
        return delay(latency, ok({"name": name, "name_en": None}, prompt_tokens=120, completion_tokens=12))

    servers = [ScriptedServer(default=model).__enter__() for _ in range(count)]
    print(" ".join(s.base_url for s in servers), flush=True)
    sys.stdin.read()
    for s in servers:
        s.__exit__(None, None, None)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def write_jsonl(path: Path, first: int, count: int) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for n in range(first, first + count):
            f.write(json.dumps({"id": f"doc{n:05d}", "text": document(n)}, ensure_ascii=False) + "\n")
    return path


def check(summary: Any, label: str) -> None:
    if summary.failed or summary.interrupted:
        raise SystemExit(f"{label}: {summary.failed} failed, interrupted={summary.interrupted}: {summary.failures}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-ms", type=float, default=200.0, help="scripted latency per model call")
    parser.add_argument("--cap", type=int, default=4, help="requests in flight per endpoint")
    parser.add_argument("--docs", type=int, default=400, help="documents per run")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    latency = args.latency_ms / 1000
    if args.serve:
        serve(args.serve, latency)
        return 0

    import ray

    from extract.batch import run_batch, run_records
    from extract.cluster import EndpointSpec, RayRunner, plan_workers
    from extract.config import Settings
    from extract.extractor import Extractor

    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(max(args.workers)), "--latency-ms", str(args.latency_ms)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    assert child.stdout is not None and child.stdin is not None
    urls = child.stdout.readline().split()
    rows: list[dict[str, Any]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="extract-scale-") as tmp_name:
            tmp = Path(tmp_name)
            docs = write_jsonl(tmp / "docs.jsonl", 0, args.docs)

            def settings(run: str, base_url: str | None = None) -> Settings:
                return Settings(
                    base_url=base_url, api_key="sk-bench", model="scripted", cache_dir=tmp / f"cache-{run}",
                    concurrency=args.cap, timeout=60.0,
                )  # fmt: skip

            def row(label: str, workers: int, summary: Any, driver_cpu: float, worker_cpu: float | None) -> None:
                ideal = workers * args.cap / latency
                rate = summary.ok / summary.seconds
                rows.append({
                    "run": label, "workers": workers, "docs": summary.ok, "seconds": round(summary.seconds, 2),
                    "docs_per_s": round(rate, 1), "ideal_docs_per_s": round(ideal, 1), "of_ideal": round(rate / ideal, 3),
                    "driver_cpu_ms_per_doc": round(1000 * driver_cpu / summary.ok, 2),
                    "worker_cpu_ms_per_doc": None if worker_cpu is None else round(1000 * worker_cpu / summary.ok, 2),
                })  # fmt: skip
                print(f"{label}: {rows[-1]}", file=sys.stderr, flush=True)

            # The reference: today's local batch, one endpoint, the same cap (worker CPU is the driver's).
            with Extractor(settings=settings("local", urls[0])) as ex:
                warm = write_jsonl(tmp / "warm-local.jsonl", 90_000, args.cap)
                check(run_batch(ex, [warm], out=None, out_dir=tmp / "warm", show_progress=False), "warm-up")
                cpu = time.process_time()
                summary = run_batch(ex, [docs], out=tmp / "local.jsonl", out_dir=None, show_progress=False)
                check(summary, "local")
                row("local batch", 1, summary, time.process_time() - cpu, None)

            ray.init(num_cpus=os.cpu_count() or 2, include_dashboard=False, logging_level=logging.WARNING)
            try:
                for count in args.workers:
                    endpoints = [EndpointSpec(url, args.cap) for url in urls[:count]]
                    runner = RayRunner(settings(f"ray{count}"), plan_workers(endpoints, count))
                    try:
                        runner.start()
                        pids = runner.worker_pids()
                        warm_pairs = [(f"warm{n}", document(80_000 + n)) for n in range(count * args.cap)]
                        if not all(r["ok"] for r in runner(warm_pairs)):
                            raise SystemExit("warm-up failed")
                        before = sum(cpu_seconds(p) for p in pids)
                        cpu = time.process_time()
                        summary = run_records(runner, [docs], out=tmp / f"ray{count}.jsonl", out_dir=None, show_progress=False)
                        driver = time.process_time() - cpu
                        check(summary, f"ray {count}")
                        row(f"ray, {count} worker(s)", count, summary, driver, sum(cpu_seconds(p) for p in pids) - before)
                    finally:
                        runner.close()
            finally:
                ray.shutdown()
    finally:
        child.stdin.close()
        child.wait(timeout=30)

    base = rows[1]  # the first Ray run (1 worker by default): the speed-ups are relative to it
    print(f"\nscripted endpoints: {args.latency_ms:g} ms a call, {args.cap} in flight each; {args.docs} documents a run")
    print(f"speed-up: docs/s over the Ray run with {base['workers']} worker(s)")
    print("| run | workers | docs/s | speed-up | ideal docs/s | of ideal | driver CPU ms/doc | worker CPU ms/doc |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        speed = r["docs_per_s"] / base["docs_per_s"]
        worker = "-" if r["worker_cpu_ms_per_doc"] is None else f"{r['worker_cpu_ms_per_doc']:.2f}"
        print(
            f"| {r['run']} | {r['workers']} | {r['docs_per_s']:.1f} | {speed:.2f} | {r['ideal_docs_per_s']:.1f} | "
            f"{100 * r['of_ideal']:.0f}% | {r['driver_cpu_ms_per_doc']:.2f} | {worker} |"
        )
    print(f"median of ideal: {100 * statistics.median(r['of_ideal'] for r in rows):.0f}%")
    if args.out:
        args.out.write_text(json.dumps({"args": {k: v for k, v in vars(args).items() if k != "out"} | {"out": str(args.out)},
                                        "rows": rows}, indent=2) + "\n")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
