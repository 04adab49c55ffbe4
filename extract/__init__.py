"""Schema-constrained extraction of structured facts from documents.

`from extract import Extractor` is the public entry point. Imports are lazy so that
light modules (amount parser, document loader) load without the model stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Extractor", "ExtractionResult", "__version__"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from extract.extractor import ExtractionResult, Extractor


def __getattr__(name: str) -> Any:
    if name in ("Extractor", "ExtractionResult"):
        from extract import extractor

        return getattr(extractor, name)
    raise AttributeError(name)
