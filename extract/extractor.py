"""The Python API: `Extractor().extract(text)` -> a validated, grounded report plus metadata.

    from extract import Extractor
    with Extractor() as ex:                      # embedded llama.cpp model
        result = ex.extract(text)
    result.report.metrics[0].value, result.usage, result.cached

`Extractor(base_url="http://host:8000/v1", model="qwen2.5")` uses any OpenAI-compatible
endpoint instead. The flow is one-way: document -> strategy (prompt -> model -> validated
object) -> resolver (grounding) -> result.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from extract import deadline
from extract.cache import PIPELINE_VERSION, ResultCache
from extract.client import ModelClient
from extract.config import Settings, load_settings
from extract.providers import endpoint_for
from extract.resolver import Dropped, resolve
from extract.retry import ExtractionError
from extract.schema_api import Scoring
from extract.schemas import get_schema
from extract.strategies import get_strategy
from extract.workers import DaemonPool

log = logging.getLogger("extract.extractor")


@dataclass
class ExtractionResult:
    report: BaseModel
    schema: str
    schema_version: str
    strategy: str
    model: str
    prompts: dict[str, str]
    usage: dict[str, int]
    cached: bool  # every model call was served from the cache
    calls: int
    seconds: float
    dropped: list[Dropped] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)  # the schema's options in force

    def meta(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "schema_version": self.schema_version,
            "strategy": self.strategy,
            "model": self.model,
            "prompts": self.prompts,
            "options": self.options,
            "pipeline_version": PIPELINE_VERSION,
            "usage": self.usage,
            "cached": self.cached,
            "calls": self.calls,
            "seconds": round(self.seconds, 3),
            "dropped": [{"reason": d.reason, "entry": json_safe(d.entry)} for d in self.dropped],
        }


def json_safe(value: Any) -> Any:
    """`value` with non-finite floats as strings ("inf", "nan"): a dropped entry may hold what
    a model answered, and json.dumps would write it as Infinity, which is not JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


class InternalError(ExtractionError):
    """An unexpected exception while extracting one document (a bug, not bad input)."""

    reason = "internal_error"


def document_error(doc_id: str, exc: Exception) -> ExtractionError | ValueError:
    """What one document's failure is recorded as. A bug met on one odd document (in the rules,
    a parser, a library) must not cost the rest of an unattended batch: it becomes that
    document's InternalError, logged with its traceback."""
    if isinstance(exc, ExtractionError | ValueError):
        return exc
    log.error("document %s: internal error: %s: %s", doc_id, type(exc).__name__, exc)
    log.info("document %s: traceback", doc_id, exc_info=exc)
    return InternalError(f"internal error: {type(exc).__name__}: {exc}")


class Extractor:
    """One endpoint, one cache, any number of documents. Close it (or use `with`) to stop
    the embedded server."""

    def __init__(
        self,
        base_url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        *,
        strategy: str | None = None,
        model_path: str | None = None,
        settings: Settings | None = None,
        **overrides: Any,
    ) -> None:
        self.settings = settings or load_settings(
            base_url=base_url, model=model, api_key=api_key, strategy=strategy, **overrides
        )
        self._cache = ResultCache(self.settings.cache_dir) if self.settings.use_cache else None
        self.client = ModelClient(self.settings, endpoint_for(self.settings, model_path), self._cache)

    def extract(self, text: str, schema: str | None = None, strategy: str | None = None) -> ExtractionResult:
        """Extract one document with `schema` (default: the registry's DEFAULT_SCHEMA)."""
        if not isinstance(text, str) or not text.strip():
            raise ValueError("document is empty")
        info = get_schema(schema)
        options = info.resolve_options(self.settings.option_map)  # a bad option fails before any work
        name = strategy or self.settings.strategy
        started = time.perf_counter()
        with deadline.limit(self.settings.deadline or None):  # past it: DeadlineExceeded, reason "deadline"
            out = get_strategy(name)(self.client, info, text)
            resolution = resolve(out.report, text, info.scoring or Scoring(lists=()))
            reviewed = info.review(resolution.report, text) if info.review else resolution.report
        report = info.model.model_validate(reviewed)
        return ExtractionResult(
            report=report,
            schema=info.name,
            schema_version=info.version,
            strategy=name,
            model=self.settings.model,
            prompts=out.prompts,
            usage=out.usage.as_dict(),
            cached=out.calls > 0 and out.calls == out.cached_calls,
            calls=out.calls,
            seconds=time.perf_counter() - started,
            dropped=[*out.dropped, *resolution.dropped],
            options=options,
        )

    def extract_many(
        self,
        documents: Iterable[tuple[str, str]],
        schema: str | None = None,
        strategy: str | None = None,
        concurrency: int | None = None,
        on_start: Callable[[str], None] | None = None,
    ) -> Iterator[tuple[str, ExtractionResult | ExtractionError | ValueError]]:
        """Yield (id, result or error) as documents finish, at most `concurrency` in flight.
        Errors are yielded, not raised, so one bad document never stops the rest."""
        limit = concurrency or self.settings.concurrency
        pending: dict[Future[ExtractionResult], str] = {}
        items = iter(documents)
        pool = DaemonPool(limit)
        try:
            exhausted = False
            while pending or not exhausted:
                while not exhausted and len(pending) < limit:
                    try:
                        doc_id, text = next(items)
                    except StopIteration:
                        exhausted = True
                        break
                    if on_start:
                        on_start(doc_id)
                    pending[pool.submit(self.extract, text, schema, strategy)] = doc_id
                if not pending:
                    break
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    doc_id = pending.pop(fut)
                    exc = fut.exception()
                    if exc is None:
                        yield doc_id, fut.result()
                    elif isinstance(exc, Exception):
                        yield doc_id, document_error(doc_id, exc)
                    else:
                        raise exc
        finally:
            # On Ctrl-C or an early break, do not wait for in-flight calls: closing the
            # client makes them fail fast, queued documents never start, and the workers are
            # daemon threads, so the process can exit without waiting out a slow request.
            pool.shutdown()

    async def aextract(self, text: str, schema: str | None = None, strategy: str | None = None) -> ExtractionResult:
        return await asyncio.to_thread(self.extract, text, schema, strategy)

    def close(self) -> None:
        self.client.close()
        if self._cache is not None:
            self._cache.close()

    def __enter__(self) -> Extractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
