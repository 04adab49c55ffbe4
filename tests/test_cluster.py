"""`extract batch --ray` on a real local Ray instance (one for this module: 2 CPUs, no dashboard):
two workers against two scripted OpenAI-compatible servers on 127.0.0.1.

The same output as the local batch; a worker process SIGKILLed mid-batch loses nothing and
writes nothing twice; Ctrl-C leaves whole lines and the next run resumes; an endpoint that fails
every request has its documents recorded with their reason while the other's are ok; a Ray run
reads the cache a local run wrote (the per-node cache decision, extract/cluster.py).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import ray

from extract import Extractor, weights
from extract.batch import run_batch, run_records
from extract.cluster import EndpointSpec, RayRunner, endpoint_specs, plan_workers, run_cluster_batch
from extract.config import Settings
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
from tests.scripted_server import ScriptedServer, delay, status

MARKER = procs.new_marker()


@pytest.fixture(scope="module", autouse=True)
def ray_instance() -> Iterator[None]:
    os.environ[procs.MARKER_VAR] = MARKER  # inherited by Ray's processes: tells our workers apart
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.WARNING)
    try:
        yield
    finally:
        ray.shutdown()
        os.environ.pop(procs.MARKER_VAR, None)


def _slow(seconds: float) -> Any:
    def answer(request: dict[str, Any]) -> Any:
        behaviour = header_answer(request)
        return behaviour if wants_canary(request) else delay(seconds, behaviour)

    return answer


def _settings(cache: Path, base_url: str | None = None, **kw: Any) -> Settings:
    values: dict[str, Any] = dict(
        base_url=base_url, api_key="sk-test", model="scripted", cache_dir=cache, timeout=10.0,
        backoff_initial=0.01, backoff_max=0.05, transport_attempts=2, concurrency=2,
    )  # fmt: skip
    values.update(kw)
    return Settings(**values)


def _two(a: ScriptedServer, b: ScriptedServer, cap: int = 2) -> list[EndpointSpec]:
    return [EndpointSpec(a.base_url, cap), EndpointSpec(b.base_url, cap)]


def _without_timing(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in records:
        r = json.loads(json.dumps(r))
        if "meta" in r:
            r["meta"].pop("seconds")
        out.append(r)
    return out


def _served(counter: PerDocument, docs: dict[str, Any]) -> set[str]:
    requests, _ = counter.snapshot()
    return {doc_id for i, doc_id in enumerate(docs) if requests[NAMES[i]]}


def _wait_until_no_workers(limit: float = 30) -> set[int]:
    deadline = time.monotonic() + limit
    while (left := procs.ray_workers(MARKER)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def test_two_workers_on_two_endpoints_write_what_the_local_batch_writes(tmp_path: Path) -> None:
    docs = earnings_docs(16)
    folder = write_docs(tmp_path / "docs", docs)
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")  # unreadable: recorded by the driver, as locally
    a, b = PerDocument(_slow(0.05)), PerDocument(_slow(0.05))
    with ScriptedServer(default=a) as srv_a, ScriptedServer(default=b) as srv_b:
        with Extractor(settings=_settings(tmp_path / "cache-local", srv_a.base_url)) as ex:
            local = run_batch(ex, [folder], out=tmp_path / "local.jsonl", out_dir=tmp_path / "local", show_progress=False)
        served_by_a = _served(a, docs)
        remote = run_cluster_batch(
            _settings(tmp_path / "cache-ray"), [folder], endpoints=_two(srv_a, srv_b),
            out=tmp_path / "ray.jsonl", out_dir=tmp_path / "ray", show_progress=False,
        )  # fmt: skip
    assert served_by_a == set(docs)
    assert _served(b, docs) and _served(a, docs) - served_by_a == set()  # B served some in the Ray run
    assert (local.total, local.ok, local.failed) == (remote.total, remote.ok, remote.failed) == (17, 16, 1)
    local_lines, ray_lines = read_lines(tmp_path / "local.jsonl"), read_lines(tmp_path / "ray.jsonl")
    assert [r["id"] for r in ray_lines] == [r["id"] for r in local_lines]  # compacted in input order
    assert _without_timing(ray_lines) == _without_timing(local_lines)
    assert [r["result"]["metrics"][0]["value"] for r in ray_lines if r["ok"]] == [v for _, v, _ in docs.values()]
    reports = sorted(p.name for p in (tmp_path / "ray").iterdir())
    assert reports == sorted(p.name for p in (tmp_path / "local").iterdir()) and len(reports) == 16
    for name in reports:
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
    assert _wait_until_no_workers() == set()


def test_a_ray_run_reads_the_cache_a_local_run_wrote(tmp_path: Path) -> None:
    """The cache decision: per node, same keys. A worker on this node opens the cache folder a
    local run used, so the same endpoint's answers are hits and the reports are the same."""
    docs = earnings_docs(8)
    folder = write_docs(tmp_path / "docs", docs)
    counter = PerDocument(header_answer)
    cache = tmp_path / "cache"
    with ScriptedServer(default=counter) as srv:
        with Extractor(settings=_settings(cache, srv.base_url)) as ex:
            run_batch(ex, [folder], out=tmp_path / "local.jsonl", out_dir=None, show_progress=False)
        before, _ = counter.snapshot()
        summary = run_cluster_batch(
            _settings(cache), [folder], endpoints=[EndpointSpec(srv.base_url, 2)], workers=2,
            out=tmp_path / "ray.jsonl", out_dir=None, show_progress=False,
        )  # fmt: skip
        after, _ = counter.snapshot()
    assert (summary.ok, summary.cached) == (8, 8)
    assert all(after[NAMES[i]] == before[NAMES[i]] for i in range(8))  # no document reached the model
    local, remote = read_lines(tmp_path / "local.jsonl"), read_lines(tmp_path / "ray.jsonl")
    assert [r["result"] for r in remote] == [r["result"] for r in local]
    assert all(r["cached"] for r in remote) and not any(r["cached"] for r in local)


