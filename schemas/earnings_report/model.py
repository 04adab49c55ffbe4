"""EarningsReport: the contract of ../shared/spec/earnings-report.md as pydantic v2 models.

The extractor's output and every gold file have this shape. Validators check form
(period format, metric names, units); grounding against the document is done by the
pipeline with the document passed as validation context (`{"document": text}`).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.config import JsonDict
from pydantic.json_schema import SkipJsonSchema

from extract.validators import CURRENCY_RE, currency_code, iso_date, verbatim_evidence

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
NON_MONEY_UNITS = ("%", "count", "days", "per_share")


def _check_period(value: str | None) -> str | None:
    if value is not None and not PERIOD_RE.match(value):
        raise ValueError(f"period {value!r} must look like 2023Q2, 2024H1, 20229M or 2021FY")
    return value


def _check_unit(value: str) -> str:
    if value in NON_MONEY_UNITS or CURRENCY_RE.match(value):
        return value
    raise ValueError(f"unit {value!r} must be an ISO currency code or one of {NON_MONEY_UNITS}")


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


# How the `quoted` strategy reads each field from a quote (extract/quoting.py): a period
# quote without a year takes it from the document's fiscal_period; a unit is read off the
# amount quoted for `value` (or `low`), else the document's currency.
def _q(kind: str, **options: Any) -> JsonDict:
    return {"quote": {"kind": kind, **options}}


_PERIOD = _q("period", default_from="fiscal_period", hint="the period of this figure when the text names one next to it")
_UNIT = {"default_from": "currency", "per_share_unit": "per_share", "percent_unit": "%"}


class MetricEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    metric: Metric = Field(description="What the figure measures ('other' for anything not listed)")
    period: str = Field(description="YYYY + Q1..Q4 | H1 | H2 | 9M | FY", json_schema_extra=_PERIOD)
    segment: str | None = Field(None, description="Business line, or the label for 'other'")
    value: float = Field(
        description="Plain number in base units; losses negative", json_schema_extra=_q("amount", signed=True, hint="the figure")
    )
    unit: str = Field(description="ISO currency, %, count, days or per_share", json_schema_extra=_q("unit", of="value", **_UNIT))
    unit_currency: str | None = Field(None, json_schema_extra=_q("unit_currency", of="value"))
    yoy_pct: float | None = Field(None, description="Change on the same period a year before", json_schema_extra=_q("percent"))
    qoq_pct: float | None = Field(None, description="Change on the quarter before", json_schema_extra=_q("percent"))
    evidence: str = Field(min_length=1, description="Verbatim substring stating the value", json_schema_extra=_q("evidence"))
    # Computed by code after grounding, never asked of a model, so left out of the JSON schema a
    # model is given (SkipJsonSchema) and from the quoted strategy's questions ("computed"); not
    # part of the spec's fields and ignored by the scorer.
    checks: SkipJsonSchema[list[Check] | None] = Field(None, json_schema_extra={"quote": {"kind": "computed"}})

    _period = field_validator("period")(_check_period)
    _unit = field_validator("unit")(_check_unit)
    _evidence = field_validator("evidence")(verbatim_evidence)


class GuidanceEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    metric: Metric
    period: str = Field(description="The forecast period", json_schema_extra=_PERIOD)
    segment: str | None = None
    low: float = Field(description="Low end of the forecast (or the point)", json_schema_extra=_q("amount", bound="low"))
    high: float = Field(description="High end of the forecast (or the point)", json_schema_extra=_q("amount", bound="high"))
    unit: str = Field(json_schema_extra=_q("unit", of="low", **_UNIT))
    unit_currency: str | None = Field(None, json_schema_extra=_q("unit_currency", of="low"))
    evidence: str = Field(min_length=1, json_schema_extra=_q("evidence"))

    _period = field_validator("period")(_check_period)
    _unit = field_validator("unit")(_check_unit)
    _evidence = field_validator("evidence")(verbatim_evidence)

    @model_validator(mode="after")
    def _ordered(self) -> GuidanceEntry:
        if self.low > self.high:
            raise ValueError(f"guidance low {self.low} is above high {self.high}")
        return self


class EarningsReport(BaseModel):
    """Earnings facts a document reports: the company, its reporting period and currency, its figures and its guidance."""

    # A gold file is the output of a perfect extractor.
    model_config = ConfigDict(extra="forbid")

    company: Company = Field(default_factory=Company)  # type: ignore[arg-type]  # mypy without the pydantic plugin
    fiscal_period: str | None = Field(None, description="The period the document reports", json_schema_extra=_q("period"))
    period_end: str | None = Field(
        None, description="ISO date, e.g. 2023-06-30", json_schema_extra=_q("date", hint="the last day of the period reported")
    )
    currency: str | None = Field(
        None,
        description="ISO code of the reporting currency",
        json_schema_extra=_q("currency", hint="the currency the figures are in"),
    )
    metrics: list[MetricEntry] = Field(default_factory=list)
    guidance: list[GuidanceEntry] = Field(default_factory=list)

    # Formats are checked by validators, not JSON-schema `pattern`s: llama.cpp's schema-to-
    # grammar converter mistranslates regex escapes such as \d and then cannot load the grammar.
    _fiscal_period = field_validator("fiscal_period")(_check_period)

    _period_end = field_validator("period_end")(iso_date)
    _currency = field_validator("currency")(currency_code)

