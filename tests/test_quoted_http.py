"""The `quoted` strategy end to end over real HTTP: the real openai client against the scripted
OpenAI-compatible server, which reads each chunk it is sent and quotes the facts in it, and
which refuses, as llama.cpp does, a request that does not fit its context."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from extract import Extractor
from extract.chunking import chunk_text
from extract.config import Settings
from extract.deadline import DeadlineExceeded
from extract.quoting import plan_for, states_figure
from extract.retry import ExtractionError
from extract.schemas import get_schema
from extract.strategies import STRATEGY_NAMES, get_strategy
from extract.strategies.quoted import _prompt, chunk_budget
from tests.conftest import wants_canary
from tests.longdoc import FACTS, LAST_PAGE_CHARS, Fact, long_document
from tests.scripted_server import Behaviour, ScriptedServer, delay, length, ok, status

_PASSAGE = re.compile(r'Passage:\n"""\n(.*)\n"""', re.DOTALL)
# The server's own token count: a CJK character, a word or a mark is one token each. A BPE
# tokenizer spends at least that, and the strategy's estimate must never be below it.
_SERVER_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[A-Za-z0-9_]+|[^\sA-Za-z0-9_]")


def server_tokens(request: dict[str, Any]) -> int:
    return sum(len(_SERVER_TOKEN.findall(m.get("content") or "")) for m in request.get("messages", []))


def passage_of(request: dict[str, Any]) -> str:
    m = _PASSAGE.search(request["messages"][-1]["content"])
    assert m, "the quoted prompt puts the chunk between triple quotes"
    return m.group(1)


def reader(facts: list[Fact], context: int, cut_over: int | None = None) -> Callable[[dict[str, Any]], Behaviour]:
    """A scripted model: quotes every planted fact whose sentence is in the passage; refuses a
    request over `context` tokens (prompt + max_tokens); with `cut_over`, answers a passage
    longer than that many characters with a cut-off (finish_reason "length") answer."""

    def answer(request: dict[str, Any]) -> Behaviour:
        if wants_canary(request):
            return ok({"canary": 7})
        if server_tokens(request) + int(request.get("max_tokens") or 0) > context:
            return status(
                400, body=json.dumps({"error": {"message": "the request exceeds the available context size", "code": 400}})
            )
        text = passage_of(request)
        if cut_over is not None and len(text) > cut_over:
            return length('{"company": {"name": "青')
        out: dict[str, Any] = {"company": {"name": None, "name_en": None, "ticker": None, "exchange": None},
                               "fiscal_period": None, "period_end": None, "currency": None, "metrics": [], "guidance": []}  # fmt: skip
        for fact in facts:
            if fact.sentence not in text:
                continue
            if fact.list_name is None:
                out.update(fact.quotes)
            else:
                out[fact.list_name].append(fact.quotes)
        return ok(out, prompt_tokens=server_tokens(request), completion_tokens=40)

    return answer


def _settings(make_settings: Callable[..., Settings], srv: ScriptedServer, **kw: Any) -> Settings:
    base: dict[str, Any] = {"strategy": "quoted", "context_tokens": 2800, "max_tokens": 512, "timeout": 20.0}
    return make_settings(srv, **{**base, **kw})


def _model_requests(srv: ScriptedServer) -> list[dict[str, Any]]:
    return [r for r in srv.requests if not wants_canary(r)]


def _check_found(report: dict[str, Any], facts: list[Fact], document: str) -> None:
    for fact in facts:
        if fact.list_name is None:
            for key, value in fact.expect.items():
                assert report[key] == value, key
            continue
        hits = [e for e in report[fact.list_name] if all(e.get(k) == pytest.approx(v) for k, v in fact.expect.items())]
        assert len(hits) == 1, (fact.sentence, report[fact.list_name])  # found, and once: the overlap de-duplicated
        (hit,) = hits
        assert hit["evidence"] in document and fact.sentence.rstrip("。.") in hit["evidence"]
        if fact.where == "end":
            assert document.index(hit["evidence"]) >= len(document) - LAST_PAGE_CHARS


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_60000_characters_fit_the_context_and_the_last_page_is_read(lang: str, make_settings: Callable[..., Settings]) -> None:
    document = long_document(60_000, lang)
    assert len(document) >= 60_000
    context = 3200  # the budget comes out of the context: ~960 document tokens a chunk, not chunk_tokens' 1200
    with (
        ScriptedServer(default=reader(FACTS[lang], context=context)) as srv,
        Extractor(settings=_settings(make_settings, srv, context_tokens=context)) as ex,
    ):
        result = ex.extract(document)
        info = get_schema("earnings_report")
        budget = chunk_budget(ex.client, _prompt(info), info, plan_for(info.model))
        chunks = len(chunk_text(document, budget, min(ex.settings.chunk_overlap_tokens, budget // 4)))
    requests = _model_requests(srv)
    report = result.report.model_dump(mode="json")
    _check_found(report, FACTS[lang], document)
    assert result.calls == len(requests)
    assert all(server_tokens(r) + 512 <= context for r in requests)
    passages = [passage_of(r) for r in requests]
    assert document.startswith(passages[0])  # the first chunk is always read (the company, the period)
    assert passages[-1].endswith(FACTS[lang][-1].sentence)  # the last chunk is the end of the document
    # the chunks not sent state no figure a metric or a forecast could quote (the filler pages)
    assert chunks > 60_000 // 4000 > len(requests) >= 3
    for p in passages[1:]:
        assert states_figure(p, plan_for(info.model).entry_figures)
    assert not [d for d in result.dropped if "chunk" in d.reason]
    assert result.usage["requests"] == len(requests)


def test_a_chunk_that_stays_cut_off_is_split_at_most_twice(make_settings: Callable[..., Settings]) -> None:
    """A model that loops on every passage (always cut off) costs a bounded number of calls:
    the chunk, its parts, and their parts; then the document fails."""
    document = long_document(3_000, "zh").split("\n\n")[0] * 3
    with (
        ScriptedServer(default=lambda r: ok({"canary": 7}) if wants_canary(r) else length('{"company": {"name": "青')) as srv,
        Extractor(settings=_settings(make_settings, srv, chunk_tokens=2000)) as ex,
        pytest.raises(ExtractionError, match="cut off"),
    ):
        ex.extract(document)
    calls = len(_model_requests(srv))
    assert 4 <= calls <= 1 + 3 + 9


def test_a_budget_that_ignores_the_context_is_refused(make_settings: Callable[..., Settings]) -> None:
    """The server's limit is real: told a larger context than it has, the strategy sends
    chunks it refuses (HTTP 400), and the document fails."""
    document = long_document(12_000, "zh")
    with (
        ScriptedServer(default=reader(FACTS["zh"], context=2800)) as srv,
        Extractor(settings=_settings(make_settings, srv, context_tokens=16_000, chunk_tokens=6000, transport_attempts=1)) as ex,
        pytest.raises(ExtractionError, match="HTTP 400"),
    ):
        ex.extract(document)


def test_a_cut_off_answer_splits_the_chunk(make_settings: Callable[..., Settings]) -> None:
    document = long_document(5_000, "zh")
    with (
        ScriptedServer(default=reader(FACTS["zh"], context=2800, cut_over=250)) as srv,
        Extractor(settings=_settings(make_settings, srv)) as ex,
    ):
        result = ex.extract(document)
    passages = [passage_of(r) for r in _model_requests(srv)]
    assert any(len(p) > 250 for p in passages) and any(len(p) <= 250 for p in passages)
    _check_found(result.report.model_dump(mode="json"), FACTS["zh"], document)


def _cut_off_after(entries: list[dict[str, Any]]) -> str:
    """An answer cut off inside its next entry, after the document's own fields (the head
    fact's quotes) and `entries` were finished."""
    head = next(f for f in FACTS["zh"] if f.list_name is None)
    done = json.dumps({**head.quotes, "metrics": entries}, ensure_ascii=False)
    return done[: -len("]}")] + ', {"value": "1.2'


