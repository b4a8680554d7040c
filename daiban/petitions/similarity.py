"""Are two complaints "the same matter"? Words and character bigrams weighted by rarity, and facts that
must not contradict.

A complaint is retold by the petitioner, the agent, a 12345 operator and a platform: reordered,
colloquial, numbers as digits or words, place names shortened, demands added. The same person's
other matters share the village, the kind of land and most of the vocabulary, and differ in what
matters: the plot, the project, the year, the demand. So:

- the text is normalised first (textnorm.py: numerals, place names, synonyms, boilerplate);
- its features are the words (jieba, with the banner's place names and the bureau's terms in its
  dictionary) and the character bigrams of what remains, each weighted by its inverse document
  frequency among the bureau's own petitions (`TermStats`: a rare word such as a village or a
  project says more than "草场" or "补偿");
- facts are read from the normalised text: years, amounts with their units (亩, 元, 米, 个月, years
  of duration), the project, the object (宅基地, 耕地, 草场, 住房, 车库 …) and the kind of demand;
- `score` (same petitioner, eligibility) is a calibrated probability: a logistic regression over
  `signals` — the weighted cosine and containment of the terms (a short restatement of a long
  complaint still counts), and for each kind of fact that both texts state whether they agree or
  differ: two complaints about 300 亩 taken for a road in 2025 and 20 亩 taken for a pipeline in
  2019 are two matters however alike their words; the same 86 亩 and the same demand are evidence
  of one matter however differently it is told;
- facts that name the matter (its year, project, land or building, plot or 组 number, amounts) are
  decisive on top of that: each kind both texts state differently multiplies the score by
  DECISIVE_FACTOR, so one person's two complaints told in the same words one fact apart stay two;
- `overlap` (other petitioners, matters.py) is the text overlap with each contradicting kind of
  fact counted against it.

The coefficients are fitted on the tuning part of the labelled corpus (tests/data/same_matter.jsonl)
and the threshold is chosen on cross-validated scores of that part (`python -m tests.data.corpus
fit`); the held-out figures are printed by `make bench` (bench/search.py) and kept by
tests/test_similarity.py.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from daiban.petitions.textnorm import TOWNSHIPS, VILLAGES, normalize, prepare

# Words jieba should keep whole. Place names come from textnorm; these are the bureau's terms.
DOMAIN_TERMS = (
    "承包草场", "草场", "打草场", "禁牧", "禁牧区", "草畜平衡", "网围栏", "棚圈", "机井", "饲草料地", "草原生态补奖",
    "承包经营权", "承包经营权证", "确权", "划界", "确权划界", "流转", "宅基地", "翻建", "宅基地审批", "建房审批",
    "征地", "征收", "征用", "补偿标准", "附着物", "地上附着物", "安置", "搬迁安置", "棚户区改造", "社会保障费",
    "不动产", "不动产权证书", "不动产登记", "首次登记", "转移登记", "更正登记", "变更登记", "抵押注销", "抵押",
    "登记中心", "采煤", "沉陷", "沉陷区", "采煤沉陷", "地裂缝", "矸石山", "排土场", "储煤场", "采砂", "采砂场",
    "清淤", "河道", "林地", "公益林", "退耕还林", "沙柳", "樟子松", "杨树", "护林员", "盗伐", "滥伐", "平茬",
    "规划", "规划许可", "选址", "基本农田", "永久基本农田", "耕地", "水浇地", "旱地", "设施农用地", "违法占地",
    "地质灾害", "崩塌", "滑坡", "边坡", "避险搬迁", "三调", "地类", "未利用地", "测绘", "光伏", "风电", "升压站",
    "变电站", "输电线路", "输气管道", "天然气", "集气站", "处理厂", "工业园区", "物流园区", "垃圾转运站", "加油站",
    "砖厂", "搅拌站", "养殖场", "彩钢房", "出嫁女", "集体经济组织", "浩吉铁路", "一级公路", "旅游公路",
    "门市房", "门面房", "商品房", "二手房", "车库", "开发商", "牧民新村", "安置点", "安置房",
)
# Words that remain after boilerplate removal but say nothing about which matter it is.
_STOPWORDS = frozenset({
    "的", "了", "和", "是", "在", "也", "都", "就", "还", "把", "被", "对", "向", "将", "与", "及", "等", "说",
    "我", "你", "他", "她", "它", "啊", "吧", "呢", "吗", "么", "呀", "给", "让", "从", "这", "那", "有", "又",
    "要", "会", "能", "去", "来", "过", "着", "得", "地", "里", "上", "下", "个", "些", "后", "时", "候",
})
_ATOM = re.compile(r"\d+(?:\.\d+)?|[a-z]+|\w")

log = logging.getLogger(__name__)


@functools.cache
def _tokenizer():
    """One jieba tokenizer with the banner's dictionary, built once per process (about a second)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for word in (*TOWNSHIPS, *VILLAGES, *DOMAIN_TERMS):
        tokenizer.add_word(word, freq=2000)
    return tokenizer


