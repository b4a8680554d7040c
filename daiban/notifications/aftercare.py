"""Messages that follow 一案双查 and the after-termination actions (issue 12): the center is told
when an item opens (to assign it) and when findings are in (to close it), the assignee when named,
the center when a case is referred to the judicial organs. Keyed by the event, like every consumer."""

from __future__ import annotations

from daiban.notifications.consumers import _key
from daiban.notifications.services import center_users, notice
from daiban.notifications.templates_text import IN_APP
from daiban.org.models import User
from daiban.petitions.events import consumes
from daiban.petitions.models import Event

IN_APP.update({
    "double_check_opened": "信访事项 {number} 复查/复核认为申请有理，已启动“一案双查”，请指派责任人",
    "double_check_assigned": "您被指派为信访事项 {number} “一案双查”的责任人，请查明情况后填写",
    "double_check_findings": "信访事项 {number} “一案双查”已填写查明情况，待代办服务中心结束",
    "judicial_referral": "信访事项 {number} 终结后的缠访闹访等行为已移送{organ}",
})


@consumes("decide_review")
def double_check_opened(event: Event) -> None:
    if not event.data.get("upheld"):
        return
    p = event.petition
    notice(center_users(), "double_check_opened", petition=p, dedupe=_key(event, "double_check_opened"),
           number=p.number)


@consumes("double_check_assign")
def double_check_assigned(event: Event) -> None:
    p = event.petition
    users = User.objects.filter(pk=event.data.get("assignee_id"), is_active=True)
    notice(users, "double_check_assigned", petition=p, dedupe=_key(event, "double_check_assigned"), number=p.number)


@consumes("double_check_findings")
def double_check_findings(event: Event) -> None:
    p = event.petition
    notice(center_users(), "double_check_findings", petition=p, dedupe=_key(event, "double_check_findings"),
           number=p.number)


@consumes("refer_judicial")
def judicial_referral(event: Event) -> None:
    p = event.petition
    notice(center_users(), "judicial_referral", petition=p, dedupe=_key(event, "judicial_referral"),
           number=p.number, organ=event.data.get("organ", "司法机关"))