def test_a_cut_off_answer_keeps_its_finished_entries_and_splits_only_a_dense_chunk(
    make_settings: Callable[..., Settings],
) -> None:
    """Finished entries that ground: the passage is dense, its parts are asked too. Finished
    entries mostly invented (a small model filling the form from the prompt's examples): the
    grounded ones are kept and the chunk is not split, since the model would loop on the parts."""
    document = long_document(3_000, "zh")
    revenue = next(f for f in FACTS["zh"] if f.list_name == "metrics")
    invented = {"value": "7,330万元人民币", "metric": "revenue"}
    answer = reader(FACTS["zh"], context=9000)
    for finished, split in (([revenue.quotes, revenue.quotes], True), ([revenue.quotes, invented, invented, invented], False)):
        first: list[bool] = []

        def cut_once(request: dict[str, Any], finished: list[dict[str, Any]] = finished, first: list[bool] = first) -> Behaviour:
            if wants_canary(request) or first:
                return answer(request)
            first.append(True)
            return length(_cut_off_after(finished))

        with (
            ScriptedServer(default=cut_once) as srv,
            Extractor(settings=_settings(make_settings, srv, chunk_tokens=4000, context_tokens=8000)) as ex,
        ):
            result = ex.extract(document)
        passages = [passage_of(r) for r in _model_requests(srv)]
        assert passages[0] == document.strip() or document.startswith(passages[0])
        assert (len(passages) > 1) is split, passages
        metrics = result.report.model_dump(mode="json")["metrics"]
        assert [m for m in metrics if m["value"] == pytest.approx(revenue.expect["value"])], metrics
        assert not [m for m in metrics if m["value"] == 73_300_000]  # the invented figure does not ground
        assert any("finished entries kept" in d.reason for d in result.dropped) is not split