def words(normalized: str) -> list[str]:
    """jieba words of normalised text, without stop words and single characters."""
    return [w for w in _tokenizer().lcut(normalized, HMM=True) if len(w) >= 2 and w.strip() and w not in _STOPWORDS]


def bigrams(normalized: str) -> list[str]:
    """Bigrams of atoms (a number is one atom, a Chinese character one) within each run of text."""
    grams: list[str] = []
    for run in normalized.split():
        atoms = [a for a in _ATOM.findall(run) if a not in _STOPWORDS]
        grams.extend(atoms[i] + atoms[i + 1] for i in range(len(atoms) - 1))
    return grams


# --- facts ----------------------------------------------------------------------------------------

_YEAR = re.compile(r"((?:19|20)\d{2})年")
# An amount with its unit. A difference marker before it ("少了70平方米", "差了2万元") makes it how far two
# amounts are apart, not an amount of the matter.
_QUANTITY = re.compile(
    r"(少了|多了|差了|少|差|缺|多出)?(约|不到|不足|近)?(?<![\d.])(\d{1,12}(?:\.\d{1,6})?)(多|余|来|几)?"
    r"(亩|平方米|元|方|棵|株|只|头|眼|间|户|米|个月)"
)
# "3号地块", "5号楼", "2组": which plot, building or村民小组 — one person's two plots differ here.
_NUMBERED = re.compile(r"(?<!\d)(\d{1,9})(号|组|社)")
# "村北面山上", "南边河滩": which side of the village or house — one person's two plots often differ here.
_SIDE = re.compile(r"(?<![东南西北])([东南西北])(?:面|边|头|侧|山|坡|梁|滩)(?!的?界)")
# "四年了", "3年没付": a duration in years (1–2 digits; not 第3年 or a calendar year).
# "我家另一块草场", "另一家砂石公司", "另外一块耕地": the text says it is about another plot, building or
# company than one already raised — another matter than a text that does not (the labelled corpus: in
# 39 of 744 other matters, none of 1,292 retellings).
_ANOTHER = re.compile(r"(?:另[一1]|另外[一1]|另有[一1]|另外的)(?:块|处|片|座|套|栋|宗|段|家(?!人)|个|头|条|间|户(?!人))")
# The kind of livestock a complaint is about ("淹死我家两只羊" / "一头牛掉进坑里"): another kind, another
# matter (the labelled corpus: 6 of 32 other matters naming animals name another, none of 52 retellings).
# 羊圈/牛棚 are 棚圈 by now (textnorm), 牛羊 牲畜.
_LIVESTOCK = re.compile(r"(?<![棚圈])([牛羊马驼])(?![棚圈舍])")
_YEARS = re.compile(r"(?<![\d第前后头])(\d{1,2})(多|来|几)?年(?![\d级])")
# Kinds of project or object a complaint is about; two texts naming different ones are two matters.
PROJECTS = {
    "公路": ("公路", "一级路", "旅游路", "通村路", "水泥路", "国道", "省道", "东环路", "西环路"),
    "铁路": ("铁路", "站场", "专用线", "运煤专线"),
    "光伏": ("光伏",),
    "风电": ("风电", "风机", "升压站"),
    "输电": ("输电线路", "变电站", "铁塔", "电线杆", "集电线路"),
    "管道": ("管道", "输气"),
    "天然气": ("天然气", "集气站", "集输站"),
    "砖厂": ("砖厂",),
    "矸石山": ("矸石",),
    "沉陷治理": ("沉陷区治理", "沉陷治理", "沉陷区的治理", "沉陷区复垦", "沉陷复垦"),
    "搅拌站": ("搅拌站",),
    "园区": ("工业园", "园区", "产业园"),
    "物流园": ("物流园",),
    "污水处理厂": ("污水厂",),  # textnorm makes 污水处理厂 污水厂 (处理 is boilerplate)
    "垃圾站": ("垃圾",),
    "加油站": ("加油站",),
    "养殖场": ("养殖场", "养鸡场"),
    "农家乐": ("农家乐",),
    "景区": ("景区", "湿地公园"),
    "基站": ("基站",),
    "防洪": ("防洪", "堤坝", "堤防"),
    "高标准农田": ("高标准农田",),
    # The mine itself: its subsidence, its dump, its pit (not its 矸石山, a kind of its own above).
    "煤矿": ("煤矿", "矿井", "采煤", "采空区", "排土场", "露天矿"),
    "物流": ("物流", "货场", "停车场"),
    "地震勘探": ("地震勘探", "放炮", "爆破"),
    "探矿": ("探矿", "探槽", "勘探", "钻孔", "钻机"),
}
# What the petitioner asks for. Retellings add demands but keep the first; another matter asks for
# something else.
DEMANDS = {
    "补偿": ("补偿", "赔偿", "补差", "补足", "差价", "差额", "赔"),
    # Subsidies (草原生态补奖, 退耕还林补助) are paid for keeping land, compensation for losing it.
    "补助": ("补助", "补贴", "补奖", "奖补", "管护费"),
    "补发": ("补发", "停发", "少发", "减半", "扣发"),
    "租金": ("租金", "租用费", "占地费", "承包费", "流转费"),
    "查处": ("查处", "打击", "取缔", "举报", "违法", "偷", "盗伐", "滥伐", "拆除", "违建", "停产", "追究"),
    "恢复": ("恢复", "回填", "复垦", "治理", "补种", "补植", "填回", "填平", "填上", "填了", "植被", "清理"),
    "登记": ("登记", "转移登记", "不动产权证书", "过户"),
    "注销": ("注销", "解押", "解除抵押"),
    "更正": ("更正", "错误"),
    "审批": ("审批", "批复", "许可", "备案", "批准", "不批", "没批", "批下来"),
    "搬迁": ("搬迁", "安置", "搬走"),
    "公开": ("公开", "听证", "征求意见"),
    "就业": ("就业", "上班", "岗位"),
    "社保": ("社保", "养老保险", "参保", "社会保障"),
    "确权": ("确权", "划界", "界线", "界址", "四至", "勘界"),
    "分配": ("分配", "分草场", "分到", "分上", "平分", "没分", "分给"),
    "撤销": ("撤销", "返还", "收回", "还给", "归还", "退给", "退还", "无效", "解除合同"),
    "选址": ("选址", "换个地方", "调整规划", "原地"),
    "噪音": ("噪音", "噪声", "扰民"),
    "通道": ("通道", "便道", "生产路", "过不去"),
    "饮水": ("饮水", "吃水", "打井", "没水", "新井", "缺水"),
    "安全": ("安全", "危险", "隐患", "警示", "牌子", "评估", "排查"),
}
# What the complaint is about: the land or the building. Retellings name the same one (textnorm
# makes 房子/房屋 住房, 门面 门市); another plot of the same person is often another kind of it.
OBJECTS = {
    "宅基地": ("宅基地", "老宅", "宅院"),
    "耕地": ("耕地", "承包地", "水浇地", "旱地", "责任田"),
    "草场": ("草场", "打草场", "饲草料地"),
    "林地": ("林地", "公益林", "沙柳", "柠条", "樟子松", "杨树", "退耕还林", "退耕"),
    "住房": ("住房", "商品房", "二手房", "安置房", "自建房"),
    "车库": ("车库",),
    "门市": ("门市",),
    "棚圈": ("棚圈",),
    "水井": ("机井", "水井"),
}
_DEMAND_WORDS = sorted(((w, kind) for kind, ws in DEMANDS.items() for w in ws), key=lambda x: -len(x[0]))
_PROJECT_WORDS = sorted(((w, kind) for kind, ws in PROJECTS.items() for w in ws), key=lambda x: -len(x[0]))
_OBJECT_WORDS = sorted(((w, kind) for kind, ws in OBJECTS.items() for w in ws), key=lambda x: -len(x[0]))


