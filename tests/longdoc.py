"""A long annual-report-like document of any length, written by this team (seeded, so the
same arguments give the same text), with earnings facts planted at the start, in the middle
and on the last page. For the long-document tests of the `quoted` strategy and for one
real run on the embedded model:

    python -m tests.longdoc --chars 60000 --lang en > /tmp/long.txt

The company and its figures are invented. `FACTS[lang]` lists each planted sentence with
what a reader should quote from it (the scripted server in the tests answers from it).
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass, field
from typing import Any

# ---------------------------------------------------------------- filler vocabulary (our own words)

FILLER: dict[str, dict[str, list[str]]] = {
    "zh": {
        "subject": ["公司", "本集团", "管理层", "董事会", "各事业部", "研发中心", "销售团队", "生产部门", "审计委员会"],
        "verb": ["持续推进", "稳步落实", "进一步完善", "积极探索", "认真梳理", "系统优化", "有序开展", "全面加强"],
        "object": [
            "生产线的自动化改造", "供应链的协同管理", "客户服务体系", "内部控制制度", "人才培养机制",
            "安全生产责任制", "节能降耗措施", "信息化平台建设", "海外市场的渠道布局", "新产品的验证流程",
            "质量追溯体系", "应收账款的管理", "研发项目的立项评审", "关键原材料的备货策略",
        ],
        "tail": ["，为后续发展打下了基础。", "，相关工作按计划开展。", "，整体进展符合预期。", "，取得了阶段性成效。",
                 "，并将在下一年度继续深化。", "。"],
        "heading": ["经营情况讨论与分析", "核心竞争力分析", "风险因素", "公司治理", "环境与社会责任", "重要事项",
                    "研发投入情况", "人力资源情况", "内部控制评价"],
    },
    "en": {
        "subject": ["The Company", "The Group", "Management", "The Board", "Each business unit", "The research centre",
                    "The sales team", "The production department", "The audit committee"],
        "verb": ["continued to improve", "steadily carried out", "further refined", "actively explored",
                 "carefully reviewed", "systematically optimised", "moved forward with", "strengthened"],
        "object": [
            "the automation of its production lines", "coordination across the supply chain",
            "its customer service system", "its internal control procedures", "its talent development programme",
            "workplace safety responsibilities", "energy saving measures", "its information systems",
            "sales channels in overseas markets", "the validation process for new products",
            "quality traceability", "the management of receivables", "the review of research projects",
            "its stocking policy for key raw materials",
        ],
        "tail": [", laying a foundation for later growth.", ", and the work proceeded as planned.",
                 ", with progress in line with expectations.", ", with results visible at this stage.",
                 ", and will take this further next year.", "."],
        "heading": ["Management discussion and analysis", "Core strengths", "Risk factors", "Corporate governance",
                    "Environment and social responsibility", "Significant events", "Research and development",
                    "Human resources", "Internal control review"],
    },
}


@dataclass(frozen=True)
class Fact:
    """A planted sentence and the quoted entry a reader should give for it."""

    sentence: str
    where: str  # "head", "middle" or "end" (the last page)
    list_name: str | None  # "metrics", "guidance", or None for the document's header facts
    quotes: dict[str, Any] = field(default_factory=dict)
    expect: dict[str, Any] = field(default_factory=dict)  # the value the pipeline should read


FACTS: dict[str, list[Fact]] = {
    "zh": [
        Fact("青岚新材料股份有限公司（股票代码：688917）2024年年度报告", "head", None,
             {"company": {"name": "青岚新材料股份有限公司", "name_en": None, "ticker": "688917", "exchange": None},
              "fiscal_period": "2024年年度", "period_end": None, "currency": None},
             {"fiscal_period": "2024FY"}),
        Fact("报告期内，公司实现营业收入31.8亿元人民币，同比增长9.2%。", "head", "metrics",
             {"metric": "revenue", "period": None, "segment": None, "value": "31.8亿元人民币", "value_negative": False,
              "yoy_pct": "同比增长9.2%", "qoq_pct": None},
             {"metric": "revenue", "period": "2024FY", "value": 3.18e9, "unit": "CNY", "yoy_pct": 9.2}),
        Fact("报告期末，公司货币资金余额为12.4亿元。", "middle", "metrics",
             {"metric": "cash", "period": None, "segment": None, "value": "12.4亿元", "value_negative": False,
              "yoy_pct": None, "qoq_pct": None},
             {"metric": "cash", "period": "2024FY", "value": 1.24e9, "unit": "CNY"}),
        Fact("2024年第四季度，公司实现营业收入8.6亿元人民币，同比增长7.5%。", "end", "metrics",
             {"metric": "revenue", "period": "2024年第四季度", "segment": None, "value": "8.6亿元人民币",
              "value_negative": False, "yoy_pct": "同比增长7.5%", "qoq_pct": None},
             {"metric": "revenue", "period": "2024Q4", "value": 8.6e8, "unit": "CNY", "yoy_pct": 7.5}),
        Fact("第四季度归属于上市公司股东的净亏损为920万元。", "end", "metrics",
             {"metric": "net_income_attributable", "period": "第四季度", "segment": None, "value": "920万元",
              "value_negative": True, "yoy_pct": None, "qoq_pct": None},
             {"metric": "net_income_attributable", "period": "2024Q4", "value": -9.2e6, "unit": "CNY"}),
        Fact("公司预计2025年第一季度营业收入在7.8亿元至8.2亿元之间。", "end", "guidance",
             {"metric": "revenue", "period": "2025年第一季度", "segment": None, "low": "7.8亿元至8.2亿元",
              "high": "7.8亿元至8.2亿元"},
             {"metric": "revenue", "period": "2025Q1", "low": 7.8e8, "high": 8.2e8, "unit": "CNY"}),
    ],
    "en": [
        Fact("Qinglan Advanced Materials Co., Ltd. (stock code: 688917) Annual Report for fiscal year 2024", "head", None,
             {"company": {"name": "Qinglan Advanced Materials Co., Ltd.", "name_en": None, "ticker": "688917",
                          "exchange": None},
              "fiscal_period": "fiscal year 2024", "period_end": None, "currency": None},
             {"fiscal_period": "2024FY"}),
        Fact("For the reporting period, revenue was RMB3.18 billion, up 9.2% year over year.", "head", "metrics",
             {"metric": "revenue", "period": None, "segment": None, "value": "RMB3.18 billion", "value_negative": False,
              "yoy_pct": "up 9.2% year over year", "qoq_pct": None},
             {"metric": "revenue", "period": "2024FY", "value": 3.18e9, "unit": "CNY", "yoy_pct": 9.2}),
        Fact("At the end of the period, cash and cash equivalents stood at RMB1.24 billion.", "middle", "metrics",
             {"metric": "cash", "period": None, "segment": None, "value": "RMB1.24 billion", "value_negative": False,
              "yoy_pct": None, "qoq_pct": None},
             {"metric": "cash", "period": "2024FY", "value": 1.24e9, "unit": "CNY"}),
        Fact("In the fourth quarter of 2024, revenue was RMB860 million, up 7.5% year over year.", "end", "metrics",
             {"metric": "revenue", "period": "fourth quarter of 2024", "segment": None, "value": "RMB860 million",
              "value_negative": False, "yoy_pct": "up 7.5% year over year", "qoq_pct": None},
             {"metric": "revenue", "period": "2024Q4", "value": 8.6e8, "unit": "CNY", "yoy_pct": 7.5}),
        Fact("Net loss attributable to shareholders for the fourth quarter was RMB9.2 million.", "end", "metrics",
             {"metric": "net_income_attributable", "period": "fourth quarter", "segment": None, "value": "RMB9.2 million",
              "value_negative": True, "yoy_pct": None, "qoq_pct": None},
             {"metric": "net_income_attributable", "period": "2024Q4", "value": -9.2e6, "unit": "CNY"}),
        Fact("The Company expects revenue for the first quarter of 2025 to be between RMB780 million and RMB820 million.",
             "end", "guidance",
             {"metric": "revenue", "period": "first quarter of 2025", "segment": None, "low": "RMB780 million",
              "high": "RMB820 million"},
             {"metric": "revenue", "period": "2025Q1", "low": 7.8e8, "high": 8.2e8, "unit": "CNY"}),
    ],
}  # fmt: skip

LAST_PAGE_CHARS = 2000  # "the last page": the end facts sit within this many characters of the end


def _paragraph(rng: random.Random, words: dict[str, list[str]], sentences: int, lang: str) -> str:
    sep = "" if lang == "zh" else " "
    return sep.join(
        f"{rng.choice(words['subject'])}{'' if lang == 'zh' else ' '}{rng.choice(words['verb'])}"
        f"{'' if lang == 'zh' else ' '}{rng.choice(words['object'])}{rng.choice(words['tail'])}"
        for _ in range(sentences)
    )


def long_document(chars: int = 60_000, lang: str = "zh", seed: int = 7) -> str:
    """A document of about `chars` characters (never fewer) with FACTS[lang] planted: the
    header facts first, one fact at the middle, the last-page facts in the final paragraph."""
    words = FILLER[lang]
    facts = FACTS[lang]
    rng = random.Random(seed)
    head = [f.sentence for f in facts if f.where == "head"]
    middle = [f.sentence for f in facts if f.where == "middle"]
    end = [f.sentence for f in facts if f.where == "end"]
    page = "第 {} 页" if lang == "zh" else "Page {}"
    tail = "\n\n".join([
        page.format("末" if lang == "zh" else "(last)"),
        ("" if lang == "zh" else " ").join([end[0], _paragraph(rng, words, 2, lang), *end[1:]]),
    ])  # fmt: skip
    parts = ["\n\n".join(head)]
    size = len(parts[0]) + len(tail)
    section = 0
    placed_middle = False
    while size < chars - 200:
        if section % 3 == 0:
            heading = f"\n\n{section // 3 + 1}. {words['heading'][(section // 3) % len(words['heading'])]}\n\n"
            parts.append(heading)
            size += len(heading)
        para = _paragraph(rng, words, rng.randint(4, 8), lang)
        if not placed_middle and size >= chars // 2:
            para = ("" if lang == "zh" else " ").join([para, *middle])
            placed_middle = True
        parts.append(para + "\n\n" + page.format(section + 1) + "\n\n")
        size += len(parts[-1])
        section += 1
    if not placed_middle:
        parts.append("".join(middle) + "\n\n")
    parts.append(tail)
    text = "".join(parts)
    while len(text) < chars:  # pad the body, before the last page, up to the length asked for
        pad = _paragraph(rng, words, 1, lang) + "\n\n"
        cut = len(text) - len(tail)
        text = text[:cut] + pad + text[cut:]
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=60_000)
    parser.add_argument("--lang", choices=sorted(FILLER), default="zh")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(long_document(args.chars, args.lang, args.seed))


if __name__ == "__main__":
    main()
