"""Reliability, interrupted batches: SIGINT and SIGKILL in the middle of `extract batch` (a real
process) leave whole JSON lines and a usable cache, and the next run resumes and completes.
After SIGINT the exit code is 130, the summary line is printed, the process does not wait out
slow in-flight requests, and no embedded llama.cpp server survives it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import diskcache
import pytest

from extract import weights
from extract.cache import ResultCache
from tests import procs
from tests.conftest import wants_canary
from tests.reliability_support import (
    NAMES,
    PerDocument,
    cli,
    cli_env,
    cli_popen,
    earnings_docs,
    fast_config,
    header_answer,
    read_lines,
    summary,
    write_docs,
)
from tests.scripted_server import ScriptedServer, delay

N = 24


def _slow(seconds: float):
    def answer(request: dict[str, Any]):
        behaviour = header_answer(request)
        return behaviour if wants_canary(request) else delay(seconds, behaviour)

    return answer


def _wait_for_lines(path: Path, n: int, proc: subprocess.Popen[str], limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"batch ended before it could be interrupted: {proc.communicate()[1][-2000:]}")
        if path.exists() and path.read_bytes().count(b"\n") >= n:
            return
        time.sleep(0.05)
    raise AssertionError(f"no {n} lines in {path} within {limit} s")


def _assert_cache_usable(directory: Path) -> int:
    """The diskcache database passes its own consistency check and every entry reads back."""
    with diskcache.Cache(str(directory)) as raw:
        assert raw.check(fix=False) == []
        keys = list(raw.iterkeys())
    cache = ResultCache(directory)
    try:
        assert all(cache.get(k) is not None for k in keys)
    finally:
        cache.close()
    return len(keys)


def _interrupt_then_resume(tmp_path: Path, sig: signal.Signals) -> dict[str, Any]:
    docs = earnings_docs(N)
    name_of = {doc_id: NAMES[i] for i, doc_id in enumerate(docs)}
    folder = write_docs(tmp_path / "docs", docs)
    out = tmp_path / "results.jsonl"
    counter = PerDocument(_slow(0.25))
    with ScriptedServer(default=counter) as srv:
        env = cli_env(srv.base_url, tmp_path, EXTRACT_CONFIG=str(fast_config(tmp_path / "fast.toml", concurrency=2)))
        proc = cli_popen(["batch", str(folder), "--out", str(out)], env, tmp_path)
        _wait_for_lines(out, 4, proc)
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=30)

        records = read_lines(out)  # whole JSON lines only
        ids = [r["id"] for r in records]
        assert len(ids) == len(set(ids)) and 4 <= len(ids) < N  # interrupted mid-run, nothing twice
        done = {r["id"] for r in records if r["ok"]}
        for record in records:
            assert record["ok"], record  # nothing failed here: an interruption is not a failure record
            assert record["result"]["metrics"][0]["value"] == docs[record["id"]][1]
        cached_entries = _assert_cache_usable(tmp_path / "cache")
        assert cached_entries >= len(done)  # what was written to --out is in the cache too

        before, _ = counter.snapshot()
        again = cli(["batch", str(folder), "--out", str(out)], env, tmp_path)
        after, _ = counter.snapshot()
    assert again.returncode == 0, again.stderr
    final = read_lines(out)
    assert sorted(r["id"] for r in final) == sorted(docs) and all(r["ok"] for r in final)
    assert summary(again.stderr)["skipped"] == len(done)
    assert all(after[name_of[d]] == before[name_of[d]] for d in done)  # finished documents never resent
    _assert_cache_usable(tmp_path / "cache")
    return {"returncode": proc.returncode, "stderr": stderr, "done_before": len(done), "cached_entries": cached_entries}


def test_sigint_mid_batch_exits_130_with_summary_and_resumes(tmp_path: Path) -> None:
    result = _interrupt_then_resume(tmp_path, signal.SIGINT)
    assert result["returncode"] == 130, result["stderr"]
    s = summary(result["stderr"])
    assert s["total"] == N and s["ok"] == result["done_before"] and s["failed"] == 0
    assert "Traceback" not in result["stderr"]


def test_sigkill_mid_batch_leaves_whole_lines_and_a_usable_cache(tmp_path: Path) -> None:
    result = _interrupt_then_resume(tmp_path, signal.SIGKILL)
    assert result["returncode"] == -signal.SIGKILL


def test_a_torn_last_line_from_a_killed_writer_is_ignored_and_redone(tmp_path: Path) -> None:
    docs = earnings_docs(6)
    folder = write_docs(tmp_path / "docs", docs)
    out = tmp_path / "results.jsonl"
    with ScriptedServer(default=header_answer) as srv:
        env = cli_env(srv.base_url, tmp_path, EXTRACT_CONFIG=str(fast_config(tmp_path / "fast.toml")))
        assert cli(["batch", str(folder), "--out", str(out)], env, tmp_path).returncode == 0
        lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
        # As if killed while writing the last record: half a line, no newline.
        out.write_text("".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2], encoding="utf-8")
        torn_id = sorted(docs)[-1]
        again = cli(["batch", str(folder), "--out", str(out)], env, tmp_path)
    assert again.returncode == 0, again.stderr
    assert summary(again.stderr)["skipped"] == 5  # the torn record does not count as done
    records = read_lines(out)
    assert sorted(r["id"] for r in records) == sorted(docs) and all(r["ok"] for r in records)
    assert any(r["id"] == torn_id for r in records)


def test_sigint_does_not_wait_out_slow_in_flight_requests(tmp_path: Path) -> None:
    # Found by this suite: ThreadPoolExecutor joins its workers at exit, so Ctrl-C waited
    # for every in-flight request (up to `timeout`: minutes with a local model).
    docs = earnings_docs(4)
    folder = write_docs(tmp_path / "docs", docs)
    out = tmp_path / "results.jsonl"
    in_flight = 2
    with ScriptedServer(default=_slow(90.0)) as srv:
        env = cli_env(
            srv.base_url, tmp_path, EXTRACT_CONFIG=str(fast_config(tmp_path / "fast.toml", timeout=120.0, concurrency=in_flight))
        )
        proc = cli_popen(["batch", str(folder), "--out", str(out)], env, tmp_path)
        deadline = time.monotonic() + 60
        while sum(1 for r in srv.requests if not wants_canary(r)) < in_flight and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        try:
            _, stderr = proc.communicate(timeout=30)  # the requests would answer after 90 s
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise AssertionError("SIGINT waited for the in-flight requests") from None
    assert proc.returncode == 130, stderr
    assert summary(stderr) == {"total": 4, "ok": 0, "cached": 0, "failed": 0, "skipped": 0}
    assert read_lines(out) == []  # nothing finished, nothing invented as finished or failed


SMALL = "qwen2.5-coder-0.5b"


@pytest.mark.model
@pytest.mark.skipif(not weights.local_path(SMALL).is_file(), reason="run `extract model pull qwen2.5-coder-0.5b` first")
def test_sigint_leaves_no_embedded_server_behind(tmp_path: Path) -> None:
    docs = {
        f"t{i}": f"{NAMES[i]}(纳斯达克:TK{i:02d})公布2024年第一季度财报。营业收入为{i + 2}.5亿元人民币，同比增长{i + 3}%。"
        for i in range(6)
    }
    folder = tmp_path / "docs"
    folder.mkdir()
    for doc_id, text in docs.items():
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    marker = procs.new_marker()
    env = cli_env(None, tmp_path, EXTRACT_MODEL=SMALL, EXTRACT_CONCURRENCY="1", **{procs.MARKER_VAR: marker})
    out = tmp_path / "results.jsonl"
    proc = cli_popen(["batch", str(folder), "--out", str(out)], env, tmp_path)
    try:
        _wait_for_lines(out, 1, proc, limit=600)  # the server is up and has answered once
        servers = procs.servers(marker)
        assert len(servers) == 1
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, stderr
    assert summary(stderr)["total"] == len(docs)
    deadline = time.monotonic() + 10
    while procs.servers(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = procs.servers(marker)
    for pid in left:  # clean up what this test started before failing
        os.kill(pid, signal.SIGKILL)
    assert not left, "the embedded server outlived the interrupted CLI"
    assert all(r["ok"] for r in read_lines(out))
