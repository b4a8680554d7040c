"""移送函: the letter that hands the conduct recorded after termination (缠访、闹访、以访施压、以访夺法、
以访谋利) and its evidence to a judicial organ (《信访工作条例》第二十六条、第四十七条), in the
official-letter layout of the notices (layout.py). One letter per referral (action refer_judicial);
it is a document of the case and is filed in the case file (casefile.py).
"""

from __future__ import annotations

from django.conf import settings

from daiban.documents.layout import FormDoc, Para, date_text, typed_clause, typed_sentence
from daiban.documents.notices import agent_on
from daiban.petitions.choices import ConductKind
from daiban.petitions.models import JudicialReferral, Petition
from daiban.petitions.selectors import PetitionerView

TITLE = "移送函"


def referral_number(petition: Petition, referral: JudicialReferral) -> str:
    """The letter's 文号: the petition's number, YS and the referral's place among the petition's."""
    ids = sorted(r.pk for r in petition.judicial_referrals.all())
    return f"{petition.number}-YS{ids.index(referral.pk) + 1 if referral.pk in ids else 1}"


def referral_letter(petition: Petition, referral: JudicialReferral, *, person: PetitionerView) -> FormDoc:
    """The 移送函 of `referral`: who, the matter and its termination, each occurrence handed over with
    its evidence files, what was handed over, the request to deal with it by law. `person` is the
    petitioner as the reader may see them (the case file: in full)."""
    kinds = dict(ConductKind.choices)
    ended = f"已于{date_text(petition.terminated_on)}依法终结" if petition.terminated_on else "已依法办理终结"
    if petition.three_level_terminated:
        ended += "（经复查、复核，三级终结）"
    body = [
        f"信访人{person.name}（公民身份号码：{person.id_number}，住址：{person.address or '不详'}）反映的"
        f"{petition.category or '有关'}问题（信访事项编号：{petition.number}），{ended}。"
        "终结后，该信访人仍有下列行为：",
    ]
    for i, conduct in enumerate(referral.conduct.all(), start=1):
        files = [a.name for a in conduct.evidence.all()]
        evidence = f"（证据材料{len(files)}件：{'、'.join(files)}）" if files else "（无书证，见情况记录）"
        body.append(f"{i}. {date_text(conduct.on)}，{kinds.get(conduct.kind, conduct.kind)}：{typed_clause(conduct.note)}"
                    f"{evidence}。")
    body += [
        "上述行为违反《信访工作条例》第二十六条的规定，依照《信访工作条例》第四十七条，现将有关情况和证据材料移送你单位，请依法处理。",
        f"移送材料及说明：{typed_sentence(referral.note)}" if typed_clause(referral.note) else "",
        "特此函告。",
    ]
    name = settings.DAIBAN_BUREAU_NAME
    number = referral_number(petition, referral)
    return FormDoc(
        title=TITLE, number=number, date=referral.on, kind="letter", filename=f"{number}-{TITLE}", author=name,
        addressee=referral.organ, body=[Para(text) for text in body if text], signature=[name],
        note=_contact(petition, referral),
    )


def _contact(petition: Petition, referral: JudicialReferral) -> str:
    """The letter's contact line: the agent who held the matter on the referral's day (notices.agent_on:
    their office phone where they have one), else whoever made the referral; without either, the
    station's phone alone, never a 联系人 left empty."""
    phone = petition.station.phone or settings.DAIBAN_BUREAU_PHONE
    agent = agent_on(petition, referral.on)
    if agent is not None:
        return f"（联系人：{agent.name}　联系电话：{agent.office_phone or phone}）"
    name = referral.by.display_name if referral.by_id and referral.by else ""
    return f"（联系人：{name}　联系电话：{phone}）" if name else f"（联系电话：{phone}）"
