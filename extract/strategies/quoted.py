"""Quoted extraction, for any schema and any length of document: the model reads, code grounds.

1. The document is cut into chunks of whole sentences that fit the model's context
   (`extract/chunking.py`; the budget is what the context window leaves after the prompt and
   the answer), consecutive chunks overlapping by a few sentences.
2. Per chunk the model fills the schema's *quoted* form (`extract/quoting.py`): every number,
   date, period, currency and name is a verbatim quote of the chunk, labels are picked from
   the field's allowed values. The prompt (`prompts/quoted.jinja`, or `prompts/<schema>/
   quoted.jinja` where a schema has its own) lists the fields from the pydantic model itself,
   so a new schema needs no new code.
3. Code finds each quote in the document (exact, then width- and whitespace-insensitive),
   reads its value with the field's type, takes the evidence from the quotes' sentences,
   drops entries that do not ground or do not validate, merges what the overlap found twice,
   and settles top-level fields by the chunks' vote.

A chunk whose answer runs out of tokens keeps the entries the answer finished; when those
ground (a dense passage) it is split and each part asked again, at most MAX_SPLITS deep; a
chunk that still fails is reported in `dropped`, and the document fails only when every chunk did.
The document's deadline (`--deadline`) counts once per chunk: a long document gets time in
proportion to its length, a document past that fails with reason "deadline" as a whole.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import jiter

from extract import deadline
from extract.chunking import Chunk, chunk_text, count_tokens
from extract.client import ModelClient, Usage
from extract.prompting import Prompt, PromptError, load_prompt
from extract.quoting import Candidate, ModelPlan, Reader, merge_entries, plan_for, states_figure, validate_entry, vote
from extract.resolver import Dropped
from extract.retry import ExtractionError, TruncatedOutput
from extract.schema_api import SchemaInfo, model_hash
from extract.strategies import StrategyOutput

log = logging.getLogger("extract.strategies.quoted")

PROMPTS = ("quoted",)
GENERIC_PROMPT = "quoted"  # prompts/quoted.jinja
MESSAGE_OVERHEAD = 8  # tokens a chat template adds around each message
SAFETY_TOKENS = 64  # for the difference between our estimate and the server's tokenizer
MAX_SPLITS = 2  # a cut-off chunk is split, and its parts once more; past that the part is reported


def prompt_ids(schema: SchemaInfo) -> tuple[str, ...]:
    return (_prompt(schema).id,)


def _prompt(schema: SchemaInfo) -> Prompt:
    """The schema's own quoted prompt if it has one, else the generic one."""
    try:
        return load_prompt(schema.prompt_id("quoted"))
    except PromptError:
        return load_prompt(GENERIC_PROMPT)


def _variables(schema: SchemaInfo, plan: ModelPlan, document: str) -> dict[str, Any]:
    doc = (plan.model.__doc__ or "").strip().splitlines()
    return {"schema_name": schema.name, "schema_doc": doc[0] if doc else "", "fields": plan.describe(), "document": document}


def chunk_budget(client: ModelClient, prompt: Prompt, schema: SchemaInfo, plan: ModelPlan) -> int:
    """Document tokens one request may carry: the context window less the prompt around the
    document, the answer's budget and a margin; at most `chunk_tokens`."""
    settings = client.settings
    messages = prompt.render(**_variables(schema, plan, ""))
    overhead = sum(count_tokens(m["content"]) + MESSAGE_OVERHEAD for m in messages)
    if "md_json" in client.mode_name:  # the JSON schema then travels in the prompt
        overhead += count_tokens(json.dumps(plan.response.model_json_schema(), ensure_ascii=False))
    room = settings.context_window - overhead - settings.max_tokens - SAFETY_TOKENS
    if room < 64:
        raise ValueError(
            f"context of {settings.context_window} tokens leaves no room for a document after the prompt "
            f"({overhead}) and the answer ({settings.max_tokens}); raise context_tokens or lower max_tokens"
        )
    return min(settings.chunk_tokens, room)


