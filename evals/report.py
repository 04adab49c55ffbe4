"""Human-readable reports of a scored run: Markdown, a self-contained HTML page, and a
side-by-side table for comparing configurations.

Reports only format what `evals.scoring.summarize` computed; they compute no score of
their own, except locating evidence spans in the text for highlighting.

The HTML page shows untrusted text (documents, model output), so every piece of it goes
through `html.escape`; spans are found on the raw text and escaped piece by piece, and a
Content-Security-Policy forbids scripts and remote loads as a second line of defence.
"""

from __future__ import annotations

import html
import json
import re
import statistics
from collections.abc import Iterable
from typing import Any

from extract.evals.charts import RunPoint, bar_chart, history_chart, language_bars, metric_bars
from extract.evals.scoring import GOLD_STATUSES, PRED_STATUSES, EvidenceIndex

__all__ = ["render_markdown", "render_html", "render_side_by_side", "headline_rows"]

META_ORDER = ("model", "strategy", "prompt_version", "schema_version", "tokens", "seconds")

STATUS_LABELS = {
    "correct": "ok",
    "wrong_value": "WRONG VALUE",
    "missed": "MISSED",
    "invented": "INVENTED",
    "wrong_period": "WRONG PERIOD",
    "duplicate": "DUPLICATE",
    "wrong": "WRONG",
}


# --------------------------------------------------------------------------- formatting


def _pct(x: Any) -> str:
    return "—" if not isinstance(x, (int, float)) else f"{100 * x:.1f}%"


def _num(x: Any) -> str:
    """Money-sized numbers with separators; small ones as given."""
    if isinstance(x, bool) or x is None:
        return "—" if x is None else str(x)
    if isinstance(x, (int, float)):
        if float(x).is_integer():
            return f"{int(x):,}"
        return f"{x:,.4g}" if abs(x) < 1000 else f"{x:,.2f}"
    if isinstance(x, (list, tuple)):
        return " – ".join(_num(v) for v in x)
    return str(x)


def _acc(block: dict | None) -> str:
    block = block or {}
    return f"{_pct(block.get('accuracy'))} ({block.get('correct', 0)}/{block.get('total', 0)})"


def _md_cell(x: Any) -> str:
    return str(x).replace("|", "\\|").replace("\n", " ")


