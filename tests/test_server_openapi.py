"""The OpenAPI document: the committed docs/openapi.json is what the service serves, and
schemathesis, generating requests from it, finds no server error, no undocumented status,
content type or header, no response off its schema, and no valid request refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from extract.config import Settings
from extract.server import ServiceConfig, create_app
from extract.server.openapi import render
from extract.server.runner import ServerThread
from tests.conftest import answering
from tests.scripted_server import ScriptedServer
from tests.test_cli import _answer

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "docs" / "openapi.json"

# Job ids must be unique, which JSON Schema cannot say: keep generated valid jobs to unique ids
# (requests with duplicates are refused with 422, see tests/test_server_jobs.py).
HOOKS = """
import schemathesis

@schemathesis.hook("filter_body")
def unique_job_document_ids(context, body):
    operation = context.operation
    if operation is None or operation.path != "/v1/jobs" or not isinstance(body, dict):
        return True
    documents = body.get("documents")
    if not isinstance(documents, list):
        return True
    ids = [repr(d.get("id")) for d in documents if isinstance(d, dict)]
    return len(ids) == len(set(ids))


@schemathesis.hook("filter_body")
def readable_files(context, body):
    # /v1/read refuses bytes that are no text (binary, blank, a page with nothing visible),
    # which JSON Schema cannot say either.
    import base64

    from extract.documents import DocumentError, text_of_file

    operation = context.operation
    if operation is None or operation.path != "/v1/read" or not isinstance(body, dict):
        return True
    data, name = body.get("data_base64"), body.get("name")
    if not isinstance(data, str) or not isinstance(name, str):
        return True  # an invalid request: kept, its 422 is documented
    try:
        raw = base64.b64decode(data, validate=True)
    except ValueError:
        return True
    try:
        text_of_file(raw, name)
    except DocumentError:
        return False  # valid base64 of no text: refused, for a reason no schema can state
    return True
"""


def _answer_any_schema(request: dict[str, Any]) -> Any:
    """The CLI tests' answers, and an empty report for the other schema's direct prompt (a
    header answer there fails validation: a 502 that schemathesis would count as a server error)."""
    if "CorporateEvents" in json.dumps(request.get("response_format") or {}):
        return {"events": []}
    return _answer(request)


def _settings(srv: ScriptedServer, tmp_path: Path) -> Settings:
    return Settings(
        base_url=srv.base_url, api_key="sk-test", model="scripted", cache_dir=tmp_path / "cache",
        timeout=10.0, backoff_initial=0.01, backoff_max=0.05, transport_attempts=2,
    )  # fmt: skip


def test_committed_openapi_document_is_the_served_one(tmp_path: Path) -> None:
    with ScriptedServer(default=answering(_answer)) as srv:
        app = create_app(_settings(srv, tmp_path), ServiceConfig(jobs_db=tmp_path / "jobs.sqlite"))
        with TestClient(app) as client:
            served = client.get("/openapi.json").json()
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert served == committed, "docs/openapi.json is stale: run `python -m extract.server.openapi docs/openapi.json`"
    assert COMMITTED.read_text(encoding="utf-8") == render()  # and byte for byte as the generator writes it
    assert set(committed["paths"]) == {
        "/v1/extract",
        "/v1/jobs",
        "/v1/jobs/{job_id}",
        "/v1/jobs/{job_id}/documents/{index}",
        "/v1/read",
        "/v1/schemas",
        "/healthz",
        "/readyz",
        "/metrics",
    }


def test_schemathesis_finds_no_issue(tmp_path: Path) -> None:
    hooks = tmp_path / "st_hooks.py"
    hooks.write_text(HOOKS, encoding="utf-8")
    with ScriptedServer(default=answering(_answer_any_schema)) as srv:
        app = create_app(_settings(srv, tmp_path), ServiceConfig(jobs_db=tmp_path / "jobs.sqlite"))
        with ServerThread(app) as server:
            proc = subprocess.run(
                [
                    sys.executable, "-m", "schemathesis.cli", "run", f"{server.url}/openapi.json",
                    "--checks", "all", "--max-examples", "12", "--seed", "20240601",
                    "--generation-database", "none", "--request-timeout", "30", "--no-color",
                ],
                capture_output=True, text=True, timeout=300, cwd=tmp_path,
                env={**os.environ, "SCHEMATHESIS_HOOKS": str(hooks)},
            )  # fmt: skip
    summary = proc.stdout[proc.stdout.rfind("SUMMARY") :]
    assert proc.returncode == 0, proc.stdout[-8000:] + proc.stderr[-2000:]
    assert "No issues found" in summary and "Tested: 9" in summary, summary
