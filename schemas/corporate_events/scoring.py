"""How corporate events are matched, compared and grounded (read by the scorer, the gold check
and the resolver).

- An event matches a gold event of the same type whose company names match (equal after
  folding width, case and spaces, or one contains the other: "云帆" and "云帆集团股份有限公司").
  Among several (two executive changes of one company), the pair agreeing on more fields wins.
- Scored field by field (one row per field either side states): money, shares, prices, stake
  and per-share amounts within 0.5 %; names by containment; dates, currency and `change` exact;
  investors as sets of names. The type and company rows count whether the event was found.
- Grounded: the company is named in the document, the announcement date is stated in it; every
  other figure, date and name is stated in the event's evidence, or it is set to null.
"""

from __future__ import annotations

from typing import Any

from extract.evals.scoring import text_equal
from extract.schema_api import EntryList, FieldRule, KeyRule, Scoring


def _company_key(gold: Any, pred: Any, entry: dict[str, Any]) -> int:
    if gold == pred:
        return 2
    return 1 if text_equal(gold, pred) else 0


def _money(name: str, *paths: str) -> FieldRule:
    return FieldRule(name, paths, ground="amount", on_ungrounded="null")


FIELDS = (
    FieldRule("type", ("type",), compare="exact"),
    FieldRule("company", ("company",), compare="text", ground="text", scope="document"),
    FieldRule("announcement_date", ("announcement_date",), compare="exact", ground="date", scope="document",
              on_ungrounded="null"),
    _money("amount", "amount_low", "amount_high"),
    FieldRule("currency", ("currency",), compare="exact"),
    FieldRule("shares", ("shares_low", "shares_high"), ground="number", on_ungrounded="null"),
    _money("price", "price"),
    _money("price_cap", "price_cap"),
    FieldRule("period_months", ("period_months",), ground="number", on_ungrounded="null"),
    FieldRule("investors", ("investors",), compare="names", ground="text", on_ungrounded="null"),
    FieldRule("target", ("target",), compare="text", ground="text", on_ungrounded="null"),
    FieldRule("counterparty", ("counterparty",), compare="text", ground="text", on_ungrounded="null"),
    _money("stake_pct", "stake_pct"),
    FieldRule("per_share", ("per_share",), ground="per_share", on_ungrounded="null"),
    FieldRule("record_date", ("record_date",), compare="exact", ground="date", on_ungrounded="null"),
    FieldRule("payment_date", ("payment_date",), compare="exact", ground="date", on_ungrounded="null"),
    FieldRule("person", ("person",), compare="text", ground="text", on_ungrounded="null"),
    FieldRule("role", ("role",), compare="text", ground="text", on_ungrounded="null"),
    FieldRule("change", ("change",), compare="exact"),
    FieldRule("effective_date", ("effective_date",), compare="exact", ground="date", on_ungrounded="null"),
)

SCORING = Scoring(
    lists=(
        EntryList(
            path="events",
            kind="event",
            keys=(KeyRule("type"), KeyRule("company", _company_key)),
            fields=FIELDS,
            show=("type", "company"),
            group_by=("type", "field"),
            # two events of one type and company are two events when any value differs
            dedupe=tuple(p for f in FIELDS for p in f.paths if p not in ("type", "company")),
        ),
    ),
)
