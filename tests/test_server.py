"""The HTTP service's API contract: real model calls against the scripted server, the app over
FastAPI's TestClient for pure-API checks and over real HTTP (uvicorn on 127.0.0.1) where
concurrency, sockets or processes matter."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from extract import weights
from extract.config import Settings
from extract.schemas import registry
from extract.server import ServiceConfig, ServiceConfigError, create_app
from extract.server.config import is_loopback, load_keys
from extract.server.runner import ServerThread
from tests.conftest import answering, wants_canary
from tests.scripted_server import Behaviour, ScriptedServer, ok, status
from tests.test_cli import DOC_A, DOC_B, DOC_C, _answer

KEY = "sk-service-KEY-1234567890"


def _model_requests(srv: ScriptedServer) -> list[dict[str, Any]]:
    return [r for r in srv.requests if not wants_canary(r)]


def _settings(srv: ScriptedServer, tmp_path: Path, **overrides: Any) -> Settings:
    base: dict[str, Any] = dict(
        base_url=srv.base_url, api_key="sk-model-SECRET", model="scripted", cache_dir=tmp_path / "cache",
        timeout=5.0, backoff_initial=0.01, backoff_max=0.05, transport_attempts=2,
    )  # fmt: skip
    base.update(overrides)
    return Settings(**base)


@pytest.fixture
def srv() -> Iterator[ScriptedServer]:
    with ScriptedServer(default=answering(_answer)) as s:
        yield s


@pytest.fixture
def client_for(srv: ScriptedServer, tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(config: ServiceConfig | None = None, **settings: Any) -> TestClient:
        config = config or ServiceConfig(jobs_db=tmp_path / "jobs.sqlite")
        client = TestClient(create_app(_settings(srv, tmp_path, **settings), config))
        client.__enter__()  # runs the lifespan: service built, job runner started
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def test_extract_returns_grounded_report_with_meta_then_serves_it_from_cache(
    client_for: Callable[..., TestClient], srv: ScriptedServer
) -> None:
    client = client_for()
    first = client.post("/v1/extract", json={"text": DOC_A, "schema": "earnings_report"})
    assert first.status_code == 200, first.text
    body = first.json()
    report, meta = body["report"], body["meta"]
    assert report["company"]["ticker"] == "XHKJ" and report["fiscal_period"] == "2024Q1"
    assert {(m["metric"], m["period"]): m["value"] for m in report["metrics"]}[("revenue", "2024Q1")] == 320_000_000
    assert all(m["evidence"] in DOC_A for m in report["metrics"])
    assert meta["schema"] == "earnings_report" and meta["schema_version"] == registry()["earnings_report"].version
    assert meta["strategy"] == "grounded" and meta["prompts"] and meta["pipeline_version"]
    assert meta["cached"] is False and meta["calls"] == 1 and meta["usage"]["requests"] == 1
    assert meta["usage"]["prompt_tokens"] == 10 and set(meta["timings"]) == {"queue_seconds", "extract_seconds"}
    sent = len(_model_requests(srv))

    again = client.post("/v1/extract", json={"text": DOC_A, "schema": "earnings_report"})
    assert again.status_code == 200
    assert again.json()["meta"]["cached"] is True and again.json()["report"] == report
    assert len(_model_requests(srv)) == sent  # served from the cache: the model saw nothing


def test_direct_strategy_and_per_request_cache_options(client_for: Callable[..., TestClient], srv: ScriptedServer) -> None:
    client = client_for()
    body = {"text": DOC_A, "schema": "earnings_report", "strategy": "direct"}
    first = client.post("/v1/extract", json=body)
    assert first.status_code == 200, first.text
    assert first.json()["meta"]["strategy"] == "direct" and first.json()["report"]["metrics"][0]["value"] == 320_000_000
    assert client.post("/v1/extract", json=body).json()["meta"]["cached"] is True
    sent = len(_model_requests(srv))
    refreshed = client.post("/v1/extract", json={**body, "options": {"refresh": True}})
    assert refreshed.json()["meta"]["cached"] is False and len(_model_requests(srv)) == sent + 1
    uncached = client.post("/v1/extract", json={**body, "options": {"cache": False}})
    assert uncached.json()["meta"]["cached"] is False and len(_model_requests(srv)) == sent + 2


def test_extract_and_jobs_default_the_schema_like_the_cli(client_for: Callable[..., TestClient]) -> None:
    from extract.schemas import DEFAULT_SCHEMA

    client = client_for()
    named = client.post("/v1/extract", json={"text": DOC_A, "schema": DEFAULT_SCHEMA}).json()
    unnamed = client.post("/v1/extract", json={"text": DOC_A})
    assert unnamed.status_code == 200, unnamed.text
    assert unnamed.json()["meta"]["schema"] == DEFAULT_SCHEMA and unnamed.json()["report"] == named["report"]
    job = client.post("/v1/jobs", json={"documents": [{"id": "a", "text": DOC_A}]})
    assert job.status_code == 202 and job.json()["schema"] == DEFAULT_SCHEMA


def test_a_job_document_comes_with_its_text_by_position(client_for: Callable[..., TestClient]) -> None:
    client = client_for()
    job = client.post("/v1/jobs", json={"documents": [{"id": "a", "text": DOC_A}, {"id": "b", "text": DOC_B}]}).json()
    deadline = time.monotonic() + 30
    while client.get(f"/v1/jobs/{job['id']}").json()["status"] != "done" and time.monotonic() < deadline:
        time.sleep(0.05)
    doc = client.get(f"/v1/jobs/{job['id']}/documents/1").json()
    assert doc["index"] == 1 and doc["id"] == "b" and doc["text"] == DOC_B and doc["status"] == "ok"
    assert doc["report"]["metrics"] and doc["meta"]["schema"] == "earnings_report"
    for missing in (f"/v1/jobs/{job['id']}/documents/2", "/v1/jobs/nope/documents/0"):
        resp = client.get(missing)
        assert resp.status_code == 404 and resp.json()["error"]["code"] == "document_not_found"
    assert client.get(f"/v1/jobs/{job['id']}/documents/-1").status_code == 422


@pytest.mark.parametrize(
    "name,data,status_code,expected",
    [
        ("a.txt", "营业收入为3.2亿元".encode("gb18030"), 200, "营业收入为3.2亿元"),
        ("a.html", b"<html><body><p>Revenue rose</p><script>x()</script></body></html>", 200, "Revenue rose"),
        ("a.md", b"\x00\x01binary", 422, "invalid_document"),
        ("a.txt", b"   ", 422, "invalid_document"),
    ],
)
def test_read_turns_an_uploaded_file_into_the_text_the_cli_would_read(
    client_for: Callable[..., TestClient], name: str, data: bytes, status_code: int, expected: str
) -> None:
    import base64

    resp = client_for().post("/v1/read", json={"name": name, "data_base64": base64.b64encode(data).decode()})
    assert resp.status_code == status_code, resp.text
    assert (resp.json()["text"] if status_code == 200 else resp.json()["error"]["code"]) == expected


def test_the_service_default_strategy_comes_from_the_settings(client_for: Callable[..., TestClient]) -> None:
    client = client_for(strategy="direct")
    assert client.post("/v1/extract", json={"text": DOC_A, "schema": "earnings_report"}).json()["meta"]["strategy"] == "direct"


@pytest.mark.parametrize(
    "body,status_code,code",
    [
        ({"text": DOC_A, "schema": "nope"}, 422, "unknown_schema"),
        ({"text": DOC_A, "schema": "earnings_report", "strategy": "clever"}, 422, "unknown_strategy"),
        ({"text": "x" * 101, "schema": "earnings_report"}, 422, "document_too_long"),
        ({"text": " \n\t", "schema": "earnings_report"}, 422, "empty_document"),
        ({"text": DOC_A, "schema": "earnings_report", "strategey": "direct"}, 422, "invalid_request"),  # typo'd field
        ({"text": DOC_A, "schema": "earnings_report", "options": {"cache": "no"}}, 422, "invalid_request"),
        ([DOC_A], 400, "invalid_body"),
        (b'{"text": "unterminated', 400, "malformed_json"),
    ],
)
def test_bad_extract_requests_get_clear_json_errors(
    client_for: Callable[..., TestClient], srv: ScriptedServer, tmp_path: Path, body: Any, status_code: int, code: str
) -> None:
    client = client_for(ServiceConfig(max_document_chars=100, jobs_db=tmp_path / "jobs.sqlite"))
    if isinstance(body, bytes):
        resp = client.post("/v1/extract", content=body, headers={"Content-Type": "application/json"})
    else:
        resp = client.post("/v1/extract", json=body)
    assert resp.status_code == status_code, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    error = resp.json()["error"]
    assert error["code"] == code and error["message"]
    assert DOC_A not in resp.text  # documents are never echoed back
    assert _model_requests(srv) == []


def test_unknown_schema_and_strategy_name_the_known_ones(client_for: Callable[..., TestClient]) -> None:
    client = client_for()
    schema = client.post("/v1/extract", json={"text": DOC_A, "schema": "nope"}).json()["error"]["message"]
    strategy = client.post("/v1/extract", json={"text": DOC_A, "schema": "earnings_report", "strategy": "x"}).json()["error"][
        "message"
    ]
    assert "'nope'" in schema and "earnings_report" in schema
    assert "direct" in strategy and "grounded" in strategy


def test_non_json_bodies_and_unknown_routes(client_for: Callable[..., TestClient]) -> None:
    client = client_for()
    resp = client.post("/v1/extract", content=b"text=hello", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status_code == 415 and resp.json()["error"]["code"] == "unsupported_media_type"
    assert client.get("/v2/nothing").json()["error"]["code"] == "not_found"
    resp = client.get("/v1/extract")
    assert resp.status_code == 405 and resp.json()["error"]["code"] == "method_not_allowed"


def test_body_size_limit_answers_413_announced_or_streamed(client_for: Callable[..., TestClient], tmp_path: Path) -> None:
    client = client_for(ServiceConfig(max_body_bytes=1000, jobs_db=tmp_path / "jobs.sqlite"))
    big = {"text": "营收" * 1000, "schema": "earnings_report"}
    resp = client.post("/v1/extract", json=big)
    assert resp.status_code == 413 and resp.json()["error"]["code"] == "body_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit counts what arrives
        yield b'{"text": "'
        for _ in range(50):
            yield b"a" * 100
        yield b'", "schema": "earnings_report"}'

    resp = client.post("/v1/extract", content=chunks(), headers={"Content-Type": "application/json"})
    assert resp.status_code == 413 and resp.json()["error"]["code"] == "body_too_large"
    small = client.post("/v1/extract", json={"text": DOC_C, "schema": "earnings_report"})
    assert small.status_code == 200, small.text


def test_model_endpoint_failure_is_a_502_naming_the_cause_without_secrets(
    client_for: Callable[..., TestClient], srv: ScriptedServer
) -> None:
    client = client_for()

    def fail(request: dict[str, Any]) -> Behaviour:
        return ok({"canary": 7}) if wants_canary(request) else status(400)

    srv.default = fail
    resp = client.post("/v1/extract", json={"text": DOC_A, "schema": "earnings_report"})
    assert resp.status_code == 502, resp.text
    error = resp.json()["error"]
    assert error["code"] == "transport" and "HTTP 400" in error["message"]
    assert "sk-model-SECRET" not in resp.text
    metrics = client.get("/metrics").text
    assert 'extract_errors_total{reason="transport"} 1.0' in metrics


def test_schemas_health_and_metrics(client_for: Callable[..., TestClient]) -> None:
    client = client_for()
    schemas = client.get("/v1/schemas").json()
    info = registry()["earnings_report"]
    assert {
        "name": info.name,
        "version": info.version,
        "hash": info.json_schema_hash,
        "json_schema": info.json_schema,
    } in schemas["schemas"]
    assert schemas["strategies"] == ["direct", "grounded", "quoted"]
    assert client.get("/healthz").json() == {"status": "ok"}
    client.post("/v1/extract", json={"text": DOC_A, "schema": "earnings_report"})
    client.post("/v1/extract", json={"text": DOC_A, "schema": "earnings_report"})
    client.post("/v1/extract", json={"text": DOC_A, "schema": "nope"})
    resp = client.get("/metrics")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain")
    text = resp.text
    for line in (
        'extract_http_requests_total{method="POST",route="/v1/extract",status="200"} 2.0',
        'extract_http_requests_total{method="POST",route="/v1/extract",status="422"} 1.0',
        'extract_http_request_duration_seconds_count{method="POST",route="/v1/extract"} 3.0',
        'extract_model_tokens_total{kind="prompt"} 10.0',
        'extract_model_tokens_total{kind="completion"} 5.0',
        "extract_cache_hits_total 1.0",
        "extract_cache_misses_total 1.0",
        'extract_extractions_total{outcome="ok",source="request"} 2.0',
    ):
        assert line in text, line
    assert "# TYPE extract_http_request_duration_seconds histogram" in text


def test_readyz_tells_the_truth_about_the_model_endpoint(client_for: Callable[..., TestClient], tmp_path: Path) -> None:
    up = client_for().get("/readyz")
    assert up.status_code == 200 and up.json()["ready"] is True
    down = client_for(ServiceConfig(jobs_db=tmp_path / "other.sqlite"), base_url="http://127.0.0.1:9/v1").get("/readyz")
    assert down.status_code == 503 and down.json()["ready"] is False and "unreachable" in down.json()["detail"]


def test_readyz_for_the_embedded_model_is_false_until_its_server_runs(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path / "cache")  # embedded; not warmed, so nothing starts
    with TestClient(create_app(settings, ServiceConfig(warm=False, jobs_db=tmp_path / "jobs.sqlite"))) as client:
        resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp.json()["endpoint"] == "embedded" and "not running" in resp.json()["detail"]


# --------------------------------------------------------------------------- auth


def test_api_keys_bearer_or_header_compared_and_never_logged(
    client_for: Callable[..., TestClient], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = client_for(ServiceConfig(api_keys=("other-key", KEY), jobs_db=tmp_path / "jobs.sqlite"))
    body = {"text": DOC_B, "schema": "earnings_report"}
    missing = client.post("/v1/extract", json=body)
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "unauthorized"
    assert missing.headers["www-authenticate"] == "Bearer"
    assert client.post("/v1/extract", json=body, headers={"Authorization": f"Bearer {KEY}x"}).status_code == 401
    assert client.post("/v1/extract", json=body, headers={"X-API-Key": KEY[:-1]}).status_code == 401
    assert client.post("/v1/extract", json=body, headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
    assert client.post("/v1/extract", json=body, headers={"X-API-Key": KEY}).status_code == 200
    assert client.get("/metrics").status_code == 401
    assert client.get("/v1/jobs/abc").status_code == 401
    assert client.get("/healthz").status_code == 200 and client.get("/readyz").status_code == 200  # probes stay open
    for open_path in ("/", "/static/view/view.js", "/static/page/page.js", "/docs", "/static/docs/swagger-ui.css"):
        assert client.get(open_path).status_code == 200, open_path  # the page and docs: the API behind them wants the key
    assert client.post("/v1/read", json={"name": "a.txt", "data_base64": "YWJj"}).status_code == 401
    assert client.get("/v1/jobs/abc/documents/0").status_code == 401
    spec = client.get("/openapi.json").json()
    assert set(spec["components"]["securitySchemes"]) == {"bearer", "apiKey"}
    assert spec["paths"]["/v1/extract"]["post"]["security"] == [{"bearer": []}, {"apiKey": []}]
    assert KEY not in caplog.text and KEY not in repr(ServiceConfig(api_keys=(KEY,)))


def test_no_key_needed_on_loopback_but_required_elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")
    ServiceConfig(host="127.0.0.1").check_bind()
    with pytest.raises(ServiceConfigError, match="without an API key"):
        ServiceConfig(host="0.0.0.0").check_bind()
    ServiceConfig(host="0.0.0.0", api_keys=(KEY,)).check_bind()

    monkeypatch.setenv("EXTRACT_SERVE_KEYS", " a-key , b-key ,")
    keyfile = tmp_path / "keys"
    keyfile.write_text("# service keys\nc-key\n\nb-key\n")
    assert load_keys(keyfile) == ("a-key", "b-key", "c-key")


def test_serve_refuses_a_public_address_without_a_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXTRACT_")}
    env.update(EXTRACT_CONFIG=str(tmp_path / "none.toml"), EXTRACT_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.run(
        [sys.executable, "-m", "extract", "serve", "--host", "0.0.0.0", "--base-url", "http://127.0.0.1:9/v1"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "refusing to listen on 0.0.0.0 without an API key" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


# --------------------------------------------------------------------------- over real HTTP


def _post(url: str, body: Any, timeout: float = 30.0) -> tuple[int, dict[str, str], Any]:
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, json.loads(exc.read())


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.01)


def test_a_full_queue_answers_429_with_retry_after_and_the_held_request_completes(tmp_path: Path) -> None:
    release = threading.Event()

    def held(request: dict[str, Any]) -> Behaviour:
        if wants_canary(request):
            return ok({"canary": 7})
        release.wait(30)  # the model is busy until the test says so
        return ok(_answer(request))

    with ScriptedServer(default=held) as srv:
        settings = _settings(srv, tmp_path, concurrency=1, timeout=60.0)
        app = create_app(settings, ServiceConfig(queue_size=1, retry_after=3, jobs_db=tmp_path / "jobs.sqlite"))
        with ServerThread(app) as server:
            url = server.url + "/v1/extract"
            results: list[tuple[int, dict[str, str], Any]] = []
            texts = [DOC_A, DOC_B]
            threads = [
                threading.Thread(target=lambda t=t: results.append(_post(url, {"text": t, "schema": "earnings_report"})))
                for t in texts
            ]
            threads[0].start()
            _wait_for(lambda: len(_model_requests(srv)) == 1, "the first request to reach the model")
            threads[1].start()  # waits in the queue (size 1)
            _wait_for(lambda: app.state.service.pool.admitted == 2, "the second request to be queued")
            code, headers, body = _post(url, {"text": DOC_C, "schema": "earnings_report"})
            assert code == 429 and headers["retry-after"] == "3"
            assert body["error"]["code"] == "overloaded"
            release.set()
            for t in threads:
                t.join(30)
            assert sorted(r[0] for r in results) == [200, 200]
            metrics = urllib.request.urlopen(server.url + "/metrics", timeout=10).read().decode()
            assert 'extract_rejected_total{reason="overloaded"} 1.0' in metrics
            assert 'extract_http_requests_total{method="POST",route="/v1/extract",status="429"} 1.0' in metrics


# --------------------------------------------------------------------------- the embedded model

SMALL = "qwen2.5-coder-0.5b"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "zh_07_chiyuan_2023q3.txt"


@pytest.mark.model
@pytest.mark.skipif(
    not weights.local_path(SMALL).is_file() and os.environ.get("CI") != "true",
    reason="run `extract model pull qwen2.5-coder-0.5b` first",
)
def test_embedded_model_ready_once_its_server_is_up_and_stopped_with_the_service(tmp_path: Path) -> None:
    settings = Settings(model=SMALL, cache_dir=tmp_path / "cache")
    app = create_app(settings, ServiceConfig(jobs_db=tmp_path / "jobs.sqlite"))  # warm: starts the server now
    with TestClient(app) as client:
        _wait_for(lambda: client.get("/readyz").status_code == 200, "the embedded server", timeout=300)
        assert "is up" in client.get("/readyz").json()["detail"]
        resp = client.post("/v1/extract", json={"text": EXAMPLE.read_text(encoding="utf-8"), "schema": "earnings_report"})
        assert resp.status_code == 200, resp.text
        assert resp.json()["report"]["metrics"] and resp.json()["meta"]["usage"]["requests"] >= 1
        server = app.state.service.extractor.client.endpoint
        pid = server.pid
        assert pid is not None and client.get("/readyz").status_code == 200
    assert server.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the llama.cpp server stopped with the service