def _md_table(header: list[str], rows: Iterable[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _meta_items(meta: dict) -> list[tuple[str, str]]:
    keys = [k for k in META_ORDER if k in meta] + [k for k in meta if k not in META_ORDER]
    out = []
    for k in keys:
        v = meta[k]
        out.append((str(k), json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else str(v)))
    return out


# --------------------------------------------------------------------------- shared tables


def headline_rows(summary: dict) -> list[tuple[str, str]]:
    """The headline figures as (label, formatted value), shared by Markdown and HTML."""
    o = summary.get("overall", {})
    g = summary.get("guidance", {})
    ev = summary.get("evidence", {})
    errs = summary.get("error_counts", {})
    sub = summary.get("wrong_value_subclasses", {})
    rows = [
        ("Documents", f"{summary.get('documents', 0)} ({len(summary.get('failed_documents', []))} failed, "
                      f"{summary.get('passed_documents', 0)} all correct)"),
        ("Metric precision", _pct(o.get("precision"))),
        ("Metric recall", _pct(o.get("recall"))),
        ("Metric F1", _pct(o.get("f1"))),
        ("Entries gold / predicted / correct",
         f"{o.get('gold', 0)} / {o.get('predicted', 0)} / {o.get('correct', 0)}"),
        ("Value accuracy (matched entries)",
         f"{_pct(o.get('value_accuracy'))} ({o.get('correct', 0)}/{o.get('matched', 0)})"),
    ]
    # Values judged apart from the F1 (earnings: yoy, qoq): the error classes name them.
    for cls in errs:
        judged = cls.removeprefix("wrong_")
        if cls.startswith("wrong_") and isinstance(summary.get(judged), dict) and "accuracy" in summary[judged]:
            label = {"yoy": "YoY", "qoq": "QoQ"}.get(judged, judged)
            rows.append((f"{label} accuracy", _acc(summary.get(judged))))
    for name in summary.get("scalars", {}):
        rows.append((f"{name} accuracy", _acc(summary.get("scalars", {}).get(name))))
    if "guidance" in summary:
        rows.append(("Guidance P / R / F1", f"{_pct(g.get('precision'))} / {_pct(g.get('recall'))} / {_pct(g.get('f1'))}"))
    rows += [
        ("Evidence verbatim rate", f"{_pct(summary.get('evidence_verbatim_rate'))} "
                                   f"({ev.get('verbatim', 0)}/{ev.get('predicted', 0)})"),
        ("Ungrounded values", f"{summary.get('ungrounded', 0)} (of {ev.get('readback_checked', 0)} checked)"),
    ]
    for cls in errs:
        n = errs.get(cls, 0)
        if cls == "wrong_value":
            detail = ", ".join(f"{k} {v}" for k, v in sub.items())
            rows.append((f"Errors: {cls}", f"{n} ({detail})" if detail else str(n)))
        else:
            rows.append((f"Errors: {cls}", str(n)))
    return rows


_PRF_HEADER = ["P", "R", "F1", "gold", "pred", "correct", "wrong value", "missed", "invented", "wrong period"]


def _prf_cells(b: dict) -> list[str]:
    return [
        _pct(b.get("precision")), _pct(b.get("recall")), _pct(b.get("f1")),
        str(b.get("gold", 0)), str(b.get("predicted", 0)), str(b.get("correct", 0)),
        str(b.get("wrong_value", 0)), str(b.get("missed", 0)), str(b.get("invented", 0)),
        str(b.get("wrong_period", 0)),
    ]


def _per_metric_table(summary: dict) -> tuple[list[str], list[list[str]]]:
    rows = [[m, *_prf_cells(b)] for m, b in summary.get("per_metric", {}).items()]
    return ["metric", *_PRF_HEADER], rows


def _per_language_table(summary: dict) -> tuple[list[str], list[list[str]]]:
    rows = [
        [lang, str(b.get("documents", 0)), str(b.get("failed", 0)), *_prf_cells(b)]
        for lang, b in summary.get("per_language", {}).items()
    ]
    return ["language", "docs", "failed", *_PRF_HEADER], rows


def _worst_documents(summary: dict, n: int) -> tuple[list[str], list[list[str]]]:
    """Documents that did not pass, failed extractions first, then by F1 ascending."""
    docs = [(d, b) for d, b in summary.get("per_document", {}).items() if not b.get("pass")]

    def order(item: tuple[str, dict]) -> tuple:
        doc_id, b = item
        return (b.get("error") is None, b["f1"] if b.get("f1") is not None else 1.0, doc_id)

    docs.sort(key=order)
    rows = []
    for d, b in docs[:n]:
        e = b.get("error_counts", {})
        rows.append([
            d, b.get("language", ""), _pct(b.get("f1")), _pct(b.get("precision")), _pct(b.get("recall")),
            str(e.get("missed", 0)), str(e.get("wrong_value", 0)), str(e.get("invented", 0)),
            str(e.get("wrong_period", 0)), b.get("error") or "",
        ])
    return ["document", "lang", "F1", "P", "R", "missed", "wrong value", "invented", "wrong period", "error"], rows


# --------------------------------------------------------------------------- Markdown


def render_markdown(summary: dict, meta: dict, *, worst: int = 10) -> str:
    """Markdown report: run config, headline figures, per-metric, per-language, worst docs."""
    parts = ["# Extraction eval", ""]
    if meta:
        parts += ["## Run", "", _md_table(["setting", "value"], [list(kv) for kv in _meta_items(meta)]), ""]
    parts += ["## Headline", "", _md_table(["figure", "value"], [list(r) for r in headline_rows(summary)]), ""]
    header, rows = _per_metric_table(summary)
    parts += ["## Per metric", "", _md_table(header, rows) if rows else "_no metric entries_", ""]
    header, rows = _per_language_table(summary)
    if rows:
        parts += ["## Per language", "", _md_table(header, rows), ""]
    header, rows = _worst_documents(summary, worst)
    worst_table = _md_table(header, rows) if rows else "_every document passed_"
    parts += [f"## Worst documents (up to {worst})", "", worst_table, ""]
    return "\n".join(parts)


# --------------------------------------------------------------------------- side by side


def _median_seconds(summary: dict) -> float | None:
    """Median seconds per document from summary["timing"] (number, list or dict)."""
    t = summary.get("timing")
    if isinstance(t, dict):
        for k in ("median_seconds_per_doc", "median_seconds", "median_s", "median"):
            if isinstance(t.get(k), (int, float)):
                return float(t[k])
        t = t.get("per_doc", t.get("seconds_per_doc", t.get("seconds")))
    if isinstance(t, list):
        vals = [v for v in t if isinstance(v, (int, float))]
        return statistics.median(vals) if vals else None
    return float(t) if isinstance(t, (int, float)) and not isinstance(t, bool) else None


def _tokens_per_doc(summary: dict) -> float | None:
    """Mean tokens per document from summary["tokens"] (number, list or dict)."""
    t = summary.get("tokens")
    n = summary.get("documents") or 0
    if isinstance(t, dict):
        for k in ("per_doc", "tokens_per_doc", "mean_per_doc"):
            if k in t:
                t = t[k]
                break
        else:
            total = t.get("total")
            if not isinstance(total, (int, float)):
                parts = [v for k, v in t.items() if k in ("prompt", "completion", "input", "output")
                         and isinstance(v, (int, float))]
                total = sum(parts) if parts else None
            return total / n if isinstance(total, (int, float)) and n else None
    if isinstance(t, list):
        vals = [v for v in t if isinstance(v, (int, float))]
        return statistics.fmean(vals) if vals else None
    return float(t) if isinstance(t, (int, float)) and not isinstance(t, bool) else None


def render_side_by_side(summaries: dict[str, dict]) -> str:
    """One Markdown row per configuration with its headline figures, for strategy choice."""
    header = ["config", "F1", "P", "R", "value acc", "guidance F1", "verbatim", "ungrounded",
              "failed", "median s/doc", "tokens/doc", "calls/doc"]
    rows = []
    for name, s in summaries.items():
        o = s.get("overall", {})
        sec, tok = _median_seconds(s), _tokens_per_doc(s)
        calls = s.get("calls", {}).get("per_doc") or []
        rows.append([
            name, _pct(o.get("f1")), _pct(o.get("precision")), _pct(o.get("recall")),
            _pct(o.get("value_accuracy")), _pct(s.get("guidance", {}).get("f1")),
            _pct(s.get("evidence_verbatim_rate")), str(s.get("ungrounded", "—")),
            str(len(s.get("failed_documents", []))),
            "—" if sec is None else f"{sec:.2f}", "—" if tok is None else f"{tok:,.0f}",
            f"{sum(calls) / len(calls):.1f}" if calls else "—",
        ])
    return _md_table(header, rows)


# --------------------------------------------------------------------------- HTML

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;
margin:1.5rem auto;max-width:75rem;padding:0 1rem;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:.5rem 0 1.2rem}
th,td{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}
th{background:#f2f2f2}
td.num{text-align:right;font-variant-numeric:tabular-nums}
pre.doc{white-space:pre-wrap;word-break:break-word;background:#fafafa;border:1px solid #ddd;
padding:.7rem;max-height:32rem;overflow:auto;font-size:.85rem}
mark.ev-verbatim{background:#ffe98a}
mark.ev-notfound{background:#ffc9c9;text-decoration:line-through}
u.ev-gold{text-decoration:underline 2px #1a7f37;text-underline-offset:3px}
tr.st-correct td.status{color:#1a7f37}
tr.st-missed{background:#fff4e5}
tr.st-wrong_value,tr.st-wrong{background:#ffecec}
tr.st-invented{background:#f3e8ff}
tr.st-wrong_period{background:#e8f0ff}
tr.st-duplicate{background:#f0f0f0}
td.status{font-weight:600;white-space:nowrap}
.pass{color:#1a7f37;font-weight:600}.fail{color:#b42318;font-weight:600}
.error{color:#b42318}
.legend span{margin-right:1rem}
section.doc{border-top:2px solid #888;margin-top:2rem;padding-top:.5rem}
.charts{display:flex;flex-wrap:wrap;gap:1rem 2rem;align-items:flex-start}
svg.chart{max-width:100%;height:auto}
"""


def _e(x: Any) -> str:
    """Escape anything for HTML text or a double-quoted attribute."""
    return html.escape("" if x is None else str(x), quote=True)


def _css_token(x: Any) -> str:
    """A class-name-safe token (statuses come from data, so never trust them raw)."""
    return re.sub(r"[^a-z0-9_-]", "", str(x).lower())


def _html_table(header: list[str], rows: Iterable[list[Any]], *, num_from: int | None = 1) -> str:
    """Table of escaped cells; columns from `num_from` on are right-aligned figures."""
    out = ["<table><thead><tr>", *(f"<th>{_e(h)}</th>" for h in header), "</tr></thead><tbody>"]
    num = ' class="num"'
    for r in rows:
        out.append("<tr>")
        out += [f"<td{num if num_from is not None and i >= num_from else ''}>{_e(c)}</td>" for i, c in enumerate(r)]
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _row_label(r: dict) -> str:
    parts = [r.get("kind", ""), r.get("field") or r.get("metric") or "", r.get("period") or "",
             r.get("segment") or ""]
    return " ".join(str(p) for p in parts if p) + f": {r.get('status')}"


def _highlight(text: str, rows: list[dict]) -> str:
    """Document text with predicted evidence in <mark> and gold evidence underlined.

    Spans are located on the raw text (with the scorer's whitespace/width folding) and the
    text is then escaped piece by piece between span boundaries, so markup in the
    document can neither break nor be mistaken for the highlighting.
    """
    index = EvidenceIndex(text)
    spans: list[tuple[int, int, str, str]] = []  # start, end, "pred"|"gold", label
    for r in rows:
        if r.get("kind") == "scalar":
            continue
        if r.get("status") in PRED_STATUSES:
            spans += [(a, b, "pred", _row_label(r)) for a, b in index.find_all(r.get("evidence"))]
        if r.get("status") in GOLD_STATUSES:
            spans += [(a, b, "gold", "gold " + _row_label(r)) for a, b in index.find_all(r.get("gold_evidence"))]
    cuts = sorted({0, len(text), *(a for a, _, _, _ in spans), *(b for _, b, _, _ in spans)})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = _e(text[a:b])
        cover = [s for s in spans if s[0] <= a and b <= s[1]]
        if any(k == "gold" for _, _, k, _ in cover):
            piece = f'<u class="ev-gold">{piece}</u>'
        pred_labels = [lab for _, _, k, lab in cover if k == "pred"]
        if pred_labels:
            piece = f'<mark class="ev-verbatim" title="{_e("; ".join(dict.fromkeys(pred_labels)))}">{piece}</mark>'
        out.append(piece)
    return "".join(out)


def _evidence_cell(r: dict) -> str:
    ev = r.get("evidence")
    if r.get("status") not in PRED_STATUSES or not ev:
        return "" if r.get("status") not in PRED_STATUSES else '<span class="error">no evidence</span>'
    cls = "ev-verbatim" if r.get("verbatim") else "ev-notfound"
    note = "" if r.get("verbatim") else " (not found in text)"
    if r.get("grounded") is False:
        note += " (value not read back)"
    return f'<mark class="{cls}">{_e(ev)}</mark>{_e(note)}'


def _status_label(r: dict) -> str:
    status = r.get("status")
    label = STATUS_LABELS.get(str(status), str(status).upper())
    if r.get("error"):
        label += f" ({r['error']})"
    if status == "wrong_period" and r.get("gold_period"):
        label += f" (gold has it as {r['gold_period']})"
    return label


def _pct_pair(r: dict, pct: str) -> str:
    g, p, st = r.get(f"gold_{pct}"), r.get(f"pred_{pct}"), r.get(f"{pct}_status")
    if g is None and p is None:
        return ""
    text = f"{_num(g)} → {_num(p)}"
    return f"{text} ✗" if st == "wrong" else text


def _rows_table(rows: list[dict]) -> str:
    header = ["kind", "metric / field", "period", "segment", "gold", "prediction", "yoy g→p", "qoq g→p",
              "status", "predicted evidence"]
    out = ["<table><thead><tr>", *(f"<th>{_e(h)}</th>" for h in header), "</tr></thead><tbody>"]
    for r in rows:
        segment = r.get("segment")
        if r.get("pred_segment") is not None and r.get("pred_segment") != segment:
            segment = f"{segment} / pred: {r.get('pred_segment')}"
        out.append(
            f'<tr class="st-{_css_token(r.get("status"))}">'
            f"<td>{_e(r.get('kind'))}</td><td>{_e(r.get('field') or r.get('metric'))}</td>"
            f"<td>{_e(r.get('period'))}</td><td>{_e(segment)}</td>"
            f'<td class="num">{_e(_num(r.get("gold_value")))}</td>'
            f'<td class="num">{_e(_num(r.get("pred_value")))}</td>'
            f"<td>{_e(_pct_pair(r, 'yoy'))}</td><td>{_e(_pct_pair(r, 'qoq'))}</td>"
            f'<td class="status">{_e(_status_label(r))}</td><td>{_evidence_cell(r)}</td></tr>'
        )
    out.append("</tbody></table>")
    return "".join(out)


def _doc_passed(doc: dict, per_doc: dict) -> bool:
    """The summary's verdict; for a document missing from it, the same rule on its rows."""
    info = per_doc.get(str(doc.get("id")))
    if info is not None and "pass" in info:
        return bool(info["pass"])
    entries = [r for r in doc.get("rows") or [] if r.get("kind") != "scalar"]
    return not doc.get("error") and all(r.get("status") == "correct" for r in entries)


def _doc_section(i: int, doc: dict, per_doc: dict, page: str | None = None) -> str:
    rows = doc.get("rows") or []
    info = per_doc.get(str(doc.get("id")), {})
    verdict = '<span class="pass">PASS</span>' if _doc_passed(doc, per_doc) else '<span class="fail">FAIL</span>'
    link = f' · <a class="page" href="{_e(page)}">the prediction on its text</a>' if page else ""
    head = [f'<section class="doc" id="doc-{i}"><h2>{_e(doc.get("id"))}</h2><p>{verdict}{link}']
    if "f1" in info:
        head.append(f" · F1 {_e(_pct(info.get('f1')))} · P {_e(_pct(info.get('precision')))}"
                    f" · R {_e(_pct(info.get('recall')))}")
    if info.get("language"):
        head.append(f" · {_e(info['language'])}")
    head.append("</p>")
    if doc.get("error"):
        head.append(f'<p class="error">Extraction failed: {_e(doc["error"])}</p>')
    text = doc.get("text") or ""
    return "".join(head) + (
        f'<pre class="doc">{_highlight(text, rows)}</pre>' + _rows_table(rows) + "</section>"
    )


def _charts(summary: dict, history: list[RunPoint] | None) -> str:
    parts = []
    trend = history_chart(history or [], str((summary.get("meta") or {}).get("dataset", ""))) if history else ""
    if trend:
        parts.append(trend)
    bars = language_bars(summary)
    if bars:
        parts.append(bar_chart("Metric F1 per language", bars, width=460))
    bars = metric_bars(summary)
    if bars:
        parts.append(bar_chart("Metric F1 per metric", bars, width=600))
    return f'<div class="charts">{"".join(parts)}</div>' if parts else ""


def render_html(
    summary: dict, meta: dict, docs: list[dict], *, history: list[RunPoint] | None = None, pages: dict[str, str] | None = None
) -> str:
    """A single self-contained HTML page (inline CSS and SVG, no scripts, no external loads).

    `history`: the runs kept beside this one (this one included) for the F1-across-runs chart;
    `pages`: document id -> relative link to its page of the prediction on its text (extract.view)."""
    pages = pages or {}
    title = "Extraction eval" + (f" — {meta['model']}" if meta.get("model") else "")
    parts = [
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
    ]
    if meta:
        meta_rows = [list(kv) for kv in _meta_items(meta)]
        parts += ["<h2>Run</h2>", _html_table(["setting", "value"], meta_rows, num_from=None)]
    charts = _charts({**summary, "meta": summary.get("meta") or meta}, history)
    if charts:
        parts += ["<h2>Charts</h2>", charts]
    parts += ["<h2>Headline</h2>", _html_table(["figure", "value"], [list(r) for r in headline_rows(summary)])]
    header, rows = _per_metric_table(summary)
    parts += ["<h2>Per metric</h2>", _html_table(header, rows)]
    header, rows = _per_language_table(summary)
    if rows:
        parts += ["<h2>Per language</h2>", _html_table(header, rows)]
    per_doc = summary.get("per_document", {})
    parts += [
        "<h2>Documents</h2>",
        '<p class="legend"><span><mark class="ev-verbatim">predicted evidence found in text</mark></span>'
        '<span><mark class="ev-notfound">predicted evidence not in text</mark></span>'
        '<span><u class="ev-gold">gold evidence</u></span></p><ol>',
    ]
    for i, d in enumerate(docs):
        verdict = "PASS" if _doc_passed(d, per_doc) else "FAIL"
        page = pages.get(str(d.get("id")))
        link = f' · <a href="{_e(page)}">on its text</a>' if page else ""
        parts.append(f'<li><a href="#doc-{i}">{_e(d.get("id"))}</a> {verdict}{link}</li>')
    parts.append("</ol>")
    parts += [_doc_section(i, d, per_doc, pages.get(str(d.get("id")))) for i, d in enumerate(docs)]
    parts.append("</body></html>")
    return "\n".join(parts)
