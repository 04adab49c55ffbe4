"""corporate_events: events a company announces (buybacks, share issues, acquisitions and
disposals, dividends, executive changes), zh and en, in the spirit of DuEE-Fin.

The contract: `CorporateEvents` in `model.py` (labelling rules in its docstring). How it is
scored and grounded: `scoring.py`. Rules for the `grounded` strategy: `rules.py`, with its word
tables in `lexicon.py`. Prompts: `prompts/corporate_events/`. Gold data:
`evals/datasets/corporate_events/`.
"""

from extract.schema_api import SchemaInfo
from extract.schemas.corporate_events import rules
from extract.schemas.corporate_events.model import VERSION, CorporateEvents
from extract.schemas.corporate_events.scoring import SCORING

SCHEMA = SchemaInfo(name="corporate_events", version=VERSION, model=CorporateEvents, rules=rules.run, scoring=SCORING)

__all__ = ["SCHEMA", "CorporateEvents"]
