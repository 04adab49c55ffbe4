"""Scorer tests on hand-made gold/prediction pairs; each figure is worked out by hand."""

from __future__ import annotations

import copy
import json
import sys
import types

import pytest

from extract.evals.scoring import (
    EvidenceIndex,
    classify_wrong_value,
    score_document,
    summarize,
    value_correct,
)
from extract.schemas.earnings_report.scoring import normalize_segment, segments_match

TEXT = "极光2023年第二季度收入为7,330万元人民币，同比下降4%。净亏损为2,370万元人民币。"


def ok(evidence: str, value: float, unit: str | None) -> bool:
    """Test readback: every value reads back (evidence is tested separately)."""
    return True


def m(metric: str, period: str, value, segment=None, *, yoy=None, qoq=None, evidence=None, unit="CNY") -> dict:
    return {"metric": metric, "period": period, "segment": segment, "value": value, "unit": unit,
            "yoy_pct": yoy, "qoq_pct": qoq, "evidence": evidence}


def g(metric: str, period: str, low, high, segment=None, *, evidence=None, unit="USD") -> dict:
    return {"metric": metric, "period": period, "segment": segment, "low": low, "high": high,
            "unit": unit, "evidence": evidence}


def report(metrics=(), guidance=(), *, ticker="JG", fiscal_period="2023Q2", currency="CNY") -> dict:
    return {"company": {"name": "极光", "ticker": ticker}, "fiscal_period": fiscal_period,
            "currency": currency, "metrics": list(metrics), "guidance": list(guidance)}


def score(gold: dict, pred: dict | None, *, text: str = TEXT, doc_id: str = "d1", readback=ok):
    return score_document(doc_id, text, gold, pred, readback=readback)


def statuses(ds, kind="metric") -> list[str]:
    return [r["status"] for r in ds.rows if r["kind"] == kind]


def metric_row(ds, status: str) -> dict:
    rows = [r for r in ds.rows if r["kind"] == "metric" and r["status"] == status]
    assert len(rows) == 1, rows
    return rows[0]


GOLD = report([
    m("revenue", "2023Q2", 73300000, yoy=-4.0, qoq=12.0),
    m("revenue", "2022Q2", 76100000),
    m("net_income", "2023Q2", -23700000),
])


# --------------------------------------------------------------------------- values


def test_exact_match_is_perfect():
    ds = score(GOLD, copy.deepcopy(GOLD))
    assert statuses(ds) == ["correct"] * 3
    s = summarize([ds])
    assert s["overall"]["precision"] == s["overall"]["recall"] == s["overall"]["f1"] == 1.0
    assert s["per_document"]["d1"]["pass"] is True
    assert s["passed_documents"] == 1
    assert all(n == 0 for n in s["error_counts"].values())


@pytest.mark.parametrize(
    ("factor", "expected"),
    [(1.004, "correct"), (0.996, "correct"), (1.006, "wrong_value"), (0.994, "wrong_value")],
)
def test_value_tolerance_is_half_a_percent(factor, expected):
    pred = copy.deepcopy(GOLD)
    pred["metrics"][0]["value"] = 73300000 * factor
    pred["metrics"][2]["value"] = -23700000 * factor  # negative values too
    ds = score(GOLD, pred)
    assert statuses(ds) == [expected, "correct", expected]
    if expected == "wrong_value":
        assert metric_row(ds, "correct")["metric"] == "revenue"
        assert {r["error"] for r in ds.rows if r["status"] == "wrong_value"} == {"other"}


def test_value_correct_edges():
    assert value_correct(100, 100.5)  # exactly 0.5 % counts as within
    assert not value_correct(100, 100.51)
    assert value_correct(0, 0) and not value_correct(0, 0.001)
    assert not value_correct(100, None) and not value_correct(100, "100")
    assert not value_correct(-100, 100)


