"""The HTTP API (FastAPI): `create_app(settings, config)`; run it with `extract serve`.

    POST /v1/extract      {text, schema, strategy?, options?} -> {report, meta}
    POST /v1/jobs         {documents: [{id, text}], schema?, strategy?, options?} -> 202 job
    GET  /v1/jobs/{id}    progress and per-document results or errors
    GET  /v1/schemas      names, versions, JSON schemas
    GET  /healthz         the process answers
    GET  /readyz          the model endpoint answers (503 until it does)
    GET  /metrics         Prometheus text format

Every error is JSON: {"error": {"code", "message", "details"?}}. Limits (body size, document
length, documents per job) are in the OpenAPI document where JSON Schema can say them.
"""

# No `from __future__ import annotations` here: FastAPI reads the route signatures at run time,
# and the request models are built per config inside create_app.
import base64
import binascii
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from extract import __version__
from extract.config import Settings, load_settings
from extract.documents import DocumentError, text_of_file
from extract.retry import ExtractionError
from extract.schemas import DEFAULT_SCHEMA, registry
from extract.server import pages
from extract.server.config import ServiceConfig
from extract.server.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from extract.server.pool import Overloaded
from extract.server.service import Service, error_info, response_meta
from extract.strategies import STRATEGY_NAMES

log = logging.getLogger("extract.server")

OPEN_PATHS = frozenset({"/", "/healthz", "/readyz", "/openapi.json", "/docs", "/docs/oauth2-redirect"})
OPEN_PREFIXES = ("/static/",)  # the page's and the API docs' own assets: no secrets, no model calls
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
MAX_OFFSET = 1_000_000_000  # SQLite integers are 64-bit; a job never has this many documents
# Padded base64 in groups of four: fixed-width groups, so the match is linear.
BASE64 = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
UNAVAILABLE_REASONS = frozenset({"cancelled", "embedded_server"})  # 503: the model is not there; else 502


# --------------------------------------------------------------------------- errors


def error_response(
    status: int, code: str, message: str, details: list[Any] | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return JSONResponse({"error": error}, status_code=status, headers=headers)


async def _send_error(send: Send, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable cause, e.g. unknown_schema, document_too_long, overloaded, transport")
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        400: "Malformed JSON or a body that is not a JSON object",
        401: "Missing or wrong API key",
        404: "No such job",
        413: "Request body larger than the limit",
        415: "Body is not application/json",
        422: "Invalid request: unknown schema or strategy, document too long, too many documents, ...",
        429: "Too many requests waiting for the model; retry after the Retry-After seconds",
        502: "The model endpoint failed (transport, malformed or invalid answers after retries)",
        503: "The model endpoint is unavailable or the service is shutting down",
    }
    out: dict[int | str, dict[str, Any]] = {c: {"model": ErrorBody, "description": text[c]} for c in codes}
    if 429 in out:
        out[429]["headers"] = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}
    return out


# --------------------------------------------------------------------------- middleware


