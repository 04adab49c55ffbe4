"""Quotes instead of values: from any pydantic schema, the model a quote-reading strategy asks
for, and the code that turns the model's quotes back into grounded values.

The model never writes a number, date or period. For every such field it copies the words of
the text that state it ("7,330万元人民币", "同比下降4%", "2023年第二季度"); code finds those words
in the document (`align`) and reads the value from them with the field's type (`read`). What a
field is comes from its type, or from the schema's own declaration on the field:

    value: float = Field(description="...", json_schema_extra={"quote": {"kind": "amount", "signed": True}})
    unit: str = Field(json_schema_extra={"quote": {"kind": "unit", "of": "value", "default_from": "currency"}})
    evidence: str = Field(json_schema_extra={"quote": "evidence"})

Kinds a model answers with a quote: `text`, `amount` (money, counts; `bound: low|high` takes
one end of a range; `signed: true` adds a yes/no label "is this a loss or decrease"),
`number`, `percent`, `date`, `period` (`default_from`: a top-level field whose period fills in
what the quote leaves out, e.g. the year of "第二季度"), `currency`. `label`: the model picks
one of the field's allowed values (Literal or Enum types). Kinds code fills: `unit` and
`unit_currency` (read off the amount quoted for the field named in `of`), `evidence` (the
sentences the entry's quotes come from). Without a declaration: BaseModel fields recurse,
lists of BaseModels become lists of entries, Literal/Enum/bool are labels, int/float
numbers, date dates, and str text. Any declaration may carry `hint`: what the prompt says of
the field instead of its description.
"""

from __future__ import annotations

import bisect
import enum
import types
import typing
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, create_model

from extract.amounts import (
    Amount,
    currency_words,
    find_amounts,
    find_percents,
    find_ranges,
    normalize_width,
    parse_amount,
    parse_number,
)
from extract.dates import find_dates
from extract.fieldtypes import parse_currency, parse_date, parse_period
from extract.resolver import Dropped
from extract.segmenting import sentences

QUOTE_KINDS = ("text", "amount", "number", "percent", "date", "period", "currency")
FIGURE_KINDS = ("amount", "number", "percent", "date")  # kinds code can find in a text by itself
# Filled by code, never asked: "computed" is a field the schema fills after grounding (left None here).
CODE_KINDS = ("unit", "unit_currency", "evidence", "computed")
MAX_EVIDENCE_CHARS = 400  # an entry's evidence grows by further sentences only within this
SIGN_SUFFIX = "_negative"  # the label that goes with a `signed` amount quote
# What small models write for "no quote" inside a string instead of null.
NO_QUOTE = frozenset({"null", "none", "n/a", "na", "nil", "-", "—", "无", "不适用"})


# ---------------------------------------------------------------- the plan of a schema


@dataclass(frozen=True)
class FieldPlan:
    name: str
    kind: str  # a QUOTE_KIND, "label", a CODE_KIND, "object" or "list"
    description: str
    required: bool  # the schema requires a value (not Optional)
    options: dict[str, Any] = field(default_factory=dict)
    choices: tuple[Any, ...] = ()  # label values
    sub: ModelPlan | None = None  # object and list fields

    @property
    def must_quote(self) -> bool:
        """A quote the model must give (never null): the schema requires the value and no
        other field supplies it (`default_from`)."""
        return self.required and self.kind in QUOTE_KINDS and not self.options.get("default_from")

    @property
    def asked(self) -> bool:
        """Does the model answer this field (a quote, a label or a nested entry)?"""
        return self.kind not in CODE_KINDS


