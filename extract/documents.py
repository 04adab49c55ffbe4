"""Reading documents: files, folders and JSONL into (id, text) pairs, never crashing a batch.

Encodings are detected (UTF-8 with or without BOM first, then charset-normalizer for
GBK, Big5 and friends); binary files and empty files become per-document errors; HTML
pages are reduced to their visible text. A file's id is its name without the extension.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePath

SUFFIXES = (".txt", ".md", ".html", ".htm")
MAX_BYTES = 20 * 1024 * 1024  # larger inputs are almost certainly not one article


class DocumentError(ValueError):
    """A document that cannot be read; the message says why, in one line."""


@dataclass(frozen=True)
class Document:
    id: str
    source: str
    text: str | None = None
    error: str | None = None  # set when the document could not be read


def decode(data: bytes) -> str:
    if not data.strip():
        raise DocumentError("empty document")
    if b"\x00" in data[:8192]:
        raise DocumentError("binary file (NUL bytes), not text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise DocumentError("undetectable text encoding (binary?)") from None
        text = str(best)
    if not text.strip():
        raise DocumentError("document has only whitespace")
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > 0.05 * min(len(text), 4096):
        raise DocumentError("binary file (control characters), not text")
    return text.replace("\r\n", "\n")


class _TextOfHtml(HTMLParser):
    _SKIP = {"script", "style", "nav", "header", "footer", "noscript", "svg", "form", "iframe", "head"}
    _BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\u3000]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def looks_like_html_page(text: str) -> bool:
    head = text[:2000].lower()
    return "<html" in head or "<!doctype html" in head or "<body" in head


def read_document(path: Path) -> str:
    if path.stat().st_size > MAX_BYTES:
        raise DocumentError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    return text_of_file(path.read_bytes(), path.name)


def text_of_file(data: bytes, name: str) -> str:
    """The text of a file's bytes, as `extract run` reads it: any common encoding, pages
    (by their .html/.htm name or their content) reduced to their visible text."""
    text = decode(data)
    if PurePath(name).suffix.lower() in (".html", ".htm") or looks_like_html_page(text):
        text = html_to_text(text)
        if not text.strip():
            raise DocumentError("HTML page has no visible text")
    return text


def _from_jsonl(path: Path) -> Iterator[Document]:
    for lineno, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        if not line.strip():
            continue
        source = f"{path}:{lineno}"
        try:
            record = json.loads(line)
            doc_id, text = str(record["id"]), record["text"]
            if not isinstance(text, str):
                raise TypeError("text is not a string")
        except (ValueError, KeyError, TypeError) as exc:
            yield Document(id=f"{path.stem}:{lineno}", source=source, error=f"bad JSONL record: {exc}")
            continue
        if not text.strip():
            yield Document(id=doc_id, source=source, error="empty document")
        else:
            yield Document(id=doc_id, source=source, text=text)


def _from_file(path: Path) -> Document:
    try:
        return Document(id=path.stem, source=str(path), text=read_document(path))
    except DocumentError as exc:
        return Document(id=path.stem, source=str(path), error=str(exc))
    except OSError as exc:
        return Document(id=path.stem, source=str(path), error=f"cannot read: {exc.strerror}")


def collect(inputs: list[Path]) -> list[Path]:
    """Expand folders (recursively, known suffixes, sorted) and check every path exists."""
    files: list[Path] = []
    for item in inputs:
        if item.is_dir():
            found = sorted(p for p in item.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES + (".jsonl",))
            files.extend(p for p in found if not p.name.endswith(".gold.json"))
        elif item.is_file():
            files.append(item)
        else:
            raise DocumentError(f"no such file or folder: {item}")
    return files


def iter_documents(inputs: list[Path]) -> Iterator[Document]:
    """Every document of every input, including unreadable ones (with `error` set)."""
    for path in collect(inputs):
        if path.suffix.lower() == ".jsonl":
            yield from _from_jsonl(path)
        else:
            yield _from_file(path)


def check_unique(documents: list[Document]) -> None:
    seen: dict[str, str] = {}
    for doc in documents:
        if doc.id in seen:
            raise DocumentError(f"two documents have the id {doc.id!r}: {seen[doc.id]} and {doc.source}; rename one")
        seen[doc.id] = doc.source
