"""Records of the case that are not letters to the petitioner but belong in its file (一案一档): the
一案双查 (DOMAIN.md: a piece of work opened when a review finds the request reasonable, with findings
on the matter and on the handling, closed by the center), one form per item.

Its text is kept from the petition's timeline (double_checks.timeline_note: the case agent reads the
timeline and may not read the findings on their own handling); the case file holds it in full, so the
case file of a petition with a 一案双查 is given only to those who may see every one of its items
(services.archive_for).

And the corrections of the petitioner's registered data (更正信访人信息) that reached this petition, with
their old and new values: the timeline says only that a correction happened; the case file, which
holds the full data, says what was corrected, and a letter given before a correction is addressed as
it was given (notices).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings

from daiban.documents.layout import FormDoc, Row, date_text
from daiban.petitions.corrections import CORRECTABLE, correction_changes
from daiban.petitions.models import DoubleInvestigation, Petition, PetitionerCorrection, Review

DOUBLE_CHECK_TITLE = "一案双查情况记录"


def double_check_number(petition: Petition, item: DoubleInvestigation) -> str:
    """The record's 文号: the petition's number, SC and the item's place among the petition's."""
    ids = sorted(i.pk for i in petition.double_investigations.all())
    return f"{petition.number}-SC{ids.index(item.pk) + 1 if item.pk in ids else 1}"


def double_check_record(petition: Petition, item: DoubleInvestigation) -> FormDoc:
    """The 一案双查 item as a form dated its closing (or its opening while open): the review that opened
    it, who was responsible, the findings on the matter (查事) and on the handling (查人), any
    accountability, the closing date and note. Blank what is not yet recorded."""
    review = item.review
    level = "复查" if review.level == Review.Level.REVIEW else "复核"
    opened = f"{date_text(review.decided_on or item.opened_on)}{level}认为信访人请求有理"
    assignee = item.assignee.display_name if item.assignee else ""
    number = double_check_number(petition, item)
    return FormDoc(
        title=DOUBLE_CHECK_TITLE, number=number, date=item.closed_on or item.opened_on,
        filename=f"{number}-{DOUBLE_CHECK_TITLE}", author=settings.DAIBAN_BUREAU_NAME,
        rows=[
            Row("信访人", petition.petitioner_name, "信访事项编号", petition.number),
            Row("启动原因", opened, "启动日期", date_text(item.opened_on)),
            Row("责任人", assignee, "指派日期", date_text(item.assigned_on) if item.assigned_on else ""),
            Row("查事情况", item.matter_findings, lines=5),
            Row("查人（办理）情况", item.handling_findings, lines=5),
            Row("责任追究", item.accountability, lines=2),
            Row("查明日期", date_text(item.findings_on) if item.findings_on else "", "结束日期",
                date_text(item.closed_on) if item.closed_on else ""),
            Row("结束意见", item.close_note, lines=2),
        ],
    )


@dataclass(frozen=True)
class Correction:
    """One correction that reached this petition: on (its day), reason, and per field (label, old, new)."""

    on: datetime.date
    by: str
    reason: str
    changes: list[tuple[str, str, str]]
    raw: dict


def corrections(petition: Petition) -> list[Correction]:
    """The corrections recorded on this petition's timeline (`petitioner_correction` events, also one
    made on another petition of the person and applied to this one), in order, values decrypted.
    Reads the prefetched events and one query."""
    days = {(e.data or {}).get("correction_id"): e.on for e in petition.events.all() if e.action == "petitioner_correction"}
    ids = [pk for pk in days if isinstance(pk, int)]
    if not ids:
        return []
    out = []
    for row in PetitionerCorrection.objects.filter(pk__in=ids).select_related("by").order_by("id"):
        changes = correction_changes(row, petition.pk)
        out.append(Correction(days[row.pk], row.by.display_name, row.reason,
                              [(CORRECTABLE.get(k, k), c.get("old", ""), c.get("new", "")) for k, c in changes.items()],
                              changes))
    return out


def registered_on(petition: Petition, key: str, current: str, day: datetime.date | None) -> str:
    """The petitioner's `key` (name, address) as registered with this petition on `day`: `current`
    with every correction made after that day taken back (a correction the same day counts as made
    before the letter). None: `current`."""
    if day is None:
        return current
    value = current
    for found in reversed(corrections(petition)):
        if found.on > day and key in found.raw:
            value = found.raw[key].get("old", value)
    return value
