"""Bounded work per document (issue 11): the work grows linearly with the text's length, counted
(characters the pipeline passes over, `deadline.metered`), never timed; and a document past its
deadline fails with reason "deadline" while its worker goes on with the rest, through the CLI
(`--deadline`, `EXTRACT_DEADLINE`) and the service (`Settings.deadline`)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract import deadline
from extract.config import Settings, load_settings
from extract.resolver import resolve
from extract.schema_api import RulesContext
from extract.schemas import get_schema
from extract.segmenting import MAX_SENTENCE, sentences
from extract.server import ServiceConfig, create_app
from tests.conftest import answering
from tests.scripted_server import Behaviour, ScriptedServer, delay
from tests.test_cli import DOC_A, DOC_B, DOC_C, _answer, _cli

# Pieces of the shapes that made the rules quadratic (issue 11): figures with no sentence end,
# runs of blanks (inside a figure too), brackets, bare numbers, English and Chinese run together.
PIECES = [
    "营业收入 ", "7,330万元 ", "净利润为1.2亿元，同比增长5% ", "Revenue was $1.2 billion, up 5% from $1.1 billion versus ",
    " " * 40, "\t \t ", "（(", ")）", "1,234,567, 12 345, 3.14、", "毛利率 35.2% ", "net income of US$3.1 million ",
    "第三季度Q3 2023 ", "收入为7" + " " * 30 + "330万元", "Nasdaq: ", "每股收益0.27美元 ",
]  # fmt: skip
UNITS = st.lists(st.sampled_from(PIECES), min_size=1, max_size=8).map("".join)


def _ask(prompt: str, variables: dict[str, Any], response_model: Any, *, max_tokens: int) -> Any:
    return response_model()  # the rules' one model question, answered "don't know": only the code's work is counted


def _work(text: str) -> int:
    """Characters the rules and the resolver pass over for `text` (see extract/deadline.py)."""
    info = get_schema(None)
    assert info.rules is not None
    context = RulesContext(options=info.resolve_options({}))
    with deadline.metered() as meter:
        resolve(info.rules(text, _ask, context), text, info.scoring)
    return meter[0]


def _repeat(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


@given(UNITS)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_work_grows_linearly_with_length(unit: str) -> None:
    """Four times the text is at most five times the work (quadratic work would be sixteen)."""
    small, large = _work(_repeat(unit, 1500)), _work(_repeat(unit, 6000))
    assert large <= 5 * small + 2000, (unit, small, large)


@given(st.lists(st.sampled_from([*PIECES, "。", "\n", ". The ", "！"]), max_size=400).map("".join))
@settings(max_examples=60, deadline=None)
def test_sentences_are_bounded_verbatim_and_in_order(text: str) -> None:
    """The rules' work per sentence is bounded because no sentence is longer than MAX_SENTENCE."""
    spans = sentences(text)
    for span in spans:
        assert span.end - span.start <= MAX_SENTENCE and text[span.start : span.end] == span.text
    for a, b in zip(spans, spans[1:], strict=False):
        assert a.end <= b.start


def test_a_long_sentence_is_cut_between_figures_not_inside_one() -> None:
    text = "营业收入7,330万元 " * 300  # 4,200 characters, no sentence end
    spans = sentences(text)
    assert len(spans) > 1 and all(s.end - s.start <= MAX_SENTENCE for s in spans)
    assert all(s.text.startswith("营业收入") for s in spans)  # cut at the blank between two figures


# A document built to be slow: a results table flattened to one line, no sentence ends, a figure
# every few characters (as a PDF text layer or a converted spreadsheet gives). Linear now, but
# minutes of rules at this length on a 2-core machine: far past a 10-second deadline, which
# ordinary documents (a few milliseconds of rules) meet with room to spare even on a loaded
# machine. A second kind of slow: a document whose model call takes 100 s (the scripted model
# delays any question about "Pinewood").
SLOW_UNIT = "营业收入 7,330万元 6,100万元 20.2% 净利润 1,200万元 900万元 33.3% 毛利率 35.2% 34.1% Revenue 1,234.5 1,100.2 12.2% "
SLOW_DOC = _repeat(SLOW_UNIT, 600_000)
DEADLINE = "10"


def test_stretch_multiplies_the_documents_deadline_from_its_start_and_ends_with_it() -> None:
    with deadline.limit(10):
        deadline.stretch(1)  # one part: unchanged
        left = deadline.remaining()
        assert left is not None and 9 < left <= 10
        deadline.stretch(3)
        left = deadline.remaining()
        assert left is not None and 29 < left <= 30
    assert deadline.remaining() is None  # the stretch ended with the document
    deadline.stretch(4)  # no deadline: nothing to stretch
    assert deadline.remaining() is None
    with deadline.limit(0.2):
        deadline.stretch(5)
        time.sleep(0.3)  # past the document's own 0.2 s, within its stretched 1 s
        deadline.check()
        time.sleep(max(0.0, deadline.remaining() or 0.0) + 0.01)
        with pytest.raises(deadline.DeadlineExceeded, match="within 1 s"):
            deadline.check()


def test_deadline_setting_from_flag_environment_and_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EXTRACT_CONFIG", str(tmp_path / "none.toml"))
    assert load_settings().deadline == Settings().deadline == 300.0
    monkeypatch.setenv("EXTRACT_DEADLINE", "7.5")
    assert load_settings().deadline == 7.5
    assert load_settings(deadline=2).deadline == 2.0  # the flag wins over the environment
    with pytest.raises(ValueError, match="deadline"):
        load_settings(deadline=-1)


