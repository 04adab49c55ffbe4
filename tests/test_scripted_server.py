"""Tests of tests/scripted_server.py with the real openai client over real HTTP.

Client retries are off (max_retries=0) unless a test says otherwise, so each scripted
behaviour is observed as the client reports it. The assertions double as a record of how
the openai client reacts to each fault.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import openai
import pytest

from tests.scripted_server import (
    Behaviour,
    ScriptedServer,
    delay,
    empty_choices,
    flaky,
    html,
    length,
    ok,
    raw,
    reset,
    status,
    tool_call,
)

MESSAGES = [{"role": "user", "content": "Extract the invoice total."}]


def make_client(srv: ScriptedServer, **kwargs: Any) -> openai.OpenAI:
    kwargs.setdefault("max_retries", 0)
    kwargs.setdefault("timeout", 5.0)
    return openai.OpenAI(base_url=srv.base_url, api_key="test", **kwargs)


def chat(client: openai.OpenAI, model: str = "gpt-test", **kwargs: Any) -> Any:
    return client.chat.completions.create(model=model, messages=MESSAGES, **kwargs)


# --------------------------------------------------------------------------- happy paths


def test_ok_round_trip_content_usage_and_model_echo() -> None:
    with ScriptedServer([ok("hello", prompt_tokens=12, completion_tokens=3)]) as srv:
        resp = chat(make_client(srv), model="my-model-1")
    assert isinstance(resp, openai.types.chat.ChatCompletion)
    assert resp.object == "chat.completion"
    assert resp.model == "my-model-1"
    assert resp.id.startswith("chatcmpl-")
    choice = resp.choices[0]
    assert choice.message.role == "assistant"
    assert choice.message.content == "hello"
    assert choice.finish_reason == "stop"
    assert resp.usage is not None
    assert (resp.usage.prompt_tokens, resp.usage.completion_tokens, resp.usage.total_tokens) == (12, 3, 15)


def test_ok_dict_content_is_json_without_ascii_escapes() -> None:
    payload = {"vendor": "Café Müller", "total": 12.5}
    with ScriptedServer([ok(payload)]) as srv:
        resp = chat(make_client(srv))
    content = resp.choices[0].message.content
    assert "Café Müller" in content
    assert json.loads(content) == payload


def test_tool_call() -> None:
    with ScriptedServer([tool_call({"total": 42, "currency": "EUR"}, name="Invoice")]) as srv:
        tools = [{"type": "function", "function": {"name": "Invoice", "parameters": {"type": "object"}}}]
        resp = chat(make_client(srv), tools=tools)
    choice = resp.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    (call,) = choice.message.tool_calls
    assert call.type == "function"
    assert call.function.name == "Invoice"
    assert json.loads(call.function.arguments) == {"total": 42, "currency": "EUR"}
    assert srv.requests[0]["tools"] == tools


def test_length_finish_reason_is_visible() -> None:
    with ScriptedServer([length('{"total": 4')]) as srv:
        resp = chat(make_client(srv))
    assert resp.choices[0].finish_reason == "length"
    assert resp.choices[0].message.content == '{"total": 4'


def test_empty_choices_parses_to_empty_list() -> None:
    with ScriptedServer([empty_choices()]) as srv:
        resp = chat(make_client(srv))
    assert isinstance(resp, openai.types.chat.ChatCompletion)
    assert resp.choices == []
    assert resp.usage is not None


# --------------------------------------------------------------------------- HTTP status faults


def test_429_with_retry_after_header_on_rate_limit_error() -> None:
    with ScriptedServer([status(429, retry_after="7"), status(429)]) as srv:
        client = make_client(srv)
        with pytest.raises(openai.RateLimitError) as info:
            chat(client)
        err = info.value
        assert err.status_code == 429
        assert err.response.headers["retry-after"] == "7"
        assert err.body == {"message": "scripted HTTP 429", "type": "rate_limit_exceeded", "param": None, "code": None}
        assert err.request_id is not None and err.request_id.startswith("req_scripted_")

        with pytest.raises(openai.RateLimitError) as info:
            chat(client)
        assert "retry-after" not in info.value.response.headers


@pytest.mark.parametrize("code", [500, 502, 503])
def test_5xx_is_internal_server_error(code: int) -> None:
    with ScriptedServer([status(code)]) as srv, pytest.raises(openai.InternalServerError) as info:
        chat(make_client(srv))
    assert info.value.status_code == code
    assert info.value.body["type"] == "server_error"


def test_4xx_maps_to_specific_errors() -> None:
    with ScriptedServer([status(400), status(401), status(404)]) as srv:
        client = make_client(srv)
        for exc in (openai.BadRequestError, openai.AuthenticationError, openai.NotFoundError):
            with pytest.raises(exc):
                chat(client)


def test_status_custom_body_and_headers() -> None:
    script = [
        status(503, body="upstream overloaded", headers={"x-should-retry": "false"}),
        status(500, body='{"error": {"message": "boom", "type": "server_error"}}'),
    ]
    with ScriptedServer(script) as srv:
        client = make_client(srv)
        with pytest.raises(openai.InternalServerError) as info:
            chat(client)
        assert info.value.body == "upstream overloaded"  # non-JSON error body: kept as text
        assert info.value.response.headers["x-should-retry"] == "false"
        with pytest.raises(openai.InternalServerError) as info:
            chat(client)
        assert info.value.body == {"message": "boom", "type": "server_error"}
        assert "boom" in str(info.value)


# --------------------------------------------------------------------------- transport faults


def test_reset_is_api_connection_error_not_timeout() -> None:
    with ScriptedServer([reset()], default=ok("after")) as srv:
        client = make_client(srv)
        with pytest.raises(openai.APIConnectionError) as info:
            chat(client)
        assert type(info.value) is openai.APIConnectionError
        assert len(srv.requests) == 1  # the request arrived; no answer was sent
        assert chat(client).choices[0].message.content == "after"  # server keeps serving


def test_delay_past_client_timeout_is_api_timeout_error() -> None:
    with ScriptedServer([delay(3.0, ok("late"))]) as srv:
        start = time.monotonic()
        with pytest.raises(openai.APITimeoutError):
            chat(make_client(srv, timeout=0.5))
        elapsed = time.monotonic() - start
    assert 0.4 < elapsed < 1.5
    # APITimeoutError subclasses APIConnectionError: catch it first when they differ.
    assert issubclass(openai.APITimeoutError, openai.APIConnectionError)


def test_delay_within_timeout_answers() -> None:
    with ScriptedServer([delay(0.2, ok("slow but fine"))]) as srv:
        assert chat(make_client(srv)).choices[0].message.content == "slow but fine"


def test_delay_does_not_block_other_requests() -> None:
    with ScriptedServer([delay(1.0, ok("slow"))], default=ok("fast")) as srv:
        client = make_client(srv)
        results: list[str] = []
        worker = threading.Thread(target=lambda: results.append(chat(client).choices[0].message.content))
        worker.start()
        deadline = time.monotonic() + 2
        while not srv.requests and time.monotonic() < deadline:
            time.sleep(0.01)
        start = time.monotonic()
        assert chat(client).choices[0].message.content == "fast"
        assert time.monotonic() - start < 0.5
        worker.join(5)
    assert results == ["slow"]


def test_exit_does_not_wait_for_pending_delay() -> None:
    errors: list[BaseException] = []
    srv = ScriptedServer([delay(30.0, ok("never"))])
    with srv:
        client = make_client(srv, timeout=10.0)

        def call() -> None:
            try:
                chat(client)
            except BaseException as exc:  # noqa: BLE001 - recorded for the assertion below
                errors.append(exc)

        worker = threading.Thread(target=call)
        worker.start()
        deadline = time.monotonic() + 2
        while not srv.requests and time.monotonic() < deadline:
            time.sleep(0.01)
        assert srv.requests
        start = time.monotonic()
    assert time.monotonic() - start < 2.0
    worker.join(5)
    assert not worker.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], openai.APIConnectionError)


def test_truncated_body_mid_transfer_is_connection_error() -> None:
    body = '{"id": "chatcmpl-1", "object": "chat.completion", "choi'
    srv = ScriptedServer([raw(body, content_length=len(body) + 100)])
    with srv, pytest.raises(openai.APIConnectionError):
        chat(make_client(srv))


# --------------------------------------------------------------------------- malformed bodies


def test_truncated_json_body_raises_plain_json_decode_error() -> None:
    # Correct HTTP framing, JSON cut off mid-string: the client does NOT wrap this in an
    # OpenAIError, it escapes as json.JSONDecodeError (a ValueError).
    srv = ScriptedServer([raw('{"id": "chatcmpl-1", "object": "chat.comp')])
    with srv, pytest.raises(json.JSONDecodeError) as info:
        chat(make_client(srv))
    assert not isinstance(info.value, openai.OpenAIError)


def test_html_200_is_returned_as_plain_str() -> None:
    # Non-JSON content type on a 2xx: the client tries JSON, fails, and returns response.text.
    page = "<html><body>Please log in</body></html>"
    with ScriptedServer([html(page)]) as srv:
        resp = chat(make_client(srv))
    assert resp == page
    assert isinstance(resp, str)


def test_html_200_with_strict_validation_is_validation_error() -> None:
    with ScriptedServer([html()]) as srv, pytest.raises(openai.APIResponseValidationError):
        chat(make_client(srv, _strict_response_validation=True))


def test_html_error_status_keeps_status_class_and_text_body() -> None:
    with ScriptedServer([html(code=502)]) as srv, pytest.raises(openai.InternalServerError) as info:
        chat(make_client(srv))
    assert info.value.status_code == 502
    assert isinstance(info.value.body, str) and "<html>" in info.value.body


def test_json_with_wrong_content_type_is_still_parsed() -> None:
    body = json.dumps({"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": []})
    with ScriptedServer([raw(body, content_type="text/plain")]) as srv:
        resp = chat(make_client(srv))
    assert isinstance(resp, openai.types.chat.ChatCompletion)


# --------------------------------------------------------------------------- script / default


def test_script_order_then_default_and_push() -> None:
    with ScriptedServer([ok("one"), ok("two")], default=ok("default")) as srv:
        client = make_client(srv)
        assert srv.remaining == 2
        got = [chat(client).choices[0].message.content for _ in range(3)]
        assert got == ["one", "two", "default"]
        srv.push(ok("pushed-1"), ok("pushed-2"))
        assert srv.remaining == 2
        got = [chat(client).choices[0].message.content for _ in range(3)]
        assert got == ["pushed-1", "pushed-2", "default"]
        assert srv.remaining == 0


def test_exhausted_script_without_default_is_clear_500() -> None:
    with ScriptedServer([ok("only")]) as srv:
        client = make_client(srv)
        chat(client)
        with pytest.raises(openai.InternalServerError) as info:
            chat(client)
    assert "script exhausted and no default" in str(info.value)


def test_default_function_sees_request_and_headers() -> None:
    def echo(request: dict[str, Any]) -> Behaviour:
        retry = request["_headers"]["x-stainless-retry-count"]
        return ok(f"{request['model']}|{request['messages'][-1]['content']}|{retry}")

    with ScriptedServer(default=echo) as srv:
        resp = chat(make_client(srv), model="m-7")
    assert resp.choices[0].message.content == "m-7|Extract the invoice total.|0"


def test_default_function_raising_is_500_and_recorded() -> None:
    def broken(request: dict[str, Any]) -> Behaviour:
        raise KeyError("oops")

    with ScriptedServer(default=broken) as srv:
        with pytest.raises(openai.InternalServerError) as info:
            chat(make_client(srv))
        assert "KeyError" in str(info.value)
        assert len(srv.errors) == 1 and isinstance(srv.errors[0], KeyError)


def test_requests_recorded_with_headers() -> None:
    with ScriptedServer(default=ok("x")) as srv:
        client = make_client(srv)
        chat(client, model="a", temperature=0.0)
        chat(client, model="b", response_format={"type": "json_object"})
        threads = [threading.Thread(target=chat, args=(client,)) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(5)
    assert len(srv.requests) == 10
    first, second = srv.requests[:2]
    assert first["model"] == "a" and first["temperature"] == 0.0 and first["messages"] == MESSAGES
    assert second["response_format"] == {"type": "json_object"}
    headers = first["_headers"]
    assert headers["authorization"] == "Bearer test"
    assert headers["content-type"] == "application/json"
    assert headers["x-stainless-retry-count"] == "0"


def test_builtin_client_retries_honour_retry_after() -> None:
    # The client's own retry loop: retries 5xx/429, sleeps Retry-After when 0 < it <= 120 s,
    # and counts attempts in the x-stainless-retry-count header.
    script = [status(500, retry_after="0.01"), status(429, retry_after="0.01")]
    with ScriptedServer(script, default=ok("finally")) as srv:
        resp = chat(make_client(srv, max_retries=2))
    assert resp.choices[0].message.content == "finally"
    assert [r["_headers"]["x-stainless-retry-count"] for r in srv.requests] == ["0", "1", "2"]


def test_builtin_client_does_not_retry_huge_retry_after_or_should_retry_false() -> None:
    script = [status(429, retry_after="500"), status(503, headers={"x-should-retry": "false"})]
    with ScriptedServer(script, default=ok("unused")) as srv:
        client = make_client(srv, max_retries=3)
        with pytest.raises(openai.RateLimitError):
            chat(client)
        with pytest.raises(openai.InternalServerError):
            chat(client)
        assert len(srv.requests) == 2


# --------------------------------------------------------------------------- flaky()


def _outcome(client: openai.OpenAI) -> str:
    try:
        chat(client)
    except openai.APIStatusError as exc:
        return str(exc.status_code)
    except openai.APIConnectionError:
        return "reset"
    return "ok"


def _run_flaky(rate: float, seed: int, n: int) -> list[str]:
    with ScriptedServer(default=flaky(lambda request: ok("fine"), rate, seed)) as srv:
        client = make_client(srv)
        outcomes = [_outcome(client) for _ in range(n)]
        assert len(srv.requests) == n
    return outcomes


def test_flaky_is_deterministic_and_near_its_rate() -> None:
    rate = 0.3
    first = _run_flaky(rate, seed=1234, n=200)
    second = _run_flaky(rate, seed=1234, n=200)
    assert first == second
    failures = sum(o != "ok" for o in first)
    assert abs(failures / 200 - rate) <= 0.1
    assert {"429", "500", "503", "reset"} <= set(first)

    other = flaky(lambda request: ok("fine"), rate, seed=99)
    same = flaky(lambda request: ok("fine"), rate, seed=1234)
    assert [same({}) for _ in range(50)] != [other({}) for _ in range(50)]


def test_flaky_extremes_and_validation() -> None:
    never = flaky(lambda request: ok("fine"), 0.0, seed=1)
    always = flaky(lambda request: ok("fine"), 1.0, seed=1)
    assert all(never({}) == ok("fine") for _ in range(50))
    assert all(always({}) != ok("fine") for _ in range(50))
    with pytest.raises(ValueError):
        flaky(lambda request: ok("fine"), 1.5, seed=1)


# --------------------------------------------------------------------------- misc endpoints


def test_models_and_health_endpoints() -> None:
    with ScriptedServer() as srv:
        models = make_client(srv).models.list()
        assert [m.id for m in models.data] == ["scripted"]
        root = srv.base_url.removesuffix("/v1")
        with urllib.request.urlopen(f"{root}/health", timeout=5) as resp:
            assert json.loads(resp.read()) == {"status": "ok"}
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(f"{root}/nope", timeout=5)
        assert info.value.code == 404
        info.value.close()
        assert srv.requests == []  # only chat completions are recorded


def test_base_url_only_while_running() -> None:
    srv = ScriptedServer()
    with pytest.raises(RuntimeError):
        _ = srv.base_url
    with srv:
        assert srv.base_url.startswith("http://127.0.0.1:") and srv.base_url.endswith("/v1")
    with pytest.raises(RuntimeError):
        _ = srv.base_url


def test_async_client_sees_the_same_faults() -> None:
    async def scenario(base_url: str) -> list[str]:
        client = openai.AsyncOpenAI(base_url=base_url, api_key="test", max_retries=0, timeout=0.5)
        seen = []
        for _ in range(4):
            try:
                resp = await client.chat.completions.create(model="m", messages=MESSAGES)
                seen.append(resp.choices[0].message.content)
            except openai.APIError as exc:
                seen.append(type(exc).__name__)
        await client.close()
        return seen

    with ScriptedServer([ok("a"), reset(), delay(2.0, ok("late")), status(429)]) as srv:
        seen = asyncio.run(scenario(srv.base_url))
    assert seen == ["a", "APIConnectionError", "APITimeoutError", "RateLimitError"]
