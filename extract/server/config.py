"""Settings of the HTTP service itself (the model side is `extract.config.Settings`).

Environment: EXTRACT_SERVE_KEYS (comma-separated API keys), EXTRACT_SERVE_KEY_FILE (one key
a line), EXTRACT_JOBS_DB (the jobs database). Keys are never put in reprs or logs.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

from extract.config import Settings

DEFAULT_PORT = 8080


class ServiceConfigError(ValueError):
    """A configuration the service refuses to start with; the message says why, in one line."""


@dataclass(frozen=True)
class ServiceConfig:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    api_keys: tuple[str, ...] = field(default=(), repr=False)
    max_body_bytes: int = 8 * 1024 * 1024  # a whole request, jobs included
    max_document_chars: int = 100_000  # one document's text; news articles are ~1-20k
    max_documents: int = 1000  # per job
    max_id_chars: int = 200
    queue_size: int = 32  # /v1/extract requests waiting beyond the ones running; then 429
    retry_after: int = 1  # seconds, sent with 429
    jobs_db: Path | None = None  # None: jobs.sqlite next to the cache directory
    warm: bool = True  # bring the model endpoint up at start instead of on the first miss

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_document_chars", "max_documents", "max_id_chars", "retry_after"):
            if getattr(self, name) < 1:
                raise ServiceConfigError(f"{name} must be at least 1")
        if self.queue_size < 0:
            raise ServiceConfigError("queue_size must be 0 or more")
        if any(not k or k != k.strip() for k in self.api_keys):
            raise ServiceConfigError("API keys must be non-empty and have no surrounding whitespace")

    @property
    def auth_required(self) -> bool:
        return bool(self.api_keys)

    def jobs_path(self, settings: Settings) -> Path:
        return self.jobs_db or Path(settings.cache_dir).parent / "jobs.sqlite"

    def check_bind(self) -> None:
        """Refuse to serve beyond this machine without an API key."""
        if not is_loopback(self.host) and not self.api_keys:
            raise ServiceConfigError(
                f"refusing to listen on {self.host} without an API key: set EXTRACT_SERVE_KEYS or --auth-key-file "
                "(no key is needed on 127.0.0.1)"
            )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve anywhere


def load_keys(key_file: Path | None = None) -> tuple[str, ...]:
    """Keys from EXTRACT_SERVE_KEYS (comma-separated) and a key file (one a line, # comments)."""
    keys = [k.strip() for k in os.environ.get("EXTRACT_SERVE_KEYS", "").split(",") if k.strip()]
    path = key_file or (Path(os.environ["EXTRACT_SERVE_KEY_FILE"]) if os.environ.get("EXTRACT_SERVE_KEY_FILE") else None)
    if path is not None:
        try:
            lines = Path(path).expanduser().read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ServiceConfigError(f"cannot read the key file {path}: {exc.strerror}") from None
        keys += [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
        if not keys:
            raise ServiceConfigError(f"the key file {path} has no key")
    return tuple(dict.fromkeys(keys))


def jobs_db_from_env() -> Path | None:
    raw = os.environ.get("EXTRACT_JOBS_DB")
    return Path(raw).expanduser() if raw else None
