"""The demo month: some fifty petitions in every status and track, made by the real services.

Each case is a short script of what people did on which working day (counted back from today):
intake, screening, routing, the departments' signing and answers, the leaders' opinions, urgings,
feedback, reviews, termination, the follow-up visit and archiving. Every step goes through
`petition_intake`, `petition_act` and `disposition_act` exactly as the pages and the API do, with
`on` set to the day it happened (the API's back-dating of paper work), so the demo stays valid
whenever the workflow changes: a step the workflow no longer accepts fails loudly in the tests.

Never in production (`settings.PRODUCTION`), and once only: nothing is added to a database that
already holds petitions, so running it again changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from daiban.lib.dates import today
from daiban.org.models import Agent, Department, User
from daiban.petitions.double_checks import double_check_assign
from daiban.petitions.intake import petition_intake
from daiban.petitions.models import Disposition, DoubleInvestigation, Petition
from daiban.petitions.services import disposition_act, petition_act
from daiban.staff.roster import generate_month, roster_stations
from daiban.workdays.engine import add_workdays
from daiban.workdays.models import CalendarDay

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


class DemoRefused(Exception):
    """The demo month may not be loaded here (production)."""


def id_number(born: str, serial: int) -> str:
    """A valid 18-digit ID number of 乌审旗 (region 150626) with the check digit of GB 11643."""
    first17 = f"150626{born}{serial % 1000:03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]
    return first17 + check


@dataclass(frozen=True)
class Person:
    name: str
    born: str
    address: str


PEOPLE = [
    Person("巴图孟和", "19650312", "嘎鲁图镇沙尔利格嘎查"), Person("乌云其其格", "19720805", "乌审召镇巴音敖包嘎查"),
    Person("张桂兰", "19581120", "嘎鲁图镇萨如拉社区"), Person("王富贵", "19690214", "图克镇葫芦素嘎查"),
    Person("额尔敦毕力格", "19770630", "乌审召镇查干朝鲁嘎查"), Person("李秀珍", "19630918", "嘎鲁图镇布寨嘎查"),
    Person("苏和巴特尔", "19800102", "无定河镇排子湾村"), Person("刘占山", "19550704", "河南乡陶尔庙嘎查"),
    Person("高娃", "19830415", "苏力德苏木查汗庙嘎查"), Person("陈有福", "19610927", "图克镇梅林庙嘎查"),
    Person("斯琴图雅", "19751111", "乌兰陶勒盖镇达布察克嘎查"), Person("赵国庆", "19691001", "嘎鲁图镇锦绣社区"),
    Person("那仁满都拉", "19680623", "乌审召镇沙沙滩嘎查"), Person("孙玉梅", "19740309", "无定河镇大沟湾村"),
    Person("宝音德力格尔", "19600516", "苏力德苏木浩勒报吉嘎查"), Person("马永平", "19820828", "嘎鲁图镇海流图嘎查"),
    Person("娜仁花", "19860203", "乌兰陶勒盖镇巴音高勒嘎查"), Person("周志刚", "19710719", "图克镇乌兰什巴台嘎查"),
    Person("图门吉日嘎拉", "19570121", "乌审召镇察汗淖尔嘎查"), Person("杨春燕", "19880510", "嘎鲁图镇王家湾社区"),
    Person("白音仓", "19641207", "河南乡巴图湾村"), Person("郝建军", "19730325", "无定河镇萨拉乌苏村"),
    Person("萨仁高娃", "19790914", "苏力德苏木呼吉尔特嘎查"), Person("田玉明", "19660602", "图克镇门克庆嘎查"),
]

# What herders, farmers and townspeople bring to a natural-resources bureau, in their own words.
MATTERS = [
    ("征地拆迁补偿", "我家在沙尔利格嘎查的承包草场约300亩，2025年被修建旅游公路征用了80亩，至今没有收到征地补偿款，找过嘎查和镇里都说在走程序，请求尽快落实补偿。"),
    ("土地管理", "我于2024年向嘎查申请宅基地建房，材料早就交齐了，镇里一直说审批在等规划，已经过去一年多，请求尽快办理宅基地审批手续。"),
    ("不动产登记", "我购买的萨如拉社区二手房已交清全款，卖方迟迟不配合办理转移登记，登记中心说需要双方到场，请求帮助协调办理不动产权证书。"),
    ("矿产资源", "葫芦素嘎查附近煤矿采煤造成地面沉陷，我家房屋墙体开裂、院墙倒塌，机井干涸，人畜饮水困难，请求鉴定损失并给予赔偿和搬迁安置。"),
    ("林草", "查干朝鲁嘎查有人在禁牧区偷牧，几百只羊天天在我家承包草场上啃草，草场退化严重，向苏木反映多次没人管，请求依法查处。"),
    ("不动产登记", "我的不动产权证书上面积写成了120平方米，实际测绘是180平方米，请求登记中心更正登记，改过来。"),
    ("矿产资源", "无定河排子湾村河道有人夜间私挖采砂，挖出好几处大坑，河岸坍塌，村里孩子夏天在河边玩水很危险，请求依法查处非法采砂并回填。"),
    ("征地拆迁补偿", "陶尔庙嘎查修建光伏电站租用我家400亩草场，协议约定每年每亩租金80元，公司已拖欠两年租金，请求督促企业支付。"),
    ("林草", "我家的公益林补偿款从2023年起被嘎查截留，一直没有发放到户，询问村干部说被扣了，请求查清去向并补发。"),
    ("国土空间规划", "梅林庙嘎查新规划的物流园区把我家的水浇地和棚圈划进去了，没有征求过我们意见，请求公开规划并听取村民意见。"),
    ("征地拆迁补偿", "达布察克嘎查集体土地征收补偿款分配不公，外嫁女和新生儿没有分到，请求按统一标准重新分配。"),
    ("土地管理", "我家老宅子翻建时邻居说占了他家的宅基地，嘎查调解没成，双方界址不清，请求自然资源部门勘测确权划界。"),
    ("地质灾害", "沙沙滩嘎查北边的土崖去年雨季塌方，离我家房子不到20米，一下雨就往下掉土，担心房子被埋，请求排查地质灾害隐患并避险搬迁。"),
    ("不动产登记", "大沟湾村我家房屋抵押贷款早已还清，银行出具了解押证明，但抵押注销登记一直办不了，影响我再贷款，请求尽快办理。"),
    ("林草", "浩勒报吉嘎查有企业修风电场道路，车辆碾压破坏了我家草场约50亩，植被全毁了，也没有恢复，请求责令恢复植被并赔偿。"),
    ("征地拆迁补偿", "海流图嘎查修建一级公路占用我家耕地6.5亩，评估时漏算了地上附着物（果树和机井），请求补充评估并补足补偿。"),
    ("国土空间规划", "巴音高勒嘎查附近新建的垃圾转运站选址离居民区太近，夏天臭味大，请求重新论证选址。"),
    ("矿产资源", "乌兰什巴台嘎查煤矿排土场压占我家草场约120亩，说好每亩补偿1500元只付了一半，请求督促煤矿足额支付。"),
    ("林草", "察汗淖尔嘎查草原确权时把我家的草场划给了邻户，面积少了35亩，和承包经营权证不符，请求重新确权划界。"),
    ("土地管理", "王家湾社区我家房子在棚户区改造范围内，安置房至今没有交房，过渡费也停发了半年，请求落实安置。"),
    ("征地拆迁补偿", "巴图湾村修建防洪堤占用我家河滩地，当时说好另行补偿，到现在没人来管，请求按标准补偿。"),
    ("矿产资源", "萨拉乌苏村附近砖厂私自取土，挖成大坑，破坏了耕地，坑边也没有警示标志，请求查处并责令复垦。"),
    ("林草", "呼吉尔特嘎查护林员长期不巡山，林地被人滥伐，樟子松被砍了好几十棵，请求林草部门查处并撤换护林员。"),
    ("不动产登记", "门克庆嘎查牧民新村的房子建成多年一直办不了不动产权证书，说是历史遗留问题，请求统一办理首次登记。"),
]

# How a station or a hotline operator words the same matter (for repeats through another channel).
PARAPHRASES = {
    0: "本人在沙尔利格嘎查有300亩承包草场，去年修旅游公路时被征用了80亩，征地补偿款到现在一分也没拿到，要求尽快补偿。",
    3: "12345转办：市民反映葫芦素嘎查煤矿采煤沉陷导致其房屋开裂、院墙倒塌、机井没水，诉求鉴定损失、赔偿并搬迁。",
    7: "光伏电站租了我家陶尔庙嘎查400亩草场，合同写每亩每年80元，两年了租金一直拖着不给，请督促公司付款。",
}

# Another herder on the same project as MATTERS[0] (同一事项，多名信访人).
SAME_PROJECT = "沙尔利格嘎查旅游公路征用了我家承包草场约50亩，补偿款一直没有发放，和邻居巴图孟和家一样，请求尽快落实征地补偿。"

# What the department found and did on each matter (its 处置单's result), and what the agent heard at
# the follow-up visit: by the matter's index in MATTERS, so a case's result answers its own complaint.
RESULTS = [
    ("经核查，旅游公路征用该户草场80亩属实，补偿款已列入本月拨付计划，15日内足额发放到户。", "上门回访，征地补偿款已到账，信访人无新的诉求。"),
    ("经审查，该户宅基地申请材料齐全、符合村庄规划，已报镇政府审批，审批结果将书面告知。", "电话回访，宅基地审批已批复，信访人已开始备料建房。"),
    ("已约谈卖方并告知法律后果，买卖双方已到登记中心办理转移登记，不动产权证书已发放。", "电话回访，信访人已领取不动产权证书，表示满意。"),
    ("经鉴定，房屋损坏与采煤沉陷有关，已责成煤矿按标准赔偿并纳入沉陷区搬迁安置计划，临时供水已解决。", "上门回访，赔偿款已兑付，临时供水正常，信访人等待搬迁安置。"),
    ("经查，禁牧区偷牧属实，已对违规放牧者依法处罚，并安排草原管护员加强巡查。", "电话回访，偷牧现象已停止，信访人表示认可。"),
    ("经重新测绘核实，实际面积为180平方米，登记中心已办理更正登记并换发证书。", "电话回访，信访人已领取更正后的证书。"),
    ("经查，夜间私挖采砂属实，已依法查处并没收采砂设备，坍塌河岸和大坑已回填并设置警示标志。", "上门回访，河道大坑已回填，信访人无新的诉求。"),
    ("已约谈光伏企业，企业承诺分期支付拖欠的两年租金，首期款已于本月支付。", "电话回访，首期租金已到账，信访人继续关注后续款项。"),
    ("经审计，嘎查截留公益林补偿款属实，已责令全额退还并补发到户，相关责任人已被问责。", "上门回访，补偿款已补发到户，信访人表示满意。"),
    ("规划方案已在嘎查公示并召开村民座谈会听取意见，水浇地和棚圈的调整意见已纳入规划修改。", "电话回访，信访人已参加座谈会，对调整结果表示理解。"),
    ("经核查，补偿款分配方案未经村民会议讨论，已责令嘎查按统一标准重新分配，外嫁女和新生儿已补发。", "上门回访，补偿款已补发，信访人无新的诉求。"),
    ("已会同苏木镇现场勘测，界址已重新确认并出具勘测定界图，双方签字认可。", "电话回访，双方按新界址各自建房，未再发生纠纷。"),
    ("经地质灾害隐患排查，该土崖列为隐患点，已设置监测和警示标志，雨季前将实施削坡治理，该户已纳入避险搬迁计划。", "上门回访，监测和警示标志已设置，信访人表示理解。"),
    ("经核实，银行解押证明有效，已协调不动产登记中心办理抵押注销登记。", "电话回访，抵押注销已办结，信访人已办理新的贷款。"),
    ("经查，风电企业车辆碾压草场属实，已责令企业恢复植被并按标准赔偿草原损失。", "上门回访，赔偿款已到位，补播工作已开始。"),
    ("已委托评估机构对漏算的果树和机井补充评估，补偿款已补发到户。", "电话回访，补偿款已补足，信访人表示满意。"),
    ("经复核，垃圾转运站选址符合规划要求，将增设除臭设施并加强清运，已向信访人解释。", "电话回访，除臭设施已安装，异味明显减轻。"),
    ("已约谈煤矿，煤矿已补付剩余一半的压占补偿款。", "上门回访，补偿款已足额到账。"),
    ("经重新核查，该户草场确权面积有误，已重新确权划界，面积与承包经营权证一致。", "上门回访，新的界桩已埋设，信访人表示满意。"),
    ("已督促开发企业加快安置房建设，并恢复发放停发的过渡费，安置房预计年底交付。", "电话回访，过渡费已补发，信访人等待交房。"),
    ("经核实，防洪堤占用该户河滩地属实，已按标准核算并发放补偿。", "电话回访，补偿款已到账，信访人无新的诉求。"),
    ("经查，砖厂私自取土属实，已依法处罚并责令限期复垦，坑边已设置警示标志。", "上门回访，复垦工作已开始，警示标志已设置。"),
    ("经查，滥伐林木属实，已移交森林公安立案查处，护林员已撤换，并加强巡护。", "电话回访，新护林员已上岗巡护，信访人表示认可。"),
    ("牧民新村历史遗留问题已纳入专项处置，登记中心已集中受理首次登记，证书将于两个月内发放。", "电话回访，信访人已提交登记材料，等待领证。"),
]


@dataclass
class Step:
    """One thing a person did: `ago` working days before today (0 = today)."""

    ago: int
    who: str
    action: str  # a petition action, or "d<N>:<action>" for an action on the N-th demo department's 处置单
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Case:
    person: int
    matter: int
    ago: int  # received this many working days ago
    channel: str = "visit"
    source: str = "self"
    steps: list[Step] = field(default_factory=list)
    content: str | None = None
    intake_by: str | None = "agent1"  # None: the petitioner through the portal
    external_id: str = ""


@dataclass
class Org:
    agents: dict[str, Agent]
    departments: list[Department]
    users: dict[str, User]


# --- the scripts: building blocks of the work, composed into cases --------------------------

def _accept(at: int, agent: str = "agent1") -> list[Step]:
    return [Step(at, agent, "screen", {"outcome": "agency", "agent_id": f"@{agent}", "notification": "written"})]


def _route(at: int, depts: Iterable[int], track: str = "standard", agent: str = "agent1") -> list[Step]:
    return [Step(at, agent, "route", {"departments": [f"#{d}" for d in depts], "track": track,
                                       "proposed_handling": "请按职责核查处理，并在时限内反馈处理结果。"})]


def _answer(at: int, dept: int, *, sign_at: int | None = None) -> list[Step]:
    steps = [Step(sign_at if sign_at is not None else at, f"dept{dept}", f"d{dept}:receive")]
    steps.append(Step(at, "leader", f"d{dept}:opinion", {"role": "leader_in_charge", "text": "同意，请抓紧办理。"}))
    steps.append(Step(at, f"dept{dept}", f"d{dept}:result", {"result": "$result"}))  # the case's own matter
    return steps


def _conclude(at: int, agent: str = "agent1") -> list[Step]:
    return [Step(at, agent, "conclude", {"result": "各事权单位已按职责办理完毕，问题已依法依规处理。"})]


def _feedback(at: int, satisfaction: str, agent: str = "agent1", method: str = "phone") -> list[Step]:
    return [Step(at, agent, "feedback", {"method": method, "satisfaction": satisfaction})]


def _handled(at: int, dept: int, agent: str = "agent1") -> list[Step]:
    """Accepted, routed to one department, answered, concluded: `at` is the day of acceptance."""
    return [*_accept(at, agent), *_route(at, [dept], agent=agent), *_answer(at - 6, dept, sign_at=at - 1),
            *_conclude(at - 7, agent)]


def _terminated(at: int, dept: int, agent: str = "agent1") -> list[Step]:
    return [*_handled(at, dept, agent), *_feedback(at - 8, "satisfied", agent),
            Step(at - 8, agent, "terminate", {"note": "处理意见已落实，信访人表示满意，事项终结。", "three_in_place": True})]


def _followed(at: int, dept: int, agent: str = "agent1") -> list[Step]:
    return [*_terminated(at, dept, agent),
            Step(at - 12, agent, "follow_up", {"note": "$follow_up", "rebound": False})]


def cases() -> list[Case]:
    """The month's cases. Counts of working days are chosen so that deadlines fall both before and
    after today: a standard matter is due 15 working days after routing."""
    return [
        # 待甄别: today and the last days, through every channel.
        Case(0, 0, 0, "visit", steps=[]),
        Case(1, 1, 1, "online", intake_by=None),
        Case(2, 2, 0, "phone", "hotline_12345", external_id="12345-2026-118732"),
        Case(3, 3, 2, "letter", "village"),
        # Screened out at the door.
        Case(4, 16, 20, steps=[Step(19, "agent2", "screen", {"outcome": "direct_reply", "notification": "oral",
             "reply": "垃圾转运站选址已经规划论证并公示，将增设除臭设施，已当面解释。"})]),
        Case(5, 10, 9, steps=[Step(9, "agent2", "screen", {"outcome": "legal_channel", "notification": "written",
             "reply": "集体经济组织收益分配纠纷，请依法向乡镇人民政府申请调解或向人民法院起诉。"})]),
        Case(6, 11, 6, steps=[Step(6, "agent3", "screen", {"outcome": "guided", "notification": "oral",
             "reply": "宅基地界址争议，已引导向苏木镇人民政府申请调处。"})]),
        Case(7, 20, 4, steps=[Step(3, "agent3", "screen", {"outcome": "declined", "reason": "judicial",
             "notification": "written", "reply": "该事项已由人民法院受理。"})]),
        # 已受理，待流转.
        Case(8, 4, 3, steps=_accept(2, "agent2")),
        Case(9, 5, 1, "phone", steps=_accept(1, "agent3")),
        Case(10, 13, 0, "visit", steps=_accept(0, "agent4")),
        # 办理中, a standard matter: one overdue (routed 20 working days ago), one signed, one answered.
        Case(11, 6, 22, steps=[*_accept(21, "agent2"), *_route(21, [2], agent="agent2"),
             Step(18, "dept2", "d2:receive"), Step(3, "agent2", "urge", {"disposition_id": "@d2",
             "note": "已超期，请于三日内报送处理结果。"})]),
        Case(12, 7, 18, steps=[*_accept(17), *_route(17, [5, 4]), Step(15, "dept5", "d5:receive"),
             Step(14, "dept4", "d4:receive"), *_answer(10, 5)[1:]]),
        Case(13, 8, 8, steps=[*_accept(8, "agent3"), *_route(7, [2], agent="agent3"), Step(6, "dept2", "d2:receive"),
             Step(2, "agent3", "contact", {"method": "phone", "note": "告知信访人正在核查补偿款去向。"})]),
        Case(14, 12, 5, steps=[*_accept(5, "agent4"), *_route(4, [5], agent="agent4")]),
        Case(15, 14, 14, steps=[*_accept(13, "agent5"), *_route(13, [2], agent="agent5"),
             Step(12, "dept2", "d2:receive"), Step(2, "chief", "d2:opinion", {"role": "principal",
             "text": "请林草局本周内核实处理，并向信访人说明。"})]),
        Case(16, 21, 30, steps=[*_accept(29, "agent5"), *_route(29, [5], agent="agent5"),
             Step(27, "dept5", "d5:receive"), Step(12, "agent5", "urge", {"disposition_id": "@d5", "note": "请加快办理。"}),
             Step(11, "leader", "extend", {"days": 30, "reason": "需委托有资质的机构评估损失，情况复杂。"})]),
        # Multi-department and major matters.
        Case(17, 9, 12, steps=[*_accept(12), *_route(11, [3, 5], "multi_department"),
             Step(9, "agent1", "determine_solution", {"determined_on": "@9"}), Step(8, "dept3", "d3:receive")]),
        Case(18, 17, 16, steps=[*_accept(16, "agent2"), *_route(15, [4, 1, 5], "multi_department", agent="agent2"),
             Step(12, "agent2", "determine_solution", {"determined_on": "@12"}), *_answer(6, 4, sign_at=11)]),
        Case(19, 3, 25, "visit", steps=[*_accept(24, "agent1"), *_route(23, [4, 5, 2], "major", agent="agent1"),
             Step(20, "agent1", "determine_solution", {"determined_on": "@20", "convened_by": "banner_head"}),
             Step(19, "dept4", "d4:receive"), Step(18, "dept5", "d5:receive")]),
        # 已上报.
        Case(20, 18, 11, steps=[*_accept(11, "agent3"), *_route(10, [2], agent="agent3"),
             Step(4, "agent3", "escalate", {"to": "center", "reason": "涉及草原确权历史遗留问题，本服务室无法协调解决。"}),
             Step(3, "center", "take_escalation", {"note": "已签收，协调林草局、苏木镇会同核实。"})]),
        Case(21, 15, 7, steps=[*_accept(7, "agent4"),
             Step(6, "agent4", "escalate", {"to": "joint_office", "reason": "涉及交通、自然资源和镇政府多个部门，需联席办统筹。"})]),
        # 已办结，待反馈.
        Case(22, 22, 12, steps=_handled(11, 2, "agent2")),
        Case(23, 23, 10, steps=_handled(10, 1, "agent5")),
        # 已反馈: satisfied (to be terminated), and dissatisfied (the petitioner may ask for review).
        Case(0, 21, 16, "letter", steps=[*_handled(15, 5, "agent3"), *_feedback(7, "fairly_satisfied", "agent3")]),
        Case(1, 8, 17, steps=[*_handled(16, 2, "agent4"), *_feedback(8, "dissatisfied", "agent4", "visit")]),
        Case(2, 14, 19, steps=[*_handled(18, 2), *_feedback(10, "understanding")]),
        # 复查中 and 复核中.
        Case(3, 7, 26, steps=[*_handled(25, 5, "agent2"), *_feedback(17, "dissatisfied", "agent2"),
             Step(15, "agent2", "request_review", {"level": "review", "reason": "租金仍未到账，对处理结果不满意。"})]),
        Case(4, 19, 40, steps=[*_handled(39, 3, "agent3"), *_feedback(31, "dissatisfied", "agent3"),
             Step(29, "agent3", "request_review", {"level": "review", "reason": "草场面积仍少35亩。"}),
             Step(20, "center", "decide_review", {"upheld": False, "note": "原处理意见认定事实清楚，维持。"}),
             Step(16, "agent3", "request_review", {"level": "re_review", "reason": "对复查意见不服，申请复核。"})]),
        # Review upheld: handled again within the new limit (一案双查 opened).
        Case(5, 2, 38, steps=[*_handled(37, 1, "agent4"), *_feedback(29, "dissatisfied", "agent4"),
             Step(27, "agent4", "request_review", {"level": "review", "reason": "卖方仍不配合，登记中心未协调。"}),
             Step(18, "center", "decide_review", {"upheld": True, "note": "登记中心未依法协调，申请有理。", "due_on": "+12"})]),
        # 已终结，待回访 (one visit overdue).
        Case(6, 12, 14, steps=_terminated(13, 5, "agent5")),
        Case(7, 13, 35, steps=_terminated(34, 1, "agent1")),
        Case(8, 15, 30, steps=[*_handled(29, 4, "agent2"), *_feedback(21, "dissatisfied", "agent2"),
             Step(20, "agent2", "request_review", {"level": "review", "reason": "赔偿标准过低。"}),
             Step(15, "center", "decide_review", {"upheld": False, "note": "补偿标准符合规定，维持。"}),
             Step(13, "agent2", "request_review", {"level": "re_review", "reason": "仍不服。"}),
             Step(6, "center", "decide_review", {"upheld": False, "note": "复核维持，三级终结。"}),
             Step(2, "agent2", "record_conduct", {"kind": "pestering",
                                                  "note": "三级终结后仍连续三日到服务室缠访，要求按其标准赔偿。"})]),
        # 已回访 and 已归档.
        Case(9, 9, 40, steps=_followed(39, 3, "agent3")),
        Case(10, 0, 44, steps=_followed(43, 5, "agent4")),
        Case(11, 1, 45, steps=[*_followed(44, 3, "agent1"), Step(30, "agent1", "archive")]),
        Case(12, 5, 43, steps=[*_followed(42, 1, "agent2"), Step(29, "agent2", "archive")]),
        Case(13, 17, 28, steps=[Step(28, "agent5", "screen", {"outcome": "direct_reply", "notification": "oral",
             "reply": "经查，该站点选址已按程序批准，已向信访人解释。"}), Step(26, "agent5", "archive")]),
        # Township stations.
        Case(14, 4, 9, "visit", intake_by="agent12", steps=[*_accept(9, "agent12"), *_route(8, [5], agent="agent12"),
             Step(7, "dept5", "d5:receive")]),
        Case(15, 18, 6, "phone", intake_by="agent13", steps=[*_accept(5, "agent13"), *_route(5, [6], agent="agent13")]),
        Case(16, 6, 3, "visit", intake_by="agent13", steps=[]),
        # Repeats: the same petitioner's same matter again, through another channel.
        Case(10, 0, 2, "phone", "hotline_12345", content=PARAPHRASES[0], external_id="12345-2026-120455"),
        Case(3, 7, 1, "online", content=PARAPHRASES[7], intake_by=None),
        Case(19, 3, 4, "letter", "village", content=PARAPHRASES[3], steps=[
             Step(3, "agent1", "screen", {"outcome": "declined", "reason": "in_progress", "notification": "written",
                                         "reply": "同一事项正在办理中，已告知信访人等待处理结果。"})]),
        # Several petitioners, one project (同一事项，多名信访人).
        Case(17, 0, 1, "visit", content=SAME_PROJECT),
        Case(18, 0, 0, "visit", content=SAME_PROJECT.replace("50亩", "70亩").replace("巴图孟和", "巴图孟和、高娃")),
        # Work passing between people: the center sends an escalation back with instructions; a
        # department returns a 处置单 that is not its competence and the agent routes again; a
        # department asks for more time; the station's leader changes the agent.
        Case(23, 11, 16, steps=[*_accept(15, "agent4"), *_route(14, [2], agent="agent4"), Step(13, "dept2", "d2:receive"),
             Step(10, "agent4", "escalate", {"to": "center", "reason": "界址涉及两个苏木，需上级协调。"}),
             Step(9, "center", "take_escalation", {"note": "已签收。"}),
             Step(8, "center", "return_escalation", {"instructions": "已与两苏木镇确认以2010年确权图为准，请据此办理。",
                                                     "due_on": "+10"})]),
        Case(12, 14, 9, steps=[*_accept(9, "agent5"), *_route(8, [3], agent="agent5"),
             Step(7, "dept3", "d3:return", {"reason": "草场碾压恢复不属于住建部门职责，建议流转林草局。"}),
             *_route(6, [2], agent="agent5"), Step(5, "dept2", "d2:receive")]),
        Case(13, 5, 13, steps=[*_accept(12, "agent3"), *_route(12, [1], agent="agent3"), Step(11, "dept1", "d1:receive"),
             Step(1, "dept1", "d1:request_extension", {"workdays": 10, "reason": "需委托测绘单位外业核实面积。"})]),
        Case(14, 9, 7, steps=[*_accept(7, "agent4"), *_route(6, [4], agent="agent4"),
             Step(3, "leader", "reassign", {"agent_id": "@agent2", "reason": "原代办员外出学习，改由熟悉国土空间规划的代办员办理。"})]),
        # Routed recently: due in the coming days.
        Case(20, 22, 13, steps=[*_accept(13, "agent2"), *_route(13, [6], agent="agent2"), Step(11, "dept6", "d6:receive")]),
        Case(21, 23, 4, steps=[*_accept(4, "agent5"), *_route(3, [1], agent="agent5")]),
        Case(22, 10, 10, steps=[*_accept(10, "agent1"), *_route(9, [5], agent="agent1"), Step(9, "dept5", "d5:receive"),
             Step(8, "dept5", "d5:result", {"result": "$result"})]),
        # Late work (超期), as every month has some: a 处置单 answered four working days past its
        # limit after an urging, so the matter is concluded late (按期办结率, the department's 按期率
        # and 超期); one whose limit passed yesterday, still unanswered (超期 on any day's dashboard,
        # the first working day of a month or a year included).
        Case(15, 1, 34, "online", intake_by=None, steps=[
             *_accept(33, "agent2"), *_route(33, [4], agent="agent2"), Step(31, "dept4", "d4:receive"),
             Step(17, "agent2", "urge", {"disposition_id": "@d4", "note": "办理时限已到，请于两日内报送处理结果。"}),
             *_answer(14, 4)[1:], *_conclude(13, "agent2"), *_feedback(11, "understanding", "agent2")]),
        Case(16, 2, 16, "online", intake_by=None, steps=[*_accept(16, "agent3"), *_route(16, [1], agent="agent3"),
             Step(15, "dept1", "d1:receive")]),
        Case(18, 13, 24, "letter", steps=[*_accept(23, "agent4"), *_route(23, [6], agent="agent4"),
             Step(22, "dept6", "d6:receive"), *_answer(6, 6)[1:], *_conclude(5, "agent4")]),
        # 网上信访 through the portal (掌上信访) across the month, as people send them: handled on time
        # to the follow-up visit, answered at the door, and one sent today.
        Case(17, 12, 27, "online", intake_by=None, steps=_followed(26, 6, "agent4")),
        Case(19, 16, 5, "online", intake_by=None, steps=[Step(4, "agent1", "screen", {
             "outcome": "direct_reply", "notification": "oral",
             "reply": "垃圾转运站选址已经规划论证并公示，将增设除臭设施，已电话向信访人解释。"})]),
        Case(20, 19, 0, "online", intake_by=None),
    ]


# --- running the scripts ----------------------------------------------------------------------

class _Calendar:
    """Working days counted back from today on the calendar table (weekends where it has no row)."""

    def __init__(self, start: datetime.date, span: int) -> None:
        first = start - datetime.timedelta(days=span * 2 + 30)
        table = dict(CalendarDay.objects.filter(date__range=(first, start)).values_list("date", "is_workday"))
        self.days: list[datetime.date] = []
        day = start
        while day >= first:
            if table.get(day, day.weekday() < 5):
                self.days.append(day)
            day -= datetime.timedelta(days=1)
        self.start = start

    def back(self, ago: int) -> datetime.date:
        # 0 is today even on a rest day (a demo loaded on a Sunday still ends today).
        return self.start if ago == 0 else self.days[min(ago, len(self.days) - 1)]


def _resolve(value: Any, ctx: dict[str, Any]) -> Any:
    """Placeholders in a script: "@agentN" an agent's id, "#N" the N-th department's id, "@dN" the
    处置单 of the N-th department, "@N" the date N working days ago, "+N" N working days from today,
    "$result" and "$follow_up" the department's result and the follow-up visit's note on the case's
    own matter (RESULTS)."""
    if isinstance(value, list):
        return [_resolve(v, ctx) for v in value]
    if not isinstance(value, str) or not value or value[0] not in "@#+$":
        return value
    head, rest = value[0], value[1:]
    if head == "$":
        result, follow_up = RESULTS[ctx["matter"] % len(RESULTS)]
        return {"result": result, "follow_up": follow_up}[rest]
    if head == "#":
        return ctx["org"].departments[int(rest) - 1].pk
    if head == "+":
        return ctx["future"](int(rest)).isoformat()
    if rest.startswith("agent"):
        return ctx["org"].agents[rest].pk
    if rest.startswith("d") and rest[1:].isdigit():
        return ctx["disposition"](int(rest[1:])).pk
    return ctx["calendar"].back(int(rest)).isoformat()


def _org() -> Org:
    users = {u.username: u for u in User.objects.filter(is_demo=True)}
    agents = {a.user.username: a for a in Agent.objects.select_related("user").filter(user__is_demo=True)
              if a.user is not None}
    departments = list(Department.objects.filter(active=True).order_by("id"))
    missing = {"agent1", "agent12", "agent13", "center", "leader", "chief"} - set(users)
    if missing or len(departments) < 6:
        raise DemoRefused("请先载入演示机构和账号（load_demo）")
    return Org(agents, departments, users)


def _future(start: datetime.date) -> Callable[[int], datetime.date]:
    return lambda count: add_workdays(start, count).date


def _intake(case: Case, org: Org, cal: _Calendar) -> Petition:
    person = PEOPLE[case.person % len(PEOPLE)]
    category, text = MATTERS[case.matter]
    data: dict[str, Any] = {
        "channel": case.channel, "source": case.source, "content": case.content or text, "category": category,
        "received_on": cal.back(case.ago).isoformat(),
        "petitioner": {"name": person.name, "id_number": id_number(person.born, case.person + 1),
                       "phone": f"1394778{case.person:04d}", "address": person.address},
    }
    if case.external_id:
        data["external_id"] = case.external_id
    if case.intake_by is None:
        return petition_intake(data=data, user=None, as_petitioner=True).petition
    user = org.users[case.intake_by]
    return petition_intake(data=data, user=user).petition


def _play(case: Case, org: Org, cal: _Calendar) -> Petition:
    petition = _intake(case, org, cal)

    def disposition(dept: int) -> Disposition:
        return Disposition.objects.get(petition=petition, department=org.departments[dept - 1])

    ctx = {"org": org, "calendar": cal, "disposition": disposition, "future": _future(cal.start), "matter": case.matter}
    for step in case.steps:
        data = {key: _resolve(value, ctx) for key, value in step.data.items()}
        data["on"] = cal.back(step.ago).isoformat()
        user = org.users[step.who]
        try:
            if step.action.startswith("d") and ":" in step.action:
                dept, action = step.action[1:].split(":")
                disposition_act(disposition_id=disposition(int(dept)).pk, action=action, user=user, data=data)
            else:
                petition_act(petition_id=petition.pk, action=step.action, user=user, data=data)
        except Exception as exc:
            # A script the workflow no longer accepts: say which case and step, then fail.
            raise DemoRefused(f"演示事项 {petition.number} 的步骤 {step.action}（{step.who}）未能执行：{exc}") from exc
    return petition


def _roster(start: datetime.date) -> int:
    """This month's and next month's 带班 and reception rosters for every service station (the
    center and the village points keep none: roster.roster_stations)."""
    made = 0
    next_month = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    for station in roster_stations():
        for day in (start.replace(day=1), next_month):
            made += len(generate_month(station, day.year, day.month))
    return made


def load_demo_month(*, start: datetime.date | None = None) -> int:
    """Load the demo month once: returns the number of petitions made (0 when the database already
    holds petitions). Raises DemoRefused in production or before the demo organisation exists."""
    if settings.PRODUCTION:
        raise DemoRefused("生产环境（DAIBAN_ENV=production）不载入演示数据")
    if Petition.objects.exists():
        return 0
    org = _org()
    start = start or today()
    scripts = cases()
    cal = _Calendar(start, max(c.ago for c in scripts) + 5)
    with transaction.atomic():
        for case in scripts:
            _play(case, org, cal)
        _roster(start)
        _double_checks(org)
    return len(scripts)


def _double_checks(org: Org) -> None:
    """The center assigns each 一案双查 the month opened to the station's leader in charge."""
    for item in DoubleInvestigation.objects.filter(assignee__isnull=True).order_by("id"):
        double_check_assign(user=org.users["center"], item_id=item.pk, assignee_id=org.users["leader"].pk)
