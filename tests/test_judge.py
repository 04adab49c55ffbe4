"""The model as a judge (schemas/earnings_report/judge.py) and the schema options that switch it.

The judge's model is `tests/scripted_server.py` behind the real OpenAI client over real
HTTP: it answers the judge prompt by a rule of its own (a figure in a window naming a peer is
not the company's), so the tests check what the pipeline does with the answers: what is asked,
what is dropped, how the drop is reported, and that judge=off asks nothing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from extract import Extractor
from extract.config import load_settings, parse_options
from extract.schema_api import OptionError
from extract.schemas import get_schema
from extract.schemas.earnings_report.annotation import annotate
from extract.schemas.earnings_report.judge import plan
from tests.conftest import answering
from tests.scripted_server import ScriptedServer

PEER = "月光电器"
DOC = (
    "星河家电(深交所:002888)公布2024年半年度业绩。报告期内，公司实现营业收入5.1亿元，同比增长20%。"
    f"行业龙头{PEER}上半年营收为8.8亿元。"
    "公司归属于上市公司股东的净利润为6,200万元。"
)


def _is_judge(request: dict[str, Any]) -> bool:
    return "You check figures" in request["messages"][0]["content"]


def _answer(request: dict[str, Any]) -> Any:
    """Header prompt: the company's name. Judge prompt: false for every mark in a window that
    names the peer, true otherwise, one key per mark as the grammar demands."""
    if not _is_judge(request):
        return {"name": "星河家电", "name_en": None}
    window = request["messages"][1]["content"]
    marks = re.findall(r"\[(\d+)\]", window)
    return {f"f{k}": PEER not in window for k in marks}


@pytest.fixture
def srv() -> Any:
    with ScriptedServer(default=answering(_answer)) as server:
        yield server


def _extract(srv: ScriptedServer, make_settings: Any, judge: str) -> Any:
    settings = make_settings(srv, options=(("judge", judge),))
    with Extractor(settings=settings) as ex:
        return ex.extract(DOC)


def test_the_rules_alone_take_the_peers_revenue_for_the_companys() -> None:
    revenues = {f.value for f in annotate(DOC).facts if f.metric == "revenue"}
    assert revenues == {5.1e8, 8.8e8}  # what the judge is for


@pytest.mark.parametrize("mode", ["sentence", "fact"])
def test_judge_drops_what_the_model_rejects_and_reports_it(srv: ScriptedServer, make_settings: Any, mode: str) -> None:
    result = _extract(srv, make_settings, mode)
    kept = {(e.metric, e.value) for e in result.report.metrics}
    assert kept == {("revenue", 5.1e8), ("net_income_attributable", 6.2e7)}
    dropped = [d for d in result.meta()["dropped"] if d["reason"] == "judge"]
    assert [(d["entry"]["metric"], d["entry"]["value"]) for d in dropped] == [("revenue", 8.8e8)]
    assert result.meta()["options"] == {"judge": mode}
    judged = [r for r in srv.requests if _is_judge(r)]
    assert len(judged) == 3  # three sentences with one figure each: one call each in either mode
    assert result.calls == 1 + len(judged)  # the header, then the judge calls
    assert all(r["messages"][0]["content"] == judged[0]["messages"][0]["content"] for r in judged)  # one fixed system prefix
    assert any("[1]8.8亿元" in r["messages"][1]["content"] for r in judged)


def test_judge_off_asks_nothing_and_keeps_every_figure(srv: ScriptedServer, make_settings: Any) -> None:
    result = _extract(srv, make_settings, "off")
    assert ("revenue", 8.8e8) in {(e.metric, e.value) for e in result.report.metrics}
    assert not [r for r in srv.requests if _is_judge(r)]
    assert not [d for d in result.meta()["dropped"] if d["reason"] == "judge"]


def test_judge_answers_are_cached_like_every_call(srv: ScriptedServer, make_settings: Any) -> None:
    first = _extract(srv, make_settings, "sentence")
    asked = len(srv.requests)
    again = _extract(srv, make_settings, "sentence")
    assert len(srv.requests) == asked and again.cached and again.report == first.report


def test_sentence_mode_asks_once_for_nearby_figures_and_fact_mode_once_each() -> None:
    text = "星河家电公布2024年半年度业绩。营业收入5.1亿元，毛利润1.5亿元，净利润6,200万元。"
    facts = [f for f in annotate(text).facts if f.period]
    assert len(facts) == 3
    by_sentence = plan(text, facts, "sentence")
    assert [len(a.facts) for a in by_sentence] == [3]
    assert re.findall(r"\[\d\]", by_sentence[0].window) == ["[1]", "[2]", "[3]"]
    assert [len(a.facts) for a in plan(text, facts, "fact")] == [1, 1, 1]


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [("judge=off", (("judge", "off"),)), (" b=2 , a=1 ", (("a", "1"), ("b", "2"))), (["judge=fact"], (("judge", "fact"),)),
     ({"judge": "sentence"}, (("judge", "sentence"),)), ("", ())],
)  # fmt: skip
def test_options_parse_from_environment_flags_and_config(raw: Any, parsed: tuple[tuple[str, str], ...]) -> None:
    assert parse_options(raw) == parsed


@pytest.mark.parametrize(("raw", "message"), [("judge", "name=value"), ("judge=on,judge=off", "more than once")])
def test_malformed_options_are_refused(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_options(raw)


def test_a_flag_overrides_only_the_option_it_names(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('options = {judge = "fact", other = "x"}\n')
    monkeypatch.setenv("EXTRACT_CONFIG", str(config))
    assert load_settings(options=["judge=off"]).option_map == {"judge": "off", "other": "x"}


def test_the_schema_checks_names_and_values_and_fills_defaults() -> None:
    info = get_schema()
    assert info.resolve_options({}) == {"judge": "off"}
    with pytest.raises(OptionError, match="no option 'judeg'; known: judge"):
        info.resolve_options({"judeg": "off"})
    with pytest.raises(OptionError, match="one of off, sentence, fact"):
        info.resolve_options({"judge": "maybe"})


def _cli(args: list[str], srv: ScriptedServer, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    environ = {
        **os.environ, "EXTRACT_BASE_URL": srv.base_url, "EXTRACT_API_KEY": "sk-test", "EXTRACT_MODEL": "scripted",
        "EXTRACT_CACHE_DIR": str(tmp_path / "cache"), "EXTRACT_CONFIG": str(tmp_path / "none.toml"),
    }  # fmt: skip
    return subprocess.run([sys.executable, "-m", "extract", *args], capture_output=True, text=True, env=environ, timeout=120)


def test_cli_refuses_an_unknown_option_value_in_one_line(srv: ScriptedServer, tmp_path: Path) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text(DOC, encoding="utf-8")
    done = _cli(["run", str(doc), "--option", "judge=maybe"], srv, tmp_path)
    assert done.returncode == 2 and done.stderr.strip() == "error: option judge='maybe' must be one of off, sentence, fact"


def test_eval_runs_judge_on_and_off_side_by_side_in_one_invocation(srv: ScriptedServer, tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    ds.mkdir()
    (ds / "d.txt").write_text(DOC, encoding="utf-8")
    gold = {
        "company": {"name": "星河家电", "name_en": None, "ticker": "002888", "exchange": "SZSE"},
        "fiscal_period": "2024H1", "period_end": None, "currency": "CNY",
        "metrics": [
            {"metric": "revenue", "period": "2024H1", "segment": None, "value": 5.1e8, "unit": "CNY", "unit_currency": None,
             "yoy_pct": 20.0, "qoq_pct": None, "evidence": "公司实现营业收入5.1亿元"},
            {"metric": "net_income_attributable", "period": "2024H1", "segment": None, "value": 6.2e7, "unit": "CNY",
             "unit_currency": None, "yoy_pct": None, "qoq_pct": None, "evidence": "公司归属于上市公司股东的净利润为6,200万元"},
        ],
        "guidance": [],
    }  # fmt: skip
    (ds / "d.gold.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    runs = tmp_path / "runs"
    done = _cli(["eval", "--dataset", str(ds), "--runs-dir", str(runs), "--option", "judge=off", "--option", "judge=sentence"], srv, tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("grounded/scripted")]
    assert [line.split(":")[0] for line in lines] == ["grounded/scripted judge=off", "grounded/scripted judge=sentence"]
    summaries = {json.loads((p / "config.json").read_text())["options"]["judge"]: json.loads((p / "summary.json").read_text())
                 for p in runs.iterdir()}  # fmt: skip
    assert summaries["off"]["overall"]["precision"] < 1.0 and summaries["sentence"]["overall"]["precision"] == 1.0
    assert summaries["off"]["overall"]["recall"] == summaries["sentence"]["overall"]["recall"] == 1.0


def test_prior_period_figures_are_not_put_to_the_judge(make_settings: Any) -> None:
    """The rules read "上年同期为…" as the prior period's from its cue; a small model asked about
    such a figure called it "not the company's result" (measured), so it is not asked."""
    doc = "星河家电(深交所:002888)公布2024年半年度业绩。公司实现营业收入5.1亿元，上年同期为4.25亿元。"

    def reject_all(request: dict[str, Any]) -> Any:
        if not _is_judge(request):
            return {"name": "星河家电", "name_en": None}
        return {f"f{k}": False for k in re.findall(r"\[(\d+)\]", request["messages"][1]["content"])}

    with ScriptedServer(default=answering(reject_all)) as server, Extractor(
        settings=make_settings(server, options=(("judge", "sentence"),))
    ) as ex:
        result = ex.extract(doc)
    windows = [r["messages"][1]["content"] for r in server.requests if _is_judge(r)]
    assert len(windows) == 1 and "[1]5.1亿元" in windows[0] and "[2]" not in windows[0]
    assert {(e.period, e.value) for e in result.report.metrics} == {("2023H1", 4.25e8)}
