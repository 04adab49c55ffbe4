"""The real embedded path: llama.cpp's OpenAI-compatible server started by the project,
the real openai client over HTTP, the small 0.5B model (mechanics, not accuracy)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extract import Extractor, weights
from tests import procs

SMALL = "qwen2.5-coder-0.5b"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "zh_07_chiyuan_2023q3.txt"

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(
        not weights.local_path(SMALL).is_file() and os.environ.get("CI") != "true",
        reason="run `extract model pull qwen2.5-coder-0.5b` first",
    ),
]


def test_cli_run_on_embedded_model_and_no_orphan_server(tmp_path: Path) -> None:
    marker = procs.new_marker()  # other sessions may run embedded servers meanwhile: count only ours
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXTRACT_")}
    env.update(EXTRACT_MODEL=SMALL, EXTRACT_CACHE_DIR=str(tmp_path / "cache"), EXTRACT_CONFIG=str(tmp_path / "none"))
    env[procs.MARKER_VAR] = marker
    proc = subprocess.run(
        [sys.executable, "-m", "extract", "run", str(EXAMPLE), "--meta"], capture_output=True, text=True, env=env, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    text = EXAMPLE.read_text(encoding="utf-8")
    assert out["report"]["metrics"], "the grounded strategy finds the figures without the model's help"
    for m in out["report"]["metrics"]:
        assert m["evidence"] in text
    assert out["meta"]["usage"]["requests"] >= 1 and not out["meta"]["cached"]
    assert procs.servers(marker) == set()  # the server stopped with the CLI


def test_api_cache_and_restart_after_server_crash(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    with Extractor(model=SMALL, cache_dir=tmp_path / "cache") as ex:
        first = ex.extract(text)
        again = ex.extract(text)
        assert again.cached and not first.cached
        assert again.report.model_dump() == first.report.model_dump()
        server = ex.client.endpoint
        pid = server.pid  # type: ignore[attr-defined]
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        # A different document misses the cache, finds the server dead, restarts it once.
        other = ex.extract(text.replace("驰远", "远航"))
        assert other.report.company.name != first.report.company.name or other.report.metrics
        assert server.pid not in (None, pid)  # type: ignore[attr-defined]
    assert server.pid is None  # type: ignore[attr-defined]