class BodyLimit:
    """413 before parsing for bodies over the limit, whether announced (Content-Length) or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        too_large = f"request body is larger than {self.max_bytes} bytes"
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    announced = int(value)
                except ValueError:
                    await _send_error(send, 400, "invalid_body", "Content-Length is not a number")
                    return
                if announced > self.max_bytes:
                    await _send_error(send, 413, "body_too_large", too_large, {"Connection": "close"})
                    return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await _send_error(send, 413, "body_too_large", too_large, {"Connection": "close"})
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class ApiKeyAuth:
    """When keys are configured: every route but the open ones wants `Authorization: Bearer KEY`
    or `X-API-Key: KEY`. Compared in constant time; keys never reach logs or answers."""

    def __init__(self, app: ASGIApp, keys: tuple[str, ...]) -> None:
        self.app = app
        self._keys = [k.encode() for k in keys]

    def _valid(self, given: bytes) -> bool:
        matched = False
        for key in self._keys:  # no early exit: the time does not depend on which key matched
            matched |= hmac.compare_digest(given, key)
        return matched

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not self._keys or path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
            await self.app(scope, receive, send)
            return
        given: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"authorization" and value[:7].lower() == b"bearer ":
                given = value[7:].strip()
            elif name == b"x-api-key" and given is None:
                given = value.strip()
        if given is None or not self._valid(given):
            await _send_error(
                send, 401, "unauthorized", "missing or wrong API key: send Authorization: Bearer KEY or X-API-Key: KEY",
                {"WWW-Authenticate": "Bearer"},
            )  # fmt: skip
            return
        await self.app(scope, receive, send)


class RequestMetrics:
    """Counts every answer by route template and status, and times it (outermost middleware)."""

    def __init__(self, app: ASGIApp, fastapi_app: FastAPI) -> None:
        self.app = app
        self.fastapi_app = fastapi_app

    def _route(self, scope: Scope) -> str:
        route = scope.get("route")
        if route is not None and hasattr(route, "path"):
            return str(route.path)
        for candidate in self.fastapi_app.router.routes:  # rejected before routing (401, 413)
            match, _ = candidate.matches(scope)
            if match != Match.NONE:
                return str(getattr(candidate, "path", "unmatched"))
        return "unmatched"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            service: Service | None = getattr(self.fastapi_app.state, "service", None)
            if service is not None:
                route = self._route(scope)
                method = scope["method"] if scope["method"] in KNOWN_METHODS else "OTHER"  # labels stay bounded
                service.metrics.requests.labels(route, method, str(status)).inc()
                service.metrics.latency.labels(route, method).observe(time.perf_counter() - started)


# --------------------------------------------------------------------------- models


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    requests: int = Field(description="HTTP requests that reached the model (re-asks included)")
    transport_retries: int


class DroppedEntry(BaseModel):
    reason: str
    entry: dict[str, Any]


class Timings(BaseModel):
    queue_seconds: float = Field(description="Waiting for a model worker")
    extract_seconds: float = Field(description="On the worker: pipeline and model calls")


class Meta(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    schema_: str = Field(alias="schema")
    schema_version: str
    strategy: str
    model: str
    prompts: dict[str, str] = Field(description="Prompt id -> version")
    pipeline_version: str
    usage: Usage
    cached: bool = Field(description="Every model call was served from the cache")
    calls: int = Field(description="Model calls the strategy made (cached ones included)")
    seconds: float
    dropped: list[DroppedEntry] = Field(description="Entries removed by the grounding gate, with the reason")
    timings: Timings | None = None


class ExtractResponse(BaseModel):
    report: dict[str, Any] = Field(description="The validated report; its JSON schema is in GET /v1/schemas")
    meta: Meta


class SchemaOut(BaseModel):
    name: str
    version: str
    hash: str = Field(description="Hash of the JSON schema; part of the cache key")
    json_schema: dict[str, Any]


class SchemasResponse(BaseModel):
    schemas: list[SchemaOut]
    strategies: list[str]


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    ready: bool
    detail: str
    endpoint: str
    model: str
    jobs_runner: str


class JobDocument(BaseModel):
    id: str
    status: Literal["pending", "ok", "failed"]
    attempts: int = Field(description="Times processing started (more than 1 only after a restart mid-document)")
    report: dict[str, Any] | None = None
    meta: Meta | None = None
    error: ErrorDetail | None = None


class JobDocumentFull(JobDocument):
    index: int = Field(description="Position in the job (0-based)")
    text: str = Field(description="The document as submitted")


class ReadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=300, description="File name; .html/.htm pages are reduced to their visible text")
    data_base64: str = Field(
        min_length=4, pattern=BASE64, description="The file's bytes, base64 (padded); any common text encoding"
    )


class ReadResponse(BaseModel):
    text: str


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cache: StrictBool = Field(default=True, description="Read and write the result cache")
    refresh: StrictBool = Field(default=False, description="Ignore cached answers and store fresh ones")


class Job(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    id: str
    status: Literal["queued", "running", "done"]
    schema_: str = Field(alias="schema")
    strategy: str
    options: Options
    created_at: float
    finished_at: float | None
    total: int
    done: int
    ok: int
    failed: int
    pending: int
    offset: int = Field(description="Index of the first document listed")
    documents: list[JobDocument]


def _request_models(config: ServiceConfig) -> tuple[type[BaseModel], type[BaseModel]]:
    names = tuple(sorted(registry()))
    SchemaName = Literal[names]  # type: ignore[valid-type]
    StrategyName = Literal[STRATEGY_NAMES]  # type: ignore[valid-type]
    Text = Annotated[
        str,
        Field(
            min_length=1, max_length=config.max_document_chars, pattern=r"\S",
            description=f"The document (plain text), at most {config.max_document_chars} characters",
        ),
    ]  # fmt: skip

    class ExtractRequest(BaseModel):
        model_config = ConfigDict(extra="forbid", populate_by_name=True)
        text: Text
        schema_: SchemaName = Field(  # type: ignore[assignment]
            DEFAULT_SCHEMA, alias="schema", description="See GET /v1/schemas; default: the CLI's default schema"
        )
        strategy: StrategyName | None = Field(default=None, description="Default: the service's (grounded unless configured)")
        options: Options = Options()

    class JobDocumentIn(BaseModel):
        model_config = ConfigDict(extra="forbid")
        id: str = Field(min_length=1, max_length=config.max_id_chars, description="Unique within the job")
        text: Text

    class JobRequest(BaseModel):
        model_config = ConfigDict(extra="forbid", populate_by_name=True)
        documents: list[JobDocumentIn] = Field(
            min_length=1, max_length=config.max_documents, description=f"At most {config.max_documents}; ids unique"
        )
        schema_: SchemaName = Field(  # type: ignore[assignment]
            DEFAULT_SCHEMA, alias="schema", description="See GET /v1/schemas; default: the CLI's default schema"
        )
        strategy: StrategyName | None = None
        options: Options = Options()

    return ExtractRequest, JobRequest


# --------------------------------------------------------------------------- the app


def _validation_error(request: Request, exc: RequestValidationError, config: ServiceConfig) -> JSONResponse:
    errors = exc.errors()
    details = [
        {"loc": list(e.get("loc", ())), "type": e.get("type"), "msg": e.get("msg")} for e in errors
    ]  # no "input": never echo documents
    first = errors[0] if errors else {}
    kind, loc = first.get("type"), tuple(first.get("loc", ()))
    if kind == "json_invalid":
        ctx = first.get("ctx") or {}
        where = f" at character {loc[1]}" if len(loc) > 1 else ""
        return error_response(400, "malformed_json", f"request body is not valid JSON: {ctx.get('error', 'decode error')}{where}")
    if loc == ("body",) and kind in ("model_attributes_type", "dict_type", "missing"):
        ctype = request.headers.get("content-type", "")
        if kind != "missing" and "json" not in ctype.lower():
            return error_response(415, "unsupported_media_type", "send the body as JSON with Content-Type: application/json")
        return error_response(400, "invalid_body", "request body must be a JSON object")
    field = loc[-1] if loc else None
    value = str(first.get("input"))[:80] if isinstance(first.get("input"), str) else None
    if loc[:2] == ("body", "schema") and kind == "literal_error":
        return error_response(422, "unknown_schema", f"unknown schema {value!r}; known: {', '.join(sorted(registry()))}", details)
    if loc[:2] == ("body", "strategy") and kind == "literal_error":
        return error_response(422, "unknown_strategy", f"unknown strategy {value!r}; known: {', '.join(STRATEGY_NAMES)}", details)
    if field == "text" and kind == "string_too_long":
        which = f"document {loc[2]}: " if len(loc) > 3 else ""
        return error_response(
            422, "document_too_long", f"{which}text is longer than {config.max_document_chars} characters", details
        )
    if field == "text" and kind in ("string_pattern_mismatch", "string_too_short"):
        return error_response(422, "empty_document", "document text is empty or only whitespace", details)
    if loc == ("body", "documents") and kind == "too_long":
        return error_response(422, "too_many_documents", f"a job takes at most {config.max_documents} documents", details)
    return error_response(
        422, "invalid_request", "; ".join(f"{'.'.join(map(str, d['loc']))}: {d['msg']}" for d in details[:5]), details
    )


def create_app(
    settings: Settings | None = None,
    config: ServiceConfig | None = None,
    *,
    service: Service | None = None,
    model_path: str | None = None,
) -> FastAPI:
    """The API. With `service`, serves that one (already built, e.g. by `extract serve`);
    otherwise builds a Service from `settings` and `config` when the app starts (lifespan)."""
    if service is not None:
        settings, config = service.settings, service.config
    config = config or ServiceConfig()
    ExtractRequest, JobRequest = _request_models(config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc = app.state.service
        if svc is None:
            svc = Service(settings or load_settings(), config, model_path=model_path)
            app.state.service = svc
        svc.start()
        try:
            yield
        finally:
            svc.close()

    app = FastAPI(
        title="extract",
        version=__version__,
        summary="Grounded, schema-validated extraction of structured facts from documents.",
        description=(
            "One warm process (model endpoint, result cache) for many callers. Errors are JSON: "
            '`{"error": {"code", "message", "details"?}}`. Limits: request body '
            f"{config.max_body_bytes} bytes, document {config.max_document_chars} characters, "
            f"{config.max_documents} documents per job; when {config.queue_size} requests already wait for the model "
            "the answer is 429 with Retry-After. With API keys configured, send `Authorization: Bearer KEY` or `X-API-Key: KEY`."
        ),
        lifespan=lifespan,
        docs_url=None,  # served below from local assets: the defaults load them from a CDN
        redoc_url=None,
    )
    app.state.service = service
    pages.mount(app)

    def get_service(request: Request) -> Service:
        return request.app.state.service  # type: ignore[no-any-return]

    ServiceDep = Annotated[Service, Depends(get_service)]

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _validation_error(request, exc, config)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The server logs the traceback (Starlette re-raises after this answer is sent).
        svc: Service | None = request.app.state.service
        if svc is not None:
            svc.metrics.errors.labels("internal").inc()
        return error_response(500, "internal", f"internal error ({type(exc).__name__}); see the service log")

    @app.post(
        "/v1/extract",
        response_model=ExtractResponse,
        operation_id="extract",
        summary="Extract one document",
        responses=_errors(400, 413, 415, 422, 429, 502, 503),
    )
    async def extract(body: ExtractRequest, svc: ServiceDep) -> Any:  # type: ignore[valid-type]
        req: Any = body
        extractor = svc.extractor_for(req.options.model_dump())
        strategy = req.strategy or svc.settings.strategy
        try:
            timed = await svc.pool.run(extractor.extract, req.text, req.schema_, strategy)
        except Overloaded as exc:
            svc.metrics.rejected.labels("overloaded").inc()
            return error_response(429, "overloaded", str(exc), headers={"Retry-After": str(exc.retry_after)})
        except (ExtractionError, ValueError) as exc:
            info = error_info(exc)
            svc.metrics.observe_error("request", info["code"])
            if isinstance(exc, ValueError):
                return error_response(422, info["code"], info["message"])
            return error_response(503 if info["code"] in UNAVAILABLE_REASONS else 502, info["code"], info["message"])
        result = timed.value
        svc.metrics.observe_result("request", result.usage, result.cached, result.calls, timed.queued, timed.ran)
        return {"report": result.report.model_dump(mode="json"), "meta": response_meta(result, timed)}

    @app.post(
        "/v1/jobs",
        response_model=Job,
        status_code=202,
        operation_id="create_job",
        summary="Queue many documents; poll GET /v1/jobs/{job_id}",
        responses={
            202: {
                "description": "Accepted: stored on disk, processed in the background",
                "headers": {"Location": {"description": "The job's URL", "schema": {"type": "string"}}},
                "links": {
                    "GetJob": {"operationId": "get_job", "parameters": {"job_id": "$response.body#/id"}},
                    "GetJobDocument": {
                        "operationId": "get_job_document",
                        "parameters": {"job_id": "$response.body#/id", "index": 0},
                    },
                },
            },
            **_errors(400, 413, 415, 422),
        },
    )
    def create_job(body: JobRequest, response: Response, svc: ServiceDep) -> Any:  # type: ignore[valid-type]
        req: Any = body
        ids = [d.id for d in req.documents]
        if len(set(ids)) != len(ids):
            seen: set[str] = set()
            dupes = sorted({i for i in ids if i in seen or seen.add(i)})  # type: ignore[func-returns-value]
            return error_response(
                422, "duplicate_document_id", f"document ids must be unique within a job: {', '.join(dupes[:5])[:200]}"
            )
        job = svc.jobs.create(
            [(d.id, d.text) for d in req.documents], req.schema_, req.strategy or svc.settings.strategy, req.options.model_dump()
        )
        svc.runner.notify()
        response.headers["Location"] = f"/v1/jobs/{job['id']}"
        return job

    @app.get(
        "/v1/jobs/{job_id}",
        response_model=Job,
        operation_id="get_job",
        summary="A job's progress and its documents' results or errors",
        responses=_errors(404, 422),
    )
    def get_job(
        job_id: str,
        svc: ServiceDep,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="First document to list")] = 0,
        limit: Annotated[
            int, Query(ge=0, le=config.max_documents, description="Documents to list (0: progress only)")
        ] = config.max_documents,
    ) -> Any:
        job = svc.jobs.get(job_id, offset=offset, limit=limit)
        if job is None:
            return error_response(404, "job_not_found", "no such job")
        return job

    @app.get(
        "/v1/jobs/{job_id}/documents/{index}",
        response_model=JobDocumentFull,
        operation_id="get_job_document",
        summary="One document of a job, with its text, by position",
        responses=_errors(404, 422),
    )
    def get_job_document(job_id: str, index: Annotated[int, Path(ge=0, le=MAX_OFFSET)], svc: ServiceDep) -> Any:
        doc = svc.jobs.document(job_id, index)
        if doc is None:
            return error_response(404, "document_not_found", "no such job or document")
        return doc

    @app.post(
        "/v1/read",
        response_model=ReadResponse,
        operation_id="read_document",
        summary="A file's text as `extract run FILE` reads it (encodings, HTML to text): for the page's upload",
        responses=_errors(400, 413, 415, 422),
    )
    def read_document(body: ReadRequest) -> Any:
        try:
            text = text_of_file(base64.b64decode(body.data_base64, validate=True), body.name)
        except binascii.Error:
            return error_response(422, "invalid_document", "data_base64 is not base64")
        except DocumentError as exc:
            return error_response(422, "invalid_document", str(exc))
        return {"text": text}

    @app.get("/v1/schemas", response_model=SchemasResponse, operation_id="list_schemas", summary="Schemas and strategies")
    def list_schemas() -> Any:
        schemas = [
            {"name": i.name, "version": i.version, "hash": i.json_schema_hash, "json_schema": i.json_schema}
            for i in sorted(registry().values(), key=lambda i: i.name)
        ]
        return {"schemas": schemas, "strategies": list(STRATEGY_NAMES)}

    @app.get("/healthz", response_model=Health, operation_id="healthz", summary="The process is up")
    async def healthz() -> Any:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        response_model=Readiness,
        operation_id="readyz",
        summary="The model endpoint is reachable (embedded: the llama.cpp server is up)",
        responses={503: {"model": Readiness, "description": "Not ready; `detail` says why"}},
    )
    def readyz(svc: ServiceDep) -> Any:
        ready, info = svc.readiness()
        return info if ready else JSONResponse(info, status_code=503)

    @app.get(
        "/metrics",
        operation_id="metrics",
        summary="Prometheus metrics",
        response_class=Response,
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Prometheus text format"}},
    )
    def metrics(svc: ServiceDep) -> Response:
        return Response(svc.metrics.render(), media_type=METRICS_CONTENT_TYPE)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, summary=app.summary, description=app.description, routes=app.routes
            )
            if config.auth_required:
                schema.setdefault("components", {})["securitySchemes"] = {
                    "bearer": {"type": "http", "scheme": "bearer"},
                    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                }
                unauthorized = {
                    "description": "Missing or wrong API key",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
                }
                for path, item in schema["paths"].items():
                    if path in OPEN_PATHS:
                        continue
                    for op in item.values():
                        op["security"] = [{"bearer": []}, {"apiKey": []}]
                        op["responses"].setdefault("401", unauthorized)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    # Outermost last: metrics see everything, auth runs before a body is read, then the size limit.
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    app.add_middleware(ApiKeyAuth, keys=config.api_keys)
    app.add_middleware(RequestMetrics, fastapi_app=app)
    return app
