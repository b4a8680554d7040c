"""The plan's figures, defined once (API.md, Statistics). The aggregates below and the petition list's
`kpi` filter both use these conditions, so a figure and the list behind it always agree.

Every figure is over the petitions *received* in the period (a cohort): a petition screened in one
period and concluded in the next counts in the period it was received.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from daiban.petitions.models import PetitionLink, Satisfaction
from daiban.petitions.workflow import CONCLUDED_OR_LATER

_links = PetitionLink.objects.filter(petition_id=OuterRef("pk"))

CONDITIONS: dict[str, Q] = {
    "screened": ~Q(status="received"),
    "agency": Q(accepted_on__isnull=False),
    # Concluded *agency* matters only (办结率 = concluded ÷ agency): a petition answered at the door
    # and archived is "archived" too, but it was never taken on, so it is neither (a fresh user
    # found 15/32 where 14/32 was right).
    "concluded": Q(accepted_on__isnull=False, status__in=CONCLUDED_OR_LATER),
    # 按期办结: every conclusion of the matter met the limit in force the day it was made (its 办结时限,
    # else the regulation's 60 days where none was fixed, 《信访工作条例》第三十五条), as the conclude
    # action judged and kept it (`concluded_late`, deadlines.concluded_late). Never today's dates: a
    # matter concluded late, handed back by a review found right (with a new 限期) and concluded again
    # in time stays late; one concluded in time and late the second round is late. The ledger's 是否按期
    # and the case summary read the same flag.
    "concluded_on_time": Q(accepted_on__isnull=False, status__in=CONCLUDED_OR_LATER, concluded_late=False),
    # `satisfaction` is API.md's: the petitioner's own online rating when given after the feedback,
    # else the opinion staff recorded at the feedback (kept apart, petitions.feedback sets it).
    "rated": ~Q(satisfaction=""),
    "satisfied": Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.FAIRLY_SATISFIED]),
    "repeat": Q(Exists(_links)),
    "multi_channel": Q(Exists(
        _links.filter(~Q(related__channel=OuterRef("channel")) | ~Q(related__source=OuterRef("source")))
    )),
    "online": Q(channel="online"),
}

LABELS = {
    "received": "收到", "screened": "已甄别", "agency": "受理代办", "concluded": "办结", "concluded_on_time": "按期办结",
    "rated": "已评价", "satisfied": "满意（含比较满意）", "repeat": "重复信访", "multi_channel": "多渠道重复",
    "online": "网上信访",
}

# rate name → (numerator, denominator); None when the denominator is 0.
RATES = {
    "agency_rate": ("agency", "screened"),
    "closure_rate": ("concluded", "agency"),
    "on_time_rate": ("concluded_on_time", "concluded"),
    "satisfaction_rate": ("satisfied", "rated"),
    "repeat_rate": ("repeat", "received"),
    "multi_channel_rate": ("multi_channel", "received"),
    "online_rate": ("online", "received"),
}
RATE_LABELS = {
    "agency_rate": "代办率", "closure_rate": "办结率", "on_time_rate": "按期办结率", "satisfaction_rate": "满意率",
    "repeat_rate": "重复信访率", "multi_channel_rate": "多渠道重复率", "online_rate": "网上信访率",
}
# Which way is better, for the dashboard's arrows: the plan wants these up, the others down.
HIGHER_IS_BETTER = {"agency_rate", "closure_rate", "on_time_rate", "satisfaction_rate"}


def rate(numerator: int, denominator: int) -> float | None:
    return None if not denominator else round(numerator / denominator, 4)


def with_rates(counts: dict) -> dict:
    return {**counts, **{name: rate(counts[a], counts[b]) for name, (a, b) in RATES.items()}}
