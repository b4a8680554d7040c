"""Round thirteen: an agent at a herder's door, typing into the staff pages on a phone.

Each test is one kind of fault, tried in every form it was found in:
- a day typed as people write it (2026/11/30, 2026.11.30, 2026年11月30日, 11月30日, full-width digits)
  is read as that day on every staff form (登记, an action's fields and its 办理日期, the list's
  filters, the ledger), and a refused form shows it again as a day the date input can show;
- a number typed with full-width digits or its unit (５, 5天) is read as that number.
"""

from __future__ import annotations

import datetime
import re

import pytest

from daiban.org.models import Agent
from daiban.petitions.models import Event, Petition
from daiban.petitions.permissions import stations_below
from tests.factories import COMPLAINT, id_number, login

DAY = datetime.date(2026, 11, 30)
TYPED = ["2026/11/30", "2026.11.30", "2026年11月30日", "11月30日", "２０２６－１１－３０", "２０２６年１１月３０日",
         " 2026 / 11 / 30 "]



@pytest.fixture
def december(clock):
    """december() moves the frozen clock (2026-09-16) to 2026-12-02: a case made before it was
    handled before the typed day (2026-11-30)."""
    return lambda: clock.move_to("2026-12-02T10:00:00+08:00")


# --- 1. days as people type them ----------------------------------------------------------------

@pytest.mark.parametrize("typed", TYPED)
def test_intake_reads_the_received_day_as_typed(org, december, typed):
    december()
    response = login("agent1").post("/staff/intake/", {
        "channel": "visit", "source": "self", "received_on": typed, "name": "巴特尔",
        "id_number": id_number(serial=301), "phone": "13912345678", "address": "嘎鲁图镇", "content": COMPLAINT})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Petition.objects.get().received_on == DAY


def test_a_refused_intake_shows_the_typed_day_as_a_day_the_date_input_shows(org, december):
    december()
    response = login("agent1").post("/staff/intake/", {
        "channel": "visit", "source": "self", "received_on": "2026年11月30日", "name": "巴特尔",
        "id_number": "12345", "phone": "13912345678", "content": COMPLAINT})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="2026-11-30"' in page and 'value="巴特尔"' in page and 'value="12345"' in page
    # A day that does not exist is still refused by name, with what was typed kept.
    response = login("agent1").post("/staff/intake/", {
        "channel": "visit", "source": "self", "received_on": "2026/2/30", "name": "巴特尔",
        "id_number": id_number(serial=302), "phone": "13912345678", "content": COMPLAINT})
    assert response.status_code == 400 and "收到日期不是存在的日期" in response.content.decode()


@pytest.mark.parametrize("typed", TYPED)
def test_an_actions_day_is_read_as_typed(routed, org, december, typed):
    petition = routed()
    december()
    response = login("agent1").post(f"/staff/petitions/{petition['id']}/act/contact/",
                                    {"method": "phone", "on": typed, "version": petition["version"]})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Event.objects.filter(petition_id=petition["id"], action="contact").get().on == DAY


def test_a_refused_action_shows_its_typed_days_as_days(routed, org, december):
    petition = routed(track="major")
    december()
    # 确定解决方案 of a major matter: its own date field and the 办理日期, refused for the missing convener.
    response = login("agent1").post(f"/staff/petitions/{petition['id']}/act/determine_solution/",
                                    {"determined_on": "11月30日", "on": "２０２６．１１．３０", "version": petition["version"]})
    page = response.content.decode()
    assert response.status_code == 400 and "请选择会商召集人" in page
    assert 'name="determined_on" type="date" value="2026-11-30"' in page
    on = page[page.index('name="on" id="determine_solution-'):]
    assert on[:on.index(">")].count('value="2026-11-30"') == 1


@pytest.mark.parametrize("typed", TYPED)
def test_the_list_and_the_ledger_read_their_days_as_typed(accepted, org, december, typed):
    accepted()
    december()
    client = login("agent1")
    page = client.get("/staff/petitions/", {"received_from": typed, "received_to": typed}).content.decode()
    assert "筛选条件有误" not in page
    assert 'name="received_from" value="2026-11-30"' in page or 'value="2026-11-30"' in page
    ledger = client.get("/staff/ledger.xlsx", {"from": typed, "to": typed})
    assert ledger.status_code == 200 and ledger["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"), ledger.content[:500]


# --- 2. numbers as people type them -------------------------------------------------------------

@pytest.mark.parametrize("typed", ["５", "5天", " 5 ", "５日"])
def test_a_number_is_read_as_typed(routed, org, typed):
    petition = routed()  # extended while the regulation's limit runs (guards.national_limit_running)
    response = login("leader").post(f"/staff/petitions/{petition['id']}/act/extend/",
                                    {"days": typed, "reason": "涉及多个部门，情况复杂", "version": petition["version"]})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Petition.objects.get(pk=petition["id"]).national_extension_days == 5


# --- 3. a form offers only what the server then accepts in the same state ---------------------------

def _options(page: str, action: str, field: str) -> list[str]:
    """The values a select of one action's form on the case page offers (its empty option left out)."""
    form = page[page.index(f'data-action="{action}"'):]
    form = form[:form.index("</form>")]
    select = form[form.index(f'name="{field}"'):]
    select = select[:select.index("</select>")]
    return [v for v in re.findall(r'<option value="([^"]*)"', select) if v]


def test_the_route_form_offers_only_departments_without_an_open_disposition(routed, org, clock):
    petition = routed()
    busy = petition["dispositions"][0]["department"]["id"]
    client = login("agent1")
    page = client.get(f"/staff/petitions/{petition['id']}/").content.decode()
    offered = _options(page, "route", "departments")
    assert str(busy) not in offered and offered
    # Its 被反映单位 still lists every department.
    assert str(busy) in _options(page, "route", "complained_department")
    response = client.post(f"/staff/petitions/{petition['id']}/act/route/",
                           {"departments": offered, "version": petition["version"]})
    assert response.status_code == 302, response.content.decode()[:3000]


def test_the_reassign_form_does_not_offer_the_present_agent(accepted, org, clock):
    petition = accepted()
    page = login("leader").get(f"/staff/petitions/{petition['id']}/").content.decode()
    offered = _options(page, "reassign", "agent_id")
    assert str(org.agent1.pk) not in offered and offered


def test_the_agent_lists_start_with_the_stations_own_agents(org, new_petition, clock):
    petition = new_petition(by="agent12")
    station = Petition.objects.get(pk=petition["id"]).station_id
    own = set(Agent.objects.filter(active=True, station_id__in=stations_below(station)).values_list("pk", flat=True))
    page = login("agent12").get(f"/staff/petitions/{petition['id']}/").content.decode()
    offered = [int(v) for v in _options(page, "screen", "agent_id")]
    assert own and set(offered[:len(own)]) == own
    # The first one offered is accepted as the designated agent.
    response = login("agent12").post(f"/staff/petitions/{petition['id']}/act/screen/", {
        "outcome": "agency", "agent_id": offered[0], "agent_chosen_by": "designated", "notification": "oral",
        "version": petition["version"]})
    assert response.status_code == 302, response.content.decode()[:3000]
