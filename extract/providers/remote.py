"""Any OpenAI-compatible endpoint named by configuration (OpenAI, vLLM, Ollama, llama.cpp)."""

from __future__ import annotations

from extract.config import Settings


class RemoteEndpoint:
    kind = "remote"

    def __init__(self, settings: Settings) -> None:
        assert settings.base_url is not None
        self.base_url = settings.base_url
        self.api_key = settings.api_key or "not-needed"  # local servers accept any key
        self.model = settings.model

    @property
    def identity(self) -> dict[str, str]:
        from extract.config import redact_url

        return {"provider": "remote", "model": self.model, "base_url": redact_url(self.base_url)}

    def ensure_ready(self) -> None:
        """Nothing to start: the endpoint is someone else's."""

    def recover(self, allow_restart: bool = True) -> bool:
        return False  # we cannot restart someone else's server

    def close(self) -> None:
        pass
