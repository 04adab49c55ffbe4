"""Quotes back to values: the quoted form of any schema, aligning quotes (CJK, width,
whitespace, repeats), reading them with field types, and merging entries across chunks."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import BaseModel, Field

from extract.chunking import Chunk, chunk_text
from extract.fieldtypes import parse_currency, parse_date, parse_period
from extract.quoting import Aligner, Candidate, Reader, merge_entries, plan_for, states_figure
from extract.resolver import Dropped
from extract.schemas import get_schema
from extract.strategies.quoted import _prompt, _variables, assemble

# ---------------------------------------------------------------- a schema the engine has never seen


class Payout(BaseModel):
    """Dividends a company declares."""

    kind: Literal["cash", "stock"] = Field(description="How it is paid")
    per_share: float = Field(
        description="Amount per share", json_schema_extra={"quote": {"kind": "amount", "hint": "the amount per share"}}
    )
    currency: str | None = Field(None, json_schema_extra={"quote": {"kind": "unit", "of": "per_share"}})
    record_date: str | None = Field(None, json_schema_extra={"quote": "date"})
    evidence: str = Field(json_schema_extra={"quote": "evidence"})


class Announcement(BaseModel):
    """A company announcement."""

    company: str | None = None
    period: str | None = Field(None, json_schema_extra={"quote": "period"})
    payouts: list[Payout] = Field(default_factory=list)


def test_plan_of_a_new_schema_needs_no_code() -> None:
    plan = plan_for(Announcement)
    kinds = {f.name: f.kind for f in plan.fields}
    assert kinds == {"company": "text", "period": "period", "payouts": "list"}
    payout = plan.fields[2].sub
    assert payout is not None
    assert {f.name: f.kind for f in payout.fields} == {
        "kind": "label", "per_share": "amount", "currency": "unit", "record_date": "date", "evidence": "evidence",
    }  # fmt: skip
    schema = plan.response.model_json_schema()
    item = schema["$defs"]["PayoutQuotes"]["properties"]
    assert set(item) == {"kind", "per_share", "record_date"}  # code fills currency and evidence
    assert item["kind"]["enum"] == ["cash", "stock"]
    # per_share is required: never null, and the entry begins with it (the anchor of the entry)
    assert item["per_share"]["type"] == "string" and item["per_share"]["minLength"] == 1
    assert item["record_date"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
    assert list(item) == ["per_share", "kind", "record_date"]
    assert set(schema["properties"]) == {"company", "period", "payouts"}


class Placement(BaseModel):
    """A share placement."""

    company: str = Field(min_length=1)
    investors: list[str] = Field(default_factory=list)
    amount: float | None = None
    date: str | None = Field(None, json_schema_extra={"quote": "date"})
    currency: str | None = Field(None, json_schema_extra={"quote": "currency"})
    stake_pct: float | None = Field(None, json_schema_extra={"quote": "percent"})
    evidence: str = Field(json_schema_extra={"quote": "evidence"})


PLACEMENT_DOC = (
    "NEW YORK, May 2, 2024 -- Harbor Lane Holdings, Inc. (NYSE: HLH) sold shares worth $750 million "
    "to Northwind Capital, a 12.5% stake. 另一家公司以港币0.18元派息。"
)


@pytest.mark.parametrize(
    ("field", "restated", "value", "words"),
    [
        ("amount", "$750,000,000", 750_000_000, "$750 million"),
        ("amount", "750000000", 750_000_000, "$750 million"),
        ("date", "2024-05-02", "2024-05-02", "May 2, 2024"),
        ("currency", "USD", "USD", "$"),
        ("currency", "HKD", "HKD", "港币"),
        ("stake_pct", "12.50%", 12.5, "12.5%"),
        ("company", "Harbor Lane Holdings Inc", "Harbor Lane Holdings, Inc", "Harbor Lane Holdings, Inc"),
    ],
)
def test_a_restated_value_is_found_by_its_value_and_read_from_the_text(
    field: str, restated: str, value: object, words: str
) -> None:
    """A small model writes "$750,000,000" for "$750 million": code finds the figure of the
    chunk with that value and reads the value (and the evidence) from the text's own words."""
    plan = plan_for(Placement)
    reader = Reader(PLACEMENT_DOC)
    answer = {"company": "Harbor Lane Holdings, Inc.", field: restated}
    got = reader.read(plan, answer, (0, len(PLACEMENT_DOC)), {})
    assert got.values[field] == value
    span = got.spans[field]
    assert PLACEMENT_DOC[span[0] : span[1]] == words
    assert reader.restated == (0 if restated == words else 1)


