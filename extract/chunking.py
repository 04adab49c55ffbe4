"""Chunking: a document of any length into pieces of whole sentences that fit a model's context.

A chunk is a slice of the original text (`text[start:end]`), so every offset found in a chunk
maps back to the document by adding `start`. Chunks are built from `segmenting.sentences`;
a sentence is never cut unless it alone is over the budget (then at clause breaks, and only
as a last resort at a character count). Consecutive chunks overlap by whole sentences (up to
`overlap` tokens), so a fact stated across a boundary is seen whole at least once; the
strategy that reads the chunks de-duplicates what the overlap makes it find twice.

Token counts are estimates, never low: Qwen and most BPE vocabularies spend about one token
per CJK character or less, one per digit, and one per 3-4 Latin letters; we count one per CJK
character, digit or punctuation mark and one per 3 letters. No tokenizer is loaded, so the
count costs nothing and is the same for every endpoint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.segmenting import Span, sentences

# Pieces of text and what each costs: Latin letter runs, whitespace runs with a line break,
# other whitespace (merged into the next token by BPE), anything else one token a character.
_PIECE = re.compile(r"(?P<word>[A-Za-z]+)|(?P<nl>[ \t\r\f\v]*\n\s*)|(?P<ws>[ \t\r\f\v]+)|(?P<one>.)", re.DOTALL)
_LETTERS_PER_TOKEN = 3
# Where an over-long sentence may be cut: clause punctuation (zh and en), then any space.
_CLAUSE_BREAK = re.compile(r"[，；、：,;:]")
_TERMINATORS = "。！？!?.．；;…"
_MAX_TERMINATORS = 3


def count_tokens(text: str) -> int:
    """A conservative token estimate of `text` (see the module docstring)."""
    total = 0
    for m in _PIECE.finditer(text):
        kind = m.lastgroup
        if kind == "word":
            total += -(-len(m.group()) // _LETTERS_PER_TOKEN)
        elif kind == "nl" or kind == "one":
            total += 1
    return total


@dataclass(frozen=True)
class Chunk:
    index: int
    start: int  # offsets into the document: text == document[start:end]
    end: int
    text: str
    tokens: int  # estimated tokens, never less than count_tokens(text)


def chunk_text(text: str, budget: int, overlap: int = 0) -> list[Chunk]:
    """Cut `text` into chunks of whole sentences of at most `budget` tokens each, consecutive
    chunks sharing up to `overlap` tokens of whole sentences. Every sentence of the text is in
    at least one chunk, in order."""
    if budget < 8:
        raise ValueError(f"chunk budget of {budget} tokens is too small to hold a sentence")
    overlap = max(0, min(overlap, budget // 2))  # an overlap of half a chunk or more would not advance
    units = _with_terminators(text, [u for s in sentences(text) for u in _fit(text, s, budget - _MAX_TERMINATORS)])
    if not units:
        return []
    # cum[i]: tokens of the text from the first unit to the end of unit i (units and the gaps
    # between them counted apart, which never counts less than counting the whole slice).
    cum: list[int] = []
    for i, u in enumerate(units):
        gap = count_tokens(text[units[i - 1].end : u.start]) if i else 0
        cum.append((cum[-1] if cum else 0) + gap + count_tokens(u.text))

    def span(a: int, b: int) -> int:  # tokens of units[a..b] and the gaps between them
        return cum[b] - cum[a] + count_tokens(units[a].text)

    chunks: list[Chunk] = []
    first = 0
    while first < len(units):
        last = first  # the chunk is units[first..last]
        while last + 1 < len(units) and span(first, last + 1) <= budget:
            last += 1
        start, end = units[first].start, units[last].end
        chunks.append(Chunk(len(chunks), start, end, text[start:end], span(first, last)))
        if last + 1 >= len(units):
            break
        # The next chunk starts with the last sentences of this one, up to `overlap` tokens,
        # but always at least one sentence past where this one started (so the loop advances).
        nxt = last + 1
        while nxt - 1 > first and span(nxt - 1, last) <= overlap:
            nxt -= 1
        first = nxt
    return chunks


def _with_terminators(text: str, units: list[Span]) -> list[Span]:
    """Each unit with the full stops that end it ("。", "?!"), which segmenting leaves out, so
    the model sees whole sentences; never past the next unit, at most _MAX_TERMINATORS."""
    out = []
    for i, u in enumerate(units):
        limit = min(units[i + 1].start if i + 1 < len(units) else len(text), u.end + _MAX_TERMINATORS)
        end = u.end
        while end < limit and text[end] in _TERMINATORS:
            end += 1
        out.append(Span(u.start, end, text[u.start : end]))
    return out


def _fit(text: str, sentence: Span, budget: int) -> list[Span]:
    """The sentence itself when it fits; else pieces of it that do, cut after clause
    punctuation where possible and at a character count where not."""
    if count_tokens(sentence.text) <= budget:
        return [sentence]
    pieces: list[Span] = []
    start = sentence.start
    breaks = [sentence.start + m.end() for m in _CLAUSE_BREAK.finditer(sentence.text)] + [sentence.end]
    cut = start
    for b in breaks:
        if count_tokens(text[start:b]) <= budget:
            cut = b
            continue
        if cut > start:  # close the piece at the last break that fitted, then retry this one
            pieces.append(Span(start, cut, text[start:cut]))
            start = cut
        while count_tokens(text[start:b]) > budget:  # no break fits: cut by count
            end = _hard_cut(text, start, b, budget)
            pieces.append(Span(start, end, text[start:end]))
            start = end
        cut = b
    if start < sentence.end:
        pieces.append(Span(start, sentence.end, text[start : sentence.end]))
    return [p for p in pieces if p.end > p.start]


def _hard_cut(text: str, start: int, end: int, budget: int) -> int:
    """The largest end <= `end` such that text[start:end] fits the budget (at least one
    character, so the caller always advances). Binary search: token counts grow with length."""
    lo, hi = start + 1, end
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count_tokens(text[start:mid]) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return lo