def _slow_model(request: dict[str, Any]) -> Behaviour:
    """Questions about "Pinewood" take 100 s (under _cli's 120 s); everything else is answered at once."""
    answer = answering(_answer)(request)
    return delay(100, answer) if "Pinewood" in json.dumps(request, ensure_ascii=False) else answer


def test_batch_fails_the_slow_documents_with_reason_deadline_and_finishes_the_rest(tmp_path: Path) -> None:
    docs = tmp_path / "docs.jsonl"
    lines = [
        {"id": "a", "text": DOC_A}, {"id": "slow_rules", "text": SLOW_DOC},
        {"id": "slow_model", "text": DOC_C}, {"id": "b", "text": DOC_B},
    ]  # fmt: skip
    docs.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in lines), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    with ScriptedServer(default=_slow_model) as srv:
        # One worker, documents in order: "b" runs only if the deadline freed the worker.
        proc = _cli(["batch", str(docs), "--out", str(out), "--concurrency", "1", "--deadline", DEADLINE], srv, tmp_path)
    assert proc.returncode == 1, proc.stderr
    records = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert set(records) == {"a", "slow_rules", "slow_model", "b"}  # nothing lost
    for slow in ("slow_rules", "slow_model"):
        assert not records[slow]["ok"] and records[slow]["reason"] == "deadline", records[slow]
    assert records["a"]["ok"] and records["b"]["ok"], (records["a"], records["b"])
    assert records["a"]["result"]["company"]["ticker"] == "XHKJ"
    assert "2 failed" in proc.stderr and "deadline" in proc.stderr


def test_run_fails_with_reason_deadline_from_the_environment(tmp_path: Path) -> None:
    slow = tmp_path / "slow.txt"
    slow.write_text(SLOW_DOC, encoding="utf-8")
    quick = tmp_path / "a.txt"
    quick.write_text(DOC_A, encoding="utf-8")
    with ScriptedServer(default=answering(_answer)) as srv:
        proc = _cli(["run", str(slow)], srv, tmp_path, EXTRACT_DEADLINE=DEADLINE)
        fine = _cli(["run", str(quick), "--deadline", "0"], srv, tmp_path, EXTRACT_DEADLINE="0.000001")
    assert proc.returncode == 1 and "deadline" in proc.stderr and proc.stdout == "", proc.stderr
    assert fine.returncode == 0, fine.stderr  # the flag wins over the environment; 0 is no deadline


def test_the_model_call_gets_only_the_time_left(tmp_path: Path) -> None:
    """A model that would take 100 s is cut at the deadline: the request's timeout is what is left."""
    doc = tmp_path / "c.txt"
    doc.write_text(DOC_C, encoding="utf-8")
    with ScriptedServer(default=_slow_model) as srv:
        proc = _cli(["run", str(doc), "--deadline", DEADLINE, "--timeout", "600"], srv, tmp_path)
    assert proc.returncode == 1 and "deadline" in proc.stderr, proc.stderr


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Callable[[], TestClient]]:
    servers: list[ScriptedServer] = []
    clients: list[TestClient] = []

    def make() -> TestClient:
        srv = ScriptedServer(default=_slow_model)
        srv.__enter__()
        servers.append(srv)
        settings = Settings(
            base_url=srv.base_url, api_key="sk-model-SECRET", model="scripted", cache_dir=tmp_path / "cache",
            timeout=5.0, backoff_initial=0.01, backoff_max=0.05, transport_attempts=2, concurrency=1,
            deadline=float(DEADLINE),
        )  # fmt: skip
        config = ServiceConfig(jobs_db=tmp_path / "jobs.sqlite", max_document_chars=1_000_000, max_body_bytes=8 * 2**20)
        client = TestClient(create_app(settings, config))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)
    for srv in servers:
        srv.__exit__(None, None, None)


def _wait_for(condition: Callable[[], Any], what: str, limit: float = 120.0) -> Any:
    ends = time.monotonic() + limit
    while not (value := condition()):
        if time.monotonic() > ends:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)
    return value


def test_service_fails_a_slow_document_with_code_deadline_and_serves_the_next(service: Callable[[], TestClient]) -> None:
    client = service()
    warm = client.post("/v1/extract", json={"text": DOC_B, "schema": "earnings_report"})
    assert warm.status_code == 200, warm.text
    slow = client.post("/v1/extract", json={"text": SLOW_DOC, "schema": "earnings_report"})
    assert slow.status_code == 502 and slow.json()["error"]["code"] == "deadline", slow.text
    # One worker (concurrency 1): it is free again, for a request and for a job.
    after = client.post("/v1/extract", json={"text": DOC_A, "schema": "earnings_report"})
    assert after.status_code == 200 and after.json()["report"]["company"]["ticker"] == "XHKJ"
    documents = [{"id": "slow", "text": SLOW_DOC}, {"id": "c", "text": DOC_C}, {"id": "b", "text": DOC_B}]
    job = client.post("/v1/jobs", json={"documents": documents}).json()
    done = _wait_for(lambda: (j := client.get(f"/v1/jobs/{job['id']}").json())["status"] == "done" and j, "the job")
    by_id = {d["id"]: d for d in done["documents"]}
    assert (done["ok"], done["failed"], done["pending"]) == (1, 2, 0)
    for slow in ("slow", "c"):  # slow rules, a slow model
        assert by_id[slow]["status"] == "failed" and by_id[slow]["error"]["code"] == "deadline", by_id[slow]
    assert by_id["b"]["status"] == "ok" and by_id["b"]["report"]["metrics"]
    assert "deadline" in client.get("/metrics").text
