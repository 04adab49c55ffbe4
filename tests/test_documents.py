"""Reading documents: encodings, bad files, HTML, ids. Every bad input is a per-document error."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.documents import DocumentError, check_unique, decode, iter_documents, read_document

ZH = "公司第二季度营业收入为1.2亿元，同比增长5%。"
ZH_HANT = "公司第二季度營業收入為1.2億港元，按年增長5%。"


@pytest.mark.parametrize(
    "data,expected",
    [
        (ZH.encode("utf-8"), ZH),
        (b"\xef\xbb\xbf" + ZH.encode("utf-8"), ZH),
        (ZH.encode("gbk"), ZH),
        (ZH_HANT.encode("big5"), ZH_HANT),
    ],
    ids=["utf8", "utf8-bom", "gbk", "big5"],
)
def test_encodings_are_detected(data: bytes, expected: str) -> None:
    assert decode(data) == expected


@pytest.mark.parametrize(
    "data,message",
    [(b"", "empty"), (b"  \n\t ", "empty"), (b"\x00\x01\x02binary\x00", "binary"), (bytes(range(1, 30)) * 50, "binary")],
)
def test_bad_bytes_give_one_line_errors(data: bytes, message: str) -> None:
    with pytest.raises(DocumentError, match=message):
        decode(data)


def test_html_page_keeps_text_drops_scripts_and_navigation(tmp_path: Path) -> None:
    page = tmp_path / "a.html"
    page.write_text(
        "<html><head><script>var x='营收100亿元'</script></head><body><nav>首页 | 财经</nav>"
        f"<p>{ZH}</p><footer>版权所有</footer></body></html>",
        encoding="utf-8",
    )
    text = read_document(page)
    assert ZH in text and "100亿" not in text and "首页" not in text and "版权" not in text


def test_folders_jsonl_and_bad_files_all_become_documents(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.txt").write_text(ZH, encoding="utf-8")
    (tmp_path / "d" / "b.md").write_text(ZH, encoding="utf-8")
    (tmp_path / "d" / "empty.txt").write_bytes(b"")
    (tmp_path / "d" / "ignored.pdf").write_bytes(b"%PDF")
    (tmp_path / "x.jsonl").write_text('{"id": "j1", "text": "文本"}\nnot json\n{"id": "j2", "text": ""}\n', encoding="utf-8")
    docs = {d.id: d for d in iter_documents([tmp_path / "d", tmp_path / "x.jsonl"])}
    assert set(docs) == {"a", "b", "empty", "j1", "x:2", "j2"}
    assert docs["a"].text == ZH and docs["empty"].error == "empty document"
    assert "bad JSONL" in (docs["x:2"].error or "") and docs["j2"].error == "empty document"


def test_missing_path_and_duplicate_ids_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="no such file"):
        list(iter_documents([tmp_path / "nope"]))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.txt").write_text(ZH, encoding="utf-8")
    (tmp_path / "b" / "x.txt").write_text(ZH, encoding="utf-8")
    with pytest.raises(DocumentError, match="two documents have the id 'x'"):
        check_unique(list(iter_documents([tmp_path])))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_decode_never_raises_anything_but_document_error(data: bytes) -> None:
    try:
        text = decode(data)
    except DocumentError:
        return
    assert isinstance(text, str) and text.strip()


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=500))
def test_decode_round_trips_utf8_text(text: str) -> None:
    with contextlib.suppress(DocumentError):  # whitespace-only or control-heavy text is refused
        assert decode(text.encode("utf-8")) == text.replace("\r\n", "\n").removeprefix("\ufeff")