@dataclass(frozen=True)
class ModelPlan:
    model: type[BaseModel]
    fields: tuple[FieldPlan, ...]
    response: type[BaseModel]  # what the model answers: quotes and labels

    @property
    def ask_order(self) -> tuple[FieldPlan, ...]:
        """The asked fields in the order the model writes them: the quotes an entry cannot do
        without first, then the rest in the schema's order. A model that must begin an entry
        with the figure it is about quotes one from the text; begun with a label, a small
        model lists every label with nothing quoted (measured: the 1.5B wrote 21 empty
        entries, one per metric label, and ran out of tokens)."""
        asked = [f for f in self.fields if f.asked]
        first = [f for f in asked if f.must_quote]
        return (*first, *(f for f in asked if f not in first))

    @property
    def entry_figures(self) -> frozenset[str]:
        """The figure kinds of which every list entry must quote one (a metric its amount, a
        forecast its bounds), or nothing when some list's entries need no figure (an event its
        company): a text stating no figure of these kinds can hold no entry."""
        lists = [f.sub for f in self.fields if f.kind == "list" and f.sub is not None]
        kinds: set[str] = set()
        for sub in lists:
            needed = {g.kind for g in sub.fields if g.must_quote and g.kind in FIGURE_KINDS}
            if not needed:
                return frozenset()
            kinds |= needed
        return frozenset(kinds)

    def describe(self, depth: int = 0) -> list[dict[str, Any]]:
        """Rows for the prompt: every asked field, in the order asked, nested ones indented."""
        rows: list[dict[str, Any]] = []
        for f in self.ask_order:
            rows.append({
                "name": f.name, "kind": f.kind, "description": f.description, "depth": depth,
                "choices": [c.value if isinstance(c, enum.Enum) else c for c in f.choices],
                "required": f.must_quote, "signed": bool(f.options.get("signed")),
                "sign_field": f.name + SIGN_SUFFIX,
            })  # fmt: skip
            if f.sub is not None:
                rows.extend(f.sub.describe(depth + 1))
        return rows


def _declared(info: Any) -> dict[str, Any]:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    decl = extra.get("quote")
    if decl is None:
        return {}
    return {"kind": decl} if isinstance(decl, str) else dict(decl)


