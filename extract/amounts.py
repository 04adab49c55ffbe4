"""Find and parse money amounts, counts and percentages in zh/en text (news, filings, press releases).

The model in the pipeline never writes numbers: it points at evidence, and this module
reads the numbers back deterministically. Every pattern runs on a *folded* copy of the
text (full-width ASCII -> ASCII, the few traditional characters the patterns use ->
simplified, U+2212 -> "-", URLs / HTML tags / entities blanked). Folding is 1:1 per code
point, so every offset found in the folded copy is valid in the original string.

Stdlib only; ``cn2an`` is used, if installed, as a last resort for odd Chinese numerals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from extract import deadline

__all__ = [
    "Amount", "Percent", "Range", "normalize_width", "parse_number",
    "find_amounts", "find_percents", "find_ranges", "parse_amount", "currency_code",
]


@dataclass(frozen=True)
class Amount:
    """A money amount, count or day figure; ``text == original[start:end]``."""

    value: float
    unit: str | None
    start: int
    end: int
    text: str
    approx: bool = False
    bound: str | None = None
    per_share: bool = False


@dataclass(frozen=True)
class Percent:
    """A percentage (or 翻番 = 100), signed by its direction word when it has one."""

    value: float
    start: int
    end: int
    text: str
    kind: str | None
    direction: int | None


@dataclass(frozen=True)
class Range:
    """Two amounts or two percents joined by 至 / - / to / between...and; low <= high."""

    low: Amount | Percent
    high: Amount | Percent
    start: int
    end: int
    text: str


# ---------------------------------------------------------------- folding and masking

_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# traditional -> simplified, only for characters that occur in the patterns below
_TRAD = ("萬万 億亿 幣币 圓元 鎊镑 歐欧 個个 戶户 張张 筆笔 較较 與与 長长 減减 漲涨 擴扩 環环 約约"
         " 過过 兩两 點点 餘余 財财 臺台 週周 達达 為为 負负 縮缩 於于 將将 國国 託托 韓韩 門门 號号"
         " 歲岁 時时 東东 價价 權权 項项 輛辆 條条 額额 間间 數数 幾几 灣湾 億亿 倉仓 層层")
# U+FE52 "﹒" (small full stop) is the decimal point of some Hong Kong results pages ("21﹒19億")
_FOLD = _WIDTH | {ord(p[0]): ord(p[1]) for p in _TRAD.split()} | {0x2212: 0x2D, 0xFFE5: 0xA5, 0xFE52: 0x2E}

# URLs, protocol-relative links, HTML tags and entities: numbers inside them are never figures
_MASK_RE = re.compile(
    r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#@!$&*+,;=%]+"
    r"|(?<![\w:])//[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+[A-Za-z0-9\-._~:/?#@!$&*+,;=%]*"
    r"|</?[A-Za-z][^<>]{0,1000}>|&#?[A-Za-z0-9]{1,8};"
)


def normalize_width(text: str) -> str:
    """Full-width ASCII (U+FF01..U+FF5E) and U+3000 -> ASCII; 1:1 so offsets stay valid."""
    return text.translate(_WIDTH)


def _prepare(text: str) -> str:
    """The folded, masked copy every pattern runs on (same length as ``text``)."""
    folded = text.translate(_FOLD)
    return _MASK_RE.sub(lambda m: "\x00" * len(m.group()), folded)


# ---------------------------------------------------------------- vocabularies

_CN_SCALE = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "十亿": 1e9, "亿": 1e8,
             "千万": 1e7, "百万": 1e6, "十万": 1e5, "万": 1e4, "千": 1e3}
_EN_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "mn": 1e6,
             "mln": 1e6, "bn": 1e9, "bln": 1e9, "tn": 1e12, "k": 1e3, "m": 1e6, "mm": 1e6, "b": 1e9}
_CUR_PREFIX = {"US$": "USD", "U.S.$": "USD", "USD": "USD", "HK$": "HKD", "HKD": "HKD",
               "NT$": "TWD", "TWD": "TWD", "S$": "SGD", "SGD": "SGD", "A$": "AUD", "AU$": "AUD",
               "AUD": "AUD", "C$": "CAD", "CA$": "CAD", "CAD": "CAD", "RMB": "CNY", "Rmb": "CNY",
               "CNY": "CNY", "¥": "CNY", "JP¥": "JPY", "JPY": "JPY", "€": "EUR", "EUR": "EUR",
               "£": "GBP", "GBP": "GBP", "₩": "KRW", "KRW": "KRW", "₹": "INR", "INR": "INR",
               "CHF": "CHF", "$": "USD", "人民币": "CNY", "港币": "HKD", "港元": "HKD", "新台币": "TWD"}
# hundredths of the currency
_CENTS = {"港仙": "HKD", "仙": "HKD", "美仙": "USD", "美分": "USD", "分人民币": "CNY", "cents": "USD", "cent": "USD"}
_CUR_SUFFIX = {**_CENTS, "元人民币": "CNY", "元港币": "HKD", "人民币元": "CNY", "人民币": "CNY", "美元": "USD",
               "美金": "USD", "港元": "HKD", "港币": "HKD", "欧元": "EUR", "日元": "JPY", "英镑": "GBP",
               "新台币": "TWD", "台币": "TWD", "新加坡元": "SGD", "新元": "SGD", "澳元": "AUD",
               "加元": "CAD", "韩元": "KRW", "澳门元": "MOP", "瑞士法郎": "CHF", "元": "CNY",
               "rmb": "CNY", "cny": "CNY", "yuan": "CNY", "renminbi": "CNY", "usd": "USD",
               "us dollars": "USD", "u.s. dollars": "USD", "dollars": "USD", "hkd": "HKD",
               "hk dollars": "HKD", "hong kong dollars": "HKD", "eur": "EUR", "euros": "EUR",
               "euro": "EUR", "jpy": "JPY", "yen": "JPY", "gbp": "GBP", "pounds": "GBP", "twd": "TWD"}
# UK pence: "14.8p", "5.4 pence" (the "p" glued to the number or followed by a non-letter)
_CENTS.update({"pence": "GBP", "p": "GBP"})
_CUR_SUFFIX.update({"pence": "GBP", "p": "GBP"})
_CURRENCY_WORDS = {k.lower(): v for k, v in (_CUR_PREFIX | _CUR_SUFFIX).items() if k not in _CENTS}


def currency_words(code: str) -> list[str]:
    """The words and symbols that name currency `code`, longest first (lower case)."""
    return sorted((w for w, c in _CURRENCY_WORDS.items() if c == code), key=len, reverse=True)


def currency_code(word: str) -> str | None:
    """The ISO code of a currency word or symbol ("人民币", "RMB", "US$", "港元", "USD"),
    the longest one the word holds; None when it names none."""
    folded = re.sub(r"\s+", " ", word.translate(_FOLD)).strip().lower()
    if folded in _CURRENCY_WORDS:
        return _CURRENCY_WORDS[folded]
    if re.fullmatch(r"[a-z]{3}", folded) and folded.upper() in _CURRENCY_WORDS.values():
        return folded.upper()
    found = [k for k in _CURRENCY_WORDS if len(k) > 1 and k in folded]
    return _CURRENCY_WORDS[max(found, key=len)] if found else None


_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}


def _alt(words: Iterable[str]) -> str:
    """Regex alternation, longest first so "元人民币" wins over "元"."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _en(words: str) -> str:
    """Case-insensitive English words that are not part of a longer Latin word."""
    return rf"(?i:(?<![A-Za-z])(?:{words})(?![A-Za-z]))"


