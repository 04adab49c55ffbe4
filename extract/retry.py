"""Transport retries: the layer under schema re-asks, for faults of the wire, not of the answer.

Retried with exponential backoff and jitter (or the server's Retry-After), capped in
attempts and in total time: 429, 5xx, timeouts, connection errors, and bodies that are
not a chat completion at all (HTML, cut-off JSON, empty choices). Never retried here:
4xx other than 429 (our request is wrong) and `finish_reason == "length"` (the answer is
too long for its budget; the strategy decides what to do about it).
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import openai
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, stop_after_delay

if TYPE_CHECKING:
    from extract.client import Usage

log = logging.getLogger("extract.retry")
T = TypeVar("T")

MAX_RETRY_AFTER = 60.0  # seconds; a server asking for longer gets the cap, not a night's sleep


class ExtractionError(RuntimeError):
    """Base for the errors a caller can act on; `reason` is a short machine-readable cause."""

    reason = "error"
    usage: Usage | None = None  # what the failed call cost (tokens, requests), set by the client


class TransportError(ExtractionError):
    """The endpoint kept failing; names the last cause and how many attempts were made."""

    reason = "transport"

    def __init__(self, cause: BaseException, attempts: int) -> None:
        self.cause = cause
        self.attempts = attempts
        super().__init__(f"model endpoint failed after {attempts} attempt(s): {describe(cause)}")


class MalformedResponse(ExtractionError):
    """A 200 whose body is not a usable chat completion (HTML, empty choices, bad JSON)."""

    reason = "malformed_response"


class TruncatedOutput(ExtractionError):
    """The model hit max_tokens; retrying the same request would truncate again."""

    reason = "truncated"

    def __init__(self, max_tokens: int | None, partial: str | None = None) -> None:
        self.max_tokens = max_tokens
        self.partial = partial  # the answer as far as it got, for a caller that can use part of it
        super().__init__(f"model output was cut off at max_tokens={max_tokens}")


class Cancelled(ExtractionError):
    """The extractor was closed (Ctrl-C, shutdown) while this call was in flight."""

    reason = "cancelled"


class SchemaError(ExtractionError):
    """The answer still failed validation after all re-asks."""

    reason = "schema"


def describe(exc: BaseException) -> str:
    """One line naming the fault, without request bodies, headers or keys."""
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code} ({type(exc).__name__})"
    if isinstance(exc, openai.APITimeoutError):
        return "request timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "connection failed"
    if isinstance(exc, json.JSONDecodeError):
        return "response body is not valid JSON"
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500 or exc.status_code == 408
    return isinstance(exc, openai.APIConnectionError | json.JSONDecodeError | MalformedResponse)


def retry_after_seconds(exc: BaseException | None) -> float | None:
    if not isinstance(exc, openai.APIStatusError):
        return None
    headers = exc.response.headers
    try:
        if "retry-after-ms" in headers:
            return min(float(headers["retry-after-ms"]) / 1000.0, MAX_RETRY_AFTER)
        if "retry-after" in headers:
            return min(max(float(headers["retry-after"]), 0.0), MAX_RETRY_AFTER)
    except ValueError:  # an HTTP date: rare from model servers; fall back to backoff
        return None
    return None


@dataclass
class Backoff:
    initial: float = 0.5
    maximum: float = 20.0

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        told = retry_after_seconds(exc)
        if told is not None:
            return told
        ceiling = min(self.maximum, self.initial * 2 ** (state.attempt_number - 1))
        return random.uniform(ceiling / 2, ceiling)  # "equal jitter": spread, never zero


def call_with_transport_retries(
    fn: Callable[[], T],
    *,
    attempts: int,
    max_wait: float,
    on_retry: Callable[[BaseException, int], None] | None = None,
    backoff: Backoff | None = None,
) -> T:
    """Run `fn`, retrying transient faults; raise TransportError when the cap is reached."""

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        if exc is not None:
            log.warning("attempt %d failed: %s; retrying", state.attempt_number, describe(exc))
            if on_retry:
                on_retry(exc, state.attempt_number)

    from extract import deadline  # here, not at the top: deadline.py imports this module

    wait = backoff or Backoff()
    retrying = Retrying(
        retry=retry_if_exception(is_transient),
        stop=stop_after_attempt(attempts) | stop_after_delay(deadline.bounded(max_wait)),
        wait=lambda state: deadline.bounded(wait(state)),  # never sleep past the document's deadline
        before_sleep=before_sleep,
        reraise=True,
    )
    last_attempt = 0
    try:
        for attempt in retrying:
            last_attempt = attempt.retry_state.attempt_number
            with attempt:
                return fn()
    except Exception as exc:
        if is_transient(exc):
            deadline.check()  # a request cut short by the document's deadline: that is the cause
        if is_transient(exc) or isinstance(exc, openai.APIError):  # a 4xx is final: say so, typed
            raise TransportError(exc, last_attempt) from exc
        raise
    raise AssertionError("unreachable")  # pragma: no cover


def check_completion(response: Any) -> Any:
    """Reject 200 answers that are not a usable chat completion, so they are retried."""
    if isinstance(response, str | bytes) or not hasattr(response, "choices"):
        head = (response[:2000] if isinstance(response, str | bytes) else b"").lower()
        head = head.decode("utf-8", "replace") if isinstance(head, bytes) else head
        if "<html" in head or "<!doctype html" in head or "<body" in head:
            raise MalformedResponse("endpoint answered 200 with an HTML page, not a chat completion")
        raise MalformedResponse("endpoint answered 200 with a body that is not a chat completion")
    if not response.choices:
        raise MalformedResponse("endpoint answered with an empty choices list")
    return response
