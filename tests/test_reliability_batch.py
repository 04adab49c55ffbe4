"""Reliability, a large batch against a flaky endpoint: 100 documents through the real CLI
(`python -m extract batch`, a real process) against a scripted OpenAI-compatible server that
fails ~30% of requests at random (429, 500, 503, connection reset).

Every document ends `ok` with its figure or recorded with its reason; none is dropped; a rerun
sends requests only for the failed documents (counted on the server, per document).
"""

from __future__ import annotations

import time
from pathlib import Path

from tests.reliability_support import (
    NAMES,
    PerDocument,
    assert_nothing_invented,
    cli,
    cli_env,
    earnings_docs,
    fast_config,
    header_answer,
    read_lines,
    summary,
    write_docs,
)
from tests.scripted_server import ScriptedServer, flaky

N = 100
FAILURE_RATE = 0.3
MAX_RUNS = 8  # at 2 attempts a document fails with p = 0.09; eight runs leave ~1e-8 undone


def test_hundred_documents_against_a_flaky_endpoint_lose_nothing_and_resume_only_failures(tmp_path: Path) -> None:
    docs = earnings_docs(N)
    folder = write_docs(tmp_path / "docs", docs)
    name_of = {doc_id: NAMES[i] for i, doc_id in enumerate(docs)}
    config = fast_config(tmp_path / "fast.toml", transport_attempts=2, concurrency=4)
    out = tmp_path / "results.jsonl"
    counter = PerDocument(flaky(header_answer, FAILURE_RATE, seed=2024))

    figures = []
    ok_before: set[str] = set()
    with ScriptedServer(default=counter) as srv:
        for run in range(1, MAX_RUNS + 1):
            before_requests, before_failures = counter.snapshot()
            # A fresh cache every run: a document skipped on a rerun is skipped by resume,
            # not served from the cache.
            env = cli_env(srv.base_url, tmp_path, EXTRACT_CONFIG=str(config), EXTRACT_CACHE_DIR=str(tmp_path / f"cache{run}"))
            started = time.monotonic()
            proc = cli(["batch", str(folder), "--out", str(out)], env, tmp_path)
            seconds = time.monotonic() - started
            assert "Traceback" not in proc.stderr, proc.stderr
            requests, failures = counter.snapshot()
            sent = requests - before_requests
            injected = failures - before_failures

            records = read_lines(out)
            by_id = {r["id"]: r for r in records}
            assert len(records) == N and set(by_id) == set(docs)  # compacted, nothing dropped
            for doc_id, record in by_id.items():
                text, revenue, period = docs[doc_id]
                if record["ok"]:
                    metrics = record["result"]["metrics"]
                    assert [(m["metric"], m["period"], m["value"]) for m in metrics] == [("revenue", period, revenue)]
                    assert record["result"]["company"]["name"] == name_of[doc_id]
                    assert_nothing_invented(record["result"], text)
                else:
                    assert record["reason"] == "transport" and "after 2 attempt(s)" in record["error"], record

            # Documents already ok before this run were never sent again (resume, not cache).
            assert all(sent[name_of[d]] == 0 for d in ok_before), {d: sent[name_of[d]] for d in ok_before if sent[name_of[d]]}
            todo = set(docs) - ok_before
            assert all(sent[name_of[d]] <= 2 for d in todo)  # at most `transport_attempts` each
            assert sent["?"] == 0

            now_ok = {d for d, r in by_id.items() if r["ok"]}
            assert ok_before <= now_ok  # a success is never lost
            failed = todo - now_ok
            s = summary(proc.stderr)
            assert (s["total"], s["skipped"], s["ok"], s["failed"]) == (N, len(ok_before), len(now_ok - ok_before), len(failed))
            assert proc.returncode == (1 if failed else 0), proc.stderr
            figures.append(
                {
                    "run": run, "documents_sent": len(todo), "requests": sum(sent.values()),
                    "canary_requests": sent["canary"], "failures_injected": sum(injected.values()),
                    "ok": len(now_ok - ok_before), "failed": len(failed), "seconds": round(seconds, 2),
                }
            )  # fmt: skip
            ok_before = now_ok
            if not failed:
                break
    # With 30% faults and 2 attempts, p(no failure in run 1) ~ 1e-4: the resume path ran.
    assert figures[0]["failed"] > 0 and len(figures) >= 2
    assert ok_before == set(docs), f"still failing after {MAX_RUNS} runs"
    print("\nbatch figures:", *figures, sep="\n  ")


def test_an_unexpected_error_on_one_document_is_recorded_and_the_batch_goes_on(tmp_path: Path, make_settings, monkeypatch) -> None:
    """A bug met on one odd document (simulated: a strategy raising IndexError on it) is that
    document's failure with reason internal_error, not the end of an unattended batch."""
    import extract.extractor as extractor_module
    from extract import Extractor
    from extract.batch import run_batch

    real = extractor_module.get_strategy

    def buggy(name: str):
        run = real(name)

        def strategy(client, info, text):
            if "华帆" in text:
                raise IndexError("list index out of range")
            return run(client, info, text)

        return strategy

    monkeypatch.setattr(extractor_module, "get_strategy", buggy)
    docs = earnings_docs(12)
    folder = write_docs(tmp_path / "docs", docs)
    buggy_id = next(i for i, (text, _, _) in docs.items() if "华帆" in text)
    out = tmp_path / "out.jsonl"
    with ScriptedServer(default=header_answer) as srv, Extractor(settings=make_settings(srv, concurrency=3)) as ex:
        summary_ = run_batch(ex, [folder], out=out, out_dir=None, show_progress=False)
    records = {r["id"]: r for r in read_lines(out)}
    assert set(records) == set(docs) and summary_.failed == 1 and summary_.ok == len(docs) - 1
    assert records[buggy_id]["reason"] == "internal_error"
    assert records[buggy_id]["error"] == "internal error: IndexError: list index out of range"
