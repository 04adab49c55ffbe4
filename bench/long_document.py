"""One long document through the `quoted` strategy: chunks, tokens, seconds, and which of the
planted facts were found, with those of the last page marked.

    python bench/long_document.py --chars 60000 --lang en            # embedded model, uncached
    python bench/long_document.py --base-url http://host:8000/v1 --model qwen2.5-7b-instruct

The document is `tests/longdoc.py`'s team-written annual report (seeded), facts planted at
the start, at the middle and on the last page. Prints one JSON object (and writes it to
--out): settings, chunk count and budget, usage, seconds, per-chunk seconds, the facts found,
and every entry the model gave that is not a planted fact.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/longdoc.py, run from a checkout

from extract.chunking import chunk_text  # noqa: E402
from extract.config import load_settings  # noqa: E402
from extract.extractor import Extractor  # noqa: E402
from extract.quoting import plan_for  # noqa: E402
from extract.strategies.quoted import _prompt, chunk_budget  # noqa: E402
from schemas import get_schema  # noqa: E402
from tests.longdoc import FACTS, LAST_PAGE_CHARS, long_document  # noqa: E402


class _ChunkTimes(logging.Handler):
    """Collects the quoted strategy's per-chunk log lines: (start, end, seconds, prompt, completion)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.rows: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("chunk %d-%d of") and isinstance(record.args, tuple):
            start, end, _, seconds, prompt, completion, cached = record.args
            self.rows.append(
                {"chars": [start, end], "seconds": round(float(str(seconds)), 1), "prompt_tokens": prompt,
                 "completion_tokens": completion, "cached": bool(cached)}
            )  # fmt: skip


def _same(a: Any, b: Any) -> bool:
    if isinstance(b, float) and isinstance(a, int | float):
        return abs(a - b) <= 0.005 * abs(b)
    return bool(a == b)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, default=60_000)
    ap.add_argument("--lang", choices=sorted(FACTS), default="en")
    ap.add_argument("--base-url")
    ap.add_argument("--model")
    ap.add_argument("--use-cache", action="store_true", help="default: uncached, so the seconds are real")
    ap.add_argument("--deadline", type=float, default=0, help="seconds per chunk (default 0: none)")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    times = _ChunkTimes()
    strategy_log = logging.getLogger("extract.strategies.quoted")
    strategy_log.addHandler(times)
    strategy_log.setLevel(logging.INFO)
    text = long_document(args.chars, args.lang)
    settings = load_settings(
        base_url=args.base_url, model=args.model, strategy="quoted", use_cache=args.use_cache, deadline=args.deadline
    )
    info = get_schema("earnings_report")
    started = time.perf_counter()
    with Extractor(settings=settings) as ex:
        budget = chunk_budget(ex.client, _prompt(info), info, plan_for(info.model))
        chunks = chunk_text(text, budget, min(settings.chunk_overlap_tokens, budget // 4))
        result = ex.extract(text, strategy="quoted")
    seconds = time.perf_counter() - started
    report = result.report.model_dump(mode="json")
    found: list[dict[str, Any]] = []
    others: list[dict[str, Any]] = []
    for entry in report["metrics"] + report["guidance"]:
        at = text.find(entry["evidence"])
        fact = next((f for f in FACTS[args.lang] if f.sentence.rstrip("。.") in entry["evidence"]), None)
        row = {"entry": entry, "offset": at, "last_page": at >= len(text) - LAST_PAGE_CHARS}
        if fact is not None:  # a planted fact: does the entry read as planted?
            row["as_planted"] = all(_same(entry.get(k), v) for k, v in fact.expect.items())
        (found if fact else others).append(row)
    planted = [f for f in FACTS[args.lang] if f.list_name]
    out: dict[str, Any] = {
        "chars": len(text), "lang": args.lang, "model": settings.model, "endpoint": settings.public_base_url(),
        "context_window": settings.context_window, "max_tokens": settings.max_tokens, "chunk_budget": budget,
        "chunks": len(chunks), "chunk_tokens_estimated": [c.tokens for c in chunks], "calls": result.calls,
        "per_chunk": times.rows,
        "usage": result.usage, "seconds": round(float(str(seconds)), 1), "extract_seconds": round(result.seconds, 1),
        "header": {"company": report["company"], "fiscal_period": report["fiscal_period"], "currency": report["currency"]},
        "planted": len(planted), "planted_last_page": sum(f.where == "end" for f in planted),
        "found": found, "found_last_page": sum(r["last_page"] for r in found), "other_entries": others,
        "dropped": [{"reason": d.reason} for d in result.dropped],
    }  # fmt: skip
    blob = json.dumps(out, ensure_ascii=False, indent=1)
    print(blob)
    if args.out:
        args.out.write_text(blob, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