# ---------------------------------------------------------------- amount pattern pieces

# an Arabic number: "7,330" / "1.163" / "443121"; "," groups only when exactly 3 digits follow.
# Web pages sometimes put a space after the point ("2. 647亿"); that reading is taken only when a
# Chinese scale or currency follows at once, so "in 2019. 5 stores" stays two things.
_SPACED_POINT = r"[0-9]+\.[ ][0-9]+(?=[ \t]?[万亿千百元]|港元|港币|美元|人民币)"
_NUM = _SPACED_POINT + r"|[0-9]{1,3}(?:,[0-9]{3}(?![0-9]))+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
# a Chinese numeral, optionally with 点 decimals: "三千万", "十二亿", "三点五"
_CN_NUM = r"[一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*(?:点[零〇一二三四五六七八九]+)?"
# a scale word after the number (Chinese, or English word with optional space)
_SCALE = (rf"[ \t]?(?:{_alt([k for k in _CN_SCALE if k != '千'])}|千(?![米克瓦卡兆字])"
          r"|(?i:thousand|million|billion|trillion|mln|bln|mn|bn|tn)(?![A-Za-z]))")
# a one-letter scale glued to the number ("$5m", "US$1.2B"); valid only with a currency
_SCALE1 = r"(?:MM|[kKmMbB])(?![A-Za-z])"
# a currency word after the number ("万元人民币" is scale 万 + "元人民币")
_CUR_SUF = (r"[ \t]?(?:" + _alt([k for k in _CUR_SUFFIX if not k.isascii() and k != "元"])
            + r"|元(?![旦宇素件器])|" + _en(r"u\.s\.[ \t]dollars|us[ \t]dollars|hk[ \t]dollars|hong[ \t]kong"
            r"[ \t]dollars|dollars|rmb|cny|yuan|renminbi|usd|hkd|euros?|eur|jpy|yen|gbp|pounds|twd|cents?|pence")
            + r"|(?<=[0-9])p(?![A-Za-z0-9]))")
_CN_COUNTER = (r"个(?!月|季|百分点|交易日|工作日|小时|基点|点)|個(?!月|季|百分點|交易日|工作日|小時|基點|點)"
               r"|家(?!庭)|间|間(?!接)|名|位(?!于)|人次|人|户|次(?!日|年|月)"
               r"|股(?!东|价|权|本|市)|款|项(?!目)|座|台(?!湾)|辆|件|张|份(?!额)|笔|条|套|艘|架|部(?!分|门)|枚|颗|头(?![部条等号牌脑])")
