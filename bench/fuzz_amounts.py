"""Coverage-guided fuzzing of the amount parser (extract/amounts.py) and the grounding gate with
atheris (libFuzzer for Python). Complements the hypothesis properties in tests/test_amounts.py:
here the inputs evolve towards new code paths instead of being drawn at random.

    .venv/bin/pip install atheris
    .venv/bin/python bench/fuzz_amounts.py --seconds 60 [--corpus DIR]

Properties checked on every input (a failure is a crash, saved by libFuzzer as crash-<sha1>):
no exception; every amount, percentage and range is a verbatim slice of the text at its span;
values finite; amounts in order and not overlapping; range low <= high; grounding of every
found amount against its own text reads back. libFuzzer prints the figures at the end:
"Done N runs in S second(s)" and stat::average_exec_per_sec.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

# Seeds: the genres the parser is for, so the fuzzer starts from real shapes.
SEEDS = [
    "收入为7,330万元人民币(1,010万美元),同比下降4%",
    "2021年总体营收为1.68亿美元，环比增长12.5%",
    "净亏损2,370万元，上年同期净利润为1,200万元",
    "预计第四季度营收将在1.2亿至1.35亿美元之间",
    "Revenue of US$45.2 million, up 8% year-over-year; net loss of $3.1 million",
    "non-GAAP EPS of $0.27 per share, compared to $(0.12) a year ago",
    "營業收入為5.6億港元，按年增長8%",
    "毛利率为３５．２％，同比提升２．１个百分点",
    "guidance of $1.20 billion to $1.25 billion for fiscal 2025",
    "营收约1亿2000万元，超过预期；每股收益0.27美元/股",
]


def check(text: str) -> None:
    from extract.amounts import find_amounts, find_percents, find_ranges, parse_amount, parse_number
    from extract.grounding import reads_back

    amounts = find_amounts(text)
    for a in amounts:
        assert text[a.start : a.end] == a.text and a.start < a.end, (text, a)
        assert math.isfinite(a.value), (text, a)
        assert reads_back(a.text, a.value), (text, a)
    for x, y in zip(amounts, amounts[1:], strict=False):
        assert x.end <= y.start, (text, x, y)
    for p in find_percents(text):
        assert text[p.start : p.end] == p.text and p.start < p.end, (text, p)
        assert math.isfinite(p.value) and p.kind in (None, "yoy", "qoq") and p.direction in (None, 1, -1), (text, p)
    for r in find_ranges(text):
        assert text[r.start : r.end] == r.text and r.low.value <= r.high.value, (text, r)
    parse_amount(text)
    parse_number(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60, help="how long to fuzz")
    parser.add_argument("--corpus", type=Path, default=None, help="corpus folder (kept between runs)")
    parser.add_argument("--max-len", type=int, default=400, help="longest input in bytes")
    args, rest = parser.parse_known_args()
    try:
        import atheris
    except ImportError:
        print("atheris is not installed: .venv/bin/pip install atheris", file=sys.stderr)
        return 2

    with atheris.instrument_imports():
        import extract.amounts  # noqa: F401 - instrumented for coverage
        import extract.grounding  # noqa: F401

    corpus = args.corpus or Path(os.environ.get("TMPDIR", "/tmp")) / "fuzz_amounts_corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for i, seed in enumerate(SEEDS):
        (corpus / f"seed-{i:02d}").write_text(seed, encoding="utf-8")

    def one_input(data: bytes) -> None:
        # UTF-8 with replacement: the seeds stay the text they are, and mutations of them stay
        # mostly Chinese and ASCII, which is where the parser's paths are.
        check(data.decode("utf-8", "replace"))

    print(f"fuzz_amounts: {args.seconds} s, corpus {corpus}", file=sys.stderr)
    libfuzzer = [sys.argv[0], str(corpus), f"-max_total_time={args.seconds}", f"-max_len={args.max_len}"]
    libfuzzer += ["-print_final_stats=1", *rest]
    atheris.Setup(libfuzzer, one_input)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main())
