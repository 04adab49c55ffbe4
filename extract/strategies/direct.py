"""The baseline: one call, whole document in, whole schema out (JSON schema enforced)."""

from __future__ import annotations

from extract.client import ModelClient, Usage
from extract.prompting import load_prompt
from extract.retry import ExtractionError, TruncatedOutput
from extract.schemas import SchemaInfo
from extract.strategies import StrategyOutput

PROMPTS = ("direct",)  # prompts/<schema>/direct.jinja
MAX_BUDGET = 2048  # tokens; past this a 1.5B model is looping, not reading (and takes minutes)


def run(client: ModelClient, schema: SchemaInfo, text: str) -> StrategyOutput:
    prompt = load_prompt(schema.prompt_id(PROMPTS[0]))
    out = StrategyOutput(report={})
    budget = client.settings.max_tokens
    variables = {"document": text, "json_schema": schema.json_schema}
    schema_key = {"name": schema.name, "version": schema.version, "hash": schema.json_schema_hash}
    spent = Usage()  # attempts that failed, so the cost reported covers every request
    while True:
        try:
            result = client.structured(
                prompt=prompt,
                variables=variables,
                response_model=schema.model,
                schema_key=schema_key,
                max_tokens=budget,
            )
            break
        except ExtractionError as exc:
            spent.add(exc.usage or Usage())
            if not isinstance(exc, TruncatedOutput) or budget * 2 > MAX_BUDGET:
                exc.usage = spent
                raise
            budget *= 2  # truncation is a budget problem: one larger budget, not a blind re-ask
    result.usage.add(spent)
    out.record(prompt.id, prompt.version, result.cached, result.usage)
    out.report = result.value.model_dump(mode="json")
    return out