# --- what is already done: a follow-up is another matter ----------------------------------------------
#
# "三调地类已经改正了，但前三年的补奖没补发": the first matter (更正) was handled and the petitioner now
# asks for what followed. Its words are those of the first matter; what tells them apart is that
# one demand is stated as done. A demand that can be met (paid, granted, removed, restored) is read
# as done only when told so plainly: 已/已经 just before it (已经被拆除) or a completion right after
# it (更正了, 补偿款拿到了, 证办下来了), in a clause that is not partial (只分到了), not a request
# (要求把草场恢复了), not someone else's case or a reported claim (别人都补偿了, 村里说已经发了), not
# the petitioner's own attempt (已经申请更正了), not what should, will or would have happened, not a
# question — and followed by a clause that turns to what is not done (但/可是/现在 …), not to the wrong
# come back (又开工了) or done only in part (只发了三十户). Anything less is read as no follow-up.

_CLAUSE = re.compile(r"([，,。；;！!？?：:\n]+)")
_QUESTION = re.compile(r"[？?]")  # "证办下来了吗？", "早就审批了？": asked, not stated
_CONTRAST = re.compile(r"^(?:但是|但|可是|可|就是|只是|不过|然而|却|现在|如今|目前|还)")
# A turn that says the wrong came back ("已经被取缔了，可现在又开工了"), that it was done only in part
# ("但只发了三十户") or to someone else ("但给的是别人的") is no follow-up: it is the same matter.
_NOT_A_TURN = re.compile(r"又|再次|只|仅|一半|1半|部分|别人|别家|人家")
_NOT_DONE = re.compile(
    r"别人|别家|其他|人家|其余|邻户|周边|周围|了的|说|听|答应|承诺|申请|反映过|反映了|找过|找了|提出|提交|递交|报告|上访|"
    r"起诉|投诉|打电话|催|问过|要过|交了|只|才|仅|部分|要求|请求|希望|让|得|没|未|不(?!动产)|别|再|"
    # what should, will or would have happened, and questions
    r"该|应|将|马上|快|就要|计划|准备|打算|要是|如果|若|等|吗|么|呢|吧|"
    # partly, or done and undone again
    r"一半|1半|又|一部分"
)
# Demand words that can be met; the others describe the wrong itself (违法, 错误, 停发, 没水).
_CAN_BE_DONE = (
    "补偿", "赔偿", "补差", "补足", "补助", "补贴", "补奖", "管护费", "补发", "租金", "占地费", "流转费", "承包费", "查处",
    "取缔", "拆除", "恢复", "回填", "复垦", "治理", "补种", "补植", "转移登记", "登记", "不动产权证书", "注销", "解押",
    "更正", "审批", "批复", "批准", "备案", "许可", "搬迁", "安置", "确权", "划界", "勘界", "分配", "撤销", "返还", "归还",
    "打井", "赔",
)
_DONE_WORD = "|".join(sorted(_CAN_BE_DONE, key=len, reverse=True))
_DONE_VERB = (r"(?:拿到手|拿到|领到|领完|领了|领|收到|发放|发|给|付清|结清|兑付|兑现|落实|解决|办结|办下来|办好|办完|到位|"
              r"到手|到账|过来|下来|完|好)")
