"""State guards named by workflow.py: each returns None when the action may go ahead, or a
Conflict saying in Chinese why not."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from daiban.lib.dates import today
from daiban.lib.errors import Conflict
from daiban.org.models import Department
from daiban.petitions.models import Disposition, Petition, Review, Satisfaction, Track
from daiban.petitions.workflow import OPEN_DISPOSITION, RUNNING


def track_needs_solution(petition: Petition) -> Conflict | None:
    if petition.track in (Track.MULTI_DEPARTMENT, Track.MAJOR):
        return None
    return Conflict("只有多部门协同或疑难复杂重大事项需要确定解决方案", code="not_allowed")


def has_open_disposition(petition: Petition) -> Conflict | None:
    if petition.dispositions.filter(status__in=OPEN_DISPOSITION).exists():
        return None
    return Conflict("没有待办理的处置单可催办", code="not_allowed")


def not_extended(petition: Petition) -> Conflict | None:
    if petition.national_extension_days == 0:
        return None
    return Conflict("办理期限已延长过一次", code="not_allowed")


def all_dispositions_answered(petition: Petition) -> Conflict | None:
    # A returned 处置单 is closed without a result: it neither blocks nor counts (the agent routes again).
    states = [s for s in petition.dispositions.values_list("status", flat=True) if s != Disposition.State.RETURNED]
    if not states:
        return Conflict("尚未流转任何事权单位（或处置单均已退回），不能办结", code="not_allowed")
    if any(state != "answered" for state in states):
        return Conflict("还有事权单位没有处理结果，不能办结", code="not_allowed")
    return None


def dissatisfied(petition: Petition) -> Conflict | None:
    if petition.satisfaction == Satisfaction.DISSATISFIED:
        return None
    return Conflict("信访人对办理结果不满意的才能申请复查、复核", code="not_allowed")


def next_review_level(petition: Petition, as_of: datetime.date | None = None) -> str | None:
    """review first, re_review after a decided review, nothing after a re-review (三级终结).
    `as_of`: as it stood that day (the reviews requested by then): what a letter dated that day says."""
    reviews = petition.reviews.all()
    if as_of is not None:
        reviews = reviews.filter(requested_on__lte=as_of)
    return level_after(set(reviews.values_list("level", flat=True)))


def level_after(asked: set[str]) -> str | None:
    """The review still open once the levels in `asked` were requested: 复查 first, 复核 after it,
    none after a 复核 (三级终结, 《信访工作条例》第三十五条)."""
    if Review.Level.RE_REVIEW in asked:
        return None
    return Review.Level.RE_REVIEW if Review.Level.REVIEW in asked else Review.Level.REVIEW


def review_level_open(petition: Petition) -> Conflict | None:
    if next_review_level(petition):
        return None
    return Conflict("复核已作出，同一事项不再受理复查复核", code="not_allowed")


def review_window_open(petition: Petition, day: datetime.date | None = None) -> bool:
    """A dissatisfied petitioner may still ask for review or re-review (《信访工作条例》第三十五条):
    after a dissatisfied feedback (or own rating) or a review not upheld, a level still to ask for,
    and `day` (default today) not after `review_request_due_on`."""
    if petition.status != "feedback_given" or petition.satisfaction != Satisfaction.DISSATISFIED:
        return False
    if next_review_level(petition) is None:
        return False
    due = petition.review_request_due_on
    return due is None or (day or today()) <= due


ARCHIVED_MESSAGE = "已归档的信访事项不能再更改（案卷已封存）"


def ensure_not_archived(petition: Petition) -> None:
    """Raise Conflict (code not_allowed) for an archived petition: its case file is sealed
    (archive.sha256), so nothing that the file holds may change after it — opinions on its 处置单,
    the petitioner's registered data, sharing, links. Every writer outside the action table asks
    this; the table's own actions have no archived source state."""
    if petition.status == "archived":
        raise Conflict(ARCHIVED_MESSAGE, code="not_allowed")


def petition_running(petition: Petition) -> Conflict | None:
    if petition.status in RUNNING:
        return None
    return Conflict("信访事项不在办理中", code="not_allowed")


def escalation_untaken(petition: Petition) -> Conflict | None:
    """The center signs for an escalation once (actions/escalation.py)."""
    latest = petition.escalations.order_by("-id").first()
    if latest is None or latest.taken_on is None:
        return None
    who = latest.taken_by.display_name if latest.taken_by else ""
    return Conflict(f"该上报事项已由{who}于{latest.taken_on:%Y-%m-%d}签收", code="already_taken")


def department_free(petition: Petition) -> Conflict | None:
    """`route` sends a 处置单 to a department that holds no open one of the matter (每个单位一张处置单):
    with every department in use there is nobody left to route to (the form would offer an empty list)."""
    busy = petition.dispositions.filter(status__in=OPEN_DISPOSITION).values("department_id")
    if Department.objects.filter(active=True).exclude(pk__in=busy).exists():
        return None
    return Conflict("所有事权单位均已有未办结的处置单，无可流转的单位", code="not_allowed")


