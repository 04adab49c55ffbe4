"""Shared fixtures: a scripted OpenAI-compatible server and settings that point at it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from extract.config import Settings
from tests.scripted_server import Behaviour, ScriptedServer, ok

CANARY_OK = {"canary": 7}


def wants_canary(request: dict[str, Any]) -> bool:
    return "canary" in json.dumps(request.get("response_format") or {})


def answering(payload: Callable[[dict[str, Any]], Any] | Any) -> Callable[[dict[str, Any]], Behaviour]:
    """A default behaviour: the canary gets {"canary": 7} (a server that honours schemas),
    every other request gets `payload` (or payload(request))."""

    def default(request: dict[str, Any]) -> Behaviour:
        if wants_canary(request):
            return ok(CANARY_OK)
        return ok(payload(request) if callable(payload) else payload)

    return default


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def make(server: ScriptedServer, **overrides: Any) -> Settings:
        base = dict(
            base_url=server.base_url, api_key="sk-test", model="scripted", cache_dir=tmp_path / "cache",
            timeout=5.0, backoff_initial=0.01, backoff_max=0.05, transport_attempts=4,
        )  # fmt: skip
        base.update(overrides)
        return Settings(**base)  # type: ignore[arg-type]

    return make


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer(default=answering({"name": "测试公司", "name_en": None})) as srv:
        yield srv


# One invented Q1 release and the report it should give, shared by the client, CLI and
# reliability tests.
XHKJ_DOC = "星河科技(纳斯达克:XHKJ)公布2024年第一季度财报。营业收入为3.2亿元人民币，同比增长12%。"
XHKJ_REPORT = {
    "company": {"name": "星河科技", "name_en": None, "ticker": "XHKJ", "exchange": "NASDAQ"},
    "fiscal_period": "2024Q1", "period_end": None, "currency": "CNY",
    "metrics": [{"metric": "revenue", "period": "2024Q1", "segment": None, "value": 320000000, "unit": "CNY",
                 "yoy_pct": 12.0, "qoq_pct": None, "evidence": "营业收入为3.2亿元人民币"}],
    "guidance": [],
}  # fmt: skip