@pytest.mark.parametrize("ratio", [1e4, 1e-4, 1e8, 1e-8, 10, 0.1, 1e4 * 1.004])
def test_scale_errors(ratio):
    pred = copy.deepcopy(GOLD)
    pred["metrics"][0]["value"] = 73300000 * ratio
    ds = score(GOLD, pred)
    row = metric_row(ds, "wrong_value")
    assert (row["error"], row["gold_value"]) == ("scale", 73300000)
    s = summarize([ds])
    assert s["wrong_value_subclasses"] == {"scale": 1, "sign": 0, "other": 0}
    assert s["errors"]["wrong_value"][0]["error"] == "scale"


@pytest.mark.parametrize("ratio", [1e9, 3.0, 1e4 * 1.01, 2e4])
def test_not_scale_errors(ratio):
    assert classify_wrong_value(73300000, 73300000 * ratio) == "other"


def test_wrong_sign():
    pred = copy.deepcopy(GOLD)
    pred["metrics"][2]["value"] = 23700000  # loss recorded as profit
    ds = score(GOLD, pred)
    row = metric_row(ds, "wrong_value")
    assert (row["metric"], row["error"], row["pred_value"]) == ("net_income", "sign", 23700000)
    assert classify_wrong_value(-100, 100.4) == "sign"
    assert classify_wrong_value(-100, 1000) == "other"  # sign and scale together: not one cause


# --------------------------------------------------------------------------- matching


def test_wrong_period_and_invented():
    gold = report([m("revenue", "2023Q2", 73300000)])
    pred = report([
        m("revenue", "2022Q2", 73300000),  # the right figure under the wrong period
        m("revenue", "2021Q2", 50000000),  # a period the gold does not have, other value
    ])
    ds = score(gold, pred)
    assert sorted(statuses(ds)) == ["invented", "missed", "wrong_period"]
    wp = metric_row(ds, "wrong_period")
    assert (wp["period"], wp["gold_period"]) == ("2022Q2", "2023Q2")
    assert metric_row(ds, "invented")["period"] == "2021Q2"
    s = summarize([ds])
    o = s["overall"]
    assert (o["gold"], o["predicted"], o["correct"]) == (1, 2, 0)
    assert (o["precision"], o["recall"], o["f1"]) == (0.0, 0.0, 0.0)
    assert s["error_counts"]["wrong_period"] == 1 and s["error_counts"]["invented"] == 1
    assert s["error_counts"]["missed"] == 1


def test_wrong_period_needs_value_within_tolerance():
    gold = report([m("revenue", "2023Q2", 73300000)])
    pred = report([m("revenue", "2022Q2", 73300000 * 1.01)])
    assert sorted(statuses(score(gold, pred))) == ["invented", "missed"]


@pytest.mark.parametrize("order", [(73000000, 73300000), (73300000, 73000000)])
def test_duplicate_prediction_counts_as_false_and_closest_wins(order):
    gold = report([m("revenue", "2023Q2", 73300000)])
    pred = report([m("revenue", "2023Q2", v) for v in order])
    ds = score(gold, pred)
    assert metric_row(ds, "correct")["pred_value"] == 73300000  # closest, whatever the order
    assert metric_row(ds, "duplicate")["pred_value"] == 73000000
    o = summarize([ds])["overall"]
    assert (o["gold"], o["predicted"], o["correct"]) == (1, 2, 1)
    assert (o["precision"], o["recall"]) == (0.5, 1.0)
    assert o["f1"] == pytest.approx(2 / 3)


def test_each_gold_matches_one_prediction():
    gold = report([m("revenue", "2023Q2", 100), m("revenue", "2023Q2", 200, "订阅服务")])
    pred = report([m("revenue", "2023Q2", 100), m("revenue", "2023Q2", 100)])
    ds = score(gold, pred)
    assert sorted(statuses(ds)) == ["correct", "duplicate", "missed"]


