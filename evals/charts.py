"""Inline SVG charts for the eval report: F1 per metric and per language (bars), F1 across the
runs kept in `runs/` (lines).

Hand-written SVG rather than a plotting library: three small chart shapes; the report page
stays one self-contained file under its Content-Security-Policy (no script, no font or image
to load); labels stay text (CJK included, in the page's fonts, searchable); no plotting
stack in the eval install; a chart is a few KB. Every label and tooltip is escaped.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Colour-blind-safe series colours (Okabe-Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
FONT = 'font-family="system-ui,-apple-system,Segoe UI,Noto Sans CJK SC,PingFang SC,sans-serif"'


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def bar_chart(title: str, bars: list[tuple[str, float | None, str]], *, width: int = 560) -> str:
    """Horizontal bars from 0 to 100%: (label, value in 0..1 or None, tooltip detail)."""
    label_w, row_h, top, right = 230, 18, 30, 60
    height = top + row_h * len(bars) + 28
    plot_w = width - label_w - right
    out = [
        f'<svg class="chart" role="img" aria-label="{_e(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" {FONT} font-size="12">',
        f"<title>{_e(title)}</title>",
        f'<text x="0" y="16" font-size="14" font-weight="600">{_e(title)}</text>',
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x = label_w + tick * plot_w
        out.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 22}" stroke="#e5e7eb"/>')
        out.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" fill="#57606a">{int(tick * 100)}%</text>')
    for i, (label, value, detail) in enumerate(bars):
        y = top + i * row_h
        tip = f"{label}: {'—' if value is None else _pct(value)}" + (f" ({detail})" if detail else "")
        out.append(f"<g><title>{_e(tip)}</title>")
        out.append(f'<text x="{label_w - 6}" y="{y + row_h / 2 + 4:.1f}" text-anchor="end">{_e(label[:34])}</text>')
        if value is None:
            out.append(f'<text x="{label_w + 4}" y="{y + row_h / 2 + 4:.1f}" fill="#57606a">no entries</text>')
        else:
            w = max(0.0, min(1.0, value)) * plot_w
            colour = "#1a7f37" if value >= 0.9 else "#bf8700" if value >= 0.7 else "#cf222e"
            out.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{colour}" rx="2"/>')
            out.append(f'<text x="{label_w + w + 4:.1f}" y="{y + row_h / 2 + 4:.1f}">{_pct(value)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


def line_chart(title: str, x_labels: list[str], series: dict[str, list[float | None]], *, width: int = 760) -> str:
    """One line per series over the runs in `x_labels` (None: that run had no such series)."""
    left, right, top, bottom = 110, 40, 30, 80
    legend_h = 18 * len(series)
    height = top + 220 + bottom + legend_h
    plot_w, plot_h = width - left - right, 220
    values = [v for vs in series.values() for v in vs if v is not None]
    lo = min([*values, 1.0])
    lo = max(0.0, min(lo - 0.05, 0.8))  # zoom in where runs differ, never hide the 80-100% band
    n = max(1, len(x_labels) - 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + plot_w * (i / n if len(x_labels) > 1 else 0.5), top + plot_h * (1 - (v - lo) / (1 - lo))

    out = [
        f'<svg class="chart" role="img" aria-label="{_e(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" {FONT} font-size="12">',
        f"<title>{_e(title)}</title>",
        f'<text x="0" y="16" font-size="14" font-weight="600">{_e(title)}</text>',
    ]
    steps = 4
    for k in range(steps + 1):
        v = lo + (1 - lo) * k / steps
        _, y = xy(0, v)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#57606a">{100 * v:.0f}%</text>')
    every = max(1, len(x_labels) // 12)  # at most ~12 run labels under the axis
    for i, label in enumerate(x_labels):
        if i % every and i != len(x_labels) - 1:
            continue
        x, _ = xy(i, lo)
        y = top + plot_h + 12
        turn = f'transform="rotate(-35 {x:.1f} {y})"'
        out.append(f'<text x="{x:.1f}" y="{y}" text-anchor="end" {turn} fill="#57606a">{_e(label[:15])}</text>')  # the run's time
    for s, (name, vs) in enumerate(series.items()):
        colour = PALETTE[s % len(PALETTE)]
        points = [(i, v) for i, v in enumerate(vs) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in points))
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for i, v in points:
            x, y = xy(i, v)
            tip = _e(f"{name} · {x_labels[i]}: F1 {_pct(v)}")
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"><title>{tip}</title></circle>')
        ly = top + plot_h + bottom + 18 * s
        out.append(f'<rect x="{left}" y="{ly - 9}" width="14" height="4" fill="{colour}"/>')
        out.append(f'<text x="{left + 20}" y="{ly - 4}">{_e(name)}</text>')
    out.append("</svg>")
    return "".join(out)


# --------------------------------------------------------------------------- from eval data


def metric_bars(summary: dict[str, Any]) -> list[tuple[str, float | None, str]]:
    bars = []
    for metric, b in summary.get("per_metric", {}).items():
        detail = f"gold {b.get('gold', 0)}, predicted {b.get('predicted', 0)}, correct {b.get('correct', 0)}"
        bars.append((str(metric), b.get("f1"), detail))
    return sorted(bars, key=lambda t: (t[1] is None, -(t[1] or 0.0), t[0]))


def language_bars(summary: dict[str, Any]) -> list[tuple[str, float | None, str]]:
    return [
        (str(lang), b.get("f1"), f"{b.get('documents', 0)} documents, {b.get('failed', 0)} failed")
        for lang, b in summary.get("per_language", {}).items()
    ]


@dataclass(frozen=True)
class RunPoint:
    name: str  # the run folder's name (it starts with the time of the run)
    label: str  # strategy/model
    dataset: str
    f1: float | None


def load_history(runs_dir: Path) -> list[RunPoint]:
    """The overall F1 of every run folder in `runs_dir`, oldest first; unreadable ones skipped."""
    points = []
    for path in sorted(runs_dir.glob("*/summary.json")):
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        meta = summary.get("meta") or {}
        f1 = (summary.get("overall") or {}).get("f1")
        points.append(
            RunPoint(
                path.parent.name,
                str(meta.get("label", "run")),
                str(meta.get("dataset", "")),
                f1 if isinstance(f1, int | float) else None,
            )
        )
    return points


def history_chart(points: list[RunPoint], dataset: str) -> str:
    """F1 across the runs of one dataset, a line per configuration; '' with fewer than two runs."""
    same = [p for p in points if p.dataset == dataset]
    if len(same) < 2:
        return ""
    names = [p.name for p in same]
    series: dict[str, list[float | None]] = {}
    for i, p in enumerate(same):
        series.setdefault(p.label, [None] * len(same))[i] = p.f1
    return line_chart(f"Metric F1 across {len(same)} runs on {dataset}", names, series)
