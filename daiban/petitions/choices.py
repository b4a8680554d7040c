"""Every value list of a petition, with its Chinese label: the one place a code and its words meet.

Models, action inputs (and so the API's schemas and the page forms), the templates' labels, the
ledger and the flowchart all read these. A code is a contract (API.md); a label may be reworded.
"""

from __future__ import annotations

from django.db import models


class Channel(models.TextChoices):
    LETTER = "letter", "来信"
    VISIT = "visit", "来访"
    ONLINE = "online", "网上"
    PHONE = "phone", "来电"


class Source(models.TextChoices):
    SELF = "self", "信访人本人"
    CENTER = "center", "上级交办"
    VILLAGE = "village", "嘎查村（社区）上报"
    PROACTIVE = "proactive", "主动排查/主动下访"
    HOTLINE_12345 = "hotline_12345", "12345热线交办"
    PLATFORM_BAIXING = "platform_baixing", "智治乌审·百姓管家"
    PLATFORM_JIEFEN = "platform_jiefen", "乌审解纷"


class Status(models.TextChoices):
    RECEIVED = "received", "待甄别"
    ANSWERED = "answered", "已直接答复"
    REDIRECTED_LEGAL = "redirected_legal", "已告知法定途径"
    GUIDED = "guided", "已引导至窗口或事权单位"
    DECLINED = "declined", "不予代办"
    ACCEPTED = "accepted", "已受理代办"
    IN_PROGRESS = "in_progress", "办理中"
    ESCALATED = "escalated", "已上报"
    CONCLUDED = "concluded", "已办结"
    FEEDBACK_GIVEN = "feedback_given", "已反馈"
    UNDER_REVIEW = "under_review", "复查复核中"
    TERMINATED = "terminated", "已终结"
    FOLLOWED_UP = "followed_up", "已回访"
    ARCHIVED = "archived", "已归档"


class Track(models.TextChoices):
    STANDARD = "standard", "一般事项（15个工作日）"
    MULTI_DEPARTMENT = "multi_department", "多部门协同（方案确定后30个工作日）"
    MAJOR = "major", "疑难复杂重大（会商后60个工作日）"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    FAIRLY_SATISFIED = "fairly_satisfied", "比较满意"
    UNDERSTANDING = "understanding", "理解"
    DISSATISFIED = "dissatisfied", "不满意"


class ContactMethod(models.TextChoices):
    VISIT = "visit", "上门走访"
    PHONE = "phone", "电话"
    LETTER = "letter", "信函"


class DispositionState(models.TextChoices):
    ROUTED = "routed", "待签收"
    RECEIVED = "received", "已签收"
    ANSWERED = "answered", "已办理"
    RETURNED = "returned", "已退回"  # not the department's competence: closed, the agent routes again


class ReviewLevel(models.TextChoices):
    REVIEW = "review", "复查"
    RE_REVIEW = "re_review", "复核"


class ScreenOutcome(models.TextChoices):
    """甄别受理: the flowchart's four outcomes plus 不予代办 (the label is the form's wording)."""

    DIRECT_REPLY = "direct_reply", "简单的，直接答复"
    LEGAL_CHANNEL = "legal_channel", "属于诉讼、仲裁、行政复议等法定途径，告知按照法定途径解决"
    GUIDED = "guided", "信访人不愿代办，引导至信访接待窗口或事权单位"
    AGENCY = "agency", "无法直接答复的，受理代办"
    DECLINED = "declined", "不予代办"


class Exclusion(models.TextChoices):
    """The four exclusions (不予代办), in DOMAIN.md's order."""

    THREE_IN_PLACE = "three_in_place", "已落实“三到位一处理”要求仍非法、无理信访"
    TERMINATED_THREE_LEVELS = "terminated_three_levels", "信访事项已三级终结"
    IN_PROGRESS = "in_progress", "同一事项正在办理"
    JUDICIAL = "judicial", "已进入司法程序的涉法涉诉问题"


class AgentChosenBy(models.TextChoices):
    DESIGNATED = "designated", "指定代办员"
    PETITIONER = "petitioner", "信访人自主选择"


class InformMethod(models.TextChoices):
    """告知方式 on the 代办单."""

    ORAL = "oral", "口头告知"
    WRITTEN = "written", "书面告知"


class EscalationTarget(models.TextChoices):
    CENTER = "center", "旗信访代办服务中心"
    JOINT_OFFICE = "joint_office", "旗信访联席办"


class Convener(models.TextChoices):
    """Who convened the consultation of a major matter (会商召集人)."""

    BANNER_SECRETARY = "banner_secretary", "旗委书记"
    BANNER_HEAD = "banner_head", "旗长"


class OpinionRole(models.TextChoices):
    """The two leaders' rows of the 处置单."""

    LEADER_IN_CHARGE = "leader_in_charge", "分管领导处理意见"
    PRINCIPAL = "principal", "领导批示"


class ConductKind(models.TextChoices):
    """After termination: the five kinds of pressure and disruption the plan names (实施方案 七(四))."""

    PESTERING = "pestering", "缠访"
    DISRUPTION = "disruption", "闹访"
    PRESSURE = "pressure", "以访施压"
    SEIZING_LAW = "seizing_law", "以访夺法"
    SEEKING_GAIN = "seeking_gain", "以访谋利"
