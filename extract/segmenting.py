"""Segmenting: a document into sentences and clauses, with offsets into the original text.

Offsets matter: evidence is always a slice of the original document, so it is verbatim
by construction. HTML tags and markdown front matter are boundaries, never content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract import deadline

# Sentence ends: CJK and ASCII terminators (not ；, which joins clauses about one subject),
# line breaks, HTML tags, and an English full stop
# followed by a capital (so "1.68" and "U.S." stay whole).
_SENTENCE_END = re.compile(r"[。！？!?\n]+|<[^>]{0,400}>|(?<=[a-z0-9%)\]])\.(?=\s+[A-Z\"“(]|\s*$)")
# Clause breaks: commas that are not thousands separators, and enumeration marks.
_CLAUSE_END = re.compile(r"，|；|;|(?<!\d),|,(?!\d{3}(?!\d))|,(?=\s)")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


# The longest sentence the rules see. Their work per sentence grows faster than its length (each
# figure looks back over its sentence), so a text with no sentence ends (a flattened table,
# run-on English, a PDF text layer) is cut into pieces of at most this many characters, at a
# clause break or a space. The longest sentence in the evaluation sets is under 400 characters.
MAX_SENTENCE = 600
# Where a long sentence may be cut, best first: a clause break, a space.
_CUT = re.compile(r"[，；;、]|,(?!\d)|[ \t\u3000]")
_NUMBERISH = frozenset("0123456789.,%")


def sentences(text: str) -> list[Span]:
    deadline.step(len(text))
    out: list[Span] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        _add(out, text, pos, m.start() + (1 if m.group(0) == "." else 0))
        pos = m.end()
    _add(out, text, pos, len(text))
    return out


def _add(out: list[Span], text: str, start: int, end: int) -> None:
    while start < end and text[start] in " \t\r\u3000•·*-–—>#|":
        start += 1
    while end > start and text[end - 1] in " \t\r\u3000":
        end -= 1
    while end - start > MAX_SENTENCE:
        cut = _cut(text, start, end)
        _add(out, text, start, cut)
        start = cut
        while start < end and text[start] in " \t\r\u3000•·*-–—>#|":
            start += 1
    if end - start >= 2:
        out.append(Span(start, end, text[start:end]))


def _cut(text: str, start: int, end: int) -> int:
    """Where to cut a sentence longer than MAX_SENTENCE: after the last clause break or space
    in the second half of its first MAX_SENTENCE characters, else between two characters that
    are not both part of a number."""
    limit = start + MAX_SENTENCE
    last = None
    for m in _CUT.finditer(text, start + MAX_SENTENCE // 2, limit):
        last = m.end()
    if last is not None:
        return last
    cut = limit
    while cut > start + MAX_SENTENCE // 2 and text[cut - 1] in _NUMBERISH and text[cut] in _NUMBERISH:
        cut -= 1
    return cut


def clause_bounds(sentence: str, pos: int) -> tuple[int, int]:
    """The clause of `sentence` around offset `pos`."""
    deadline.step(len(sentence))  # the rules call this for every figure: where a late document stops
    start, end = 0, len(sentence)
    for m in _CLAUSE_END.finditer(sentence):
        if m.end() <= pos:
            start = m.end()
        elif m.start() >= pos:
            end = m.start()
            break
    return start, end