def test_a_worker_killed_mid_batch_loses_nothing_and_writes_nothing_twice(tmp_path: Path) -> None:
    docs = earnings_docs(20)
    folder = write_docs(tmp_path / "docs", docs)
    a, b = PerDocument(_slow(0.3)), PerDocument(_slow(0.3))
    emitted: list[str] = []
    killed: list[tuple[int, int]] = []  # (pid, documents it had in flight)
    with ScriptedServer(default=a) as srv_a, ScriptedServer(default=b) as srv_b:
        runner = RayRunner(_settings(tmp_path / "cache"), plan_workers(_two(srv_a, srv_b), None))

        def on_record(record: dict[str, Any]) -> None:
            emitted.append(record["id"])
            if len(emitted) == 4:
                pids = runner.worker_pids()
                assert set(pids) <= procs.ray_workers(MARKER)  # the scan that later finds none left finds these
                killed.append((pids[0], runner.workers[0].load))
                os.kill(pids[0], signal.SIGKILL)

        try:
            summary = run_records(runner, [folder], out=tmp_path / "out.jsonl", out_dir=None, show_progress=False, on_record=on_record)
            lost = dict(runner.losses)
            pids_after = runner.worker_pids()
        finally:
            runner.close()
    pid, in_flight = killed[0]
    assert in_flight >= 1 and sum(lost.values()) >= 1  # it died with documents, which were retried
    assert pid not in pids_after and len(pids_after) == 2  # Ray restarted it: a fresh process
    assert sorted(emitted) == sorted(docs)  # every document written once (the lines before compaction)
    assert (summary.ok, summary.failed) == (20, 0)
    records = read_lines(tmp_path / "out.jsonl")
    assert sorted(r["id"] for r in records) == sorted(docs)
    for r in records:
        assert r["ok"] and r["result"]["metrics"][0]["value"] == docs[r["id"]][1]


def test_ctrl_c_leaves_whole_lines_and_the_next_run_resumes(tmp_path: Path) -> None:
    docs = earnings_docs(20)
    folder = write_docs(tmp_path / "docs", docs)
    out = tmp_path / "out.jsonl"
    a, b = PerDocument(_slow(0.3)), PerDocument(_slow(0.3))
    seen: list[str] = []

    def interrupt(record: dict[str, Any]) -> None:
        seen.append(record["id"])
        if len(seen) == 5:
            signal.raise_signal(signal.SIGINT)  # a real SIGINT to this (the driver's) main thread

    with ScriptedServer(default=a) as srv_a, ScriptedServer(default=b) as srv_b:
        settings, endpoints = _settings(tmp_path / "cache"), _two(srv_a, srv_b)
        first = run_cluster_batch(settings, [folder], endpoints=endpoints, out=out, out_dir=None, show_progress=False, on_record=interrupt)
        records = read_lines(out)  # whole lines only
        assert first.interrupted and first.ok == len(records) == 5 and all(r["ok"] for r in records)
        assert _wait_until_no_workers() == set()  # the workers were stopped with the driver
        done = {r["id"] for r in records}
        before = (a.snapshot()[0], b.snapshot()[0])
        again = run_cluster_batch(settings, [folder], endpoints=endpoints, out=out, out_dir=None, show_progress=False)
        after = (a.snapshot()[0], b.snapshot()[0])
    assert not again.interrupted and (again.skipped, again.ok, again.failed) == (5, 15, 0)
    for i, doc_id in enumerate(docs):  # documents done before were not sent again
        if doc_id in done:
            assert all(x[NAMES[i]] == y[NAMES[i]] for x, y in zip(before, after, strict=True))
    final = read_lines(out)
    assert sorted(r["id"] for r in final) == sorted(docs) and all(r["ok"] for r in final)


