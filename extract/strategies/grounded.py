"""Grounded extraction: the schema's own rules find and read every value in code, and reach the
model only through short prompts of their own (`SchemaInfo.rules`).

Why rules first: measured on this machine, the embedded 1.5B model reads about 16 prompt
tokens a second and gets scales, signs and periods wrong when it writes values itself
(docs/accuracy.md). The rules decide what the model is asked; the engine makes every such
call through the one client (retries, cache, usage) and grounds the result like any other.
"""

from __future__ import annotations

from typing import Any

from extract.client import ModelClient
from extract.prompting import load_prompt
from extract.resolver import Dropped
from extract.schema_api import M, RulesContext, SchemaInfo, model_hash
from extract.strategies import StrategyOutput

PROMPTS: tuple[str, ...] = ()  # each schema's rules name their own prompts (`Ask`)


def run(client: ModelClient, schema: SchemaInfo, text: str) -> StrategyOutput:
    if schema.rules is None:
        raise ValueError(f"schema {schema.name} has no rules for the grounded strategy; use --strategy direct")
    out = StrategyOutput(report={})

    def ask(prompt: str, variables: dict[str, Any], response_model: type[M], *, max_tokens: int) -> M:
        template = load_prompt(schema.prompt_id(prompt))
        result = client.structured(
            prompt=template,
            variables=variables,
            response_model=response_model,
            schema_key={"name": response_model.__name__, "version": schema.version, "hash": model_hash(response_model)},
            max_tokens=max_tokens,
        )
        out.record(template.id, template.version, result.cached, result.usage)
        return result.value

    context = RulesContext(options=schema.resolve_options(client.settings.option_map))
    out.report = schema.rules(text, ask, context)
    out.dropped = [Dropped(entry, reason) for entry, reason in context.dropped]
    return out