_EN_COUNTER = (r"[ \t](?i:(?:(?:monthly|daily|average|active|paying|new|registered|total|enterprise|unique"
               r"|annual|hotel|business|corporate|retail|individual|institutional|cumulative|net|premium"
               r"|mobile|online|merchant|platform)[ \t]+){0,3}(?:users?|customers?|shares?|ADSs?|ADRs?"
               r"|employees|merchants?|subscribers?|members?|clients?|accounts?|stores?|orders?|transactions?"
               r"|downloads?|units?|vehicles?|people|visitors?|developers?|apps?|devices?|MAUs?|DAUs?"
               r"|buyers?|sellers?|riders?|drivers?|restaurants?|hotels?|partners?|students?|learners?"
               r"|patients?|outlets?|branches|cars?|homes?|deliveries|full-time[ \t]+equivalents|FTEs?))(?![A-Za-z])")
_DAYS = r"天(?![然猫津气使下])|[ \t]?(?i:days?)(?![A-Za-z])"
# a per-share marker after the amount: "/股", "每股", " per ADS", " per diluted share"
_PER_SHARE = (r"[ \t]?(?:[/每][ \t]?(?:股|ADS|ADR|美国存托股|存托股|普通股|份)(?![A-Za-z])|(?i:per[ \t]+"
              r"(?:(?:basic|diluted|and|ordinary|class[ \t]+[a-z]|weighted|average|fully)[ \t]+){0,4}"
              r"(?:shares?|ADSs?|ADRs?|American[ \t]+depositary[ \t]+shares?)(?![A-Za-z]))"
              r"|(?i:,?[ \t]+an?[ \t]+(?:diluted[ \t]+)?(?:share|ADS)(?![A-Za-z])))")

# "每股盈利2.2分": 分 (fen) is a hundredth of a yuan, read so only in a per-share clause
_FEN = r"分(?![钟鐘之析别別部数數行类類享红紅配派期批])"

# the whole amount: [sign][currency][sign]number[多/余][scale][亿..万 remainder][currency|counter|days][per share]
_AMOUNT_RE = re.compile(
    rf"(?<![0-9A-Za-z_.%第])(?<![0-9],)"
    rf"(?:(?<![万亿千百元币金])(?P<sign>[-负]))?"
    rf"(?:(?P<pre>{_alt(_CUR_PREFIX)})[ \t]?(?:(?P<sign2>[-负])|(?P<paren>\())?)?"
    rf"(?:(?P<num>{_NUM})|(?<![数几上成])(?P<cnum>{_CN_NUM}))"
    rf"(?(paren)\))"
    rf"(?P<many>[多余])?"
    rf"(?:(?P<scale>{_SCALE})|(?P<scale1>{_SCALE1}))?"
    rf"(?:(?<=亿)(?P<rem>[0-9]+(?:\.[0-9]+)?)(?P<rscale>千万|万))?"
    rf"(?:(?P<csuf>{_CUR_SUF})|(?P<cnt>{_CN_COUNTER}|{_EN_COUNTER})|(?P<days>{_DAYS})|(?P<fen>{_FEN}))?"
    rf"(?P<ps>{_PER_SHARE})?"
)
# what may follow a bare currency+number and proves it is not an amount ("人民币2022年")
_PCT_WORD = _en(r"percent|pct|per[ \t]cent")
_NOT_AMOUNT_AFTER = re.compile(rf"[ \t]?(?:[年月日号季财周岁时点倍%]|:[0-9]|{_PCT_WORD})")
# a year-like number after "in"/"since"... before an English counter ("in 2023 users")
_YEAR_CONTEXT = re.compile(_en(r"in|since|during|until|through|fiscal|year|by") + r"[ \t]+$")
# approx / bound words just before the amount
_PRE_QUAL = re.compile(
    r"(?:(?P<approx>约为|约合|(?<![签合契节制条公预履违])约|大约|大概|(?<![最附邻])近|将近|接近|"
    + _en(r"about|approximately|approx\.|around|nearly|roughly|almost|close[ \t]+to|circa|some") + ")"
    r"|(?P<lower>超过|超出|超|逾|多于|高于|不低于|不少于|至少|突破|"
    + _en(r"more[ \t]+than|over|above|exceeding|in[ \t]+excess[ \t]+of|at[ \t]+least|greater[ \t]+than"
          r"|upwards[ \t]+of") + ")"
    r"|(?P<upper>不足|不到|低于|少于|不超过|未超过|"
    + _en(r"under|less[ \t]+than|below|fewer[ \t]+than|up[ \t]+to|no[ \t]+more[ \t]+than|at[ \t]+most")
    + r"))[ \t]*$"
)
# approx / bound words just after the amount ("1000万元左右", "以上", "以下")
_POST_QUAL = re.compile(r"[ \t]*(?:(?P<approx>左右|上下)|(?P<lower>以上|之上)|(?P<upper>以下|之下))")
# a per-share context earlier in the clause ("每股收益为", "diluted net income per ADS was")
_PS_CONTEXT = re.compile(r"每股|每ADS|每ADR|每份?美国存托股|每普通股|"
                         + _en(r"EPS|per[ \t]+(?:[A-Za-z-]+[ \t]+){0,3}(?:shares?|ADSs?|ADRs?)"))
# clause boundaries; "," only when not a thousands separator, "." only before a space
_CLAUSE_RE = re.compile(r"[;。!?\n；！？]|,(?![0-9]{3}(?![0-9]))|\.(?=\s|$)")

