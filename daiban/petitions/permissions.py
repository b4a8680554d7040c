"""Who sees which petition, who may act on it, and who may see its full personal data."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from daiban.org import roles
from daiban.org.models import Agent, Station, User
from daiban.petitions.models import Disposition, Petition


def user_agent(user: User) -> Agent | None:
    """The agent record of a staff account, read once per request."""
    if not hasattr(user, "_daiban_agent"):
        user._daiban_agent = Agent.objects.filter(user_id=user.pk).first() if user.has_role(roles.AGENT) else None
    return user._daiban_agent


def stations_below(station_id: int | None) -> frozenset[int]:
    """A station and every station below it (its village points); empty for None."""
    scope: set[int] = set()
    if station_id:
        parents = dict(Station.objects.values_list("id", "parent_id"))
        frontier = {station_id}
        while frontier:
            scope |= frontier
            frontier = {sid for sid, parent in parents.items() if parent in frontier} - scope
    return frozenset(scope)


def station_scope(user: User) -> frozenset[int]:
    """The user's station and every station below it."""
    if not hasattr(user, "_daiban_scope"):
        user._daiban_scope = stations_below(user.station_id)
    return user._daiban_scope


def sees_everything(user: User) -> bool:
    return user.has_role(roles.ADMIN, roles.CENTER)


def visible_petitions(user: User) -> QuerySet[Petition]:
    """The petitions this user may see; everything else answers 404."""
    qs = Petition.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if sees_everything(user):
        return qs
    condition = Q(pk__in=[])
    if user.has_role(roles.AGENT, *roles.STATION_LEADERS) and user.station_id:
        condition |= Q(station_id__in=station_scope(user))
    agent = user_agent(user)
    if agent:
        condition |= Q(agent_id=agent.pk)
    if user.has_role(roles.DEPARTMENT) and user.department_id:
        routed = Disposition.objects.filter(petition_id=OuterRef("pk"), department_id=user.department_id)
        condition |= Q(Exists(routed))
    return qs.filter(condition)


def visible_dispositions(user: User) -> QuerySet[Disposition]:
    qs = Disposition.objects.all()
    if sees_everything(user):
        return qs
    if user.has_role(roles.DEPARTMENT) and not user.has_role(roles.AGENT, *roles.STATION_LEADERS):
        return qs.filter(department_id=user.department_id)
    return qs.filter(petition__in=visible_petitions(user))


def actor_kinds(user: User, petition: Petition, disposition: Disposition | None = None) -> frozenset[str]:
    """The workflow's actor kinds (see workflow.py) this user holds for this petition."""
    kinds: set[str] = set()
    held = user.role_set
    if roles.ADMIN in held:
        kinds.add("admin")
    if roles.CENTER in held:
        kinds.add("center")
    in_station = petition.station_id in station_scope(user)
    agent = user_agent(user)
    if agent and in_station:
        kinds.add("station_agent")
    if agent and (petition.agent_id == agent.pk or (petition.agent_id is None and in_station)):
        kinds.add("case_agent")
    if in_station:
        if held & roles.STATION_LEADERS:
            kinds.add("station_leader")
        if roles.LEADER_IN_CHARGE in held:
            kinds.add("leader_in_charge")
        if roles.PRINCIPAL in held:
            kinds.add("principal")
    if disposition is not None and roles.DEPARTMENT in held and user.department_id == disposition.department_id:
        kinds.add("department")
    return frozenset(kinds)


def may_see_personal_data(user: User, petition: Petition) -> bool:
    """Full ID and phone: the assigned agent, the station's leaders and the center only."""
    if user.has_role(roles.CENTER):
        return True
    agent = user_agent(user)
    if agent and petition.agent_id == agent.pk:
        return True
    return bool(user.role_set & roles.STATION_LEADERS) and petition.station_id in station_scope(user)


# Who hands the query code to the petitioner: with it anyone can act as the petitioner in public
# (track, rate, ask for review), so nobody else gets it (API.md 1.1).
QUERY_CODE_KINDS = frozenset({"case_agent", "station_leader", "center", "admin"})
# Kinds that see who the petitioner is even when they also belong to a department.
_STAFF_KINDS = frozenset({"case_agent", "station_agent", "station_leader", "center", "admin"})


def may_see_query_code(user: User, petition: Petition) -> bool:
    """The case agent, the station's leaders, the center and admin; null for everyone else."""
    return bool(actor_kinds(user, petition) & QUERY_CODE_KINDS)


def identity_hidden(user: User, petition: Petition) -> bool:
    """True when the user sees this petition only as a department whose `sees_identity` is off (a
    unit that may be the one complained about): then the name and address are masked too
    (《信访工作条例》: the petitioner's identity never reaches the unit complained about)."""
    if not user.department_id or not user.has_role(roles.DEPARTMENT):
        return False
    if user.department.sees_identity:
        return False
    return not actor_kinds(user, petition) & _STAFF_KINDS