def double_checks_closed(petition: Petition) -> Conflict | None:
    """The case file is sealed at archiving and prints its 一案双查: one still under way is not in it yet."""
    if not petition.double_investigations.filter(closed_on__isnull=True).exists():
        return None
    return Conflict("一案双查尚未结束，结束后才能归档", code="not_allowed")


GUARDS: dict[str, Callable[[Petition], Conflict | None]] = {
    fn.__name__: fn
    for fn in (track_needs_solution, has_open_disposition, not_extended, all_dispositions_answered, dissatisfied,
               review_level_open, petition_running, escalation_untaken, double_checks_closed, department_free)
}


# --- guards that read the day the action happens (its `on`, today when it is offered) -------------

def review_requestable(petition: Petition, day: datetime.date) -> Conflict | None:
    """A review (or re-review) is asked for by the window's last day (《信访工作条例》第三十五条:
    30 days); the day is the request's, so paper work dated back into the window still counts."""
    due = petition.review_request_due_on
    if due is None or day <= due:
        return None
    level = next_review_level(petition)
    label = Review.Level(level).label if level else "复查、复核"
    return Conflict(f"已超过申请{label}的30日期限（截至{due:%Y-%m-%d}）", code="review_window_closed")


def national_limit_running(petition: Petition, day: datetime.date) -> Conflict | None:
    """The regulation's limit may be extended only while it runs (《信访工作条例》第三十三条: an extension
    of a matter being handled, told to the petitioner before the 60 days end); `day` is the
    extension's, so one approved on paper by the last day still counts. One granted after the limit
    had passed would rewrite history: the 处置单 judged by it were late, counted in a month's 超期
    that is closed."""
    limit = petition.national_due_on
    if limit is None or day <= limit:
        return None
    return Conflict(f"法定办理期限已于{limit:%Y-%m-%d}届满，不能再延长", code="not_allowed")


DATED_GUARDS: dict[str, Callable[[Petition, datetime.date], Conflict | None]] = {
    fn.__name__: fn for fn in (review_requestable, national_limit_running)
}


# --- guards of one 处置单: (petition, disposition) -----------------------------------------------------

def _request_waits(disposition: Disposition) -> bool:
    # .all() reads the case page's prefetch (selectors.petition_for_detail) instead of a query each.
    # A request lapsed by the 处置单's answer or return (lapsed_on) waits for nobody.
    return any(r.approved is None and r.lapsed_on is None for r in disposition.extension_requests.all())


def extension_requestable(petition: Petition, disposition: Disposition | None = None,
                          day: datetime.date | None = None) -> Conflict | None:
    """A department may ask for more time while its 处置单 has a due date not yet passed on `day`
    (the request's day; today by default) and no request waits (DOMAIN.md: "before its deadline")."""
    if disposition is None:
        return None
    if disposition.due_on is None:
        return Conflict("该处置单的办理时限尚未确定（方案确定后起算），无需申请延期", code="not_allowed")
    if (day or today()) > disposition.due_on:
        return Conflict(f"办理时限（{disposition.due_on:%Y-%m-%d}）已过，不能再申请延期", code="not_allowed")
    if _request_waits(disposition):
        return Conflict("已有延期申请等待审批", code="not_allowed")
    return None


def extension_pending(petition: Petition, disposition: Disposition | None = None,
                      day: datetime.date | None = None) -> Conflict | None:
    """A decision needs a request that waits for one."""
    if disposition is None or _request_waits(disposition):
        return None
    return Conflict("没有等待审批的延期申请", code="not_allowed")


DISPOSITION_GUARDS: dict[str, Callable[[Petition, Disposition | None, datetime.date | None], Conflict | None]] = {
    fn.__name__: fn for fn in (extension_requestable, extension_pending)
}
GUARDS.update({name: fn for name, fn in DISPOSITION_GUARDS.items()})  # type: ignore[misc]  # called by run()
GUARDS.update({name: fn for name, fn in DATED_GUARDS.items()})  # type: ignore[misc]  # called by run()


def run(name: str, petition: Petition, disposition: Disposition | None = None,
        day: datetime.date | None = None) -> Conflict | None:
    """Run one named guard: a 处置单's guards also read the 处置单 (None: the petition's view only,
    where they let the action through); the dated ones the action's day (`day`, default today: what
    is offered now is what a request without `on` is allowed)."""
    if name in DISPOSITION_GUARDS:
        return DISPOSITION_GUARDS[name](petition, disposition, day or today())
    if name in DATED_GUARDS:
        return DATED_GUARDS[name](petition, day or today())
    return GUARDS[name](petition)
