"""Chinese complaint text made comparable: width, numerals, units, place names, synonyms, boilerplate.

The same complaint is written down by the petitioner, the agent, a 12345 operator and a platform:
"三百亩" and "300亩", "二〇二五年" and "2025年", "嘎鲁图镇沙尔利格嘎查" and "沙尔利格", "房本" and
"不动产权证书", with "来电人反映……请相关部门核实处理" around it. Every text is passed through
`normalize` before it is cut into words and character n-grams (similarity.py, search.py), so these
differences stop counting.
"""

from __future__ import annotations

import re
import unicodedata

# --- numerals -------------------------------------------------------------------------------------

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_NUMBER = re.compile(r"[〇零一二两三四五六七八九十][〇零一二两三四五六七八九十百千万亿]*(?:点[〇零一二三四五六七八九]+)?")
# Every pattern that starts with digits starts only where a run of digits starts ((?<!\d)) and takes at
# most 12 of them: otherwise a long run of digits is tried from each of its positions, quadratic in its
# length (a 10,000-character "1万1万…" took half a minute), and nothing that long is an amount.
# Digits followed by 万 or 千 ("1.2万", "3千", "2万3千"): the amount in full.
_DIGIT_MAGNITUDE = re.compile(r"(?<![\d.])(\d{1,12}(?:\.\d{1,6})?)(多|余)?([万千])(?:(\d)(千|百))?(?![米瓦])")
# "六亩半", "2米半": a half after the unit.
_HALF = re.compile(r"(?<!\d)(\d{1,12})(亩|米|年|个月|天|斤|公斤|吨)半")
# "一亩一年30块": a sum in 块 after a rate (亩, 年, 月) is 元; "两块地" is not money, so only after a rate.
_KUAI = re.compile(r"(?<=[亩年月])(\d{1,12}(?:\.\d{1,6})?)块(?!地)")
# Words written with numeral characters that are not amounts: left alone.
_NOT_NUMBERS = (
    "一直", "一下", "一起", "一定", "一些", "一样", "一般", "一切", "一律", "一再", "一旦", "一边", "一头", "一道",
    "一次性", "统一", "唯一", "万一", "一案双查", "三到位一处理", "三级终结", "不一", "一分钱", "一点", "两头",
    "千万", "万分", "十分", "百姓", "三调", "一把手", "一级", "二级", "二轮", "二手", "二层", "一年生", "四至",
)


_LARGEST = 10**12  # no amount of a complaint is larger; a longer "number" is left as it was written