def test_missing_segment_does_not_match_segment():
    gold = report([m("revenue", "2023Q2", 52000000, "订阅服务")])
    pred = report([m("revenue", "2023Q2", 52000000, None)])
    ds = score(gold, pred)
    assert sorted(statuses(ds)) == ["invented", "missed"]
    assert summarize([ds])["overall"]["correct"] == 0


def test_other_labels_match_by_containment_only_for_other():
    gold = report([m("other", "2021FY", 2670, "全球活跃客户数量", unit="count"),
                   m("revenue", "2021FY", 100, "订阅服务")])
    pred = report([m("other", "2021FY", 2670, "活跃客户数量", unit="count"),
                   m("revenue", "2021FY", 100, "服务")])
    ds = score(gold, pred)
    assert metric_row(ds, "correct")["metric"] == "other"
    assert metric_row(ds, "missed")["segment"] == "订阅服务"
    assert metric_row(ds, "invented")["segment"] == "服务"
    assert segments_match("other", "活跃客户数量", "全球活跃客户数量")
    assert not segments_match("other", "活跃客户", "注册应用")
    assert not segments_match("other", None, "活跃客户")


def test_other_prefers_exact_label_over_containment():
    gold = report([m("other", "2021FY", 5, "用户"), m("other", "2021FY", 6, "付费用户")])
    pred = report([m("other", "2021FY", 6, "付费用户"), m("other", "2021FY", 5, "用户")])
    assert statuses(score(gold, pred)) == ["correct", "correct"]
    # Swapped figures stay wrong: a closer value under a merely containing label loses.
    gold = report([m("other", "2021FY", 100, "用户"), m("other", "2021FY", 40, "付费用户")])
    pred = report([m("other", "2021FY", 40, "用户"), m("other", "2021FY", 100, "付费用户")])
    assert statuses(score(gold, pred)) == ["wrong_value", "wrong_value"]


def test_segment_normalisation():
    assert normalize_segment("订阅服务收入") == "订阅服务"
    assert normalize_segment(" 开发者 服务业务 ") == "开发者服务"
    assert normalize_segment("营收") is None and normalize_segment("  ") is None
    assert normalize_segment(None) is None
    gold = report([m("revenue", "2023Q2", 52000000, "订阅服务"), m("revenue", "2023Q2", 7, "开发者服务")])
    pred = report([m("revenue", "2023Q2", 52000000, "订阅服务收入"), m("revenue", "2023Q2", 7, "开发者 服务业务")])
    assert statuses(score(gold, pred)) == ["correct", "correct"]
    # A segment that is only the metric word is the company-wide figure.
    assert statuses(score(report([m("revenue", "2023Q2", 1)]), report([m("revenue", "2023Q2", 1, "收入")]))) == [
        "correct"
    ]


# --------------------------------------------------------------------------- yoy / qoq


def test_yoy_qoq_accuracy():
    gold = report([
        m("revenue", "2023Q2", 1, yoy=-4.0, qoq=12.0),
        m("gross_profit", "2023Q2", 2, yoy=10.0),
        m("net_income", "2023Q2", -3),  # null/null: not judged
        m("rd_expenses", "2023Q2", 4),
    ])
    pred = report([
        m("revenue", "2023Q2", 1, yoy=-4.08, qoq=12.2),  # yoy within 0.1; qoq off by 0.2
        m("gross_profit", "2023Q2", 2, yoy=-10.0),  # wrong direction
        m("net_income", "2023Q2", -3),
        m("rd_expenses", "2023Q2", 4, yoy=5.0),  # stated by the model, not by the text
    ])
    ds = score(gold, pred)
    s = summarize([ds])
    assert s["yoy"] == {"correct": 1, "total": 3, "accuracy": pytest.approx(1 / 3)}
    assert s["qoq"] == {"correct": 0, "total": 1, "accuracy": 0.0}
    assert s["overall"]["correct"] == 4  # yoy does not change value correctness
    assert [r["metric"] for r in s["errors"]["wrong_yoy"]] == ["gross_profit", "rd_expenses"]
    assert [r["metric"] for r in s["errors"]["wrong_qoq"]] == ["revenue"]
    rows = {r["metric"]: r for r in ds.rows if r["kind"] == "metric"}
    assert rows["net_income"]["yoy_status"] is None
    assert rows["revenue"]["yoy_status"] == "correct"