_DONE = re.compile(
    rf"(?:已经|早已|早就|已)(?:被|给|都|也)?(?:{_DONE_WORD})"
    rf"|(?:{_DONE_WORD})(?:款|资金|手续|证)?(?:(?:已经|已|都|也|是|倒是|早就)?{_DONE_VERB}?了"
    # "补偿款上个月到账了", "赔偿款全部领了": a few words between, then a verb of completion
    rf"|[^批没未不别]{{1,4}}?{_DONE_VERB}了"
    # "登记已办结", "补偿已到位": 已 and a verb, without 了
    rf"|(?:已经|已){_DONE_VERB})"
)
_DEMAND_KIND = dict(_DEMAND_WORDS)  # each demand word belongs to one kind
# Things done that name no demand word of their own.
_DONE_PHRASES = (
    (re.compile(r"证(?:已经|已|也|都)?(?:办|发|领|拿)(?:下来|好|到)?了"), "登记"),
    (re.compile(r"(?:已经|已)(?:被)?(?:关停|关闭|关掉|关|封|取缔)|(?:关停|关闭|关掉|封)了"), "查处"),
    (re.compile(r"(?:已经|已)(?:被|给)?改(?:成|为|回|过来|好)|改回|(?:已经|已|也|都)改了"), "更正"),
    (re.compile(r"(?:总算|终于|已经|已|也|都)?分(?:下来|到手|到)了"), "分配"),
    (re.compile(r"钱(?:已经|已|都|也)?(?:拿到手|到手|到账|拿到|领了|发了|给了)"), "补偿"),
    (re.compile(r"抵押(?:已经|已|也)?解除"), "注销"),
    (re.compile(r"(?:已经|已)(?:办|领|拿)(?:下|好|到)?了?(?:不动产权证书|证)"), "登记"),
    (re.compile(r"(?:已经|已)(?:联合|重新)?(?:勘|划|确)了?界"), "确权"),
)


def settled(prepared: str) -> tuple[frozenset[str], str]:
    """The kinds of demand a `prepare`d text states as already done, and the text without the clauses
    that state them (its demands are read from what is left). Pure function."""
    parts = _CLAUSE.split(prepared)  # clause, separator, clause, …
    clauses, ends = parts[0::2], [*parts[1::2], ""]
    found = [_done_in(c) if _turns(clauses, i + 1) and not _NOT_DONE.search(c) and not _QUESTION.search(end) else set()
             for i, (c, end) in enumerate(zip(clauses, ends, strict=True))]
    # A demand of the same kind may be asked again for what is left ("勘探公司赔了两万块，可羊圈墙也裂了，
    # 请求赔偿"): still a follow-up. Read as one, a retelling that tells what was already done is taken
    # for another matter and the agent sees no repeat; read the other way, a new matter would be refused
    # as 正在办理. The first costs the bureau a duplicate case, the second costs the petitioner their
    # case, so the reading leans to the first.
    done = set().union(*found)
    if not done:
        return frozenset(), prepared
    return frozenset(done), "，".join(" " if f else c for c, f in zip(clauses, found, strict=True))


