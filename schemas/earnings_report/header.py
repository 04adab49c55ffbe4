"""Document-level facts by rule: ticker and exchange as the text states them, and the
company names found around the ticker (the model confirms or fills the name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_EXCHANGES = [
    (r"纳斯达克|納斯達克|NASDAQ|Nasdaq", "NASDAQ"),
    (r"纽交所|紐交所|纽约证券交易所|紐約證券交易所|NYSE", "NYSE"),
    (r"港交所|聯交所|联交所|香港交易所|HKEX|SEHK|HKSE", "HKEX"),
    (r"上交所|上海证券交易所|上海證券交易所|SSE", "SSE"),
    (r"深交所|深圳证券交易所|深圳證券交易所|SZSE", "SZSE"),
    (r"北交所|北京证券交易所|BSE", "BSE"),
    (r"SIX\s+Swiss\s+Exchange|SIX", "SIX"),
    (r"LSE|London\s+Stock\s+Exchange", "LSE"),
]
_EXCHANGE_WORDS = "|".join(p for p, _ in _EXCHANGES)
_SEP = r"(?:\s*(?:股票代码|股票代碼|股份代号|股份代號|代码|代碼|ticker|symbol)?\s*[:：]?\s*)"

_TICKER_PATTERNS = [
    # (API.NASDAQ), (BABA.N), (9988.HK), (600519.SH)
    re.compile(r"[（(]\s*([A-Z]{1,6})\s*\.\s*(" + _EXCHANGE_WORDS + r"|O|N)\s*[)）]"),
    re.compile(r"[（(]\s*(\d{4,5})\s*\.\s*HK\b", re.I),
    re.compile(r"[（(:：\s]\s*(\d{6})\s*\.\s*(SH|SZ|BJ)\b", re.I),
    # 纳斯达克股票代码:JG / NASDAQ: JG / 港交所：9988 / (Nasdaq: HXED)
    re.compile(r"(" + _EXCHANGE_WORDS + r")" + _SEP + r"([A-Z]{1,6}(?:\.[A-Z])?|\d{4,6})\b"),
    # 股票代码：600519 (no exchange named)
    re.compile(r"(?:股票代码|股票代碼|证券代码|證券代碼|股份代号|股份代號|stock\s+code)\s*[:：]?\s*(\d{4,6})", re.I),
    # a bare code right after the name: "绿源环保（300956）", "Pinecrest Networks (PCNW)"
    re.compile(r"(?:[\u4e00-\u9fff]{2}|[A-Za-z][a-z]+)\s*[（(]\s*([A-Z]{2,5}|\d{4,6})\s*[)）]"),
    # a name with a bracketed part before its code: "权智(国际)(00601)"; a quote widget "(行情002714,诊股)"
    re.compile(r"[\u4e00-\u9fff][)）]\s*[（(]\s*(\d{4,6})\s*[)）]|[（(]行情\s*(\d{6})\s*[,，]"),
]
# Exchanges named in words rather than beside the code ("港股雲途科技", "Nasdaq-listed").
_EXCHANGE_WORDS_NEAR = [
    (re.compile(r"港股|香港上市|港交所|聯交所|联交所|香港交易所|Hong\s+Kong-listed|Hong\s+Kong\s+Stock\s+Exchange", re.I), "HKEX"),
    (re.compile(r"Nasdaq-listed|纳斯达克上市|納斯達克上市", re.I), "NASDAQ"),
    (re.compile(r"NYSE-listed|纽交所上市|紐交所上市|在纽约证券交易所上市|在紐約證券交易所上市", re.I), "NYSE"),
]
_SUFFIX_EXCHANGE = {"HK": "HKEX", "SH": "SSE", "SZ": "SZSE", "BJ": "BSE", "O": "NASDAQ", "N": "NYSE"}


@dataclass(frozen=True)
class Header:
    ticker: str | None = None
    exchange: str | None = None
    name: str | None = None
    name_en: str | None = None
    anchor: int | None = None  # where the ticker was found: the name is usually just before it


def _exchange(word: str) -> str | None:
    for pattern, code in _EXCHANGES:
        if re.fullmatch(pattern, word, re.I):
            return code
    return _SUFFIX_EXCHANGE.get(word.upper())


def find_header(text: str) -> Header:
    """The ticker nearest the start of the text (the company the article is about comes first;
    a competitor's code comes later), with its exchange when the text names one."""
    head = text[:3000]
    found: list[tuple[int, int, re.Match[str]]] = []
    for i, pattern in enumerate(_TICKER_PATTERNS):
        m = pattern.search(head)
        if m:
            found.append((m.start(), i, m))
    if not found:
        return Header()
    _, i, m = min(found, key=lambda f: (f[0], f[1]))
    if i == 0:
        ticker, exchange = m.group(1), _exchange(m.group(2))
    elif i == 1:
        ticker, exchange = m.group(1), "HKEX"
    elif i == 2:
        ticker, exchange = m.group(1), _SUFFIX_EXCHANGE[m.group(2).upper()]
    elif i == 3:
        ticker, exchange = m.group(2), _exchange(m.group(1))
    else:
        ticker, exchange = m.group(1) or m.group(m.re.groups), None
    if exchange is None:
        exchange = next((code for pattern, code in _EXCHANGE_WORDS_NEAR if pattern.search(head[:1500])), None)
    name, name_en = _names_before(head, m.start())
    return Header(ticker, exchange, name, name_en, m.start())


def _names_before(text: str, pos: int) -> tuple[str | None, str | None]:
    """"…服务商极光(Aurora Mobile,纳斯达克…" -> ("极光", "Aurora Mobile") when the shape is clear."""
    left = text[max(0, pos - 60) : pos]
    inside = text[pos : pos + 80]
    name_en = None
    m = re.match(r"[（(]\s*([A-Z][A-Za-z0-9&.\- ]{1,40}?)\s*[,，;；]", inside)
    if m:
        name_en = m.group(1).strip()
    m = re.search(r"([A-Z][A-Za-z0-9&.\-]*(?:\s+[A-Z][A-Za-z0-9&.\-]*){0,5})\s*$", left)
    cn = re.search(r"([\u4e00-\u9fff]{2,12})\s*([A-Za-z][A-Za-z0-9 ]{0,30})?\s*$", left)
    if cn:
        return cn.group(1), name_en or (cn.group(2).strip() if cn.group(2) else None)
    if m:
        return m.group(1).strip(), name_en
    return None, name_en