def test_null_yoy_equals_null_and_unmatched_not_judged():
    gold = report([m("revenue", "2023Q2", 1, yoy=5.0)])
    pred = report([m("revenue", "2022Q2", 9, yoy=5.0)])
    s = summarize([score(gold, pred)])
    assert s["yoy"]["total"] == 0 and s["yoy"]["accuracy"] is None


# --------------------------------------------------------------------------- scalars, guidance


def test_scalars():
    gold = report(ticker="JG", fiscal_period="2023Q2", currency=None)
    d1 = score(gold, report(ticker=" jg", fiscal_period="2023q2", currency=None))
    d2 = score(report(ticker=None), report(ticker=None, currency="USD"), doc_id="d2")
    s = summarize([d1, d2])
    assert s["scalars"]["company.ticker"] == {"correct": 2, "total": 2, "accuracy": 1.0}
    assert s["scalars"]["fiscal_period"] == {"correct": 1, "total": 2, "accuracy": 0.5}
    assert s["scalars"]["currency"] == {"correct": 1, "total": 2, "accuracy": 0.5}
    assert s["per_document"]["d1"]["scalars"] == {"company.ticker": True, "fiscal_period": False, "currency": True}
    assert s["error_counts"]["wrong_scalar"] == 2
    # Scalars do not decide "pass": it is about entries.
    assert s["per_document"]["d1"]["pass"] is True


def test_guidance_scored_on_low_and_high():
    gold = report(guidance=[
        g("revenue", "2022FY", 176000000, 178000000),
        g("revenue", "2022Q1", 40000000, 40000000),
        g("gross_margin", "2022FY", 32, 34, unit="%"),
    ])
    pred = report(guidance=[
        g("revenue", "2022FY", 176500000, 178700000),  # both within 0.5 %
        g("revenue", "2022Q1", 40000000, 41000000),  # high off
        g("revenue", "2023FY", 1, 2),  # invented
    ])
    ds = score(gold, pred)
    assert statuses(ds, "guidance") == ["correct", "wrong_value", "missed", "invented"]
    s = summarize([ds])
    gd = s["guidance"]
    assert (gd["gold"], gd["predicted"], gd["correct"]) == (3, 3, 1)
    assert gd["precision"] == pytest.approx(1 / 3) and gd["recall"] == pytest.approx(1 / 3)
    assert gd["f1"] == pytest.approx(1 / 3)
    assert s["overall"]["gold"] == 0  # guidance is not mixed into metric figures
    assert s["per_document"]["d1"]["pass"] is False
    wrong = next(r for r in ds.rows if r["status"] == "wrong_value")
    assert wrong["gold_value"] == [40000000, 40000000] and wrong["pred_value"] == [40000000, 41000000]


def test_guidance_scale_error_on_both_bounds():
    gold = report(guidance=[g("revenue", "2022FY", 176000000, 178000000)])
    pred = report(guidance=[g("revenue", "2022FY", 17600, 17800)])
    row = next(r for r in score(gold, pred).rows if r["kind"] == "guidance")
    assert (row["status"], row["error"]) == ("wrong_value", "scale")


# --------------------------------------------------------------------------- failures, evidence


