"""Jobs over the HTTP service: accepted at once, processed in the background, kept in SQLite;
they survive a graceful restart and a SIGKILL, and no document is lost or done twice."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from extract.config import Settings
from extract.server import ServiceConfig, create_app
from extract.server.jobs import JobStore, JobStoreError
from extract.server.runner import ServerThread
from tests.conftest import wants_canary
from tests.scripted_server import Behaviour, ScriptedServer, ok, status

ROOT = Path(__file__).resolve().parents[1]


def doc(n: int) -> str:
    """A document whose model request (the grounded header snippet) names its number."""
    return f"星河{n:02d}号科技(纳斯达克:XHKJ)公布2024年第一季度财报。营业收入为3.{n}亿元人民币，同比增长12%。"


def doc_number(request: dict[str, Any]) -> int | None:
    found = re.search(r"星河(\d\d)号", json.dumps(request.get("messages"), ensure_ascii=False))
    return int(found.group(1)) if found else None


class Model:
    """Scripted model behaviour: names the company; counts requests per document; can hold one
    document's request until released (a model call in flight)."""

    def __init__(self, hold: int | None = None, fail: int | None = None) -> None:
        self.hold, self.fail = hold, fail
        self.seen: Counter[int] = Counter()
        self.held = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, request: dict[str, Any]) -> Behaviour:
        if wants_canary(request):
            return ok({"canary": 7})
        n = doc_number(request)
        assert n is not None
        with self._lock:
            self.seen[n] += 1
        if n == self.fail:
            return status(400)
        if n == self.hold and not self.release.is_set():
            self.held.set()
            self.release.wait(60)
        return ok({"name": f"星河{n:02d}号科技", "name_en": None})


def _settings(srv: ScriptedServer, tmp_path: Path, **overrides: Any) -> Settings:
    base: dict[str, Any] = dict(
        base_url=srv.base_url, api_key="sk-test", model="scripted", cache_dir=tmp_path / "cache",
        timeout=60.0, backoff_initial=0.01, backoff_max=0.05, transport_attempts=2, concurrency=1,
    )  # fmt: skip
    base.update(overrides)
    return Settings(**base)


def _wait_for(condition: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)
    return value


def _get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())
    except OSError:
        return 0, None


