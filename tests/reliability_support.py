"""Shared by tests/test_reliability_*.py: invented earnings documents, a scripted server that
answers as a well-behaved endpoint and counts requests per document, and the CLI as a real
process with fast retries configured through a config file (EXTRACT_CONFIG)."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import CANARY_OK, wants_canary
from tests.scripted_server import Behaviour, ok, reset, status

# Distinct 4-character company names: none is a substring of another document's text.
_FIRST = "华星云海青金天明远嘉"
_SECOND = "晨河帆川松石元德航禾"
NAMES = [f"{a}{b}科技" for a in _FIRST for b in _SECOND]
PERIODS = [("2024年第一季度", "2024Q1"), ("2024年第二季度", "2024Q2"), ("2023年第四季度", "2023Q4"), ("2024年第三季度", "2024Q3")]
FAILURES = (status(429), status(500), status(503), reset())  # what scripted_server.flaky injects


def earnings_docs(n: int, seed: int = 7) -> dict[str, tuple[str, float, str]]:
    """n short invented earnings sentences: id -> (text, revenue in yuan, period)."""
    rng = random.Random(seed)
    docs = {}
    for i in range(n):
        name = NAMES[i]
        words, period = PERIODS[i % len(PERIODS)]
        yi = rng.randint(11, 999) / 10  # 1.1 .. 99.9 亿元
        pct = rng.randint(1, 40)
        text = f"{name}{words}营业收入为{yi}亿元，同比增长{pct}%。"
        docs[f"d{i:03d}"] = (text, round(yi * 100_000_000), period)
    return docs


def write_docs(folder: Path, docs: dict[str, tuple[str, float, str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, (text, _, _) in docs.items():
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    return folder


def header_answer(request: dict[str, Any]) -> Behaviour:
    """A well-behaved endpoint: the canary gets {"canary": 7}; a company-name request gets the
    name that is in its snippet."""
    if wants_canary(request):
        return ok(CANARY_OK)
    prompt = json.dumps(request.get("messages"), ensure_ascii=False)
    name = next((n for n in NAMES if n in prompt), None)
    return ok({"name": name, "name_en": None})


class PerDocument:
    """A `default` for ScriptedServer: delegates to `inner` and counts, per company name in the
    request (or "canary"), the requests and the injected failures."""

    def __init__(self, inner: Callable[[dict[str, Any]], Behaviour]) -> None:
        self.inner = inner
        self.requests: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, request: dict[str, Any]) -> Behaviour:
        prompt = json.dumps(request.get("messages"), ensure_ascii=False)
        who = "canary" if wants_canary(request) else next((n for n in NAMES if n in prompt), "?")
        behaviour = self.inner(request)
        with self._lock:
            self.requests[who] += 1
            self.failures[who] += int(behaviour in FAILURES)
        return behaviour

    def snapshot(self) -> tuple[Counter[str], Counter[str]]:
        with self._lock:
            return Counter(self.requests), Counter(self.failures)


def fast_config(path: Path, **extra: Any) -> Path:
    """A config file (EXTRACT_CONFIG) with small backoff and few transport attempts."""
    values = {"backoff_initial": 0.01, "backoff_max": 0.05, "transport_attempts": 2, "timeout": 10.0, **extra}
    lines = [f"{k} = {json.dumps(v)}" for k, v in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cli_env(base_url: str | None, tmp_path: Path, **env: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("EXTRACT_")}
    environ.update(
        EXTRACT_MODEL="scripted", EXTRACT_CACHE_DIR=str(tmp_path / "cache"), EXTRACT_CONFIG=str(tmp_path / "none.toml")
    )
    if base_url:
        environ.update(EXTRACT_BASE_URL=base_url, EXTRACT_API_KEY="sk-test-KEY-0000")
    environ.update(env)
    return environ


def cli(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "extract", *args], capture_output=True, text=True, env=env, timeout=timeout, cwd=cwd
    )


def cli_popen(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "extract", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd,
    )  # fmt: skip


def read_lines(path: Path) -> list[dict[str, Any]]:
    """Every line of a --out file, each of which must be one whole JSON object."""
    raw = path.read_bytes()
    assert raw == b"" or raw.endswith(b"\n"), "the file ends in a torn line"
    records = []
    for line in raw.decode("utf-8").splitlines():
        record = json.loads(line)  # a torn or interleaved line fails here
        assert isinstance(record, dict) and "id" in record and "ok" in record
        records.append(record)
    return records


SUMMARY = re.compile(
    r"(?P<total>\d+) documents: (?P<ok>\d+) ok \((?P<cached>\d+) from cache\), (?P<failed>\d+) failed, (?P<skipped>\d+) skipped"
)


def summary(stderr: str) -> dict[str, int]:
    match = SUMMARY.search(stderr)
    assert match, f"no summary line in stderr: {stderr[-2000:]}"
    return {k: int(v) for k, v in match.groupdict().items()}


def figures_in(text: str) -> set[float]:
    """Every amount and percentage the text states (what a grounded value may be)."""
    from extract.grounding import stated_values

    return {abs(v) for v in stated_values(text)}


def assert_nothing_invented(report: dict[str, Any], text: str) -> None:
    """Every emitted figure is stated in the document and its evidence is a verbatim slice."""
    from extract.grounding import is_verbatim, reads_back

    stated = figures_in(text)
    for kind, fields in (("metrics", ("value",)), ("guidance", ("low", "high"))):
        for entry in report.get(kind) or []:
            assert is_verbatim(entry["evidence"], text), entry
            for f in fields:
                assert reads_back(entry["evidence"], entry[f]), entry
                assert any(abs(abs(entry[f]) - v) <= 0.005 * v for v in stated), (entry, stated)