def _unwrap_optional(tp: Any) -> tuple[Any, bool]:
    """(the type inside Optional, whether None is allowed)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return tp, False


def _inferred_kind(tp: Any) -> tuple[str, tuple[Any, ...], Any]:
    """(kind, label choices, nested model) of a field type with no declaration."""
    origin = typing.get_origin(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return "object", (), tp
    if origin is list:
        (item,) = typing.get_args(tp) or (str,)
        item, _ = _unwrap_optional(item)
        if isinstance(item, type) and issubclass(item, BaseModel):
            return "list", (), item
        return "text", (), None  # a list of plain values: one quote, read as a one-item list (`many`)
    if origin is Literal:
        return "label", typing.get_args(tp), None
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return "label", tuple(tp), None
    if tp is bool:
        return "label", (True, False), None
    if tp in (int, float):
        return "number", (), None
    if tp is date:
        return "date", (), None
    return "text", (), None


@cache
def plan_for(model: type[BaseModel]) -> ModelPlan:
    """The plan of a pydantic model: what each field is and the response model to ask for."""
    plans: list[FieldPlan] = []
    response_fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        tp, optional = _unwrap_optional(info.annotation)
        kind, choices, nested = _inferred_kind(tp)
        options = _declared(info)
        kind = options.pop("kind", kind)
        if kind in QUOTE_KINDS and typing.get_origin(tp) is list:
            options["many"] = True
        if kind not in (*QUOTE_KINDS, *CODE_KINDS, "label", "object", "list"):
            raise ValueError(f"{model.__name__}.{name}: unknown quote kind {kind!r}")
        sub = plan_for(nested) if nested is not None and kind in ("object", "list") else None
        required = info.is_required() and not optional
        # `hint`: what the prompt says of the field where its description speaks of the value
        # ("plain number in base units") rather than of the words to quote
        description = str(options.pop("hint", None) or info.description or "")
        plans.append(FieldPlan(name, kind, description, required, options, choices, sub))
    order = ModelPlan(model, tuple(plans), BaseModel).ask_order
    for plan in order:
        name, kind, description, sub = plan.name, plan.kind, plan.description, plan.sub
        if kind == "object":
            assert sub is not None
            response_fields[name] = (sub.response, Field(description=description or None))
        elif kind == "list":
            assert sub is not None
            response_fields[name] = (list[sub.response], Field(description=description or None))  # type: ignore[name-defined]
        elif kind == "label":
            label_type: Any = Literal[tuple(c.value if isinstance(c, enum.Enum) else c for c in plan.choices)]  # type: ignore[misc]
            label = label_type if plan.required else label_type | None
            response_fields[name] = (label, Field(description=description or None))
        else:
            # a quote the schema cannot do without is never null: an entry starts from it
            quote: Any = str if plan.must_quote else str | None
            about = f"verbatim quote ({kind}): {description}".strip(": ")
            response_fields[name] = (quote, Field(description=about, min_length=1 if plan.must_quote else None))
            if plan.options.get("signed"):
                response_fields[name + SIGN_SUFFIX] = (
                    bool,
                    Field(description=f"true when the quote for {name} states a loss, decrease or outflow"),
                )
    response = create_model(f"{model.__name__}Quotes", __doc__=model.__doc__, **response_fields)  # type: ignore[call-overload]
    return ModelPlan(model, tuple(plans), response)


def states_figure(text: str, kinds: Iterable[str]) -> bool:
    """Does `text` state a figure of one of `kinds`? An amount quote may be a percentage
    (a margin), a number any digits."""
    kinds = set(kinds)
    if "number" in kinds and any(c.isdigit() for c in text):
        return True
    if "amount" in kinds and (find_amounts(text) or find_percents(text)):
        return True
    if "percent" in kinds and find_percents(text):
        return True
    return "date" in kinds and bool(find_dates(text))


# ---------------------------------------------------------------- aligning quotes


def _normalized(text: str, loose: bool = False) -> tuple[str, list[int]]:
    """Width-folded text without whitespace (`loose`: also without punctuation, case-folded),
    and for each of its characters the offset of the character it came from (so a match in it
    maps back to the original text)."""
    folded = normalize_width(text)
    chars: list[str] = []
    where: list[int] = []
    for i, c in enumerate(folded):
        if loose and c.isalnum():
            chars.append(c.lower() if len(c.lower()) == 1 else c)
            where.append(i)
        elif not loose and not c.isspace():
            chars.append(c)
            where.append(i)
    return "".join(chars), where


class Aligner:
    """Finds quotes in a document: exact first, then width- and whitespace-insensitive, then
    (`loose`, for names) also case- and punctuation-insensitive ("Harbor Lane Holdings Inc."
    for "Harbor Lane Holdings, Inc."). Offsets are always into the original document."""

    def __init__(self, document: str) -> None:
        self.document = document
        self._norm, self._where = _normalized(document)
        self._loose: tuple[str, list[int]] | None = None  # built on first use

    def find_all(self, quote: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """Every (start, end) of `quote` within document[start:end], in order."""
        end = len(self.document) if end is None else end
        quote = quote.strip()
        if not quote:
            return []
        found: list[tuple[int, int]] = []
        pos = self.document.find(quote, start, end)
        while pos != -1:
            found.append((pos, pos + len(quote)))
            pos = self.document.find(quote, pos + 1, end)
        if found:
            return found
        return self._find_folded(self._norm, self._where, _normalized(quote)[0], start, end)

    def find_loose(self, quote: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """Every span of `quote` within document[start:end] ignoring width, case, blanks and
        punctuation; only quotes of at least 4 letters or digits (shorter ones match anywhere)."""
        if self._loose is None:
            self._loose = _normalized(self.document, loose=True)
        needle = _normalized(quote, loose=True)[0]
        if len(needle) < 4:
            return []
        norm, where = self._loose
        return self._find_folded(norm, where, needle, start, len(self.document) if end is None else end)

    @staticmethod
    def _find_folded(norm: str, where: list[int], needle: str, start: int, end: int) -> list[tuple[int, int]]:
        if not needle:
            return []
        found: list[tuple[int, int]] = []
        lo = _bisect(where, start)  # the normalised text's window that covers document[start:end]
        hi = _bisect(where, end)
        pos = norm.find(needle, lo, hi)
        while pos != -1:
            found.append((where[pos], where[pos + len(needle) - 1] + 1))
            pos = norm.find(needle, pos + 1, hi)
        return found


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, float | int) and isinstance(b, float | int):
        return abs(a - b) <= 1e-9 * max(1.0, abs(b))
    return bool(a == b)


def _is_currency(unit: str | None) -> bool:
    return unit is not None and len(unit) == 3 and unit.isupper()


def _bisect(where: list[int], offset: int) -> int:
    return bisect.bisect_left(where, offset)


# ---------------------------------------------------------------- reading quotes


@dataclass
class Read:
    """One entry read back from its quotes: values, the spans they came from, what failed."""

    values: dict[str, Any]
    spans: dict[str, tuple[int, int]]  # field path -> document span of its quote
    problems: list[str]


class Reader:
    """Turns a model's answer (quotes and labels) for one chunk into values of the schema."""

    def __init__(self, document: str, aligner: Aligner | None = None) -> None:
        self.document = document
        self.aligner = aligner or Aligner(document)
        self._sentences = [(s.start, s.end) for s in sentences(document)]
        self._starts = [s for s, _ in self._sentences]
        self.restated = 0  # quotes found by their value, not their words (see `_restated`)
        self._stated: dict[tuple[str, tuple[int, int]], list[tuple[Any, tuple[int, int]]]] = {}

    def sentence_of(self, span: tuple[int, int]) -> tuple[int, int]:
        """The sentence span holding `span` (or `span` itself in text between sentences)."""
        starts = self._starts
        i = bisect.bisect_right(starts, span[0]) - 1
        if i >= 0 and self._sentences[i][1] >= span[1]:
            return self._sentences[i]
        # a quote across a sentence break: from the first sentence's start to the last one's end
        j = bisect.bisect_left(starts, span[1]) - 1
        a = self._sentences[i][0] if i >= 0 else span[0]
        b = self._sentences[j][1] if j >= 0 and self._sentences[j][1] >= span[1] else span[1]
        return a, b

    # -- one entry

    def read(self, plan: ModelPlan, answer: dict[str, Any], window: tuple[int, int], root: dict[str, Any]) -> Read:
        """Values for `plan`'s fields from `answer`. Quotes are looked for in `window` (the
        chunk) first, then anywhere in the document. `root`: top-level values already read
        (what `default_from` refers to)."""
        out = Read({}, {}, [])
        candidates: dict[str, list[tuple[int, int]]] = {}
        for f in plan.fields:
            if f.kind in QUOTE_KINDS:
                quote = answer.get(f.name)
                if isinstance(quote, str) and quote.strip() and quote.strip().lower() not in NO_QUOTE:
                    found = self.aligner.find_all(quote, *window) or self.aligner.find_all(quote)
                    if not found:
                        found = self._restated(f.kind, quote, window)
                        self.restated += bool(found)
                    if found:
                        candidates[f.name] = found
                    else:
                        out.problems.append(f"{f.name}: quote {quote!r} not in the document")
        spans = self._choose(plan, candidates)
        out.spans.update(spans)
        amounts: dict[str, Amount | str | None] = {}
        for f in plan.fields:
            if f.kind == "label":
                out.values[f.name] = answer.get(f.name)
            elif f.kind == "object" and f.sub is not None:
                sub = answer.get(f.name) or {}
                nested = self.read(f.sub, sub if isinstance(sub, dict) else {}, window, root)
                out.values[f.name] = nested.values
                out.spans.update({f"{f.name}.{k}": v for k, v in nested.spans.items()})
                out.problems += [f"{f.name}.{p}" for p in nested.problems]
            elif f.kind == "list":
                out.values[f.name] = []  # lists are read entry by entry by the caller
            elif f.kind in QUOTE_KINDS:
                span = spans.get(f.name)
                value = None
                if span is not None:
                    value, amount = self._value(f, span, answer, root)
                    amounts[f.name] = amount
                    if value is None:
                        out.problems.append(f"{f.name}: no {f.kind} in quote {self.document[span[0]:span[1]]!r}")
                if value is None and f.kind == "period" and f.options.get("default_from"):
                    value = root.get(f.options["default_from"])
                if f.options.get("many"):
                    value = [value] if value is not None else []
                out.values[f.name] = value
        for f in plan.fields:  # a required end of a range left empty: a point is a range of one
            if f.required and f.options.get("bound") in ("low", "high") and out.values.get(f.name) is None:
                other = "high" if f.options["bound"] == "low" else "low"
                pair = next((g for g in plan.fields if g.options.get("bound") == other), None)
                if pair is not None and out.values.get(pair.name) is not None:
                    out.values[f.name] = out.values[pair.name]
        for f in plan.fields:  # what code fills, from the values read above
            if f.kind in ("unit", "unit_currency"):
                out.values[f.name] = self._unit(f, amounts.get(f.options.get("of", "")), root)
            elif f.kind == "evidence":
                out.values[f.name] = self._evidence(plan, spans)
        out.values = {f.name: out.values.get(f.name) for f in plan.fields}  # the schema's order
        return out

    def _restated(self, kind: str, quote: str, window: tuple[int, int]) -> list[tuple[int, int]]:
        """Where the chunk states what the model wrote in its own words: a small model restates
        more than it quotes ("$750,000,000" for "$750 million", "2024-05-02" for "May 2, 2024",
        "USD" for "$"). Code reads the model's words and every figure, date or currency of the
        chunk with the field's type; the spans whose value equals the model's are its quote, so
        the value still comes from the text. Names are matched ignoring case and punctuation."""
        if kind == "text":
            return self.aligner.find_loose(quote, *window)
        wanted = self._read_restated(kind, quote)
        if wanted is None:
            return []
        if kind == "currency":
            return self._currency_words(wanted, window)
        return [span for value, span in self._stated_in(kind, window) if _same_value(value, wanted)]

    def _currency_words(self, code: str, window: tuple[int, int]) -> list[tuple[int, int]]:
        """Spans of the words naming currency `code` in the window, each read in its whole
        token (up to the three letters before it) so that the "$" of "HK$" is not US dollars."""
        start, end = window
        lowered = self.document[start:end].lower()
        found: set[tuple[int, int]] = set()
        for word in currency_words(code):
            at = lowered.find(word)
            while at != -1:
                a, b = at, at + len(word)
                while a > max(0, at - 3) and lowered[a - 1].isalpha():  # "hk$", "us$", "nt$"
                    a -= 1
                if parse_currency(lowered[a:b]) == code:
                    found.add((start + at, start + b))
                at = lowered.find(word, b)
        return sorted(found)

    @staticmethod
    def _read_restated(kind: str, quote: str) -> Any:
        text = quote.strip()
        if kind in ("amount", "number"):
            amount = parse_amount(text)
            return amount.value if amount is not None else parse_number(text.replace(",", ""))
        if kind == "percent":
            found = find_percents(text)
            return abs(found[0].value) if found else parse_number(text.rstrip("%％ "))
        if kind == "date":
            iso = parse_date(text)
            if iso is None:
                try:
                    iso = date.fromisoformat(text).isoformat()
                except ValueError:
                    return None
            return iso
        if kind == "period":  # without a reference period: only a period named in full
            return parse_period(text)
        return parse_currency(text)  # currency

    def _stated_in(self, kind: str, window: tuple[int, int]) -> list[tuple[Any, tuple[int, int]]]:
        """(value, span) of every figure, percentage or date in the window; for a period, each
        sentence of the window (at most MAX_EVIDENCE_CHARS long) with the period it names in
        full: the sentence is then the quote ("2023年第二季度" for "second quarter of 2023")."""
        key = (kind, window)
        if key in self._stated:
            return self._stated[key]
        start, end = window
        text = self.document[start:end]
        found: list[tuple[Any, tuple[int, int]]] = []
        if kind in ("amount", "number"):
            found = [(a.value, (start + a.start, start + a.end)) for a in find_amounts(text)]
        elif kind == "percent":
            found = [(abs(p.value), (start + p.start, start + p.end)) for p in find_percents(text)]
        elif kind == "date":
            found = [(d.value.isoformat(), (start + d.start, start + d.end)) for d in find_dates(text)]
        elif kind == "period":
            first = max(0, bisect.bisect_right(self._starts, start) - 1)
            for s0, s1 in self._sentences[first:]:
                if s0 >= end:
                    break
                if s1 > start and s1 - s0 <= MAX_EVIDENCE_CHARS:
                    found.append((parse_period(self.document[s0:s1]), (s0, s1)))
        self._stated[key] = found
        return found

    def _choose(self, plan: ModelPlan, candidates: dict[str, list[tuple[int, int]]]) -> dict[str, tuple[int, int]]:
        """One span per quote. A quote found several times is taken where it is nearest to the
        entry's anchor: its value quote (an amount, number, percent or date) found the fewest
        times, at its first place in the chunk."""
        if not candidates:
            return {}
        priority = {k: i for i, k in enumerate(("amount", "number", "percent", "date", "currency", "text", "period"))}
        kinds = {f.name: f.kind for f in plan.fields}
        anchor = min(candidates, key=lambda n: (priority.get(kinds[n], 9), len(candidates[n])))
        a = candidates[anchor][0]
        chosen = {anchor: a}
        for name, spans in candidates.items():
            if name != anchor:
                chosen[name] = min(spans, key=lambda s: (abs(s[0] - a[0]), s[0]))
        return chosen

    def _value(
        self, f: FieldPlan, span: tuple[int, int], answer: dict[str, Any], root: dict[str, Any]
    ) -> tuple[Any, Amount | str | None]:
        """The field's value from its quote, and what the value was read as: an Amount, the
        marker "percent", or None."""
        quote = self.document[span[0] : span[1]]
        if f.kind == "text":
            return quote.strip(), None
        if f.kind == "date":
            return parse_date(quote), None
        if f.kind == "currency":
            return parse_currency(quote), None
        if f.kind == "period":
            reference = root.get(f.options["default_from"]) if f.options.get("default_from") else None
            return parse_period(quote, reference if isinstance(reference, str) else None), None
        if f.kind == "percent":
            return self._percent(span), None
        # amount / number: read in its sentence, so the parser sees the currency and scale
        # words around a short quote ("7,330万" in "收入为7,330万元人民币")
        value, amount = self._amount(span, f.options.get("bound"))
        if value is None:
            number = parse_number(quote.strip())
            if number is None:
                return None, None
            value = number
        if f.options.get("signed") and answer.get(f.name + SIGN_SUFFIX) is True:
            value = -abs(value)
        return value, amount if amount is not None else ("percent" if self._is_percent(span) else None)

    def _amount(self, span: tuple[int, int], bound: str | None) -> tuple[float | None, Amount | None]:
        """The amount (or percentage) the quote states, and the Amount when it is one. With a
        bound, the low or high end of a range the quote touches."""
        s0, s1 = self.sentence_of(span)
        sentence = self.document[s0:s1]
        a, b = span[0] - s0, span[1] - s0
        if bound in ("low", "high"):
            for r in find_ranges(sentence):
                if r.start < b and r.end > a:
                    end = r.low if bound == "low" else r.high
                    return end.value, end if isinstance(end, Amount) else None
        for amt in find_amounts(sentence):
            if amt.start < b and amt.end > a:
                return amt.value, amt
        pct = self._percent(span)
        if pct is not None:
            return pct, None
        whole = parse_amount(self.document[span[0] : span[1]])
        return (whole.value, whole) if whole is not None else (None, None)

    def _is_percent(self, span: tuple[int, int]) -> bool:
        return self._percent(span) is not None and not find_amounts(self.document[span[0] : span[1]])

    def _percent(self, span: tuple[int, int]) -> float | None:
        """The percentage at the quote, signed by its direction word even when the quote
        leaves the word out ("4%" in "同比下降4%")."""
        s0, s1 = self.sentence_of(span)
        sentence = self.document[s0:s1]
        a, b = span[0] - s0, span[1] - s0
        for p in find_percents(sentence):
            if p.start < b and p.end > a:
                return p.value
        found = find_percents(self.document[span[0] : span[1]])
        return found[0].value if found else None

    def _unit(self, f: FieldPlan, read_as: Amount | str | None, root: dict[str, Any]) -> str | None:
        """A unit read off the amount quoted for the field named in `of`: its currency,
        "count" or "days"; `per_share_unit` for a per-share amount; `percent_unit` for a
        percentage; else the top-level field named in `default_from` (the document's currency)."""
        amount = read_as if isinstance(read_as, Amount) else None
        if f.kind == "unit_currency":
            return amount.unit if amount is not None and amount.per_share and _is_currency(amount.unit) else None
        if read_as == "percent":
            return f.options.get("percent_unit")
        if amount is not None and amount.per_share and f.options.get("per_share_unit"):
            return str(f.options["per_share_unit"])
        if amount is not None and amount.unit:
            return amount.unit
        default = root.get(f.options.get("default_from", ""))
        return default if isinstance(default, str) else None

    def _evidence(self, plan: ModelPlan, spans: dict[str, tuple[int, int]]) -> str | None:
        """The sentence of the entry's anchor quote, widened to the sentences of its other
        quotes while the whole stays within MAX_EVIDENCE_CHARS."""
        if not spans:
            return None
        anchor = self._choose(plan, {k: [v] for k, v in spans.items()})
        first = next(iter(anchor))
        a, b = self.sentence_of(spans[first])
        for name, span in sorted(spans.items(), key=lambda kv: abs(kv[1][0] - spans[first][0])):
            if name == first:
                continue
            s0, s1 = self.sentence_of(span)
            lo, hi = min(a, s0), max(b, s1)
            if hi - lo <= MAX_EVIDENCE_CHARS:
                a, b = lo, hi
        return self.document[a:b].strip()