def test_failed_document():
    def must_not_run(*_):
        raise AssertionError("readback called for a failed document")

    gold = report([m("revenue", "2023Q2", 1), m("net_income", "2023Q2", -2)],
                  [g("revenue", "2023FY", 1, 2)])
    ds = score_document("bad", TEXT, gold, None, readback=must_not_run, error="timeout after 60s")
    ok_doc = score(GOLD, copy.deepcopy(GOLD), doc_id="good")
    s = summarize([ds, ok_doc])
    assert statuses(ds) == ["missed", "missed"] and statuses(ds, "guidance") == ["missed"]
    assert s["failed_documents"] == [{"doc": "bad", "error": "timeout after 60s"}]
    d = s["per_document"]["bad"]
    assert (d["gold"], d["predicted"], d["f1"], d["pass"]) == (2, 0, 0.0, False)
    assert d["precision"] is None and d["recall"] == 0.0
    assert d["error"] == "timeout after 60s"
    assert d["scalars"] == {"company.ticker": False, "fiscal_period": False, "currency": False}
    o = s["overall"]
    assert (o["gold"], o["predicted"], o["correct"]) == (5, 3, 3)
    assert o["recall"] == pytest.approx(3 / 5) and o["precision"] == 1.0
    assert s["error_counts"]["missed"] == 3
    assert score_document("x", TEXT, gold, None).error  # a default message when none is given
    # A failed extraction states nothing, so even a null gold scalar is not "matched".
    blank = score_document("x", TEXT, report(ticker=None, currency=None), None)
    assert [r["status"] for r in blank.rows if r["kind"] == "scalar"] == ["wrong"] * 3


def test_evidence_verbatim_after_normalisation_and_ungrounded():
    text = "极光2023年第二季度收入为7,330万元人民币，\n同比下降4%。净亏损为2,370万元人民币。"
    gold = report([
        m("revenue", "2023Q2", 73300000),
        m("net_income", "2023Q2", -23700000),
        m("gross_profit", "2023Q2", 5),
        m("rd_expenses", "2023Q2", 6),
    ])
    pred = report([
        # spaces, a line break inside the text, full-width digits and percent sign
        m("revenue", "2023Q2", 73300000, evidence="收入为 7,330万元人民币，同比下降４％"),
        m("net_income", "2023Q2", -23700000, evidence="净亏损为2,370万元人民币"),
        m("gross_profit", "2023Q2", 5, evidence="毛利为5元"),  # not in the text
        m("rd_expenses", "2023Q2", 6, evidence=None),  # no evidence: cannot be grounded
    ])
    seen = []

    def readback(evidence: str, value: float, unit: str | None) -> bool:
        seen.append((value, unit))
        return value != -23700000  # pretend the sign cannot be read back

    ds = score_document("d1", text, gold, pred, readback=readback)
    s = summarize([ds])
    assert [r["verbatim"] for r in ds.rows if r["kind"] == "metric"] == [True, True, False, False]
    assert s["evidence_verbatim_rate"] == 0.5
    assert s["evidence"]["verbatim"] == 2 and s["evidence"]["predicted"] == 4
    assert [r["grounded"] for r in ds.rows if r["kind"] == "metric"] == [True, False, True, False]
    assert s["ungrounded"] == 2
    assert seen == [(73300000, "CNY"), (-23700000, "CNY"), (5, "CNY")]

    idx = EvidenceIndex(text)
    a, b = idx.find("收入为 7,330万元人民币，同比下降４％")
    assert text[a:b] == "收入为7,330万元人民币，\n同比下降4%"


def test_default_readback_is_extract_grounding(monkeypatch):
    calls = []
    fake = types.ModuleType("extract.grounding")
    fake.reads_back = lambda ev, v, unit: calls.append(v) or False
    monkeypatch.setitem(sys.modules, "extract.grounding", fake)
    pred = report([m("revenue", "2023Q2", 73300000, evidence="收入为7,330万元人民币")])
    ds = score_document("d1", TEXT, report([m("revenue", "2023Q2", 73300000)]), pred)
    assert calls == [73300000]
    assert summarize([ds])["ungrounded"] == 1


# --------------------------------------------------------------------------- aggregation


