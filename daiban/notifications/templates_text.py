"""The messages, in Chinese. SMS are short and carry no personal data beyond the number and code.

Each SMS begins with 【{sign}】, the carrier-registered signature (settings.DAIBAN_SMS_SIGNATURE, which
services.fill puts in), so another county's installation does not sign as 乌审旗."""

from __future__ import annotations

SMS = {
    "receipt": "【{sign}】您的事项已收到，编号{number}，查询码{code}，{forward_due}前告诉您怎么办理。",
    "accepted": "【{sign}】您的事项{number}已受理，代办员{agent}（电话{agent_phone}）全程免费代办。",
    # The other screening outcomes (consumers.screened): no reason in the SMS (a 不予代办 reason such
    # as 非法、无理信访 belongs in the written notice, not on a phone's lock screen).
    "screened_answered": "【{sign}】您反映的事项{number}已作答复，答复内容可凭查询码在网上查看或向代办服务站咨询。",
    # Each that says 网上查看 has it there: the portal shows the reason and where to go, or the route,
    # whether or not a reply was typed (documents.notices.screening_told).
    "screened_legal": "【{sign}】您的事项{number}要通过诉讼、仲裁、行政复议等法定途径解决，具体办法可凭查询码在网上查看。",
    "screened_guided": "【{sign}】您反映的事项{number}已引导您到信访接待窗口或负责的部门办理，到哪里办可凭查询码在网上查看。",
    "screened_declined": "【{sign}】您反映的事项{number}不予代办，原因和可以到哪里反映，请凭查询码在网上查看。",
    "result": "【{sign}】您的事项{number}已办结，可凭查询码网上查看结果并评价。{review}",
    "follow_up": "【{sign}】您的事项{number}已结案，代办员将于{follow_up_due}前回访，听取您的意见建议。",
    "extension": "【{sign}】您的事项{number}情况复杂，经批准延期办理，办理期限延至{due}。代办员将继续跟踪督办。",
    # A 处置单 whose extension moved the matter's date was returned: the date before it holds again.
    "due_restored": "【{sign}】您的事项{number}原申请延期的部门已退回，办理期限改为{due}，代办员将继续督办。",
    "reassigned": "【{sign}】您的事项{number}已改由代办员{agent}（电话{agent_phone}）继续免费代办。",
    "review_upheld": "【{sign}】经{level}，您的事项{number}申请有理，有关部门须在{due}前解决，可凭查询码在网上查看。",
    "review_maintained": "【{sign}】经复查，您的事项{number}维持原处理意见。如不服可在{review_due}前申请复核。",
    # A 复核 that keeps the answer: the last word (《信访工作条例》第三十五条, 三级终结), said plainly.
    "review_final": "【{sign}】经复核，您的事项{number}维持原处理意见，这是最终决定，同样的事实和理由不再受理。",
    # A calendar change moved dates the petitioner was told (recompute.py): they no longer hold, and a
    # window moved earlier would refuse them on the date they hold. {changes}: "申请复查的截止日期由
    # 11月19日改为11月20日，回访日期由…改为…" (consumers.window_moved).
    "window_moved": "【{sign}】因节假日安排调整，您的事项{number}{changes}。",
}

# The result SMS's last clause: with the review window's end when the feedback opened it (the petitioner
# was dissatisfied), else the regulation's own words (《信访工作条例》第三十五条), never "可在前申请复查".
# {level}: the review the petitioner may still ask for (复查 first, 复核 after a 复查: guards.next_review_level);
# none after a 复核 (三级终结), when the clause is left out.
REVIEW_BY = "如不满意可在{review_due}前申请{level}。"
REVIEW_RULE = "如不服可在收到意见30日内申请{level}。"

# One SMS segment: 70 characters (a message of Chinese text). Every template is kept within it at the
# longest realistic values with the longest signature settings allow (12 characters; tests/
# test_round10_told.py renders each); window_moved packs its changes into as many messages as needed
# (consumers.window_moved). A text longer still (an agent's name or phone up to their fields' 50 and
# 40 characters, a long number prefix) is sent as several SMS of one segment each, cut after a clause,
# each signed (services.segments): never one SMS billed as two or three, never a word lost.
SMS_MAX = 70

