"""The gold dataset: every file parses against the schema, every evidence is verbatim and
states its value. Every accuracy figure rests on these files."""

from __future__ import annotations

import json
from pathlib import Path

from extract.evals.harness import check_dataset, load_dataset

DATASET = Path(__file__).resolve().parents[1] / "evals" / "datasets" / "earnings"


def test_gold_files_are_valid_grounded_and_read_back() -> None:
    assert check_dataset(DATASET) == []


def test_dataset_has_the_variety_the_issue_asks_for() -> None:
    cases = load_dataset(DATASET)
    languages = [c.language for c in cases]
    assert len(cases) >= 30
    assert languages.count("en") >= 6 and languages.count("zh-Hant") >= 4
    manifest = [json.loads(line) for line in (DATASET / "manifest.jsonl").read_text().splitlines() if line]
    assert {m["id"] for m in manifest} == {c.id for c in cases}
    assert any(not c.gold["metrics"] for c in cases)  # one document with no figures


def test_check_dataset_catches_a_broken_gold_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("收入为7,330万元人民币。", encoding="utf-8")
    gold = {"metrics": [{"metric": "revenue", "period": "2023Q2", "value": 7330000, "unit": "CNY", "evidence": "收入为7,330万元人民币"}]}
    (tmp_path / "a.gold.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    problems = check_dataset(tmp_path)
    assert len(problems) == 1 and "not read back" in problems[0]
