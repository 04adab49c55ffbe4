"""Bounded concurrency towards the model: a fixed set of worker threads and an admission count.

Every extraction, from a request or a job, runs on the same `concurrency` threads, so the
model never sees more than that many calls at once. Requests are admitted while fewer than
`concurrency + queue_size` are running or waiting; beyond that they are turned away at once
(the API answers 429 with Retry-After) instead of piling up. Jobs bound themselves (the job
runner keeps at most `concurrency` documents submitted), so they never fill the queue.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

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


class _Workers:
    """A fixed set of daemon worker threads. (ThreadPoolExecutor joins its workers at exit, so
    a stopping service would wait out a minutes-long model call; an unfinished job document
    is simply redone after a restart, so abandoning it is safe.)"""

    def __init__(self, count: int) -> None:
        self._tasks: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = queue.SimpleQueue()
        self._closed = False
        for i in range(count):
            threading.Thread(target=self._work, name=f"extract-model-{i}", daemon=True).start()
        self._count = count

    def _work(self) -> None:
        while (task := self._tasks.get()) is not None:
            future, fn = task
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn())
            except BaseException as exc:  # handed to the caller through the future
                future.set_exception(exc)

    def submit(self, fn: Callable[[], Any]) -> Future[Any]:
        if self._closed:
            raise RuntimeError("the worker pool is closed")
        future: Future[Any] = Future()
        self._tasks.put((future, fn))
        return future

    def shutdown(self) -> None:
        """Cancel what has not started; workers end after their current call. Never waits."""
        self._closed = True
        while True:
            try:
                task = self._tasks.get_nowait()
            except queue.Empty:
                break
            if task is not None:
                task[0].cancel()
        for _ in range(self._count):
            self._tasks.put(None)


class ModelPool:
    def __init__(self, concurrency: int, queue_size: int, retry_after: int = 1) -> None:
        self.concurrency = concurrency
        self.capacity = concurrency + queue_size
        self.retry_after = retry_after
        self._executor = _Workers(concurrency)
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