def test_restated_values_that_the_text_does_not_state_stay_ungrounded() -> None:
    plan = plan_for(Placement)
    reader = Reader(PLACEMENT_DOC)
    answer = {"company": "Harbor Lane Holdings", "amount": "$700,000,000", "date": "2024-05-03", "currency": "EUR",
              "stake_pct": "15"}  # fmt: skip
    got = reader.read(plan, answer, (0, len(PLACEMENT_DOC)), {})
    assert {k: got.values[k] for k in ("amount", "date", "currency", "stake_pct")} == dict.fromkeys(
        ("amount", "date", "currency", "stake_pct")
    )
    assert len([p for p in got.problems if "not in the document" in p]) == 4
    dollars_of_hk = Reader("派息HK$0.18。")  # the "$" of "HK$" is not US dollars
    got = dollars_of_hk.read(plan, {"company": "派息", "currency": "USD"}, (0, 9), {})
    assert got.values["currency"] is None


def test_a_list_of_plain_values_reads_as_a_list_and_null_words_are_no_quote() -> None:
    plan = plan_for(Placement)
    got = Reader(PLACEMENT_DOC).read(
        plan, {"company": "Harbor Lane", "investors": "Northwind Capital", "date": "null", "currency": "N/A"},
        (0, len(PLACEMENT_DOC)), {},
    )  # fmt: skip
    assert got.values["investors"] == ["Northwind Capital"]
    assert got.values["date"] is None and got.values["currency"] is None and not got.problems
    got = Reader(PLACEMENT_DOC).read(plan, {"company": "Harbor Lane", "investors": None}, (0, len(PLACEMENT_DOC)), {})
    assert got.values["investors"] == []


def test_generic_prompt_lists_the_schema_fields() -> None:
    info = get_schema("earnings_report")
    plan = plan_for(info.model)
    system, user = _prompt(info).render(**_variables(info, plan, "营业收入为3.2亿元。"))
    assert _prompt(info).id == "quoted"  # no prompt of the schema's own: the generic one
    for name in ("metrics", "guidance", "value_negative", "yoy_pct", "fiscal_period", "ticker"):
        assert f"- {name}" in system["content"]
    assert "evidence" not in system["content"].split("Fields:")[1]  # code fills it, the model is not asked
    assert "label: one of revenue, cost_of_revenue" in system["content"]
    assert "营业收入为3.2亿元。" in user["content"]


# ---------------------------------------------------------------- alignment


def test_align_exact_then_width_and_whitespace() -> None:
    doc = "营业收入为３．２亿元人民币，\n同比 增长12%。Revenue was\nRMB320 million."
    al = Aligner(doc)
    assert al.find_all("营业收入") == [(0, 4)]
    (span,) = al.find_all("3.2亿元人民币")  # full-width digits in the text
    assert doc[span[0] : span[1]] == "３．２亿元人民币"
    (span,) = al.find_all("同比增长12%")  # a space in the text
    assert doc[span[0] : span[1]] == "同比 增长12%"
    (span,) = al.find_all("Revenue was RMB320 million")  # a line break in the text
    assert doc[span[0] : span[1]] == "Revenue was\nRMB320 million"
    assert al.find_all("净利润") == []
    assert al.find_all("   ") == []


def test_align_repeated_quotes_within_a_window() -> None:
    doc = "同比增长12%。" * 3
    al = Aligner(doc)
    assert al.find_all("同比增长12%") == [(0, 7), (8, 15), (16, 23)]
    assert al.find_all("同比增长12%", 8, 16) == [(8, 15)]


def test_repeated_quote_taken_nearest_its_value() -> None:
    doc = "一季度营业收入为3.2亿元，同比增长12%。净利润为0.8亿元，同比增长12%。"
    plan = plan_for(get_schema("earnings_report").model)
    metric = next(f for f in plan.fields if f.name == "metrics").sub
    assert metric is not None
    reader = Reader(doc)
    answer = {"metric": "net_income", "period": None, "segment": None, "value": "0.8亿元", "value_negative": False,
              "yoy_pct": "同比增长12%", "qoq_pct": None}  # fmt: skip
    got = reader.read(metric, answer, (0, len(doc)), {"fiscal_period": "2024Q1", "currency": "CNY"})
    assert got.spans["yoy_pct"] == (doc.rindex("同比增长12%"), doc.rindex("同比增长12%") + 7)
    assert got.values["evidence"] == "净利润为0.8亿元，同比增长12%"
    assert got.values["value"] == 80_000_000 and got.values["unit"] == "CNY" and got.values["period"] == "2024Q1"


