"""The HTTP service: the Extractor behind a small API (`extract serve`).

    from extract.server import create_app, ServiceConfig
    app = create_app(settings, ServiceConfig(port=8080))   # an ASGI app for uvicorn

Needs the `serve` extra (fastapi, uvicorn, prometheus-client).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from extract.server.config import ServiceConfig, ServiceConfigError

__all__ = ["create_app", "Service", "ServiceConfig", "ServiceConfigError"]

if TYPE_CHECKING:
    from extract.server.app import create_app
    from extract.server.service import Service


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from extract.server.app import create_app

        return create_app
    if name == "Service":
        from extract.server.service import Service

        return Service
    raise AttributeError(name)
