"""Jobs: many documents, accepted at once, processed in the background, kept on disk.

Guarantees, including a SIGKILL of the service at any moment:
- a job is stored with all its documents in one transaction before its id is answered, so
  an acknowledged job is never lost;
- a document's result is stored in one transaction that also moves it from `pending` to
  `ok` or `failed`, and only from `pending`: it is done at most once, and a done document
  is never redone;
- on start the runner picks up every `pending` document, so a restarted service finishes
  the jobs it had (documents that were in flight at the kill run again: they had no result).

SQLite in WAL mode with synchronous=FULL. A lock file next to the database keeps a second
service process from running the same jobs; the OS drops it when the holder dies.
"""

from __future__ import annotations

import fcntl
import functools
import json
import logging
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extract.server.pool import ModelPool, Timed

log = logging.getLogger("extract.server.jobs")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    finished_at REAL,
    schema TEXT NOT NULL,
    strategy TEXT,
    options TEXT NOT NULL,
    total INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    job_id TEXT NOT NULL REFERENCES jobs(id),
    seq INTEGER NOT NULL,
    doc_id TEXT NOT NULL,
    text TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ok', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    report TEXT,
    meta TEXT,
    error TEXT,
    finished_at REAL,
    PRIMARY KEY (job_id, seq)
);
CREATE INDEX IF NOT EXISTS documents_pending ON documents(status, job_id, seq);
"""


class JobStoreError(RuntimeError):
    pass


@dataclass(frozen=True)
class PendingDocument:
    job_id: str
    seq: int
    doc_id: str
    text: str
    schema: str
    strategy: str | None
    options: dict[str, Any]

    @property
    def key(self) -> tuple[str, int]:
        return (self.job_id, self.seq)


class JobStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock_fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            raise JobStoreError(f"the jobs database {path} is in use by another `extract serve`; give --jobs-db") from None
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)
        self.double_completions = 0  # a finish on a document no longer pending: must stay 0

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise JobStoreError("the jobs database is closed")
        return self._db

    # -- writes --------------------------------------------------------------------------

    def create(
        self, documents: list[tuple[str, str]], schema: str, strategy: str | None, options: dict[str, Any]
    ) -> dict[str, Any]:
        job_id = uuid.uuid4().hex
        now = time.time()
        with self._lock:
            db = self._conn()
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute(
                    "INSERT INTO jobs (id, created_at, schema, strategy, options, total) VALUES (?, ?, ?, ?, ?, ?)",
                    (job_id, now, schema, strategy, json.dumps(options, sort_keys=True), len(documents)),
                )
                db.executemany(
                    "INSERT INTO documents (job_id, seq, doc_id, text) VALUES (?, ?, ?, ?)",
                    [(job_id, seq, doc_id, text) for seq, (doc_id, text) in enumerate(documents)],
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return self.get(job_id, offset=0, limit=0) or {}

    def mark_started(self, doc: PendingDocument) -> None:
        with self._lock:
            self._conn().execute(
                "UPDATE documents SET attempts = attempts + 1 WHERE job_id = ? AND seq = ? AND status = 'pending'", doc.key
            )

    def finish(self, doc: PendingDocument, ok: bool, report: Any = None, meta: Any = None, error: Any = None) -> bool:
        """Store a document's outcome, only if it is still pending. False if it was not (or the store is closed)."""
        now = time.time()
        with self._lock:
            if self._db is None:
                return False
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                cur = db.execute(
                    "UPDATE documents SET status = ?, report = ?, meta = ?, error = ?, finished_at = ? "
                    "WHERE job_id = ? AND seq = ? AND status = 'pending'",
                    (
                        "ok" if ok else "failed",
                        None if report is None else json.dumps(report, ensure_ascii=False),
                        None if meta is None else json.dumps(meta, ensure_ascii=False),
                        None if error is None else json.dumps(error, ensure_ascii=False),
                        now,
                        *doc.key,
                    ),
                )
                changed = cur.rowcount == 1
                if changed:
                    left = db.execute(
                        "SELECT COUNT(*) FROM documents WHERE job_id = ? AND status = 'pending'", (doc.job_id,)
                    ).fetchone()[0]
                    if left == 0:
                        db.execute("UPDATE jobs SET finished_at = ? WHERE id = ?", (now, doc.job_id))
                else:
                    self.double_completions += 1
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        if not changed:
            log.error("document %s/%d was already finished; result not stored again", doc.job_id, doc.seq)
        return changed

    # -- reads ---------------------------------------------------------------------------

    def next_pending(self, exclude: Iterable[tuple[str, int]], limit: int) -> list[PendingDocument]:
        """Pending documents not in `exclude`, oldest job first, in document order."""
        if limit <= 0:
            return []
        skip = set(exclude)
        with self._lock:
            rows = (
                self._conn()
                .execute(
                    "SELECT d.job_id, d.seq, d.doc_id, d.text, j.schema, j.strategy, j.options "
                    "FROM documents d JOIN jobs j ON j.id = d.job_id "
                    "WHERE d.status = 'pending' ORDER BY j.created_at, d.job_id, d.seq LIMIT ?",
                    (limit + len(skip),),
                )
                .fetchall()
            )
        out = []
        for r in rows:
            if (r["job_id"], r["seq"]) in skip:
                continue
            out.append(
                PendingDocument(
                    r["job_id"], r["seq"], r["doc_id"], r["text"], r["schema"], r["strategy"], json.loads(r["options"])
                )
            )
            if len(out) == limit:
                break
        return out

    def get(self, job_id: str, offset: int = 0, limit: int | None = None) -> dict[str, Any] | None:
        with self._lock:
            db = self._conn()
            job = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if job is None:
                return None
            counts = dict(
                db.execute("SELECT status, COUNT(*) FROM documents WHERE job_id = ? GROUP BY status", (job_id,)).fetchall()
            )
            rows = db.execute(
                "SELECT seq, doc_id, status, attempts, report, meta, error FROM documents "
                "WHERE job_id = ? ORDER BY seq LIMIT ? OFFSET ?",
                (job_id, -1 if limit is None else limit, offset),
            ).fetchall()
        ok, failed, pending = counts.get("ok", 0), counts.get("failed", 0), counts.get("pending", 0)
        status = "done" if pending == 0 else ("queued" if ok + failed == 0 else "running")
        documents = []
        for r in rows:
            doc: dict[str, Any] = {"id": r["doc_id"], "status": r["status"], "attempts": r["attempts"]}
            if r["status"] == "ok":
                doc["report"] = json.loads(r["report"])
                doc["meta"] = json.loads(r["meta"])
            elif r["status"] == "failed":
                doc["error"] = json.loads(r["error"])
            documents.append(doc)
        return {
            "id": job["id"],
            "status": status,
            "schema": job["schema"],
            "strategy": job["strategy"],
            "options": json.loads(job["options"]),
            "created_at": job["created_at"],
            "finished_at": job["finished_at"],
            "total": job["total"],
            "done": ok + failed,
            "ok": ok,
            "failed": failed,
            "pending": pending,
            "offset": offset,
            "documents": documents,
        }

    def document(self, job_id: str, seq: int) -> dict[str, Any] | None:
        """One document of a job by its position, with its text (for the page's job view)."""
        with self._lock:
            r = (
                self._conn()
                .execute(
                    "SELECT seq, doc_id, text, status, attempts, report, meta, error FROM documents WHERE job_id = ? AND seq = ?",
                    (job_id, seq),
                )
                .fetchone()
            )
        if r is None:
            return None
        doc: dict[str, Any] = {"index": r["seq"], "id": r["doc_id"], "status": r["status"], "attempts": r["attempts"]}
        doc["text"] = r["text"]
        for key in ("report", "meta", "error"):
            doc[key] = None if r[key] is None else json.loads(r[key])
        return doc

    def document_counts(self) -> dict[str, int]:
        with self._lock:
            if self._db is None:
                return {}
            return dict(self._db.execute("SELECT status, COUNT(*) FROM documents GROUP BY status").fetchall())

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
        if self._lock_fd >= 0:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = -1


