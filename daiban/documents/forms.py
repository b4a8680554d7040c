"""The two official forms of the seed, built from a case: 《信访事项代办单》 (附件2) and 《信访事项处置单》
(附件3). Labels, order and check boxes follow the seed; layout.py holds the shared measures."""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.utils import timezone

from daiban.documents.layout import NOTIFICATION_BOXES, OPINION_BOXES, FormDoc, Para, Row, boxes, date_text
from daiban.petitions.choices import OpinionRole, Satisfaction
from daiban.petitions.models import Disposition, Petition, Urging
from daiban.petitions.selectors import PetitionerView

_OLD_AUTOMATIC = re.compile(r"^系统自动催办[：:]\s*(.*)$")


def bureau_name() -> str:
    return settings.DAIBAN_BUREAU_NAME


def petitioner_name(petition: Petition) -> str:
    """The petitioner's name as registered with this petition (its snapshot, see issue 9)."""
    return petition.petitioner_name


def petitioner_address(petition: Petition) -> str:
    return petition.petitioner_address


def agency_form_applies(petition: Petition) -> bool:
    """The 代办单 is filled when an agent takes the matter (实施方案, 附件2): a matter not yet screened may
    print it blank to fill by hand; one answered at the door, declined or sent elsewhere has none (the
    case file leaves it out, the download answers 404)."""
    from daiban.petitions.choices import Status

    return petition.accepted_on is not None or petition.agent_id is not None or petition.status == Status.RECEIVED


def agency_form(petition: Petition, *, person: PetitionerView, show_result: bool = True) -> FormDoc:
    """《信访事项代办单》 (附件2). `person` comes in already masked or not, by role (selectors.petitioner_view);
    `show_result` False for a department-only viewer: the 代理结果 (it gathers the other departments'
    answers) and the petitioner's opinion stay blank, as on the case page."""
    result = petition.result if show_result else ""
    agent = petition.agent
    agent_text = ""
    if agent is not None:
        # The agent's own unit: a matter the center took from a station (上报) is done by the center's
        # agent, not by the station it was registered at.
        agent_text = f"{agent.station.name}　{agent.name}（{agent.get_kind_display()}代办员）"
    return FormDoc(
        title="信访事项代办单",
        number=petition.number,
        date=petition.accepted_on or petition.received_on,
        filename=f"{petition.number}-信访事项代办单",
        author=bureau_name(),
        rows=[
            Row("信访人姓名", person.name, "身份证号", person.id_number),
            Row("地址", person.address, "电话", person.phone),
            Row("反映的问题及诉求", petition.content, lines=10, vertical=True),
            Row("代办方（人）", agent_text),
            Row("告知方式", boxes(NOTIFICATION_BOXES, petition.notification)),
            Row("代理结果", result, lines=6, vertical=True,
                sign=date_text(petition.concluded_on) if result and petition.concluded_on else ""),
            Row("信访人意见", feedback_text(petition) if show_result else boxes(OPINION_BOXES, "")),
        ],
    )


def feedback_text(petition: Petition) -> str:
    """The 信访人意见 row: the seed's boxes ticked with the opinion recorded at the feedback, and the
    petitioner's own online rating on a line of its own when there is one (petitions.feedback)."""
    lines = [boxes(OPINION_BOXES, petition.feedback_satisfaction if petition.feedback_on else "")]
    if petition.online_satisfaction and petition.online_rated_at:
        rated = dict(Satisfaction.choices).get(petition.online_satisfaction, "")
        lines.append(f"信访人网上评价：{rated}（{date_text(timezone.localdate(petition.online_rated_at))}）")
    return "\n".join(lines)


def urging_text(urging: Urging, workdays_overdue: int | None = None) -> str:
    """One line of the 进度催办 row: the date, what was said, and who urged.

    Automatic urgings read as the sweep writes them (系统自动催办（已超期3个工作日）); notes written
    before that wording (系统自动催办：已超期) are read the same way."""
    note = urging.note or ""
    if urging.automatic:
        old = _OLD_AUTOMATIC.match(note)
        if old:
            note = f"系统自动催办（{old.group(1)}）" if old.group(1) else "系统自动催办"
        return f"{date_text(urging.on)}　{note or '系统自动催办'}"
    who = urging.by.display_name if urging.by_id and urging.by else ""
    return f"{date_text(urging.on)}　{note or '催办'}" + (f"（催办人：{who}）" if who else "")


def _signer(user, on: datetime.date | None) -> str:
    name = user.display_name if user is not None else ""
    return "　".join(x for x in (f"签批人：{name}" if name else "", date_text(on) if on else "") if x)


def supplement_lines(disposition: Disposition, role: str) -> list[tuple[str, str]]:
    """The 补充意见 of one opinion row, oldest first, each (补充意见：text, its signer and date): printed
    under the first opinion, which is never replaced."""
    return [(f"补充意见：{x.text}", _signer(x.by, x.on))
            for x in disposition.supplements.all() if x.role == role]


def content_summary(disposition: Disposition) -> str:
    """内容摘要: the agent's summary written at routing when there is one, else the whole content.
    Never a silent cut: a long content without a summary prints whole and the row grows."""
    return disposition.summary or disposition.petition.content


def disposition_form(disposition: Disposition, *, person: PetitionerView) -> FormDoc:
    """《信访事项处置单》 (附件3), one per department, addressed to it with its deadline. The rows
    leave room to write by hand, and an ordinary case still fits one A4 page."""
    petition = disposition.petition
    department = disposition.department.name
    due = f"{date_text(disposition.due_on)}前" if disposition.due_on else "方案确定后按规定时限"
    granted = [r for r in disposition.extension_requests.all() if r.approved]
    if granted:
        due += f"（经批准延期{sum(r.workdays for r in granted)}个工作日）"
    returned = disposition.status == Disposition.State.RETURNED
    state = "　　状态：已退回（非本单位职权）" if returned else ""
    return FormDoc(
        title="信访事项处置单",
        number=disposition.number,
        date=disposition.routed_on,
        filename=f"{disposition.number}-信访事项处置单-{department}",
        author=bureau_name(),
        before=[Para(f"承办单位：{department}　　办理时限：{due}{state}", align="left", indent=False)],
        rows=[
            Row("姓名", person.name, "联系电话", person.phone),
            Row("住址", person.address),
            Row("内容分类", petition.category),
            Row("内容摘要", content_summary(disposition), lines=4),
            Row("拟办意见", disposition.proposed_handling or petition.proposed_handling, lines=3),
            Row("分管领导\n处理意见", disposition.leader_opinion, lines=3,
                sign=_signer(disposition.leader_opinion_by, disposition.leader_opinion_on) if disposition.leader_opinion else "",
                more=supplement_lines(disposition, OpinionRole.LEADER_IN_CHARGE)),
            Row("领导批示", disposition.principal_instruction, lines=3,
                sign=_signer(disposition.principal_by, disposition.principal_on) if disposition.principal_instruction else "",
                more=supplement_lines(disposition, OpinionRole.PRINCIPAL)),
            Row("进度催办", "\n".join(urging_text(u) for u in disposition.urgings.all()), lines=4),
            Row("处理结果", f"已退回：{disposition.return_reason}" if returned else disposition.result, lines=4,
                sign=f"{department}　{date_text(disposition.returned_on if returned else disposition.result_on)}"
                if disposition.result or returned else ""),
        ],
    )
