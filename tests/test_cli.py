"""The CLI contract, run as a real process against a scripted OpenAI-compatible server:
`extract run`, `extract batch --out --out-dir` (resume, failures, bad files), `extract eval`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import XHKJ_REPORT, answering
from tests.scripted_server import ScriptedServer, ok, status

DOC_A = "星河科技(纳斯达克:XHKJ)公布2024年第一季度财报。营业收入为3.2亿元人民币，同比增长12%。净亏损为1,500万元人民币，上年同期净亏损为2,100万元人民币。"
DOC_B = "云帆集团2023年全年营收为12.5亿元，同比下降3%；归属于上市公司股东的净利润为8,600万元。"
DOC_C = "Pinewood Labs (NASDAQ: PWL) reported third quarter 2024 revenue of US$45.2 million, up 8% year-over-year."
DIRECT_REPORT = XHKJ_REPORT


def _answer(request: dict[str, Any]) -> Any:
    fmt = json.dumps(request.get("response_format") or {})
    if "EarningsReport" in fmt:
        return DIRECT_REPORT
    return {"name": "星河科技", "name_en": None}


def _cli(args: list[str], srv: ScriptedServer, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        **os.environ,
        "EXTRACT_BASE_URL": srv.base_url,
        "EXTRACT_API_KEY": "sk-test-KEY-0000",
        "EXTRACT_MODEL": "scripted",
        "EXTRACT_CACHE_DIR": str(tmp_path / "cache"),
        "EXTRACT_CONFIG": str(tmp_path / "none.toml"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "extract", *args], capture_output=True, text=True, env=environ, timeout=120, cwd=tmp_path
    )


def _model_requests(srv: ScriptedServer) -> list[dict[str, Any]]:
    return [r for r in srv.requests if "canary" not in json.dumps(r.get("response_format") or {})]


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    d = tmp_path / "docs"
    d.mkdir()
    (d / "a.txt").write_text(DOC_A, encoding="utf-8")
    (d / "b.md").write_text(DOC_B, encoding="utf-8")
    (d / "empty.txt").write_bytes(b"")
    (d / "blob.txt").write_bytes(b"\x00\x01binary\x00" * 10)
    (tmp_path / "more.jsonl").write_text(json.dumps({"id": "c", "text": DOC_C}) + "\n", encoding="utf-8")
    return d


def test_run_prints_grounded_report(tmp_path: Path, docs: Path) -> None:
    with ScriptedServer(default=answering(_answer)) as srv:
        proc = _cli(["run", str(docs / "a.txt")], srv, tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["company"]["ticker"] == "XHKJ" and report["fiscal_period"] == "2024Q1"
    got = {(m["metric"], m["period"]): m["value"] for m in report["metrics"]}
    assert got[("revenue", "2024Q1")] == 320_000_000
    assert got[("net_income", "2024Q1")] == -15_000_000
    assert got[("net_income", "2023Q1")] == -21_000_000
    for m in report["metrics"]:
        assert m["evidence"] in DOC_A


def test_run_direct_strategy_with_meta(tmp_path: Path, docs: Path) -> None:
    with ScriptedServer(default=answering(_answer)) as srv:
        proc = _cli(["run", str(docs / "a.txt"), "--strategy", "direct", "--meta"], srv, tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["meta"]["strategy"] == "direct" and out["meta"]["usage"]["requests"] == 1
    assert out["report"]["metrics"][0]["value"] == 320_000_000


@pytest.mark.parametrize(
    "args,message",
    [
        (["run", "missing.txt"], "no such file"),
        (["batch", "missing_dir", "--out", "o.jsonl"], "no such file or folder"),
        (["batch", "."], "--out"),
        (["run", "x.txt", "--schema", "nope"], "unknown schema"),
        (["run", "x.txt", "--strategy", "nope"], "unknown strategy"),
    ],
)
def test_bad_arguments_give_one_line_errors(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "x.txt").write_text(DOC_A, encoding="utf-8")
    with ScriptedServer(default=answering(_answer)) as srv:
        proc = _cli(args, srv, tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_batch_writes_every_document_and_resumes(tmp_path: Path, docs: Path) -> None:
    out, out_dir = tmp_path / "res.jsonl", tmp_path / "reports"
    args = ["batch", str(docs), str(tmp_path / "more.jsonl"), "--out", str(out), "--out-dir", str(out_dir)]
    with ScriptedServer(default=answering(_answer)) as srv:
        first = _cli(args, srv, tmp_path)
        assert first.returncode == 1  # two unreadable files failed
        records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
        assert set(records) == {"a", "b", "c", "empty", "blob"}
        assert [records[i]["ok"] for i in ("a", "b", "c")] == [True, True, True]
        assert "empty" in records["empty"]["error"] and "binary" in records["blob"]["error"]
        assert sorted(p.name for p in out_dir.iterdir()) == ["a.json", "b.json", "c.json"]
        assert json.loads((out_dir / "a.json").read_text())["company"]["ticker"] == "XHKJ"
        sent = len(_model_requests(srv))

        (docs / "empty.txt").write_text(DOC_B.replace("云帆", "海川"), encoding="utf-8")  # fixed
        (docs / "blob.txt").unlink()
        second = _cli(args, srv, tmp_path)
        assert second.returncode == 0, second.stderr
        assert "3 skipped" in second.stderr
        records = [json.loads(line) for line in out.read_text().splitlines()]
        assert len(records) == 5 and len({r["id"] for r in records}) == 5  # compacted: one line per id
        assert len(_model_requests(srv)) == sent + 1  # only the fixed document reached the model


def test_batch_records_endpoint_failures_and_retries_only_them(tmp_path: Path, docs: Path) -> None:
    (docs / "empty.txt").unlink()
    (docs / "blob.txt").unlink()
    out = tmp_path / "res.jsonl"
    args = ["batch", str(docs), "--out", str(out), "--concurrency", "1"]

    def fail_b(request: dict[str, Any]):
        if "云帆" in json.dumps(request, ensure_ascii=False):
            return status(400)
        return ok(_answer(request))

    with ScriptedServer(default=lambda r: answering(_answer)(r) if "canary" in json.dumps(r.get("response_format") or {}) else fail_b(r)) as srv:
        first = _cli(args, srv, tmp_path)
    assert first.returncode == 1
    rec = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert rec["a"]["ok"] and not rec["b"]["ok"] and rec["b"]["reason"] == "transport"
    assert "sk-test-KEY" not in out.read_text() + first.stderr + first.stdout

    with ScriptedServer(default=answering(_answer)) as srv:
        second = _cli(args, srv, tmp_path)
        assert second.returncode == 0, second.stderr
        prompts = [json.dumps(r, ensure_ascii=False) for r in srv.requests]
    assert any("云帆" in p for p in prompts) and not any("星河科技(纳斯达克" in p for p in prompts)


def test_eval_every_takes_every_nth_document_before_the_limit(tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    ds.mkdir()
    for name, doc in (("a", DOC_A), ("b", DOC_B), ("c", DOC_C)):
        (ds / f"{name}.txt").write_text(doc, encoding="utf-8")
        (ds / f"{name}.gold.json").write_text(json.dumps(DIRECT_REPORT, ensure_ascii=False), encoding="utf-8")
    with ScriptedServer(default=answering(_answer)) as srv:
        for args, runs in ((["--every", "2"], "every"), (["--every", "2", "--limit", "1"], "limited")):
            proc = _cli(["eval", "--dataset", str(ds), *args, "--runs-dir", str(tmp_path / runs)], srv, tmp_path)
            assert proc.returncode == 0, proc.stderr
        bad = _cli(["eval", "--dataset", str(ds), "--every", "0"], srv, tmp_path)
    assert bad.returncode == 2 and "--every" in bad.stderr
    (every,) = (tmp_path / "every").iterdir()
    assert sorted(p.name for p in (every / "predictions").iterdir()) == ["a.json", "c.json"]
    (limited,) = (tmp_path / "limited").iterdir()
    assert sorted(p.name for p in (limited / "predictions").iterdir()) == ["a.json"]


def test_eval_runs_two_strategies_side_by_side_and_compare_exits_on_regression(tmp_path: Path) -> None:
    ds = tmp_path / "ds"
    ds.mkdir()
    (ds / "a.txt").write_text(DOC_A + "<script>alert(1)</script>", encoding="utf-8")
    gold = {**DIRECT_REPORT, "metrics": DIRECT_REPORT["metrics"]}
    (ds / "a.gold.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    srv = ScriptedServer(default=answering(_answer))
    with srv:
        proc = _cli(
            ["eval", "--dataset", str(ds), "--strategy", "grounded", "--strategy", "direct", "--runs-dir", str(tmp_path / "runs")],
            srv,
            tmp_path,
        )
        same = _cli(["eval", "compare", str(tmp_path / "runs"), str(tmp_path / "runs")], srv, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert same.returncode == 2 and "summary" in same.stderr  # a folder that is not a run: clear error
    runs = sorted((tmp_path / "runs").iterdir())
    assert len(runs) == 2
    for run in runs:
        for name in ("summary.json", "summary.md", "report.html", "rows.jsonl", "config.json", "predictions/a.json"):
            assert (run / name).exists(), name
        page = (run / "report.html").read_text()
        assert "<script>alert(1)" not in page
        view = (run / "pages" / "a.html").read_text()  # the prediction on its text, linked from the report
        assert 'href="pages/a.html"' in page and "<script>alert(1)" not in view and "Metric F1 per metric" in page
    assert "grounded" in proc.stdout and "direct" in proc.stdout
    direct = next(r for r in runs if "direct" in r.name)
    grounded = next(r for r in runs if "grounded" in r.name)
    second = max(runs, key=lambda r: (r / "summary.json").stat().st_mtime_ns)
    assert "Metric F1 across 2 runs" in (second / "report.html").read_text()  # both runs of the dataset, in runs/
    env = {**os.environ, "EXTRACT_CONFIG": str(tmp_path / "none.toml")}
    compare = [sys.executable, "-m", "extract", "eval", "compare"]
    same = subprocess.run([*compare, str(direct), str(direct)], capture_output=True, text=True, env=env)
    assert same.returncode == 0, same.stderr
    f1 = {r: json.loads((r / "summary.json").read_text())["overall"]["f1"] or 0.0 for r in (direct, grounded)}
    best, worst = max(f1, key=f1.get), min(f1, key=f1.get)
    worse = subprocess.run([*compare, str(best), str(worst)], capture_output=True, text=True, env=env)
    assert (worse.returncode == 1) == (f1[best] - f1[worst] > 0.02), worse.stdout
