"""CorporateEvents: the events a company announces, in the spirit of DuEE-Fin (zh, en).

One entry per event: its type, the announcing company, the announcement date, the fields its
type has, and the evidence (a verbatim slice of the text stating every figure and name). What
a gold file holds (labelling rules):
- An event is one the text's company announces (plan, board approval, completion). An event of
  another company mentioned in passing ("rival X bought back shares last month") is not one.
- acquisition: `company` buys; `target` is what it buys, `counterparty` the seller. disposal:
  `company` sells; `target` is what it sells, `counterparty` the buyer.
- Money (buyback amount, issue proceeds, deal consideration) is `amount_low`/`amount_high` in
  base units: one figure is low == high, "不超过 / up to" only high, "不低于 / at least" only low.
  Share counts likewise in `shares_low`/`shares_high`.
- `per_share`: cash per one share ("每10股派3.5元" is 0.35). Dates are ISO, and only when the
  text states the full date. `announcement_date` is the date the announcement or dispatch bears.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from extract.validators import currency_code, iso_date, verbatim_evidence

VERSION = "1.0.0"  # bump with any change of fields or their meaning (part of the cache key)

EventType = Literal["share_buyback", "share_issue", "acquisition", "disposal", "dividend", "executive_change"]
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]
DATE_FIELDS = ("announcement_date", "record_date", "payment_date", "effective_date")


def _q(kind: str, **options: Any) -> dict[str, Any]:
    """How a quote-reading strategy reads the field from the words it quotes (`quote` in the
    field's JSON schema): money and counts as amounts (one end of a range), dates as dates."""
    return {"quote": {"kind": kind, **options}}


class Event(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: EventType
    company: str = Field(min_length=1, description="The announcing company, as the text names it")
    announcement_date: str | None = Field(None, description="ISO date the announcement bears", json_schema_extra=_q("date"))
    amount_low: float | None = Field(
        None,
        description="Money: buyback amount, proceeds, consideration (base units)",
        json_schema_extra=_q("amount", bound="low"),
    )
    amount_high: float | None = Field(None, json_schema_extra=_q("amount", bound="high"))
    currency: str | None = Field(None, description="ISO code of the amounts and prices", json_schema_extra=_q("currency"))
    shares_low: float | None = Field(
        None, description="Number of shares (bought back, issued)", json_schema_extra=_q("amount", bound="low")
    )
    shares_high: float | None = Field(None, json_schema_extra=_q("amount", bound="high"))
    price: float | None = Field(None, description="Issue or placing price per share", json_schema_extra=_q("amount"))
    price_cap: float | None = Field(None, description="Highest buyback price per share", json_schema_extra=_q("amount"))
    period_months: float | None = Field(None, description="Buyback period in months")
    investors: list[str] = Field(default_factory=list, description="Subscribers of an issue or placement")
    target: str | None = Field(None, description="What is acquired or sold")
    counterparty: str | None = Field(None, description="Seller (acquisition) or buyer (disposal)")
    stake_pct: float | None = Field(
        None, description="Share of the target acquired or sold, in %", json_schema_extra=_q("percent")
    )
    per_share: float | None = Field(None, description="Dividend cash per share", json_schema_extra=_q("amount"))
    record_date: str | None = Field(None, json_schema_extra=_q("date"))
    payment_date: str | None = Field(None, json_schema_extra=_q("date"))
    person: str | None = Field(None, description="Executive who joins or leaves")
    role: str | None = None
    change: Literal["joins", "leaves"] | None = None
    effective_date: str | None = Field(None, json_schema_extra=_q("date"))
    evidence: str = Field(
        min_length=1, description="Verbatim slice of the text stating the event", json_schema_extra=_q("evidence")
    )

    _dates = field_validator(*DATE_FIELDS)(iso_date)
    _currency = field_validator("currency")(currency_code)
    _evidence = field_validator("evidence")(verbatim_evidence)

    @model_validator(mode="after")
    def _ordered(self) -> Event:
        for low, high in ((self.amount_low, self.amount_high), (self.shares_low, self.shares_high)):
            if low is not None and high is not None and low > high:
                raise ValueError(f"range low {low} is above high {high}")
        return self


class CorporateEvents(BaseModel):
    """One document's announced events; a gold file is the output of a perfect extractor."""

    model_config = ConfigDict(extra="forbid")

    events: list[Event] = Field(default_factory=list)
