"""反馈 and 复查/复核: the result reported to the petitioner, their request for review, the decision."""

from __future__ import annotations

import datetime
from typing import Annotated

from daiban.lib.dates import today
from daiban.lib.errors import Conflict, Invalid
from daiban.lib.validation import PlausibleDate
from daiban.petitions import deadlines, guards
from daiban.petitions import feedback as facts
from daiban.petitions.actions.base import (
    ActionInput,
    Ctx,
    Field,
    OptionalText,
    Outcome,
    Text,
    petition_action,
    ui,
)
from daiban.petitions.choices import ContactMethod, ReviewLevel, Satisfaction, Status
from daiban.petitions.models import Disposition, DoubleInvestigation, Petition, Review
from daiban.petitions.workflow import CASE

S = Status


class FeedbackIn(ActionInput):
    method: Annotated[ContactMethod, ui("radio")] = Field(title="反馈方式")
    satisfaction: Annotated[Satisfaction, ui("radio")] = Field(title="信访人意见")


@petition_action(
    "feedback", "反馈结果", sources={S.CONCLUDED}, targets=(S.FEEDBACK_GIVEN,), actors=CASE,
    help="上门走访、电话或信函反馈，记录信访人意见",
)
def feedback(ctx: Ctx, data: FeedbackIn) -> Outcome:
    p = ctx.petition
    facts.record_feedback(p, method=data.method, satisfaction=data.satisfaction, on=ctx.on)
    # The window to ask for review opens with a dissatisfied feedback (or a dissatisfied own rating
    # later), while a level is still to ask for: after a 复核 there is none (三级终结).
    p.review_request_due_on = (deadlines.review_request_due(ctx.on)
                               if data.satisfaction == Satisfaction.DISSATISFIED and guards.next_review_level(p)
                               else None)
    p.review_answer_due_on = None
    note = f"{data.method.label}反馈办理结果，信访人意见：{data.satisfaction.label}"
    return Outcome(note, {"satisfaction": data.satisfaction, "method": data.method}, S.FEEDBACK_GIVEN)


def level_choices(petition: Petition, kinds: frozenset[str] = frozenset(), disposition: Disposition | None = None) -> list[tuple[str, str]]:
    """The one level `request_review` accepts now (guards.next_review_level: 复查 first, 复核 after it)."""
    level = guards.next_review_level(petition) if petition.pk else None
    return [(level, ReviewLevel(level).label)] if level else []


class RequestReviewIn(ActionInput):
    HAPPENED = ("requested_on",)
    level: Annotated[ReviewLevel, ui("radio", choices=level_choices, initial=lambda p: guards.next_review_level(p)
                                     if p.pk else None)] = Field(title="申请类别")
    requested_on: Annotated[PlausibleDate | None, ui("date")] = Field(None, title="申请日期")
    reason: Annotated[Text, ui("textarea", label="申请理由")] = Field(title="申请理由")


@petition_action(
    "request_review", "申请复查/复核", sources={S.FEEDBACK_GIVEN}, targets=(S.UNDER_REVIEW,),
    actors=CASE | {"petitioner"}, guards=("dissatisfied", "review_level_open", "review_requestable"),
    help="信访人不满意的，引导向上级代办机构申请",
)
def request_review(ctx: Ctx, data: RequestReviewIn) -> Outcome:
    p, level = ctx.petition, data.level
    if level != guards.next_review_level(p):
        message = "须先申请复查，复查决定后才能申请复核" if level == ReviewLevel.RE_REVIEW else "复查已申请过，请申请复核"
        raise Conflict(message, code="not_allowed")
    requested = data.requested_on or ctx.on
    if requested > today() or (p.feedback_on and requested < p.feedback_on):
        raise Invalid.of({"requested_on": "申请日期应在反馈之后、不晚于今天"})
    if (late := guards.review_requestable(p, requested)) is not None:  # the date stated on the request
        raise late
    review = Review.objects.create(
        petition=p, level=level, requested_on=requested, reason=data.reason,
        answer_due_on=deadlines.review_answer_due(requested),
    )
    # The request window is used; the answer is now due.
    p.review_level, p.review_answer_due_on, p.review_request_due_on = level, review.answer_due_on, None
    note = f"信访人申请{level.label}（理由：{data.reason}），应于 {review.answer_due_on:%Y-%m-%d} 前答复"
    return Outcome(note, {"level": level, "review_id": review.pk, "answer_due_on": review.answer_due_on.isoformat()},
                   S.UNDER_REVIEW)


