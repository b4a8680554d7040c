"""Complaints to a natural-resources bureau in 乌审旗, written the way petitioners write them.

A matter (one petitioner's grievance: what, where, how much, since when) is fixed by `Matter`; the
wording of each petition about it varies, so a repeat petition on the same matter is a paraphrase
(its character bigrams overlap as real repeats do) while two matters of one person differ. Lengths
run from a one-line hotline summary to a letter of several paragraphs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# The banner's towns and sumu with some of their gacha and villages (place names as written locally).
PLACES: dict[str, list[str]] = {
    "嘎鲁图镇": ["萨如拉嘎查", "布寨嘎查", "陶尔庙嘎查", "查汗庙嘎查", "伊克高勒嘎查", "呼和芒哈嘎查", "巴音温都尔嘎查",
              "沙尔利格嘎查", "毛盖图嘎查", "乌审西街社区", "团结路社区"],
    "乌审召镇": ["巴音敖包嘎查", "嘎亥图嘎查", "查干淖尔嘎查", "呼吉尔图嘎查", "陶利嘎查", "乌审召嘎查", "布日都嘎查",
              "敖包图嘎查"],
    "图克镇": ["图克嘎查", "哈图嘎查", "乌兰什巴台嘎查", "梅林庙嘎查", "黄陶勒盖嘎查", "呼和陶勒盖嘎查", "木肯淖尔嘎查"],
    "乌兰陶勒盖镇": ["巴彦柴达木嘎查", "巴音希里嘎查", "乌兰陶勒盖嘎查", "沙日塔拉嘎查", "巴音高勒嘎查", "达布察克嘎查"],
    "无定河镇": ["河南村", "排子湾村", "大沟湾村", "巴图湾村", "陶日木村", "纳林河村", "无定河村", "白家湾村"],
    "苏力德苏木": ["塔来乌素嘎查", "昌煌嘎查", "沙尔利格嘎查", "额尔和图嘎查", "陶尔庙嘎查", "查干苏莫嘎查"],
}
TOWNS = list(PLACES)
MINES = ["纳林河二号煤矿", "母杜柴登煤矿", "巴彦高勒煤矿", "葫芦素煤矿", "门克庆煤矿", "呼吉尔特煤矿", "营盘壕煤矿",
         "石拉乌素煤矿", "巴拉素煤矿"]
RIVERS = ["无定河", "纳林河", "海流图河", "白河", "巴汗淖尔"]
PROJECTS = ["乌审旗至鄂托克前旗公路", "苏里格气田集输管线", "光伏治沙项目", "风电场升压站", "嘎鲁图至图克镇高压输电线路",
            "包银高铁乌审旗段", "工业园区道路", "天然气处理厂扩建工程", "农村公路硬化工程", "水源地保护工程"]
SURNAMES = "王李张刘陈杨赵黄周吴高郭马白贺乔霍奇薛韩郝折苏孙胡杜曹"
HAN_GIVEN = ["建国", "春梅", "海峰", "志强", "秀英", "立新", "红霞", "志明", "丽娟", "永胜", "晓燕", "二虎", "金花", "有才",
             "三毛", "玉兰", "忠", "军", "平", "燕", "福来", "桂英", "俊", "文斌"]
MONGOL_NAMES = ["巴特尔", "其木格", "乌云", "斯琴", "额尔敦", "敖日格勒", "那仁", "萨仁", "图雅", "苏和", "宝音", "阿拉坦",
                "吉日嘎拉", "孟和", "娜仁花", "达来", "朝鲁", "哈斯", "巴图", "额尔德木图", "乌力吉", "布仁", "格日勒",
                "满都拉", "特木尔", "阿木古楞", "包金花", "敖特根"]
ROLES = ["牧民", "村民", "农民", "居民", "牧民", "牧民"]

# Each category (the bureau's managed list) with the matters it covers. Slots: {town} {village}
# {mu} {amount} {year} {mine} {river} {project} {neighbour} {month} {households}.
MATTERS: dict[str, list[dict[str, list[str]]]] = {
    "征地拆迁补偿": [{
        "facts": ["{year}年{project}征用了我家承包草场{mu}亩", "{project}占用我们嘎查集体草场{mu}亩，涉及{households}户",
                  "{year}年修建{project}时临时占用我家耕地{mu}亩"],
        "problems": ["征地补偿款至今没有兑现", "补偿标准明显低于同期相邻嘎查", "补偿款被嘎查委员会截留{amount}元没有发到户",
                     "临时用地期满后一直没有复垦归还", "地上附着物补偿没有算进去"],
        "details": ["当时丈量面积时我们都不在场，测出来的面积比实际少了一大截", "我们找过施工单位，对方说钱已经拨给镇里了",
                    "镇政府说需要等上级资金，这一等就是好几年", "同一条线路上隔壁嘎查每亩补到了{amount}元",
                    "协议上写明一年内付清，可到现在只付了一小部分", "草场被占后羊没地方放，只能高价买草料"],
        "demands": ["请求按标准足额兑现征地补偿款", "要求公开补偿款拨付明细", "请求落实临时用地复垦并补偿损失"],
    }],
    "土地管理": [{
        "facts": ["我在{village}的宅基地", "我家老宅基地约{mu}分", "我父亲留下的宅基地"],
        "problems": ["被邻居{neighbour}占用建了彩钢房", "申请审批已经一年多仍未批下来", "在确权时被登记到了别人名下",
                     "翻建房屋时被镇里以违建为由叫停", "四至界线与邻居发生纠纷"],
        "details": ["我们有{year}年嘎查开具的证明", "嘎查调解过两次，对方不认可", "镇土地所说要等村庄规划出来才能审批",
                    "家里老人住的土房已经成了危房，急需翻建", "对方仗着有亲戚在镇里工作，根本不理我们"],
        "demands": ["请求依法确认宅基地使用权", "请求尽快审批宅基地", "要求拆除侵占部分、恢复原状"],
    }, {
        "facts": ["嘎查把集体土地{mu}亩租给外地老板", "{village}有人私自开垦草原{mu}亩", "有企业在{village}圈占集体土地{mu}亩"],
        "problems": ["没有召开嘎查村民会议讨论", "租金去向不明", "一直没有人来管", "开垦后种上了玉米"],
        "details": ["租期写了三十年，租金一次收走了", "我们多次向嘎查两委反映，没有任何答复", "附近牧民的草场也被一起围了进去",
                    "嘎查账目从来没有公开过"],
        "demands": ["请求查处违法占地行为", "要求公开土地流转合同和账目", "请求恢复草原植被"],
    }],
    "不动产登记": [{
        "facts": ["我{year}年在{town}买的商品房", "我家在{village}的房屋", "我父亲去世后留下的房产", "我承包的{mu}亩草场"],
        "problems": ["至今办不下不动产权证书", "登记簿上的面积和实际不符", "去办继承过户时被告知材料不全",
                     "开发商欠缴土地出让金导致无法办证", "确权登记时四至写错"],
        "details": ["登记中心一次说要这个一次说要那个，我已经跑了{n}趟", "开发商已经联系不上了", "其他兄弟姐妹都同意由我继承",
                    "孩子上学要用房产证明", "我拿着当年的购房合同和发票"],
        "demands": ["请求尽快办理不动产登记", "要求一次性告知需要的材料", "请求更正登记错误"],
    }],
    "矿产资源": [{
        "facts": ["{mine}在我们嘎查附近开采", "{mine}井下开采", "{mine}的运煤车辆"],
        "problems": ["导致地面塌陷，我家房屋墙体出现裂缝", "造成地下水位下降，水井干涸，人畜饮水困难",
                     "常年碾压我家草场，扬尘严重", "塌陷区内{households}户至今没有搬迁安置"],
        "details": ["裂缝最宽的地方能伸进去一个拳头", "煤矿说是自然沉降，和他们无关", "评估公司是煤矿自己请的，我们不认可",
                    "每年雨季塌陷坑里积水，孩子们上学要绕路", "以前一口井够全家和三百只羊用，现在打到一百米都没水"],
        "demands": ["请求组织第三方鉴定并由企业赔偿", "要求按塌陷区治理方案搬迁安置", "请求责令煤矿治理塌陷区并复垦"],
    }, {
        "facts": ["{river}{village}段", "{village}附近的河道", "{river}河滩"],
        "problems": ["有人夜间非法采砂", "采砂船把河岸挖得坑坑洼洼", "采砂运输车辆压坏了我们的草场和道路"],
        "details": ["每天晚上十点以后就有十几辆车来拉沙", "我们打过电话举报，来人一看就走了", "河岸塌了以后我家{mu}亩耕地被冲掉了",
                    "他们说有手续，但从来没给我们看过"],
        "demands": ["请求依法查处非法采砂", "要求恢复河道和被毁草场", "请求公开采砂许可情况"],
    }],
    "林草": [{
        "facts": ["我家承包的{mu}亩草场", "我们嘎查的{mu}亩公益林", "我家{year}年种的{mu}亩柠条林"],
        "problems": ["草原生态保护补助奖励资金连续两年没有发放", "被邻嘎查的牧户越界放牧", "被人砍伐了一大片",
                     "禁牧期间仍有人偷牧", "在草场确权中被划给了别人"],
        "details": ["我去苏木问过，说是名单上没有我", "草场界桩被人拔掉了", "砍下来的树就堆在路边", "去年的补贴到现在也没到卡上",
                    "草场是{year}年二轮承包时分给我家的，有承包合同"],
        "demands": ["请求补发草原补奖资金", "请求重新勘界、确认草场界线", "请求林草部门调查处理"],
    }],
    "国土空间规划": [{
        "facts": ["{town}新的规划", "{project}的规划线路", "我家所在的片区"],
        "problems": ["要从我家院子中间穿过", "把我们的宅基地划成了工业用地", "被划入城镇开发边界后不让建房",
                     "规划公示期太短，我们都不知道"],
        "details": ["我们家在这里住了三代人", "规划公示只贴在镇政府门口，牧区的人根本看不到", "听说线路本来可以往北绕开的",
                    "规划调整后补偿标准一直没有明确"],
        "demands": ["请求公开规划依据并听取群众意见", "请求调整规划线路", "请求明确规划调整后的补偿安置办法"],
    }],
    "地质灾害": [{
        "facts": ["{village}后山", "我家房屋后面的土坡", "{village}采空区附近"],
        "problems": ["今年雨季出现了滑坡", "出现了一条长约{n}十米的地裂缝", "发生塌陷，威胁到住户安全"],
        "details": ["住在坡下面的有{households}户人家", "晚上下雨的时候全家都不敢睡", "镇里来看过一次，说会上报"],
        "demands": ["请求尽快进行地质灾害治理", "请求组织受威胁住户搬迁避让", "请求设立监测点和警示标志"],
    }],
    "测绘地理信息": [{
        "facts": ["我家草场的面积", "{village}和邻嘎查的界线", "我家承包地的测绘成果"],
        "problems": ["这次测量比承包合同上少了{mu}亩", "测绘时和实际界桩位置不一致", "测绘单位没有通知我们到场指界"],
        "details": ["影响到了草原补奖资金的发放", "我们要求复测，对方说要交费"],
        "demands": ["请求免费复测并更正测绘成果", "请求依法确认界线"],
    }],
    "其他": [{
        "facts": ["我在{town}的事情", "我们嘎查的事情"],
        "problems": ["办了很久都没有结果", "相关单位互相推诿"],
        "details": ["我年纪大了，来回跑一趟不容易"],
        "demands": ["希望帮忙协调解决"],
    }],
}
CATEGORY_WEIGHTS = {"征地拆迁补偿": 20, "土地管理": 22, "不动产登记": 16, "矿产资源": 15, "林草": 13, "国土空间规划": 5,
                    "地质灾害": 3, "测绘地理信息": 2, "其他": 4}
BEFORE = ["我们曾多次找过嘎查委员会和镇政府，都说要研究研究。", "之前也向有关部门反映过，一直没有下文。",
          "这个问题去年已经反映过一次，当时答复说尽快处理。", "为此我跑了旗里好几个部门，都说不归他们管。",
          "镇里调解过，但调解协议没有落实。"]
CLOSINGS = ["恳请领导重视，尽快解决为盼。", "望有关部门依法处理。", "希望政府给我们一个说法。", "如果再不解决，我们只能继续往上反映。",
            "请求领导百忙之中过问此事。", "", "", ""]
HOTLINE_OPEN = ["来电人反映：", "12345热线转办：市民来电反映，", "来电人称："]
LAWS = {
    "征地拆迁补偿": "根据《中华人民共和国土地管理法》第四十八条，征收土地应当给予公平、合理的补偿，保障被征地农牧民原有生活水平不降低、长远生计有保障",
    "土地管理": "《中华人民共和国土地管理法》规定，农村村民一户只能拥有一处宅基地，宅基地的申请、审批应当公开",
    "不动产登记": "《不动产登记暂行条例》规定，登记机构应当一次性告知需要补正的全部内容，并在规定时限内办结",
    "矿产资源": "《中华人民共和国矿产资源法》规定，开采矿产资源给他人生产、生活造成损失的，应当负责赔偿，并采取必要的补救措施",
    "林草": "《中华人民共和国草原法》规定，承包经营草原的合法权益受法律保护，任何单位和个人不得侵犯",
    "国土空间规划": "国土空间规划的编制和修改应当征求公众意见，涉及群众切身利益的应当听证",
    "地质灾害": "《地质灾害防治条例》规定，对受地质灾害威胁的居民应当及时采取搬迁避让或者工程治理措施",
    "测绘地理信息": "测绘成果应当真实、准确，权利人对测绘成果有异议的可以申请复核",
    "其他": "希望有关部门依法依规给予答复",
}
IMPACTS = ["这件事已经拖了好几年，家里的生活受到很大影响。", "家里老人常年生病，孩子还在上学，全家就靠这点草场和牲畜过日子。",
           "为了这件事，我们耽误了接羔和打草，损失不小。", "村里其他人也在看着，如果我们的问题解决不了，大家对政府的信任也会受影响。",
           "我们不是无理取闹，只是想要一个公道。"]
VISITS = ["{year}年{month}月我第一次到嘎查委员会反映，嘎查说要上报镇里。", "同年冬天又到镇政府反映，接待的同志做了登记，说尽快答复。",
          "后来又打过两次12345热线，每次都说已经转给相关部门了。", "去年我到旗信访局来访，工作人员让我等通知，至今没有消息。"]


@dataclass(frozen=True)
class Matter:
    """What one grievance is about; fixed across every petition a person files on it."""

    category: str
    town: str
    village: str
    index: int  # which matter of the category
    seed: int


def new_matter(rng: random.Random) -> Matter:
    category = rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
    town = rng.choice(TOWNS)
    return Matter(category, town, rng.choice(PLACES[town]), rng.randrange(len(MATTERS[category])), rng.getrandbits(32))


def person_name(rng: random.Random) -> str:
    if rng.random() < 0.4:
        return rng.choice(MONGOL_NAMES)
    return rng.choice(SURNAMES) + rng.choice(HAN_GIVEN)


def address(rng: random.Random, matter: Matter | None = None) -> str:
    town = matter.town if matter else rng.choice(TOWNS)
    village = matter.village if matter else rng.choice(PLACES[town])
    return f"鄂尔多斯市乌审旗{town}{village}" + (f"{rng.randint(1, 6)}社" if village.endswith("村") else "")


def complaint(matter: Matter, rng: random.Random, channel: str, *, repeat: bool = False) -> str:
    """One petition's text about `matter`. The facts come from the matter's own seed (the same in every
    repeat); the wording, the order and the length from `rng`."""
    facts_rng = type(rng)(matter.seed)
    kind = MATTERS[matter.category][matter.index]
    slots = {
        "town": matter.town, "village": matter.village, "mu": facts_rng.choice([12, 35, 80, 150, 300, 460, 800, 1200, 2600]),
        "amount": facts_rng.choice([3800, 12000, 26500, 48000, 90000, 156000]), "year": facts_rng.randint(2012, 2024),
        "mine": facts_rng.choice(MINES), "river": facts_rng.choice(RIVERS), "project": facts_rng.choice(PROJECTS),
        "neighbour": person_name(facts_rng), "households": facts_rng.randint(3, 40), "n": facts_rng.randint(3, 9),
        "month": facts_rng.randint(1, 12),
    }
    fact = facts_rng.choice(kind["facts"]).format(**slots) + "，"
    problem = facts_rng.choice(kind["problems"]).format(**slots)
    demand = facts_rng.choice(kind["demands"]).format(**slots)
    details = [d.format(**slots) for d in facts_rng.sample(kind["details"], len(kind["details"]))]
    length = rng.random()
    if channel == "letter":  # a letter is a letter
        length = 0.6 + 0.4 * length
    if channel == "phone":  # the hotline writes a summary
        text = f"{rng.choice(HOTLINE_OPEN)}{fact}{problem}，{demand}。"
        return text + (details[0] + "。" if length < 0.4 else "")
    who = f"{rng.choice(['我是', '本人系', '我叫' + person_name(rng) + '，是'])}{matter.town}{matter.village}{rng.choice(ROLES)}，"
    if length < 0.2:  # one line
        return f"{fact}{problem}，{demand}。"
    lead = f"{who}{fact}{problem}。"
    if length < 0.6:  # one paragraph
        extra = "".join(d + "。" for d in details[: rng.randint(1, 2)])
        return f"{lead}{extra}{'此事以前反映过，' if repeat else ''}{demand}。{rng.choice(CLOSINGS)}"
    # A letter: several paragraphs — the facts, what was tried, the law as the petitioner reads it,
    # what it costs them, the demands, a signature.
    body = [lead + "".join(d + "。" for d in details[:2])]
    body.append("".join(d + "。" for d in details[2:]) + "".join(v.format(**slots) for v in VISITS[: rng.randint(1, 4)])
                + rng.choice(BEFORE))
    if repeat or rng.random() < 0.5:
        body.append(f"上次反映后至今已经过去很长时间，{problem}的问题仍然存在。{LAWS[matter.category]}。"
                    + "".join(rng.sample(IMPACTS, 2)))
    demands = [d.format(**slots) for d in kind["demands"]]
    body.append("为此，特提出以下请求：\n" + "\n".join(f"{'一二三四'[i]}、{d}；" for i, d in enumerate(demands))
                + f"\n{rng.choice(CLOSINGS) or '恳请领导重视。'}")
    day = f"{facts_rng.randint(2023, 2026)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
    body.append(f"信访人：{person_name(rng)}\n{day}")
    return "\n\n".join(body)


REPLIES = {
    "direct_reply": ["经核实，您反映的补偿款已于近期拨付至镇财政所，请持身份证到镇便民服务中心领取。",
                     "您咨询的不动产登记所需材料为：身份证、户口簿、权属来源证明、地籍调查成果，可到政务服务中心一次办理。",
                     "草原补奖资金按年度于每年第四季度发放，请关注苏木镇公示。", "已电话向信访人解释相关政策，信访人表示理解。"],
    "legal_channel": ["该事项属于民事纠纷，已告知信访人可向人民法院提起诉讼。", "已告知信访人可依法申请行政复议或提起行政诉讼。",
                      "土地权属争议已告知信访人向旗人民政府申请确权处理。"],
    "guided": ["已引导信访人到旗政务服务中心不动产登记窗口办理。", "已引导至苏木镇人民政府农牧业综合服务中心办理。",
               "该事项由旗林业和草原局负责，已告知信访人前往办理。"],
    "declined": ["同一事项正在办理中，已向信访人说明。", "该事项已三级终结，已向信访人解释。"],
}
RESULTS = ["经协调，征地补偿款已足额兑现到户，信访人已领取。", "已为信访人办理不动产权证书。", "经实地勘查，已重新确定草场界线并埋设界桩。",
           "煤矿已委托第三方鉴定，按鉴定结果赔偿房屋损失。", "非法采砂行为已被查处，河道正在恢复治理。", "已责令侵占方拆除违建部分，恢复原状。",
           "草原补奖资金已补发到位。", "经调查，信访人反映的情况部分属实，已督促嘎查公开账目。", "规划线路已调整，避开信访人院落。",
           "已将受威胁住户纳入地质灾害避险搬迁计划。", "经调查，补偿标准符合政策规定，已向信访人做好解释工作。"]
DEPT_RESULTS = ["已实地核查，情况属实，正在协调解决。", "已按规定兑现补偿款。", "已办结，办理结果已告知代办员。",
                "经核实，该事项不属实，已书面答复。", "已立案查处。", "已完成测量并出具成果。"]
OPINIONS = ["同意，请事权单位按时限办理。", "请自然资源局牵头，尽快核实处理。", "请相关单位高度重视，限期办结。", "同意拟办意见。"]
PROPOSED = ["建议由事权单位核实后依法依规处理。", "建议会同苏木镇联合现场勘查。", "建议先行调解，调解不成依法处理。"]
CONTACT_NOTES = ["告知办理进度", "电话告知处置单已流转至事权单位", "上门了解最新情况", "解释可能延期的原因", ""]
FOLLOW_UP_NOTES = ["信访人对处理结果表示满意，无新的诉求。", "回访时信访人表示问题已解决。", "信访人仍有意见，已做好解释。"]
ESCALATE_REASONS = ["涉及多个部门，本级无法协调解决", "属于“三跨三分离”事项"]
