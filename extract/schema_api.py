"""What a schema package gives the engine, and what the engine lends it.

A schema is a package `schemas/<name>/` (installed as `extract.schemas.<name>`) whose
`__init__` defines `SCHEMA = SchemaInfo(...)`. The engine only ever reads that object:
the pydantic model (validation, JSON schema sent to a model), and optionally the schema's
own rules, which the `grounded` strategy runs. Prompts live in `prompts/<name>/`; a rules
function reaches the model only through `Ask`, which names a prompt of its own schema, so
every model call goes through the same client, retries and cache.

A schema may also declare options (`Option`: a name, its allowed values, a default) that
callers set without the engine knowing what they mean (`--option judge=off`,
`EXTRACT_OPTIONS="judge=off"`, `options = {judge = "off"}` in the config file); its rules get
them resolved in `RulesContext.options`, and say there what they dropped and why. And it may
`review` a grounded report (any strategy): add what its own checks found to the entries.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


class Ask(Protocol):
    """Run the schema's prompt `prompts/<schema>/<prompt>.jinja` with `variables` and return the
    model's answer validated as `response_model` (cached, retried, usage counted)."""

    def __call__(self, prompt: str, variables: dict[str, Any], response_model: type[M], *, max_tokens: int) -> M: ...


@dataclass(frozen=True)
class Option:
    """A setting a schema's rules understand: `name=value` with value one of `choices`."""

    name: str
    choices: tuple[str, ...]
    default: str
    help: str = ""


class OptionError(ValueError):
    """An option the schema does not declare, or a value it does not allow."""


@dataclass
class RulesContext:
    """What the engine hands a schema's rules besides the text and `ask`: the options in
    force (every declared one, defaults filled in) and a place to record the entries the rules
    found but chose not to emit, with the reason (shown in the result's meta like the
    grounding gate's drops)."""

    options: Mapping[str, str] = field(default_factory=dict)
    dropped: list[tuple[dict[str, Any], str]] = field(default_factory=list)

    def drop(self, entry: dict[str, Any], reason: str) -> None:
        self.dropped.append((entry, reason))


# The schema's rules: document text (and the model, through `ask`) -> a report dict in the
# schema's JSON shape. The engine then validates it against the model and grounds it.
Rules = Callable[[str, Ask, RulesContext], dict[str, Any]]
# The schema's review of a report that passed the grounding gate (any strategy): the report
# with what its own checks found added (e.g. arithmetic cross-checks between entries).
Review = Callable[[dict[str, Any], str], dict[str, Any]]


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
    options: tuple[Option, ...] = ()
    review: Review | None = None

    def resolve_options(self, given: Mapping[str, str]) -> dict[str, str]:
        """Every declared option with its value: `given` where set, else the default.
        Raises OptionError for an undeclared name or a value not among the choices."""
        declared = {o.name: o for o in self.options}
        for name, value in given.items():
            option = declared.get(name)
            if option is None:
                known = ", ".join(f"{o.name} ({'|'.join(o.choices)})" for o in self.options) or "none"
                raise OptionError(f"schema {self.name} has no option {name!r}; known: {known}")
            if value not in option.choices:
                raise OptionError(f"option {name}={value!r} must be one of {', '.join(option.choices)}")
        return {name: given.get(name, o.default) for name, o in declared.items()}

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
