"""What a schema package gives the engine, and what the engine lends it.

A schema is a package `schemas/<name>/` (installed as `extract.schemas.<name>`) whose
`__init__` defines `SCHEMA = SchemaInfo(...)`. The engine only ever reads that object:
the pydantic model (validation, JSON schema sent to a model), and optionally the schema's
own rules, which the `grounded` strategy runs. Prompts live in `prompts/<name>/`; a rules
function reaches the model only through `Ask`, which names a prompt of its own schema, so
every model call goes through the same client, retries and cache.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


class Ask(Protocol):
    """Run the schema's prompt `prompts/<schema>/<prompt>.jinja` with `variables` and return the
    model's answer validated as `response_model` (cached, retried, usage counted)."""

    def __call__(self, prompt: str, variables: dict[str, Any], response_model: type[M], *, max_tokens: int) -> M: ...


# The schema's rules: document text (and the model, through `ask`) -> a report dict in the
# schema's JSON shape. The engine then validates it against the model and grounds it.
Rules = Callable[[str, Ask], dict[str, Any]]


def model_hash(model: type[BaseModel]) -> str:
    """A short hash of a pydantic model's JSON schema."""
    blob = json.dumps(model.model_json_schema(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class SchemaInfo:
    name: str
    version: str
    model: type[BaseModel]
    rules: Rules | None = None

    @property
    def json_schema(self) -> dict[str, Any]:
        return self.model.model_json_schema()

    @property
    def json_schema_hash(self) -> str:
        """Changes whenever a field, type or description changes: part of the cache key."""
        return model_hash(self.model)

    def prompt_id(self, prompt: str) -> str:
        """The id of this schema's prompt template `prompts/<schema>/<prompt>.jinja`."""
        return f"{self.name}/{prompt}"
