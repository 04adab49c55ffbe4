"""A deadline per document: past it, the document fails with reason "deadline" and its worker
is free for the next one.

A thread running Python cannot be stopped from outside, so the deadline is cooperative: the
engine's functions that the rules call for every sentence and figure (`find_amounts`,
`find_percents`, `clause_bounds`) and the resolver's loop call `check()`, and the model call
is given only the time that is left (its HTTP timeout and its transport retries). The rules'
work between two checks is bounded (one sentence of at most `segmenting.MAX_SENTENCE`
characters), so a document stops soon after its deadline whatever its shape.

The deadline lives in a context variable set by `Extractor.extract` around one document, so
each worker thread (and each asyncio task) has its own.

The same calls count the characters each stage hands to the engine (`step(chars)`), when a
caller asks (`metered()`): a deterministic measure of work, with which tests check that work
grows linearly with the document's length without timing anything.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from extract.retry import ExtractionError

# (monotonic time it ends, its length in seconds) for the document being extracted
_ENDS_AT: ContextVar[tuple[float, float] | None] = ContextVar("extract_deadline", default=None)
_METER: ContextVar[list[int] | None] = ContextVar("extract_work", default=None)


class DeadlineExceeded(ExtractionError):
    """The document's extraction ran past its deadline (`--deadline`, `EXTRACT_DEADLINE`)."""

    reason = "deadline"

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = seconds
        what = f"{seconds:g} s" if seconds else "its deadline"
        super().__init__(f"document not finished within {what} (--deadline / EXTRACT_DEADLINE)")


@contextmanager
def limit(seconds: float | None) -> Iterator[None]:
    """Run the enclosed work under a deadline `seconds` from now (None or 0: no deadline)."""
    token = _ENDS_AT.set((time.monotonic() + seconds, seconds) if seconds else None)
    try:
        yield
    finally:
        _ENDS_AT.reset(token)


def stretch(factor: int) -> None:
    """Give the current document `factor` times its deadline, counted from when it started, for
    the rest of its extraction: for a strategy whose model work grows with the document (one
    read per chunk), so that the deadline bounds each part rather than the whole. Undone when
    the document's `limit` ends."""
    ends = _ENDS_AT.get()
    if ends is None or factor <= 1:
        return
    started = ends[0] - ends[1]
    _ENDS_AT.set((started + ends[1] * factor, ends[1] * factor))


def remaining() -> float | None:
    """Seconds left before the deadline (negative once past it), or None without one."""
    ends = _ENDS_AT.get()
    return None if ends is None else ends[0] - time.monotonic()


def expired() -> bool:
    left = remaining()
    return left is not None and left <= 0


def step(chars: int) -> None:
    """One pass of the pipeline over `chars` characters: counted when metered, then `check()`."""
    meter = _METER.get()
    if meter is not None:
        meter[0] += chars
    check()


@contextmanager
def metered() -> Iterator[list[int]]:
    """Count the characters the enclosed work passes over (`step`); read `[0]` of what it yields."""
    meter = [0]
    token = _METER.set(meter)
    try:
        yield meter
    finally:
        _METER.reset(token)


def check() -> None:
    """Raise DeadlineExceeded when the current document is past its deadline."""
    ends = _ENDS_AT.get()
    if ends is not None and time.monotonic() >= ends[0]:
        raise DeadlineExceeded(ends[1])


def bounded(seconds: float) -> float:
    """`seconds` (a timeout or a wait), cut to the time left; raises when none is left."""
    left = remaining()
    if left is None:
        return seconds
    if left <= 0:
        check()
    return min(seconds, left)
