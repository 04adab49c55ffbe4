"""Does the work per document grow linearly with its length? Adversarial shapes at 10k, 40k and
160k characters (and results-like text up to 1 MB), timed stage by stage, in one run.

    .venv/bin/python bench/scaling.py                      # every shape, 10k/40k/160k, cap 60 s a case
    .venv/bin/python bench/scaling.py --shape run_on_en --cap 120 --json out.json

Each case runs in a child process with a time cap (a quadratic stage at 160k takes tens of
minutes). Printed per shape: seconds at each size and the time ratio for each 4x step; a
ratio <= 5 is "linear enough" (a linear stage gives ~4, a quadratic one ~16). A case over
the cap shows as ">cap" and its ratio as a lower bound.

What is timed is everything the grounded strategy does to a document besides the model call:
the schema's rules (`SchemaInfo.rules`: sentences, amounts, lexicon, periods, header), the
resolver (grounding every entry), and validation. The rules' one model question (the company
name from a 160-character snippet, bounded whatever the length) is answered "don't know" here,
so that only the code's own work is measured.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10_000, 40_000, 160_000)
BIG = 1_000_000  # results-like text only: the size of a long filing


def _repeat(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _results_like(size: int) -> str:
    """The evaluation set's own documents (written by this team), one after another."""
    folder = ROOT / "evals" / "datasets" / "earnings"
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    return _repeat("\n\n".join(texts) + "\n\n", size)


def _spaces_in_figure(size: int) -> str:
    head, tail = "收入为7", "330万元，同比下降4%。"
    return head + " " * (size - len(head) - len(tail)) + tail


