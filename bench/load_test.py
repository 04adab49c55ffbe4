"""Load test of `extract serve`, loopback only, bounded in count and time.

    .venv/bin/python bench/load_test.py                 # scripted model endpoint: seconds
    .venv/bin/python bench/load_test.py --embedded      # the embedded llama.cpp model: minutes, small counts

Three runs against a real `extract serve` process (uvicorn, its own jobs database and cache
in a temporary folder):

1. requests: `--requests` POST /v1/extract answered from the cache plus `--uncached` fresh
   documents, shuffled, `--concurrency` clients with keep-alive connections. Reports
   throughput, p50/p99 latency (all, cached, uncached), errors (must be 0) and whether every
   answer's `cached` flag was the expected one.
2. jobs: `--jobs` jobs of `--job-docs` documents at once; polls until done. Lost jobs (not
   found, or documents missing, unfinished or failed) must be 0.
3. kill: one job of `--kill-docs` documents; the service is SIGKILLed once a third is done,
   restarted on the same database, and must finish the job with no document lost and none
   that was done before the kill sent to the model again.

The model endpoint is tests/scripted_server.py (in this process, on 127.0.0.1) answering after
`--model-ms` per call, so the figures measure the service, not a model. Exit code 1 when any
of the must-be-zero counts is not.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.scripted_server import Behaviour, ScriptedServer, delay, ok  # noqa: E402

MARK = re.compile(r"星河(\d+)号")


def document(n: int) -> str:
    """A grounded-strategy document: one model call (the header snippet, which carries n)."""
    return (
        f"星河{n:04d}号科技(纳斯达克:XHKJ)公布2024年第一季度财报。营业收入为{n % 90 + 1}.5亿元人民币，同比增长12%。"
        f"净亏损为{n % 70 + 1},500万元人民币，上年同期净亏损为2,100万元人民币。"
    )


class Model:
    """The scripted model: answers the canary, names the company, counts calls per document
    and per service life (`epoch` goes up at each restart)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.calls: Counter[tuple[int, int]] = Counter()  # (epoch, doc number) -> calls
        self.epoch = 0
        self._lock = threading.Lock()

    def __call__(self, request: dict[str, Any]) -> Behaviour:
        if "canary" in json.dumps(request.get("response_format") or {}):
            return ok({"canary": 7})
        found = MARK.search(json.dumps(request.get("messages"), ensure_ascii=False))
        n = int(found.group(1)) if found else -1
        with self._lock:
            self.calls[(self.epoch, n)] += 1
        answer = ok({"name": f"星河{n:04d}号科技", "name_en": None}, prompt_tokens=120, completion_tokens=12)
        return delay(self.seconds, answer) if self.seconds > 0 else answer

    def docs_called(self, epoch: int) -> Counter[int]:
        with self._lock:
            return Counter({n: c for (e, n), c in self.calls.items() if e == epoch})


class Service:
    """`extract serve` as a child process, restartable on the same port, database and cache."""

    def __init__(self, workdir: Path, base_url: str | None, concurrency: int, queue: int, model: str | None) -> None:
        self.workdir = workdir
        self.port = _free_port()
        self.log = workdir / "serve.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("EXTRACT_")}
        self.env.update(
            EXTRACT_CACHE_DIR=str(workdir / "cache"), EXTRACT_JOBS_DB=str(workdir / "jobs.sqlite"),
            EXTRACT_CONFIG=str(workdir / "none.toml"),
        )  # fmt: skip
        if base_url:
            self.env.update(EXTRACT_BASE_URL=base_url, EXTRACT_API_KEY="sk-bench", EXTRACT_MODEL="scripted")
        elif model:
            self.env["EXTRACT_MODEL"] = model
        self.args = ["--port", str(self.port), "--concurrency", str(concurrency), "--queue", str(queue)]
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def host(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def start(self, timeout: float = 600.0, ready: bool = False) -> float:
        started = time.perf_counter()
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "extract", "serve", *self.args],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir,
            )  # fmt: skip
        path = "/readyz" if ready else "/healthz"
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"the service exited ({self.proc.returncode}); see {self.log}")
            try:
                if request(self.host, "GET", path)[0] == 200:
                    return time.perf_counter() - started
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"the service did not answer {path} within {timeout} s; see {self.log}")
            time.sleep(0.05)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(
    host: tuple[str, int], method: str, path: str, body: Any = None, conn: http.client.HTTPConnection | None = None
) -> tuple[int, Any]:
    own = conn is None
    conn = conn or http.client.HTTPConnection(*host, timeout=600)
    try:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        conn.request(method, path, body=data, headers={"Content-Type": "application/json"} if data else {})
        resp = conn.getresponse()
        raw = resp.read()
        return resp.status, json.loads(raw) if raw[:1] in (b"{", b"[") else raw
    finally:
        if own:
            conn.close()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