# ---------------------------------------------------------------- merging chunks


@dataclass
class Candidate:
    """An entry read from one chunk, before merging."""

    values: dict[str, Any]
    spans: dict[str, tuple[int, int]]
    chunk: int


def _identity(values: dict[str, Any], skip: Iterable[str]) -> str:
    import json

    return json.dumps({k: v for k, v in values.items() if k not in skip}, sort_keys=True, ensure_ascii=False, default=str)


def merge_entries(candidates: list[Candidate], evidence_fields: Iterable[str]) -> list[Candidate]:
    """De-duplicate entries found by several chunks (the overlap) or twice in one chunk.

    Two entries are one when their values (evidence aside) are equal, or when their quotes
    share a place in the document and their non-null values agree: then the one with more
    values stands and lends the other's missing ones. Entries that disagree are both kept."""
    skip = set(evidence_fields)
    kept: list[Candidate] = []
    seen: dict[str, int] = {}
    for cand in candidates:
        key = _identity(cand.values, skip)
        if key in seen:
            continue
        merged = False
        for i, other in enumerate(kept):
            if not set(cand.spans.values()) & set(other.spans.values()):
                continue
            a, b = other.values, cand.values
            agree = all(a.get(k) is None or b.get(k) is None or a.get(k) == b.get(k) for k in (a.keys() | b.keys()) - skip)
            if agree:
                richer, poorer = (other, cand) if _filled(a, skip) >= _filled(b, skip) else (cand, other)
                values = {**{k: v for k, v in poorer.values.items() if v is not None}, **{
                    k: v for k, v in richer.values.items() if v is not None or k not in poorer.values}}
                kept[i] = Candidate(values, {**poorer.spans, **richer.spans}, min(cand.chunk, other.chunk))
                seen[_identity(values, skip)] = i
                merged = True
                break
        if not merged:
            seen[key] = len(kept)
            kept.append(cand)
    return kept


def _filled(values: dict[str, Any], skip: set[str]) -> int:
    return sum(1 for k, v in values.items() if k not in skip and v is not None)


def vote(values: list[Any]) -> Any:
    """The value most chunks agree on (ties: the earliest); None when none has one."""
    present = [v for v in values if v is not None and v != ""]
    if not present:
        return None
    counts = Counter(repr(v) for v in present)
    best = max(counts.values())
    return next(v for v in present if counts[repr(v)] == best)


def validate_entry(model: type[BaseModel], values: dict[str, Any]) -> str | None:
    """None when `values` is a valid `model`, else the first problem, for the drop record."""
    try:
        model.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
    return None


__all__ = [
    "Aligner", "Candidate", "Dropped", "FieldPlan", "ModelPlan", "Read", "Reader",
    "merge_entries", "plan_for", "states_figure", "validate_entry", "vote",
]  # fmt: skip
