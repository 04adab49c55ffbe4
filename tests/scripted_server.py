"""A scripted, OpenAI-compatible HTTP server for fault-injection tests.

Stdlib only. The server listens on 127.0.0.1 (a free port) in a background thread and
answers ``POST /v1/chat/completions`` with scripted *behaviours*: a normal completion,
a tool call, an HTTP error status, an abrupt connection reset, a delay, an HTML page,
an arbitrary (e.g. truncated) body, and so on. The real ``openai.OpenAI`` client talks
to it over real HTTP::

    from tests.scripted_server import ScriptedServer, ok, status, reset

    with ScriptedServer([status(429, retry_after="1"), reset()], default=ok("hi")) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="test", max_retries=0)
        ...
        assert len(srv.requests) == 3

Behaviours are consumed one per chat-completion request, in order; once the script is
empty the ``default`` is used (a behaviour, or a function of the recorded request dict
returning one). Also served: ``GET /v1/models`` and ``GET /health``.
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = [
    "Behaviour",
    "ScriptedServer",
    "ok",
    "tool_call",
    "status",
    "reset",
    "delay",
    "html",
    "raw",
    "length",
    "empty_choices",
    "flaky",
]

MODEL_ID = "scripted"
_IDLE_TIMEOUT_S = 10.0  # idle keep-alive connections are dropped after this long


# --------------------------------------------------------------------------- behaviours


@dataclass(frozen=True)
class Behaviour:
    """Base class of the scripted answers; build them with the module-level functions."""

    def render(self, handler: _Handler, request: dict[str, Any]) -> None:  # pragma: no cover
        raise NotImplementedError


@dataclass(frozen=True)
class _Completion(Behaviour):
    content: str | None
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    tool_name: str | None = None
    tool_arguments: str | None = None

    def render(self, handler: _Handler, request: dict[str, Any]) -> None:
        message: dict[str, Any] = {"role": "assistant", "content": self.content, "refusal": None}
        if self.tool_name is not None:
            message["tool_calls"] = [
                {
                    "id": f"call_scripted_{handler.seq}",
                    "type": "function",
                    "function": {"name": self.tool_name, "arguments": self.tool_arguments},
                }
            ]
        choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": self.finish_reason}
        handler.send_json(200, _completion_envelope(handler, request, [choice], self))


@dataclass(frozen=True)
class _EmptyChoices(Behaviour):
    def render(self, handler: _Handler, request: dict[str, Any]) -> None:
        usage = _Completion(None, "stop", 10, 0)
        handler.send_json(200, _completion_envelope(handler, request, [], usage))


@dataclass(frozen=True)
class _Status(Behaviour):
    code: int
    retry_after: str | None
    body: str | None
    headers: tuple[tuple[str, str], ...] = ()

    def render(self, handler: _Handler, request: dict[str, Any]) -> None:
        if self.body is None:
            payload = json.dumps(_error_body(self.code, f"scripted HTTP {self.code}")).encode()
            ctype = "application/json"
        else:
            payload = self.body.encode("utf-8")
            ctype = "application/json" if _is_json(self.body) else "text/plain; charset=utf-8"
        extra = list(self.headers)
        if self.retry_after is not None:
            extra.append(("Retry-After", self.retry_after))
        handler.send_body(self.code, payload, ctype, extra)


@dataclass(frozen=True)
class _Reset(Behaviour):
    def render(self, handler: _Handler, request: dict[str, Any]) -> None:
        handler.abort_connection()


@dataclass(frozen=True)
class _Delay(Behaviour):
    seconds: float
    then: Behaviour

    def render(self, handler: _Handler, request: dict[str, Any]) -> None:
        # An Event wait, released by ScriptedServer.__exit__, so shutdown never waits it out.
        if handler.owner._stopping.wait(self.seconds):
            handler.abort_connection()
            return
        self.then.render(handler, request)


@dataclass(frozen=True)
class _Raw(Behaviour):
    body: bytes
    content_type: str
    code: int
    content_length: int | None = None

    def render(self, handler: _Handler, request: dict[str, Any]) -> None:
        handler.send_body(self.code, self.body, self.content_type, content_length=self.content_length)
        if self.content_length is not None and self.content_length > len(self.body):
            handler.abort_connection()  # promised more bytes than sent: cut the transfer mid-body


def ok(
    content: str | dict[str, Any],
    *,
    finish_reason: str = "stop",
    prompt_tokens: int = 10,
    completion_tokens: int = 5,
) -> Behaviour:
    """A normal ``chat.completion``; dict content is sent as ``json.dumps(..., ensure_ascii=False)``."""
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    return _Completion(text, finish_reason, prompt_tokens, completion_tokens)


def length(content: str) -> Behaviour:
    """Like :func:`ok` but ``finish_reason="length"`` (a truncated answer)."""
    return ok(content, finish_reason="length")


def tool_call(
    arguments: dict[str, Any],
    name: str,
    *,
    prompt_tokens: int = 10,
    completion_tokens: int = 5,
) -> Behaviour:
    """An assistant message with one function ``tool_calls`` entry; ``finish_reason="tool_calls"``."""
    return _Completion(
        None,
        "tool_calls",
        prompt_tokens,
        completion_tokens,
        tool_name=name,
        tool_arguments=json.dumps(arguments, ensure_ascii=False),
    )


def status(
    code: int,
    *,
    retry_after: str | None = None,
    body: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Behaviour:
    """An HTTP error answer (429, 500, 502, 503, ...).

    The body defaults to ``{"error": {"message", "type", "param", "code"}}``; a given ``body``
    is sent verbatim (as application/json if it parses as JSON, else text/plain).
    ``retry_after`` becomes the ``Retry-After`` header; ``headers`` adds any others
    (e.g. ``{"x-should-retry": "false"}``, which the openai client obeys).
    """
    return _Status(code, retry_after, body, tuple((headers or {}).items()))


def reset() -> Behaviour:
    """Close the connection abruptly (RST, SO_LINGER 0) without sending any response."""
    return _Reset()


def delay(seconds: float, then: Behaviour) -> Behaviour:
    """Sleep ``seconds`` (without blocking other requests), then answer with ``then``.

    If the server is stopped meanwhile, the connection is dropped instead of answered.
    """
    return _Delay(float(seconds), then)


def html(body: str = "<html><body><h1>502 Bad Gateway</h1></body></html>", code: int = 200) -> Behaviour:
    """A ``text/html`` answer instead of JSON (what a proxy or captive portal sends)."""
    return _Raw(body.encode("utf-8"), "text/html; charset=utf-8", code)


def raw(
    body: str | bytes,
    content_type: str = "application/json",
    code: int = 200,
    *,
    content_length: int | None = None,
) -> Behaviour:
    """An arbitrary body, e.g. JSON cut off mid-string (correct HTTP framing, invalid JSON).

    With ``content_length`` larger than the body, the header promises more bytes than are
    sent and the connection is then reset: a transfer cut off mid-body.
    """
    data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    return _Raw(data, content_type, code, content_length)


def empty_choices() -> Behaviour:
    """A valid ``chat.completion`` whose ``choices`` is ``[]``."""
    return _EmptyChoices()


def flaky(
    ok_behaviour_fn: Callable[[dict[str, Any]], Behaviour],
    failure_rate: float,
    seed: int,
) -> Callable[[dict[str, Any]], Behaviour]:
    """A ``default`` function failing a seeded-random share of requests.

    Each call draws from ``random.Random(seed)``: with probability ``failure_rate`` it returns
    one of ``status(429)``, ``status(500)``, ``status(503)``, ``reset()`` (chosen at random),
    else ``ok_behaviour_fn(request)``. The outcome sequence is the same for the same seed
    (requests are numbered in arrival order; send them sequentially for exact determinism).
    """
    if not 0.0 <= failure_rate <= 1.0:
        raise ValueError(f"failure_rate must be in [0, 1], got {failure_rate!r}")
    rng = random.Random(seed)
    lock = threading.Lock()
    failures: tuple[Behaviour, ...] = (status(429), status(500), status(503), reset())

    def choose(request: dict[str, Any]) -> Behaviour:
        with lock:
            fail = rng.random() < failure_rate
            picked = rng.choice(failures) if fail else None
        return picked if picked is not None else ok_behaviour_fn(request)

    return choose


# --------------------------------------------------------------------------- helpers


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _error_type(code: int) -> str:
    if code == 429:
        return "rate_limit_exceeded"
    if code >= 500:
        return "server_error"
    if code == 401:
        return "authentication_error"
    if code == 404:
        return "not_found_error"
    return "invalid_request_error"


def _error_body(code: int, message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": _error_type(code), "param": None, "code": None}}


def _completion_envelope(
    handler: _Handler, request: dict[str, Any], choices: list[dict[str, Any]], usage: _Completion
) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-scripted-{handler.seq}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model") or MODEL_ID,
        "choices": choices,
        "usage": {
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "total_tokens": usage.prompt_tokens + usage.completion_tokens,
        },
        "system_fingerprint": "fp_scripted",
    }


# --------------------------------------------------------------------------- HTTP layer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real API
    server_version = "ScriptedServer/1.0"
    sys_version = ""
    timeout = _IDLE_TIMEOUT_S
    disable_nagle_algorithm = True  # else header+body writes meet delayed ACK: +40 ms a request
    server: _HTTPServer
    seq: int = 0

    @property
    def owner(self) -> ScriptedServer:
        return self.server.owner

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Silence the per-request stderr log."""

    # -- output primitives
    def send_body(
        self,
        code: int,
        payload: bytes,
        content_type: str,
        extra_headers: list[tuple[str, str]] | None = None,
        *,
        content_length: int | None = None,
    ) -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload) if content_length is None else content_length))
            self.send_header("x-request-id", f"req_scripted_{self.seq}")
            for name, value in extra_headers or ():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
        except OSError:  # client already gone (e.g. it timed out): nothing to tell it
            self.close_connection = True

    def send_json(self, code: int, obj: Any, extra_headers: list[tuple[str, str]] | None = None) -> None:
        self.send_body(code, json.dumps(obj, ensure_ascii=False).encode("utf-8"), "application/json", extra_headers)

    def abort_connection(self) -> None:
        """RST the TCP connection: SO_LINGER on with a zero timeout, then close."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.flush()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    # -- routes
    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        if path == "/health":
            self.send_json(200, {"status": "ok"})
        elif path == "/v1/models":
            model = {"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "scripted"}
            self.send_json(200, {"object": "list", "data": [model]})
        else:
            self.send_json(404, _error_body(404, f"ScriptedServer: no route GET {self.path}"))

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = self.path.split("?", 1)[0].rstrip("/")
        if path != "/v1/chat/completions":
            self.send_json(404, _error_body(404, f"ScriptedServer: no route POST {self.path}"))
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            parsed = json.loads(body or b"{}")
            if not isinstance(parsed, dict):
                raise ValueError("request body is not a JSON object")
        except ValueError as exc:
            self.seq = self.owner._record({"_raw": body.decode("utf-8", "replace"), "_headers": headers})
            self.send_json(400, _error_body(400, f"ScriptedServer: invalid JSON request body: {exc}"))
            return
        request = {**parsed, "_headers": headers}
        self.seq = self.owner._record(request)
        try:
            behaviour = self.owner._next_behaviour(request)
        except Exception as exc:  # a bad default function: make it loud in the test
            self.owner.errors.append(exc)
            msg = f"ScriptedServer: default behaviour function raised {exc!r}"
            self.send_json(500, _error_body(500, msg))
            return
        if behaviour is None:
            msg = f"ScriptedServer: script exhausted and no default behaviour set (chat completion request #{self.seq})"
            self.send_json(500, _error_body(500, msg))
            return
        behaviour.render(self, request)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, owner: ScriptedServer) -> None:
        self.owner = owner
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay silent: clients that hang up (timeouts, resets) are expected here."""

    def close_connections(self) -> None:
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


