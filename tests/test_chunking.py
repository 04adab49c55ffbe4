"""Chunking: whole sentences, within the token budget, overlapping, for any length and script."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.chunking import chunk_text, count_tokens
from extract.segmenting import sentences
from tests.longdoc import long_document

ZH = "星河科技公布2024年第一季度财报。营业收入为3.2亿元人民币，同比增长12%。净亏损为2,370万元。"
EN = "Revenue was RMB320 million, up 12% year over year. Net loss was RMB23.7 million. The outlook is unchanged. "


def test_cjk_counts_at_least_one_token_a_character() -> None:
    text = "营业收入同比增长" * 50
    assert count_tokens(text) >= len(text)
    assert count_tokens("３．２亿元") == 5  # full-width digits and marks count like any other character


def test_latin_words_and_digits() -> None:
    # "revenue" is 7 letters: 3 tokens at 3 letters a token; each digit and mark is one
    assert count_tokens("revenue") == 3
    assert count_tokens("1,234.5") == 7
    assert count_tokens("a  b") == 2  # spaces are merged into the next word, not counted
    assert count_tokens("a\n\nb") == 3  # a line break is a token of its own


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in sentences(text)]


@pytest.mark.parametrize("text", [ZH * 40, EN * 40, (ZH + "\n" + EN) * 25])
@pytest.mark.parametrize("budget,overlap", [(60, 0), (120, 30), (400, 80)])
def test_chunks_fit_cover_and_keep_sentences_whole(text: str, budget: int, overlap: int) -> None:
    chunks = chunk_text(text, budget, overlap)
    assert len(chunks) > 1
    for c in chunks:
        assert c.text == text[c.start : c.end]
        assert count_tokens(c.text) <= c.tokens <= budget
    bounds = _sentence_spans(text)
    starts = {a for a, _ in bounds}
    ends = {b for _, b in bounds}
    for c in chunks:  # every chunk starts at a sentence start and ends at a sentence end (with its full stop)
        assert c.start in starts
        assert c.end in ends or c.start + len(c.text.rstrip("。！？!?.")) in ends
    for a, b in bounds:  # every sentence is whole in at least one chunk
        assert any(c.start <= a and b <= c.end for c in chunks), text[a:b]
    for prev, nxt in zip(chunks, chunks[1:], strict=False):  # in order, always advancing
        assert prev.start < nxt.start and prev.end < nxt.end


def test_overlap_repeats_the_last_sentences_within_the_overlap_budget() -> None:
    text = ZH * 40
    chunks = chunk_text(text, 120, 40)
    for prev, nxt in zip(chunks, chunks[1:], strict=False):
        assert nxt.start < prev.end  # they share text...
        shared = text[nxt.start : prev.end]
        assert 0 < count_tokens(shared) <= 40  # ...no more than the overlap asks
        assert (nxt.start, nxt.start + len(sentences(shared)[0].text)) in _sentence_spans(text)
    no_overlap = chunk_text(text, 120, 0)
    for prev, nxt in zip(no_overlap, no_overlap[1:], strict=False):
        assert nxt.start >= prev.end


def test_a_sentence_over_the_budget_is_cut_at_clauses_then_by_count() -> None:
    clauses = "，".join(["营业收入为3.2亿元"] * 30) + "。"
    chunks = chunk_text(clauses, 40, 0)
    assert "".join(c.text for c in chunks).replace("，", "") == clauses.replace("，", "")
    assert all(count_tokens(c.text) <= 40 for c in chunks)
    assert all(c.text.endswith(("，", "。")) for c in chunks[:-1])  # cut after clause marks
    unbroken = "营" * 500  # no punctuation at all: cut by count, nothing lost
    pieces = chunk_text(unbroken, 64, 0)
    assert "".join(p.text for p in pieces) == unbroken
    assert all(count_tokens(p.text) <= 64 for p in pieces)


def test_empty_and_small_inputs() -> None:
    assert chunk_text("", 100) == []
    assert chunk_text("  \n ", 100) == []
    (only,) = chunk_text(ZH, 1000, 100)
    assert only.text == ZH.strip()
    with pytest.raises(ValueError, match="too small"):
        chunk_text(ZH, 4)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_long_document_chunks(lang: str) -> None:
    text = long_document(60_000, lang)
    chunks = chunk_text(text, 1200, 120)
    assert all(count_tokens(c.text) <= 1200 for c in chunks)
    assert chunks[-1].end == len(text.rstrip())
    assert len(chunks) >= count_tokens(text) // 1200


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["营收增长。", "Revenue rose. ", "净利润为1.2亿元，", "\n", "A long clause, ", "！"]), max_size=80),
    st.integers(min_value=8, max_value=200),
    st.integers(min_value=0, max_value=100),
)
def test_property_fit_and_coverage(parts: list[str], budget: int, overlap: int) -> None:
    text = "".join(parts)
    chunks = chunk_text(text, budget, overlap)
    for c in chunks:
        assert count_tokens(c.text) <= budget
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    for a, b in _sentence_spans(text):
        assert set(range(a, b)) <= covered