def run(client: ModelClient, schema: SchemaInfo, text: str) -> StrategyOutput:
    plan = plan_for(schema.model)
    prompt = _prompt(schema)
    out = StrategyOutput(report={})
    budget = chunk_budget(client, prompt, schema, plan)
    overlap = min(client.settings.chunk_overlap_tokens, budget // 4)
    chunks = chunk_text(text, budget, overlap)
    log.info("%s: %d chunk(s) of at most %d tokens", schema.name, len(chunks), budget)
    deadline.stretch(len(chunks))
    reader = Reader(text)  # one index of the document for every chunk's answer
    answers: list[tuple[Chunk, dict[str, Any]]] = []
    failures: list[ExtractionError] = []
    figures = plan.entry_figures
    skipped = 0
    for chunk in chunks:
        # A chunk that states no figure an entry needs can add none; the first is read anyway
        # for the document's own fields (company, period). Measured on a 60,000-character
        # report: the 1.5B filled such chunks with the prompt's examples until cut off.
        if figures and chunk.index > 0 and not states_figure(chunk.text, figures):
            skipped += 1
            continue
        _ask(client, prompt, schema, plan, chunk, reader, out, answers, failures)
    if skipped:
        log.info("%d of %d chunk(s) state no figure an entry needs: not sent", skipped, len(chunks))
    if failures and not answers:
        first = failures[0]
        first.usage = out.usage
        raise first
    out.report = assemble(plan, text, answers, out.dropped, reader)
    return out


def _ask(
    client: ModelClient,
    prompt: Prompt,
    schema: SchemaInfo,
    plan: ModelPlan,
    chunk: Chunk,
    reader: Reader,
    out: StrategyOutput,
    answers: list[tuple[Chunk, dict[str, Any]]],
    failures: list[ExtractionError],
    splits: int = 0,
) -> None:
    """Ask for one chunk; on a cut-off answer, ask for each half of it instead (at most
    MAX_SPLITS deep: a small model that loops on a passage loops on its halves too)."""
    try:
        result = client.structured(
            prompt=prompt,
            variables=_variables(schema, plan, chunk.text),
            response_model=plan.response,
            schema_key={"name": plan.response.__name__, "version": schema.version, "hash": model_hash(plan.response)},
        )
    except TruncatedOutput as exc:
        out.usage.add(exc.usage or Usage())
        salvaged, grounded = _salvage(exc.partial, plan, chunk, reader)
        if salvaged is not None:
            answers.append((chunk, salvaged))
        halves = [
            Chunk(c.index, chunk.start + c.start, chunk.start + c.end, c.text, c.tokens)
            for c in chunk_text(chunk.text, max(8, chunk.tokens // 2), 0)
        ]
        # Split only a chunk the model was reading well (its finished entries ground: a dense
        # passage); one whose answer had turned to invention loops on its parts too.
        if len(halves) < 2 or splits >= MAX_SPLITS or not grounded:
            if salvaged is None:
                failures.append(exc)
            kept = "; its finished entries kept" if salvaged is not None else ""
            out.dropped.append(Dropped({"chunk": [chunk.start, chunk.end]}, f"chunk answer cut off: {exc}{kept}"))
            return
        log.info("chunk %d-%d: answer cut off; asking for %d parts", chunk.start, chunk.end, len(halves))
        for half in halves:
            _ask(client, prompt, schema, plan, half, reader, out, answers, failures, splits + 1)
        return
    except deadline.DeadlineExceeded:
        raise  # the document as a whole is out of time, not this chunk
    except ExtractionError as exc:
        out.usage.add(exc.usage or Usage())
        failures.append(exc)
        out.dropped.append(Dropped({"chunk": [chunk.start, chunk.end]}, f"chunk failed: {exc}"))
        return
    out.record(prompt.id, prompt.version, result.cached, result.usage)
    answers.append((chunk, result.value.model_dump(mode="json")))
    log.info(
        "chunk %d-%d of %d chars: %.1f s, %d prompt + %d completion tokens%s",
        chunk.start, chunk.end, len(reader.document), result.seconds, result.usage.prompt_tokens,
        result.usage.completion_tokens, " (cached)" if result.cached else "",
    )  # fmt: skip


def _salvage(partial: str | None, plan: ModelPlan, chunk: Chunk, reader: Reader) -> tuple[dict[str, Any] | None, bool]:
    """The finished part of a cut-off answer (complete values only; None when it holds none),
    and whether its finished list entries ground in the chunk (all but one in four, or there
    are none to judge by)."""
    if not partial:
        return None, True
    try:
        answer = jiter.from_json(partial.encode("utf-8"), partial_mode=True)
    except ValueError:
        return None, True
    if not isinstance(answer, dict) or not _holds_a_value(answer):
        return None, True
    entries = [(f.sub, e) for f in plan.fields if f.kind == "list" and f.sub is not None
               for e in answer.get(f.name) or [] if isinstance(e, dict)]  # fmt: skip
    missing = sum(1 for sub, e in entries if reader.read(sub, e, (chunk.start, chunk.end), {}).problems)
    return answer, missing * 4 <= len(entries)


def _holds_a_value(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_holds_a_value(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_a_value(v) for v in value)
    return value is not None and value != ""


def assemble(
    plan: ModelPlan,
    document: str,
    answers: list[tuple[Chunk, dict[str, Any]]],
    dropped: list[Dropped],
    reader: Reader | None = None,
) -> dict[str, Any]:
    """One report from the chunks' answers: top-level values by vote, list entries read,
    grounded, validated and merged across chunks. `reader`: the document's, if one is built."""
    reader = reader or Reader(document)
    restated_before = reader.restated  # the reader may have read cut-off answers already
    reads = [reader.read(plan, answer, (chunk.start, chunk.end), {}) for chunk, answer in answers]
    report: dict[str, Any] = {}
    for f in plan.fields:
        if f.kind == "list":
            continue
        if f.kind == "object" and f.sub is not None:
            report[f.name] = {g.name: vote([(r.values.get(f.name) or {}).get(g.name) for r in reads]) for g in f.sub.fields}
        else:
            report[f.name] = vote([r.values.get(f.name) for r in reads])
    for f in plan.fields:
        if f.kind != "list" or f.sub is None:
            continue
        evidence_fields = [g.name for g in f.sub.fields if g.kind == "evidence"]
        candidates: list[Candidate] = []
        for chunk, answer in answers:
            for entry in answer.get(f.name) or []:
                got = reader.read(f.sub, entry, (chunk.start, chunk.end), report)
                if not got.spans:
                    dropped.append(Dropped(entry, "no quote of the entry is in the document"))
                    continue
                problem = validate_entry(f.sub.model, got.values)
                if problem is not None:
                    reasons = "; ".join([*got.problems, problem])
                    dropped.append(Dropped({**entry, "_read": got.values}, f"{f.name}: {reasons}"))
                    continue
                for p in got.problems:  # kept, with the field whose quote did not ground left empty
                    dropped.append(Dropped(got.values, f"{f.name}: {p}; set to null"))
                candidates.append(Candidate(got.values, got.spans, chunk.index))
        merged = merge_entries(candidates, evidence_fields)
        merged.sort(key=lambda c: min(s[0] for s in c.spans.values()))
        report[f.name] = [c.values for c in merged]
    _fit_top_level(plan, report, dropped)
    if reader.restated > restated_before:
        log.info("%d quote(s) found by their value, not their words", reader.restated - restated_before)
    return report


def _fit_top_level(plan: ModelPlan, report: dict[str, Any], dropped: list[Dropped]) -> None:
    """Set to null a top-level value the schema rejects (a voted quote may read as something
    the schema does not allow), so one field does not cost the whole report."""
    for _ in range(len(plan.fields) + 8):
        problem = _first_problem(plan, report)
        if problem is None:
            return
        loc = problem
        target: Any = report
        for part in loc[:-1]:
            target = target.get(part) if isinstance(target, dict) else None
        if not isinstance(target, dict) or loc[-1] not in target or target[loc[-1]] is None or len(loc) > 2:
            return  # not a top-level scalar: left for the caller's validation to report
        dropped.append(Dropped({".".join(map(str, loc)): target[loc[-1]]}, "value not allowed by the schema; set to null"))
        target[loc[-1]] = None


def _first_problem(plan: ModelPlan, report: dict[str, Any]) -> tuple[Any, ...] | None:
    from pydantic import ValidationError

    try:
        plan.model.model_validate(report)
    except ValidationError as exc:
        return tuple(exc.errors()[0].get("loc", ()))
    return None