def test_an_endpoint_failing_every_request_has_its_documents_recorded_with_the_reason(tmp_path: Path) -> None:
    docs = earnings_docs(16)
    folder = write_docs(tmp_path / "docs", docs)
    good = PerDocument(_slow(0.05))
    with ScriptedServer(default=good) as srv_a, ScriptedServer(default=status(500)) as srv_b:
        summary = run_cluster_batch(
            _settings(tmp_path / "cache"), [folder], endpoints=_two(srv_a, srv_b), out=tmp_path / "out.jsonl",
            out_dir=None, show_progress=False,
        )  # fmt: skip
        broken_requests = len(srv_b.requests)
    records = {r["id"]: r for r in read_lines(tmp_path / "out.jsonl")}
    ok = {d for d, r in records.items() if r["ok"]}
    failed = set(records) - ok
    assert set(records) == set(docs) and ok and failed and broken_requests > 0
    assert ok == _served(good, docs)  # the good endpoint's documents are ok ...
    for doc_id in failed:  # ... the broken one's are recorded with their reason
        assert records[doc_id]["reason"] == "transport", records[doc_id]
        assert "after 2 attempt(s)" in records[doc_id]["error"] and "500" in records[doc_id]["error"]
    for doc_id in ok:
        assert records[doc_id]["result"]["metrics"][0]["value"] == docs[doc_id][1]
    assert (summary.ok, summary.failed) == (len(ok), len(failed))


