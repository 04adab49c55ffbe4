"""Write the OpenAPI document of the default service: `python -m extract.server.openapi docs/openapi.json`.

The committed docs/openapi.json is this output; tests/test_server_openapi.py checks that the
running service serves exactly it, so the two cannot drift.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def document() -> dict[str, Any]:
    from extract.server.app import create_app
    from extract.server.config import ServiceConfig

    return create_app(config=ServiceConfig()).openapi()  # no service is built: routes only


def render() -> str:
    return json.dumps(document(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if argv:
        Path(argv[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