# --------------------------------------------------------------------------- 1: requests


def run_requests(svc: Service, args: argparse.Namespace, deadline: float) -> dict[str, Any]:
    hot = list(range(args.hot))  # documents answered from the cache in the timed run
    for n in hot:  # warm the cache (not timed)
        code, body = request(svc.host, "POST", "/v1/extract", {"text": document(n), "schema": "earnings_report"})
        if code != 200:
            raise SystemExit(f"warm-up failed: HTTP {code} {body}")
    fresh = list(range(10_000, 10_000 + args.uncached))
    plan = [(n, True) for n in (hot * (args.requests // len(hot) + 1))[: args.requests]] + [(n, False) for n in fresh]
    random.Random(7).shuffle(plan)

    lock = threading.Lock()
    latencies: dict[bool, list[float]] = {True: [], False: []}
    statuses: Counter[int] = Counter()
    errors: list[str] = []
    wrong_cached = 0
    next_item = iter(plan)

    def client() -> None:
        nonlocal wrong_cached
        conn = http.client.HTTPConnection(*svc.host, timeout=600)
        try:
            while time.monotonic() < deadline:
                with lock:
                    item = next(next_item, None)
                if item is None:
                    return
                n, cached = item
                started = time.perf_counter()
                try:
                    body_in = {"text": document(n), "schema": "earnings_report"}
                    code, body = request(svc.host, "POST", "/v1/extract", body_in, conn)
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    conn = http.client.HTTPConnection(*svc.host, timeout=600)
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                took = time.perf_counter() - started
                with lock:
                    statuses[code] += 1
                    if code != 200:
                        errors.append(f"HTTP {code}: {str(body)[:200]}")
                        continue
                    latencies[cached].append(took)
                    wrong_cached += int(body["meta"]["cached"] is not cached)
        finally:
            conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    every = latencies[True] + latencies[False]
    sent = sum(statuses.values()) + sum(1 for e in errors if not e.startswith("HTTP"))
    return {
        "requests": len(plan),
        "sent": sent,
        "cached_requests": args.requests,
        "uncached_requests": args.uncached,
        "concurrency": args.concurrency,
        "seconds": round(wall, 3),
        "throughput_rps": round(len(every) / wall, 1),
        "p50_ms": round(percentile(every, 0.50) * 1000, 1),
        "p99_ms": round(percentile(every, 0.99) * 1000, 1),
        "cached_p50_ms": round(percentile(latencies[True], 0.50) * 1000, 1),
        "cached_p99_ms": round(percentile(latencies[True], 0.99) * 1000, 1),
        "uncached_p50_ms": round(percentile(latencies[False], 0.50) * 1000, 1),
        "uncached_p99_ms": round(percentile(latencies[False], 0.99) * 1000, 1),
        "mean_ms": round(statistics.fmean(every) * 1000, 1) if every else None,
        "statuses": dict(statuses),
        "errors": len(errors) + (len(plan) - sent),
        "error_samples": errors[:5],
        "wrong_cached_flag": wrong_cached,
    }


# --------------------------------------------------------------------------- 2: jobs


def submit_job(svc: Service, numbers: list[int]) -> dict[str, Any]:
    code, job = request(svc.host, "POST", "/v1/jobs", {"documents": [{"id": f"doc-{n}", "text": document(n)} for n in numbers]})
    if code != 202:
        raise SystemExit(f"job refused: HTTP {code} {job}")
    return job  # type: ignore[no-any-return]


def wait_jobs(svc: Service, job_ids: list[str], deadline: float) -> dict[str, Any]:
    results: dict[str, Any] = {}
    while time.monotonic() < deadline:
        for job_id in job_ids:
            if job_id in results:
                continue
            try:
                code, job = request(svc.host, "GET", f"/v1/jobs/{job_id}")
            except OSError:
                continue
            if code == 200 and job["status"] == "done":
                results[job_id] = job
        if len(results) == len(job_ids):
            break
        time.sleep(0.05)
    return results


def lost_documents(job: dict[str, Any] | None, numbers: list[int]) -> int:
    """Documents of a job that are missing, duplicated, unfinished or failed."""
    if job is None:
        return len(numbers)
    seen = Counter(d["id"] for d in job["documents"] if d["status"] == "ok")
    return sum(1 for n in numbers if seen[f"doc-{n}"] != 1) + sum(c - 1 for c in seen.values() if c > 1)


def run_jobs(svc: Service, args: argparse.Namespace, deadline: float) -> dict[str, Any]:
    planned = {}
    started = time.perf_counter()
    for j in range(args.jobs):
        numbers = list(range(20_000 + j * args.job_docs, 20_000 + (j + 1) * args.job_docs))
        planned[submit_job(svc, numbers)["id"]] = numbers
    done = wait_jobs(svc, list(planned), deadline)
    wall = time.perf_counter() - started
    lost_jobs = sum(1 for job_id, numbers in planned.items() if lost_documents(done.get(job_id), numbers))
    docs = args.jobs * args.job_docs
    return {
        "jobs": args.jobs,
        "documents": docs,
        "seconds": round(wall, 3),
        "documents_per_s": round(docs / wall, 1),
        "lost_jobs": lost_jobs,
        "lost_documents": sum(lost_documents(done.get(i), n) for i, n in planned.items()),
        "failed_documents": sum(job["failed"] for job in done.values()),
    }


# --------------------------------------------------------------------------- 3: kill mid-job


def run_kill(svc: Service, model: Model, args: argparse.Namespace, deadline: float) -> dict[str, Any]:
    numbers = list(range(30_000, 30_000 + args.kill_docs))
    job = submit_job(svc, numbers)
    while time.monotonic() < deadline:
        code, progress = request(svc.host, "GET", f"/v1/jobs/{job['id']}?limit=0")
        if code == 200 and progress["done"] >= len(numbers) // 3:
            break
        time.sleep(0.02)
    svc.kill()
    with sqlite3.connect(f"file:{svc.workdir / 'jobs.sqlite'}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT doc_id, status, attempts FROM documents WHERE job_id = ?", (job["id"],)).fetchall()
    done_before = {int(doc_id.split("-")[1]) for doc_id, status, _ in rows if status != "pending"}
    in_flight = {int(doc_id.split("-")[1]) for doc_id, status, attempts in rows if status == "pending" and attempts > 0}
    model.epoch = 1
    restart_seconds = svc.start()
    finished = wait_jobs(svc, [job["id"]], deadline).get(job["id"])
    after = model.docs_called(1)
    redone = sorted(n for n in done_before if after[n])
    attempts = {d["id"]: d["attempts"] for d in finished["documents"]} if finished else {}
    return {
        "documents": len(numbers),
        "done_before_kill": len(done_before),
        "in_flight_at_kill": len(in_flight),
        "restart_seconds": round(restart_seconds, 2),
        "completed_after_restart": bool(finished),
        "ok_after_restart": finished["ok"] if finished else 0,
        "lost_documents": lost_documents(finished, numbers),
        "done_twice": len(redone),
        "redone_in_flight": sum(1 for n in in_flight if after[n]),
        "max_attempts": max(attempts.values(), default=0),
    }


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=500, help="cached /v1/extract requests")
    parser.add_argument("--uncached", type=int, default=20, help="requests with fresh documents")
    parser.add_argument("--hot", type=int, default=16, help="distinct cached documents")
    parser.add_argument("--concurrency", type=int, default=16, help="clients at once")
    parser.add_argument("--service-concurrency", type=int, default=4, help="extractions at once in the service")
    parser.add_argument("--queue", type=int, default=64, help="the service's queue")
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--job-docs", type=int, default=50)
    parser.add_argument("--kill-docs", type=int, default=60)
    parser.add_argument("--model-ms", type=float, default=50.0, help="scripted model latency per call")
    parser.add_argument("--max-seconds", type=float, default=600.0, help="give up after this long")
    parser.add_argument("--embedded", action="store_true", help="use the embedded llama.cpp model instead")
    parser.add_argument("--model", default="qwen2.5-coder-0.5b", help="embedded model (with --embedded)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if args.embedded and "--requests" not in sys.argv:  # a real model: keep it to minutes
        args.requests, args.uncached, args.hot, args.concurrency = 50, 4, 4, 4
        args.service_concurrency, args.jobs, args.job_docs, args.kill_docs = 1, 1, 6, 9
    deadline = time.monotonic() + args.max_seconds

    model = Model(args.model_ms / 1000.0)
    with tempfile.TemporaryDirectory(prefix="extract-bench-") as tmp, ScriptedServer(default=model) as scripted:
        workdir = Path(tmp)
        base_url = None if args.embedded else scripted.base_url
        svc = Service(workdir, base_url, args.service_concurrency, args.queue, args.model if args.embedded else None)
        try:
            startup = svc.start(ready=args.embedded)
            figures: dict[str, Any] = {
                "endpoint": f"embedded {args.model}" if args.embedded else f"scripted ({args.model_ms:g} ms a call)",
                "service_concurrency": args.service_concurrency,
                "startup_seconds": round(startup, 2),
                "requests": run_requests(svc, args, deadline),
                "jobs": run_jobs(svc, args, deadline),
                "kill": run_kill(svc, model, args, deadline),
            }
        finally:
            svc.stop()
    print(report(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if passed(figures) else 1


def passed(f: dict[str, Any]) -> bool:
    r, j, k = f["requests"], f["jobs"], f["kill"]
    return (
        r["errors"] == 0 and r["wrong_cached_flag"] == 0 and j["lost_jobs"] == 0 and j["lost_documents"] == 0
        and k["completed_after_restart"] and k["lost_documents"] == 0 and k["done_twice"] == 0
    )  # fmt: skip


def report(f: dict[str, Any]) -> str:
    r, j, k = f["requests"], f["jobs"], f["kill"]
    line: Callable[..., str] = "{:<34}{}".format
    return "\n".join(
        [
            f"extract serve load test: model endpoint {f['endpoint']}, service concurrency {f['service_concurrency']}",
            line("startup (to /healthz)", f"{f['startup_seconds']} s"),
            f"-- /v1/extract: {r['cached_requests']} cached + {r['uncached_requests']} uncached"
            f" at concurrency {r['concurrency']}",
            line("throughput", f"{r['throughput_rps']} requests/s ({r['requests']} in {r['seconds']} s)"),
            line("latency p50 / p99 (all)", f"{r['p50_ms']} / {r['p99_ms']} ms"),
            line("latency p50 / p99 (cached)", f"{r['cached_p50_ms']} / {r['cached_p99_ms']} ms"),
            line("latency p50 / p99 (uncached)", f"{r['uncached_p50_ms']} / {r['uncached_p99_ms']} ms"),
            line("statuses", json.dumps(r["statuses"])),
            line("errors (must be 0)", f"{r['errors']} {r['error_samples'] or ''}".strip()),
            line("wrong cached flag (must be 0)", r["wrong_cached_flag"]),
            f"-- jobs: {j['jobs']} x {j['documents'] // max(j['jobs'], 1)} documents at once",
            line("all done in", f"{j['seconds']} s ({j['documents_per_s']} documents/s)"),
            line("lost jobs (must be 0)", j["lost_jobs"]),
            line("lost documents (must be 0)", j["lost_documents"]),
            line("failed documents", j["failed_documents"]),
            f"-- SIGKILL mid-job: {k['documents']} documents, killed after {k['done_before_kill']} were done",
            line("in flight at the kill", f"{k['in_flight_at_kill']} (run again after the restart: {k['redone_in_flight']})"),
            line("restart to /healthz", f"{k['restart_seconds']} s"),
            line("job completed after restart", f"{k['completed_after_restart']} ({k['ok_after_restart']} ok)"),
            line("lost documents (must be 0)", k["lost_documents"]),
            line("done twice (must be 0)", k["done_twice"]),
            "PASS" if passed(f) else "FAIL",
        ]
    )


if __name__ == "__main__":
    raise SystemExit(main())
