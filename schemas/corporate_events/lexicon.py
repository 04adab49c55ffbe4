"""Word tables of the corporate_events rules (zh, zh-Hant, en): data, apart from the code in
rules.py that applies them. Every pattern is linear: bounded repeats over one class, no nesting.
"""

from __future__ import annotations

import re

# What starts an event, by type: a sentence holding one of these speaks of that event.
# Order matters where a sentence holds several (a placing's "发行" beside a buyback's "回购"
# cannot happen in one sentence of our data; the first type listed wins).
TRIGGERS: dict[str, re.Pattern[str]] = {
    "share_buyback": re.compile(r"回购|回購|购回|購回|buy\s?-?backs?|buy back|repurchas", re.IGNORECASE),
    "dividend": re.compile(r"权益分派|權益分派|现金红利|現金紅利|股息|派息|分红|分紅|红利|dividend", re.IGNORECASE),
    "share_issue": re.compile(
        r"定增|发行对象|认购对象|向特定对象发行|非公开发行|发行股票|发行价格|配售|配股|增发|\bplacing\b|\bplacement\b|new shares|share offering",
        re.IGNORECASE,
    ),
    "disposal": re.compile(r"出售|转让给|轉讓予|转让所持|\bsell\b|\bsells\b|\bsale of\b|\bdivest|\bdispos", re.IGNORECASE),
    "acquisition": re.compile(
        r"收购|收購|购买[^，。]{0,40}股权|購買[^，。]{0,40}股權|\bacquire|\bacquisition of\b|\bto buy\b|\bpurchase of\b", re.IGNORECASE
    ),
    "executive_change": re.compile(
        r"辞去|辭去|辞职|辭職|聘任|任命|选举|選舉|委任|\bappoint|\bnamed\b|\bnames\b|\bresign|\bstep down|\bsteps down|\bretire",
        re.IGNORECASE,
    ),
}

# A sentence that tells of another company's event in passing, not this text's announcement.
PASSING = re.compile(
    r"同行业的|同行業的|同为|同為|此前，|此前,|另一家|另据|\brival\b|\bcompetitor\b|\bpeer\b|similar move by|"
    r"\bfollows\b.{0,40}\bby\b",
    re.IGNORECASE,
)

# Words before an amount that make it a bound: the upper ("不超过2亿元", "up to $750 million")
# or the lower ("不低于1亿元", "at least"). Looked for in the few characters before the amount.
UPPER = re.compile(r"(不超过|不超過|不高于|不高於|不多于|上限为|上限|最高|最多为|最多為|最多|至多|up to|not more than|no more than|a maximum of|not exceeding)\W{0,3}(人民币|人民幣|港币|港幣|美元|approximately|about)?\s*$", re.IGNORECASE)
LOWER = re.compile(r"(不低于|不低於|不少于|不少於|下限为|至少|at least|not less than|no less than|a minimum of)\W{0,3}(人民币|人民幣|港币|港幣|美元|approximately|about)?\s*$", re.IGNORECASE)

# Prices per share: the amount is followed by "/股", "per share", or preceded by 每股.
PER_SHARE_AFTER = re.compile(r"\s*(/股|/ 股|per\s+(?:[A-Za-z]{1,12}\s+){0,2}share)", re.IGNORECASE)
PER_SHARE_BEFORE = re.compile(r"(每股|per share of)\s*(人民币|人民幣|港币|港幣|港元)?\s*$")

# Dividends stated per N shares: 每10股派发现金红利3.20元 -> 0.32 a share.
PER_LOT = re.compile(r"每\s*(\d{1,4})\s*股\s*派(?:发|發|送)?\s*(?:现金红利|現金紅利|现金股利|現金股利|现金|現金)?\s*(?:人民币|人民幣)?\s*(\d{1,6}(?:\.\d{1,6})?)\s*元")

