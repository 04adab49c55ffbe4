"""Report rendering: figures land in Markdown, and hostile documents render inert in HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from extract.evals.report import render_html, render_markdown, render_side_by_side
from extract.evals.scoring import score_document, summarize

EVIL_TEXT = (
    '公告<script>alert(1)</script>收入为7,330万元人民币，同比下降4%。\n'
    '<img src=x onerror=alert(1)> 他说"好" & 净亏损为2,370万元人民币。'
)
EVIL_ID = 'evil"><script>alert(2)</script>'


def yes(evidence: str, value: float, unit: str | None) -> bool:
    return True


def entry(metric, period, value, segment=None, evidence=None) -> dict:
    return {"metric": metric, "period": period, "segment": segment, "value": value, "unit": "CNY",
            "yoy_pct": None, "qoq_pct": None, "evidence": evidence}


def doc(metrics, ticker="JG") -> dict:
    return {"company": {"name": "极光", "ticker": ticker}, "fiscal_period": "2023Q2", "currency": "CNY",
            "metrics": metrics, "guidance": []}


GOLD = doc([
    entry("revenue", "2023Q2", 73300000, evidence="收入为7,330万元人民币，同比下降4%"),
    entry("net_income", "2023Q2", -23700000, evidence="净亏损为2,370万元人民币"),
])
PRED = doc([
    # evidence that itself contains the script tag: highlighting must wrap the escaped form
    entry("revenue", "2023Q2", 73300000, evidence="<script>alert(1)</script>收入为7,330万元"),
    entry("net_income", "2023Q2", 23700000, evidence="净亏损为2,370万元人民币"),
    entry("other", "2023Q2", '<b onmouseover="alert(4)">9</b>', segment='" onmouseover="alert(3)',
          evidence='"><img src=y onerror=alert(5)>'),
], ticker='<img src=z onerror=alert(6)>')


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def evil_html() -> str:
    ds = score_document(EVIL_ID, EVIL_TEXT, GOLD, PRED, readback=yes)
    summary = summarize([ds], {EVIL_ID: "zh"})
    meta = {"model": "<script>alert(7)</script>", "strategy": 'one"shot'}
    docs = [{"id": EVIL_ID, "text": EVIL_TEXT, "gold": GOLD, "pred": PRED, "rows": ds.rows,
             "error": "<script>alert(8)</script>"}]
    return render_html(summary, meta, docs)


def test_html_renders_hostile_document_inert():
    out = evil_html()
    low = out.lower()
    assert "<script" not in low
    assert "<img" not in low
    # every onerror= that appears is inside escaped text, never an attribute
    assert low.count("onerror=") == low.count("&lt;img src=x onerror=") + low.count(
        "&lt;img src=y onerror=") + low.count("&lt;img src=z onerror=")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "&lt;script&gt;alert(8)&lt;/script&gt;" in out  # the error message too

    parser = TagCollector()
    parser.feed(out)
    tags = {t for t, _ in parser.tags}
    assert not tags & {"script", "img", "iframe", "object", "embed", "link", "b", "foreignobject", "use", "image"}
    assert all(("class", "chart") in attrs for tag, attrs in parser.tags if tag == "svg")  # only the report's charts
    for tag, attrs in parser.tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src"):
                assert tag == "a" and (value or "").startswith("#"), (tag, name, value)
    assert "default-src 'none'" in out  # and scripts are forbidden by policy


def test_html_marks_evidence_spans():
    out = evil_html()
    text_part = out[out.index('<pre class="doc">'):out.index("</pre>")]
    # predicted evidence (starting with the escaped script) is highlighted as verbatim ...
    assert re.search(r'<mark class="ev-verbatim"[^>]*>&lt;script&gt;alert\(1\)&lt;/script&gt;</mark>', text_part)
    # ... and where it overlaps the gold evidence, the gold span is underlined inside the mark
    assert re.search(r'<mark class="ev-verbatim"[^>]*><u class="ev-gold">收入为7,330万元</u></mark>', text_part)
    assert re.search(r'<u class="ev-gold">人民币，同比下降4%</u>', text_part)
    # evidence that is not in the document is shown in the table with its own class
    assert '<mark class="ev-notfound">&quot;&gt;&lt;img src=y onerror=alert(5)&gt;</mark>' in out
    # status labels per row
    assert "WRONG VALUE (sign)" in out and "INVENTED" in out
    assert 'class="st-wrong_value"' in out and 'class="st-invented"' in out


def test_html_failed_document_lists_misses():
    ds = score_document("f1", "收入为7,330万元人民币", GOLD, None)
    summary = summarize([ds])
    out = render_html(summary, {}, [{"id": "f1", "text": "收入为7,330万元人民币", "gold": GOLD, "pred": None,
                                     "rows": ds.rows, "error": ds.error}])
    assert out.count('class="st-missed"') == 2
    assert "Extraction failed" in out and "FAIL" in out


def test_markdown_has_headline_figures():
    gold2 = doc([entry("revenue", "2023Q2", 1), entry("cash", "2022FY", 2), entry("eps", "2023Q2", 3)])
    pred2 = doc([entry("revenue", "2023Q2", 1), entry("cash", "2022FY", 2)])
    d1 = score_document("good", "x", gold2, pred2, readback=yes)  # 2 of 3 correct
    d2 = score_document("broken|doc", "x", gold2, None, error="HTTP 500")
    summary = summarize([d1, d2], {"good": "zh", "broken|doc": "en"})
    md = render_markdown(summary, {"model": "qwen2.5-7b", "strategy": "single-pass", "prompt_version": "p3",
                                   "tokens": 1234, "seconds": 9.5})
    # overall: correct 2, predicted 2, gold 6 -> P 100 %, R 33.3 %, F1 = 4/8 = 50 %
    assert "| Metric precision | 100.0% |" in md
    assert "| Metric recall | 33.3% |" in md
    assert "| Metric F1 | 50.0% |" in md
    assert "| Value accuracy (matched entries) | 100.0% (2/2) |" in md
    assert "| company.ticker accuracy | 50.0% (1/2) |" in md
    assert "| Errors: missed | 4 |" in md
    assert "| Ungrounded values | 2 (of 2 checked) |" in md  # no evidence: nothing to read back from
    assert "| model | qwen2.5-7b |" in md and "| prompt_version | p3 |" in md
    assert "## Per metric" in md and "| revenue | 100.0% | 50.0% |" in md
    assert "## Per language" in md and re.search(r"\| en \| 1 \| 1 \|", md)
    worst = md[md.index("## Worst documents"):]
    assert worst.index("broken\\|doc") < worst.index("good")  # failed first, pipe escaped
    assert "HTTP 500" in worst


def test_side_by_side_table():
    base = {"documents": 4, "overall": {"f1": 0.8, "precision": 0.9, "recall": 0.72}, "ungrounded": 3,
            "timing": {"per_doc": [1.0, 3.0, 2.0, 10.0]}, "tokens": {"total": 8000}}
    other = {"documents": 4, "overall": {"f1": 0.75, "precision": 0.7, "recall": 0.81}, "ungrounded": 0}
    out = render_side_by_side({"single-pass": base, "two-pass": other})
    lines = out.splitlines()
    assert lines[0].startswith("| config | F1 | P | R |")
    assert lines[2].startswith("| single-pass | 80.0% | 90.0% | 72.0% |")
    assert "| 2.50 | 2,000 |" in lines[2]  # median of 1,2,3,10; 8000 tokens / 4 docs
    assert lines[3].startswith("| two-pass | 75.0% | 70.0% | 81.0% |") and lines[3].endswith("| — | — |")


# --------------------------------------------------------------------------- charts


def _svgs(page: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", page, flags=re.S)


def test_html_charts_f1_per_metric_and_language_as_inline_svg():
    from xml.etree import ElementTree

    page = evil_html()
    svgs = _svgs(page)
    assert len(svgs) == 2  # per metric, per language; one run: no history chart
    for svg in svgs:
        ElementTree.fromstring(svg)  # well-formed, labels escaped
    per_language, per_metric = svgs
    assert "Metric F1 per metric" in per_metric and ">revenue<" in per_metric and ">net_income<" in per_metric
    assert "Metric F1 per language" in per_language and ">zh<" in per_language
    assert not re.search(r"(src|href)=\"?(https?:)?//", page)  # nothing to load


def test_history_chart_has_a_line_per_configuration_over_the_runs_of_the_dataset(tmp_path):
    import json
    from xml.etree import ElementTree

    from extract.evals.charts import history_chart, load_history

    def run(name: str, label: str, dataset: str, f1: float) -> None:
        (tmp_path / name).mkdir()
        summary = {"overall": {"f1": f1}, "meta": {"label": label, "dataset": dataset}}
        (tmp_path / name / "summary.json").write_text(json.dumps(summary), encoding="utf-8")

    run("20240101-000000-grounded", "grounded/m", "ds", 0.91)
    run("20240102-000000-direct", "direct/m", "ds", 0.62)
    run("20240103-000000-grounded", "grounded/m", "ds", 0.94)
    run("20240104-000000-grounded", "grounded/m", "other", 0.10)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "summary.json").write_text("{", encoding="utf-8")
    points = load_history(tmp_path)
    assert [p.name for p in points] == [
        "20240101-000000-grounded", "20240102-000000-direct", "20240103-000000-grounded", "20240104-000000-grounded",
    ]
    svg = history_chart(points, "ds")
    root = ElementTree.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}polyline")) == 1  # grounded has two runs; direct one point, no line
    tips = [c.find(f"{ns}title").text for c in root.findall(f"{ns}circle")]
    assert tips == [
        "grounded/m · 20240101-000000-grounded: F1 91.0%", "grounded/m · 20240103-000000-grounded: F1 94.0%",
        "direct/m · 20240102-000000-direct: F1 62.0%",
    ]
    assert "3 runs on ds" in svg and "other" not in svg
    assert history_chart(points, "other") == ""  # one run: nothing to draw across
