"""The warm process behind the API: one Extractor (model endpoint, cache), the model pool,
the jobs store and its runner, metrics. The HTTP layer (app.py) only translates.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import replace
from typing import Any

from extract.client import ModelClient
from extract.config import Settings
from extract.extractor import ExtractionResult, Extractor
from extract.retry import Cancelled, ExtractionError
from extract.server.config import ServiceConfig
from extract.server.jobs import JobRunner, JobStore, Outcome, PendingDocument
from extract.server.metrics import Metrics
from extract.server.pool import ModelPool, Timed

log = logging.getLogger("extract.server")

READY_CACHE_SECONDS = 2.0  # probes of a remote endpoint are reused this long


def error_info(exc: BaseException) -> dict[str, str]:
    """The error object of an API answer or a job document: a code and one line, no secrets
    (ExtractionError messages name causes, never request bodies, headers or keys)."""
    if isinstance(exc, ExtractionError):
        return {"code": exc.reason, "message": str(exc)}
    return {"code": "invalid_document", "message": str(exc)}


def response_meta(result: ExtractionResult, timed: Timed | None) -> dict[str, Any]:
    meta = result.meta()
    if timed is not None:
        meta["timings"] = {
            "queue_seconds": round(timed.queued, 4),
            "extract_seconds": round(timed.ran, 4),
        }
    return meta


class Service:
    def __init__(
        self,
        settings: Settings,
        config: ServiceConfig | None = None,
        *,
        model_path: str | None = None,
        extractor: Extractor | None = None,
    ) -> None:
        self.settings = settings
        self.config = config or ServiceConfig()
        self.metrics = Metrics()
        self.jobs = JobStore(self.config.jobs_path(settings))
        try:
            self.extractor = extractor or Extractor(settings=settings, model_path=model_path)
        except BaseException:
            self.jobs.close()
            raise
        self.pool = ModelPool(settings.concurrency, self.config.queue_size, self.config.retry_after)
        self.runner = JobRunner(self.jobs, self.pool, self._process_document, settings.concurrency, self._document_finished)
        self.metrics.bind(lambda: self.pool.admitted, lambda: self.pool.running, self.jobs.document_counts)
        self._variants: dict[tuple[bool, bool], Extractor] = {}
        self._variants_lock = threading.Lock()
        self._warm_error: str | None = None
        self._warming = False
        self._ready_probe: tuple[float, bool, str] | None = None
        self._closing = False
        self._started = False

    # -- life ----------------------------------------------------------------------------

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        self.runner.start()  # resumes unfinished jobs from the store
        if self.config.warm:
            self._warming = True
            threading.Thread(target=self._warm, name="extract-warm", daemon=True).start()

    def _warm(self) -> None:
        try:
            self.extractor.client.endpoint.ensure_ready()  # the embedded server loads its model now
        except Exception as exc:  # noqa: BLE001 - reported by /readyz; requests retry the start
            self._warm_error = str(exc)
            log.error("model endpoint not ready: %s", exc)
        finally:
            self._warming = False

    def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        self.runner.stop()
        for variant in self._variants.values():
            variant.client.close()  # in-flight retries end as Cancelled (the endpoint is shared and closed below anyway)
        self.extractor.close()  # in-flight calls fail fast (Cancelled); stops the embedded server
        self.pool.close()
        self.jobs.close()

    # -- extraction ----------------------------------------------------------------------

    def extractor_for(self, options: dict[str, Any]) -> Extractor:
        """The extractor for per-request options (cache, refresh): a variant that shares the
        endpoint (one embedded server) and the cache of the main one."""
        use_cache = bool(options.get("cache", True)) and self.settings.use_cache
        refresh = bool(options.get("refresh", False)) or self.settings.refresh
        key = (use_cache, refresh)
        if key == (self.settings.use_cache, self.settings.refresh):
            return self.extractor
        with self._variants_lock:
            variant = self._variants.get(key)
            if variant is None:
                base = self.extractor
                settings = replace(base.settings, use_cache=use_cache, refresh=refresh)
                variant = copy.copy(base)
                variant.settings = settings
                variant.client = ModelClient(settings, base.client.endpoint, base.client.cache)
                self._variants[key] = variant
        return variant

    def _process_document(self, doc: PendingDocument) -> Outcome | None:
        """Run on a model worker; returns None to leave the document pending (shutting down)."""
        if self._closing:
            return None
        try:
            result = self.extractor_for(doc.options).extract(doc.text, doc.schema, doc.strategy)
        except Cancelled:
            return None
        except (ExtractionError, ValueError) as exc:
            if self._closing:
                return None
            return (False, None, None, error_info(exc))
        return (True, result.report.model_dump(mode="json"), result.meta(), None)

    def _document_finished(self, doc: PendingDocument, outcome: Outcome, timed: Timed | None) -> None:
        ok, _report, meta, error = outcome
        if ok:
            self.metrics.observe_result(
                "job", meta["usage"], meta["cached"], meta["calls"], timed.queued if timed else 0.0, timed.ran if timed else 0.0
            )
        else:
            self.metrics.observe_error("job", error["code"])

    # -- readiness -----------------------------------------------------------------------

    def readiness(self) -> tuple[bool, dict[str, Any]]:
        endpoint = self.extractor.client.endpoint
        info: dict[str, Any] = {
            "endpoint": self.settings.public_base_url(),
            "model": self.settings.model,
            "jobs_runner": "running" if self.runner.alive else "stopped",
        }
        if self._closing:
            return False, {**info, "ready": False, "detail": "shutting down"}
        if not self.runner.alive:
            return False, {**info, "ready": False, "detail": "the job runner is not running"}
        if endpoint.kind == "embedded":
            healthy = getattr(endpoint, "healthy", None)  # EmbeddedServer's, not part of the Endpoint protocol
            up = bool(healthy and healthy(timeout=2.0))
            if up:
                detail = "embedded llama.cpp server is up, model loaded"
            elif self._warming:
                detail = "embedded llama.cpp server is starting"
            elif self._warm_error:
                detail = f"embedded llama.cpp server failed to start: {self._warm_error}"
            else:
                detail = "embedded llama.cpp server is not running (it starts on the first request that misses the cache)"
        else:
            up, detail = self._probe_remote(endpoint.base_url, endpoint.api_key)
        return up, {**info, "ready": up, "detail": detail}

    def _probe_remote(self, base_url: str, api_key: str) -> tuple[bool, str]:
        now = time.monotonic()
        if self._ready_probe and now - self._ready_probe[0] < READY_CACHE_SECONDS:
            return self._ready_probe[1], self._ready_probe[2]
        request = urllib.request.Request(base_url.rstrip("/") + "/models", headers={"Authorization": f"Bearer {api_key}"})
        try:
            with urllib.request.urlopen(request, timeout=3.0) as resp:
                up, detail = resp.status == 200, f"model endpoint answered HTTP {resp.status}"
        except urllib.error.HTTPError as exc:
            # 404: a server without /models is still up; 401/403: our key would fail every call.
            up, detail = exc.code == 404, f"model endpoint answered HTTP {exc.code}"
        except OSError as exc:
            reason = getattr(exc, "reason", exc)
            up, detail = False, f"model endpoint unreachable: {type(reason).__name__}"
        self._ready_probe = (now, up, detail)
        return up, detail
