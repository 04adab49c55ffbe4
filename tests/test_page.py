"""The page at `/`, the static `--html` view and `/docs`, in a real browser.

Headless Chromium from the system packages (`.ci/run` installs Debian's `chromium`), driven by
Playwright with `executable_path` (no browser download). The service runs over real HTTP
(uvicorn) against the scripted model server; the grounded strategy's rules find the facts,
the model names the company. Every request the browser makes is recorded: none may leave
the service (or, for the static file, the file itself).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from extract.config import Settings
from extract.server import ServiceConfig, create_app
from extract.server.runner import ServerThread
from extract.view import render_page
from tests.conftest import answering, wants_canary
from tests.scripted_server import ScriptedServer

CHROMIUM = Path(os.environ.get("EXTRACT_TEST_CHROMIUM", "/usr/bin/chromium"))
if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)", allow_module_level=True)

from playwright.sync_api import BrowserContext, Page, expect, sync_playwright  # noqa: E402

# Written by the team for these tests: an invented half-year release.
ARTICLE = (
    "晨光新材(深交所:300999)周四晚间发布2024年半年度报告。上半年公司实现营业收入8.6亿元，同比增长15.2%；"
    "归属于上市公司股东的净利润为1.05亿元，同比下降4.3%。\n"
    "管理层在业绩说明会上表示，海外订单仍在增加，预计全年营业收入将达到18亿元至19亿元。\n"
)
SECOND = "Harbor Mills (NYSE: HBM) said fourth quarter 2024 revenue was US$212.4 million, up 6% from a year earlier.\n"
COMPANY = {"name": "晨光新材", "name_en": None}

FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip

# Per fact row of the view: its evidence cell, the text of the marks that carry its id (in
# document order), whether it is selected, and its cells.
ROWS_JS = """(root) => Array.from(document.querySelectorAll(root + ' tr[data-row]')).map(tr => {
  const id = tr.dataset.row;
  const marks = Array.from(document.querySelectorAll(root + ' mark'))
    .filter(m => m.dataset.rows.split(' ').includes(id));
  return {id, evidence: tr.querySelector('td.xv-ev').textContent, on: tr.classList.contains('xv-on'),
          highlighted: marks.map(m => m.textContent).join(''), marked: marks.filter(m => m.classList.contains('xv-on')).length,
          marks: marks.length, cells: Array.from(tr.children).map(td => td.textContent)};
})"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    profile = tmp_path_factory.mktemp("chromium-profile")  # a new, empty --user-data-dir
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=FLAGS, viewport={"width": 1500, "height": 950}
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def requests_seen(browser: BrowserContext) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(request: Any) -> None:
        seen.append(request.url)

    browser.on("request", record)
    yield seen
    browser.remove_listener("request", record)


@pytest.fixture
def page(browser: BrowserContext) -> Iterator[Page]:
    p = browser.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    yield p
    p.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def _company(request: dict[str, Any]) -> Any:
    return COMPANY


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[str, ScriptedServer]]:
    with ScriptedServer(default=answering(_company)) as srv:
        settings = Settings(
            base_url=srv.base_url, api_key="sk-model-SECRET", model="scripted", cache_dir=tmp_path / "cache", timeout=10.0,
            backoff_initial=0.01, backoff_max=0.05, transport_attempts=2,
        )  # fmt: skip
        app = create_app(settings, ServiceConfig(jobs_db=tmp_path / "jobs.sqlite"))
        with ServerThread(app) as server:
            yield server.url, srv


def _api_report(url: str, text: str, **extra: Any) -> dict[str, Any]:
    body = json.dumps({"text": text, **extra}).encode()
    req = urllib.request.Request(url + "/v1/extract", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())  # type: ignore[no-any-return]


