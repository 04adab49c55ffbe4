"""Batch extraction over files, folders and JSONL: one output line per document, as it finishes.

Guarantees: every input document ends as exactly one record (`ok` true with a result, or
false with the reason); lines are written whole and flushed as documents finish, so an
interrupted run loses only what was in flight; a rerun skips ids already `ok` in --out
and retries the failed ones; at the end the file is compacted to one line per id.
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from extract.documents import Document, check_unique, iter_documents
from extract.extractor import ExtractionResult, Extractor, json_safe
from extract.retry import ExtractionError


@dataclass
class BatchSummary:
    total: int = 0
    skipped: int = 0  # already ok in --out
    ok: int = 0
    failed: int = 0
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    failures: dict[str, str] = field(default_factory=dict)
    interrupted: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


def write_json_atomic(path: Path, data: Any) -> None:
    """Write via a temp file and rename, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def read_records(path: Path) -> dict[str, dict[str, Any]]:
    """The last whole, parseable record per id; a torn last line (killed writer) is ignored."""
    records: dict[str, dict[str, Any]] = {}
    if not path.exists():
        return records
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and "id" in record:
            records[str(record["id"])] = record
    return records


class RecordWriter:
    """Appends one JSON line per record with a single write + fsync."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        size = os.fstat(self._fd).st_size
        if size:  # start on a fresh line if a killed run left a torn one
            with path.open("rb") as f:
                f.seek(size - 1)
                if f.read(1) != b"\n":
                    os.write(self._fd, b"\n")

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps(json_safe(record), ensure_ascii=False, allow_nan=False)  # strict JSON, one line
        os.write(self._fd, (line + "\n").encode())
        os.fsync(self._fd)

    def close(self) -> None:
        os.close(self._fd)


def compact(path: Path, order: list[str]) -> None:
    """Rewrite --out with one line per id (latest wins), input order first."""
    records = read_records(path)
    ids = [i for i in order if i in records] + [i for i in records if i not in set(order)]
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        for doc_id in ids:
            f.write(json.dumps(records[doc_id], ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def record_of(doc_id: str, outcome: ExtractionResult | Exception) -> dict[str, Any]:
    """The --out record of one finished document (built where the document ran: a Ray worker
    sends back this dict, so both batch paths write the same lines)."""
    if isinstance(outcome, ExtractionResult):
        return {
            "id": doc_id,
            "ok": True,
            "result": outcome.report.model_dump(mode="json"),
            "usage": outcome.usage,
            "cached": outcome.cached,
            "meta": {k: v for k, v in outcome.meta().items() if k not in ("usage", "cached")},
        }
    reason = getattr(outcome, "reason", "invalid_input")
    return {"id": doc_id, "ok": False, "error": str(outcome), "reason": reason, "usage": {}, "cached": False}


# Runs the readable documents, (id, text) pairs, and yields their records as they finish, in
# any order; a document it cannot finish (Ctrl-C) is simply not yielded.
Runner = Callable[[list[tuple[str, str]]], Iterator[dict[str, Any]]]


def run_batch(
    extractor: Extractor,
    inputs: list[Path],
    *,
    out: Path | None,
    out_dir: Path | None,
    schema: str | None = None,
    strategy: str | None = None,
    resume: bool = True,
    show_progress: bool = True,
) -> BatchSummary:
    """The local batch: `extractor`'s thread pool against its one endpoint."""

    def local(pairs: list[tuple[str, str]]) -> Iterator[dict[str, Any]]:
        for doc_id, outcome in extractor.extract_many(pairs, schema=schema, strategy=strategy):
            yield record_of(doc_id, outcome)

    return run_records(local, inputs, out=out, out_dir=out_dir, resume=resume, show_progress=show_progress)


def run_records(
    runner: Runner,
    inputs: list[Path],
    *,
    out: Path | None,
    out_dir: Path | None,
    resume: bool = True,
    show_progress: bool = True,
    on_record: Callable[[dict[str, Any]], None] | None = None,
) -> BatchSummary:
    """What every batch path shares: read the inputs, skip what resume skips, write each record
    whole as it comes (and DIR/<id>.json), progress, summary, Ctrl-C, compaction. `runner`
    does the extracting; `on_record` sees each record after it is written and counted."""
    documents = list(iter_documents(inputs))
    check_unique(documents)
    summary = BatchSummary(total=len(documents))
    done = {i for i, r in read_records(out).items() if r.get("ok")} if (out and resume) else set()
    if out and not resume and out.exists():
        out.unlink()
    writer = RecordWriter(out) if out else None
    todo = [d for d in documents if d.id not in done]
    summary.skipped = len(documents) - len(todo)
    started = time.perf_counter()

    def emit(record: dict[str, Any]) -> None:
        with _ctrl_c_after():  # the line written and the summary's count must agree
            _emit(record)
        if on_record:
            on_record(record)

    def _emit(record: dict[str, Any]) -> None:
        doc_id = record["id"]
        if writer:
            writer.write(record)
        if record["ok"]:
            summary.ok += 1
            summary.cached += int(record["cached"])
            summary.prompt_tokens += record["usage"].get("prompt_tokens", 0)
            summary.completion_tokens += record["usage"].get("completion_tokens", 0)
            if out_dir:
                write_json_atomic(out_dir / f"{doc_id}.json", record["result"])
        else:
            summary.failed += 1
            summary.failures[doc_id] = record["error"]

    readable: list[Document] = []
    for doc in todo:
        if doc.error is not None:
            emit(record_of(doc.id, ValueError(doc.error)))
        else:
            readable.append(doc)

    progress = Progress(
        TextColumn("[bold]extract"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("ok {task.fields[ok]} failed {task.fields[failed]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        disable=not show_progress,
        transient=False,
    )
    try:
        with progress:
            task = progress.add_task(
                "documents", total=len(todo), completed=len(todo) - len(readable), ok=0, failed=summary.failed
            )
            for record in runner([(d.id, d.text or "") for d in readable]):
                emit(record)
                progress.update(task, advance=1, ok=summary.ok, failed=summary.failed)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        if writer:
            writer.close()
            compact(out, [d.id for d in documents])  # type: ignore[arg-type]
        summary.seconds = time.perf_counter() - started
    return summary


@contextmanager
def _ctrl_c_after() -> Iterator[None]:
    """Hold a Ctrl-C that arrives inside the block until it ends (main thread only: the only
    place Python runs signal handlers), so an interrupt never falls between writing a record
    and counting it."""
    in_main = threading.current_thread() is threading.main_thread()
    if not in_main or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return
    held: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if held:
            raise KeyboardInterrupt


__all__ = [
    "BatchSummary", "Runner", "run_batch", "run_records", "record_of", "read_records", "write_json_atomic", "ExtractionError",
]
