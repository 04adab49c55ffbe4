"""Run comparison: regression flag, exit codes, and documents that flip pass/fail."""

from __future__ import annotations

import copy
import json

import pytest

from extract.evals.compare import compare_runs, format_compare, load_summary, main
from extract.evals.scoring import score_document, summarize


def yes(evidence: str, value: float, unit: str | None) -> bool:
    return True


def report(values: dict[str, float]) -> dict:
    metrics = [{"metric": k, "period": "2023Q2", "segment": None, "value": v, "unit": "CNY",
                "yoy_pct": None, "qoq_pct": None, "evidence": None} for k, v in values.items()]
    return {"company": {"ticker": "JG"}, "fiscal_period": "2023Q2", "currency": "CNY",
            "metrics": metrics, "guidance": []}


GOLD = {
    "d1": {"revenue": 100, "net_income": -10, "cash": 50, "eps": 1.0},
    "d2": {"revenue": 200, "net_income": 20, "cash": 60, "eps": 2.0},
    "d3": {"revenue": 300, "net_income": 30},
}


def run(preds: dict[str, dict | None]) -> dict:
    scores = [score_document(d, "", report(GOLD[d]), None if p is None else report(p), readback=yes)
              for d, p in preds.items()]
    return summarize(scores)


def perfect() -> dict:
    return run({d: dict(v) for d, v in GOLD.items()})


def test_regression_detected_and_docs_listed():
    base = run({"d1": GOLD["d1"], "d2": GOLD["d2"], "d3": {"revenue": 300}})  # d3 fails in baseline
    cand = run({"d1": GOLD["d1"], "d2": {**GOLD["d2"], "revenue": 2, "cash": 6}, "d3": GOLD["d3"]})
    # base: correct 9 / pred 9 / gold 10 -> F1 18/19; cand: 8 / 10 / 10 -> F1 0.8
    assert base["overall"]["f1"] == pytest.approx(18 / 19)
    assert cand["overall"]["f1"] == pytest.approx(0.8)
    res = compare_runs(base, cand)
    assert res.regressed is True
    assert res.newly_failing == ["d2"]
    assert res.newly_passing == ["d3"]
    assert res.get("overall.f1").delta == pytest.approx(0.8 - 18 / 19)
    assert res.get("per_metric.revenue.f1").worse and res.get("per_metric.eps.f1").delta == 0
    text = format_compare(res)
    assert "REGRESSED" in text and "newly failing (pass -> fail): 1\n  d2" in text
    assert "newly passing (fail -> pass): 1\n  d3" in text
    # the other direction is an improvement, not a regression
    back = compare_runs(cand, base)
    assert back.regressed is False and back.newly_failing == ["d3"] and back.newly_passing == ["d2"]


def test_threshold_is_a_strict_drop():
    a = {"overall": {"f1": 0.80}, "per_document": {}}
    assert compare_runs(a, {"overall": {"f1": 0.78}, "per_document": {}}).regressed is False  # exactly 0.02
    assert compare_runs(a, {"overall": {"f1": 0.7799}, "per_document": {}}).regressed is True
    assert compare_runs(a, {"overall": {"f1": 0.75}, "per_document": {}}, threshold=0.1).regressed is False


def test_small_change_is_not_a_regression_but_is_reported():
    base = perfect()
    cand = copy.deepcopy(base)
    cand["ungrounded"] = base["ungrounded"] + 2
    res = compare_runs(base, cand)
    assert res.regressed is False and res.newly_failing == [] and res.newly_passing == []
    assert res.get("ungrounded").worse and res.get("ungrounded").delta == 2


def test_failed_document_flips_to_fail():
    base = perfect()
    cand = run({"d1": GOLD["d1"], "d2": None, "d3": GOLD["d3"]})
    res = compare_runs(base, cand)
    assert res.newly_failing == ["d2"] and res.regressed
    assert res.get("failed_documents").b == 1


def test_main_exit_codes_and_load_summary(tmp_path, capsys):
    base_dir, cand_dir = tmp_path / "base", tmp_path / "cand"
    base_dir.mkdir()
    cand_dir.mkdir()
    base = perfect()
    (base_dir / "summary.json").write_text(json.dumps(base), encoding="utf-8")
    (cand_dir / "summary.json").write_text(json.dumps(run({"d1": GOLD["d1"], "d2": None, "d3": None})),
                                           encoding="utf-8")
    assert load_summary(base_dir) == base
    assert load_summary(base_dir / "summary.json") == base
    assert main([str(base_dir), str(cand_dir)]) == 1
    assert "REGRESSED" in capsys.readouterr().out
    assert main([str(base_dir), str(base_dir / "summary.json")]) == 0
    assert main([str(base_dir), "--threshold", "1.0", str(cand_dir)]) == 0

    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match="has no summary.json"):
        load_summary(empty)
    with pytest.raises(FileNotFoundError, match="no such run folder"):
        load_summary(tmp_path / "nope")
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match="does not look like an eval summary"):
        load_summary(tmp_path / "bad.json")
    assert main([str(base_dir), str(empty)]) == 2
    assert "has no summary.json" in capsys.readouterr().err
