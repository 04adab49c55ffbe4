"""Remake the screenshots in this folder: `python docs/screenshots/make.py` (needs /usr/bin/chromium).

The service and the eval run use the scripted model server of the tests: the grounded
strategy's rules find the facts, the scripted model names the company. The report's history
chart puts the committed baseline run (evals/baseline, the embedded 1.5B model) before it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from extract.config import Settings  # noqa: E402
from extract.server import ServiceConfig, create_app  # noqa: E402
from extract.server.runner import ServerThread  # noqa: E402
from tests.conftest import answering  # noqa: E402
from tests.scripted_server import ScriptedServer  # noqa: E402
from tests.test_page import ARTICLE, FLAGS  # noqa: E402

OUT = Path(__file__).parent
COMPANY = {"name": "晨光新材", "name_en": None}


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    try:
        with ScriptedServer(default=answering(COMPANY)) as srv, sync_playwright() as pw:
            browser = pw.chromium.launch_persistent_context(
                str(tmp / "profile"), executable_path="/usr/bin/chromium", headless=True, args=FLAGS,
                viewport={"width": 1400, "height": 860},
            )  # fmt: skip
            page = browser.new_page()
            settings = Settings(base_url=srv.base_url, api_key="x", model="scripted", cache_dir=tmp / "cache")
            with ServerThread(create_app(settings, ServiceConfig(jobs_db=tmp / "jobs.sqlite"))) as server:
                page.goto(server.url + "/")
                page.wait_for_selector("#schema option[value='earnings_report']", state="attached")
                page.fill("#text", ARTICLE)
                page.click("#submit")
                page.wait_for_selector("#view tr[data-row]")
                page.locator("#view tr[data-row]").nth(1).click()
                page.evaluate("() => window.scrollTo(0, 0)")
                page.screenshot(path=str(OUT / "page.png"))

            runs = tmp / "runs"
            (runs / "20261122-064145-grounded-qwen2.5-coder-1.5b").mkdir(parents=True)
            shutil.copy(ROOT / "evals/baseline/summary.json", runs / "20261122-064145-grounded-qwen2.5-coder-1.5b")
            env = {**os.environ, "EXTRACT_BASE_URL": srv.base_url, "EXTRACT_API_KEY": "x", "EXTRACT_MODEL": "scripted",
                   "EXTRACT_CACHE_DIR": str(tmp / "cache")}  # fmt: skip
            subprocess.run(
                [sys.executable, "-m", "extract", "eval", "--dataset", "evals/datasets/earnings", "--runs-dir", str(runs)],
                cwd=ROOT, env=env, check=True,
            )  # fmt: skip
            run = max((p for p in runs.iterdir() if "scripted" in p.name), key=lambda p: p.name)
            page.set_viewport_size({"width": 1400, "height": 1000})
            page.goto((run / "report.html").as_uri())
            page.locator(".charts").screenshot(path=str(OUT / "report.png"))
            page.locator("a:text('on its text')").first.click()  # a per-document page of the report
            page.wait_for_selector("#view tr[data-row]")
            page.screenshot(path=str(OUT / "report-document.png"))
            summary = json.loads((run / "summary.json").read_text())
            print("scripted run F1", summary["overall"]["f1"])
            browser.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
