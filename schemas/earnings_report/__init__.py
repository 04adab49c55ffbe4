"""earnings_report: earnings facts from news and press releases (zh, zh-Hant, en).

The contract is the spec the gold data follows (`EarningsReport` in `model.py`). Rules for
the `grounded` strategy: `rules.py` (amounts found by the engine's parser, labelled by
`lexicon.py` and `periods.py`, assembled by `annotation.py`; `header.py` finds the ticker).
How it is scored and grounded: `scoring.py`. Prompts: `prompts/earnings_report/`. Gold data: `evals/datasets/earnings*/`.
"""

from extract.schema_api import SchemaInfo
from extract.schemas.earnings_report import crosscheck, rules
from extract.schemas.earnings_report.model import VERSION, EarningsReport
from extract.schemas.earnings_report.scoring import SCORING

SCHEMA = SchemaInfo(
    name="earnings_report", version=VERSION, model=EarningsReport, rules=rules.run, scoring=SCORING,
    options=rules.OPTIONS, review=crosscheck.review,
)  # fmt: skip

__all__ = ["SCHEMA", "EarningsReport"]