# name -> (what it is, builder of a text of `size` characters)
SHAPES: dict[str, tuple[str, Any]] = {
    "run_on_en": (
        "English with no sentence punctuation",
        lambda n: _repeat("Revenue was $1.2 billion, up 5% from $1.1 billion versus ", n),
    ),
    "spaces_in_figure": ("one figure split by a run of spaces", _spaces_in_figure),
    "whitespace_runs": (
        "figures and words between runs of spaces and tabs",
        lambda n: _repeat("营业收入" + " " * 40 + "7,330万元" + " \t" * 30 + "净利润 " + " " * 60 + "1.2 亿元", n),
    ),
    "digit_list": (
        "long lists of numbers (grouped, bare, enumerated)",
        lambda n: _repeat("1,234,567,890, 12 345 6789, 3.14, 42、7、19、", n),
    ),
    "nested_brackets": (
        "figures inside deeply nested brackets",
        lambda n: (lambda k: "（(" * k + "收入为7,330万元（约1,010万美元）" + ")）" * k)(max(1, (n - 20) // 4)),
    ),
    "table_no_punct": (
        "a table flattened to one line, no punctuation",
        lambda n: _repeat(
            "营业收入 7,330万元 6,100万元 20.2% 净利润 1,200万元 900万元 33.3% 毛利率 35.2% 34.1% "
            "Revenue 1,234.5 1,100.2 12.2% Net income 88.1 70.3 25.3% ", n
        ),
    ),
    "mixed_scripts": (
        "Chinese and English figures interleaved, no sentence ends",
        lambda n: _repeat("Revenue收入为US$1.2 billion同比增长5%净利润net income达到3,000万元up 8% 第三季度Q3 2023 ", n),
    ),
    "results_like": ("results releases (the eval set's documents, repeated)", _results_like),
}


def _ask(prompt: str, variables: dict[str, Any], response_model: Any, *, max_tokens: int) -> Any:
    return response_model()  # "don't know": the model's bounded question is not what is measured


def child(shape: str, size: int) -> dict[str, float]:
    """Time one case in this process; returns seconds per stage."""
    from extract.resolver import resolve
    from extract.schemas import get_schema

    info = get_schema(None)
    assert info.rules is not None
    # Warm up on 1,000 characters of the same shape first: imports, regex compilation and pydantic
    # set-up happen once per process and are not the per-size work compared here.
    resolve(info.rules(SHAPES[shape][1](1000), _ask), SHAPES[shape][1](1000))
    text = SHAPES[shape][1](size)
    t0 = time.perf_counter()
    report = info.rules(text, _ask)
    t1 = time.perf_counter()
    resolution = resolve(report, text)
    t2 = time.perf_counter()
    info.model.model_validate(resolution.report)
    t3 = time.perf_counter()
    return {"rules": t1 - t0, "resolve": t2 - t1, "validate": t3 - t2, "total": t3 - t0,
            "facts": float(len(resolution.report.get("metrics") or []))}


def run_case(shape: str, size: int, cap: float) -> dict[str, float] | None:
    """One case in a child process; None when it ran past `cap` seconds."""
    cmd = [sys.executable, __file__, "--child", shape, str(size)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=cap, cwd=ROOT, check=True)
    except subprocess.TimeoutExpired:
        return None
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"{shape} at {size}: child failed:\n{exc.stderr[-2000:]}") from None
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _fmt(seconds: float | None, cap: float) -> str:
    return f">{cap:.0f}" if seconds is None else f"{seconds:.2f}"


def _ratio(a: float | None, b: float | None, step: float, cap: float) -> tuple[str, float | None]:
    """Time ratio per 4x step between sizes `step` apart (as a factor); a lower bound past the cap."""
    if a is None:
        return "n/a", None
    per4 = math.log(4) / math.log(step)
    lo = max(a, 0.005)  # below 5 ms the timer and interpreter noise dominate
    if b is None:
        return f">{(cap / lo) ** per4:.1f}", math.inf
    r = (max(b, 0.005) / lo) ** per4
    return f"{r:.1f}", r


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", action="append", choices=sorted(SHAPES), help="only these shapes (repeatable)")
    parser.add_argument("--cap", type=float, default=60.0, help="seconds per case before it is stopped")
    parser.add_argument("--repeat", type=int, default=1, help="runs per case; the fastest counts")
    parser.add_argument("--no-big", action="store_true", help="skip results-like text at 1 MB")
    parser.add_argument("--json", type=Path, help="write every timing here")
    parser.add_argument("--child", nargs=2, metavar=("SHAPE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]))))
        return 0

    shapes = args.shape or list(SHAPES)
    rows: list[dict[str, Any]] = []
    worst = 0.0
    print(f"{'shape':<18} {'10k s':>8} {'40k s':>8} {'160k s':>8} {'x 10k->40k':>11} {'x 40k->160k':>12}  slowest stage at 160k")
    for shape in shapes:
        times: list[dict[str, float] | None] = []
        for size in SIZES:
            if times and times[-1] is None:
                times.append(None)  # the smaller size already ran past the cap
                continue
            best: dict[str, float] | None = None
            for _ in range(args.repeat):
                r = run_case(shape, size, args.cap)
                if r is not None and (best is None or r["total"] < best["total"]):
                    best = r
                if r is None:
                    break
            times.append(best)
        totals = [t["total"] if t else None for t in times]
        r1, v1 = _ratio(totals[0], totals[1], 4, args.cap)
        r2, v2 = _ratio(totals[1], totals[2], 4, args.cap)
        worst = max(worst, *(v for v in (v1, v2) if v is not None))
        last = times[2]
        stage = max(("rules", "resolve", "validate"), key=lambda k: last[k]) if last else "-"
        print(f"{shape:<18} {_fmt(totals[0], args.cap):>8} {_fmt(totals[1], args.cap):>8} {_fmt(totals[2], args.cap):>8} "
              f"{r1:>11} {r2:>12}  {stage}", flush=True)
        rows.append({"shape": shape, "sizes": list(SIZES), "times": times})
    if "results_like" in shapes and not args.no_big:
        big = run_case("results_like", BIG, args.cap * 4)
        base = next(r["times"][2] for r in rows if r["shape"] == "results_like")
        r3, v3 = _ratio(base["total"] if base else None, big["total"] if big else None, BIG / SIZES[2], args.cap * 4)
        worst = max(worst, v3 or 0.0)
        print(f"{'results_like 1MB':<18} {_fmt(big['total'] if big else None, args.cap * 4):>8} s;"
              f" per 4x from 160k: {r3}")
        rows.append({"shape": "results_like", "sizes": [BIG], "times": [big]})
    verdict = "linear enough" if worst <= 5 else "NOT linear"
    print(f"worst ratio per 4x step: {worst:.1f} ({verdict}; <= 5 is linear enough)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0 if worst <= 5 else 1


if __name__ == "__main__":
    sys.exit(main())
