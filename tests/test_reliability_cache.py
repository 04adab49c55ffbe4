"""Reliability, the result cache: failures are never cached; a corrupt entry (edited on disk with
sqlite) is detected and recomputed end to end; an unreadable database file is moved aside, a
failed write never costs the answer; two batch processes sharing one cache directory at the
same time both finish, agree, and leave a consistent cache."""

from __future__ import annotations

import logging
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import diskcache
import pytest

from extract import Extractor
from extract.cache import ResultCache
from extract.retry import SchemaError
from tests.conftest import CANARY_OK, XHKJ_DOC, XHKJ_REPORT, wants_canary
from tests.reliability_support import (
    NAMES,
    PerDocument,
    cli,
    cli_env,
    cli_popen,
    earnings_docs,
    fast_config,
    header_answer,
    read_lines,
    summary,
    write_docs,
)
from tests.scripted_server import ScriptedServer, delay, ok

DOC = XHKJ_DOC
REPORT = XHKJ_REPORT


def _direct(request: dict[str, Any]):
    return ok(CANARY_OK) if wants_canary(request) else ok(REPORT)


def _model_requests(srv: ScriptedServer) -> int:
    return sum(1 for r in srv.requests if not wants_canary(r))


def _rows(cache_dir: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(cache_dir / "cache.db") as con:
        return con.execute("SELECT rowid, mode, value FROM Cache").fetchall()


def _corrupt(cache_dir: Path, how: str) -> None:
    """Edit the one stored row in place, as a bad disk, a bad copy or a bad hand would."""
    [(rowid, mode, value)] = _rows(cache_dir)
    assert mode == 1 and "320000000" in value  # stored inline as text (diskcache MODE_RAW)
    sql, args = {
        # valid JSON, one figure changed: only the checksum can tell
        "tampered": ("UPDATE Cache SET value = ? WHERE rowid = ?", (value.replace("320000000", "999000000"), rowid)),
        "garbage": ("UPDATE Cache SET value = ? WHERE rowid = ?", ("\x00not json at all", rowid)),
        "truncated": ("UPDATE Cache SET value = ? WHERE rowid = ?", (value[: len(value) // 2], rowid)),
        "blob": ("UPDATE Cache SET value = ?, mode = 2 WHERE rowid = ?", (b"\xff\xfe\x00\x01", rowid)),
        "pickle-mode": ("UPDATE Cache SET mode = 4 WHERE rowid = ?", (rowid,)),
        "missing-file": ("UPDATE Cache SET mode = 3, filename = 'ab/cd/gone.val', value = NULL WHERE rowid = ?", (rowid,)),
    }[how]
    with sqlite3.connect(cache_dir / "cache.db") as con:
        con.execute(sql, args)


@pytest.mark.parametrize("how", ["tampered", "garbage", "truncated", "blob", "pickle-mode", "missing-file"])
def test_a_corrupt_entry_is_detected_and_recomputed(make_settings, tmp_path: Path, how: str) -> None:
    with ScriptedServer(default=_direct) as srv:
        settings = make_settings(srv, strategy="direct", cache_dir=tmp_path / "cache")
        with Extractor(settings=settings) as ex:
            first = ex.extract(DOC)
        assert not first.cached and _model_requests(srv) == 1
        _corrupt(tmp_path / "cache", how)
        with Extractor(settings=settings) as ex:
            second = ex.extract(DOC)  # a new process would open the same file the same way
            third = ex.extract(DOC)
        assert not second.cached and _model_requests(srv) == 2  # detected: asked the model again
        assert second.report.model_dump() == first.report.model_dump()
        assert [m.value for m in second.report.metrics] == [320_000_000]  # never the tampered 999000000
        assert third.cached and _model_requests(srv) == 2  # and stored again, whole
    [(_, mode, value)] = _rows(tmp_path / "cache")
    assert mode == 1 and "999000000" not in value


def test_failures_are_never_cached(make_settings, tmp_path: Path) -> None:
    bad = {**REPORT, "fiscal_period": "Q1 of 2024"}  # fails the schema on every re-ask
    with ScriptedServer(default=lambda r: ok(CANARY_OK) if wants_canary(r) else ok(bad)) as srv:
        settings = make_settings(srv, strategy="direct", cache_dir=tmp_path / "cache", reasks=1)
        with Extractor(settings=settings) as ex, pytest.raises(SchemaError):
            ex.extract(DOC)
    assert _rows(tmp_path / "cache") == []
    with (
        ScriptedServer(default=_direct) as srv,
        Extractor(settings=make_settings(srv, strategy="direct", cache_dir=tmp_path / "cache")) as ex,
    ):
        assert not ex.extract(DOC).cached and _model_requests(srv) == 1


@pytest.mark.parametrize("damage", ["not-a-database", "malformed-pages"])
def test_an_unreadable_cache_database_is_moved_aside_not_fatal(tmp_path: Path, damage: str) -> None:
    docs = earnings_docs(30)
    folder = write_docs(tmp_path / "docs", docs)
    with ScriptedServer(default=header_answer) as srv:
        env = cli_env(srv.base_url, tmp_path, EXTRACT_CONFIG=str(fast_config(tmp_path / "fast.toml")))
        assert cli(["batch", str(folder), "--out", str(tmp_path / "one.jsonl")], env, tmp_path).returncode == 0
        db = tmp_path / "cache" / "cache.db"
        data = bytearray(db.read_bytes())
        if damage == "not-a-database":
            data[:100] = b"\xde\xad" * 50
        else:  # keep the header, scribble over every later page
            for offset in range(4096, len(data), 4096):
                data[offset : offset + 200] = b"\xff" * 200
        db.write_bytes(bytes(data))
        again = cli(["batch", str(folder), "--out", str(tmp_path / "two.jsonl")], env, tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr and "moved aside" in again.stderr
    assert all(r["ok"] for r in read_lines(tmp_path / "two.jsonl")) and len(read_lines(tmp_path / "two.jsonl")) == 30
    assert list((tmp_path / "cache").glob("cache.db.corrupt-*"))  # kept for a post-mortem
    with diskcache.Cache(str(tmp_path / "cache")) as fresh:
        assert fresh.check(fix=False) == [] and len(fresh) == 30


def test_a_failed_cache_write_never_costs_the_answer(make_settings, tmp_path: Path, caplog) -> None:
    with (
        ScriptedServer(default=_direct) as srv,
        Extractor(settings=make_settings(srv, strategy="direct", cache_dir=tmp_path / "cache")) as ex,
    ):
        with sqlite3.connect(tmp_path / "cache" / "cache.db") as con:
            con.execute("DROP TABLE Cache")  # every write now fails inside SQLite
        with caplog.at_level(logging.WARNING, logger="extract.cache"):
            result = ex.extract(DOC)
    assert [m.value for m in result.report.metrics] == [320_000_000]
    assert "could not store a cache entry" in caplog.text


def test_two_batches_sharing_one_cache_at_once_finish_agree_and_keep_it_consistent(tmp_path: Path) -> None:
    docs = earnings_docs(90)
    ids = sorted(docs)
    # The 30 shared documents come first in both inputs, so both processes miss, compute and
    # write the same keys at the same moment.
    left_ids, right_ids = ids[:60], ids[:30] + ids[60:]
    left = write_docs(tmp_path / "left", {i: docs[i] for i in left_ids})
    right = write_docs(tmp_path / "right", {i: docs[i] for i in right_ids})
    counter = PerDocument(lambda r: header_answer(r) if wants_canary(r) else delay(0.02, header_answer(r)))
    with ScriptedServer(default=counter) as srv:
        env = cli_env(srv.base_url, tmp_path, EXTRACT_CONFIG=str(fast_config(tmp_path / "fast.toml", concurrency=4)))
        a = cli_popen(["batch", str(left), "--out", str(tmp_path / "a.jsonl")], env, tmp_path)
        b = cli_popen(["batch", str(right), "--out", str(tmp_path / "b.jsonl")], env, tmp_path)
        a_err, b_err = a.communicate(timeout=120)[1], b.communicate(timeout=120)[1]
        assert a.returncode == 0 and b.returncode == 0, a_err + b_err
        sent_by_both, _ = counter.snapshot()

        ra = {r["id"]: r for r in read_lines(tmp_path / "a.jsonl")}
        rb = {r["id"]: r for r in read_lines(tmp_path / "b.jsonl")}
        assert sorted(ra) == left_ids and sorted(rb) == right_ids
        for doc_id in set(ra) & set(rb):
            assert ra[doc_id]["result"] == rb[doc_id]["result"]
        for doc_id, record in {**ra, **rb}.items():
            assert record["ok"] and record["result"]["metrics"][0]["value"] == docs[doc_id][1]

        with diskcache.Cache(str(tmp_path / "cache")) as raw:
            assert raw.check(fix=False) == []
            assert len(raw) == 90  # one entry per distinct request, however the two raced
        cache = ResultCache(tmp_path / "cache")
        assert all(cache.get(k) is not None for k in list(cache._cache.iterkeys()))
        cache.close()

        # Everything is now served from the shared cache: a third run sends nothing.
        both = cli(["batch", str(left), str(right), "--out", str(tmp_path / "c.jsonl"), "--no-resume"], env, tmp_path)
        assert both.returncode == 2 and "two documents have the id" in both.stderr  # overlapping files: clear refusal
        merged = tmp_path / "merged"
        shutil.copytree(left, merged)
        for p in right.iterdir():
            shutil.copy(p, merged / p.name)
        third = cli(["batch", str(merged), "--out", str(tmp_path / "c.jsonl")], env, tmp_path)
        sent_after, _ = counter.snapshot()
    assert third.returncode == 0, third.stderr
    assert summary(third.stderr)["cached"] == 90
    assert sum((sent_after - sent_by_both).values()) == 0
    raced = sum(1 for i in ids[:30] if sent_by_both[NAMES[ids.index(i)]] == 2)
    print(f"\nshared cache: {raced} of 30 shared documents were computed by both processes at once")
