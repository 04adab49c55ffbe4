"""The second schema, corporate_events: its gold data, its rules, and every entry point serving it
(CLI run and batch, the Python API, the HTTP service) against the scripted server over real HTTP.
Its rules ask the model nothing, so any model request here is a failure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from extract import Extractor
from extract.evals.harness import check_dataset, load_dataset, run_eval
from extract.evals.scoring import summarize
from extract.resolver import resolve
from extract.schema_api import RulesContext
from extract.schemas import get_schema
from extract.segmenting import sentences
from extract.server import ServiceConfig, create_app
from tests.conftest import answering, wants_canary
from tests.scripted_server import ScriptedServer

DATASET = Path(__file__).resolve().parents[1] / "evals" / "datasets" / "corporate_events"
SCHEMA = get_schema("corporate_events")

NEWS = (
    "【快讯】青川化工：拟以不低于3000万元且不超过6000万元回购股份\n"
    "青川化工2025年3月3日晚间公告，公司拟以不低于3000万元且不超过6000万元的自有资金回购公司股份，回购价格不超过每股12元，"
    "回购期限为自董事会审议通过之日起12个月内。\n"
    "此前，同行业的东岳材料也宣布拟以不超过2亿元回购股份。\n"
)


def _no_model(request: dict[str, Any]) -> Any:
    raise AssertionError(f"the corporate_events rules asked the model: {request}")


@pytest.fixture
def srv() -> Iterator[ScriptedServer]:
    with ScriptedServer(default=answering(_no_model)) as s:
        yield s


def _model_requests(srv: ScriptedServer) -> list[dict[str, Any]]:
    return [r for r in srv.requests if not wants_canary(r)]


def _extractor(srv: ScriptedServer, tmp_path: Path) -> Extractor:
    return Extractor(base_url=srv.base_url, model="scripted", api_key="sk-test", cache_dir=tmp_path / "cache")


# --------------------------------------------------------------------------- gold data


def test_gold_files_are_valid_and_grounded() -> None:
    assert check_dataset(DATASET) == []
    assert check_dataset(DATASET.with_name("corporate_events_fresh")) == []


def test_dataset_has_the_variety_the_issue_asks_for() -> None:
    cases = load_dataset(DATASET)
    manifest = [json.loads(line) for line in (DATASET / "manifest.jsonl").read_text().splitlines() if line]
    assert {m["id"] for m in manifest} == {c.id for c in cases}
    assert len(cases) >= 20
    languages = [c.language for c in cases]
    assert languages.count("zh") >= 8 and languages.count("en") >= 6
    events = {c.id: c.gold["events"] for c in cases}
    assert sum(not e for e in events.values()) >= 2  # news with no event
    assert any(len(e) >= 3 for e in events.values())  # several events in one text
    assert {e["type"] for es in events.values() for e in es} == set(
        ("share_buyback", "share_issue", "acquisition", "disposal", "dividend", "executive_change")
    )
    flat = [e for es in events.values() for e in es]
    assert any(e["amount_low"] is None and e["amount_high"] is not None for e in flat)  # 不超过 / up to
    assert any(e["amount_low"] is not None and e["amount_high"] not in (None, e["amount_low"]) for e in flat)
    held = [m for m in manifest if m["split"] == "holdout"]
    assert len(held) >= 6 and all(m["id"].startswith("ho_") for m in held)


# --------------------------------------------------------------------------- rules


def _events(text: str) -> list[dict[str, Any]]:
    report = SCHEMA.rules(text, _no_model, RulesContext()) if SCHEMA.rules else {}  # type: ignore[arg-type]
    return SCHEMA.model.model_validate(resolve(report, text, SCHEMA.scoring).report).model_dump(mode="json")["events"]


def test_bounds_become_ranges_and_a_passing_mention_is_no_event() -> None:
    (event,) = _events(NEWS)
    assert (event["type"], event["company"], event["announcement_date"]) == ("share_buyback", "青川化工", "2025-03-03")
    assert (event["amount_low"], event["amount_high"], event["currency"]) == (30_000_000, 60_000_000, "CNY")
    assert (event["price_cap"], event["period_months"]) == (12, 12)
    assert "东岳材料" not in event["evidence"]


def test_upper_bound_only_and_two_executives_in_one_text() -> None:
    text = (
        "Harlow Mining Corp. (NYSE: HMC) said on June 3, 2025 -- its board authorized the repurchase of up to "
        "$200 million of common stock. Chief Financial Officer Alan Reyes will step down effective July 1, 2025. "
        "The board appointed Nora Vale as Chief Financial Officer.\n"
    )
    events = _events(text)
    buyback = next(e for e in events if e["type"] == "share_buyback")
    assert (buyback["amount_low"], buyback["amount_high"], buyback["currency"]) == (None, 200_000_000, "USD")
    changes = {(e["person"], e["change"], e["effective_date"]) for e in events if e["type"] == "executive_change"}
    assert changes == {("Alan Reyes", "leaves", "2025-07-01"), ("Nora Vale", "joins", None)}


def test_a_name_not_in_its_evidence_is_set_to_null_and_a_company_not_in_the_text_drops_the_event() -> None:
    text = "星河科技股份有限公司关于董事长辞职的公告\n董事长张明因工作调整辞去公司董事长职务。\n"
    evidence = "董事长张明因工作调整辞去公司董事长职务"
    event = {"type": "executive_change", "company": "星河科技股份有限公司", "person": "李华", "role": "董事长", "evidence": evidence}
    out = resolve({"events": [event, {**event, "company": "云帆集团"}]}, text, SCHEMA.scoring)
    assert [e["person"] for e in out.report["events"]] == [None]
    assert sorted(d.reason.split(" ")[0] for d in out.dropped) == ["company", "person"]


def test_holdout_and_whole_dataset_through_the_extractor(srv: ScriptedServer, tmp_path: Path) -> None:
    """The grounded strategy over the real client and cache; F1 on the held-out documents (never
    tuned on) and on all of them, every value grounded, and not one model request."""
    cases = load_dataset(DATASET)
    with _extractor(srv, tmp_path) as ex:

        def one(text: str) -> tuple[dict[str, Any] | None, dict[str, Any]]:
            r = ex.extract(text, "corporate_events")
            return r.report.model_dump(mode="json"), r.meta()

        summary = run_eval(one, cases, tmp_path / "run", {"schema": "corporate_events"}, scoring=SCHEMA.scoring)
    assert summary["overall"]["f1"] >= 0.75 and summary["ungrounded"] == 0
    held = {c.id for c in cases if c.id.startswith("ho_")}
    rows = [json.loads(line) for line in (tmp_path / "run" / "rows.jsonl").read_text().splitlines()]
    held_rows = [r for r in rows if r["doc"] in held and r["kind"] == "event"]
    correct = sum(r["status"] == "correct" for r in held_rows)
    gold = sum(r["status"] in ("correct", "wrong_value", "missed") for r in held_rows)
    predicted = sum(r["status"] in ("correct", "wrong_value", "invented", "duplicate", "wrong_period") for r in held_rows)
    assert 2 * correct / (gold + predicted) >= 0.75
    assert set(summary["per_language"]) == {"zh", "zh-Hant", "en"}
    assert _model_requests(srv) == []
    assert summarize([])["documents"] == 0  # an empty run still summarises


_SENTENCES = [s.text for c in load_dataset(DATASET) for s in sentences(c.text)]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(_SENTENCES) | st.text(max_size=80), min_size=1, max_size=12))
def test_every_value_the_rules_emit_is_grounded(parts: list[str]) -> None:
    """Sentences of the dataset shuffled with noise: whatever the rules emit, the resolver keeps
    (evidence verbatim, every figure, date and name stated), bar repeats of one event."""
    text = "\n".join(parts)
    report = SCHEMA.rules(text, _no_model, RulesContext()) if SCHEMA.rules else {}  # type: ignore[arg-type]
    out = resolve(report, text, SCHEMA.scoring)
    assert [d.reason for d in out.dropped if d.reason != "duplicate of an earlier entry"] == []
    SCHEMA.model.model_validate(out.report, context={"document": text})


# --------------------------------------------------------------------------- entry points


def test_python_api_returns_a_validated_corporate_events_report(srv: ScriptedServer, tmp_path: Path) -> None:
    with _extractor(srv, tmp_path) as ex:
        result = ex.extract(NEWS, schema="corporate_events")
    assert result.schema == "corporate_events" and type(result.report).__name__ == "CorporateEvents"
    assert [e.type for e in result.report.events] == ["share_buyback"]  # type: ignore[attr-defined]
    assert result.meta()["strategy"] == "grounded" and result.calls == 0


def _cli(args: list[str], srv: ScriptedServer, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "EXTRACT_BASE_URL": srv.base_url,
        "EXTRACT_API_KEY": "sk-test",
        "EXTRACT_MODEL": "scripted",
        "EXTRACT_CACHE_DIR": str(tmp_path / "cache"),
        "EXTRACT_CONFIG": str(tmp_path / "none.toml"),
    }
    return subprocess.run([sys.executable, "-m", "extract", *args], capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)


def test_cli_run_and_batch_serve_the_schema(srv: ScriptedServer, tmp_path: Path) -> None:
    doc = tmp_path / "flash.txt"
    doc.write_text(NEWS, encoding="utf-8")
    run = _cli(["run", str(doc), "--schema", "corporate_events"], srv, tmp_path)
    assert run.returncode == 0, run.stderr
    assert [e["amount_high"] for e in json.loads(run.stdout)["events"]] == [60_000_000]
    batch = _cli(["batch", str(DATASET / "en_08_redwood_multi.txt"), str(doc), "--schema", "corporate_events",
                  "--out", str(tmp_path / "out.jsonl")], srv, tmp_path)  # fmt: skip
    assert batch.returncode == 0, batch.stderr
    lines = {r["id"]: r for r in map(json.loads, (tmp_path / "out.jsonl").read_text().splitlines())}
    assert len(lines["en_08_redwood_multi"]["result"]["events"]) == 3 and lines["flash"]["ok"]
    check = _cli(["eval", "check", str(DATASET)], srv, tmp_path)
    assert check.returncode == 0 and "0 problem(s)" in check.stderr
    assert _model_requests(srv) == []


def test_http_service_lists_and_extracts_the_schema(srv: ScriptedServer, tmp_path: Path) -> None:
    app = create_app(_extractor(srv, tmp_path).settings, ServiceConfig(jobs_db=tmp_path / "jobs.sqlite"))
    with TestClient(app) as client:
        schemas = client.get("/v1/schemas").json()["schemas"]
        assert {"corporate_events", "earnings_report"} <= {s["name"] for s in schemas}
        r = client.post("/v1/extract", json={"text": NEWS, "schema": "corporate_events"})
        assert r.status_code == 200, r.text
        assert r.json()["meta"]["schema"] == "corporate_events"
        assert [e["price_cap"] for e in r.json()["report"]["events"]] == [12]
    assert _model_requests(srv) == []
