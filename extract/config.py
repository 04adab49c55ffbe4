"""Settings for one extractor: endpoint, model, sampling, retries, cache.

Precedence: explicit arguments > environment (EXTRACT_*) > config file > defaults.
The config file is TOML at $EXTRACT_CONFIG or ~/.config/extract/config.toml, with the
same keys as `Settings` (e.g. `base_url = "http://localhost:8000/v1"`).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

DEFAULT_MODEL_NAME = "qwen2.5-coder-1.5b"  # the embedded default (see extract/weights.py)


def user_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "extract"


@dataclass(frozen=True)
class Settings:
    base_url: str | None = None  # None: start the embedded llama.cpp server
    api_key: str | None = field(default=None, repr=False)
    model: str = DEFAULT_MODEL_NAME
    temperature: float = 0.0
    max_tokens: int = 1024
    timeout: float = 600.0  # seconds per HTTP request: a 1.5B model on 2 cores needs minutes for a long document
    # Seconds per document, rules and model calls together (0: none). Past it the document fails
    # with reason "deadline" and its worker takes the next one. A results article takes seconds
    # (rules well under one, the model's one short question ~10 s on 2 cores); the direct strategy
    # on a long article a few minutes; 300 s bounds what one odd or hostile document can hold.
    deadline: float = 300.0
    mode: str = "auto"  # instructor mode: auto | json_schema | json_object | tools | md_json
    transport_attempts: int = 5
    transport_max_wait: float = 300.0  # seconds across all transport retries of one call
    backoff_initial: float = 0.5  # seconds before the first transport retry (doubles, jittered)
    backoff_max: float = 20.0
    reasks: int = 2
    strategy: str = "grounded"
    concurrency: int = 2
    cache_dir: Path = field(default_factory=lambda: user_cache_dir() / "results")
    use_cache: bool = True
    refresh: bool = False
    seed: int | None = 0
    canary: bool = True
    embedded_ctx: int = 8192
    # Reading long documents in chunks (the `quoted` strategy): the model's context window
    # (None: embedded_ctx for the embedded model, 8192 for an endpoint), and the most document
    # tokens one request carries, and how many of them the next chunk repeats.
    context_tokens: int | None = None
    chunk_tokens: int = 1200
    chunk_overlap_tokens: int = 120
    embedded_threads: int | None = None
    embedded_parallel: int = 1
    # The schema's own options, (name, value) pairs sorted by name ("judge=off"): what they
    # mean is the schema's business (SchemaInfo.options); the engine only passes them on.
    options: tuple[tuple[str, str], ...] = ()

    @property
    def option_map(self) -> dict[str, str]:
        return dict(self.options)

    @property
    def embedded(self) -> bool:
        return self.base_url is None

    @property
    def context_window(self) -> int:
        """Tokens the model can hold, prompt and answer together."""
        if self.context_tokens is not None:
            return self.context_tokens
        return self.embedded_ctx if self.embedded else 8192

    def public_base_url(self) -> str:
        """The base URL with any credentials removed: the only form that is logged or keyed."""
        return redact_url(self.base_url) if self.base_url else "embedded"

    def __repr__(self) -> str:  # a logged or printed Settings shows no key and no URL credentials
        shown = {f.name: getattr(self, f.name) for f in fields(self) if f.repr}
        shown["base_url"] = redact_url(self.base_url) if self.base_url else None
        return "Settings(" + ", ".join(f"{k}={v!r}" for k, v in shown.items()) + ")"


_ENV = {
    "base_url": "EXTRACT_BASE_URL",
    "api_key": "EXTRACT_API_KEY",
    "model": "EXTRACT_MODEL",
    "temperature": "EXTRACT_TEMPERATURE",
    "max_tokens": "EXTRACT_MAX_TOKENS",
    "timeout": "EXTRACT_TIMEOUT",
    "deadline": "EXTRACT_DEADLINE",
    "mode": "EXTRACT_MODE",
    "strategy": "EXTRACT_STRATEGY",
    "concurrency": "EXTRACT_CONCURRENCY",
    "cache_dir": "EXTRACT_CACHE_DIR",
    "embedded_threads": "EXTRACT_THREADS",
    "options": "EXTRACT_OPTIONS",
    "context_tokens": "EXTRACT_CONTEXT_TOKENS",
    "chunk_tokens": "EXTRACT_CHUNK_TOKENS",
    "chunk_overlap_tokens": "EXTRACT_CHUNK_OVERLAP_TOKENS",
}


def parse_options(raw: Any) -> tuple[tuple[str, str], ...]:
    """Options as sorted (name, value) pairs, from "a=1,b=2" (environment), ["a=1", "b=2"]
    (repeated --option flags) or {"a": "1"} (a TOML table). A name given twice is an error."""
    if isinstance(raw, dict):
        items = [(str(k), str(v)) for k, v in raw.items()]
    else:
        parts = raw.split(",") if isinstance(raw, str) else list(raw)
        items = []
        for part in (p.strip() for p in parts):
            if not part:
                continue
            name, eq, value = part.partition("=")
            if not eq or not name.strip() or not value.strip():
                raise ValueError(f"option {part!r} must look like name=value")
            items.append((name.strip(), value.strip()))
    names = [n for n, _ in items]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"option {twice[0]} is given more than once")
    return tuple(sorted(items))


def redact_url(url: str) -> str:
    """Drop user:password@ and query strings (which may carry keys) from a URL."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _coerce(name: str, raw: Any) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if raw is None:
        return None
    if name == "options":
        return parse_options(raw)
    if "Path" in str(kind):
        return Path(raw).expanduser()
    try:
        if "float" in str(kind):
            return float(raw)
        if "int" in str(kind):
            return int(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, not {raw!r}") from None
    if "bool" in str(kind):
        return raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes")
    return raw


def _config_file() -> dict[str, Any]:
    path = Path(os.environ.get("EXTRACT_CONFIG", Path.home() / ".config/extract/config.toml"))
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from None
    known = {f.name for f in fields(Settings)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"{path}: unknown setting(s) {sorted(unknown)}; known: {sorted(known)}")
    return data


def load_settings(**overrides: Any) -> Settings:
    """Build settings; `overrides` with value None are ignored (unset CLI flags)."""
    values: dict[str, Any] = {}
    options: dict[str, str] = {}  # merged name by name: a flag overrides only the option it names

    def put(key: str, raw: Any) -> None:
        if key == "options":
            options.update(_coerce(key, raw))
        else:
            values[key] = _coerce(key, raw)

    for key, raw in _config_file().items():
        put(key, raw)
    for key, env in _ENV.items():
        if os.environ.get(env):
            put(key, os.environ[env])
    for key, raw in overrides.items():
        if raw is not None:
            put(key, raw)
    settings = replace(Settings(), **values, options=tuple(sorted(options.items())))
    if settings.mode not in ("auto", "json_schema", "json_object", "tools", "md_json"):
        raise ValueError(f"mode {settings.mode!r} is not one of auto, json_schema, json_object, tools, md_json")
    if settings.concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    checks = [
        (settings.timeout > 0, "timeout must be more than 0 seconds"),
        (settings.deadline >= 0, "deadline must be 0 (none) or more seconds"),
        (settings.max_tokens >= 1, "max_tokens must be at least 1"),
        (settings.chunk_tokens >= 64, "chunk_tokens must be at least 64"),
        (0 <= settings.chunk_overlap_tokens < settings.chunk_tokens, "chunk_overlap_tokens must be in [0, chunk_tokens)"),
        (settings.context_tokens is None or settings.context_tokens >= 512, "context_tokens must be at least 512"),
        (settings.transport_attempts >= 1, "transport_attempts must be at least 1"),
        (settings.reasks >= 0, "reasks must be 0 or more"),
        (0 <= settings.temperature <= 2, "temperature must be between 0 and 2"),
        (settings.backoff_initial >= 0 and settings.backoff_max >= 0, "backoff_initial and backoff_max must be 0 or more"),
    ]
    for ok, message in checks:
        if not ok:
            raise ValueError(message)
    if settings.base_url is not None:
        check_base_url(settings.base_url)
    return settings


def check_base_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        # not echoed: a malformed URL may still carry a key, and redact_url needs a URL
        raise ValueError("base_url must be an http(s) URL with a host, such as http://localhost:8000/v1")