def _facts(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [*report["metrics"], *report["guidance"]]


def _assert_rows_on_text(page: Page, root: str, report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = page.evaluate(ROWS_JS, root)
    facts = _facts(report)
    assert len(rows) == len(facts) >= 3
    for row, fact in zip(rows, facts, strict=True):
        assert row["evidence"] == fact["evidence"]
        assert row["marks"] >= 1 and row["highlighted"] == fact["evidence"], row
    return rows


def _assert_selection_links(page: Page, root: str, report: dict[str, Any]) -> None:
    facts = _facts(report)
    target = 1  # the second fact: its span is not the first on the page
    page.locator(f"{root} tr[data-row]").nth(target).click()
    rows = page.evaluate(ROWS_JS, root)
    assert [r["on"] for r in rows] == [i == target for i in range(len(rows))]
    assert rows[target]["marked"] == rows[target]["marks"] >= 1
    marked = page.eval_on_selector_all(f"{root} mark.xv-on", "ms => ms.map(m => m.textContent).join('')")
    assert marked == facts[target]["evidence"]
    # ...and the other way: clicking a highlight selects its row.
    last = len(facts) - 1
    page.locator(f"{root} mark[data-rows~='{rows[last]['id']}']").first.click()
    rows = page.evaluate(ROWS_JS, root)
    assert [r["on"] for r in rows] == [i == last for i in range(len(rows))]


def _only_local(urls: list[str], allowed: Callable[[str], bool]) -> None:
    outside = [u for u in urls if not allowed(u)]
    assert outside == [], f"requests that left the service: {outside}"
    assert urls, "the browser made no request at all"


def test_page_shows_each_fact_on_its_evidence_and_links_rows_and_highlights(
    page: Page, service: tuple[str, ScriptedServer], requests_seen: list[str]
) -> None:
    url, srv = service
    page.goto(url + "/")
    page.wait_for_selector("#schema option[value='earnings_report']", state="attached")
    page.fill("#text", ARTICLE)
    page.click("#submit")
    page.wait_for_selector("#view tr[data-row]")
    report = _api_report(url, ARTICLE)["report"]  # the same request again: what the page was given
    rows = _assert_rows_on_text(page, "#view", report)
    first = " | ".join(rows[0]["cells"])
    assert "revenue" in first and "2024H1" in first and "860 million CNY" in first and "+15.2%" in first
    guidance = " | ".join(rows[-1]["cells"])
    assert "1.8 billion CNY" in guidance and "1.9 billion CNY" in guidance
    assert page.text_content("#view .xv-summary dl") and "晨光新材" in (page.text_content("#view .xv-summary dl") or "")
    meta = page.text_content("#view .xv-meta") or ""
    assert "strategy grounded" in meta and "cached no" in meta and "seconds" in meta and "tokens" in meta
    assert "Dropped by the grounding gate (0)" in (page.text_content("#view .xv-dropped") or "")
    _assert_selection_links(page, "#view", report)
    _only_local(requests_seen, lambda u: u.startswith(url + "/"))
    assert any(not wants_canary(r) for r in srv.requests)  # the page's request reached the model


def test_page_lists_the_entries_the_grounding_gate_dropped_with_their_reason(
    page: Page, service: tuple[str, ScriptedServer]
) -> None:
    url, srv = service
    invented = {
        "company": {"name": "晨光新材", "name_en": None, "ticker": "300999", "exchange": "SZSE"},
        "fiscal_period": "2024H1", "period_end": None, "currency": "CNY",
        "metrics": [
            {"metric": "revenue", "period": "2024H1", "segment": None, "value": 860000000, "unit": "CNY",
             "yoy_pct": 15.2, "qoq_pct": None, "evidence": "上半年公司实现营业收入8.6亿元"},
            {"metric": "net_income", "period": "2024H1", "segment": None, "value": 999000000, "unit": "CNY",
             "yoy_pct": None, "qoq_pct": None, "evidence": "净利润为9.99亿元"},
        ],
        "guidance": [],
    }  # fmt: skip
    srv.default = answering(lambda r: invented if "EarningsReport" in json.dumps(r.get("response_format") or {}) else COMPANY)
    page.goto(url + "/")
    page.wait_for_selector("#strategy option[value='direct']", state="attached")
    page.select_option("#strategy", "direct")
    page.fill("#text", ARTICLE)
    page.click("#submit")
    page.wait_for_selector("#view tr[data-row]")
    rows = page.evaluate(ROWS_JS, "#view")
    assert [r["evidence"] for r in rows] == ["上半年公司实现营业收入8.6亿元"]
    assert rows[0]["highlighted"] == rows[0]["evidence"]
    dropped = page.text_content("#view .xv-dropped") or ""
    assert "(1)" in dropped and "净利润为9.99亿元" in dropped and "net_income" in dropped
    reason = page.text_content("#view .xv-dropped td.xv-reason") or ""
    assert reason.strip()


def test_files_as_a_batch_job_show_progress_and_each_document(
    page: Page, service: tuple[str, ScriptedServer], tmp_path: Path
) -> None:
    url, _ = service
    a, b = tmp_path / "chenguang.html", tmp_path / "harbor.txt"
    a.write_text(f"<html><body><p>{ARTICLE}</p><script>var x = 1;</script></body></html>", encoding="utf-8")
    b.write_text(SECOND, encoding="utf-8")
    page.goto(url + "/")
    page.set_input_files("#files", [str(a), str(b)])
    page.wait_for_selector("#batch:not([disabled])")
    page.click("#batch")
    page.wait_for_selector("#job-state:text-is('done')", timeout=30_000)
    assert (page.text_content("#job-counts") or "").startswith("2 of 2 done: 2 ok")
    assert re.fullmatch(r"#job=[0-9a-f]+", page.evaluate("location.hash"))
    page.locator("#job-docs tr").nth(0).click()
    expect(page.locator("#view .xv-summary h2")).to_have_text("chenguang")
    report = _api_report(url, ARTICLE.strip())["report"]  # the page's upload read the HTML to this text
    _assert_rows_on_text(page, "#view", report)
    assert "var x" not in (page.text_content("#view .xv-doc") or "")
    page.locator("#job-docs tr").nth(1).click()
    expect(page.locator("#view .xv-summary h2")).to_have_text("harbor")
    rows = page.evaluate(ROWS_JS, "#view")
    assert rows and all(r["highlighted"] == r["evidence"] for r in rows)


def test_run_html_writes_a_self_contained_page_that_shows_the_same(
    page: Page, service: tuple[str, ScriptedServer], tmp_path: Path, requests_seen: list[str]
) -> None:
    url, srv = service
    doc, out = tmp_path / "chenguang.txt", tmp_path / "chenguang.html"
    doc.write_text(ARTICLE, encoding="utf-8")
    env = {**os.environ, "EXTRACT_BASE_URL": srv.base_url, "EXTRACT_API_KEY": "sk-test", "EXTRACT_MODEL": "scripted",
           "EXTRACT_CACHE_DIR": str(tmp_path / "cli-cache")}  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-m", "extract", "run", str(doc), "--html", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # nothing to load
    page.goto(out.as_uri())
    page.wait_for_selector("#view tr[data-row]")
    _assert_rows_on_text(page, "#view", report)
    _assert_selection_links(page, "#view", report)
    _only_local(requests_seen, lambda u: u == out.as_uri())


def test_checks_render_as_marks_with_their_detail_when_present(page: Page, tmp_path: Path) -> None:
    text = "Q2 revenue was $10 million, up 25% from $8 million a year ago."
    report = {
        "metrics": [
            {"metric": "revenue", "period": "2024Q2", "value": 10_000_000, "unit": "USD", "yoy_pct": 25.0,
             "evidence": "Q2 revenue was $10 million, up 25%",
             "checks": [{"check": "yoy", "passed": True, "against": "revenue 2023Q2", "detail": "10 / 8 - 1 = 25%"}]},
            {"metric": "revenue", "period": "2023Q2", "value": 8_000_000, "unit": "USD", "yoy_pct": None,
             "evidence": "$8 million a year ago",
             "checks": [{"check": "sum", "passed": False, "against": "segments", "detail": "segments add to 7.5 million"}]},
        ]
    }  # fmt: skip
    out = tmp_path / "checks.html"
    out.write_text(render_page(text, report, None, title="checks"), encoding="utf-8")
    page.goto(out.as_uri())
    page.wait_for_selector("#view tr[data-row]")
    marks = page.eval_on_selector_all(
        "#view td.xv-checks span", "ss => ss.map(s => [s.className, s.textContent, s.getAttribute('title')])"
    )
    assert marks == [
        ["xv-pass", "✓ yoy", "against revenue 2023Q2: 10 / 8 - 1 = 25%"],
        ["xv-fail", "✗ sum", "against segments: segments add to 7.5 million"],
    ]
    rows = page.evaluate(ROWS_JS, "#view")
    assert [r["highlighted"] for r in rows] == [m["evidence"] for m in report["metrics"]]


def test_docs_render_from_the_service_alone(page: Page, service: tuple[str, ScriptedServer], requests_seen: list[str]) -> None:
    url, _ = service
    page.goto(url + "/docs")
    page.wait_for_selector(".swagger-ui .opblock-summary-path[data-path='/v1/extract']", timeout=30_000)
    page.click(".swagger-ui .opblock-summary-path[data-path='/v1/extract']")  # the operation and its schemas open
    page.wait_for_selector(".swagger-ui .opblock-body")
    _only_local(requests_seen, lambda u: u.startswith((url + "/", f"blob:{url}/")))  # blob: Swagger UI's own, in the page


@pytest.mark.parametrize("path", ["/", "/docs"])
def test_pages_reference_no_external_host(service: tuple[str, ScriptedServer], path: str) -> None:
    url, _ = service
    html = urllib.request.urlopen(url + path, timeout=10).read().decode()
    refs = re.findall(r"""(?:src|href|url)\s*[=:(]\s*["']?([^"' )>]+)""", html)
    assert refs, html
    assert [r for r in refs if re.match(r"(https?:)?//", r)] == []


def test_the_view_knows_no_schema_any_list_with_evidence_is_a_table(page: Page, tmp_path: Path) -> None:
    text = "青松药业拟以2.4亿元收购白桦生物51%股权。董事会同时批准每10股派发现金红利3元。"
    report = {
        "events": [
            {"type": "acquisition", "company": "青松药业", "amount_low": 240_000_000, "currency": "CNY", "target": "白桦生物",
             "stake_pct": 51.0, "evidence": "青松药业拟以2.4亿元收购白桦生物51%股权"},
            {"type": "dividend", "company": "青松药业", "per_share": 0.3, "currency": "CNY", "stake_pct": None,
             "evidence": "每10股派发现金红利3元"},
        ]
    }  # fmt: skip
    out = tmp_path / "events.html"
    out.write_text(render_page(text, report, None, title="events"), encoding="utf-8")
    page.goto(out.as_uri())
    page.wait_for_selector("#view table[data-list='events'] tr[data-row]")
    rows = page.evaluate(ROWS_JS, "#view")
    assert [r["highlighted"] for r in rows] == [e["evidence"] for e in report["events"]]
    stake = page.text_content("#view tr[data-row='f0'] td[data-col='stake_pct']")
    assert stake == "51%"  # a share of a whole, not a change: no sign
