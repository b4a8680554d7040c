"""Round thirteen in Chromium: an agent on a 360 px phone at a herder's door.

- the case page's 流转事权单位 offers only departments the matter may still be routed to: choosing
  every one offered routes it, and nothing on the page scrolls sideways while the form is open;
- a township station's agent designates the first agent the screening form offers.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from daiban.petitions.models import Petition

pytestmark = [pytest.mark.django_db(transaction=True)]


def _wide(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_routing_to_every_department_offered_is_accepted_at_360_px(site, org, routed):
    petition = routed()
    page = site.login("agent1", width=360, height=740)
    page.goto(site.url(f"/staff/petitions/{petition['id']}/"))
    block = page.locator('details[data-action="route"]').first
    block.locator("summary").click()
    assert _wide(page) <= 0
    departments = block.locator('select[name="departments"]')
    offered = departments.locator("option").evaluate_all("options => options.map(o => o.value)")
    assert offered and str(org.departments[0].pk) not in offered  # it holds the open 处置单
    departments.select_option(offered)
    block.locator("button[type=submit]").click()
    expect(page.get_by_role("alert").filter(has_text="已流转事权单位")).to_be_visible()
    assert Petition.objects.get(pk=petition["id"]).dispositions.count() == 1 + len(offered)


def test_a_township_agent_designates_the_first_agent_offered(site, org, new_petition):
    petition = new_petition(by="agent12")
    page = site.login("agent12", width=360, height=740)
    page.goto(site.url(f"/staff/petitions/{petition['id']}/"))
    block = page.locator('details[data-action="screen"]').first
    block.locator("summary").click()
    block.get_by_label("无法直接答复的，受理代办").check()
    agents = block.get_by_label("代办员", exact=True)
    first = agents.locator("option").nth(1).get_attribute("value")
    agents.select_option(first)
    block.get_by_label("指定代办员").check()
    block.get_by_label("口头告知").check()
    block.locator("button[type=submit]").click()
    expect(page.get_by_role("alert").filter(has_text="已受理代办")).to_be_visible()
    assert Petition.objects.get(pk=petition["id"]).agent_id == int(first)
    assert _wide(page) <= 0
