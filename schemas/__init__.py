"""Schema registry: every module here that defines NAME, VERSION and SCHEMA is a schema.

Installed as `extract.schemas`; adding a schema is adding one file to this folder.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import pkgutil
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel


@dataclass(frozen=True)
class SchemaInfo:
    name: str
    version: str
    model: type[BaseModel]

    @property
    def json_schema(self) -> dict:
        return self.model.model_json_schema()

    @property
    def json_schema_hash(self) -> str:
        """Changes whenever a field, type or description changes: part of the cache key."""
        blob = json.dumps(self.json_schema, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


class UnknownSchemaError(KeyError):
    def __str__(self) -> str:
        return f"unknown schema {self.args[0]!r}; known: {', '.join(sorted(registry()))}"


@cache
def registry() -> dict[str, SchemaInfo]:
    found: dict[str, SchemaInfo] = {}
    for mod in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{mod.name}")
        if all(hasattr(module, attr) for attr in ("NAME", "VERSION", "SCHEMA")):
            found[module.NAME] = SchemaInfo(module.NAME, module.VERSION, module.SCHEMA)
    return found


def get_schema(name: str) -> SchemaInfo:
    try:
        return registry()[name]
    except KeyError:
        raise UnknownSchemaError(name) from None
