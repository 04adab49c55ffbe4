"""Strategies: how a document becomes a validated report. Each is one module with `run()`.

- direct: one call, whole document in, whole schema out (the baseline).
- grounded: the schema's own rules find and read every value in code; the model answers only
  the short questions the rules ask (schemas with rules).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from extract.client import ModelClient, Usage
from extract.schemas import SchemaInfo


@dataclass
class StrategyOutput:
    report: dict[str, Any]
    usage: Usage = field(default_factory=Usage)
    calls: int = 0
    cached_calls: int = 0
    prompts: dict[str, str] = field(default_factory=dict)  # prompt id -> version
    dropped: list[tuple[dict[str, Any], str]] = field(default_factory=list)  # (entry, reason): the schema's own drops

    def record(self, prompt_id: str, prompt_version: str, cached: bool, usage: Usage) -> None:
        self.calls += 1
        self.cached_calls += int(cached)
        self.usage.add(usage)
        self.prompts[prompt_id] = prompt_version


Strategy = Callable[[ModelClient, SchemaInfo, str], StrategyOutput]


def get_strategy(name: str) -> Strategy:
    if name == "direct":
        from extract.strategies.direct import run
    elif name == "grounded":
        from extract.strategies.grounded import run
    else:
        raise ValueError(f"unknown strategy {name!r}; known: direct, grounded")
    return run


STRATEGY_NAMES = ("direct", "grounded")


def strategy_prompts(strategy: str, schema: SchemaInfo) -> dict[str, str]:
    """The prompt templates a strategy may use with a schema, id -> version: recorded with every
    eval run. A strategy's module names its prompts in PROMPTS; where that is empty, the schema's
    rules choose among all of the schema's templates."""
    import importlib

    from extract.prompting import load_prompt, schema_prompts

    module = importlib.import_module(f"extract.strategies.{strategy}")
    names = module.PROMPTS or schema_prompts(schema.name)
    return {schema.prompt_id(n): load_prompt(schema.prompt_id(n)).version for n in names}