# What a document's processing returns: ok, report, meta, error (the last three JSON-able).
Outcome = tuple[bool, Any, Any, Any]


class JobRunner:
    """One thread that feeds pending documents into the model pool, at most `slots` at a time."""

    def __init__(
        self,
        store: JobStore,
        pool: ModelPool,
        process: Callable[[PendingDocument], Outcome | None],
        slots: int,
        on_finished: Callable[[PendingDocument, Outcome, Timed | None], None] | None = None,
    ) -> None:
        self.store = store
        self.pool = pool
        self.process = process  # returns None to leave the document pending (service stopping)
        self.slots = slots
        self.on_finished = on_finished
        self._inflight: set[tuple[str, int]] = set()
        self._kicked = False
        self._wake = threading.Condition()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="extract-jobs", daemon=True)
        self.error: BaseException | None = None

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> None:
        self._thread.start()

    def notify(self) -> None:
        with self._wake:
            self._kicked = True
            self._wake.notify()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _loop(self) -> None:
        try:
            while not self._stopping.is_set():
                with self._wake:
                    room = self.slots - len(self._inflight)
                    exclude = set(self._inflight)
                    self._kicked = False
                batch = self.store.next_pending(exclude, room) if room > 0 else []
                for doc in batch:
                    with self._wake:
                        self._inflight.add(doc.key)
                    self.store.mark_started(doc)
                    future = self.pool.submit(self.process, doc)
                    future.add_done_callback(functools.partial(self._done, doc))
                with self._wake:
                    if self._stopping.is_set():
                        break
                    # Sleep unless a job arrived or a document finished since the query above.
                    if (not batch or len(self._inflight) >= self.slots) and not self._kicked:
                        self._wake.wait(timeout=2.0)
        except JobStoreError:
            if not self._stopping.is_set():
                raise
        except BaseException as exc:  # noqa: BLE001 - recorded for /readyz, and logged
            self.error = exc
            log.exception("the job runner stopped")

    def _done(self, doc: PendingDocument, future: Future[Timed]) -> None:
        try:
            if future.cancelled():
                return  # shutting down before it started: stays pending
            exc = future.exception()
            if exc is not None:  # process() handles expected errors; this is a bug, recorded as such
                log.error("document %s/%d: unexpected %s", doc.job_id, doc.seq, type(exc).__name__, exc_info=exc)
                outcome: Outcome | None = (
                    False,
                    None,
                    None,
                    {"code": "internal", "message": f"internal error: {type(exc).__name__}"},
                )
                timed = None
            else:
                timed = future.result()
                outcome = timed.value
            if outcome is None:
                return
            try:
                stored = self.store.finish(doc, *outcome)
            except (JobStoreError, sqlite3.Error):
                log.warning("document %s/%d: result not stored (closing); it stays pending", doc.job_id, doc.seq)
                return
            if stored and self.on_finished:
                self.on_finished(doc, outcome, timed)
        finally:
            with self._wake:
                self._inflight.discard(doc.key)
                self._kicked = True
                self._wake.notify()