# ---------------------------------------------------------------- percent pattern pieces

_PCT_POINTS = _en(r"points?|pts")
# a percentage: "4%", "-4.5 %", "4 percent"/"per cent"/"pct" (not "pct points"); 百分之四; 六成; 翻番
_PCT_RE = re.compile(
    rf"(?<![0-9A-Za-z_.%第])(?<![0-9],)(?:(?<![万亿千百元币金])(?P<sign>[-+负]))?"
    rf"(?P<num>{_NUM})[ \t]?(?:%|{_PCT_WORD})(?![ \t]*{_PCT_POINTS})"
    rf"|百分之(?P<cnum>{_CN_NUM}|{_NUM})"
    r"|(?<![0-9.])(?P<cheng>[两三四五六七八九]|[1-9](?:\.5)?)成(?![本为功立交长员果绩都熟型分])"
    rf"|(?P<double>翻了?一?番|翻了?一?倍|{_en('doubled')})"
)
_POS_WORDS = ("增长|增加|成长|上升|提升|上涨|上扬|扩大|提高|攀升|回升|跃升|飙升|激增|大增|走高|增|升|涨|"
              + _en("increased|increases|increase|increasing|up|rose|rises|rise|rising|grew|grows|grow"
                    "|growing|growth|higher|gained|gain|jumped|climbed|surged|expanded|advanced"))
_NEG_WORDS = ("负增长|下降|减少|衰退|下滑|降低|下跌|收窄|缩小|萎缩|回落|下挫|减|降|跌|"
              + _en("decreased|decreases|decrease|decreasing|down|fell|falls|fall|falling|declined"
                    "|declines|decline|declining|lower|dropped|drops|drop|reduced|reduction|shrank"
                    "|contracted|slid|slipped"))
# a direction word ending the text before the number (after filler is stripped)
_DIR_END = re.compile(rf"(?:(?P<none>涨跌|增减|变动|变化)|(?P<pos>{_POS_WORDS})|(?P<neg>{_NEG_WORDS}))$")
# filler allowed between a direction word and its number ("下降了", "增长约", "increased by")
_FILLER_END = re.compile(
    r"(?:[ \t\x00]|了|约为|约|大约|近|将近|接近|达到|达|为|高达|超过|超|逾|不足|不到|分别为|分别|幅度为|幅度|幅"
    r"|率为|率|速|的|有|大幅|显著|明显|稳健|稳步|小幅|进一步|均|也|继续|持续|强劲|快速|"
    + _en(r"by|of|about|approximately|approx\.|around|nearly|roughly|some|almost|over"
          r"|more[ \t]+than|just|only|slightly|an?|was|were|is|at") + ")$")
_YOY_EN = _en(r"year[- ](?:over|on)[- ]year|yoy|y/y|y-o-y|(?:same|corresponding)[ \t]+(?:period|quarter)"
              r"|a[ \t]+year[ \t]+(?:ago|earlier)|prior[- ]year|previous[ \t]+year"
              r"|(?:from|over|versus|vs\.?|compared[ \t]+(?:with|to))[ \t]+last[ \t]+year")
_QOQ_EN = _en(r"quarter[- ](?:over|on)[- ]quarter|qoq|q/q|sequential(?:ly)?"
              r"|(?:previous|prior|last|preceding)[ \t]+quarter")
# comparison markers anywhere before the number in its clause (the last one wins)
# ("年增"/"季增" are Taiwan style yoy/qoq)
_KIND_RE = re.compile(rf"(?P<yoy>同比|按年|同期|较去年|较上年|比去年|比上年|较上一年"
                      rf"|(?<!财)年(?=增|减|成长|衰退)|{_YOY_EN})"
                      rf"|(?P<qoq>环比|按季|上季度|上一季度|前季度|前一季度|上个季度|上季|上一财季|上财季"
                      rf"|(?<![一二三四1-4])季(?=增|减|成长|衰退)|{_QOQ_EN})")
# English comparison markers, searched after the number ("22% year-over-year")
_KIND_EN_RE = re.compile(rf"(?P<yoy>{_YOY_EN})|(?P<qoq>{_QOQ_EN})")
# a change marker right before the number/direction word ("同比下降4%", "同比20%")
_CHANGE_END = re.compile(r"(?:(?P<yoy>同比|按年|(?<![财0-9])年)|(?P<qoq>环比|按季|(?<![一二三四1-4第])季)|"
                         + _en(r"(?P<yoy2>yoy|y/y)|(?P<qoq2>qoq|q/q)") + ")$")
# a direction word right after the percent ("45%的环比增长", "a 4% decrease"), not "提升至"
_DIR_AFTER = re.compile(
    r"[ \t]*的?[ \t]*(?:(?P<kind>同比|环比|" + _en(r"year[- ](?:over|on)[- ]year|yoy|quarter[- ](?:over|on)"
                                                 r"[- ]quarter|qoq|sequential") + r")[ \t]*)?"
    r"(?:(?P<pos>增长|增加|上升|提升|增幅|涨幅|上涨|扩大|提高|" + _en("increase|growth|rise|gain|jump|higher") + ")"
    r"|(?P<neg>下降|减少|下滑|降幅|跌幅|下跌|降低|收窄|缩小|" + _en("decrease|decline|drop|fall|reduction|lower")
    + r"))(?![ \t]*(?:至|到|[0-9]|" + _en("to") + "))")
