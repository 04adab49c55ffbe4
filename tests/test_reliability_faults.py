"""Reliability, endpoint faults: when retries run out, every fault kind ends as one typed error
that names its cause and the attempts made; truncation is handled on purpose, not re-asked.

Real HTTP throughout: the real openai client and instructor against tests/scripted_server.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from extract import Extractor
from extract.client import ModelClient
from extract.prompting import load_prompt
from extract.providers.remote import RemoteEndpoint
from extract.retry import SchemaError, TransportError, TruncatedOutput
from tests.conftest import CANARY_OK, XHKJ_DOC, XHKJ_REPORT, answering, wants_canary
from tests.scripted_server import (
    ScriptedServer,
    delay,
    empty_choices,
    html,
    length,
    ok,
    raw,
    reset,
    status,
)
from tests.test_client import GOOD, Names

ATTEMPTS = 3

DOC = XHKJ_DOC
REPORT = XHKJ_REPORT


def _client(settings) -> ModelClient:
    return ModelClient(settings, RemoteEndpoint(settings), None)


def _call(client: ModelClient):
    return client.structured(
        prompt=load_prompt("earnings_report/header"),
        variables={"snippet": "极光(Aurora Mobile)公布财报"},
        response_model=Names,
        schema_key={"name": "Names", "version": "1", "hash": "-"},
    )


def _chat_requests(srv: ScriptedServer) -> list[dict[str, Any]]:
    return [r for r in srv.requests if not wants_canary(r)]


# (behaviour repeated on every request, words the error must use)
EXHAUSTED = {
    "html-200": (html(), "HTML page"),
    "html-502": (html(code=502), "HTTP 502"),
    "cut-json": (raw('{"id": "x", "choices": [{"message": {"content": "{\\"na'), "not valid JSON"),
    "cut-transfer": (raw('{"id": "chatcmpl-1", "choices": [', content_length=4000), "connection failed"),
    "empty-choices": (empty_choices(), "empty choices"),
    "plain-text-200": (raw("upstream says no", content_type="text/plain"), "not a chat completion"),
    "timeout": (delay(3.0, ok(GOOD)), "timed out"),
    "reset": (reset(), "connection failed"),
    "429": (status(429, retry_after="0"), "HTTP 429"),
    "503": (status(503), "HTTP 503"),
}


@pytest.mark.parametrize("fault,words", EXHAUSTED.values(), ids=list(EXHAUSTED))
def test_each_fault_kind_ends_in_a_typed_error_naming_cause_and_attempts(make_settings, fault, words) -> None:
    with ScriptedServer([ok(CANARY_OK)], default=fault) as srv:
        client = _client(make_settings(srv, transport_attempts=ATTEMPTS, timeout=0.5))
        with pytest.raises(TransportError) as err:
            _call(client)
        assert err.value.attempts == ATTEMPTS
        assert err.value.reason == "transport"
        assert f"after {ATTEMPTS} attempt(s)" in str(err.value) and words in str(err.value), str(err.value)
        assert len(_chat_requests(srv)) == ATTEMPTS  # exactly the cap: no more, no fewer


def test_empty_content_is_a_schema_error_after_the_reasks(make_settings) -> None:
    with ScriptedServer([ok(CANARY_OK)], default=ok("")) as srv:
        client = _client(make_settings(srv, reasks=1))
        with pytest.raises(SchemaError) as err:
            _call(client)
        assert "after 2 attempt(s): Invalid JSON" in str(err.value)
        assert len(_chat_requests(srv)) == 2


def test_a_canary_that_cannot_get_through_fails_that_call_only(make_settings) -> None:
    # Found by this suite: the canary's TransportError left a connected client without a
    # mode, and every later call died on an AssertionError (which a batch re-raises).
    with ScriptedServer([status(503)] * ATTEMPTS, default=answering(GOOD)) as srv:
        client = _client(make_settings(srv, transport_attempts=ATTEMPTS))
        with pytest.raises(TransportError):
            _call(client)
        assert _call(client).value.name == "极光"
        assert client.mode_name == "json_schema_mode/json_schema"


def test_a_server_refusing_json_schema_with_400_gets_the_other_form(make_settings) -> None:
    # Found by this suite: the 400 arrived wrapped in TransportError, so the canary's
    # `except BadRequestError` never fired and the whole call failed.
    def refuses_json_schema(request: dict[str, Any]):
        fmt = request.get("response_format") or {}
        if fmt.get("type") == "json_schema":
            return status(400, body='{"error": {"message": "response_format json_schema not supported"}}')
        return ok(CANARY_OK) if wants_canary(request) else ok(GOOD)

    with ScriptedServer(default=refuses_json_schema) as srv:
        client = _client(make_settings(srv))
        assert _call(client).value.name == "极光"
        assert client.mode_name == "json_schema_mode/json_object"


def test_a_wrong_key_is_not_mistaken_for_a_refused_form(make_settings) -> None:
    with ScriptedServer(default=status(401)) as srv:
        client = _client(make_settings(srv))
        with pytest.raises(TransportError, match="HTTP 401"):
            _call(client)
        assert len(srv.requests) == 1  # the canary's 401 is final: not retried, no other form tried


# ------------------------------------------------------------------ truncation, on purpose


def _direct_answers(truncate_below: int):
    """EarningsReport requests with max_tokens < truncate_below are cut off (finish_reason
    length, half a JSON); larger budgets get the whole report."""

    def answer(request: dict[str, Any]):
        if wants_canary(request):
            return ok(CANARY_OK)
        if request.get("max_tokens", 0) < truncate_below:
            return length(json.dumps(REPORT, ensure_ascii=False)[:40])
        return ok(REPORT)

    return answer


def _budgets(srv: ScriptedServer) -> list[int]:
    return [r["max_tokens"] for r in _chat_requests(srv)]


def test_direct_strategy_retries_a_truncated_answer_once_with_double_budget(make_settings) -> None:
    with ScriptedServer(default=_direct_answers(truncate_below=2048)) as srv:
        with Extractor(settings=make_settings(srv, strategy="direct", max_tokens=1024)) as ex:
            result = ex.extract(DOC)
        assert _budgets(srv) == [1024, 2048]
        assert [m.value for m in result.report.metrics] == [320_000_000]
        assert result.usage["requests"] == 2  # the truncated attempt's tokens are counted too


def test_direct_strategy_gives_truncated_output_when_the_doubled_budget_truncates_too(make_settings) -> None:
    with ScriptedServer(default=_direct_answers(truncate_below=10**6)) as srv:
        settings = make_settings(srv, strategy="direct", max_tokens=1024)
        with Extractor(settings=settings) as ex:
            with pytest.raises(TruncatedOutput) as err:
                ex.extract(DOC)
            assert err.value.reason == "truncated" and err.value.max_tokens == 2048
            assert err.value.usage is not None and err.value.usage.requests == 2  # a failure still reports its cost
            assert "max_tokens=2048" in str(err.value)
            assert _budgets(srv) == [1024, 2048]  # once, doubled; never a blind re-ask
            with pytest.raises(TruncatedOutput):
                ex.extract(DOC)  # nothing was cached: the same two requests again
            assert _budgets(srv) == [1024, 2048, 1024, 2048]