def _turns(clauses: list[str], i: int) -> bool:
    """Does the text turn to what is not done at clause i, after at most one more clause of things done
    ("已经改回耕地了，补贴也恢复了，可停发的两年没补")?"""
    for j in range(i, min(i + 2, len(clauses))):
        if _CONTRAST.match(clauses[j]):
            return not _NOT_A_TURN.search(clauses[j])
        if not clauses[j].endswith("了") or _NOT_DONE.search(clauses[j]):
            return False
    return False


def _done_in(clause: str) -> set[str]:
    found = {kind for pattern, kind in _DONE_PHRASES if pattern.search(clause)}
    for m in _DONE.finditer(clause):  # every demand word of the match ("补奖已经补发了": 补助 and 补发)
        found.update(_DEMAND_KIND[word] for word in _CAN_BE_DONE if word in m.group(0))
    return found


def facts(normalized: str, *, settled_kinds: Iterable[str] = (), demand_text: str | None = None) -> frozenset[str]:
    """Checkable facts of normalised text: "年:2025", "亩:300:300" (unit, low, high), "项目:公路", and
    "已:更正" for a demand stated as done (`settled`); demands ("诉:…") are read from `demand_text`
    (the normalised text without its settled clauses), by default from the whole text."""
    found: set[str] = {f"年:{y}" for y in _YEAR.findall(normalized)}
    for difference, about, value, approx, unit in _QUANTITY.findall(normalized):
        if difference:  # "少了约20平方米": how far two amounts are apart
            continue
        v = float(value)
        if approx:  # 20多 / 20余 / 10几: up to the next step of the leading digit
            step = 10 ** max(len(value.split(".")[0]) - 1, 0)
            low, high = v, v + step
        elif about == "约" or about == "近":
            low, high = v * 0.8, v * 1.2
        elif about:  # 不到 / 不足
            low, high = 0.0, v
        else:
            low = high = v
        found.add(f"{unit}:{low:g}:{high:g}")
    for value, mark in _NUMBERED.findall(normalized):
        found.add(f"{'号' if mark == '号' else '组'}:{int(value)}")
    found.update(f"位:{side}" for side in _SIDE.findall(normalized))
    if _ANOTHER.search(normalized):
        found.add("另:1")
    found.update(f"畜:{kind}" for kind in _LIVESTOCK.findall(normalized))
    for value, approx in _YEARS.findall(normalized):
        v = float(value)
        found.add(f"年数:{v:g}:{v + 10 ** (len(value) - 1) if approx else v:g}")
    text = normalized
    for word, kind in _PROJECT_WORDS:
        if word in text:
            found.add(f"项目:{kind}")
            text = text.replace(word, " ")
    found.update(f"已:{kind}" for kind in settled_kinds)
    for prefix, table, source in (("诉", _DEMAND_WORDS, demand_text), ("物", _OBJECT_WORDS, None)):
        text = normalized if source is None else source
        for word, kind in table:
            if word in text:
                found.add(f"{prefix}:{kind}")
                text = text.replace(word, " ")
    return frozenset(found)


# Facts compared as labels; every other kind is an amount "low:high" compared as a range.
_CATEGORICAL = frozenset({"年", "项目", "诉", "物", "号", "组", "已", "位", "另", "畜"})


def _by_kind(facts_: Iterable[str]) -> dict[str, list[str]]:
    """"亩:300:300" → {"亩": ["300:300"]}."""
    kinds: dict[str, list[str]] = {}
    for fact in facts_:
        kind, _, value = fact.partition(":")
        kinds.setdefault(kind, []).append(value)
    return kinds


def _contradictions(a: frozenset[str], b: frozenset[str]) -> int:
    """How many kinds of fact both texts state without any value in common."""
    kinds_a, kinds_b = _by_kind(a), _by_kind(b)
    count = int(follows_up(kinds_a, kinds_b))
    for kind in (kinds_a.keys() & kinds_b.keys()) - {"已"}:
        if kind in _CATEGORICAL:
            agree = bool(set(kinds_a[kind]) & set(kinds_b[kind]))
        else:
            agree = any(_overlap(x, y) for x in kinds_a[kind] for y in kinds_b[kind])
        count += not agree
    return count


