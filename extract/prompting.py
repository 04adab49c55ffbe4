"""Prompt templates: Jinja2 files in prompts/<schema>/ with an id, a version, a system and a user block.

A template file starts with a header comment naming its id and version:

    {#- id: my_schema/direct
        version: 1.0.0 -#}
    {% block system %}...{% endblock %}
    {% block user %}...{% endblock %}

The cache key carries id, version and a hash of the file, so an edit that forgets to bump
the version still never serves a stale answer.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import jinja2

_HEADER = re.compile(r"\{#-?\s*id:\s*(?P<id>[\w./-]+)\s+version:\s*(?P<version>[\w.-]+)\s*-?#\}")
_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("extract.prompts", "."),
    undefined=jinja2.StrictUndefined,
    autoescape=False,  # prompts are plain text for a model, not HTML
    keep_trailing_newline=False,
    trim_blocks=True,
    lstrip_blocks=True,
)


class PromptError(ValueError):
    pass


@dataclass(frozen=True)
class Prompt:
    id: str
    version: str
    sha: str
    template: jinja2.Template

    def render(self, **context: object) -> list[dict[str, str]]:
        """System and user messages; the system part comes first and stays fixed per prompt
        so llama.cpp can reuse its KV cache across calls."""
        ctx = self.template.new_context(dict(context))
        messages = []
        for role in ("system", "user"):
            block = self.template.blocks.get(role)
            if block is None:
                raise PromptError(f"prompt {self.id} has no {{% block {role} %}}")
            text = "".join(block(ctx)).strip()
            messages.append({"role": role, "content": text})
        return messages

    @property
    def key(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version, "sha": self.sha}


@cache
def load_prompt(prompt_id: str) -> Prompt:
    filename = f"{prompt_id}.jinja"
    try:
        source = resources.files("extract.prompts").joinpath(filename).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"no prompt template {filename} in prompts/") from None
    header = _HEADER.search(source)
    if not header or header.group("id") != prompt_id:
        raise PromptError(f"{filename} must start with {{#- id: {prompt_id} version: X.Y.Z -#}}")
    return Prompt(
        id=prompt_id,
        version=header.group("version"),
        sha=hashlib.sha256(source.encode()).hexdigest()[:16],
        template=_ENV.get_template(filename),
    )


def schema_prompts(schema: str) -> tuple[str, ...]:
    """Names of the templates in prompts/<schema>/ (without the extension)."""
    folder = resources.files("extract.prompts").joinpath(schema)
    if not folder.is_dir():
        return ()
    return tuple(sorted(f.name[: -len(".jinja")] for f in folder.iterdir() if f.name.endswith(".jinja")))
