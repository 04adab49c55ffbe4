"""Resolver: the last gate before output. Every emitted fact is grounded in the document.

Entries whose evidence is not verbatim, or whose value cannot be read back from their
evidence, are dropped and reported, never emitted. Exact duplicates are merged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from extract.grounding import is_verbatim, reads_back


@dataclass
class Dropped:
    entry: dict[str, Any]
    reason: str


@dataclass
class Resolution:
    report: dict[str, Any]
    dropped: list[Dropped] = field(default_factory=list)


def _entry_key(entry: dict[str, Any], kind: str) -> tuple[Any, ...]:
    return (kind, entry.get("metric"), entry.get("period"), entry.get("segment"))


def _ungrounded(entry: dict[str, Any], document: str, values: list[float]) -> str | None:
    evidence = entry.get("evidence") or ""
    if not is_verbatim(evidence, document):
        return "evidence not in document"
    for value in values:
        if not reads_back(evidence, value, entry.get("unit")):
            return f"value {value:g} not stated in its evidence"
    return None


def resolve(report: dict[str, Any], document: str) -> Resolution:
    """Drop ungrounded and duplicate entries from a report dict (the schema's JSON shape)."""
    out = dict(report)
    dropped: list[Dropped] = []
    for kind, value_fields in (("metrics", ("value",)), ("guidance", ("low", "high"))):
        kept: list[dict[str, Any]] = []
        seen: set[tuple[Any, ...]] = set()
        for entry in report.get(kind) or []:
            reason = _ungrounded(entry, document, [entry[f] for f in value_fields])
            key = _entry_key(entry, kind)
            if reason is None and key in seen:
                reason = "duplicate of an earlier entry"
            if reason:
                dropped.append(Dropped(entry, reason))
                continue
            seen.add(key)
            kept.append(entry)
        out[kind] = kept
    return Resolution(out, dropped)