# separators of a range ("至", "-", "~", "to"; "and"/与/和 only in "between"/"介于…之间")
_RANGE_SEP = re.compile(r"[ \t]*(?:至|到|-|–|—|~|" + _en("to") + r")[ \t]*")
_AND_SEP = re.compile(r"[ \t]*(?:与|和|" + _en("and") + r")[ \t]*")
_BETWEEN_END = re.compile(r"(?:介于|在|" + _en("between") + r")[ \t]*$")
# "from X to Y" / "由X至Y" is a change, not a range (unless "range from")
_FROM_END = re.compile(r"(?:从|由|" + _en("from") + r")[ \t]*$")
_RANGE_FROM_END = re.compile(_en(r"ranges?|ranging") + r"[ \t]+" + _en("from") + r"[ \t]*$")
# a bare number that opens a range whose other end carries the unit ("176-178百万美元", "2-4%")
_TO = _en("to")
_BARE_LOW = re.compile(rf"(?<![0-9A-Za-z_.%第])(?<![0-9],)(?P<num>{_NUM})[ \t]*(?:至|到|-|–|—|~|{_TO})[ \t]*$")


# ---------------------------------------------------------------- numbers

def _digits(num: str) -> str:
    """A matched Arabic number without its group commas and a stray space after the point."""
    return num.replace(",", "").replace(" ", "")


def _cn_int(s: str) -> float:
    """Chinese integer numeral -> value ("两百五十" 250, "三亿五千万" 3.5e8, "三万五" 35000)."""
    if s and all(c in _CN_DIGIT for c in s):  # a digit string such as 二〇二三
        return float("".join(str(_CN_DIGIT[c]) for c in s))
    total, section, num = 0.0, 0.0, 0
    for c in s:
        if c in _CN_DIGIT:
            num = _CN_DIGIT[c]
        elif c in _CN_SMALL:
            section, num = section + (num or 1) * _CN_SMALL[c], 0
        else:  # 万 / 亿 close a section; "一万亿" multiplies what came before
            big, section, num = _CN_BIG[c], section + num, 0
            total = (total + section) * big if 0 < total < big else total + (section or (0 if total else 1)) * big
            section = 0.0
    units = _CN_SMALL | _CN_BIG
    if len(s) >= 2 and s[-1] in _CN_DIGIT and s[-2] in units:  # colloquial "三万五" = 35000
        return total + section + num * units[s[-2]] / 10
    return total + section + num


# a whole Chinese numeral; a trailing scale only after 点 decimals ("三点五亿")
_CN_FULL = re.compile(r"(?P<int>[零〇一二两三四五六七八九十百千万亿]+)"
                      rf"(?:点(?P<frac>[零〇一二三四五六七八九]+)(?P<sc>{_alt(list(_CN_SCALE))})?)?")


def _parse_cn(s: str) -> float | None:
    """Chinese numeral with optional 点 decimals and trailing scale, or None."""
    m = _CN_FULL.fullmatch(s)
    if not m:
        return None
    value = _cn_int(m["int"])
    if m["frac"]:
        value += float("0." + "".join(str(_CN_DIGIT[c]) for c in m["frac"]))
    return value * (_CN_SCALE[m["sc"]] if m["sc"] else 1.0)


_NUMBER_FULL = re.compile(rf"(?P<num>{_NUM})(?P<scale>{_SCALE})?")


def parse_number(s: str) -> float | None:
    """Numeric part of an expression ("7,330", "１２３", "三千", "1.2万"); None if not a number."""
    t = re.sub(r"\s+", "", s.translate(_FOLD)) if s else ""
    sign = -1.0 if t[:1] in ("-", "负") else 1.0
    t = t[1:] if t[:1] in ("-", "+", "负") else t
    m = _NUMBER_FULL.fullmatch(t)
    if m:
        scale = m["scale"].strip().lower() if m["scale"] else ""
        mult = _CN_SCALE.get(scale, _EN_SCALE.get(scale, 1.0))
        return sign * float(Decimal(_digits(m["num"])) * Decimal(int(mult)))
    value = _parse_cn(t) if t else None
    if value is None and t and any(c in _CN_DIGIT or c in "十百千万亿点" for c in t):
        value = _cn2an(t)
    return None if value is None else sign * value


def _cn2an(t: str) -> float | None:
    """Optional fallback for numerals the built-in parser rejects."""
    try:
        import cn2an  # type: ignore[import-not-found]
    except ImportError:
        return None
    try:
        return float(cn2an.cn2an(t, "smart"))
    except Exception:  # cn2an raises bare ValueError/KeyError on junk
        return None


# ---------------------------------------------------------------- amounts

@dataclass(frozen=True)
class _Hit:
    """An amount plus what ranges need to share scale and unit across "1.76至1.78亿美元"."""

    amount: Amount
    scale: float
    has_scale: bool
    has_suffix: bool