def _post(url: str, body: Any) -> tuple[int, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _statuses(db: Path, job_id: str) -> dict[int, tuple[str, int]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT seq, status, attempts FROM documents WHERE job_id = ? ORDER BY seq", (job_id,)).fetchall()
    return {seq: (state, attempts) for seq, state, attempts in rows}


@pytest.fixture
def model() -> Model:
    return Model()


@pytest.fixture
def srv(model: Model) -> Iterator[ScriptedServer]:
    with ScriptedServer(default=model) as s:
        yield s


def test_job_accepted_at_once_then_every_document_ends_ok_or_failed(tmp_path: Path) -> None:
    model = Model(fail=1)
    with ScriptedServer(default=model) as srv:
        app = create_app(_settings(srv, tmp_path, concurrency=2), ServiceConfig(jobs_db=tmp_path / "jobs.sqlite"))
        with TestClient(app) as client:
            documents = [{"id": f"d{n}", "text": doc(n)} for n in range(4)]
            resp = client.post("/v1/jobs", json={"documents": documents})
            assert resp.status_code == 202, resp.text
            job = resp.json()
            assert resp.headers["location"] == f"/v1/jobs/{job['id']}"
            assert job["total"] == 4 and job["strategy"] == "grounded" and job["schema"] == "earnings_report"
            done = _wait_for(lambda: (j := client.get(f"/v1/jobs/{job['id']}").json())["status"] == "done" and j, "the job")
    assert (done["ok"], done["failed"], done["pending"], done["done"]) == (3, 1, 0, 4)
    assert done["finished_at"] >= done["created_at"]
    by_id = {d["id"]: d for d in done["documents"]}
    assert [d["id"] for d in done["documents"]] == ["d0", "d1", "d2", "d3"]
    assert by_id["d1"]["status"] == "failed" and by_id["d1"]["error"]["code"] == "transport"
    assert "report" not in by_id["d1"] or by_id["d1"]["report"] is None
    for n in (0, 2, 3):
        d = by_id[f"d{n}"]
        assert d["status"] == "ok" and d["attempts"] == 1 and d["error"] is None
        assert d["report"]["company"]["name"] == f"星河{n:02d}号科技"
        assert d["meta"]["schema"] == "earnings_report" and d["meta"]["usage"]["requests"] == 1
    assert model.seen == Counter({0: 1, 1: 1, 2: 1, 3: 1})  # a 400 is final: not retried


def test_job_pages_and_progress_only(client_factory: Callable[..., TestClient]) -> None:
    client = client_factory()
    job = client.post("/v1/jobs", json={"documents": [{"id": str(n), "text": doc(n)} for n in range(5)]}).json()
    _wait_for(lambda: client.get(f"/v1/jobs/{job['id']}?limit=0").json()["status"] == "done", "the job")
    page = client.get(f"/v1/jobs/{job['id']}?offset=2&limit=2").json()
    assert [d["id"] for d in page["documents"]] == ["2", "3"] and page["offset"] == 2 and page["ok"] == 5
    assert client.get(f"/v1/jobs/{job['id']}?limit=0").json()["documents"] == []
    missing = client.get("/v1/jobs/0123456789abcdef0123456789abcdef")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "job_not_found"


@pytest.fixture
def client_factory(srv: ScriptedServer, tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(**config: Any) -> TestClient:
        cfg = ServiceConfig(**{"jobs_db": tmp_path / "jobs.sqlite", **config})
        client = TestClient(create_app(_settings(srv, tmp_path), cfg))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.mark.parametrize(
    "body,code",
    [
        ({"documents": []}, "invalid_request"),
        ({"documents": [{"id": str(n), "text": "x"} for n in range(4)]}, "too_many_documents"),
        ({"documents": [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}]}, "duplicate_document_id"),
        ({"documents": [{"id": "a", "text": "x" * 51}]}, "document_too_long"),
        ({"documents": [{"id": "a", "text": "  "}]}, "empty_document"),
        ({"documents": [{"id": "", "text": "x"}]}, "invalid_request"),
        ({"documents": [{"id": "a", "text": "x"}], "schema": "nope"}, "unknown_schema"),
        ({"documents": [{"id": "a", "text": "x"}], "strategy": "nope"}, "unknown_strategy"),
    ],
)
def test_bad_jobs_are_refused_whole_with_clear_errors(
    client_factory: Callable[..., TestClient], tmp_path: Path, body: dict[str, Any], code: str
) -> None:
    client = client_factory(max_documents=3, max_document_chars=50)
    resp = client.post("/v1/jobs", json=body)
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["code"] == code
    with sqlite3.connect(tmp_path / "jobs.sqlite") as conn:
        assert conn.execute("SELECT COUNT(*) FROM jobs").fetchone()[0] == 0  # nothing half-stored


def test_a_second_service_on_the_same_jobs_database_is_refused(tmp_path: Path) -> None:
    first = JobStore(tmp_path / "jobs.sqlite")
    try:
        with pytest.raises(JobStoreError, match="in use by another"):
            JobStore(tmp_path / "jobs.sqlite")
    finally:
        first.close()
    JobStore(tmp_path / "jobs.sqlite").close()  # free again once the holder is gone


def test_jobs_survive_a_graceful_restart_and_done_documents_are_not_redone(tmp_path: Path) -> None:
    model = Model(hold=2)
    config = ServiceConfig(jobs_db=tmp_path / "jobs.sqlite")
    with ScriptedServer(default=model) as srv:
        with ServerThread(create_app(_settings(srv, tmp_path), config)) as first:
            code, job = _post(first.url + "/v1/jobs", {"documents": [{"id": f"d{n}", "text": doc(n)} for n in range(5)]})
            assert code == 202
            _wait_for(model.held.is_set, "document 2 to reach the model")
        # stopped while document 2 was in flight: it has no result, 0 and 1 do
        assert _statuses(tmp_path / "jobs.sqlite", job["id"]) == {
            0: ("ok", 1),
            1: ("ok", 1),
            2: ("pending", 1),
            3: ("pending", 0),
            4: ("pending", 0),
        }
        model.release.set()
        with ServerThread(create_app(_settings(srv, tmp_path), config)) as second:
            done = _wait_for(
                lambda: (j := _get(f"{second.url}/v1/jobs/{job['id']}")[1])["status"] == "done" and j, "the resumed job"
            )
    assert done["ok"] == 5 and [d["id"] for d in done["documents"]] == [f"d{n}" for n in range(5)]
    assert model.seen == Counter({0: 1, 1: 1, 2: 2, 3: 1, 4: 1})  # only the in-flight one ran again
    assert [d["attempts"] for d in done["documents"]] == [1, 1, 2, 1, 1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(srv: ScriptedServer, tmp_path: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXTRACT_")}
    env.update(
        EXTRACT_BASE_URL=srv.base_url, EXTRACT_API_KEY="sk-test", EXTRACT_MODEL="scripted",
        EXTRACT_CACHE_DIR=str(tmp_path / "cache"), EXTRACT_CONFIG=str(tmp_path / "none.toml"),
        EXTRACT_JOBS_DB=str(tmp_path / "jobs.sqlite"),
    )  # fmt: skip
    log = (tmp_path / f"serve-{port}.log").open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "extract", "serve", "--port", str(port), "--concurrency", "1", "--timeout", "60"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
    )  # fmt: skip
    log.close()
    try:
        _wait_for(lambda: _get(f"http://127.0.0.1:{port}/healthz")[0] == 200 or proc.poll() is not None, "the service to start")
    except AssertionError:
        proc.kill()
        raise
    assert proc.poll() is None, (tmp_path / f"serve-{port}.log").read_text()
    return proc


def test_sigkill_mid_job_then_restart_finishes_it_with_no_document_lost_or_done_twice(tmp_path: Path) -> None:
    model = Model(hold=3)
    port = _free_port()
    with ScriptedServer(default=model) as srv:
        proc = _serve(srv, tmp_path, port)
        try:
            code, job = _post(
                f"http://127.0.0.1:{port}/v1/jobs", {"documents": [{"id": f"d{n}", "text": doc(n)} for n in range(6)]}
            )
            assert code == 202
            _wait_for(model.held.is_set, "document 3 to reach the model")
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
        assert proc.returncode == -signal.SIGKILL
        before = _statuses(tmp_path / "jobs.sqlite", job["id"])
        assert before == {0: ("ok", 1), 1: ("ok", 1), 2: ("ok", 1), 3: ("pending", 1), 4: ("pending", 0), 5: ("pending", 0)}
        model.release.set()

        port = _free_port()
        proc = _serve(srv, tmp_path, port)  # same jobs database and cache
        try:
            url = f"http://127.0.0.1:{port}/v1/jobs/{job['id']}"
            done = _wait_for(lambda: (j := _get(url)[1]) and j["status"] == "done" and j, "the resumed job")
        finally:
            proc.terminate()
            proc.wait(30)
    assert (done["total"], done["ok"], done["failed"]) == (6, 6, 0)
    assert [d["id"] for d in done["documents"]] == [f"d{n}" for n in range(6)]
    assert all(d["report"]["company"]["name"] == f"星河{n:02d}号科技" for n, d in enumerate(done["documents"]))
    assert model.seen == Counter({0: 1, 1: 1, 2: 1, 3: 2, 4: 1, 5: 1})  # done ones never went to the model again
    assert [d["attempts"] for d in done["documents"]] == [1, 1, 1, 2, 1, 1]
    assert proc.returncode in (0, -signal.SIGTERM)  # uvicorn stops cleanly, then re-raises the signal
    assert "Traceback" not in "".join(p.read_text() for p in tmp_path.glob("serve-*.log"))
