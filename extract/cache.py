"""Result cache: validated model answers on disk, keyed by everything that shapes them.

The key covers the pipeline version, model (and weights checksum for the embedded
model), base URL without credentials, prompt id/version/hash, schema name/version/hash,
the rendered messages and the sampling parameters, so changing any of them never serves
a stale answer. Only validated answers are stored; an entry whose checksum does not
match is treated as a miss and removed. diskcache (SQLite) is safe across processes.

A cache never costs a result: a database file that SQLite cannot read at all is moved
aside (cache.db.corrupt-TIME) with a warning and a fresh one started, and a failed write
is logged and skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import diskcache

log = logging.getLogger("extract.cache")

PIPELINE_VERSION = "1"  # bump when post-processing changes what a cached answer means


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def make_key(**parts: Any) -> str:
    """A stable hash of the key parts (callers pass messages, model, prompt, schema, params)."""
    return hashlib.sha256(_canonical({"pipeline": PIPELINE_VERSION, **parts}).encode()).hexdigest()


def _checksum(payload: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


class ResultCache:
    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._cache = self._open(directory)

    @staticmethod
    def _open(directory: Path) -> diskcache.Cache:
        try:
            return diskcache.Cache(str(directory), timeout=60)
        except sqlite3.OperationalError:
            raise  # locked or unwritable: not corruption, nothing to move aside
        except sqlite3.DatabaseError as exc:  # "file is not a database", "disk image is malformed"
            aside = f"cache.db.corrupt-{time.strftime('%Y%m%d-%H%M%S')}"
            log.warning(
                "cache database %s is unreadable (%s); moved aside as %s, starting empty", directory / "cache.db", exc, aside
            )
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.replace(directory / f"cache.db{suffix}", directory / f"{aside}{suffix}")
            return diskcache.Cache(str(directory), timeout=60)

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            raw = self._cache.get(key)
        except Exception:  # unreadable row: a miss, and drop it
            self._drop(key)
            return None
        if raw is None:
            return None
        try:
            entry = json.loads(raw)
            if entry["checksum"] == _checksum(entry["payload"]):
                return entry["payload"]
        except (ValueError, KeyError, TypeError):
            pass
        self._drop(key)
        return None

    def set(self, key: str, payload: dict[str, Any]) -> None:
        entry = {"payload": payload, "checksum": _checksum(payload), "stored_at": time.time()}
        try:
            self._cache.set(key, _canonical(entry))
        except Exception as exc:  # a full disk or a broken database must not cost the answer
            log.warning("could not store a cache entry: %s: %s", type(exc).__name__, exc)

    def _drop(self, key: str) -> None:
        with contextlib.suppress(Exception):
            self._cache.delete(key)

    def __len__(self) -> int:
        return len(self._cache)

    def close(self) -> None:
        self._cache.close()