# What an SMS kept for a fixed line is said as on the phone, where it differs (services.phone_script):
# a call carries the reason, the route or the reply itself, not "可凭查询码在网上查看" (the petitioner
# may have no phone that browses). Followed by documents.notices.screening_told's lines.
PHONE = {
    "screened_declined": "您反映的事项{number}不予代办。",
    "screened_legal": "您反映的事项{number}不属于代办范围。",
    "screened_guided": "您反映的事项{number}不由代办员代办。",
    "screened_answered": "您反映的事项{number}的答复：{reply}",
}

# The end of `petitioner_rated` after an online 不满意: what the plan asks of the agent (实施方案 三(三)).
THEN_DISSATISFIED = "请及时报本级代办机构，并引导信访人在 {review_due} 前向上级代办机构申请{level}。"

IN_APP = {
    "new_assignment": "新的代办事项 {number}：{summary}",
    "disposition_routed": "新的处置单 {disposition}：{summary}，办理时限 {due}",
    "disposition_received": "{department} 已签收处置单 {disposition}",
    # A calendar change moved this department's open 处置单 (recompute.dispositions_moved).
    "dispositions_moved": "因{reason}，本单位处置单 {dispositions} 的办理时限已调整，请在待办处置单中查看新的时限",
    # The solution of a multi-department or major matter fixed the date the routing left 待定.
    "disposition_due_set": "处置单 {disposition} 的解决方案已确定，办理时限 {due}",
    "disposition_answered": "{department} 已填写处置单 {disposition} 的处理结果",
    "due_soon": "处置单 {disposition}（{department}）将于 {due} 到期",
    "overdue": "处置单 {disposition}（{department}）已超期（时限 {due}）",
    # To the department's handlers: an urging (催办) of their 处置单, by the agent or the sweep.
    "disposition_urged": "处置单 {disposition} 催办：{note}（办理时限 {due}）",
    "review_requested": "信访事项 {number} 申请{level}，请于 {answer_due} 前答复",
    # To the case's agent (or leaders) when the petitioner asked on the portal (consumers.review_requested).
    "review_requested_case": "信访人对事项 {number} 的办理结果不满意，已申请{level}（上级代办机构应于 {answer_due} 前答复）。请报本级代办机构，并配合做好{level}工作",
    "follow_up_due": "信访事项 {number} 应于 {follow_up_due} 前回访",
    "follow_up_overdue": "信访事项 {number} 回访已超期（时限 {follow_up_due}），请尽快回访",
    "calendar_unconfirmed": "{year}年节假日安排尚未录入工作日历，请在国务院通知发布后导入（工作日历页面）",
    "note_mention": "{author} 在信访事项 {number} 的内部批注中提到了您：{excerpt}",
    # {then}: after 不满意, the plan's duty of the agent (实施方案 三(三); consumers.petitioner_rated), else "".
    "petitioner_rated": "信访人在网上对事项 {number} 的评价：{satisfaction}。{then}",
    "escalation_received": "{station} 上报事项 {number} 至{to}，请签收",
    "escalation_taken": "上报事项 {number} 已由 {who} 签收",
    "escalation_returned": "上报事项 {number} 已退回本站办理：{note}",
    "disposition_returned": "{department} 退回处置单 {disposition}：{reason}。请重新流转",
    "extension_requested": "{department} 申请处置单 {disposition} 延期 {workdays} 个工作日，请审批",
    "extension_decided": "处置单 {disposition} 的延期申请：{decision}。{note}",
    "reassigned_away": "信访事项 {number} 已更换代办员为 {agent}，您仍可查看该事项",
    # The petitioner left a fixed-line number (notifications.services.sms): say it on the phone.
    "sms_landline": "信访事项 {number} 的信访人留的是固定电话，不能接收短信，请电话告知：{body}",
}