def test_per_language_aggregation():
    gold = report([m("revenue", "2023Q2", 1), m("net_income", "2023Q2", 2)])
    half = report([m("revenue", "2023Q2", 1)])
    docs = [
        score(gold, copy.deepcopy(gold), doc_id="zh1"),  # 2/2 correct
        score(gold, half, doc_id="zh2"),  # 1 of 2, 1 predicted
        score(gold, report([m("revenue", "2023Q2", 5)]), doc_id="en1"),  # 0 of 2, 1 predicted
        score(gold, None, doc_id="hk1"),
    ]
    s = summarize(docs, {"zh1": "zh", "zh2": "zh", "en1": "en", "hk1": "zh-Hant"})
    zh, en, hk = s["per_language"]["zh"], s["per_language"]["en"], s["per_language"]["zh-Hant"]
    assert (zh["documents"], zh["gold"], zh["predicted"], zh["correct"]) == (2, 4, 3, 3)
    assert (zh["precision"], zh["recall"]) == (1.0, 0.75)
    assert zh["f1"] == pytest.approx(6 / 7)
    assert (en["documents"], en["correct"], en["precision"], en["f1"]) == (1, 0, 0.0, 0.0)
    assert (hk["failed"], hk["predicted"], hk["precision"]) == (1, 0, None)
    assert s["per_document"]["en1"]["language"] == "en"
    assert summarize(docs, {"zh1": "zh"})["per_language"]["unknown"]["documents"] == 3
    assert summarize(docs)["per_language"] == {}


def test_two_document_prf_by_hand():
    # doc A: gold 3, predicted 3: revenue and net_income correct, gross_profit wrong value.
    gold_a = report([m("revenue", "2023Q2", 100), m("net_income", "2023Q2", -10), m("gross_profit", "2023Q2", 50)])
    pred_a = report([m("revenue", "2023Q2", 100.3), m("net_income", "2023Q2", -10), m("gross_profit", "2023Q2", 55)])
    # doc B: gold 2, predicted 3: revenue correct, net_income missed, two inventions.
    gold_b = report([m("revenue", "2023Q2", 200), m("net_income", "2023Q2", 20)])
    pred_b = report([m("revenue", "2023Q2", 200), m("cash", "2023Q2", 7), m("eps", "2023Q2", 0.1)])
    s = summarize([score(gold_a, pred_a, doc_id="A"), score(gold_b, pred_b, doc_id="B")])
    o = s["overall"]
    # correct 3, predicted 6, gold 5: P = 3/6, R = 3/5, F1 = 2PR/(P+R) = 0.6/1.1 = 6/11
    assert (o["correct"], o["predicted"], o["gold"], o["matched"]) == (3, 6, 5, 4)
    assert o["precision"] == pytest.approx(0.5)
    assert o["recall"] == pytest.approx(0.6)
    assert o["f1"] == pytest.approx(6 / 11)
    assert o["value_accuracy"] == pytest.approx(3 / 4)
    a, b = s["per_document"]["A"], s["per_document"]["B"]
    assert (a["precision"], a["recall"], a["f1"]) == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    assert (b["precision"], b["recall"], b["f1"]) == pytest.approx((1 / 3, 1 / 2, 0.4))
    pm = s["per_metric"]
    assert (pm["revenue"]["precision"], pm["revenue"]["recall"]) == (1.0, 1.0)
    assert (pm["net_income"]["predicted"], pm["net_income"]["gold"], pm["net_income"]["correct"]) == (1, 2, 1)
    assert pm["net_income"]["recall"] == 0.5 and pm["net_income"]["precision"] == 1.0
    assert pm["gross_profit"]["f1"] == 0.0
    assert pm["cash"]["precision"] == 0.0 and pm["cash"]["recall"] is None
    assert s["error_counts"] == {"missed": 1, "wrong_value": 1, "wrong_period": 0, "invented": 2,
                                 "duplicate": 0, "wrong_yoy": 0, "wrong_qoq": 0, "wrong_scalar": 0}
    json.dumps(s, ensure_ascii=False)  # the summary is written as summary.json