# --------------------------------------------------------------------------- public server


class ScriptedServer:
    """Scripted OpenAI-compatible server on 127.0.0.1; use as a context manager.

    ``script`` is consumed one behaviour per ``POST /v1/chat/completions``; when it is empty,
    ``default`` answers (a behaviour, or a function of the recorded request dict, which
    includes ``"_headers"``). With neither, the answer is a 500 saying so.
    """

    def __init__(
        self,
        script: list[Behaviour] | None = None,
        default: Behaviour | Callable[[dict[str, Any]], Behaviour] | None = None,
    ) -> None:
        self._script: deque[Behaviour] = deque(script or ())
        self.default = default
        self.requests: list[dict[str, Any]] = []
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._base_url: str | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``; available once the server is started."""
        if self._base_url is None:
            raise RuntimeError("ScriptedServer is not running; use it as a context manager")
        return self._base_url

    @property
    def remaining(self) -> int:
        """How many scripted behaviours have not been consumed yet."""
        with self._lock:
            return len(self._script)

    def push(self, *behaviours: Behaviour) -> None:
        """Append behaviours to the script at run time."""
        with self._lock:
            self._script.extend(behaviours)

    def __enter__(self) -> ScriptedServer:
        if self._httpd is not None:
            raise RuntimeError("ScriptedServer is already running")
        self._stopping.clear()
        self._httpd = _HTTPServer(self)
        host, port = self._httpd.server_address[:2]
        self._base_url = f"http://{host!s}:{port}/v1"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="ScriptedServer", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        self._stopping.set()  # releases pending delay() waits
        httpd.shutdown()
        httpd.close_connections()  # unblocks keep-alive connection threads
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._httpd = self._thread = None
        self._base_url = None

    # -- called from handler threads
    def _record(self, request: dict[str, Any]) -> int:
        with self._lock:
            self.requests.append(request)
            return len(self.requests)

    def _next_behaviour(self, request: dict[str, Any]) -> Behaviour | None:
        with self._lock:
            if self._script:
                return self._script.popleft()
            default = self.default
        if default is None or isinstance(default, Behaviour):
            return default
        return default(request)