def test_chunks_that_fail_are_reported_and_the_rest_kept(make_settings: Callable[..., Settings]) -> None:
    document = long_document(9_000, "zh")
    answer = reader(FACTS["zh"], context=2800)

    def flaky(request: dict[str, Any]) -> Behaviour:
        if not wants_canary(request) and FACTS["zh"][2].sentence in passage_of(request):
            return ok({"not": "the schema"})  # the middle chunk(s) never validate
        return answer(request)

    with ScriptedServer(default=flaky) as srv, Extractor(settings=_settings(make_settings, srv, reasks=0)) as ex:
        result = ex.extract(document)
    report = result.report.model_dump(mode="json")
    assert {m["metric"] for m in report["metrics"]} == {"revenue", "net_income_attributable"}  # cash was in the failed chunk
    assert any(d.reason.startswith("chunk failed") for d in result.dropped)
    with (
        ScriptedServer(default=ok({"not": "the schema"})) as srv,
        Extractor(settings=_settings(make_settings, srv, reasks=0)) as ex,
        pytest.raises(ExtractionError),
    ):
        ex.extract(document)  # every chunk failed: the document fails


def test_the_deadline_counts_once_per_chunk(make_settings: Callable[..., Settings]) -> None:
    """Each chunk's read takes 0.5 s and the deadline is 1 s: a document of several chunks
    finishes (its deadline is 1 s a chunk), and one read that hangs still fails it as a whole."""
    document = long_document(3_000, "zh")
    answer = reader(FACTS["zh"], context=2800)

    def slow(request: dict[str, Any]) -> Behaviour:
        return answer(request) if wants_canary(request) else delay(0.5, answer(request))

    with ScriptedServer(default=slow) as srv, Extractor(settings=_settings(make_settings, srv, deadline=1.0)) as ex:
        result = ex.extract(document)
    assert len(_model_requests(srv)) >= 4  # >= 2 s of reads under a 1 s deadline
    _check_found(result.report.model_dump(mode="json"), FACTS["zh"], document)

    def hangs(request: dict[str, Any]) -> Behaviour:
        if not wants_canary(request) and FACTS["zh"][2].sentence in passage_of(request):
            return delay(60.0, answer(request))
        return slow(request)

    with (
        ScriptedServer(default=hangs) as srv,
        Extractor(settings=_settings(make_settings, srv, deadline=1.0)) as ex,
        pytest.raises(DeadlineExceeded),
    ):
        ex.extract(document)