def _clause_start(f: str, pos: int, maxlen: int) -> int:
    """Start of the clause containing ``pos``, looking back at most ``maxlen`` chars."""
    start = max(0, pos - maxlen)
    for m in _CLAUSE_RE.finditer(f, start, pos):
        start = m.end()
    return start


def _qualifiers(f: str, start: int, end: int, many: bool) -> tuple[bool, str | None]:
    """approx/bound from words just before ("约", "超过", "under") or after ("左右", "以上")."""
    pre = _PRE_QUAL.search(f, max(0, start - 16), start)
    post = _POST_QUAL.match(f, end)
    groups = [g for m in (pre, post) if m for g in ("approx", "lower", "upper") if m[g]]
    approx = "approx" in groups
    bound = "lower" if ("lower" in groups or many) else ("upper" if "upper" in groups else None)
    return approx, bound


def _currency(m: re.Match[str]) -> str | None:
    """Prefix currency wins ("港币100亿元" is HKD); else the suffix currency."""
    if m["pre"]:
        return _CUR_PREFIX[m["pre"]]
    if m["csuf"]:
        return _CUR_SUFFIX[re.sub(r"\s+", " ", m["csuf"].strip().lower())]
    return None


def _build_amount(m: re.Match[str], f: str, text: str) -> _Hit | None:
    """Validate a candidate match and turn it into an amount (None = not an amount)."""
    cur = _currency(m)
    end = m.end()
    cnt = m["cnt"]
    fen = False
    if m["fen"]:
        ctx = f[max(_clause_start(f, m.start(), 50), m.start() - 50): m.start()]
        fen = bool(_PS_CONTEXT.search(ctx)) and not m["pre"]
        if fen:
            cur = "CNY"
        else:
            end = m.start("fen")
    if cnt and m["pre"]:  # "US$5 users" - the currency decides, the noun is not part of it
        end, cnt = m.start("cnt"), None
    ps = bool(m["ps"]) and cur is not None
    if m["ps"] and not ps:
        end = m.start("ps")
    if m["scale1"] and not cur:
        return None
    scale_txt = (m["scale"] or m["scale1"] or "").strip()
    scale = _CN_SCALE.get(scale_txt) or _EN_SCALE.get(scale_txt.lower(), 1.0)
    has_suffix = bool(m["csuf"] or cnt or m["days"] or fen)
    if m["num"]:
        base = Decimal(_digits(m["num"]))
        has_scale = bool(scale_txt)
        if not (has_scale or cur or cnt or m["days"]):
            return None
    else:
        base = Decimal(repr(_parse_cn(m["cnum"]) or 0.0))
        has_scale = bool(scale_txt) or any(c in "万亿" for c in m["cnum"])
        if not (cur or has_scale or (cnt and any(c in "百千" for c in m["cnum"]))):
            return None
    if not (scale_txt or has_suffix) and _NOT_AMOUNT_AFTER.match(f, end):
        return None
    if cnt == "款" and m["num"] and re.fullmatch(r"(?:19|20)[0-9]{2}", m["num"]):
        return None  # "2021款" is a model year, not a count of models
    if (cnt and cnt[:1] in " \t" and m["num"] and re.fullmatch(r"(?:19|20)[0-9]{2}", m["num"])
            and _YEAR_CONTEXT.search(f, max(0, m.start() - 12), m.start())):
        return None
    exact = base * Decimal(int(scale))  # Decimal: "1.1亿" is 110000000.0, not ...0000001
    if m["rem"]:
        exact += Decimal(m["rem"]) * Decimal(int(_CN_SCALE[m["rscale"]]))
    if m["csuf"] == "p" and (not m["num"] or base >= 1000 or scale_txt):
        return None  # "1080p" is a screen resolution; pence are small numbers
    if fen or (m["csuf"] and m["csuf"].strip().lower() in _CENTS):
        exact = exact / 100
    value = -float(exact) if (m["sign"] or m["sign2"] or m["paren"]) else float(exact)
    unit = cur or ("count" if cnt else "days" if m["days"] else None)
    if cur and not has_scale and not ps:
        ctx = f[max(_clause_start(f, m.start(), 50), m.start() - 50): m.start()]
        ps = bool(_PS_CONTEXT.search(ctx))
    approx, bound = _qualifiers(f, m.start(), end, bool(m["many"]))
    amount = Amount(value, unit, m.start(), end, text[m.start():end], approx, bound, ps)
    return _Hit(amount, scale, has_scale, has_suffix)


def _scan_amounts(text: str, f: str | None = None) -> list[_Hit]:
    """All amounts left to right; a rejected candidate only skips one character."""
    f = _prepare(text) if f is None else f
    deadline.step(len(text))  # the rules call this for every sentence: where a late document stops
    hits: list[_Hit] = []
    pos = 0
    while (m := _AMOUNT_RE.search(f, pos)) is not None:
        deadline.check()
        hit = _build_amount(m, f, text)
        if hit is None:
            pos = m.start() + 1
        else:
            hits.append(hit)
            pos = hit.amount.end
    return hits


def find_amounts(text: str) -> list[Amount]:
    """Money / count / day amounts in order, non-overlapping; bare numbers are skipped."""
    return [h.amount for h in _scan_amounts(text)]


