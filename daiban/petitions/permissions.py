"""Who sees which petition (everything else answers 404) and the actor kinds a user holds on one.
What each kind may do is in abilities.py and in the actions' declarations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.transaction import TransactionManagementError

from daiban.lib.compiled import Compiled, KeyedCompiled
from daiban.lib.errors import NotFound
from daiban.org import roles
from daiban.org.models import Agent, User
from daiban.petitions.models import Disposition, Petition, Reassignment


def user_agent(user: User) -> Agent | None:
    """The agent record of a staff account, read once per request."""
    cache = user.__dict__  # per request: the user object lives as long as the request
    if "_daiban_agent" not in cache:
        if not user.has_role(roles.AGENT):
            cache["_daiban_agent"] = None
        elif "agent" in user._state.fields_cache:  # joined when the user was read (the API's token)
            cache["_daiban_agent"] = user._state.fields_cache["agent"]
        else:
            cache["_daiban_agent"] = Agent.objects.filter(user_id=user.pk).first()
    agent: Agent | None = cache["_daiban_agent"]
    return agent


_STATION_TREE = "SELECT id, parent_id FROM org_station"  # Station's table (tests/test_permissions.py checks)


# Every agent's request reads it (visibility): compiled once (daiban.lib.compiled).
_HANDED_OVER: Compiled[Reassignment] = Compiled(
    lambda agent_id: Reassignment.objects.filter(from_agent_id=agent_id).only("id", "petition_id").order_by())


def reassigned_from(user: User, agent: Agent) -> tuple[int, ...]:
    """Ids of the petitions `agent` was replaced on (action `reassign`), read once per request
    through the index (from_agent, petition); usually empty."""
    cache = user.__dict__  # per request: the user object lives as long as the request
    if "_daiban_reassigned" not in cache:
        cache["_daiban_reassigned"] = tuple(sorted({r.petition_id for r in _HANDED_OVER.rows(agent.pk)}))
    found: tuple[int, ...] = cache["_daiban_reassigned"]
    return found


def forget_handed_over(user: User | None) -> None:
    """After a `reassign` in this request: the acting user's list (reassigned_from) is read again."""
    if user is not None:
        user.__dict__.pop("_daiban_reassigned", None)


def stations_below(station_id: int | None) -> frozenset[int]:
    """A station and every station below it (its village points); empty for None."""
    scope: set[int] = set()
    if station_id:
        # Every request reads the tree (a few hundred rows at most): one plain statement, without
        # the ORM building a queryset for it each time (issue 16).
        with connection.cursor() as cursor:
            cursor.execute(_STATION_TREE)
            parents: dict[int, int | None] = dict(cursor.fetchall())
        frontier = {station_id}
        while frontier:
            scope |= frontier
            frontier = {sid for sid, parent in parents.items() if parent in frontier} - scope
    return frozenset(scope)


def station_scope(user: User) -> frozenset[int]:
    """The user's station and every station below it."""
    cache = user.__dict__  # per request: the user object lives as long as the request
    if "_daiban_scope" not in cache:
        cache["_daiban_scope"] = stations_below(user.station_id)
    found: frozenset[int] = cache["_daiban_scope"]
    return found


def sees_everything(user: User) -> bool:
    return user.has_role(roles.ADMIN, roles.CENTER)


@dataclass(frozen=True)
class Visibility:
    """Everything visible_petitions reads of a user: two users with equal Visibility see the same
    petitions (a compiled query keyed by it is theirs alike; daiban.lib.compiled)."""

    nothing: bool
    everything: bool
    stations: frozenset[int]
    agent_id: int | None
    department_id: int | None
    handed_over: tuple[int, ...] = ()  # petitions the agent was replaced on (reassigned_from)


def visibility(user: User | None) -> Visibility:
    if user is None or not user.is_authenticated or not user.is_active:
        return Visibility(True, False, frozenset(), None, None)
    if sees_everything(user):
        return Visibility(False, True, frozenset(), None, None)
    stations = (station_scope(user) if user.has_role(roles.AGENT, *roles.STATION_LEADERS) and user.station_id
                else frozenset())
    agent = user_agent(user)
    department = user.department_id if user.has_role(roles.DEPARTMENT) and user.department_id else None
    handed_over = reassigned_from(user, agent) if agent else ()
    return Visibility(False, False, stations, agent.pk if agent else None, department, handed_over)


def visible_petitions(user: User | None) -> QuerySet[Petition]:
    """The petitions this user may see; everything else answers 404."""
    return petitions_visible_to(visibility(user))


def visible_ids(user: User | None, ids: Iterable[int]) -> set[int]:
    """Which of these petition ids `user` may see (one query; none for no ids). What names another
    petition (a repeat's earlier one, an exclusion's, a link) names it only when this is true, else
    says it is handled elsewhere: existence must not leak (API.md, Conventions)."""
    wanted = {pk for pk in ids if pk is not None}
    if not wanted:
        return set()
    return set(visible_petitions(user).filter(pk__in=wanted).values_list("pk", flat=True))


