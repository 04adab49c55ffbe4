"""Reliability, secrets: an API key and credentials in the base URL never appear in logs
(--verbose stderr), error messages, cache keys or entries (the diskcache SQLite files, read as
bytes), run folders (`extract eval`), reports or --out files, whatever goes wrong on the way.
Recognisable secrets, real processes, real HTTP."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CANARY_OK, XHKJ_REPORT, wants_canary
from tests.reliability_support import cli, cli_env, fast_config
from tests.scripted_server import ScriptedServer, html, ok, reset, status

API_KEY = "sk-SECRET-KEY-5f1e9a"
URL_PASSWORD = "pw-SECRET-URL-83c2d7"
URL_USER = "alice-SECRET-USER"
SECRETS = (API_KEY, URL_PASSWORD, URL_USER, "SECRET")

DOCS = {
    "good": "星河科技(纳斯达克:XHKJ)公布2024年第一季度财报。营业收入为3.2亿元人民币，同比增长12%。",
    "echo401": "海川科技(纳斯达克:HCKJ)公布2024年第一季度财报。营业收入为1.1亿元人民币。",
    "flaky500": "云帆集团(上交所:600001)公布2023年年报。全年营收为12.5亿元，同比下降3%。",
    "reset": "远航物流(纽交所:YHWL)公布2023年第三季度财报。营业收入为5.2亿元人民币。",
    "htmlpage": "金石科技(纳斯达克:JSKJ)公布2024年第二季度财报。营业收入为2.4亿元人民币。",
    "badanswer": "明德教育(纳斯达克:MDJY)公布2024年第三季度财报。营业收入为0.8亿元人民币。",
}


def _credentials(request: dict[str, Any]) -> str:
    """What the client sent: the bearer key, or user:password of Basic auth, in plain text."""
    auth = request["_headers"].get("authorization", "")
    if auth.startswith("Basic "):
        return base64.b64decode(auth[6:]).decode()
    return auth.removeprefix("Bearer ")


def _leaky_server(request: dict[str, Any]):
    """Each document meets a different fault, several of which put the credentials in their
    body, the way real gateways echo a rejected key back."""
    if wants_canary(request):
        return ok(CANARY_OK)
    prompt = json.dumps(request.get("messages"), ensure_ascii=False)
    auth = _credentials(request)
    if "海川科技" in prompt:
        return status(401, body=json.dumps({"error": {"message": f"Incorrect API key provided: {auth}", "type": "invalid_request_error"}}))
    if "云帆集团" in prompt:
        return status(500, body=f"upstream failed for {auth} at {request['_headers'].get('host')}")
    if "远航物流" in prompt:
        return reset()
    if "金石科技" in prompt:
        return html(f"<html><body>Login required for {auth}</body></html>")
    if "明德教育" in prompt:
        return ok(f"I cannot help with that, {auth}.")
    return ok({"name": "星河科技", "name_en": None})


def _files_under(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


def _assert_no_secret(where: str, data: bytes | str) -> None:
    raw = data.encode() if isinstance(data, str) else data
    for secret in SECRETS:
        assert secret.encode() not in raw, f"{secret!r} leaked into {where}"


@pytest.mark.parametrize("how", ["env-key", "flag-key", "url-credentials"])
def test_keys_and_url_credentials_never_leave_the_request(tmp_path: Path, how: str) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for doc_id, text in DOCS.items():
        (docs / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    ds = tmp_path / "ds"  # a one-document eval dataset
    ds.mkdir()
    (ds / "good.txt").write_text(DOCS["good"], encoding="utf-8")
    gold = XHKJ_REPORT
    (ds / "good.gold.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    config = fast_config(tmp_path / "fast.toml", reasks=1)
    outputs: list[tuple[str, str]] = []

    with ScriptedServer(default=_leaky_server) as srv:
        env = cli_env(None, tmp_path, EXTRACT_CONFIG=str(config))
        endpoint: list[str] = []
        if how == "env-key":
            env.update(EXTRACT_BASE_URL=srv.base_url, EXTRACT_API_KEY=API_KEY)
        elif how == "flag-key":
            endpoint = ["--base-url", srv.base_url, "--api-key", API_KEY]
        else:  # a proxy with basic auth in front of the model server (the key goes too, and is overridden)
            url = srv.base_url.replace("http://", f"http://{URL_USER}:{URL_PASSWORD}@")
            env.update(EXTRACT_BASE_URL=url, EXTRACT_API_KEY=API_KEY)
        runs = [
            ["batch", str(docs), "--out", str(tmp_path / "out.jsonl"), "--out-dir", str(tmp_path / "reports"), "--verbose", *endpoint],
            ["run", str(docs / "good.txt"), "--meta", "--verbose", *endpoint],
            ["run", str(docs / "echo401.txt"), "--verbose", *endpoint],
            ["eval", "--dataset", str(ds), "--runs-dir", str(tmp_path / "runs"), "--verbose", *endpoint],
        ]
        for args in runs:
            proc = cli(args, env, tmp_path)
            assert "Traceback" not in proc.stderr, proc.stderr
            outputs.append((f"{args[0]} stdout", proc.stdout))
            outputs.append((f"{args[0]} stderr", proc.stderr))
        sent = [_credentials(r) for r in srv.requests]
        host = srv.base_url.split("//")[1].split("/")[0]
    # The secrets did reach the endpoint (so the test would see them if they leaked) ...
    expected = f"{URL_USER}:{URL_PASSWORD}" if how == "url-credentials" else API_KEY
    assert len(sent) > 10 and all(a == expected for a in sent), set(sent)
    # ... and everything went wrong that could: the batch saw 401, 500, reset, HTML, a non-answer.
    records = {r["id"]: r for r in map(json.loads, (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines())}
    assert records["good"]["ok"] and not any(records[i]["ok"] for i in DOCS if i != "good")
    assert "HTTP 401" in records["echo401"]["error"] and "HTTP 500" in records["flaky500"]["error"]

    for where, text in outputs:
        _assert_no_secret(where, text)
    files = _files_under(tmp_path / "out.jsonl", tmp_path / "reports", tmp_path / "cache", tmp_path / "runs", tmp_path / "logs")
    assert any(p.name == "cache.db" for p in files) and any(p.name == "config.json" for p in files)
    for path in files:
        _assert_no_secret(str(path.relative_to(tmp_path)), path.read_bytes())
    # The endpoint is still identified, without its credentials.
    config_json = next(p for p in files if p.name == "config.json").read_text(encoding="utf-8")
    assert f"http://{host}/v1" in config_json


def test_settings_repr_and_errors_hide_credentials() -> None:
    from extract.config import load_settings

    settings = load_settings(base_url=f"http://{URL_USER}:{URL_PASSWORD}@127.0.0.1:9/v1?api-key={API_KEY}", api_key=API_KEY)
    _assert_no_secret("repr(Settings)", repr(settings))
    _assert_no_secret("public_base_url", settings.public_base_url())
    with pytest.raises(ValueError) as err:
        load_settings(base_url=f"{URL_USER}:{URL_PASSWORD}@127.0.0.1:9")  # no scheme: rejected, not echoed
    _assert_no_secret("the base_url error", str(err.value))