def follows_up(kinds_a: Mapping[str, list[str]], kinds_b: Mapping[str, list[str]]) -> bool:
    """Does one text ask for what the other states as done (`settled`) and does not itself state as
    done? Then the other is a follow-up: another matter. Arguments are `_by_kind` of each text's facts."""
    done_a, done_b = set(kinds_a.get("已", ())), set(kinds_b.get("已", ()))
    asks_a, asks_b = set(kinds_a.get("诉", ())), set(kinds_b.get("诉", ()))
    return bool((asks_a & done_b) - done_a or (asks_b & done_a) - done_b)


def _overlap(x: str, y: str) -> bool:
    lo1, hi1 = (float(v) for v in x.split(":"))
    lo2, hi2 = (float(v) for v in y.split(":"))
    tolerance = 0.02 * max(hi1, hi2, 1)
    return lo1 <= hi2 + tolerance and lo2 <= hi1 + tolerance


# --- features and score -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Features:
    """What is stored per petition (PetitionFeatures) and compared: terms and facts."""

    terms: frozenset[str]
    facts: frozenset[str]

    def dumps(self) -> tuple[str, str]:
        return " ".join(sorted(self.terms)), " ".join(sorted(self.facts))

    @classmethod
    def loads(cls, terms: str, facts_text: str) -> Features:
        return cls(frozenset(terms.split()), frozenset(facts_text.split()))


_PLACES = re.compile("|".join(sorted(set(TOWNSHIPS + VILLAGES), key=len, reverse=True)))
# Kinds of term, told apart by their first character, each with its weight factor (chosen on the
# tuning part of the corpus, like the threshold). Words carry the meaning; single characters catch
# colloquial retellings that share few words ("挖了大坑" / "挖出很多大坑"); bigrams the word order.
PLACE, CHAR, BIGRAM = "@", "~", "^"
KIND_WEIGHT = {PLACE: 2.0, CHAR: 1.0, BIGRAM: 0.25}


def features(text: str) -> Features:
    """Words, characters, bigrams, place names and facts of one complaint (≈1 ms for 200 characters
    once jieba is loaded). A place name is one term ("@沙尔利格"), not cut into pieces."""
    prepared = prepare(text)
    norm = normalize(prepared, prepared=True)
    done, undone = settled(prepared)
    rest = _PLACES.sub(" ", norm)
    terms = set(words(rest))
    terms.update(PLACE + p for p in _PLACES.findall(norm))
    terms.update(CHAR + a for a in _ATOM.findall(rest) if a not in _STOPWORDS)
    terms.update(BIGRAM + b for b in bigrams(rest))
    demand_text = normalize(undone, prepared=True) if done else None
    return Features(frozenset(terms), facts(norm, settled_kinds=done, demand_text=demand_text))


class TermStats:
    """Document frequencies: how many petitions contain each term, out of `total`. The weight of a
    term is its smoothed IDF, ln((N + 1) / (df + 1)) + 1; with no statistics every term weighs 1."""

    def __init__(self, total: int = 0, df: Mapping[str, int] | None = None) -> None:
        self.total = total
        self.df = dict(df or {})
        # Weights asked again and again (an intake scores dozens of candidates sharing its terms):
        # kept per instance, whose counts are not changed after it is made.
        self._weights: dict[str, float] = {}

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> TermStats:
        df: dict[str, int] = {}
        total = 0
        for text in texts:
            total += 1
            for term in features(text).terms:
                df[term] = df.get(term, 0) + 1
        return cls(total, df)

    def without(self, terms: Iterable[str]) -> TermStats:
        """These statistics without one petition whose terms are `terms` (counted in them): the
        frequencies as they were before it was saved."""
        own = set(terms)
        return TermStats(max(0, self.total - 1), {t: max(0, n - 1) if t in own else n for t, n in self.df.items()})

    def plus(self, terms: Iterable[str]) -> TermStats:
        """These statistics with one more petition whose terms are `terms` (not yet counted): the
        frequencies once it is saved."""
        own = set(terms)
        return TermStats(self.total + 1, {t: n + 1 if t in own else n for t, n in self.df.items()})

    def weight(self, term: str) -> float:
        """The term's weight: its kind's factor times its IDF."""
        found = self._weights.get(term)
        if found is None:
            found = self._weights[term] = self._weight(term)
        return found

    def _weight(self, term: str) -> float:
        factor = KIND_WEIGHT.get(term[:1], 1.0)
        if not self.total:
            return factor
        return factor * (math.log((self.total + 1) / (self.df.get(term, 0) + 1)) + 1.0)


BACKGROUND = Path(__file__).with_name("data") / "background_df.json"


