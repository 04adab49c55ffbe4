"""Bounded concurrency towards the model: a fixed set of worker threads and an admission count.

Every extraction, from a request or a job, runs on the same `concurrency` threads, so the
model never sees more than that many calls at once. Requests are admitted while fewer than
`concurrency + queue_size` are running or waiting; beyond that they are turned away at once
(the API answers 429 with Retry-After) instead of piling up. Jobs bound themselves (the job
runner keeps at most `concurrency` documents submitted), so they never fill the queue.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

from extract.workers import DaemonPool

T = TypeVar("T")


class Overloaded(Exception):
    """No room in the queue; the caller should come back after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"the service is at capacity; retry after {retry_after} s")


@dataclass
class Timed:
    value: Any
    queued: float  # seconds between admission and a worker picking the call up
    ran: float  # seconds the call itself took


class ModelPool:
    def __init__(self, concurrency: int, queue_size: int, retry_after: int = 1) -> None:
        self.concurrency = concurrency
        self.capacity = concurrency + queue_size
        self.retry_after = retry_after
        self._executor = DaemonPool(concurrency, name="extract-model")
        self._lock = threading.Lock()
        self._admitted = 0  # requests running or waiting
        self._running = 0  # calls (requests and job documents) on a worker right now
        self._closed = False

    @property
    def admitted(self) -> int:
        return self._admitted

    @property
    def running(self) -> int:
        return self._running

    def _wrap(self, fn: Callable[..., T], args: tuple[Any, ...]) -> Callable[[], Timed]:
        submitted = time.perf_counter()

        def call() -> Timed:
            started = time.perf_counter()
            with self._lock:
                self._running += 1
            try:
                value = fn(*args)
            finally:
                with self._lock:
                    self._running -= 1
            return Timed(value, started - submitted, time.perf_counter() - started)

        return call

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[Timed]:
        """Run without admission control (the job runner bounds itself)."""
        return self._executor.submit(self._wrap(fn, args))  # type: ignore[no-any-return]

    async def run(self, fn: Callable[..., T], *args: Any) -> Timed:
        """Run a request's call, or raise Overloaded when running + waiting is at capacity."""
        with self._lock:
            if self._closed or self._admitted >= self.capacity:
                raise Overloaded(self.retry_after)
            self._admitted += 1
        try:
            future = self._executor.submit(self._wrap(fn, args))
        except RuntimeError:  # shut down between the check and the submit
            self._release(None)
            raise Overloaded(self.retry_after) from None
        future.add_done_callback(self._release)  # counts until the call ends, even if the client left
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            future.cancel()  # the client hung up: a call still waiting never reaches the model
            raise

    def _release(self, _: object) -> None:
        with self._lock:
            self._admitted -= 1

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._executor.shutdown()