def test_registry_names_quoted() -> None:
    assert STRATEGY_NAMES == ("direct", "grounded", "quoted")
    assert get_strategy("quoted").__module__ == "extract.strategies.quoted"
    with pytest.raises(ValueError, match="known: direct, grounded, quoted"):
        get_strategy("nope")


def _cli(args: list[str], srv: ScriptedServer, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ, "EXTRACT_BASE_URL": srv.base_url, "EXTRACT_API_KEY": "sk-test", "EXTRACT_MODEL": "scripted",
        "EXTRACT_CACHE_DIR": str(tmp_path / "cache"), "EXTRACT_CONFIG": str(tmp_path / "none.toml"),
        "EXTRACT_CONTEXT_TOKENS": "2800", "EXTRACT_MAX_TOKENS": "512",
    }  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "extract", *args], capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path
    )


def test_cli_run_and_eval_with_quoted(tmp_path: Path) -> None:
    document = long_document(8_000, "en")
    (tmp_path / "long.txt").write_text(document, encoding="utf-8")
    ds = tmp_path / "ds"
    ds.mkdir()
    (ds / "long.txt").write_text(document, encoding="utf-8")
    with ScriptedServer(default=reader(FACTS["en"], context=2800)) as srv:
        run = _cli(["run", "long.txt", "--strategy", "quoted", "--meta"], srv, tmp_path)
        assert run.returncode == 0, run.stderr
        out = json.loads(run.stdout)
        report = out["report"]
        assert out["meta"]["strategy"] == "quoted" and out["meta"]["prompts"] == {"quoted": "1.1.0"}
        (ds / "long.gold.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
        evaluation = _cli(
            ["eval", "--dataset", str(ds), "--strategy", "quoted", "--runs-dir", str(tmp_path / "runs")], srv, tmp_path
        )
    _check_found(report, FACTS["en"], document)
    assert evaluation.returncode == 0, evaluation.stderr
    assert "quoted/scripted: F1 1.0" in evaluation.stdout
    (run_dir,) = (tmp_path / "runs").iterdir()
    assert json.loads((run_dir / "config.json").read_text())["prompts"] == {"quoted": "1.1.0"}


def test_service_extracts_with_quoted(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from extract.server import ServiceConfig, create_app

    document = long_document(6_000, "zh")
    with ScriptedServer(default=reader(FACTS["zh"], context=2800)) as srv:
        app = create_app(make_settings(srv, context_tokens=2800, max_tokens=512), ServiceConfig(jobs_db=tmp_path / "jobs.sqlite"))
        with TestClient(app) as client:
            resp = client.post("/v1/extract", json={"text": document, "schema": "earnings_report", "strategy": "quoted"})
            assert resp.status_code == 200, resp.text
            body = resp.json()
            bad = client.post("/v1/extract", json={"text": document, "schema": "earnings_report", "strategy": "quotes"})
    assert body["meta"]["strategy"] == "quoted" and body["meta"]["calls"] == len(_model_requests(srv)) > 1
    _check_found(body["report"], FACTS["zh"], document)
    assert bad.status_code == 422 and "known: direct, grounded, quoted" in bad.json()["error"]["message"]