def _cn_int(text: str) -> int | None:
    """'三百二十' → 320, '一万二' → 12000 (colloquial: a last digit after 万/千/百 is one unit down),
    '一百零五' → 105 and '三万零八' → 30008 (after 零 it is ones), '十五' → 15, '二〇二五' → 2025 (digit by
    digit). None when it is not a number or larger than _LARGEST."""
    if not text or len(text) > 24:
        return None
    if len(text) >= 2 and all(ch in _DIGITS for ch in text):
        return int("".join(str(_DIGITS[ch]) for ch in text)) if len(text) <= 12 else None
    total, section, digit, last_unit, zero = 0, 0, None, 1, False
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
            zero = zero or digit == 0
        elif ch in _UNITS:
            unit = _UNITS[ch]
            section += (digit if digit is not None else 1) * unit
            digit, last_unit, zero = None, unit, False
        elif ch in _BIG:
            big = _BIG[ch]
            total = (total + section + (digit or 0)) * big
            section, digit, last_unit, zero = 0, None, big, False
        else:
            return None
        if total > _LARGEST:
            return None
    if digit is not None:
        # "一万二" = 12000, "一百五" = 150; but "十五" = 15 (after 十 the digit is ones) and "一百零五" = 105.
        section += digit * (last_unit // 10 if last_unit >= 100 and not zero else 1)
    value = total + section
    return value if value <= _LARGEST else None


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _replace_cn_number(match: re.Match[str]) -> str:
    raw = match.group(0)
    whole, _, frac = raw.partition("点")
    number = _cn_int(whole)
    if number is None:
        return raw
    if frac:
        return f"{number}." + "".join(str(_DIGITS[ch]) for ch in frac)
    return str(number)


def _magnitude(m: re.Match[str]) -> str:
    """"1.2万" → 12000, "2万3千" → 23000, "3千5百" → 3500, "50多万" → "500000多" (read as 50–60万)."""
    number, approx, big, digit, unit = m.groups()
    value = float(number) * (10_000 if big == "万" else 1000)
    if digit and not approx:
        value += int(digit) * (1000 if unit == "千" else 100)
    elif digit:
        return _number_text(value) + approx + digit + unit
    return _number_text(value) + (approx or "")


def numerals_to_digits(text: str) -> str:
    """Chinese numerals and 万/千 magnitudes as Arabic digits: '三百亩' → '300亩', '1.2万元' → '12000元',
    '二〇二二年' → '2022年', '六亩半' → '6.5亩'. Idioms such as 一直 and 三到位一处理 stay."""
    protected: dict[str, str] = {}
    for i, word in enumerate(_NOT_NUMBERS):
        if word in text:
            key = chr(0xE000 + i)  # a private-use character: no digit, no numeral
            protected[key] = word
            text = text.replace(word, key)
    text = _CN_NUMBER.sub(_replace_cn_number, text)
    text = _DIGIT_MAGNITUDE.sub(_magnitude, text)
    text = _HALF.sub(lambda m: f"{m.group(1)}.5{m.group(2)}", text)
    text = _KUAI.sub(r"\1元", text)
    for key, word in protected.items():
        text = text.replace(key, word)
    return text


# --- places, synonyms, boilerplate -----------------------------------------------------------------

# The banner's 苏木镇 and many 嘎查/村: written with or without the suffix, so the bare name is kept.
TOWNSHIPS = ("嘎鲁图", "乌审召", "图克", "无定河", "苏力德", "乌兰陶勒盖")
VILLAGES = (
    "沙尔利格", "萨如拉", "巴音温都尔", "巴音敖包", "查汗庙", "乌审召", "布寨", "察汗淖尔", "图克", "呼吉尔特", "梅林庙",
    "葫芦素", "乌兰什巴台", "巴图湾", "排子湾", "大沟湾", "王家湾", "河南", "沙沙滩", "陶尔庙", "查干朝鲁",
    "巴音高勒", "乌兰陶勒盖", "达布察克", "浩勒报吉", "嘎鲁图", "萨拉乌苏", "海流图",
)
_PLACE_SUFFIX = re.compile(
    "(" + "|".join(sorted(set(TOWNSHIPS + VILLAGES), key=len, reverse=True)) + r")(?:苏木|镇|嘎查|村|社区|段|河段)"
)

# Different words for one thing; the left side becomes the right side.
SYNONYMS = {
    "房本": "不动产权证书", "房产证": "不动产权证书", "房产本": "不动产权证书", "产权证": "不动产权证书",
    "不动产权证": "不动产权证书", "不动产证": "不动产权证书", "土地证": "土地使用证",
    "塌陷": "沉陷", "塌了": "沉陷", "采空区": "沉陷区", "挖煤": "采煤", "煤矿开采": "采煤",
    "砂场": "采砂场", "砂子": "砂", "沙子": "砂", "挖砂": "采砂", "偷采": "违法采", "采挖砂石": "采砂",
    "草牧场": "草场", "牧场": "草场", "草原": "草场",
    "羊圈": "棚圈", "牲口": "牲畜", "牛羊": "牲畜",
    "补偿款": "补偿", "补偿金": "补偿", "补偿费": "补偿", "赔钱": "赔偿", "赔偿损失": "赔偿",
    "过户": "转移登记", "办证": "登记", "发证": "登记", "领证": "登记",
    "盖房": "建房", "盖房子": "建房", "翻盖": "翻建", "盖了": "建了", "盖的": "建的", "盖了章": "盖章",
    "嫁出去的闺女": "出嫁女", "闺女": "女儿",
    "挖机": "挖掘机", "大车": "车辆", "运砂车": "车辆",
    "平米": "平方米", "m2": "平方米", "平方": "平方米", "立方米": "方", "立方": "方",
    # Colloquial and official words for one thing, as petitioners and operators retell a complaint.
    "块钱": "元", "界子": "界线", "地界": "界线", "边界": "界线", "边界线": "界线", "邻居家": "邻户", "邻居": "邻户",
    "坍塌": "沉陷", "塌方": "沉陷", "塌陷坑": "沉陷坑", "深坑": "大坑", "违规": "违法", "非法": "违法",
    "搞错": "错误", "弄错": "错误", "写错": "错误", "错了": "错误", "改过来": "更正", "改正": "更正", "纠正": "更正",
    "三调": "第3次国土调查", "国土三调": "第3次国土调查", "第三次全国国土调查": "第3次国土调查",
    "房子": "住房", "房屋": "住房", "楼房": "住房", "院子": "宅院", "庄基地": "宅基地", "老宅子": "老宅",
    "没给": "未付", "没付": "未付", "未支付": "未付", "未发放": "未付", "未兑付": "未付", "没发": "未付", "拖欠": "未付",
    "没拿到": "未付", "没见着": "未付", "没到位": "未付", "未到位": "未付", "不给钱": "未付",
    "孩子": "娃娃", "小孩": "娃娃", "村里": "村委会", "村干部": "村委会", "嘎查委员会": "嘎查", "嘎查委": "嘎查",
    "树林": "林地", "林子": "林地", "口粮田": "耕地", "庄稼地": "耕地", "农田": "耕地",
    "门面房": "门市", "门面": "门市", "门市房": "门市", "商铺": "门市", "车位": "车库",
    "推土机": "挖掘机", "钩机": "挖掘机",
    "隔壁那户": "邻户", "隔壁家": "邻户", "隔壁村": "邻村", "隔壁": "邻户", "盖到": "建到", "拆掉": "拆除", "拆了": "拆除了",
    "拆走": "拆除",
    # How people describe the damage in their own words.
    "抽不上水": "缺水", "抽不出水": "缺水", "没水了": "缺水", "弄干了": "缺水", "干涸": "缺水", "断水": "缺水",
    "井干了": "井缺水", "水井": "机井", "河里": "河道", "河床": "河道", "河沟": "河道", "河边": "河岸",
    "裂口子": "裂缝", "裂口": "裂缝", "裂纹": "裂缝", "裂开": "裂缝", "开裂": "裂缝", "裂了": "裂缝", "裂缝子": "裂缝",
    "黄土崖": "土崖", "土坎": "土崖", "崖畔": "土崖", "山体": "山坡", "山坡上": "山坡",
    "地陷": "沉陷", "陷下去": "沉陷", "下沉": "沉陷",
    "搬走": "搬迁", "挪走": "搬迁", "挪地方": "搬迁",
    "给占了": "占用", "占了": "占用", "被占": "被占用", "侵占": "占用", "强占": "占用",
    "不让放牧": "禁牧", "不让放羊": "禁牧", "不让放牲畜": "禁牧",
    "偷砍": "盗伐", "偷伐": "盗伐", "乱砍": "滥伐", "砍了": "砍伐", "砍掉": "砍伐", "砍树": "砍伐",
    "推平了": "推平", "给推了": "推平", "推倒": "推平",
    "租地钱": "租金", "租钱": "租金", "承包款": "承包费",
    "高压线": "输电线路", "电线杆子": "电线杆", "大风车": "风电", "风车": "风电", "太阳能板": "光伏", "光伏板": "光伏",
    "污水处理厂": "污水厂", "太阳能电站": "光伏电站", "太阳能发电": "光伏发电", "修路": "修公路",
    "本本": "证", "红本": "不动产权证书", "羊棚": "棚圈", "牛棚": "棚圈", "羊舍": "棚圈", "牛圈": "棚圈",
    "铁丝网": "网围栏", "围栏网": "网围栏", "铁丝围栏": "网围栏", "桩桩": "界桩", "桩子": "界桩", "水泥桩": "界桩",
    "大口子": "大裂缝", "长口子": "长裂缝", "道口子": "道裂缝", "往下陷": "沉陷",
    "老院子": "老宅", "老房子": "老宅", "丈量": "测量", "量草场": "测量草场", "重新量": "重新测量",
    "盖房子的地": "建设用地", "盖房的地": "建设用地", "冒黑烟": "冒烟", "着火": "自燃", "甘草": "药材", "麻黄": "药材",
    "苁蓉": "药材", "铲车": "挖掘机", "装载机": "挖掘机", "挖沙": "采砂", "村规划": "村庄规划", "按手印": "签字",
    "手印": "签字", "冒签": "冒名签字",
    "办不了": "未办", "办不下来": "未办", "不给办": "未办", "拖着不办": "未办", "没给办": "未办", "一直没办": "未办",
    "迟迟未办": "未办", "一分钱也没给": "未付", "一分钱都没给": "未付", "一分也没给": "未付", "一分钱没给": "未付",
    "没给钱": "未付", "没领到": "未付", "领不到": "未付", "没到账": "未付",
    # Without a permit is what was done wrong, not a permit asked for.
    "没有任何审批手续": "违法", "没有审批手续": "违法", "没有任何手续": "违法", "没有手续": "违法", "未经审批": "违法",
    "未批先建": "违法", "没有采矿许可证": "违法", "没有许可证": "违法", "无证": "违法",
    "啥手续都没有": "违法", "啥手续没有": "违法", "什么手续都没有": "违法", "啥证都没有": "违法", "私自": "违法",
    "乱挖": "违法挖", "乱采": "违法采", "乱建": "违法建", "乱占": "违法占", "私挖": "违法挖", "私采": "违法采",
    "取土": "挖土",
    # Short complaints retold by a 12345 operator or the petitioner (tests/data: the short retellings).
    "塌下来": "沉陷", "塌下去": "沉陷", "垮塌": "沉陷", "崩塌": "沉陷", "挖塌": "挖沉陷", "挖垮": "挖沉陷", "下陷": "沉陷",
    "往下沉": "沉陷", "滑坡": "沉陷", "裂开口子": "裂缝", "裂开了口子": "裂缝",
    "房子后头": "房后", "房子后面": "房后", "房子后边": "房后", "房后头": "房后", "屋后": "房后",
    "村子后头": "村后", "村子后面": "村后", "村子后边": "村后", "村后头": "村后", "村后面": "村后", "村后边": "村后",
    "村子": "村", "黄土坡": "山坡", "土坡": "山坡", "害怕": "担心", "河堤": "河岸",
    "河沙": "河砂", "拉沙": "拉砂", "采沙": "采砂", "沙场": "采砂场", "盗采": "违法采", "偷挖": "违法挖",
    "偷着挖": "违法挖", "偷着拉": "违法拉", "夜里": "夜间", "晚上": "夜间", "黑夜": "夜间",
    "地皮": "宅基地", "没信儿": "未答复", "没回话": "未答复", "没给回话": "未答复", "没给回复": "未答复",
    "没答复": "未答复", "不答复": "未答复", "没回复": "未答复", "批文": "批复文件", "扣下": "截留", "扣了": "截留",
    "塞钱": "好处费", "我爹": "父亲", "俺爹": "父亲", "征走": "征收", "给征了": "征收", "苞米": "玉米",
    "种啥都不长": "无法耕种", "种不了": "无法耕种", "种不成": "无法耕种", "庄稼的钱": "青苗补偿", "庄稼钱": "青苗补偿",
    "青苗费": "青苗补偿", "画成": "划为", "划成": "划为", "划入": "划为", "划进": "划为", "圈进": "划为",
    "没问过": "未征求意见", "没跟俺说一声": "未征求意见", "没跟我说一声": "未征求意见", "没人来问": "未征求意见",
    "未征求": "未征求意见", "没征求": "未征求意见", "包给": "发包给", "包的地": "承包地", "包的草场": "承包草场",
    "外地人": "外来户", "外地来的人": "外来户", "要回来": "返还", "存在争议": "争议",
    "有争议": "争议", "院墙": "围墙", "掉石头": "落石", "滚石": "落石", "掉土": "落土", "离得太近": "间距过近",
    "强拆": "强制拆除",
    "临时借用": "临时占用", "借用": "临时占用", "借俺家": "临时占用", "借我家": "临时占用", "借他家": "临时占用",
    "临时用地": "临时占用", "到时候了": "期满了", "期限早过了": "期满了", "到期后": "期满后", "到期了": "期满了",
    "挖炭": "采煤", "挖空": "采空", "柏油路": "公路", "火车道": "铁路", "老坟": "祖坟", "倒塌": "沉陷", "滑塌": "沉陷",
    "整地": "土地整理", "土地平整": "土地整理", "圪梁": "山坡", "往下溜土": "落土", "溜土": "落土", "扣留": "截留",
    "外头打工": "外出务工", "出去打工": "外出务工", "在外打工": "外出务工", "打工": "务工", "转包": "发包给",
    "河槽": "河道", "沙石": "砂石", "交钥匙": "交付", "交房": "交付", "猪圈": "棚圈", "仨": "3个", "俩": "2个",
    "厂子": "厂房", "石料厂": "采石场", "石场": "采石场", "铺子": "门市", "筛沙": "筛砂", "灰大": "粉尘大",
    "管子": "管道",
    # What compensation was too low, and what is asked of it.
    "太低": "偏低", "过低": "偏低", "太少了": "偏低", "少得可怜": "偏低", "涨一点": "提高", "涨点": "提高",
    "多给点": "提高",
}
# Longer words that contain a key where it means something else: kept as they are (at one position the
# longest key wins, so "没发现" is not "没发"+"现", "修路灯" not "修路"+"灯").
_KEPT = (
    "没发现", "没发言", "没发生", "大量", "少量", "平方公里", "平方千米", "修路灯", "路灯", "高标准农田", "太阳能热水器",
    "盖章", "没错",
)
# The words replaced into are matched too (as themselves), so a longer word that contains a shorter
# key ("不动产权证书" ⊃ "不动产权证") is left whole.
_SYNONYM_ALL = {**{v: v for v in SYNONYMS.values()}, **{w: w for w in _KEPT}, **SYNONYMS}
_SYNONYM = re.compile("|".join(re.escape(k) for k in sorted(_SYNONYM_ALL, key=len, reverse=True)))

# What every complaint says whatever it is about: who reports, the request verbs, the channel.
BOILERPLATE = (
    "【百姓管家】", "【乌审解纷】", "智治乌审", "百姓管家", "乌审解纷", "诉求类型", "诉求内容", "诉求",
    "信访人反映", "信访人称", "信访人", "来电人反映", "来电人称", "来电人", "市民来电", "来电", "群众留言", "群众",
    "经了解", "反映", "请求", "要求", "希望", "申请", "请你们", "请相关部门", "请有关部门", "有关部门", "相关部门",
    "有关机关", "请上级", "上级", "领导", "尽快", "赶紧", "赶快", "快点", "依法", "核实", "核查", "查明",
    "给予", "予以", "进行", "处理", "解决", "协调", "帮忙", "帮助", "管一管", "管管", "管不管", "给个说法",
    "问题", "情况", "事情", "一下", "我们", "我家", "俺家", "本人", "他们", "你们", "这个", "那个", "一直", "至今",
    "到现在", "现在", "已经", "目前", "没有", "不给", "到底", "为此", "特此", "关于", "能否", "能够",
)
_BOILERPLATE = re.compile("|".join(re.escape(p) for p in sorted(BOILERPLATE, key=len, reverse=True)))
_NON_WORD = re.compile(r"[^\w.]+|_|(?<!\d)\.|\.(?!\d)")


# "19年就交了材料", "21年3月", "从23年停发了": a year written with two digits, as people say it, is
# 20NN — but only where the words around it say it is a year, and only 2000–2029 ("我30年的工龄",
# "40年的老宅", "30年代" are not). A year: followed by a month; or after 在/于/从/自/到/至 that are not
# a comparison (不到15年, 达到, 大于, 少于 … are durations); or at the start of a clause (after
# punctuation, 俺/我/他/她/说/讲) followed by what tells of a time (就, 开始, 时, 底, 初, a season, or
# a verb of what happened then); or after 反映/称 (a 12345 record's "来电人反映23年的补奖") followed by
# 的 too. A duration stays one: "分家都20年了", "期限30年", "这是20年的老宅", "在20年内".
_YY = r"([0-2]\d)年(?!代)"
_THEN = r"就|开始|起|时|那|底|初|[春夏秋冬]|在|修|挖|建|盖|占|征|办|交|告|举报|反映|被|把|停|发|给|补|签|申请|登记"
_TWO_DIGIT_YEAR = re.compile(
    rf"(?<![\d.]){_YY}(?=\d{{1,2}}月)"
    rf"|(?<=[在于从自到至])(?<![不达大小多少等高低超满][到于]){_YY}(?![了来多余以左之期内间后前没未\d])"
    rf"|(?:^|(?<=[，。；：、！？,;:!? 俺我他她说讲])){_YY}(?={_THEN})"
    rf"|(?:(?<=反映)|(?<=称)){_YY}(?=的|{_THEN})"
)


def _year_in_full(m: re.Match[str]) -> str:
    return f"20{next(g for g in m.groups() if g)}年"


def two_digit_years(text: str) -> str:
    """'19年就交了' → '2019年就交了', '21年3月' → '2021年3月'; '分家都20年了', '期限30年' stay (durations).
    Text as `numerals_to_digits` leaves it (punctuation kept)."""
    return _TWO_DIGIT_YEAR.sub(_year_in_full, text)


def prepare(text: str) -> str:
    """Lower-case, half-width text with digits for numerals, bare place names and one word per thing,
    its sentences and punctuation kept (settled.py reads clauses). Pure function; '' for None."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = two_digit_years(numerals_to_digits(text))
    text = _PLACE_SUFFIX.sub(r"\1", text)
    return _SYNONYM.sub(lambda m: _SYNONYM_ALL[m.group(0)], text)


def normalize(text: str, *, prepared: bool = False) -> str:
    """`prepare`d text without the boilerplate of complaints and without punctuation.

    Returns text in which removed boilerplate and punctuation are single spaces, so no n-gram
    is formed across them. Pure function; '' for None. `prepared`: `text` is already `prepare`d."""
    text = text if prepared else prepare(text)
    text = _BOILERPLATE.sub(" ", text)
    text = _NON_WORD.sub(" ", text)
    return " ".join(text.split())
