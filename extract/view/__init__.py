"""The report view as one self-contained HTML file: `extract run FILE --html OUT.html`, and the
eval report's per-document pages.

The page is the same view the service shows at `/` (view.js and view.css, inlined), with the
document, report and meta embedded as a JSON data block. It loads nothing: a
Content-Security-Policy allows only the inline style and the one inline script, by hash.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from pathlib import Path
from typing import Any

ASSETS = Path(__file__).parent

_BOOT = "ExtractView.render(document.getElementById('view'), JSON.parse(document.getElementById('data').textContent));"


def asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def _json_block(data: Any) -> str:
    """JSON safe inside <script type="application/json">: no `</script>` or `<!--` can end it."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _sha256(source: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode()


def render_page(text: str, report: dict[str, Any], meta: dict[str, Any] | None = None, *, title: str = "") -> str:
    """A complete HTML page showing `report` on `text`; opens offline, from a file."""
    script = asset("view.js") + "\n" + _BOOT
    csp = f"default-src 'none'; style-src 'unsafe-inline'; script-src '{_sha256(script)}'"
    data = {"text": text, "report": report, "meta": meta, "title": title}
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title or 'Extraction')}</title>\n"
        f"<style>body{{margin:1rem auto;max-width:110rem;padding:0 1rem}}\n{asset('view.css')}</style>\n"
        "</head><body>\n"
        '<div id="view"><noscript>This page needs JavaScript to show the report.</noscript></div>\n'
        f'<script type="application/json" id="data">{_json_block(data)}</script>\n'
        f"<script>{script}</script>\n"
        "</body></html>\n"
    )


__all__ = ["ASSETS", "asset", "render_page"]
