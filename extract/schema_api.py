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
from typing import Any, Literal, Protocol, TypeVar

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


# --------------------------------------------------------------------------- the declaration
# How a schema's entries are matched, compared and grounded. The scorer (`extract eval`), the
# gold check (`extract eval check`) and the resolver (the grounding gate before output) read
# only this, so a new schema declares its rules of comparison once, as data.

# How a value is compared with gold:
#   number: relative tolerance `tolerance` (0.005 = 0.5 %), or absolute points with `absolute`
#   text:   equal after folding width, case and whitespace, or one contains the other
#   names:  a list of texts, equal as sets under the `text` rule
#   exact:  equal (dates as ISO strings, enums)
Compare = Literal["number", "text", "names", "exact"]
# How a value is grounded before output (and checked in gold files):
#   amount:   the evidence states the number (amounts, percentages, counts; 0.5 %)
#   change:   a sentence holding the evidence states the change (yoy / qoq percentages)
#   date:     the evidence states the date (ISO value, any written form)
#   number:   the evidence states the number as an amount or writes it plainly (digits or Chinese
#             numerals): "12个月", "500万股", "120,000,000 Placing Shares"
#   per_share: an amount per share, stated per share or per N shares ("每10股派3.5元" = 0.35)
#   text:     each text is verbatim in the evidence
#   None:     not grounded (labels chosen from an enum)
# `scope="document"` looks in the whole document (outside instructions) instead of the evidence:
# a company named once in the title, an announcement dated once at the foot.
Ground = Literal["amount", "change", "date", "number", "per_share", "text"]


@dataclass(frozen=True)
class FieldRule:
    """One value of an entry, held in one or more keys (`("low", "high")` is one value: a range)."""

    name: str
    paths: tuple[str, ...]
    compare: Compare = "number"
    tolerance: float = 0.005
    absolute: bool = False
    scored: bool = True  # False: judged only on matched entries and reported apart (yoy, qoq)
    ground: Ground | None = None
    scope: Literal["evidence", "document"] = "evidence"
    on_ungrounded: Literal["drop", "null"] = "drop"  # drop the entry, or set this value to null


# Key matchers: (gold value, pred value, gold entry) -> 2 exact match, 1 loose match, 0 none.
KeyMatch = Callable[[Any, Any, dict[str, Any]], int]


def key_equal(gold: Any, pred: Any, entry: dict[str, Any]) -> int:
    return 2 if gold == pred else 0


@dataclass(frozen=True)
class KeyRule:
    name: str
    match: KeyMatch = key_equal


@dataclass(frozen=True)
class EntryList:
    """A list of entries in the report (`report[path]`), scored and grounded entry by entry.

    Entries match one to one when every key matches; a matched pair is then judged field by
    field, one row per scored field that either side states. `period_key`: a prediction whose
    keys match a missed gold entry except this one, with every scored value right, is counted
    as `wrong_period` rather than invented. `show`: entry keys copied into every row (and, for
    `show_pred`, the prediction's own value as `pred_<key>`). `group_by`: row keys that name the
    per-group table (per metric, per event type and field)."""

    path: str
    kind: str
    keys: tuple[KeyRule, ...]
    fields: tuple[FieldRule, ...]
    evidence: str | None = "evidence"
    period_key: str | None = None
    show: tuple[str, ...] = ()
    show_pred: tuple[str, ...] = ()
    group_by: tuple[str, ...] = ()
    unit_key: str | None = None  # passed to the amount read-back
    dedupe: tuple[str, ...] = ()  # entry keys that, with the match keys, tell two entries apart in output

    @property
    def scored(self) -> tuple[FieldRule, ...]:
        return tuple(f for f in self.fields if f.scored)


@dataclass(frozen=True)
class ScalarRule:
    """A single value of the report ("company.ticker"), scored as an exact match."""

    path: str
    casefold: bool = False


@dataclass(frozen=True)
class Scoring:
    """`lists[0]` is the primary list: its rows make the headline ("overall") figures; the
    others are reported under their own path (e.g. "guidance")."""

    lists: tuple[EntryList, ...]
    scalars: tuple[ScalarRule, ...] = ()

    @property
    def primary(self) -> EntryList:
        return self.lists[0]

    def judged(self) -> tuple[FieldRule, ...]:
        """Fields judged apart from the F1 (yoy, qoq), in declaration order, once each."""
        seen: dict[str, FieldRule] = {}
        for lst in self.lists:
            for f in lst.fields:
                if not f.scored:
                    seen.setdefault(f.name, f)
        return tuple(seen.values())


@dataclass(frozen=True)
class SchemaInfo:
    name: str
    version: str
    model: type[BaseModel]
    rules: Rules | None = None
    scoring: Scoring | None = None  # None: nothing is scored or grounded entry by entry
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
