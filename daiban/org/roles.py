"""Staff roles. A user may hold several; the workflow names these codes."""

from __future__ import annotations

AGENT = "agent"  # 代办员
DUTY_LEADER = "duty_leader"  # 带班领导
LEADER_IN_CHARGE = "leader_in_charge"  # 分管领导
PRINCIPAL = "principal"  # 主要领导
DEPARTMENT = "department"  # 事权单位经办人
CENTER = "center"  # 旗信访代办服务中心工作人员
ADMIN = "admin"  # 系统管理员

LABELS = {
    AGENT: "代办员",
    DUTY_LEADER: "带班领导",
    LEADER_IN_CHARGE: "分管领导",
    PRINCIPAL: "主要领导",
    DEPARTMENT: "事权单位经办人",
    CENTER: "代办服务中心",
    ADMIN: "系统管理员",
}
CHOICES = list(LABELS.items())

# Roles of a station's leadership: they see full personal data of their station's petitions.
STATION_LEADERS = frozenset({DUTY_LEADER, LEADER_IN_CHARGE, PRINCIPAL})
