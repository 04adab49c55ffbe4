"""The model call: one structured request through openai + instructor, cached and retried.

Layers, outermost first:
  cache lookup -> instructor (schema re-asks on ValidationError, bounded)
  -> transport retries (retry.py) -> openai.OpenAI over HTTP.
Usage is counted for every attempt that reached the model, failed ones included.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import instructor
import openai
from instructor.v2.core.patch import patch_v2
from pydantic import BaseModel, ValidationError

from extract import deadline
from extract.cache import ResultCache, make_key
from extract.config import Settings
from extract.prompting import Prompt
from extract.providers import Endpoint
from extract.retry import (
    Backoff,
    Cancelled,
    ExtractionError,
    MalformedResponse,
    SchemaError,
    TransportError,
    TruncatedOutput,
    call_with_transport_retries,
    check_completion,
)

log = logging.getLogger("extract.client")
T = TypeVar("T", bound=BaseModel)

@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: int = 0  # HTTP requests that got a completion back (re-asks included)
    transport_retries: int = 0

    def add(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.requests += other.requests
        self.transport_retries += other.transport_retries

    def as_dict(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
            "requests": self.requests,
            "transport_retries": self.transport_retries,
        }


@dataclass
class CallResult(Generic[T]):
    value: T
    cached: bool
    usage: Usage = field(default_factory=Usage)
    seconds: float = 0.0


# Wire forms of "constrain the answer to this JSON schema".
DIALECT_OPENAI = "json_schema"  # {"type": "json_schema", "json_schema": {"schema": ...}}
DIALECT_LLAMA = "json_object"  # {"type": "json_object", "schema": ...} (llama-cpp-python)
_CANARY_SCHEMA = {
    "type": "object",
    "properties": {"canary": {"type": "integer", "enum": [7]}},
    "required": ["canary"],
}


def _to_dialect(response_format: Any, dialect: str) -> Any:
    if dialect == DIALECT_LLAMA and isinstance(response_format, dict) and response_format.get("type") == "json_schema":
        return {"type": "json_object", "schema": response_format["json_schema"]["schema"]}
    return response_format


def _unwrap(exc: BaseException) -> BaseException:
    """instructor wraps what the create function raised; find our own error or the cause."""
    for seen in _chain(exc):
        if isinstance(seen, ExtractionError):
            return seen
    return exc


class ModelClient:
    """Structured calls against one endpoint; thread-safe for extract_many's workers."""

    def __init__(self, settings: Settings, endpoint: Endpoint, cache: ResultCache | None) -> None:
        self.settings = settings
        self.endpoint = endpoint
        self.cache = cache
        self._lock = threading.Lock()
        self._openai: openai.OpenAI | None = None
        self._mode: instructor.Mode | None = None
        self._dialect = DIALECT_OPENAI
        self._closed = threading.Event()

    # -- connection and mode -------------------------------------------------------------

    def _connect(self) -> openai.OpenAI:
        with self._lock:
            if self._openai is None:
                self.endpoint.ensure_ready()
                client = openai.OpenAI(
                    base_url=self.endpoint.base_url,
                    api_key=self.endpoint.api_key,
                    timeout=self.settings.timeout,
                    max_retries=0,  # transport retries are ours (retry.py), so they are counted and capped
                )
                try:
                    self._mode, self._dialect = self._choose_mode(client)
                except BaseException:
                    # The canary could not get through (endpoint down): this call fails, and
                    # the next one connects and probes again instead of finding half a state.
                    client.close()
                    raise
                self._openai = client
            return self._openai

    def _choose_mode(self, client: openai.OpenAI) -> tuple[instructor.Mode, str]:
        chosen = self.settings.mode
        if chosen == "tools":
            return instructor.Mode.TOOLS, DIALECT_OPENAI
        if chosen == "md_json":
            return instructor.Mode.MD_JSON, DIALECT_OPENAI
        if chosen in ("json_schema", "json_object"):
            dialect = DIALECT_OPENAI if chosen == "json_schema" else DIALECT_LLAMA
            if self.settings.canary and not self._canary(client, dialect):
                log.warning("endpoint ignores %s response_format: answers are not schema-constrained", chosen)
            return instructor.Mode.JSON_SCHEMA, dialect
        # auto: the embedded llama-cpp-python server speaks json_object+schema; try both forms
        order = [DIALECT_LLAMA, DIALECT_OPENAI] if self.endpoint.kind == "embedded" else [DIALECT_OPENAI, DIALECT_LLAMA]
        if not self.settings.canary:
            return instructor.Mode.JSON_SCHEMA, order[0]
        for dialect in order:
            if self._canary(client, dialect):
                return instructor.Mode.JSON_SCHEMA, dialect
        log.warning("endpoint constrains no JSON schema; falling back to prompting for JSON (md_json)")
        return instructor.Mode.MD_JSON, DIALECT_OPENAI

    def _canary(self, client: openai.OpenAI, dialect: str) -> bool:
        """Ask for a greeting under a schema that only admits {"canary": 7}: a server that
        really constrains output answers exactly that; one that ignores the schema does not."""
        response_format = _to_dialect(
            {"type": "json_schema", "json_schema": {"name": "Canary", "schema": _CANARY_SCHEMA}}, dialect
        )
        try:
            resp = call_with_transport_retries(
                lambda: check_completion(
                    client.chat.completions.create(
                        model=self.endpoint.model,
                        messages=[{"role": "user", "content": "Say hello in one word."}],
                        temperature=0,
                        max_tokens=16,
                        response_format=response_format,
                        timeout=deadline.bounded(self.settings.timeout),  # within the document's deadline too
                    )
                ),
                attempts=self.settings.transport_attempts,
                max_wait=self.settings.transport_max_wait,
                backoff=self._backoff(),
            )
            return bool(json.loads(resp.choices[0].message.content or "") == {"canary": 7})
        except TransportError as exc:
            # 400/422 is the server refusing this response_format (some reject json_schema
            # outright): not honoured, try the next form. Anything else (a wrong key, the
            # endpoint down after all retries) fails this call and is probed again next time.
            if isinstance(exc.cause, openai.APIStatusError) and exc.cause.status_code in (400, 422):
                return False
            raise
        except (ValueError, MalformedResponse):
            return False

    def _backoff(self) -> Backoff:
        return Backoff(self.settings.backoff_initial, self.settings.backoff_max)

    @property
    def mode_name(self) -> str:
        self._connect()
        assert self._mode is not None
        return f"{self._mode.value}/{self._dialect}"

    # -- the call ------------------------------------------------------------------------

    def cache_key(self, prompt: Prompt, schema_key: dict[str, str], messages: list[dict[str, str]], max_tokens: int) -> str:
        return make_key(
            endpoint=self.endpoint.identity,
            prompt=prompt.key,
            schema=schema_key,
            messages=messages,
            params={
                "temperature": self.settings.temperature,
                "max_tokens": max_tokens,
                "seed": self.settings.seed,
                "mode": self.settings.mode,
                "reasks": self.settings.reasks,
            },
        )

    def structured(
        self,
        *,
        prompt: Prompt,
        variables: dict[str, Any],
        response_model: type[T],
        schema_key: dict[str, str],
        max_tokens: int | None = None,
    ) -> CallResult[T]:
        started = time.perf_counter()
        budget = max_tokens or self.settings.max_tokens
        messages = prompt.render(**variables)
        key = self.cache_key(prompt, schema_key, messages, budget)
        if self.cache is not None and self.settings.use_cache and not self.settings.refresh:
            hit = self.cache.get(key)
            if hit is not None:
                try:
                    value = response_model.model_validate(hit["response"])
                    return CallResult(value, cached=True, seconds=time.perf_counter() - started)
                except ValidationError:
                    log.info("cached answer no longer validates; recomputing")
        usage = Usage()
        try:
            deadline.check()
            value = self._call_model(messages, response_model, budget, usage)
        except ExtractionError as exc:
            exc.usage = usage  # a failed call still cost tokens; callers that report cost need them
            raise
        if self.cache is not None and self.settings.use_cache:
            self.cache.set(key, {"response": value.model_dump(mode="json"), "usage": usage.as_dict()})
        return CallResult(value, cached=False, usage=usage, seconds=time.perf_counter() - started)

    def _call_model(self, messages: list[dict[str, str]], response_model: type[T], max_tokens: int, usage: Usage) -> T:
        client = self._connect()
        assert self._mode is not None

        restarted = False  # one restart of the embedded server per call

        def on_retry(exc: BaseException, attempt: int) -> None:
            nonlocal restarted
            if self._closed.is_set():
                raise Cancelled("extractor closed while a call was retrying") from exc
            deadline.check()  # a request cut short by the deadline is not retried
            usage.transport_retries += 1
            if isinstance(exc, openai.APIConnectionError) and self.endpoint.recover(allow_restart=not restarted):
                restarted = True
                client.base_url = self.endpoint.base_url  # a restarted embedded server has a new port

        def create(**kwargs: Any) -> Any:
            kwargs["response_format"] = _to_dialect(kwargs.get("response_format"), self._dialect)

            def once() -> Any:
                # The request gets what is left of the document's deadline, at most `timeout`.
                timeout = deadline.bounded(self.settings.timeout)
                resp = check_completion(client.chat.completions.create(**kwargs, timeout=timeout))
                usage.requests += 1
                if resp.usage is not None:
                    usage.prompt_tokens += resp.usage.prompt_tokens or 0
                    usage.completion_tokens += resp.usage.completion_tokens or 0
                if resp.choices[0].finish_reason == "length":
                    raise TruncatedOutput(kwargs.get("max_tokens"), resp.choices[0].message.content)
                return resp

            return call_with_transport_retries(
                once,
                attempts=self.settings.transport_attempts,
                max_wait=self.settings.transport_max_wait,
                on_retry=on_retry,
                backoff=self._backoff(),
            )

        patched = patch_v2(func=create, provider=instructor.Provider.OPENAI, mode=self._mode)
        extra: dict[str, Any] = {}
        if self.settings.seed is not None:
            extra["seed"] = self.settings.seed
        try:
            return patched(
                response_model=response_model,
                max_retries=self.settings.reasks,  # instructor: attempts = 1 + max_retries
                model=self.endpoint.model,
                messages=messages,
                temperature=self.settings.temperature,
                max_tokens=max_tokens,
                **extra,
            )
        except Exception as exc:  # instructor wraps everything; say what really happened
            cause = _unwrap(exc)
            if isinstance(cause, ExtractionError):
                raise cause from None
            errors = [e for e in _chain(exc) if isinstance(e, ValidationError)]
            if errors:
                first = errors[-1].errors()[0]
                where = ".".join(str(p) for p in first.get("loc", ()))
                where = f"{where}: " if where else ""
                raise SchemaError(
                    f"answer failed validation after {self.settings.reasks + 1} attempt(s): {where}{first.get('msg')}"
                ) from None
            raise SchemaError(f"model answer unusable: {type(cause).__name__}: {str(cause)[:200]}") from None

    def close(self) -> None:
        self._closed.set()
        if self._openai is not None:
            self._openai.close()
        self.endpoint.close()


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        failed = getattr(seen, "failed_attempts", None)
        if failed:
            for attempt in failed:
                if getattr(attempt, "exception", None) is not None:
                    yield attempt.exception
        seen = seen.__cause__ or seen.__context__