def petitions_visible_to(seen: Visibility) -> QuerySet[Petition]:
    qs = Petition.objects.all()
    if seen.nothing:
        return qs.none()
    if seen.everything:
        return qs
    condition = Q(pk__in=[])
    if seen.stations:
        condition |= Q(station_id__in=seen.stations)
    if seen.agent_id:
        condition |= Q(agent_id=seen.agent_id)
    if seen.handed_over:
        # An agent replaced on a petition (action `reassign`) still reads what they handled. The
        # handful of ids is read first and written as a literal list: an `id IN (SELECT …)` inside
        # the OR would stop PostgreSQL from combining the station and agent indexes (issue 16: the
        # township workbench grew 1.41× from 100k to 1M petitions with the subquery).
        condition |= Q(pk__in=seen.handed_over)
    if seen.department_id:
        routed = Disposition.objects.filter(petition_id=OuterRef("pk"), department_id=seen.department_id)
        condition |= Q(Exists(routed))
    return qs.filter(condition)


def get_visible_petition(user: User | None, petition_id: int, *, lock: bool = False) -> Petition:
    """The petition if this user may see it, else NotFound (404, the same as a petition that does not
    exist). `lock`: SELECT … FOR UPDATE, for a write in the caller's transaction."""
    if lock and connection.features.has_select_for_update and connection.get_autocommit():
        # What QuerySet.select_for_update() says when evaluated outside a transaction (the compiled
        # query is not checked again after its first use).
        raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
    petition = _VISIBLE.first((visibility(user), lock), petition_id)
    if petition is None:
        raise NotFound("信访事项不存在")
    return petition


def _visible_one(key: tuple[Visibility, bool], pid: int) -> QuerySet[Petition]:
    qs = petitions_visible_to(key[0])
    return (qs.select_for_update() if key[1] else qs).filter(pk=pid).order_by()[:1]


# Every action reads (and locks) its petition: one compiled shape per set of petitions a user may see.
_VISIBLE: KeyedCompiled[tuple[Visibility, bool], Petition] = KeyedCompiled(_visible_one)


def visible_dispositions(user: User) -> QuerySet[Disposition]:
    qs = Disposition.objects.all()
    if sees_everything(user):
        return qs
    if user.has_role(roles.DEPARTMENT) and not user.has_role(roles.AGENT, *roles.STATION_LEADERS):
        return qs.filter(department_id=user.department_id) if user.department_id is not None else qs.none()
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
    if agent and petition.agent_id == agent.pk:
        kinds.update({"case_agent", "assigned_agent"})
    elif agent and petition.agent_id is None and in_station:
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


def case_actor_q(user: User) -> Q:
    """The petitions on which `user` holds an actor kind of workflow.CASE (actor_kinds, in SQL):
    every one for the center and the administrator; for an agent, the agent's own and those of the
    agent's stations without an agent; none for anyone else. A queue named for a CASE action (the
    workbench's 待回访) lists only these: it offers no work the user may not do."""
    if user.has_role(roles.ADMIN, roles.CENTER):
        return Q()
    agent = user_agent(user)
    if agent is None:
        return Q(pk__in=[])
    return Q(agent_id=agent.pk) | Q(agent__isnull=True, station_id__in=station_scope(user))


# Kinds that see who the petitioner is even when they also belong to a department.
_STAFF_KINDS = frozenset({"case_agent", "station_agent", "station_leader", "center", "admin"})


def hides_identity(user: User) -> bool:
    """True for a user of a department whose `sees_identity` is off, or that is the unit complained
    about in any petition (Petition.complained_department): what they search must not find petitions
    by who the petitioner is (search.narrow). Decided per user, not per petition, so a user who also
    works a station's cases searches without identity too (the safe side)."""
    if not (user.department_id and user.has_role(roles.DEPARTMENT) and user.department is not None):
        return False
    return not user.department.sees_identity or Petition.objects.filter(
        complained_department_id=user.department_id).exists()


def identity_hidden(user: User, petition: Petition) -> bool:
    """True when the user sees this petition only as a department that must not learn who the
    petitioner is: one whose `sees_identity` is off (a unit often complained about), or the unit this
    petition complains about (`complained_department`). Then the name and address are masked too
    (《信访工作条例》: the petitioner's identity never reaches the unit complained about)."""
    if not user.department_id or not user.has_role(roles.DEPARTMENT) or user.department is None:
        return False
    if user.department.sees_identity and petition.complained_department_id != user.department_id:
        return False
    return not actor_kinds(user, petition) & _STAFF_KINDS


def department_view(user: User, petition: Petition) -> int | None:
    """The user's department when they see `petition` only as a department asked to act (a 处置单
    was routed to it), not as its agent, a leader of its station or the center; else None.

    Such a viewer sees the petition's content and its own department's 处置单, never the other
    departments' 处置单, results or timeline entries (the pages, the API detail and the documents
    all ask this one function)."""
    if not user.department_id or not user.has_role(roles.DEPARTMENT):
        return None
    if actor_kinds(user, petition) & _STAFF_KINDS:
        return None
    return user.department_id