@functools.cache
def background() -> TermStats:
    """Document frequencies of a reference set of complaints shipped with the code (the labelled
    corpus's texts, built by `python -m daiban.petitions.similarity tests/data/same_matter.jsonl`).
    Added to the bureau's own counts, so weights are sensible from the first petition on and the
    bureau's petitions take over as they accumulate."""
    try:
        data = json.loads(BACKGROUND.read_text(encoding="utf-8"))
    except FileNotFoundError:
        log.warning("no background document frequencies at %s", BACKGROUND)
        return TermStats()
    return TermStats(data["total"], data["df"])


def build_background(texts: Iterable[str]) -> dict:
    stats = TermStats.from_texts(texts)
    return {"total": stats.total, "df": dict(sorted(stats.df.items()))}


CONTRADICTION_FACTOR = 0.6  # overlap(): each contradicting kind of fact multiplies the score by this


def norm(f: Features, stats: TermStats | None = None) -> float:
    """Σ weight² over the terms: stored with a petition's features at indexing, so a check weighs
    only its own terms (weights drift slowly as petitions arrive; `manage.py reindex` renews them)."""
    w = (stats or TermStats()).weight
    return sum(w(t) ** 2 for t in f.terms)


def _text_overlap(a: Features, b: Features, stats: TermStats, norm_a: float | None,
                  norm_b: float | None) -> tuple[float, float]:
    """(cosine, containment) over the terms weighted by the square of their weight (rare terms
    dominate); containment lets a short restatement of a long complaint count."""
    w = stats.weight
    sa = norm(a, stats) if norm_a is None else norm_a
    sb = norm(b, stats) if norm_b is None else norm_b
    if sa <= 0 or sb <= 0:
        return 0.0, 0.0
    common = sum(w(t) ** 2 for t in a.terms & b.terms)
    return common / math.sqrt(sa * sb), min(common / min(sa, sb), 1.0)


def overlap(a: Features, b: Features, stats: TermStats | None = None, *, norm_a: float | None = None,
            norm_b: float | None = None) -> float:
    """0–1, symmetric: how much two texts say alike, whoever wrote them. Mean of cosine and
    containment, times CONTRADICTION_FACTOR for each kind of fact on which the two disagree. The
    cross-petitioner check (matters.py) uses it: other people's petitions on one project differ in
    their demands and amounts, which `score` counts against them."""
    if not a.terms or not b.terms:
        return 0.0
    cosine, containment = _text_overlap(a, b, stats or TermStats(), norm_a, norm_b)
    value = (cosine + containment) / 2 * CONTRADICTION_FACTOR ** _contradictions(a.facts, b.facts)
    return round(min(value, 1.0), 4)


# --- one petitioner's two complaints: signals and their calibrated combination ---------------------

# The kinds of fact compared one by one; quantities (亩, 元, 米 …) are counted together.
_FACT_SIGNALS = {"年": "year", "项目": "project", "物": "object"}
SIGNALS = (
    "cosine", "containment", "year_agrees", "year_differs", "project_agrees", "project_differs",
    "object_agrees", "object_differs", "quantity_agrees", "quantity_differs", "demand_overlap",
    "demand_differs", "place_agrees", "place_differs",
)
# Logistic regression over SIGNALS, fitted on the tuning part of the labelled corpus only
# (`python -m tests.data.corpus fit`: L2 = 0.3, the penalty with the best recall in 4-fold
# cross-validation by matter on the tuning part). The text overlap carries most; agreeing amounts and
# a shared demand add evidence, another object, year, demand or project takes it away. "bias" is the
# intercept. Refit (and rebuild background_df.json) whenever `features` or `signals` change.
COEFFICIENTS = {
    "cosine": 0.801, "containment": 6.902, "year_agrees": -0.603, "year_differs": -5.315,
    "project_agrees": 0.349, "project_differs": -5.15, "object_agrees": -0.045, "object_differs": -3.481,
    "quantity_agrees": 0.754, "quantity_differs": -2.856, "demand_overlap": 0.693, "demand_differs": -0.959,
    "place_agrees": -1.082, "place_differs": -1.004, "bias": -2.195,
}


