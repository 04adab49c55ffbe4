"""The model call over real HTTP: transport retries, schema re-asks, truncation, canary, cache.

Every test talks to a ScriptedServer through the real openai client and instructor.
"""

from __future__ import annotations

import pytest
from pydantic import BaseModel, field_validator

from extract.cache import ResultCache
from extract.client import ModelClient
from extract.prompting import load_prompt
from extract.providers.remote import RemoteEndpoint
from extract.retry import SchemaError, TransportError, TruncatedOutput
from tests.conftest import CANARY_OK, answering
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


class Names(BaseModel):
    name: str | None = None
    name_en: str | None = None

    @field_validator("name")
    @classmethod
    def _no_digits(cls, v: str | None) -> str | None:
        if v and any(ch.isdigit() for ch in v):
            raise ValueError("a company name has no digits here")
        return v


GOOD = {"name": "极光", "name_en": "Aurora Mobile"}


def _client(settings, cache=True) -> ModelClient:
    return ModelClient(settings, RemoteEndpoint(settings), ResultCache(settings.cache_dir) if cache else None)


def _call(client: ModelClient, snippet: str = "极光(Aurora Mobile)公布财报", max_tokens: int | None = None):
    return client.structured(
        prompt=load_prompt("earnings_report/header"),
        variables={"snippet": snippet},
        response_model=Names,
        schema_key={"name": "Names", "version": "1", "hash": "-"},
        max_tokens=max_tokens,
    )


def _chat_requests(srv: ScriptedServer) -> list[dict]:
    return [r for r in srv.requests if "canary" not in str(r.get("response_format"))]


@pytest.mark.parametrize(
    "fault",
    [
        status(429, retry_after="0"),
        status(429),
        status(500),
        status(502),
        status(503),
        reset(),
        html(),
        raw('{"id": "x", "choices": [{"message": {"content": "{\\"na'),
        empty_choices(),
    ],
    ids=["429-retry-after", "429", "500", "502", "503", "reset", "html", "cut-json", "empty-choices"],
)
def test_transport_faults_are_retried_then_succeed(make_settings, fault) -> None:
    with ScriptedServer([ok(CANARY_OK), fault, fault], default=answering(GOOD)) as srv:
        client = _client(make_settings(srv))
        result = _call(client)
        assert result.value.name == "极光"
        assert result.usage.transport_retries == 2
        assert len(_chat_requests(srv)) == 3


def test_timeout_is_retried(make_settings) -> None:
    with ScriptedServer([ok(CANARY_OK), delay(2.0, ok(GOOD))], default=answering(GOOD)) as srv:
        client = _client(make_settings(srv, timeout=0.5))
        assert _call(client).value.name == "极光"


def test_retry_after_header_is_honoured(make_settings) -> None:
    import time

    with ScriptedServer([ok(CANARY_OK), status(429, retry_after="1")], default=answering(GOOD)) as srv:
        client = _client(make_settings(srv))
        assert client.mode_name.startswith("json_schema_mode")  # connects and runs the canary first
        started = time.monotonic()
        _call(client)
        # The server asked for 1 s; our own backoff here is 0.01-0.05 s.
        assert time.monotonic() - started >= 0.9


def test_transport_cap_gives_typed_error_with_attempts(make_settings) -> None:
    with ScriptedServer([ok(CANARY_OK)], default=status(503)) as srv:
        client = _client(make_settings(srv, transport_attempts=3))
        with pytest.raises(TransportError) as err:
            _call(client)
        assert err.value.attempts == 3
        assert "503" in str(err.value)
        assert len(_chat_requests(srv)) == 3


def test_client_errors_are_not_retried(make_settings) -> None:
    with ScriptedServer([ok(CANARY_OK)], default=status(400)) as srv:
        client = _client(make_settings(srv))
        with pytest.raises(TransportError):
            _call(client)
        assert len(_chat_requests(srv)) == 1


def test_schema_reask_then_success_counts_usage_of_every_attempt(make_settings) -> None:
    bad = {"name": "极光2023", "name_en": None}
    with ScriptedServer([ok(CANARY_OK), ok(bad, prompt_tokens=100, completion_tokens=7)], default=answering(GOOD)) as srv:
        client = _client(make_settings(srv))
        result = _call(client)
        assert result.value.name == "极光"
        assert result.usage.requests == 2
        assert result.usage.prompt_tokens == 100 + 10  # the failed attempt is counted too
        reask = _chat_requests(srv)[1]["messages"]
        assert "digits" in str(reask)  # the validator's message goes back to the model


def test_schema_reasks_are_capped(make_settings) -> None:
    with ScriptedServer(default=answering({"name": "极光2023"})) as srv:
        client = _client(make_settings(srv, reasks=2))
        with pytest.raises(SchemaError) as err:
            _call(client)
        assert "3 attempt" in str(err.value)
        assert len(_chat_requests(srv)) == 3


def test_truncation_is_its_own_error_not_a_reask(make_settings) -> None:
    with ScriptedServer([ok(CANARY_OK)], default=length('{"name": "极')) as srv:
        client = _client(make_settings(srv))
        with pytest.raises(TruncatedOutput):
            _call(client, max_tokens=5)
        assert len(_chat_requests(srv)) == 1


def test_canary_detects_a_server_that_ignores_the_schema(make_settings) -> None:
    # Answers everything, canary included, with plain prose: it constrains nothing.
    with ScriptedServer(default=ok("Hello!")) as srv:
        client = _client(make_settings(srv))
        assert client.mode_name.startswith("markdown_json_mode")


def test_canary_picks_the_schema_form_the_server_honours(make_settings) -> None:
    def honours_only_json_object(request):
        fmt = request.get("response_format") or {}
        if fmt.get("type") == "json_object" and "schema" in fmt:
            return ok(CANARY_OK)
        return ok("Hello!")

    with ScriptedServer(default=honours_only_json_object) as srv:
        client = _client(make_settings(srv))
        assert client.mode_name == "json_schema_mode/json_object"


def test_cache_hit_sends_nothing_and_failures_are_not_cached(make_settings) -> None:
    with ScriptedServer([ok(CANARY_OK), status(500), status(500), status(500), status(500)], default=answering(GOOD)) as srv:
        settings = make_settings(srv)
        client = _client(settings)
        with pytest.raises(TransportError):
            _call(client)
        first = _call(client)  # the failure was not cached: this one reaches the server
        assert not first.cached
        sent = len(srv.requests)
        second = _call(client)
        assert second.cached and second.value.model_dump() == first.value.model_dump()
        assert len(srv.requests) == sent


def test_refresh_recomputes_and_no_cache_never_stores(make_settings) -> None:
    with ScriptedServer(default=answering(GOOD)) as srv:
        _call(_client(make_settings(srv)))
        assert not _call(_client(make_settings(srv, refresh=True))).cached
        assert not _call(_client(make_settings(srv, use_cache=False))).cached
        assert _call(_client(make_settings(srv))).cached


def test_api_key_is_sent_but_never_in_cache_key(make_settings) -> None:
    with ScriptedServer(default=answering(GOOD)) as srv:
        settings = make_settings(srv, api_key="sk-SECRET-123456")
        client = _client(settings)
        _call(client)
        assert srv.requests[-1]["_headers"]["authorization"] == "Bearer sk-SECRET-123456"
        key_parts = str(client.endpoint.identity)
        assert "SECRET" not in key_parts
