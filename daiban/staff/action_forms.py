"""How each workflow action is asked for on the case page. Which actions appear is decided by
workflow.py (through services.available_actions); this module only describes their fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from daiban.org.models import Agent, Department
from daiban.petitions.models import Category, ContactMethod, Petition, Review, Satisfaction, Track
from daiban.petitions.workflow import EXCLUSIONS


@dataclass
class Field:
    name: str
    label: str
    kind: str = "text"  # text, textarea, select, radio, multiselect, date, number, checkbox
    choices: list[tuple[Any, str]] = field(default_factory=list)
    required: bool = False
    help: str = ""
    value: Any = None
    error: str = ""


METHODS = list(ContactMethod.choices)
OUTCOMES = [
    ("direct_reply", "简单的，直接答复"),
    ("legal_channel", "属于诉讼、仲裁、行政复议等法定途径，告知按照法定途径解决"),
    ("guided", "信访人不愿代办，引导至信访接待窗口或事权单位"),
    ("agency", "无法直接答复的，受理代办"),
    ("declined", "不予代办"),
]


def _agents() -> list[tuple[int, str]]:
    return [(a.pk, f"{a.name}（{a.get_kind_display()}，{a.station.name}）")
            for a in Agent.objects.filter(active=True).select_related("station")]


def _categories() -> list[tuple[str, str]]:
    return [(name, name) for name in Category.objects.filter(active=True).values_list("name", flat=True)]


def _departments() -> list[tuple[int, str]]:
    return list(Department.objects.filter(active=True).values_list("id", "name"))


def fields_for(action: str, petition: Petition) -> list[Field]:
    """The fields of one action's form (the `on` date is added to every form by the template)."""
    match action:
        case "screen":
            return [
                Field("outcome", "甄别结果", "radio", OUTCOMES, True),
                Field("reply", "答复内容 / 解释说明", "textarea", help="直接答复时必填"),
                Field("agent_id", "代办员", "select", [("", "请选择")] + _agents(), help="受理代办时必填"),
                Field("agent_chosen_by", "代办员产生方式", "radio",
                      [("designated", "指定代办员"), ("petitioner", "信访人自主选择")]),
                Field("notification", "告知方式", "radio", [("oral", "口头告知"), ("written", "书面告知")]),
                Field("reason", "不予代办原因", "select", [("", "请选择"), *EXCLUSIONS.items()]),
                Field("category", "内容分类", "select", [("", "（不改变）")] + _categories(), value=petition.category),
            ]
        case "route":
            return [
                Field("departments", "事权单位（可多选）", "multiselect", _departments(), True),
                Field("track", "办理类别", "radio", list(Track.choices), not petition.track, value=petition.track),
                Field("proposed_handling", "拟办意见", "textarea"),
            ]
        case "determine_solution":
            return [
                Field("determined_on", "方案确定日期", "date", required=True),
                Field("convened_by", "会商召集人", "select",
                      [("", "（多部门协同事项不需要）"), ("banner_secretary", "旗委书记"), ("banner_head", "旗长")]),
            ]
        case "escalate":
            return [
                Field("to", "上报对象", "radio",
                      [("center", "旗信访代办服务中心（本站无法解决）"), ("joint_office", "旗信访联席办（三跨三分离）")], True),
                Field("reason", "上报理由", "textarea", required=True),
            ]
        case "urge":
            open_ones = [(d.pk, f"{d.number} {d.department.name}") for d in petition.dispositions.all()
                         if d.status != "answered"]
            return [Field("disposition_id", "催办的处置单", "select", open_ones, True), Field("note", "催办内容", "textarea")]
        case "contact":
            return [Field("method", "联系方式", "radio", METHODS, True), Field("note", "联系内容", "textarea")]
        case "extend":
            return [Field("days", "延长天数（1–30日）", "number", required=True), Field("reason", "延期理由", "textarea", required=True)]
        case "conclude":
            return [Field("result", "代理结果", "textarea", required=True)]
        case "feedback":
            return [Field("method", "反馈方式", "radio", METHODS, True),
                    Field("satisfaction", "信访人意见", "radio", list(Satisfaction.choices), True)]
        case "request_review":
            return [Field("level", "申请类别", "radio", list(Review.Level.choices), True),
                    Field("requested_on", "申请日期", "date")]
        case "decide_review":
            return [Field("upheld", "决定", "radio", [("true", "申请有理，限期化解（一案双查）"), ("false", "维持原处理意见")], True),
                    Field("due_on", "限期化解日期", "date", help="申请有理时必填"), Field("note", "意见", "textarea")]
        case "terminate":
            return [Field("note", "终结说明", "textarea"),
                    Field("three_in_place", "已落实“三到位一处理”", "checkbox")]
        case "follow_up":
            return [Field("visited_on", "回访日期", "date"), Field("note", "回访情况", "textarea"),
                    Field("rebound", "存在反弹回流风险", "checkbox")]
        case "receive":
            return []
        case "opinion":
            return [Field("text", "意见", "textarea", required=True)]
        case "result":
            return [Field("result", "处理结果", "textarea", required=True)]
    return []


def read_post(fields: list[Field], post: QueryDict) -> dict[str, Any]:
    """The submitted values as the service expects them; blanks are left out."""
    data: dict[str, Any] = {}
    for f in fields:
        if f.kind == "multiselect":
            values = [v for v in post.getlist(f.name) if v]
            if values:
                data[f.name] = [int(v) if v.isdigit() else v for v in values]
        elif f.kind == "checkbox":
            data[f.name] = post.get(f.name) == "on"
        else:
            raw = post.get(f.name, "").strip()
            if raw == "":
                continue
            if f.name == "upheld":
                data[f.name] = raw == "true"
            elif f.kind == "number" or f.name in ("agent_id", "disposition_id"):
                data[f.name] = int(raw) if raw.lstrip("-").isdigit() else raw
            else:
                data[f.name] = raw
    for key in ("on", "version", "role"):
        if post.get(key):
            data[key] = post[key]
    return data


def fill(fields: list[Field], post: QueryDict, errors: dict[str, str]) -> list[Field]:
    """Put back what the user typed, with each field's error, after a refused submission."""
    for f in fields:
        if f.kind == "multiselect":
            f.value = [int(v) if v.isdigit() else v for v in post.getlist(f.name)]
        elif f.kind == "checkbox":
            f.value = post.get(f.name) == "on"
        else:
            f.value = post.get(f.name, "")
            if f.kind in ("select", "radio") and str(f.value).isdigit():
                f.value = int(f.value)
        f.error = errors.get(f.name, "")
    return fields
