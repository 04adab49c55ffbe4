"""The model as a judge: is a rule-found figure a result of the reporting company?

The rules find and label every figure; some are not the company's results at all (a share
price, an analysts' estimate, a peer's revenue, a fund's value, market statistics). The model
is asked only that yes/no question, with the figures marked in a short window of their
sentence ("...营收[1]5.1亿元..."), and a figure it rejects is dropped (recorded with the reason
"judge"). It never writes or relabels a figure: measured before, a 1.5B model labelling
figures did worse than the rules; judging them is the one use that helped.

Modes (the schema option `judge`): `sentence` asks once per window of nearby figures (one
short call per sentence, usually), `fact` once per figure, `off` not at all. The prompt's
system part is fixed, so llama.cpp reuses its KV cache across calls; the answer is
grammar-constrained JSON with one boolean per mark.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, create_model

from extract.retry import ExtractionError
from extract.schema_api import Ask
from extract.schemas.earnings_report.annotation import Fact
from extract.segmenting import Span, sentences

log = logging.getLogger("extract.schemas.earnings_report.judge")

WINDOW_BEFORE = 80  # characters of the sentence kept before the first marked figure (its label)
WINDOW_AFTER = 40  # ... and after the last one (its unit, "per share", "estimate")
GROUP_SPAN = 160  # figures further apart than this in one sentence are asked about separately
GROUP_SIZE = 6  # at most this many marks per call: a short answer, a short window


@dataclass(frozen=True)
class Asked:
    """One judge call: the marked window and the facts it asks about, in mark order."""

    window: str
    facts: tuple[Fact, ...]


def _verdicts(n: int) -> type[BaseModel]:
    """{"f1": bool, ..., "fn": bool}, every key required: the grammar admits exactly n answers."""
    fields: dict[str, tuple[type, object]] = {f"f{i}": (bool, ...) for i in range(1, n + 1)}
    return create_model(f"Verdicts{n}", **fields)  # type: ignore[call-overload, no-any-return]


def _groups(facts: Sequence[Fact], per_call: int) -> list[list[Fact]]:
    """Facts of one sentence (in text order) split into calls: at most `per_call` each, and no
    wider than GROUP_SPAN characters."""
    groups: list[list[Fact]] = []
    for f in facts:
        if groups and len(groups[-1]) < per_call and f.start - groups[-1][0].start <= GROUP_SPAN:
            groups[-1].append(f)
        else:
            groups.append([f])
    return groups


def _window(text: str, sent: Span, group: list[Fact]) -> str:
    """The group's stretch of its sentence with "[k]" before the k-th figure."""
    lo = max(sent.start, group[0].start - WINDOW_BEFORE)
    hi = min(sent.end, group[-1].start + WINDOW_AFTER)
    parts, pos = [], lo
    for k, f in enumerate(group, 1):
        parts += [text[pos : f.start], f"[{k}]"]
        pos = f.start
    parts.append(text[pos:hi])
    return " ".join("".join(parts).split())  # line breaks and runs of spaces cost tokens, say nothing


def plan(text: str, facts: Sequence[Fact], mode: str) -> list[Asked]:
    """The calls to make: per sentence, its facts grouped (mode "sentence") or one by one ("fact")."""
    per_call = 1 if mode == "fact" else GROUP_SIZE
    spans = sentences(text)
    by_sentence: dict[int, list[Fact]] = {}
    for f in sorted({f.start: f for f in facts}.values(), key=lambda f: f.start):
        index = next((i for i, sp in enumerate(spans) if sp.start <= f.start < sp.end), None)
        if index is not None:
            by_sentence.setdefault(index, []).append(f)
    asked = []
    for index, found in sorted(by_sentence.items()):
        for group in _groups(found, per_call):
            asked.append(Asked(_window(text, spans[index], group), tuple(group)))
    return asked


def judge(text: str, facts: Sequence[Fact], company: str, ask: Ask, mode: str) -> set[int]:
    """Positions (Fact.start) of the figures the model judges are not the company's results.
    A call that fails keeps its figures: the judge can only take away what it has looked at."""
    rejected: set[int] = set()
    for item in plan(text, facts, mode):
        n = len(item.facts)
        try:
            answer = ask("judge", {"company": company, "window": item.window}, _verdicts(n), max_tokens=8 + 8 * n)
        except ExtractionError as exc:
            log.warning("judge call failed (%s); keeping its %d figure(s)", exc, n)
            continue
        for k, f in enumerate(item.facts, 1):
            if getattr(answer, f"f{k}") is False:
                rejected.add(f.start)
    return rejected