def parse_amount(s: str) -> Amount | None:
    """The first amount in ``s`` (reads a value back from an evidence string)."""
    hits = _scan_amounts(s)
    return hits[0].amount if hits else None


# ---------------------------------------------------------------- percents

def _strip_filler(s: str) -> str:
    """Drop filler ("了", "约", " by ") from the end of ``s``."""
    while s and (m := _FILLER_END.search(s)) is not None and m.start() < len(s):
        s = s[: m.start()]
    return s


def _kind_of(m: re.Match[str] | None) -> str | None:
    if m is None:
        return None
    return "yoy" if (m["yoy"] or m.groupdict().get("yoy2")) else "qoq"


def _pct_raw(m: re.Match[str]) -> tuple[float, bool]:
    """(value with any explicit sign applied, is 翻番) of a percent match. A bare sign is
    not a direction: "经营利润率为-132.6%" is a negative level, not a decrease."""
    if m["double"]:
        return 100.0, True
    if m["cheng"]:  # 六成 / 5成 = 60% / 50%
        return float(_CN_DIGIT.get(m["cheng"]) or m["cheng"]) * 10.0, False
    if m["cnum"]:
        return parse_number(m["cnum"]) or 0.0, False
    value = float(_digits(m["num"]))
    return (-value if m["sign"] in ("-", "负") else value), False


def _clause_end(f: str, pos: int, maxlen: int) -> int:
    """End of the clause containing ``pos``, looking ahead at most ``maxlen`` chars."""
    m = _CLAUSE_RE.search(f, pos, min(len(f), pos + maxlen))
    return m.start() if m else min(len(f), pos + maxlen)


def _after_kind(am: re.Match[str]) -> str | None:
    k = (am["kind"] or "").lower()
    return None if not k else "qoq" if (k == "环比" or k.startswith(("q", "s"))) else "yoy"


def _percent_at(f: str, text: str, span: tuple[int, int], raw: tuple[float, bool],
                floor: int, ceiling: int) -> tuple[Percent, int]:
    """Percent for the number at ``span`` with ``raw`` = (signed value, is 翻番);
    looks back to ``floor`` and ahead to ``ceiling`` for direction and yoy/qoq words.
    Also returns how far its context reached (the next percent's floor)."""
    (nstart, nend), (value, doubled) = span, raw
    word_dir = 1 if doubled else None
    cs = max(_clause_start(f, nstart, 48), floor)
    core = _strip_filler(f[cs:nstart])
    bare = _BARE_LOW.search(core)  # "decrease by 2-4%": the direction reaches over "2-"
    core = _strip_filler(core[: bare.start()]) if bare else core
    start, end, ctx_end, kind = nstart, nend, nend, None
    if doubled and (km := _CHANGE_END.search(core)):  # "同比翻倍"
        start = cs + km.start()
    dm = _DIR_END.search(core)
    if word_dir is None and dm and not dm["none"]:
        word_dir = 1 if dm["pos"] else -1
        km = _CHANGE_END.search(_strip_filler(core[: dm.start()]))
        start = nstart if bare else cs + (km.start() if km else dm.start())
    elif (word_dir is None and not f[cs:nstart].rstrip().endswith("的")  # "较上季的37.2%提升" is a base
          and (am := _DIR_AFTER.match(f, nend)) and am.end() <= ceiling):
        word_dir, end, kind = (1 if am["pos"] else -1), am.end(), _after_kind(am)
        ctx_end = end
    kinds = list(_KIND_RE.finditer(f, cs, nstart))
    if kind is None and kinds:
        kind = _kind_of(kinds[-1])
    elif kind is None and (ke := _KIND_EN_RE.search(f, end, max(end, min(ceiling, _clause_end(f, end, 80))))):
        kind, ctx_end = _kind_of(ke), ke.end()
    adjacent = _CHANGE_END.search(core)
    if word_dir is None:  # a level ("去年同期为40.8%", "较上季的37.2%") is not a change; "同比-5%" is
        kind = _kind_of(adjacent) if adjacent and len(adjacent[0]) > 1 else None
    if word_dir == -1:
        value = -value
    return Percent(value, start, end, text[start:end], kind, word_dir), max(ctx_end, end)


_CONNECTOR = re.compile(r"[ \t]*(?:和|与|及|以及|、|,|或|至|到|-|–|—|~|" + _en("and|or|to|respectively") + r")?[ \t]*")


def _percents(text: str, f: str) -> list[Percent]:
    deadline.step(len(text))
    raws = list(_PCT_RE.finditer(f))
    out: list[Percent] = []
    floor = 0
    for i, m in enumerate(raws):
        deadline.check()
        ceiling = raws[i + 1].start() if i + 1 < len(raws) else len(f)
        p, floor = _percent_at(f, text, m.span(), _pct_raw(m), floor, ceiling)
        prev = out[-1] if out else None
        if (p.direction is None and prev is not None and prev.direction is not None
                and _CONNECTOR.fullmatch(f, prev.end, p.start)):  # "分别增长19%和90%", "增长8%至11%"
            value = -p.value if prev.direction == -1 else p.value
            p = replace(p, value=value, direction=prev.direction, kind=p.kind or prev.kind)
        out.append(p)
    return out


