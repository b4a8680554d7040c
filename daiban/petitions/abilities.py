"""Who may do what, declared once. Closed by default: an ability not in the table, or a user without
one of its roles or actor kinds, may not.

Two tables, beside the workflow:
- staff-wide abilities, per role (intake, editing the calendar, uploading, statistics, the queues);
- per-petition abilities, per actor kind (permissions.actor_kinds): unlinking a false repeat, signing
  a row of a 处置单, seeing the full personal data and the case file.
The workflow's own actions declare their actor kinds where they are declared (actions/), and the
dispatcher checks them; everything else asks here.

Services call `require(...)` before they write, so an entry point that forgets to ask (a new view,
a command, a bulk action) still cannot act; views and templates only ask `may(...)` to decide what
to show. `SYSTEM` is the operator at the server's shell (management commands), an actor of its own
that only the abilities listing it have.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from daiban.lib.errors import Forbidden
from daiban.org import roles
from daiban.org.models import User
from daiban.petitions.models import Disposition, Petition
from daiban.petitions.permissions import actor_kinds


class SystemActor:
    """Management commands and the worker: not a person, named 系统 on the timeline."""

    role_set: frozenset[str] = frozenset({"system"})
    is_authenticated = True
    is_active = True
    display_name = "系统"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = SystemActor()
Actor = User | SystemActor

# The roles that work cases at a station or the center (intake, the workbench's case cards).
CASE_WORKERS = frozenset({roles.AGENT, roles.CENTER, roles.ADMIN, *roles.STATION_LEADERS})


@dataclass(frozen=True)
class Ability:
    refusal: str  # the Chinese message of the 403
    roles: frozenset[str] = frozenset()  # staff-wide: any of these roles ("system" for the shell)
    kinds: frozenset[str] = frozenset()  # per petition: any of these actor kinds on it


def _roles(*codes: str) -> frozenset[str]:
    return frozenset(codes)


ABILITIES: dict[str, Ability] = {
    # --- staff-wide, per role ---
    "intake": Ability("您没有登记信访事项的权限", roles=CASE_WORKERS),
    "work_cases": Ability("您没有办理信访事项的权限", roles=CASE_WORKERS),
    "calendar_edit": Ability("只有系统管理员可以修改工作日历", roles=_roles(roles.ADMIN, "system")),
    "roster_edit": Ability("只有领导或代办服务中心可以调整带班安排", roles=_roles(roles.ADMIN, roles.CENTER, *roles.STATION_LEADERS)),
    "upload": Ability("您没有上传附件的权限", roles=CASE_WORKERS | {roles.DEPARTMENT}),
    "view_stats": Ability("您没有查看统计的权限", roles=CASE_WORKERS),
    "sign_opinions": Ability("只有分管领导、主要领导签署意见", roles=_roles(roles.LEADER_IN_CHARGE, roles.PRINCIPAL)),
    "sign_leader_opinions": Ability("只有分管领导签署处理意见", roles=_roles(roles.LEADER_IN_CHARGE)),
    "sign_principal_opinions": Ability("只有主要领导签署批示", roles=_roles(roles.PRINCIPAL)),
    "department_queue": Ability("只有事权单位经办人办理处置单", roles=_roles(roles.DEPARTMENT)),
    "decide_reviews": Ability("只有代办服务中心决定复查复核", roles=_roles(roles.CENTER, roles.ADMIN)),
    "station_overview": Ability("只有带班、分管、主要领导和代办服务中心可以查看在办事项一览",
                                roles=_roles(roles.ADMIN, roles.CENTER, *roles.STATION_LEADERS)),
    "manage_double_checks": Ability("只有代办服务中心指派和结束一案双查", roles=_roles(roles.CENTER, roles.ADMIN)),
    "take_escalations": Ability("只有代办服务中心（联席办）签收上报事项", roles=_roles(roles.CENTER, roles.ADMIN)),
    "administer": Ability("只有系统管理员可以进入管理后台", roles=_roles(roles.ADMIN)),
    "view_audit": Ability("只有系统管理员和代办服务中心可以查看安全审计", roles=_roles(roles.ADMIN, roles.CENTER)),
    # --- per petition, per actor kind ---
    # Linking makes a petition a repeat (不予代办 while the earlier one runs): those who screen may.
    "link": Ability("只有本机构代办员、领导或代办服务中心可以认定同一事项",
                    kinds=frozenset({"station_agent", "case_agent", "station_leader", "center", "admin"})),
    "unlink": Ability("只有带班、分管、主要领导或代办服务中心可以认定不是同一事项",
                      kinds=frozenset({"station_leader", "center", "admin"})),
    "see_personal_data": Ability("您不能查看完整的个人信息",
                                 kinds=frozenset({"center", "assigned_agent", "station_leader"})),
    # The query code lets anyone act as the petitioner in public (track, rate, ask for review): only
    # those who hand it to the petitioner get it (API.md 1.1); null for everyone else.
    "see_query_code": Ability("只有承办代办员、本机构领导和代办服务中心可以查看查询码、打印受理回执", kinds=frozenset({"case_agent", "station_leader", "center", "admin"})),
    # 内部批注 and the case's SMS log: the agency's side of a case (not the departments it was routed to).
    "internal_notes": Ability("只有代办机构的工作人员可以查看和填写内部批注",
                              kinds=frozenset({"station_agent", "case_agent", "station_leader", "center", "admin"})),
    "see_messages": Ability("只有承办代办员、本机构领导和代办服务中心可以查看发给信访人的短信",
                            kinds=frozenset({"case_agent", "station_leader", "center", "admin"})),
    # The two rows of a 处置单: the leader in charge's opinion and the principal's instruction.
    "opinion_leader_in_charge": Ability("只有分管领导可以签署这一栏", kinds=frozenset({"leader_in_charge", "center", "admin"})),
    "opinion_principal": Ability("只有主要领导可以签署这一栏", kinds=frozenset({"principal", "center", "admin"})),
}


def may(user: Actor | None, ability: str, petition: Petition | None = None,
        disposition: Disposition | None = None) -> bool:
    """Whether `user` has `ability` (on `petition` for the per-petition ones). Unknown abilities raise
    KeyError: a misspelt name must not quietly answer no (or yes)."""
    rule = ABILITIES[ability]
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if rule.kinds:
        if petition is None or isinstance(user, SystemActor):
            return False
        return bool(actor_kinds(user, petition, disposition) & rule.kinds)
    return bool(user.role_set & rule.roles)


def require(user: Actor | None, ability: str, petition: Petition | None = None,
            disposition: Disposition | None = None) -> None:
    """Forbidden (403) unless `may(...)`."""
    if not may(user, ability, petition, disposition):
        raise Forbidden(ABILITIES[ability].refusal, code="forbidden")


def opinion_roles(user: User, petition: Petition, disposition: Disposition) -> list[str]:
    """The rows of this 处置单 the user may sign (OpinionRole values)."""
    return [role for role in ("leader_in_charge", "principal") if may(user, f"opinion_{role}", petition, disposition)]


def may_see_query_code(user: User, petition: Petition) -> bool:
    """The case agent, the station's leaders, the center and admin."""
    return may(user, "see_query_code", petition)


def may_see_personal_data(user: User, petition: Petition) -> bool:
    """Full ID and phone (and the case file, which carries them): the assigned agent, the station's
    leaders and the center only."""
    return may(user, "see_personal_data", petition)
