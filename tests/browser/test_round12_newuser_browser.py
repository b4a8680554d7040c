"""Round 12 (2026-12-02), found by trying `make run` as a new engineer: the staff pages' script."""

from __future__ import annotations

from playwright.sync_api import expect

from daiban.petitions.models import Petition
from tests.factories import COMPLAINT, id_number


def _concluded(api, org) -> int:
    """A portal petition taken on by agent1, answered by the first department and concluded."""
    response = api().post("/public/petitions", {"petitioner": {"name": "王宝音", "id_number": id_number(serial=731),
                                                               "phone": "13947701234"}, "content": COMPLAINT})
    pk = Petition.objects.get(number=response.data["number"]).pk
    agent = api("agent1")
    agent.act(pk, "screen", {"outcome": "agency", "agent_id": org.agent1.pk})
    did = agent.act(pk, "route", {"departments": [org.departments[0].pk], "track": "standard"}).data["dispositions"][0]["id"]
    api("dept1").act_disposition(did, "result", {"result": "已办"})
    agent.act(pk, "conclude", {"result": "补偿款已发放"})
    return pk


def test_a_form_with_a_field_named_method_is_locked_after_one_tap(site, api, org):
    """The feedback form has a field named `method` (反馈方式), so `form.method` is that field, not the
    form's method: app.js's one-post-per-tap guard threw a TypeError on every feedback (and contact)
    form and let a double tap post it twice. The guard reads the attribute, and it locks the form."""
    pk = _concluded(api, org)
    page = site.login("agent1")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site.url(f"/staff/petitions/{pk}/"))
    # Listening after app.js, the post is held back once the guard has seen it: the page stays.
    page.evaluate("document.addEventListener('submit', function (event) { event.preventDefault(); })")
    block = page.locator('details[data-action="feedback"]').first
    if not block.evaluate("e => e.open"):
        block.locator("summary").click()
    block.get_by_label("电话").check()
    block.get_by_label("满意", exact=True).check()
    button = block.locator("button[type=submit]")
    button.click()
    expect(button).to_be_disabled()
    expect(button).to_have_text("正在提交…")
    assert errors == []