def signals(a: Features, b: Features, stats: TermStats | None = None, *, norm_a: float | None = None,
            norm_b: float | None = None) -> dict[str, float]:
    """What the same-matter score is made of, each 0–1 (quantities 0–2): the text overlap, and for
    each kind of fact that both texts state whether they agree or differ. Symmetric."""
    cosine, containment = _text_overlap(a, b, stats or TermStats(), norm_a, norm_b)
    out = dict.fromkeys(SIGNALS, 0.0)
    out["cosine"], out["containment"] = cosine, containment
    kinds_a, kinds_b = _by_kind(a.facts), _by_kind(b.facts)
    quantity_agrees = quantity_differs = 0
    for kind in kinds_a.keys() & kinds_b.keys():
        va, vb = kinds_a[kind], kinds_b[kind]
        if kind == "诉":
            out["demand_overlap"] = len(set(va) & set(vb)) / len(set(va) | set(vb))
            out["demand_differs"] = float(not set(va) & set(vb))
        elif kind in _FACT_SIGNALS:
            agree = bool(set(va) & set(vb))
            out[_FACT_SIGNALS[kind] + ("_agrees" if agree else "_differs")] = 1.0
        elif kind in _CATEGORICAL:  # plot and group numbers: decisive_contradictions() weighs them
            continue
        elif any(_overlap(x, y) for x in va for y in vb):
            quantity_agrees += 1
        else:
            quantity_differs += 1
    out["quantity_agrees"], out["quantity_differs"] = min(quantity_agrees, 2), min(quantity_differs, 2)
    places_a = {t for t in a.terms if t[:1] == PLACE}
    places_b = {t for t in b.terms if t[:1] == PLACE}
    if places_a and places_b:
        out["place_agrees" if places_a & places_b else "place_differs"] = 1.0
    return out


# Kinds of fact that name the matter itself: the year it happened, the project, the land or building,
# its number, and amounts (亩, 元, 米 …). Two complaints of one person that state one of these
# differently are two matters, however alike the rest is told (a minimal pair: the same complaint
# about 2018's and 2023's 补奖). Durations (年数, 个月) and demands are left out: a petitioner says
# "三年了" one year and "四年了" the next, and retellings add demands. A follow-up (`follows_up`:
# one asks for what the other states as done) counts as one such kind.
_NOT_DECISIVE = frozenset({"诉", "年数", "个月", "已"})
DECISIVE_FACTOR = 0.3  # score() multiplies by this for each kind of fact that names another matter


def decisive_contradictions(a: frozenset[str], b: frozenset[str]) -> int:
    """How many kinds of fact that name the matter (all but `_NOT_DECISIVE`) both texts state
    without any value in common, plus one for a follow-up (`follows_up`) and one when only one of
    them says it is about another plot or company (`_ANOTHER`)."""
    kinds_a, kinds_b = _by_kind(a), _by_kind(b)
    count = int(follows_up(kinds_a, kinds_b)) + int(("另" in kinds_a) != ("另" in kinds_b))
    for kind in (kinds_a.keys() & kinds_b.keys()) - _NOT_DECISIVE:
        va, vb = kinds_a[kind], kinds_b[kind]
        if kind in _CATEGORICAL:
            count += not set(va) & set(vb)
        else:
            count += not any(_overlap(x, y) for x in va for y in vb)
    return count


def combine(values: Mapping[str, float], coefficients: Mapping[str, float] | None = None) -> float:
    """The calibrated probability that two complaints are one matter: σ(bias + Σ coefficient × signal)."""
    c = COEFFICIENTS if coefficients is None else coefficients
    z = c.get("bias", 0.0) + sum(c.get(name, 0.0) * value for name, value in values.items())
    return 1.0 / (1.0 + math.exp(-z))


def score(a: Features, b: Features, stats: TermStats | None = None, *, norm_a: float | None = None,
          norm_b: float | None = None) -> float:
    """0–1, symmetric: is this the same petitioner's same matter? `combine` of `signals`; identical
    features score 1, a text without terms 0. Norms may be given (stored ones); otherwise they are
    computed with `stats`."""
    if not a.terms or not b.terms:
        return 0.0
    if a == b:
        return 1.0
    return calibrated(signals(a, b, stats, norm_a=norm_a, norm_b=norm_b), decisive_contradictions(a.facts, b.facts))


def calibrated(values: Mapping[str, float], decisive: int, coefficients: Mapping[str, float] | None = None) -> float:
    """`combine` of the signals, times DECISIVE_FACTOR for each kind of fact that names another matter."""
    return round(combine(values, coefficients) * DECISIVE_FACTOR ** decisive, 4)


def similarity(a: str | Features, b: str | Features, stats: TermStats | None = None) -> float:
    """Score two texts (or their features) with the given document frequencies."""
    fa = a if isinstance(a, Features) else features(a)
    fb = b if isinstance(b, Features) else features(b)
    return score(fa, fb, stats)


if __name__ == "__main__":  # python -m daiban.petitions.similarity tests/data/same_matter.jsonl
    lines = [json.loads(line) for line in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [t for m in lines for t in (m["text"], *(x["text"] for x in m["same"] + m["other"]))]
    BACKGROUND.write_text(json.dumps(build_background(texts), ensure_ascii=False, separators=(",", ":")) + "\n",
                          encoding="utf-8")
    print(f"{BACKGROUND}: {len(texts)} texts")
