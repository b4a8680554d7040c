"""Fix round f3, fault 2: "@agent12" (another station's agent, who may not see the case) silently
told agent1 — an @ matched a colleague's username by prefix. A name matches only as a whole word."""

from __future__ import annotations

import pytest

from daiban.notifications.models import Notification
from daiban.staff.models import CaseNote
from tests.factories import login

pytestmark = pytest.mark.django_db



def _note(p: dict, text: str, by: str = "leader"):
    return login(by).post(f"/staff/petitions/{p['id']}/notes/", {"text": text}, HTTP_HX_REQUEST="true")


@pytest.mark.parametrize("text", ["@agent12 请看", "请@agent12看一下", "@agent1_x 请看", "@agent1.x 请看", "@agent1-b 看"])
def test_a_longer_name_does_not_tell_the_colleague_whose_name_begins_it(org, routed, text):
    p = routed()
    response = _note(p, text)
    assert response.status_code == 400
    body = response.content.decode()
    assert "没有可提醒的同事" in body and "@agent1" in body
    assert not CaseNote.objects.exists()
    assert not Notification.objects.filter(template="note_mention").exists()


def test_an_unknown_mention_answers_400_naming_the_text_field(org, routed):
    from daiban.lib.errors import Invalid
    from daiban.petitions.models import Petition
    from daiban.staff.notes import mentioned

    p = routed()
    with pytest.raises(Invalid) as refused:
        mentioned("@agent12 请看", Petition.objects.get(pk=p["id"]))
    assert list(refused.value.fields) == ["text"]


@pytest.mark.parametrize("text", ["@agent1 请看", "@agent1请看", "@agent1，请看", "（@agent1）", "@王建国请周三上门"])
def test_a_whole_name_still_tells_the_colleague(org, routed, text):
    p = routed()
    response = _note(p, text)
    assert response.status_code == 200, response.content.decode()[:300]
    note = CaseNote.objects.get(petition_id=p["id"])
    assert [u.username for u in note.mentions.all()] == ["agent1"]
