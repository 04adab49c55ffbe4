"""Unit tests for the pieces every call rests on: schema registry, prompts, cache keys,
settings, grounding and the resolver."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from extract.cache import ResultCache, make_key
from extract.config import load_settings, redact_url
from extract.grounding import is_verbatim, reads_back
from extract.prompting import PromptError, load_prompt
from extract.resolver import resolve
from extract.schemas import UnknownSchemaError, get_schema, registry

DOC = "极光公布2023年第二季度财报。收入为7,330万元人民币,同比下降4%。净亏损为2,370万元人民币。"


def test_registry_finds_earnings_report_with_version_and_hash() -> None:
    info = get_schema("earnings_report")
    assert info.name in registry() and info.version == "1.1.0"
    assert len(info.json_schema_hash) == 16
    with pytest.raises(UnknownSchemaError, match="known: .*earnings_report"):
        get_schema("earnings")


def _entry(**kw):
    base = {"metric": "revenue", "period": "2023Q2", "value": 73300000, "unit": "CNY", "evidence": "收入为7,330万元人民币"}
    return {**base, **kw}


@pytest.mark.parametrize(
    "bad",
    [{"metric": "sales"}, {"period": "2023-Q2"}, {"period": "Q2 2023"}, {"unit": "yuan"}, {"value": "lots"}, {"evidence": ""}],
)
def test_schema_rejects_malformed_entries(bad) -> None:
    model = get_schema("earnings_report").model
    with pytest.raises(ValidationError):
        model.model_validate({"metrics": [_entry(**bad)]})


def test_schema_checks_evidence_against_document_in_context() -> None:
    model = get_schema("earnings_report").model
    model.model_validate({"metrics": [_entry()]}, context={"document": DOC})
    with pytest.raises(ValidationError, match="verbatim"):
        model.model_validate({"metrics": [_entry(evidence="收入为7330万元")]}, context={"document": DOC})


def test_schema_guidance_low_above_high_is_rejected() -> None:
    model = get_schema("earnings_report").model
    g = {"metric": "revenue", "period": "2023Q3", "low": 2.0, "high": 1.0, "unit": "CNY", "evidence": "x"}
    with pytest.raises(ValidationError, match="above high"):
        model.model_validate({"guidance": [g]})


def test_prompt_renders_system_then_user_with_id_and_version() -> None:
    prompt = load_prompt("earnings_report/direct")
    json_schema = get_schema("earnings_report").json_schema
    messages = prompt.render(document="正文{{ not a template }}", json_schema=json_schema)
    assert "gross_margin" in messages[0]["content"]  # the metric names come from the pydantic model
    assert [m["role"] for m in messages] == ["system", "user"]
    assert "正文{{ not a template }}" in messages[1]["content"]  # documents are data, never templates
    assert prompt.id == "earnings_report/direct" and prompt.version and len(prompt.sha) == 16


def test_prompt_missing_variable_or_file_is_an_error() -> None:
    with pytest.raises(Exception, match="document"):
        load_prompt("earnings_report/direct").render(json_schema=get_schema("earnings_report").json_schema)
    with pytest.raises(PromptError, match="no prompt template"):
        load_prompt("does_not_exist")


def test_cache_key_changes_with_every_part() -> None:
    base = dict(endpoint={"model": "m"}, prompt={"id": "p", "version": "1", "sha": "a"},
                schema={"name": "s", "version": "1", "hash": "h"}, messages=[{"role": "user", "content": "x"}],
                params={"temperature": 0, "max_tokens": 10})  # fmt: skip
    key = make_key(**base)
    assert key == make_key(**base)
    for part, changed in [
        ("endpoint", {"model": "m2"}),
        ("prompt", {"id": "p", "version": "2", "sha": "a"}),
        ("prompt", {"id": "p", "version": "1", "sha": "b"}),
        ("schema", {"name": "s", "version": "1", "hash": "h2"}),
        ("messages", [{"role": "user", "content": "y"}]),
        ("params", {"temperature": 0.2, "max_tokens": 10}),
    ]:
        assert make_key(**{**base, part: changed}) != key, part


def test_corrupt_cache_entry_is_a_miss_and_is_dropped(tmp_path) -> None:
    cache = ResultCache(tmp_path)
    cache.set("k", {"response": {"a": 1}})
    assert cache.get("k") == {"response": {"a": 1}}
    cache._cache.set("k", '{"payload": {"response": {"a": 2}}, "checksum": "forged"}')
    assert cache.get("k") is None
    assert "k" not in cache._cache
    cache._cache.set("k2", "not json at all")
    assert cache.get("k2") is None


def test_settings_precedence_and_validation(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("EXTRACT_CONFIG", str(tmp_path / "c.toml"))
    (tmp_path / "c.toml").write_text('model = "from-file"\ntemperature = 0.3\n')
    monkeypatch.setenv("EXTRACT_MODEL", "from-env")
    s = load_settings(max_tokens=99)
    assert (s.model, s.temperature, s.max_tokens) == ("from-env", 0.3, 99)
    assert load_settings(model="from-arg").model == "from-arg"
    (tmp_path / "c.toml").write_text('modle = "typo"\n')
    with pytest.raises(ValueError, match="unknown setting"):
        load_settings()


def test_redact_url_drops_credentials_and_query() -> None:
    assert redact_url("https://user:sk-secret@api.example.com:8443/v1?key=sk-2") == "https://api.example.com:8443/v1"


@pytest.mark.parametrize(
    "evidence,value,ok",
    [
        ("收入为7,330万元人民币", 73300000, True),
        ("净亏损为2,370万元人民币", -23700000, True),  # sign is the metric's, magnitude is read back
        ("收入为7,330万元人民币", 7330000, False),  # off by 10
        ("毛利率为65.1%", 65.1, True),
        ("net loss of $3.3 million", -3300000, True),
    ],
)
def test_reads_back(evidence, value, ok) -> None:
    assert reads_back(evidence, value) is ok


def test_is_verbatim_folds_whitespace_and_width() -> None:
    assert is_verbatim("收入为7,330万元", "收入为\n7,330万元")
    assert is_verbatim("收入为７,３３０万元", DOC)
    assert not is_verbatim("收入为7,331万元", DOC)


def test_resolver_drops_ungrounded_and_duplicates() -> None:
    report = {
        "metrics": [
            _entry(),
            _entry(),  # duplicate key
            _entry(metric="net_income", value=-99, evidence="净亏损为2,370万元人民币"),  # not read back
            _entry(metric="gross_profit", evidence="毛利为1亿元"),  # not in the document
        ],
        "guidance": [],
    }
    res = resolve(report, DOC)
    assert [m["metric"] for m in res.report["metrics"]] == ["revenue"]
    assert sorted(d.reason.split()[0] for d in res.dropped) == ["duplicate", "evidence", "value"]