# Counts that are not the event's shares: the share capital, the base of a dividend.
NOT_A_COUNT = re.compile(r"总股本|總股本|基数|基數|outstanding|remaining")
# A sentence that works a figure out rather than stating a term of the plan.
ESTIMATE = re.compile(r"测算|測算|预计回购|預計回購|estimated")

# Share counts the amount parser misses: "120,000,000 Placing Shares".
EN_SHARES = re.compile(r"(\d{1,3}(?:,\d{3})+|\d{1,12})\s+(?:new\s+|placing\s+|ordinary\s+|common\s+)?shares\b", re.IGNORECASE)

# Buyback periods: "12个月内", "十二个月", "24 months".
MONTHS = re.compile(r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s*个月|(\d{1,2})\s+months", re.IGNORECASE)

# Dates by their role, found in the text just before a date (zh) or around it (en).
RECORD_BEFORE = re.compile(r"(股权登记日|股權登記日|登记日|record date|holders of record|shareholders of record)[^。\n]{0,40}$", re.IGNORECASE)
RECORD_AFTER = re.compile(r"^\s*(名列|在册|登记在册)")
PAYMENT_BEFORE = re.compile(r"(发放日|派付日|支付日|payable|paid|payment date)[^。\n]{0,12}$|(将于|將於|预期将于|預期將於)\s*$", re.IGNORECASE)
PAYMENT_AFTER = re.compile(r"^\s*(派付|派发|派發|支付|发放|發放|通过股东托管证券公司直接划入|通過)")
EFFECTIVE_BEFORE = re.compile(r"(effective|生效日期为|自)\s*(on\s+)?$", re.IGNORECASE)
EFFECTIVE_AFTER = re.compile(r"^\s*(起生效|起正式生效|生效)")
RETIRE_ON = re.compile(r"\b(retire|step down|resign|leave)[^.;]{0,60}\bon\s*$", re.IGNORECASE)

# Executive roles (longest first, so 副董事长 wins over 董事长).
ROLES_ZH = (
    "副董事长", "董事长", "副总经理", "总经理", "副总裁", "总裁", "首席执行官", "首席财务官", "财务总监",
    "董事会秘书", "首席技术官", "首席运营官", "主席", "行政總裁", "財務總監", "副總經理", "總經理", "董事",
)  # fmt: skip
ROLES_EN = (
    "Chief Executive Officer", "Chief Financial Officer", "Chief Operating Officer", "Chief Technology Officer",
    "Chief Risk Officer", "Chief Marketing Officer", "Executive Chairman", "Chairman", "Chairwoman", "Chair", "President", "CEO", "CFO", "COO", "CTO",
    "Company Secretary", "General Counsel", "Vice President",
)  # fmt: skip
_ROLE_ZH = "|".join(ROLES_ZH)
_ROLE_EN = "|".join(ROLES_EN)
_NAME_EN = r"[A-Z][a-z]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z'\-]+){1,2}"
_NAME_ZH = r"[\u4e00-\u9fff]{2,3}?"

# Who joins or leaves which role. Each pattern has the groups person and role.
JOINS = (
    re.compile(rf"(?:聘任|聘请|任命|选举|選舉|委任)(?P<person>{_NAME_ZH})(?:先生|女士)?(?:担任|擔任|为|為)(?:公司)?(?:第.{{1,3}}届董事会)?(?P<role>{_ROLE_ZH})"),
    re.compile(rf"\bappoint(?:ed|s)?\s+(?P<person>{_NAME_EN})(?:,[^,]{{1,60}},)?\s+as\s+(?:its\s+|the\s+|our\s+)?(?P<role>(?:interim\s+|acting\s+)?(?:{_ROLE_EN}))"),
    re.compile(rf"\bname[sd]?\s+(?P<person>{_NAME_EN})\s+(?:as\s+)?(?:its\s+|the\s+)?(?P<role>(?:interim\s+|acting\s+)?(?:{_ROLE_EN}))"),
)
LEAVES = (
    re.compile(rf"(?P<person>{_NAME_ZH})(?:先生|女士)?(?:因[^，。]{{1,12}}[，,]?)?(?:申请|申請)?(?:辞去|辭去)(?:公司|本公司)?(?P<role>{_ROLE_ZH})"),
    re.compile(rf"(?P<role>{_ROLE_ZH})(?P<person>{_NAME_ZH})(?:先生|女士)?(?:的)?(?:书面)?(?:辞职|辭職)"),
    re.compile(rf"(?P<role>(?:{_ROLE_EN}))\s+(?P<person>{_NAME_EN})\s+(?:will\s+|has\s+decided\s+to\s+|plans\s+to\s+)?(?:step|steps|resign|resigns|retire|retires|leave|leaves)\b"),
    re.compile(rf"(?P<person>{_NAME_EN}),?\s+(?:who\s+)?(?:will\s+|has\s+decided\s+to\s+|plans\s+to\s+)?(?:retire|resign|step down|leave)s?\s+as\s+(?:its\s+|the\s+)?(?P<role>{_ROLE_EN})"),
    re.compile(rf"(?P<role>(?i:{_ROLE_EN})),\s+(?P<person>{_NAME_EN}),\s+(?:would|will|is to|plans to|has decided to)\s+(?:retire|resign|step down|leave)\b"),
    re.compile(rf"(?P<person>{_NAME_EN})\s+notified[^.]{{0,120}}\bresign\s+as\s+(?P<role>{_ROLE_EN})"),
)

# Characters no Chinese personal name holds: a "name" with them is a word of the sentence
# ("董事会秘书辞职" is not role 董事 and person 会秘书).
NOT_NAME_ZH = re.compile(r"[会會秘书書职職务務公司董事长長经經理总總辞辭聘任及和与與的为為]")

# Deals: target, stake and counterparty. Groups: target, stake, counterparty (each optional).
ACQUIRE = (
    re.compile(r"(?:收购|购买|購買)(?:自然人|股东|股東)?(?P<counterparty>[\u4e00-\u9fffA-Za-z（）()]{2,30}?)(?:持有|所持)的(?P<target>[\u4e00-\u9fffA-Za-z（）()]{2,30}?)(?P<stake>\d{1,3}(?:\.\d{1,2})?%)(?:的)?股权"),
    re.compile(r"(?:向(?P<counterparty0>[\u4e00-\u9fffA-Za-z（）()]{2,30}?))?收购(?P<target>[\u4e00-\u9fffA-Za-z（）()]{2,30}?)(?P<stake>\d{1,3}(?:\.\d{1,2})?%)(?:的)?股权"),
    re.compile(r"\b(?:acquire|buy|purchase)\s+(?:an?\s+|the\s+)?(?:(?P<stake>\d{1,3}(?:\.\d{1,2})?%)\s+(?:equity\s+)?(?:interest|stake)\s+in\s+)?(?P<target>[A-Z][\w&'.\-]*(?:\s+[A-Z][\w&'.\-]*){0,5})(?:\s+from\s+(?P<counterparty>[A-Z][\w&'.\-]*(?:\s+[A-Z][\w&'.\-]*){0,5}))?"),
)
COUNTERPARTY_ZH = re.compile(r"交易对方为(?:[\u4e00-\u9fff]{0,12}的)?(?:实际控制人)?(?P<counterparty>[\u4e00-\u9fffA-Za-z（）()]{2,30}?)(?:及其|及|和|、|，|。|$)")
DISPOSE = (
    re.compile(r"将(?:所持有的|所持|持有的)?(?P<target>[\u4e00-\u9fffA-Za-z（）()]{2,30}?)(?P<stake>\d{1,3}(?:\.\d{1,2})?%)(?:的)?股权(?:转让给|转让予|出售给|出售予)(?P<counterparty>[\u4e00-\u9fffA-Za-z（）()]{2,30}?)(?:，|,|。|$)"),
    re.compile(r"\bsell\s+(?:its\s+|the\s+|a\s+)?(?:(?P<stake>\d{1,3}(?:\.\d{1,2})?%)\s+(?:stake|interest)\s+in\s+)?(?P<target>[\w&'.\- ]{2,60}?)\s+to\s+(?:[a-z\- ]{0,30}\s)?(?P<counterparty>[A-Z][\w&'.\-]*(?:\s+[A-Z][\w&'.\-]*){0,5})"),
)
# Subscribers of a placement: "分别为A有限公司、B有限公司", "向瑞通投资控股有限公司发行".
_ORG_ZH = r"[\u4e00-\u9fffA-Za-z（）()]{2,30}?(?:有限公司|有限责任公司|合伙企业（有限合伙）)"
INVESTORS_ZH = re.compile(rf"(?:分别为|分別為|向)((?:{_ORG_ZH}[、，,和及]?){{1,10}})")
INVESTOR_ZH = re.compile(_ORG_ZH)

# Words that end a name taken from an English pattern ("Bluewater Solar Ltd. from" stops at from).
NAME_STOP = re.compile(r"\s+(?:for|from|to|in|at|on|by|and|with)\b.*$")

# The announcing company.
LEGAL_SUFFIX_ZH = re.compile(r"(?m)^[ \t\u3000]*[\u4e00-\u9fffA-Za-z]{2,24}?(?:集团股份有限公司|股份有限公司|控股有限公司|控股有限公司|有限责任公司|有限公司|集團股份有限公司|控股有限公司)")
TICKER_ZH = re.compile(r"(?P<name>[\u4e00-\u9fffA-Za-z]{2,12}?)[（(]\d{6}(?:\.[A-Z]{2})?[）)]")
FLASH_ZH = re.compile(r"(?:【[^】]{1,8}】)?(?P<name>[\u4e00-\u9fffA-Za-z]{2,10})[：:]")
ANNOUNCES_ZH = re.compile(r"(?P<name>[\u4e00-\u9fff]{2,8}?)(?:（\d{6}）)?(?:\d{4}年)?(?:\d{1,2}月\d{1,2}日)?(?:晚间|晚間|早间)?(?:发布)?公告")
TICKER_EN = re.compile(r"(?P<name>[A-Z][\w&'.\-]*(?:,?\s+[A-Z][\w&'.\-]*){0,6})\s*\((?:NYSE|NASDAQ|Nasdaq|TSX|LSE|ASX|HKEX|NYSE American|OTC)[^)]{0,20}\)")
LEGAL_EN = re.compile(r"(?P<name>[A-Z][\w&'\-]*(?:\s+[A-Z][\w&'\-]*){0,6},?\s+(?:Inc\.|Corp\.|Corporation|Ltd\.|Limited|LIMITED|S\.A\.|plc|PLC|N\.V\.|AG|SE|Co\., Ltd\.))")
# The words a Chinese news item puts before the name ("证券时报网讯 明达新材...") are not part of it.
NEWS_PREFIX_ZH = re.compile(r"^.*?(网讯|網訊|电讯|訊|讯|电|電|）|\))\s*")

# Announcement dates: a dateline ("AUSTIN, Texas, April 22, 2024 --"), a date the text says was
# announced on ("2024年8月26日晚间公告"), a signature line at the foot.
DATELINE_AFTER = re.compile(r"\s*(?:--|—|–|\(Wire\)|\(Reuters\)|/PRNewswire/)", re.IGNORECASE)
ANNOUNCED_AFTER = re.compile(r"\s*(?:晚间|晚間|早间|盘后|)?\s*(?:发布)?公告")
FOOTER_LINE = re.compile(r"^\s*(?:date:|dated|日期[:：]|香港，|香港,|hong kong,|[A-Z][a-z]+,)?\s*$", re.IGNORECASE)