# --------------------------------------------------------------------------- any schema's declaration

from extract.resolver import resolve  # noqa: E402
from extract.schema_api import EntryList, FieldRule, KeyRule, Scoring  # noqa: E402


def _name_key(gold, pred, entry) -> int:
    from extract.evals.scoring import text_equal

    return 2 if gold == pred else 1 if text_equal(gold, pred) else 0


TOY = Scoring(lists=(EntryList(
    path="events", kind="event",
    keys=(KeyRule("type"), KeyRule("company", _name_key)),
    fields=(
        FieldRule("type", ("type",), compare="exact"),
        FieldRule("amount", ("amount_low", "amount_high"), ground="amount"),
        FieldRule("person", ("person",), compare="text", ground="text", on_ungrounded="null"),
        FieldRule("date", ("date",), compare="exact", ground="date", on_ungrounded="null"),
    ),
    show=("type", "company"), group_by=("type", "field"),
),))
TOY_TEXT = "星河科技拟以不超过2亿元回购股份。星河科技董事长张明辞职，自2024年5月20日起生效。"


def ev(type_, company, *, low=None, high=None, person=None, date=None, evidence=None) -> dict:
    return {"type": type_, "company": company, "amount_low": low, "amount_high": high, "person": person,
            "date": date, "evidence": evidence}


def test_a_declared_schema_is_scored_field_by_field():
    gold = {"events": [ev("buyback", "星河科技", high=2e8), ev("exec", "星河科技", person="张明", date="2024-05-20")]}
    pred = {"events": [
        ev("buyback", "星河科技股份有限公司", high=2e8),  # the longer name contains the gold one
        ev("exec", "星河科技", person="张明", date="2024-05-21"),  # wrong date
        ev("dividend", "星河科技", low=1, high=1),  # invented: two rows (type, amount)
    ]}
    ds = score_document("t", TOY_TEXT, gold, pred, scoring=TOY, readback=ok)
    by_field = {(r["type"], r["field"]): r["status"] for r in ds.rows}
    assert by_field == {
        ("buyback", "type"): "correct", ("buyback", "amount"): "correct",
        ("exec", "type"): "correct", ("exec", "person"): "correct", ("exec", "date"): "wrong_value",
        ("dividend", "type"): "invented", ("dividend", "amount"): "invented",
    }
    s = summarize([ds], {"t": "zh"})
    assert (s["overall"]["gold"], s["overall"]["predicted"], s["overall"]["correct"]) == (5, 7, 4)
    assert s["overall"]["f1"] == pytest.approx(8 / 12)
    assert s["per_metric"]["exec.date"]["correct"] == 0 and s["per_language"]["zh"]["documents"] == 1
    assert "guidance" not in s and "yoy" not in s and s["scalars"] == {}
    assert list(s["error_counts"]) == ["missed", "wrong_value", "wrong_period", "invented", "duplicate", "wrong_scalar"]


def test_the_resolver_grounds_a_declared_schema():
    report = {"events": [
        ev("buyback", "星河科技", high=2e8, evidence="星河科技拟以不超过2亿元回购股份"),
        ev("buyback", "星河科技", high=3e8, evidence="星河科技拟以不超过2亿元回购股份"),  # 3亿 not stated: dropped
        ev("exec", "星河科技", person="李华", date="2024-05-20", evidence="星河科技董事长张明辞职，自2024年5月20日起生效"),
    ]}
    out = resolve(report, TOY_TEXT, TOY)
    assert [e["amount_high"] for e in out.report["events"]] == [2e8, None]
    assert out.report["events"][1]["person"] is None  # 李华 is not in the evidence: set to null
    assert out.report["events"][1]["date"] == "2024-05-20"
    assert sorted(d.reason for d in out.dropped) == ["amount_high 3e+08 not stated in its evidence",
                                                    "person '李华' not stated with its evidence; set to null"]