def test_the_cli_joins_a_cluster_and_ctrl_c_exits_130_with_whole_lines_then_resumes(tmp_path: Path) -> None:
    """`extract batch --ray --ray-address ADDR` as a real process, joining this module's Ray
    instance: SIGINT mid-run gives exit 130, the summary line, whole lines and no workers left
    behind; the next run skips what was done and finishes the rest."""
    docs = earnings_docs(20)
    folder = write_docs(tmp_path / "docs", docs)
    out = tmp_path / "out.jsonl"
    address = ray.get_runtime_context().gcs_address
    with ScriptedServer(default=_slow(0.3)) as srv_a, ScriptedServer(default=_slow(0.3)) as srv_b:
        env = cli_env(None, tmp_path, EXTRACT_CONFIG=str(fast_config(tmp_path / "fast.toml")), EXTRACT_API_KEY="sk-test")
        args = ["batch", str(folder), "--out", str(out), "--ray", "--ray-address", address,
                "--base-url", srv_a.base_url, "--base-url", srv_b.base_url]  # fmt: skip
        proc = cli_popen(args, env, tmp_path)
        deadline = time.monotonic() + 120
        while not (out.exists() and out.read_bytes().count(b"\n") >= 3) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()[1][-2000:]
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 130, stderr
        assert "Traceback" not in stderr
        records = read_lines(out)
        s = summary(stderr)
        assert s["total"] == 20 and s["ok"] == len(records) and 3 <= len(records) < 20 and all(r["ok"] for r in records)
        assert _wait_until_no_workers() == set()
        again = cli(args, env, tmp_path)
    assert again.returncode == 0, again.stderr
    assert summary(again.stderr)["skipped"] == len(records)
    final = read_lines(out)
    assert sorted(r["id"] for r in final) == sorted(docs) and all(r["ok"] for r in final)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workers", "2"], "--workers need(s) --ray"),
        (["--base-url", "http://127.0.0.1:9/v1", "--base-url", "http://127.0.0.1:10/v1"], "a second --base-url need(s) --ray"),
        (["--ray", "--endpoints", "ENDPOINTS"], "ENDPOINTS:2: expected `URL` or `URL CONCURRENCY`"),
        (["--ray", "--base-url", "http://127.0.0.1:9/v1", "--base-url", "http://127.0.0.1:9/v1"], "is named twice"),
        (["--ray", "--base-url", "http://127.0.0.1:9/v1", "--base-url", "http://127.0.0.1:10/v1", "--workers", "1"],
         "--workers 1 leaves endpoints unused"),
    ],
)
def test_bad_cluster_options_are_one_line_errors(tmp_path: Path, args: list[str], message: str) -> None:
    endpoints = tmp_path / "endpoints.txt"
    endpoints.write_text("http://127.0.0.1:9/v1 4  # the first\nhttp://127.0.0.1:10/v1 four\n", encoding="utf-8")
    folder = write_docs(tmp_path / "docs", earnings_docs(2))
    args = [str(endpoints) if a == "ENDPOINTS" else a for a in args]
    proc = cli(["batch", str(folder), "--out", str(tmp_path / "out.jsonl"), *args], cli_env(None, tmp_path), tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1 and message.replace("ENDPOINTS", str(endpoints)) in proc.stderr


def test_workers_split_each_endpoint_cap_and_an_endpoints_file_reads(tmp_path: Path) -> None:
    listed = tmp_path / "endpoints.txt"
    listed.write_text("# two servers\nhttp://a:8000/v1 5\n\nhttp://b:8000/v1   # the default cap\n", encoding="utf-8")
    a, b = endpoint_specs([], listed, 2)
    assert (a, b) == (EndpointSpec("http://a:8000/v1", 5), EndpointSpec("http://b:8000/v1", 2))
    plans = plan_workers([a, b], 4)
    assert [(p.endpoint.base_url, p.concurrency) for p in plans] == [
        ("http://a:8000/v1", 3), ("http://b:8000/v1", 1), ("http://a:8000/v1", 2), ("http://b:8000/v1", 1),
    ]  # fmt: skip
    assert [p.concurrency for p in plan_workers([EndpointSpec(None, 2)], 3)] == [2, 2, 2]  # embedded: a model each


SMALL = "qwen2.5-coder-0.5b"


@pytest.mark.model
@pytest.mark.skipif(not weights.local_path(SMALL).is_file(), reason="run `extract model pull qwen2.5-coder-0.5b` first")
def test_with_no_endpoint_each_worker_starts_its_own_embedded_model_and_it_stops_with_the_worker(tmp_path: Path) -> None:
    docs = {f"t{i}": f"{NAMES[i]}(纳斯达克:TK{i:02d})公布2024年第一季度财报。营业收入为{i + 2}.5亿元人民币，同比增长{i + 3}%。" for i in range(3)}
    folder = tmp_path / "docs"
    folder.mkdir()
    for doc_id, text in docs.items():
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    seen_servers: list[set[int]] = []
    summary_ = run_cluster_batch(
        _settings(tmp_path / "cache", model=SMALL, api_key=None, timeout=600.0, transport_attempts=3),
        [folder], endpoints=[EndpointSpec(None, 1)], workers=1, out=tmp_path / "out.jsonl", out_dir=None,
        show_progress=False, on_record=lambda record: seen_servers.append(procs.servers(MARKER)),
    )  # fmt: skip
    assert (summary_.ok, summary_.failed) == (3, 0), summary_.failures
    assert all(len(s) == 1 for s in seen_servers)  # one worker, one llama.cpp server of its own
    for r in read_lines(tmp_path / "out.jsonl"):
        assert r["result"]["metrics"][0]["value"] == (int(r["id"][1]) + 2.5) * 100_000_000
    deadline = time.monotonic() + 30
    while procs.servers(MARKER) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not procs.servers(MARKER), "the embedded server outlived its Ray worker"


def test_workers_for_remote_endpoints_reserve_a_quarter_cpu_embedded_ones_a_whole_one() -> None:
    """Remote-endpoint workers mostly wait on HTTP: four fit on one CPU (the bench runs 4 on 2 cores)."""
    remote = plan_workers([EndpointSpec("http://a:8000/v1", 4)], 4)
    assert RayRunner(Settings(), remote).worker_cpus == 0.25  # the base settings name no URL: the plans do
    assert RayRunner(Settings(), plan_workers([EndpointSpec(None, 1)], 2)).worker_cpus == 1.0
    assert RayRunner(Settings(), remote, worker_cpus=2).worker_cpus == 2


def test_workers_that_no_node_can_hold_are_refused_not_left_pending(tmp_path: Path) -> None:
    folder = write_docs(tmp_path / "docs", earnings_docs(2))
    with pytest.raises(ValueError, match="each worker reserves 3 CPUs .* no Ray node has more than 2"):
        run_cluster_batch(
            _settings(tmp_path / "cache"), [folder], endpoints=[EndpointSpec("http://127.0.0.1:9/v1", 2)], worker_cpus=3,
            out=tmp_path / "out.jsonl", out_dir=None, show_progress=False,
        )  # fmt: skip
    assert read_lines(tmp_path / "out.jsonl") == []  # nothing recorded as failed for it
