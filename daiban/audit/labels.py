"""The audit trail in Chinese: what each key and code of a row's `detail` means.

A row's `detail` is stored as written (codes such as ``{"via": "staff"}``, hashed into the chain);
the page and the XLSX show it through `describe`: 途径：员工页面. Apps above this one name their own
codes with `register_values` (the roles, in org's AppConfig.ready), so the audit app imports none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# In the order a row reads best (describe shows the keys so, whatever order the database kept).
KEYS: dict[str, str] = {
    "via": "途径", "how": "方式", "month": "月份", "reason": "原因", "fields": "查看项目", "kind": "查找方式", "people": "涉及人数",
    "count": "数量", "selected": "所选件数", "failures": "失败次数", "locked": "已锁定",
    "attempts_cleared": "清除失败记录", "devices": "设备数", "device": "设备", "tokens_revoked": "注销令牌数",
    "expires_at": "有效期至", "operation": "操作", "model": "数据类型", "change": "变更内容", "ids": "记录编号",
    "days": "日期", "changed": "工作日变更", "confirm": "确认", "from": "起", "to": "止", "station": "代办机构",
    "who": "操作人", "action": "事件", "before": "原角色", "after": "新角色", "active": "启用", "staff": "可进管理后台",
    "target": "对象", "note": "说明",
}

_VALUES: dict[str, dict[str, str]] = {
    # Where it happened: a sign-in (staff, api, admin) or a full view of personal data.
    "via": {"staff": "员工页面", "api": "接口", "admin": "管理后台", "page": "页面", "ledger": "台账",
            "intake": "登记查重", "list": "事项列表", "archive": "案卷", "petitioner_profile": "信访人档案", "": "接口"},
    "reason": {"idle": "闲置超时", "lifetime": "超过会话最长时间", "user": "本人退出", "logout": "退出登录",
               "password": "密码错误", "otp": "动态验证码错误", "access": "权限变更"},
    "kind": {"id_number": "身份证号", "phone": "电话"},
    "fields": {"id_number": "身份证号", "phone": "电话", "name": "姓名", "address": "地址", "archive": "案卷"},
    "device": {"totp": "动态口令（TOTP）"},
}
_DOCUMENTS = {"agency": "代办单", "disposition": "处置单", "referral": "转办函"}

# Target types written by name rather than from a model instance; the others are models' own names.
TARGET_TYPES: dict[str, str] = {"calendar": "工作日历", "roster": "带班与接访安排"}


def register_values(key: str, labels: Mapping[str, str]) -> None:
    """Name the codes an app writes under `key` (e.g. role codes under "before"/"after")."""
    _VALUES.setdefault(key, {}).update(labels)


def via_label(via: str) -> str:
    """Where personal data was shown, in Chinese: "page" 页面, "page-agency.docx" 页面·代办单（DOCX）,
    "disposition.pdf" 接口·处置单（PDF）; an unknown code as it is."""
    if via in _VALUES["via"]:
        return _VALUES["via"][via]
    where, text = ("页面", via[5:]) if via.startswith("page-") else ("接口", via)
    document, _, fmt = text.partition(".")
    return f"{where}·{_DOCUMENTS.get(document, document)}（{fmt.upper()}）" if fmt else via


def value_label(key: str, value: Any) -> str:
    """One value of `detail[key]` in Chinese: booleans 是/否, lists joined with 、, codes named."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or value == "" and key != "via":
        return "—"
    if isinstance(value, list | tuple):
        return "、".join(value_label(key, item) for item in value) or "无"
    if isinstance(value, dict):
        return describe(value)
    text = str(value)
    if key == "via":
        return via_label(text)
    if key == "fields":
        return "、".join(_VALUES["fields"].get(part, part) for part in text.split(",") if part)
    return _VALUES.get(key, {}).get(text, text)


_ORDER = {key: index for index, key in enumerate(KEYS)}


def describe(detail: Mapping[str, Any] | None) -> str:
    """A row's `detail` as one line of Chinese: 途径：员工页面；原因：密码错误. Keys in KEYS's order,
    others after them by name: PostgreSQL's jsonb keeps no order of its own (shorter keys first)."""
    if not detail:
        return ""
    keys = sorted(detail, key=lambda key: (_ORDER.get(key, len(_ORDER)), key))
    return "；".join(f"{KEYS.get(key, key)}：{value_label(key, detail[key])}" for key in keys)


def target_type_label(target_type: str) -> str:
    """A row's `target_type` (a model's code such as "petitioner", or "calendar") by its Chinese name."""
    if not target_type:
        return "—"
    if target_type in TARGET_TYPES:
        return TARGET_TYPES[target_type]
    from django.apps import apps

    for model in apps.get_models():
        if model._meta.model_name == target_type:
            return str(model._meta.verbose_name)
    return target_type
