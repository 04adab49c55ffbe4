"""EarningsReport: the contract of ../shared/spec/earnings-report.md as pydantic v2 models.

The extractor's output and every gold file have this shape. Validators check form
(period format, metric names, units); grounding against the document is done by the
pipeline with the document passed as validation context (`{"document": text}`).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

VERSION = "1.1.0"  # bump with any change of fields or their meaning (part of the cache key)
# 1.1.0: MetricEntry.checks, the arithmetic cross-checks an entry took part in (crosscheck.py).

Metric = Literal[
    "revenue",
    "cost_of_revenue",
    "gross_profit",
    "gross_margin",
    "operating_expenses",
    "rd_expenses",
    "sales_marketing_expenses",
    "ga_expenses",
    "operating_income",
    "net_income",
    "net_income_attributable",
    "net_income_attributable_recurring",
    "adjusted_net_income",
    "adjusted_operating_income",
    "adjusted_ebitda",
    "eps",
    "adjusted_eps",
    "operating_cash_flow",
    "cash",
    "deferred_revenue",
    "other",
]
METRICS: tuple[str, ...] = Metric.__args__  # type: ignore[attr-defined]

PERIOD_RE = re.compile(r"^\d{4}(Q[1-4]|H[12]|9M|FY)$")
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
NON_MONEY_UNITS = ("%", "count", "days", "per_share")


def _check_period(value: str | None) -> str | None:
    if value is not None and not PERIOD_RE.match(value):
        raise ValueError(f"period {value!r} must look like 2023Q2, 2024H1, 20229M or 2021FY")
    return value


def _check_unit(value: str) -> str:
    if value in NON_MONEY_UNITS or CURRENCY_RE.match(value):
        return value
    raise ValueError(f"unit {value!r} must be an ISO currency code or one of {NON_MONEY_UNITS}")


def _check_evidence(value: str, info: ValidationInfo) -> str:
    """Evidence must be verbatim when the document is given as validation context (gold
    checks). During extraction the resolver drops ungrounded entries instead, so one bad
    quote does not cost a whole report."""
    document = (info.context or {}).get("document")
    if document is not None:
        from extract.grounding import is_verbatim

        if not is_verbatim(value, document):
            raise ValueError(f"evidence {value!r} is not a verbatim substring of the document")
    return value


class Company(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, description="Name as the text uses it (Chinese name if any)")
    name_en: str | None = None
    ticker: str | None = None
    exchange: str | None = Field(None, description="NASDAQ, NYSE, HKEX, SSE, SZSE, BSE, ...")


class Check(BaseModel):
    """One arithmetic cross-check an entry took part in (see crosscheck.py)."""

    model_config = ConfigDict(extra="forbid")

    check: Literal["yoy", "qoq", "gross_profit", "gross_margin", "segment_total", "eps_shares"]
    passed: bool
    against: str = Field(description='The other entry, as "metric period" or "metric (segment) period"')
    detail: str = Field(description="The arithmetic, in figures")


class MetricEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    metric: Metric
    period: str = Field(description="YYYY + Q1..Q4 | H1 | H2 | 9M | FY")
    segment: str | None = Field(None, description="Business line, or the label for 'other'")
    value: float = Field(description="Plain number in base units; losses negative")
    unit: str = Field(description="ISO currency, %, count, days or per_share")
    unit_currency: str | None = None
    yoy_pct: float | None = None
    qoq_pct: float | None = None
    evidence: str = Field(min_length=1, description="Verbatim substring stating the value")
    # Computed by code after grounding, never asked of a model, so left out of the JSON schema a
    # model is given (SkipJsonSchema); not part of the spec's fields and ignored by the scorer.
    checks: SkipJsonSchema[list[Check] | None] = None

    _period = field_validator("period")(_check_period)
    _unit = field_validator("unit")(_check_unit)
    _evidence = field_validator("evidence")(_check_evidence)


class GuidanceEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    metric: Metric
    period: str
    segment: str | None = None
    low: float
    high: float
    unit: str
    unit_currency: str | None = None
    evidence: str = Field(min_length=1)

    _period = field_validator("period")(_check_period)
    _unit = field_validator("unit")(_check_unit)
    _evidence = field_validator("evidence")(_check_evidence)

    @model_validator(mode="after")
    def _ordered(self) -> GuidanceEntry:
        if self.low > self.high:
            raise ValueError(f"guidance low {self.low} is above high {self.high}")
        return self


class EarningsReport(BaseModel):
    """One document's earnings facts; a gold file is the output of a perfect extractor."""

    model_config = ConfigDict(extra="forbid")

    company: Company = Field(default_factory=Company)  # type: ignore[arg-type]  # mypy without the pydantic plugin
    fiscal_period: str | None = None
    period_end: str | None = Field(None, description="ISO date, e.g. 2023-06-30")
    currency: str | None = Field(None, description="ISO code of the reporting currency")
    metrics: list[MetricEntry] = Field(default_factory=list)
    guidance: list[GuidanceEntry] = Field(default_factory=list)

    # Formats are checked by validators, not JSON-schema `pattern`s: llama.cpp's schema-to-
    # grammar converter mistranslates regex escapes such as \d and then cannot load the grammar.
    _fiscal_period = field_validator("fiscal_period")(_check_period)

    @field_validator("period_end")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        if value is not None:
            date.fromisoformat(value)  # ValueError names the problem
        return value

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        if value is not None and not CURRENCY_RE.match(value):
            raise ValueError(f"currency {value!r} must be an ISO code such as CNY, USD, HKD")
        return value

