"""Field checks that any schema's pydantic model can share (`field_validator(...)(check)`).

Formats are checked here, not with JSON-schema `pattern`s: llama.cpp's schema-to-grammar
converter mistranslates regex escapes such as \\d and then cannot load the grammar.
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import ValidationInfo

CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


def verbatim_evidence(value: str, info: ValidationInfo) -> str:
    """Evidence must be verbatim when the document is given as validation context (gold
    checks). During extraction the resolver drops ungrounded entries instead, so one bad
    quote does not cost a whole report."""
    document = (info.context or {}).get("document")
    if document is not None:
        from extract.grounding import is_verbatim

        if not is_verbatim(value, document):
            raise ValueError(f"evidence {value!r} is not a verbatim substring of the document")
    return value


def iso_date(value: str | None) -> str | None:
    if value is not None:
        date.fromisoformat(value)  # ValueError names the problem
    return value


def currency_code(value: str | None) -> str | None:
    if value is not None and not CURRENCY_RE.match(value):
        raise ValueError(f"currency {value!r} must be an ISO code such as CNY, USD, HKD")
    return value