class DecideReviewIn(ActionInput):
    upheld: Annotated[bool, ui("radio", label="决定", choices=lambda p, kinds, d=None: [
        ("true", "申请有理，限期化解（一案双查）"), ("false", "维持原处理意见")])] = Field(title="是否有理")
    due_on: Annotated[PlausibleDate | None, ui("date", help="申请有理时必填", when=("upheld", ("true",)))] = Field(
        None, title="限期化解日期")
    note: Annotated[OptionalText, ui("textarea", label="意见")] = Field("", title="复查复核意见")


@petition_action(
    "decide_review", "复查/复核决定", sources={S.UNDER_REVIEW}, targets=(S.IN_PROGRESS, S.FEEDBACK_GIVEN, S.TERMINATED),
    actors={"center", "admin"}, help="有理的限期化解并一案双查；复核仍不支持的三级终结",
)
def decide_review(ctx: Ctx, data: DecideReviewIn) -> Outcome:
    p = ctx.petition
    review = p.reviews.filter(decided_on__isnull=True).order_by("-id").first()
    if review is None:
        raise Conflict("没有待决定的复查复核申请", code="not_allowed")
    review.note, review.upheld, review.decided_on = data.note, data.upheld, ctx.on
    label = review.get_level_display()
    p.review_answer_due_on = p.review_request_due_on = None
    if data.upheld:
        if data.due_on is None:
            raise Invalid.of({"due_on": "请填写限期化解日期"})
        if data.due_on < ctx.on:
            raise Invalid.of({"due_on": "限期化解日期不能早于决定日期"})
        review.save()
        # Counted from this decision: the handling starts again (deadlines.handling_start), and the
        # regulation's limit shown to everyone (case page, portal, summary) with it.
        deadlines.check_within_limit(p, data.due_on, "due_on", "限期化解日期")
        p.national_due_on = deadlines.national_due(p)
        deadlines.set_fixed_deadline(p, ctx.on, data.due_on)
        # Handled again: the earlier conclusion, feedback and the petitioner's rating no longer stand.
        p.concluded_on = None
        facts.clear(p)
        DoubleInvestigation.objects.create(petition=p, review=review, opened_on=ctx.on, note=review.note)
        note = f"{label}认为申请有理，按“三到位一处理”限期 {data.due_on:%Y-%m-%d} 前化解，启动“一案双查”"
        return Outcome(note, {"upheld": True, "level": review.level, "due_on": data.due_on.isoformat()}, S.IN_PROGRESS)
    review.save()
    if review.level == ReviewLevel.REVIEW:
        p.review_request_due_on = deadlines.review_request_due(ctx.on)
        note = f"{label}维持原处理意见" + (f"：{review.note}" if review.note else "")
        return Outcome(note, {"upheld": False, "level": review.level,
                              "review_request_due_on": p.review_request_due_on.isoformat()}, S.FEEDBACK_GIVEN)
    follow_up_due = terminate_on(p, ctx.on)
    p.three_level_terminated = True
    return Outcome("复核维持原处理意见，信访事项三级终结",
                   {"upheld": False, "level": review.level, "follow_up_due_on": follow_up_due.isoformat()}, S.TERMINATED)


def terminate_on(p: Petition, on: datetime.date) -> datetime.date:
    """终结 on that day: the follow-up visit falls due 15 days later (实施方案 七(四)); returns that day."""
    p.terminated_on = on
    p.follow_up_due_on = deadlines.statutory(on, deadlines.FOLLOW_UP_DAYS)
    return p.follow_up_due_on
