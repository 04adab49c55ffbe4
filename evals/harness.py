"""Run an extractor configuration over a dataset folder and write a run folder.

A dataset is any folder of NAME.txt + NAME.gold.json pairs, with an optional
manifest.jsonl ({"id", "language", ...}). A run folder holds:
  predictions/NAME.json  rows.jsonl  summary.json  summary.md  report.html  config.json
  pages/NAME.html (each prediction on its text: the view of `extract run --html`)
Every accuracy figure in this project comes from here.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from extract.documents import read_document
from extract.evals.charts import load_history
from extract.evals.report import render_html, render_markdown
from extract.evals.scoring import score_document, summarize
from extract.schema_api import Scoring
from extract.view import render_page


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    gold: dict[str, Any]
    language: str


def load_dataset(directory: Path) -> list[Case]:
    if not directory.is_dir():
        raise FileNotFoundError(f"dataset folder {directory} does not exist")
    languages: dict[str, str] = {}
    manifest = directory / "manifest.jsonl"
    if manifest.exists():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entry = json.loads(line)
                languages[entry["id"]] = entry.get("language", "unknown")
    cases = []
    for gold_path in sorted(directory.glob("*.gold.json")):
        name = gold_path.name[: -len(".gold.json")]
        text_path = directory / f"{name}.txt"
        if not text_path.exists():
            raise FileNotFoundError(f"{gold_path} has no {text_path.name} beside it")
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        cases.append(Case(name, read_document(text_path), gold, languages.get(name, "unknown")))
    if not cases:
        raise FileNotFoundError(f"no NAME.txt + NAME.gold.json pairs in {directory}")
    return cases


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def run_eval(
    extract_one: Callable[[str], tuple[dict[str, Any] | None, dict[str, Any]]],
    cases: list[Case],
    run_dir: Path,
    meta: dict[str, Any],
    on_done: Callable[[str], None] | None = None,
    scoring: Scoring | None = None,
) -> dict[str, Any]:
    """`extract_one(text) -> (report dict or None, info)`; info holds error, usage, seconds, cached.
    `scoring`: the schema's declaration (default: the default schema's)."""
    started = time.perf_counter()
    doc_scores, docs, seconds, tokens, calls = [], [], [], [], []
    pages: dict[str, str] = {}
    for case in cases:
        pred, info = extract_one(case.text)
        score = score_document(case.id, case.text, case.gold, pred, error=info.get("error"), scoring=scoring)
        doc_scores.append(score)
        seconds.append(info.get("seconds", 0.0))
        tokens.append(info.get("usage", {}).get("total_tokens", 0))
        calls.append(info.get("calls", 0))  # model calls, cache hits included: what a cold run would make
        error = info.get("error")
        docs.append({"id": case.id, "text": case.text, "gold": case.gold, "pred": pred, "rows": score.rows, "error": error})
        _write(run_dir / "predictions" / f"{case.id}.json", json.dumps({"report": pred, **info}, ensure_ascii=False, indent=2))
        if pred is not None:
            _write(run_dir / "pages" / f"{case.id}.html", render_page(case.text, pred, info, title=case.id))
            pages[case.id] = f"pages/{case.id}.html"
        if on_done:
            on_done(case.id)
    summary = summarize(doc_scores, {c.id: c.language for c in cases})
    summary["timing"] = {
        "median_seconds_per_doc": statistics.median(seconds) if seconds else None,
        "total_seconds": time.perf_counter() - started,
        "per_doc": seconds,
    }
    summary["tokens"] = {"total": sum(tokens), "per_doc": tokens}
    summary["calls"] = {"median_per_doc": statistics.median(calls) if calls else None, "per_doc": calls}
    meta = {**meta, "finished": datetime.now(UTC).isoformat(timespec="seconds"), "documents": len(cases)}
    summary["meta"] = meta
    with (run_dir / "rows.jsonl").open("w", encoding="utf-8") as f:
        for score in doc_scores:
            for row in score.rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    _write(run_dir / "summary.json", json.dumps(summary, ensure_ascii=False, indent=2))
    _write(run_dir / "config.json", json.dumps(meta, ensure_ascii=False, indent=2))
    _write(run_dir / "summary.md", render_markdown(summary, meta))
    history = load_history(run_dir.parent)  # this run's summary.json is written: it is the last point
    _write(run_dir / "report.html", render_html(summary, meta, docs, history=history, pages=pages))
    return summary


def dataset_config(directory: Path) -> dict[str, Any]:
    """`DIR/dataset.json`, if any: {"schema": name, "nightly": bool, "baseline": path from DIR}."""
    config = directory / "dataset.json"
    return json.loads(config.read_text(encoding="utf-8")) if config.exists() else {}


def dataset_schema(directory: Path) -> str | None:
    """The schema a dataset's gold follows (None: the default schema)."""
    return dataset_config(directory).get("schema")


def check_dataset(directory: Path, schema: str | None = None) -> list[str]:
    """Problems with a dataset's gold files: the schema's model, verbatim evidence, and every
    value grounded the way the schema declares (amounts read back, dates and names stated)."""
    from extract.grounding import field_grounded
    from extract.schemas import get_schema

    info = get_schema(schema or dataset_schema(directory))
    problems: list[str] = []
    for case in load_dataset(directory):
        try:
            info.model.model_validate(case.gold, context={"document": case.text})
        except ValueError as exc:
            problems.append(f"{case.id}: {exc}")
            continue
        for lst in info.scoring.lists if info.scoring else ():
            for i, entry in enumerate(case.gold.get(lst.path) or []):
                evidence = entry.get(lst.evidence) or "" if lst.evidence else ""
                unit = entry.get(lst.unit_key) if lst.unit_key else None
                for f in lst.fields:
                    if f.ground is None:
                        continue
                    for name in f.paths:
                        value = entry.get(name)
                        if value is None or value == []:
                            continue
                        if not field_grounded(f.ground, f.scope, value, evidence, case.text, unit):
                            what = "not read back from" if f.ground == "amount" else "not grounded in"
                            problems.append(f"{case.id}: {lst.path}[{i}].{name}={value} {what} {evidence!r}")
    return problems
