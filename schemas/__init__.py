"""Schema registry: every package here whose `__init__` defines `SCHEMA` (an
`extract.schema_api.SchemaInfo`) is a schema, found by name.

Installed as `extract.schemas`; adding a schema is adding a package to this folder (its
prompts in `prompts/<name>/`, its gold data in `evals/datasets/<name>/`): see README.md here.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from extract.schema_api import SchemaInfo

# What every entry point (CLI, API, service) uses when the caller names no schema.
DEFAULT_SCHEMA = "earnings_report"


class UnknownSchemaError(KeyError):
    def __str__(self) -> str:
        return f"unknown schema {self.args[0]!r}; known: {', '.join(sorted(registry()))}"


@cache
def registry() -> dict[str, SchemaInfo]:
    found: dict[str, SchemaInfo] = {}
    for mod in pkgutil.iter_modules(__path__):
        if not mod.ispkg:
            continue
        info = getattr(importlib.import_module(f"{__name__}.{mod.name}"), "SCHEMA", None)
        if isinstance(info, SchemaInfo):
            found[info.name] = info
    return found


def get_schema(name: str | None = None) -> SchemaInfo:
    """The schema called `name` (default: DEFAULT_SCHEMA)."""
    name = name or DEFAULT_SCHEMA
    try:
        return registry()[name]
    except KeyError:
        raise UnknownSchemaError(name) from None


__all__ = ["DEFAULT_SCHEMA", "SchemaInfo", "UnknownSchemaError", "get_schema", "registry"]