def test_reading_values_from_quotes() -> None:
    doc = "去年同期净亏损为2,370万元，同比下降4%。每股亏损为0.12美元。预计收入在1.2亿美元至1.3亿美元之间。"
    plan = plan_for(get_schema("earnings_report").model)
    metric = next(f for f in plan.fields if f.name == "metrics").sub
    guidance = next(f for f in plan.fields if f.name == "guidance").sub
    assert metric is not None and guidance is not None
    reader = Reader(doc)
    root = {"fiscal_period": "2023Q2", "currency": "CNY"}
    loss = reader.read(metric, {"metric": "net_income", "period": "去年同期", "value": "2,370万",
                                "value_negative": True, "yoy_pct": "4%"}, (0, len(doc)), root)  # fmt: skip
    # the sign comes from the label; the direction word outside the quote still signs the change
    assert loss.values["value"] == -23_700_000 and loss.values["yoy_pct"] == -4.0
    assert loss.values["period"] == "2022Q2" and loss.values["unit"] == "CNY"
    eps = reader.read(metric, {"metric": "eps", "value": "0.12美元", "value_negative": True}, (0, len(doc)), root)
    assert eps.values["unit"] == "per_share" and eps.values["unit_currency"] == "USD" and eps.values["value"] == -0.12
    rng = reader.read(guidance, {"metric": "revenue", "period": "2023年第三季度", "low": "1.2亿美元至1.3亿美元",
                                 "high": "1.2亿美元至1.3亿美元"}, (0, len(doc)), root)  # fmt: skip
    assert (rng.values["low"], rng.values["high"], rng.values["unit"]) == (120_000_000, 130_000_000, "USD")
    bad = reader.read(metric, {"metric": "revenue", "value": "9.9亿元"}, (0, len(doc)), root)
    assert bad.spans == {} and "not in the document" in bad.problems[0]


@pytest.mark.parametrize(
    "quote,reference,expected",
    [
        ("2023年第二季度", None, "2023Q2"), ("第二季度", "2023FY", "2023Q2"), ("去年同期", "2023Q2", "2022Q2"),
        ("2022年同期", "2023Q2", "2022Q2"), ("Q3 FY24", None, "2024Q3"), ("fiscal 2024 third quarter", None, "2024Q3"),
        ("2023年度第二季度", None, "2023Q2"), ("前三季度", "2024Q3", "20249M"), ("上半年", None, None),
        ("2024上半年", None, "2024H1"), ("上季度", "2024Q1", "2023Q4"), ("二〇二三年全年", None, "2023FY"),
        ("the same quarter last year", "2024Q1", "2023Q1"), ("annualized growth", None, None),
    ],
)  # fmt: skip
def test_period_quotes(quote: str, reference: str | None, expected: str | None) -> None:
    assert parse_period(quote, reference) == expected


def test_date_and_currency_quotes() -> None:
    assert parse_date("截至2023年6月30日") == "2023-06-30"
    assert parse_date("June 30, 2023") == parse_date("30 June 2023") == parse_date("2023-06-30") == "2023-06-30"
    assert parse_date("2023年2月30日") is None
    assert [parse_currency(q) for q in ("人民币", "RMB", "US$", "港元", "ＵＳＤ", "新台币", "no money")] == [
        "CNY", "CNY", "USD", "HKD", "USD", "TWD", None,
    ]  # fmt: skip


# ---------------------------------------------------------------- merging across chunks


def test_overlap_duplicates_merge_and_conflicts_stay() -> None:
    a = Candidate({"metric": "revenue", "value": 1.0, "yoy_pct": None, "evidence": "x"}, {"value": (10, 14)}, 0)
    b = Candidate(
        {"metric": "revenue", "value": 1.0, "yoy_pct": 5.0, "evidence": "xy"}, {"value": (10, 14), "yoy_pct": (20, 23)}, 1
    )
    c = Candidate({"metric": "cash", "value": 1.0, "yoy_pct": None, "evidence": "x"}, {"value": (10, 14)}, 1)
    same = Candidate({"metric": "revenue", "value": 1.0, "yoy_pct": 5.0, "evidence": "elsewhere"}, {"value": (90, 94)}, 2)
    merged = merge_entries([a, b, c, same], ["evidence"])
    assert [m.values for m in merged] == [
        {"metric": "revenue", "value": 1.0, "yoy_pct": 5.0, "evidence": "xy"},  # a + b: one entry, the richer
        {"metric": "cash", "value": 1.0, "yoy_pct": None, "evidence": "x"},  # disagrees on the label: kept
    ]


