"""Strategies: how a document becomes a validated report. Each is one module with `run()`.

- direct: one call, whole document in, whole schema out (the baseline).
- grounded: the schema's own rules find and read every value in code; the model answers only
  the short questions the rules ask (schemas with rules).
- quoted: the model reads the document chunk by chunk and quotes every value verbatim; code
  finds the quotes in the text and reads the values from them (any schema, any length).

A strategy is registered by name in STRATEGIES (name -> module); the CLI, the service and
the eval harness take their choices from STRATEGY_NAMES.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from extract.client import ModelClient, Usage
from extract.resolver import Dropped
from extract.schemas import SchemaInfo


@dataclass
class StrategyOutput:
    report: dict[str, Any]
    usage: Usage = field(default_factory=Usage)
    calls: int = 0
    cached_calls: int = 0
    prompts: dict[str, str] = field(default_factory=dict)  # prompt id -> version
    # what the strategy itself could not ground, and what the schema's rules chose to leave out
    dropped: list[Dropped] = field(default_factory=list)

    def record(self, prompt_id: str, prompt_version: str, cached: bool, usage: Usage) -> None:
        self.calls += 1
        self.cached_calls += int(cached)
        self.usage.add(usage)
        self.prompts[prompt_id] = prompt_version


Strategy = Callable[[ModelClient, SchemaInfo, str], StrategyOutput]


# name -> module with `run(client, schema, text) -> StrategyOutput` and `PROMPTS` (or
# `prompt_ids(schema)`); imported when first used.
STRATEGIES: dict[str, str] = {
    "direct": "extract.strategies.direct",
    "grounded": "extract.strategies.grounded",
    "quoted": "extract.strategies.quoted",
}
STRATEGY_NAMES = tuple(STRATEGIES)


class UnknownStrategyError(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown strategy {name!r}; known: {', '.join(STRATEGY_NAMES)}")


def get_strategy(name: str) -> Strategy:
    if name not in STRATEGIES:
        raise UnknownStrategyError(name)
    run: Strategy = importlib.import_module(STRATEGIES[name]).run
    return run


def strategy_prompts(strategy: str, schema: SchemaInfo) -> dict[str, str]:
    """The prompt templates a strategy may use with a schema, id -> version: recorded with every
    eval run. A strategy's module names its prompts in PROMPTS; where that is empty, the schema's
    rules choose among all of the schema's templates."""
    from extract.prompting import load_prompt, schema_prompts

    if strategy not in STRATEGIES:
        raise UnknownStrategyError(strategy)
    module = importlib.import_module(STRATEGIES[strategy])
    if hasattr(module, "prompt_ids"):
        ids: tuple[str, ...] = module.prompt_ids(schema)
    else:
        ids = tuple(schema.prompt_id(n) for n in (module.PROMPTS or schema_prompts(schema.name)))
    return {i: load_prompt(i).version for i in ids}
