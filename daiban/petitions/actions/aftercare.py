"""After termination: pressure and disruption (缠访、闹访、以访施压、以访夺法、以访谋利) logged occurrence by
occurrence with their evidence, and the referral of that evidence to the judicial organs (移送函).

Neither changes the petition's status: the matter stays terminated (or followed up) on its way to
`archived`; these actions are self-loops in the flowchart. The evidence files are attachments of
the occurrence (documents.Attachment.conduct, uploaded with `kind=evidence&conduct=<id>`), with the
same byte-level type checks as every attachment. The referral letter is a document of the case
(documents.referral), filed in the case file.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from daiban.lib.errors import Conflict
from daiban.lib.text import CleanText
from daiban.petitions import guards
from daiban.petitions.actions.base import ActionInput, Ctx, Field, Outcome, Text, petition_action, ui
from daiban.petitions.choices import ConductKind, Status
from daiban.petitions.models import Conduct, JudicialReferral, Petition
from daiban.petitions.workflow import CASE

S = Status

# After termination and before the case file is closed (an archived case file is frozen).
AFTER_TERMINATION = frozenset({S.TERMINATED, S.FOLLOWED_UP})
# Referral is a decision of the station's leaders or the center, not of the agent alone.
REFERRERS = frozenset({"station_leader", "center", "admin"})

OrganText = Annotated[CleanText, StringConstraints(min_length=1, max_length=100)]


def conduct_to_refer(petition: Petition) -> Conflict | None:
    """Guard of `refer_judicial`: some recorded conduct has not been handed over yet."""
    if petition.conduct.filter(referral__isnull=True).exists():
        return None
    return Conflict("没有尚未移送的缠访闹访等行为记录，请先记录行为及证据", code="not_allowed")


guards.GUARDS[conduct_to_refer.__name__] = conduct_to_refer


class RecordConductIn(ActionInput):
    kind: Annotated[ConductKind, ui("radio")] = Field(title="行为类别")
    note: Annotated[Text, ui("textarea", help="时间、地点、经过；证据材料在记录后作为“证据材料”附件上传")] = Field(
        title="情况记录")


@petition_action(
    "record_conduct", "记录缠访闹访行为", sources=AFTER_TERMINATION, actors=CASE | {"station_leader"},
    help="终结后缠访、闹访、以访施压、以访夺法、以访谋利的，逐次记录并附证据材料",
)
def record_conduct(ctx: Ctx, data: RecordConductIn) -> Outcome:
    kind = ConductKind(data.kind)
    conduct = Conduct.objects.create(petition=ctx.petition, kind=kind, on=ctx.on, note=data.note, by=ctx.user)
    return Outcome(f"记录{kind.label}行为：{data.note}", {"conduct_id": conduct.pk, "kind": kind.value})


class ReferJudicialIn(ActionInput):
    organ: Annotated[OrganText, ui("text", help="如：乌审旗公安局")] = Field(title="移送机关")
    note: Annotated[Text, ui("textarea", help="移交的材料清单及说明")] = Field(title="移送材料及说明")


@petition_action(
    "refer_judicial", "移送司法机关", sources=AFTER_TERMINATION, actors=REFERRERS, guards=("conduct_to_refer",),
    help="将尚未移送的行为记录及证据材料移送司法机关，出具移送函",
)
def refer_judicial(ctx: Ctx, data: ReferJudicialIn) -> Outcome:
    p = ctx.petition
    referral = JudicialReferral.objects.create(petition=p, organ=data.organ, on=ctx.on, note=data.note, by=ctx.user)
    handed = list(p.conduct.filter(referral__isnull=True).order_by("id").values_list("id", flat=True))
    Conduct.objects.filter(pk__in=handed).update(referral=referral)
    note = f"移送{data.organ}：{len(handed)}次行为记录及证据材料；{data.note}"
    return Outcome(note, {"referral_id": referral.pk, "organ": data.organ, "conduct_ids": handed})