def find_percents(text: str) -> list[Percent]:
    """Percentages in order, each signed by its direction word and tagged yoy/qoq."""
    return _percents(text, _prepare(text))


# ---------------------------------------------------------------- ranges

def _is_range_gap(f: str, low_start: int, gap: tuple[int, int], high_end: int) -> bool:
    """Is f[gap] a range separator? Not for "from X to Y" / "由X至Y" (a change), and
    "and"/与/和 only in "between X and Y" / "介于X与Y之间"."""
    before = f[max(0, low_start - 20): low_start]
    if _AND_SEP.fullmatch(f, *gap):
        between = _BETWEEN_END.search(before)
        return between is not None and (between[0][0] in "bB" or f[high_end:high_end + 3].lstrip().startswith("之间"))
    gap_start, gap_end = gap
    if _RANGE_SEP.fullmatch(f, gap_start, gap_end) is None:
        return False
    return not (_FROM_END.search(before) and not _RANGE_FROM_END.search(before))


def _amount_range(lo: _Hit, hi: _Hit) -> Range | None:
    """Pair two amounts, sharing unit and (when the low side has none) the scale."""
    a, b = lo.amount, hi.amount
    if a.unit and b.unit and a.unit != b.unit:
        return None
    unit = a.unit or b.unit
    shared = not lo.has_scale and not lo.has_suffix and hi.has_scale
    low_value = float(Decimal(repr(a.value)) * Decimal(int(hi.scale))) if shared else a.value
    return _make_range(replace(a, value=low_value, unit=unit), replace(b, unit=unit))


def _percent_range(a: Percent, b: Percent) -> Range:
    """Pair two percents; a direction stated once ("2% to 4% decline") applies to both."""
    d = a.direction if a.direction is not None else b.direction
    kind = a.kind or b.kind

    def fix(p: Percent) -> Percent:
        if p.direction is None and d is not None:
            p = replace(p, value=-p.value if d == -1 else p.value, direction=d)
        return replace(p, kind=p.kind or kind)

    return _make_range(fix(a), fix(b))


def _make_range(a: Amount | Percent, b: Amount | Percent) -> Range:
    """Order by value (so "下降2%至4%" is -4..-2); text is filled in by find_ranges."""
    low, high = (a, b) if a.value <= b.value else (b, a)
    return Range(low, high, min(a.start, b.start), max(a.end, b.end), "")


def _bare_low(f: str, item_start: int, floor: int) -> re.Match[str] | None:
    """A bare number + separator right before an item ("176-" in "176-178百万美元")."""
    m = _BARE_LOW.search(f, max(floor, item_start - 30), item_start)
    if m is None or _FROM_END.search(f, max(0, m.start() - 8), m.start()):
        return None
    return m


def _bare_low_amount(f: str, text: str, hi: _Hit, floor: int) -> Range | None:
    """"176-178百万美元": a bare number before an amount takes its scale and unit."""
    m = _bare_low(f, hi.amount.start, floor)
    if m is None or hi.amount.value < 0:
        return None
    value = float(Decimal(_digits(m["num"])) * Decimal(int(hi.scale)))
    low = Amount(value, hi.amount.unit, m.start("num"), m.end("num"), text[m.start("num"):m.end("num")],
                 per_share=hi.amount.per_share)
    return _make_range(low, hi.amount)


def _bare_low_percent(f: str, text: str, hi: Percent, floor: int) -> Range | None:
    """"2-4%", "增长8至11%": a bare number before a percent is the low end."""
    m = _bare_low(f, hi.start, floor)
    if m is None:
        return None
    # the low end may look past the high end: "decrease by 2-4% year over year"
    low, _ = _percent_at(f, text, m.span("num"), (float(_digits(m["num"])), False), floor, len(f))
    return _percent_range(low, hi)


def find_ranges(text: str) -> list[Range]:
    """Amount and percent ranges ("1.76亿至1.78亿美元", "2%-4%", "between $1m and $2m")."""
    f = _prepare(text)
    found: list[Range] = []
    hits = _scan_amounts(text, f)
    for i, hi in enumerate(hits):
        lo = hits[i - 1] if i else None
        prev_end = lo.amount.end if lo else 0
        if lo and _is_range_gap(f, lo.amount.start, (lo.amount.end, hi.amount.start), hi.amount.end):
            r = _amount_range(lo, hi)
        else:
            r = _bare_low_amount(f, text, hi, prev_end)
        if r:
            found.append(r)
    pcts = _percents(text, f)
    for i, hi_p in enumerate(pcts):
        lo_p = pcts[i - 1] if i else None
        if lo_p and _is_range_gap(f, lo_p.start, (lo_p.end, hi_p.start), hi_p.end):
            found.append(_percent_range(lo_p, hi_p))
        elif (r := _bare_low_percent(f, text, hi_p, lo_p.end if lo_p else 0)) is not None:
            found.append(r)
    found.sort(key=lambda r: (r.start, -r.end))
    out: list[Range] = []
    for r in found:
        if not out or r.start >= out[-1].end:
            out.append(replace(r, text=text[r.start:r.end]))
    return out
