"""Backends behind one small interface: where the OpenAI-compatible server is and how to keep it up.

`endpoint_for(settings)` picks the embedded llama.cpp server when no base URL is
configured, else the remote endpoint. Every endpoint has `base_url`, `api_key`, `model`,
`identity` (what the cache key needs to know about it), `ensure_ready()`, `recover()`
(True when it restarted something worth retrying on; raises when it may not restart again)
and `close()`.
"""

from __future__ import annotations

from typing import Protocol

from extract.config import Settings


class Endpoint(Protocol):
    kind: str
    api_key: str
    model: str

    @property
    def base_url(self) -> str: ...

    @property
    def identity(self) -> dict[str, str]: ...

    def ensure_ready(self) -> None: ...

    def recover(self, allow_restart: bool = True) -> bool: ...

    def close(self) -> None: ...


def endpoint_for(settings: Settings, model_path: str | None = None) -> Endpoint:
    if settings.embedded:
        from extract.providers.embedded import EmbeddedServer

        return EmbeddedServer(settings, model_path=model_path)
    from extract.providers.remote import RemoteEndpoint

    return RemoteEndpoint(settings)