def test_assemble_across_overlapping_chunks_dedups_and_drops_ungrounded() -> None:
    doc = ("星河科技(纳斯达克:XHKJ)公布2024年第一季度财报。营业收入为3.2亿元人民币，同比增长12%。"
           "毛利为1.1亿元。净亏损为2,370万元。")  # fmt: skip
    info = get_schema("earnings_report")
    plan = plan_for(info.model)
    chunks = chunk_text(doc, 40, 20)
    assert len(chunks) >= 2
    header = {"company": {"name": "星河科技", "name_en": None, "ticker": "XHKJ", "exchange": None},
              "fiscal_period": "2024年第一季度", "period_end": None, "currency": "人民币"}  # fmt: skip
    entries = {
        "营业收入为3.2亿元人民币": {"metric": "revenue", "value": "3.2亿元人民币", "yoy_pct": "同比增长12%"},
        "毛利为1.1亿元": {"metric": "gross_profit", "value": "1.1亿元"},
        "净亏损为2,370万元": {"metric": "net_income", "value": "2,370万元", "value_negative": True},
    }

    def answer(chunk: Chunk) -> dict[str, object]:
        found = [{"period": None, "segment": None, "value_negative": False, "yoy_pct": None, "qoq_pct": None, **e}
                 for s, e in entries.items() if s in chunk.text]  # fmt: skip
        found.append({"metric": "cash", "period": None, "segment": None, "value": "99亿元", "value_negative": False,
                      "yoy_pct": None, "qoq_pct": None})  # invented: in no chunk  # fmt: skip
        head = header if "XHKJ" in chunk.text else {"company": {}, "fiscal_period": None, "currency": None}
        return {**head, "metrics": found, "guidance": []}

    # every chunk that holds a sentence answers for it: the overlap makes some answer twice
    seen = sum(1 for c in chunks for s in entries if s in c.text)
    assert seen > len(entries)
    dropped: list[Dropped] = []
    report = assemble(plan, doc, [(c, answer(c)) for c in chunks], dropped)
    info.model.model_validate(report)
    assert [(m["metric"], m["value"]) for m in report["metrics"]] == [
        ("revenue", 320_000_000), ("gross_profit", 110_000_000), ("net_income", -23_700_000),
    ]  # fmt: skip
    assert report["fiscal_period"] == "2024Q1" and report["currency"] == "CNY"
    assert report["company"]["ticker"] == "XHKJ"
    assert all(m["period"] == "2024Q1" and m["unit"] == "CNY" for m in report["metrics"])
    assert sum("no quote of the entry" in d.reason for d in dropped) == len(chunks)  # the invented one, each time


def test_which_texts_can_hold_an_entry() -> None:
    """Earnings entries need an amount quote (a figure or a margin); an event needs only its
    company, so any text may hold one."""
    assert plan_for(get_schema("earnings_report").model).entry_figures == frozenset({"amount"})
    assert plan_for(get_schema("corporate_events").model).entry_figures == frozenset()
    assert plan_for(Announcement).entry_figures == frozenset({"amount"})
    amount = {"amount"}
    assert not states_figure("Page 6\n\n3. The Board reviewed the plan for the year.", amount)
    assert states_figure("毛利率为35.2%。", amount) and states_figure("Revenue was RMB3.18 billion.", amount)
    assert states_figure("Page 6", {"number"}) and not states_figure("Page 6", {"date", "percent"})
    assert states_figure("on June 30, 2024", {"date"})


def test_a_restated_period_is_found_in_the_sentence_that_names_it() -> None:
    doc = "Qinglan Advanced Materials Annual Report for fiscal year 2024\n\nRevenue was RMB3.18 billion."
    plan = plan_for(get_schema("earnings_report").model)
    reader = Reader(doc)
    got = reader.read(plan, {"fiscal_period": "2024年"}, (0, len(doc)), {})
    assert got.values["fiscal_period"] == "2024FY" and reader.restated == 1
    assert doc[slice(*got.spans["fiscal_period"])] == "Qinglan Advanced Materials Annual Report for fiscal year 2024"
    got = Reader(doc).read(plan, {"fiscal_period": "2023年第二季度"}, (0, len(doc)), {})
    assert got.values["fiscal_period"] is None  # no sentence names that period


def test_a_required_end_of_a_range_left_empty_takes_the_other_end() -> None:
    doc = "公司预计2025年第一季度营业收入约为8亿元。"
    guidance = next(f.sub for f in plan_for(get_schema("earnings_report").model).fields if f.name == "guidance")
    assert guidance is not None
    got = Reader(doc).read(
        guidance, {"low": "8亿元", "high": "8.0亿美元", "metric": "revenue"}, (0, len(doc)), {"fiscal_period": "2024FY"}
    )
    assert got.values["low"] == got.values["high"] == 800_000_000  # a point forecast
    optional = Reader(PLACEMENT_DOC).read(
        plan_for(Placement), {"company": "Harbor Lane", "amount": "$750 million"}, (0, len(PLACEMENT_DOC)), {}
    )
    assert optional.values["amount"] == 750_000_000  # no bounds declared: nothing copied
