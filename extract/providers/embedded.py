"""The embedded default model: a llama.cpp OpenAI-compatible server on 127.0.0.1.

Started lazily on the first model call that misses the cache, on a free port, and
stopped on exit. The child gets PR_SET_PDEATHSIG so it dies with its parent even when
the parent is SIGKILLed; a crashed or hung server is restarted once.

The child's environment is scrubbed of the variables llama_cpp.server reads as settings
(PORT, HOST, API_KEY, MODEL, ...: pydantic-settings and uvicorn.run take them over our
command line), so a PORT=8080 in the user's shell cannot send the server elsewhere.
Readiness means /v1/models lists this instance's own alias (not whatever else answers on
the port); liveness, after a failed request, means the event loop answers at all (/docs):
/v1/models waits for the model lock, so a busy server would look hung.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import functools
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from extract import weights
from extract.config import Settings
from extract.retry import ExtractionError

T = TypeVar("T")
STARTUP_TIMEOUT = 300.0  # loading 1 GB of weights from a cold disk can take a while



def default_threads() -> int:
    """llama.cpp threads when none are set (`EXTRACT_THREADS`): one core fewer than the machine has.

    Measured on a shared 2-core machine (bench/threads.py, 1.5B model, batches of 4 documents at
    concurrency 2 and 4, 2 rounds, load average 10-14): median batch 100 s with 1 thread against
    216 s (concurrency 2) and 190 s (concurrency 4) with 2; each round 1.5-2.4x in favour of 1. llama.cpp's
    threads wait for each other by spinning, so when another process (or the extractor's own
    Python side) holds a core, every step waits for the slowest thread. On an idle machine 2
    threads are faster (issue 11: 6.7 s vs 10.3 s for one request); leaving one core free loses
    that much at worst and avoids the collapse under load, which is what a batch or a busy
    service meets."""
    return max(1, (os.cpu_count() or 2) - 1)

class EmbeddedServerError(ExtractionError):
    reason = "embedded_server"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent(parent: int) -> None:  # runs in the child between fork and exec
    # SIGKILL, not SIGTERM: uvicorn answers SIGTERM by finishing the request in flight, which
    # for a long generation means minutes of an orphan holding both cores.
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before prctl took effect: nobody to serve
        os._exit(1)
    os.setpgrp()  # own process group: a Ctrl-C in the terminal reaches us, and we stop it cleanly


@functools.cache
def _server_setting_names() -> frozenset[str]:
    """Environment names llama_cpp.server would read as its settings (case-insensitive)."""
    names = {"host", "port"}  # uvicorn.run(host=os.getenv("HOST"), port=os.getenv("PORT")) in its __main__
    try:
        from llama_cpp.server.settings import ModelSettings, ServerSettings

        names |= set(ModelSettings.model_fields) | set(ServerSettings.model_fields)
    except Exception:  # not installed: the start fails later with the server's own message
        pass
    return frozenset(names)


def _child_env() -> dict[str, str]:
    drop = _server_setting_names()
    return {k: v for k, v in os.environ.items() if k.lower() not in drop}


class _Spawner:
    """Starts child processes from one thread that lives as long as the process.

    PR_SET_PDEATHSIG fires when the *thread* that forked the child exits, not the process:
    a server started from a worker thread (extract_many, the HTTP service) would be killed
    when that worker is recycled."""

    def __init__(self) -> None:
        self._requests: queue.Queue[tuple[Callable[[], object], queue.Queue[tuple[object, BaseException | None]]]] = queue.Queue()
        threading.Thread(target=self._serve, name="extract-spawner", daemon=True).start()

    def _serve(self) -> None:
        while True:
            fn, reply = self._requests.get()
            try:
                reply.put((fn(), None))
            except BaseException as exc:  # handed back to the caller's thread
                reply.put((None, exc))

    def run(self, fn: Callable[[], T]) -> T:
        reply: queue.Queue[tuple[object, BaseException | None]] = queue.Queue(maxsize=1)
        self._requests.put((fn, reply))
        value, error = reply.get()
        if error is not None:
            raise error
        return value  # type: ignore[return-value]


_spawner: _Spawner | None = None
_spawner_lock = threading.Lock()


def _spawn(fn: Callable[[], T]) -> T:
    global _spawner
    with _spawner_lock:
        if _spawner is None:
            _spawner = _Spawner()
    return _spawner.run(fn)


class EmbeddedServer:
    """One llama-cpp-python server process serving one GGUF model."""

    api_key = "embedded"
    kind = "embedded"

    def __init__(self, settings: Settings, model_path: str | None = None) -> None:
        self.settings = settings
        self.model = settings.model
        self._model_path = model_path
        self._proc: subprocess.Popen[bytes] | None = None  # stdout goes to a log file, never read
        self._port: int | None = None
        self._lock = threading.Lock()
        self._restarts = 0
        self.log_path: Path | None = None
        # Unique per instance, so readiness is this process answering, not another server
        # that took the port; requests still name `model`, which the server maps to it.
        self._alias = f"{self.model}@{os.getpid()}-{id(self):x}"

    @property
    def identity(self) -> dict[str, str]:
        spec = weights.WEIGHTS.get(self.model)
        return {"provider": "embedded", "model": self.model, "weights": spec.sha256 if spec else str(self._model_path)}

    @property
    def base_url(self) -> str:
        self.ensure_ready()
        return f"http://127.0.0.1:{self._port}/v1"

    def ensure_ready(self) -> None:
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._start()

    def _command(self, path: Path, port: int) -> list[str]:
        threads = self.settings.embedded_threads or default_threads()
        return [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(path),
            "--model_alias", self._alias,
            "--host", "127.0.0.1",
            "--port", str(port),
            "--n_ctx", str(self.settings.embedded_ctx),
            "--n_threads", str(threads),
            "--n_threads_batch", str(threads),
        ]  # fmt: skip

    def _start(self) -> None:
        path = weights.resolve(self.model, self._model_path)
        for _ in range(3):  # a port taken between probing and binding: try another
            port = _free_port()
            log_dir = Path(self.settings.cache_dir).parent / "logs"
            log_dir.mkdir(parents=True, exist_ok=True)
            self.log_path = log_dir / f"llama-server-{port}.log"
            log = self.log_path.open("wb")
            command = self._command(path, port)
            self._proc = _spawn(  # type: ignore[assignment]
                functools.partial(
                    subprocess.Popen,
                    command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=_child_env(),
                    preexec_fn=functools.partial(_die_with_parent, os.getpid()),
                )
            )  # fmt: skip
            log.close()
            self._port = port
            if self._wait_ready():
                atexit.register(self.close)
                return
            self._stop_process()
        raise EmbeddedServerError(f"the embedded llama.cpp server did not start; see {self.log_path}: {self._log_tail()}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self._proc is None or self._proc.poll() is not None:
                return False
            if self.healthy(timeout=2.0):
                return True
            time.sleep(0.5)
        return False

    def healthy(self, timeout: float = 5.0) -> bool:
        """Ready: our process is up and /v1/models lists our alias (the model is loaded)."""
        if self._proc is None or self._proc.poll() is not None or self._port is None:
            return False
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self._port}/v1/models", timeout=timeout) as resp:
                models = json.loads(resp.read())
            return any(m.get("id") == self._alias for m in models.get("data", []))
        except (OSError, ValueError, AttributeError):
            return False

    def alive(self, timeout: float = 10.0) -> bool:
        """Responsive: our process is up and its event loop answers. Unlike /v1/models, /docs
        does not wait for the model lock, so a server busy with a long generation is alive."""
        if self._proc is None or self._proc.poll() is not None or self._port is None:
            return False
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self._port}/docs", timeout=timeout) as resp:
                return bool(resp.status == 200)
        except OSError:
            return False

    def recover(self, allow_restart: bool = True) -> bool:
        """After a transport failure: if the server died or hangs, restart it. True if restarted.

        The caller allows one restart per call: a server that fails again right after a
        restart is broken (a crashing request, no memory), and saying so beats a restart loop.
        A busy server is not hung: liveness is its event loop answering within 10 s."""
        with self._lock:
            if self._proc is None or self.alive(timeout=10.0):
                return False
            if not allow_restart:
                raise EmbeddedServerError(f"the embedded server failed again after a restart: {self._log_tail()}")
            self._restarts += 1
            self._stop_process()
            self._start()
            return True

    def _log_tail(self) -> str:
        if not self.log_path or not self.log_path.exists():
            return "no log"
        lines = self.log_path.read_text(errors="replace").strip().splitlines()
        return " | ".join(lines[-3:]) or "empty log"

    def _stop_process(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            # Short: a hung (or SIGSTOPped) server never handles SIGTERM, and uvicorn's
            # graceful shutdown can wait forever on "background tasks"; nothing to flush.
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def close(self) -> None:
        with self._lock:
            self._stop_process()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None
