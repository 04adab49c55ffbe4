"""What a browser gets from the service: the page at `/` and the API docs at `/docs`.

Everything is served from this process: the page's own files (`static/`), the report view
shared with `extract run --html` (`extract/view/`), and the Swagger UI bundle that the
`fastapi-offline` package ships. FastAPI's default docs page loads its bundle and a favicon
from the internet, so it is blank on a machine without it. No ReDoc page: its bundle fetches
its logo from the vendor's host whatever the options, and Swagger UI says the same.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from extract.view import ASSETS as VIEW_ASSETS

PAGE_ASSETS = Path(__file__).parent / "static"
DOCS_ASSETS_URL = "/static/docs"
# Swagger UI's own validator badge would call an outside service; the page never needs it.
# The page may load from this service only (the browser enforces it, whatever a document holds).
PAGE_CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
SWAGGER_PARAMETERS = {"validatorUrl": None, "deepLinking": True}


def docs_assets() -> Path:
    """The folder of Swagger UI / ReDoc files that the fastapi-offline package ships."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def mount(app: FastAPI) -> None:
    app.mount("/static/page", StaticFiles(directory=PAGE_ASSETS), name="page-assets")
    app.mount("/static/view", StaticFiles(directory=VIEW_ASSETS), name="view-assets")
    app.mount(DOCS_ASSETS_URL, StaticFiles(directory=docs_assets()), name="docs-assets")
    favicon = f"{DOCS_ASSETS_URL}/favicon.png"

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(
            PAGE_ASSETS / "index.html", media_type="text/html; charset=utf-8", headers={"Content-Security-Policy": PAGE_CSP}
        )

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{app.title} - API docs",
            oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_js_url=f"{DOCS_ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=favicon,
            swagger_ui_parameters=SWAGGER_PARAMETERS,
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    def swagger_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
