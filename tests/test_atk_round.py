"""Attack round on the changes of 2026-12-02: the list's overdue_from/overdue_to and rerouting filters,
the portal's QR ticket, the roster's kept duty, the actor-filtered choices, the dated guards and the
400-for-malformed rules, tried with hostile values, wrong roles and object-level leaks.

Expected everywhere: never a 500; 400 naming the field in Chinese for bad input; 404 for what the
caller may not see; nothing changed by a refused request."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from daiban.org.models import User
from daiban.petitions.models import Event, Petition
from tests.factories import login, petition_body

# A NUL or full-width digits are cleaned or folded into a day (CleanInputMiddleware, iso_day): not here.
HOSTILE_DATES = ["0001-01-01", "9999-12-31", "1999-12-31", "2100-01-01", "x" * 10_000, "2026-11-01' OR '1'='1", "<script>alert(1)</script>", "=HYPERLINK(\"x\")",
                 "-1", "99999999999999999999", "2026-02-30", "2026/11/01/01"]



def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _lapsed(routed, clock) -> dict:
    """A petition routed to the first department whose 处置单 passed its limit unanswered: today is
    2026-12-01, the limit passed in October or November."""
    petition = routed()
    clock.move_to("2026-12-01 10:00")
    return petition


# --- 1. overdue_from / overdue_to -------------------------------------------------------------------

@pytest.mark.parametrize("value", HOSTILE_DATES)
@pytest.mark.parametrize("field", ["overdue_from", "overdue_to"])
def test_a_hostile_overdue_date_in_the_api_is_400_naming_the_field(api, org, clock, field, value):
    """Actor: the center, typing (or forging) a date of the overdue period that is no plausible
    day: 400 naming 超期期间, never a 500 or a list of everything."""
    answer = api("center").get("/petitions", **{field: value})
    assert answer.status_code == 400, (value[:30], answer.status_code)
    assert "超期期间" in answer.data["error"]["fields"][field], answer.data


def test_a_reversed_overdue_period_is_400_on_the_end_field(api, org, clock):
    """Actor: the center with the period's ends swapped: 400 on overdue_to, not an empty list."""
    answer = api("center").get("/petitions", overdue_from="2026-11-30", overdue_to="2026-11-01")
    assert answer.status_code == 400 and "overdue_to" in answer.data["error"]["fields"], answer.data


@pytest.mark.parametrize("value", HOSTILE_DATES)
@pytest.mark.parametrize("field", ["overdue_from", "overdue_to", "received_from", "received_to", "due_to"])
def test_a_hostile_date_on_the_staff_list_is_said_by_its_label_never_a_500(org, clock, field, value):
    """Actor: the center following a list link whose date was tampered with: the page (200) says
    which filter was left out by its label; a day outside the system's years (0001-01-01,
    9999-12-31) is refused like a malformed one instead of overflowing the period's arithmetic."""
    page = login("center").get("/staff/petitions/", {field: value})
    assert page.status_code == 200, (field, value[:30], page.status_code)
    said = _messages(page)
    assert "以下筛选条件有误" in said, (field, value[:30], said)


def test_the_overdue_filter_of_a_department_finds_only_petitions_routed_to_it(api, routed, org, clock):
    """Actor: department 2, naming department 1 in the filter (its id is on every page) with the
    overdue period: it learns nothing of department 1's late work on petitions not routed to it."""
    petition = _lapsed(routed, clock)
    center = api("center").get("/petitions", department=org.departments[0].pk,
                               overdue_from="2026-09-01", overdue_to="2026-11-30")
    assert [p["id"] for p in center.data["items"]] == [petition["id"]]  # the filter does find it
    for params in ({"department": org.departments[0].pk, "overdue_from": "2026-09-01", "overdue_to": "2026-11-30"},
                   {"overdue_from": "2026-09-01"}, {"overdue_to": "2026-11-30"}):
        listed = api("dept2").get("/petitions", **params)
        assert listed.status_code == 200 and listed.data["count"] == 0 and listed.data["items"] == [], params
        page = login("dept2").get("/staff/petitions/", params)
        assert page.status_code == 200 and petition["number"] not in page.content.decode(), params


def test_another_stations_agent_finds_nothing_through_the_overdue_filter(api, routed, org, clock):
    """Actor: agent12 of another station: the overdue period lists none of agent1's petitions."""
    petition = _lapsed(routed, clock)
    listed = api("agent12").get("/petitions", overdue_from="2026-09-01", overdue_to="2026-11-30")
    assert listed.status_code == 200 and petition["id"] not in [p["id"] for p in listed.data["items"]]
    page = login("agent12").get("/staff/petitions/", {"overdue_from": "2026-09-01", "rerouting": "on"})
    assert page.status_code == 200 and petition["number"] not in page.content.decode()


def test_anonymous_and_deactivated_callers_get_no_list(api, routed, org, clock):
    """Actor: nobody, then a deactivated department account with a token issued before: 401, and the
    staff list sends to the login page; neither reveals a number."""
    petition = _lapsed(routed, clock)
    assert api().get("/petitions", overdue_from="2026-09-01").status_code == 401
    dept1 = api("dept1")
    assert dept1.get("/petitions", overdue_from="2026-09-01").data["count"] == 1
    client = login("dept1")
    User.objects.filter(username="dept1").update(is_active=False)
    assert dept1.get("/petitions", overdue_from="2026-09-01").status_code == 401
    page = client.get("/staff/petitions/", {"overdue_from": "2026-09-01"})
    assert page.status_code == 302 and petition["number"] not in page.content.decode()
    anonymous = Client().get("/staff/petitions/", {"rerouting": "on"})
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]


# --- 2. rerouting=on --------------------------------------------------------------------------------

def test_rerouting_lists_only_what_the_caller_may_see(api, routed, org, clock):
    """Actor: department 1 returns its 处置单; then department 2 and agent12 ask for ?rerouting=on:
    the returned petition is listed for agent1 only (and the department that returned it)."""
    petition = routed()
    did = petition["dispositions"][0]["id"]
    assert api("dept1").act_disposition(did, "return", {"reason": "属林草部门职权"}).status_code == 200
    assert petition["number"] in login("agent1").get("/staff/petitions/", {"rerouting": "on"}).content.decode()
    for user in ("dept2", "agent12"):
        page = login(user).get("/staff/petitions/", {"rerouting": "on"})
        assert page.status_code == 200 and petition["number"] not in page.content.decode(), user


@pytest.mark.parametrize("value", ["\x00", "x" * 10_000, "'; DROP TABLE petitions_petition;--", "２"])
def test_a_hostile_rerouting_value_never_answers_500(org, clock, value):
    """Actor: the center with a tampered flag: the page answers (a flag is on or off)."""
    page = login("center").get("/staff/petitions/", {"rerouting": value})
    assert page.status_code == 200


# --- 3. page, version and enum codes ----------------------------------------------------------------

@pytest.mark.parametrize("value", ["abc", "-1", "0", "99999999999999999999", "１", "x" * 10_000, "1e3"])
def test_a_hostile_page_number_is_400_in_the_api_and_said_on_the_page(api, org, clock, value):
    """Actor: the center: the API refuses a page that is no page by name (页码); the staff list
    shows the first page and says so."""
    answer = api("center").get("/petitions", page=value)
    assert answer.status_code == 400 and "页码" in answer.data["error"]["fields"]["page"], (value[:20], answer.data)
    page = login("center").get("/staff/petitions/", {"page": value})
    assert page.status_code == 200
    if value not in ("１",):
        assert "页码取值无效" in _messages(page), value[:20]


@pytest.mark.parametrize("version", ["99999999999999999999", "\x00", "x" * 10_000, "1 OR 1=1", "-0", "1e2"])
def test_a_hostile_version_is_400_and_changes_nothing(api, routed, clock, version):
    """Actor: the petition's agent sending a version that is no version: 400 naming 版本号."""
    p = routed()
    answer = api("agent1").act(p["id"], "contact", {"method": "phone", "note": "已联系", "version": version})
    assert answer.status_code in (400, 409), answer.data
    if answer.status_code == 400:
        assert "版本号" in answer.data["error"]["fields"]["version"]
    assert Petition.objects.get(pk=p["id"]).version == p["version"]
    assert not Event.objects.filter(petition_id=p["id"], action="contact").exists()


# --- 4. QR ticket -----------------------------------------------------------------------------------

def _portal_petition(serial: int = 962):
    from tests.test_doc_round import _submitted

    return _submitted(serial)


def _path(link: str) -> str:
    return link.split("#", 1)[0].replace("http://testserver", "")


def test_a_ticket_of_one_petition_opens_no_other(org, clock, new_petition):
    """Actor: someone holding petition A's QR address, pointing it at petition B's number: it opens
    nothing of B, and A's ticket is not spent by the attempt."""
    from daiban.portal.models import QrTicket

    a, link_a = _portal_petition(962)
    b = Petition.objects.get(pk=new_petition()["id"])
    ticket_a = _path(link_a).rstrip("/").rsplit("/", 1)[1]
    thief = Client()
    sent = thief.post(f"/track/{b.number}/qr/{ticket_a}/")
    assert sent.status_code == 303 and sent["Location"] == f"/track/{b.number}/"
    assert "status-text" not in thief.get(sent["Location"]).content.decode()
    assert QrTicket.objects.get(petition=a).used_at is None
    assert Client().post(_path(link_a)).status_code == 303  # A's own holder still spends it
    assert QrTicket.objects.get(petition=a).used_at is not None


@pytest.mark.parametrize("ticket", ["\x00", "%00", "a" * 64 + "\x00", "x" * 10_000, "' OR 1=1 --", "<b>x</b>",
                                    "%E2%80%AE", "..", "%ED%A0%80"])
def test_a_hostile_ticket_answers_a_redirect_and_spends_nothing(org, clock, ticket):
    """Actor: a scanner of made-up addresses: every absurd ticket is a 303 to the form, GET or POST."""
    from daiban.portal.models import QrTicket

    petition, _ = _portal_petition()
    for method in ("get", "post"):
        answer = getattr(Client(), method)(f"/track/{petition.number}/qr/{ticket}/")
        assert answer.status_code in (303, 404), (method, ticket[:20], answer.status_code)
    assert QrTicket.objects.get(petition=petition).used_at is None


@pytest.mark.parametrize("number", ["\x00", "Ｗ" * 10_000, "' OR 1=1 --", "%00"])
def test_a_hostile_number_in_the_qr_address_answers_a_redirect(org, clock, number):
    petition, link = _portal_petition()
    ticket = _path(link).rstrip("/").rsplit("/", 1)[1]
    for method in ("get", "post"):
        answer = getattr(Client(), method)(f"/track/{number}/qr/{ticket}/")
        assert answer.status_code in (303, 404), (method, number[:20], answer.status_code)


def test_two_posts_of_one_ticket_spend_it_once(org, clock):
    """Actor: the herder taps the button twice (two posts racing): one session gets the result."""
    from daiban.portal import services

    petition, link = _portal_petition()
    ticket = _path(link).rstrip("/").rsplit("/", 1)[1]
    assert services.use_ticket(petition.number, ticket) == petition
    assert services.use_ticket(petition.number, ticket) is None


def test_a_ticket_is_a_long_random_key_and_guessing_is_limited(org, clock):
    """Actor: a brute-forcer posting guesses at one number: a ticket has 192 random bits, and the
    posts past the hourly allowance are 429 without looking the ticket up."""
    from daiban.portal import services, views

    petition, _ = _portal_petition()
    tickets = {services.new_ticket(petition.number) for _ in range(20)}
    assert len(tickets) == 20 and all(len(t) >= 32 for t in tickets)
    guesser = Client()
    answers = [guesser.post(f"/track/{petition.number}/qr/guess{i}/").status_code
               for i in range(views.TRACKS_PER_HOUR + 1)]
    assert answers[-1] == 429 and set(answers[:-1]) == {303}


def test_the_ticket_is_in_no_log_line_and_no_referer(org, clock, caplog):
    """Actor: the logs of the server: neither the ticket nor the query code in any line written while
    the QR address is opened, posted and followed; the pages send no Referer."""
    from daiban.lib.logmask import mask

    petition, link = _portal_petition()
    path = _path(link)
    ticket = path.rstrip("/").rsplit("/", 1)[1]
    phone = Client()
    with caplog.at_level(logging.DEBUG):
        opened = phone.get(path)
        sent = phone.post(path)
        landed = phone.get(sent["Location"])
        phone.post(path)  # used: a message, logged as the request is
    for answer in (opened, sent, landed):
        assert answer["Referrer-Policy"] == "no-referrer"
    text = "\n".join(mask(r.getMessage()) for r in caplog.records)
    assert ticket not in text and petition.query_code not in text
    assert ticket not in mask(f"GET /track/{petition.number.lower()}/qr/{ticket}/?x=1 HTTP/1.1")
    assert ticket not in mask(f"GET /track/{petition.number}/qr/{ticket} HTTP/1.1")
    assert ticket not in mask(f"GET /track/{petition.number}%2Fqr%2F{ticket}%2F HTTP/1.1")


# --- 5. the dated guards ----------------------------------------------------------------------------

@pytest.mark.parametrize("on", ["0001-01-01", "9999-12-31", "2026-02-30", "\x00", "x" * 10_000])
def test_a_hostile_day_of_a_dated_action_is_400_naming_it(api, routed, clock, on):
    """Actor: department 1 asking for an extension with an absurd `on`: 400 naming 办理日期, and no
    request recorded (a dated guard never judges a day outside the system's years)."""
    p = routed()
    did = p["dispositions"][0]["id"]
    answer = api("dept1").act_disposition(did, "request_extension", {"workdays": 5, "reason": "需测绘", "on": on})
    assert answer.status_code == 400 and "on" in answer.data["error"]["fields"], answer.data
    assert not Event.objects.filter(petition_id=p["id"], action="disposition_request_extension").exists()


def test_an_extension_after_the_due_date_is_refused_whatever_on_says(api, routed, org, clock):
    """Actor: department 1, its 处置单 past due, asking for more time with `on` in the future (the
    guard must not judge a day it is then refused for) : 400 or 409, nothing recorded."""
    p = routed()
    did = p["dispositions"][0]["id"]
    clock.move_to("2026-12-01 10:00")
    future = api("dept1").act_disposition(did, "request_extension",
                                          {"workdays": 5, "reason": "需测绘", "on": "2026-12-20"})
    assert future.status_code in (400, 409), future.data
    late = api("dept1").act_disposition(did, "request_extension", {"workdays": 5, "reason": "需测绘"})
    assert late.status_code == 409 and "已过" in late.data["error"]["message"], late.data
    assert not Event.objects.filter(petition_id=p["id"], action="disposition_request_extension").exists()


# --- 6. choices filtered by the actor ---------------------------------------------------------------

@pytest.mark.parametrize("agent_id", [0, -1, 10**20, "１", "\x00", "x" * 10_000, None, True])
def test_a_hostile_agent_of_reassign_is_400_and_changes_nothing(api, accepted, org, clock, agent_id):
    """Actor: the center reassigning to an agent id that is none: 400 naming the agent field."""
    p = accepted()
    answer = api("center").act(p["id"], "reassign", {"agent_id": agent_id, "reason": "工作调整"})
    assert answer.status_code == 400 and "agent_id" in answer.data["error"]["fields"], answer.data
    assert Petition.objects.get(pk=p["id"]).agent_id == org.agent1.pk


def test_a_department_cannot_reassign_or_see_a_petition_not_routed_to_it(api, accepted, org, clock):
    """Actor: department 2 on a petition not routed to it: 404 for every action and the detail."""
    p = accepted()
    for action, body in (("reassign", {"agent_id": org.agent2.pk, "reason": "x"}),
                         ("request_review", {"level": "review", "reason": "x"})):
        assert api("dept2").act(p["id"], action, body).status_code == 404
    assert api("dept2").get(f"/petitions/{p['id']}").status_code == 404
    assert Petition.objects.get(pk=p["id"]).version == p["version"]


@pytest.mark.parametrize("level", ["review", "recheck", "REVIEW", "<x>", "x" * 10_000, 1])
def test_a_forged_review_level_is_400_naming_it(api, dissatisfied, clock, level):
    """Actor: the agent after a dissatisfied feedback asking a review at a forged level."""
    pid = dissatisfied()
    before = Petition.objects.get(pk=pid).version
    answer = api("agent1").act(pid, "request_review", {"level": level, "reason": "补偿标准有误"})
    if level in ("review",):
        assert answer.status_code == 200, answer.data
        return
    assert answer.status_code in (400, 409), answer.data
    if answer.status_code == 400:
        assert "level" in answer.data["error"]["fields"]
    assert Petition.objects.get(pk=pid).version == before


# --- 7. the roster's kept duty ----------------------------------------------------------------------

def test_the_roster_remove_button_refuses_other_stations_and_hostile_values(org, clock):
    """Actor: agent12 and a department posting the roster's remove form of another station's day,
    and the center with absurd values: never a 500, nothing removed."""
    from daiban.org import roles
    from daiban.staff.models import DutyDay

    # A leader of the bureau's room (a station of its own, beside 嘎鲁图镇), and 嘎鲁图镇's roster.
    galutu = org.galutu
    User.objects.create(username="galutu_leader", station=galutu, roles=roles.DUTY_LEADER)
    center = login("center")
    center.post("/staff/roster/", {"generate": "1", "month": "2026-10", "station": galutu.pk})
    days = list(DutyDay.objects.filter(station=galutu, date__year=2026, date__month=10).order_by("date"))
    assert days, "the center generates 嘎鲁图镇's October"
    first = days[0]
    before = {(d.pk, d.leader_id, d.receptionist_id, d.note) for d in DutyDay.objects.all()}
    duty = login("duty")  # the bureau room's duty leader: not 嘎鲁图镇's
    for body in ({"generate": "1"}, {"remove": str(first.pk)},
                 {"day": str(first.pk), "leader": "", "receptionist": "", "note": "改"}):
        answer = duty.post("/staff/roster/", {**body, "month": "2026-10", "station": galutu.pk})
        assert answer.status_code == 403, answer.status_code  # the roster is read by all: a role refused
    for user in ("dept1", "agent12"):
        assert login(user).post("/staff/roster/", {"remove": str(first.pk), "month": "2026-10",
                                                    "station": galutu.pk}).status_code == 403
    for value in ("0", "-1", "99999999999999999999", "\x00", "x" * 10_000, "１", "' OR 1=1 --"):
        answer = center.post("/staff/roster/", {"remove": value, "month": "2026-10", "station": galutu.pk})
        assert answer.status_code in (302, 400), (value[:20], answer.status_code)
        answer = center.post("/staff/roster/", {"day": value, "month": "2026-10", "station": galutu.pk})
        assert answer.status_code in (302, 400), (value[:20], answer.status_code)
    for month in ("0001-01", "9999-12", "2026-13", "2026-00", "x" * 10_000):
        assert center.get("/staff/roster/", {"month": month}).status_code in (200, 404), month[:20]
        assert center.post("/staff/roster/", {"generate": "1", "month": month}).status_code in (302, 404)
    assert {(d.pk, d.leader_id, d.receptionist_id, d.note) for d in DutyDay.objects.all()} == before
    # The bureau room's leader reads 嘎鲁图镇's roster without its forms; 嘎鲁图镇's own leader edits it.
    page = duty.get("/staff/roster/", {"month": "2026-10", "station": galutu.pk}).content.decode()
    assert 'data-testid="roster"' in page and 'name="remove"' not in page and 'name="day"' not in page
    own = login("galutu_leader").post("/staff/roster/", {"day": str(first.pk), "month": "2026-10",
                                                         "station": galutu.pk, "note": "换班"})
    assert own.status_code == 302 and DutyDay.objects.get(pk=first.pk).note == "换班"


def test_an_agent_whose_account_is_deactivated_is_neither_offered_nor_accepted(api, accepted, org, clock):
    """Actor: the center reassigning to agent2 after agent2's account was deactivated (the person left;
    the 代办员 record not yet edited): not offered in the form, refused by name, the petition stays."""
    p = accepted()
    User.objects.filter(pk=org.agent2.user_id).update(is_active=False)
    from tests.test_wf_round import _form, _offered_values

    page = login("center").get(f"/staff/petitions/{p['id']}/").content.decode()
    offered = _offered_values(_form(page, "reassign"), "agent_id")
    assert str(org.agent2.pk) not in offered and str(org.agent12.pk) in offered
    answer = api("center").act(p["id"], "reassign", {"agent_id": org.agent2.pk, "reason": "工作调整"})
    assert answer.status_code == 400 and "agent_id" in answer.data["error"]["fields"], answer.data
    assert Petition.objects.get(pk=p["id"]).agent_id == org.agent1.pk
    # Nor designated at screening, nor shown to petitioners choosing an agent on the public list.
    fresh = api("agent1").post("/petitions", petition_body())
    screened = api("agent1").act(fresh.data["id"], "screen", {
        "outcome": "agency", "agent_id": org.agent2.pk, "agent_chosen_by": "designated", "notification": "written"})
    assert screened.status_code == 400 and "agent_id" in screened.data["error"]["fields"], screened.data
    assert org.agent2.name not in Client().get("/").content.decode()
    assert org.agent1.name in Client().get("/").content.decode()


def test_a_department_learns_nothing_of_another_departments_lateness_on_a_shared_petition(
        api, routed, org, clock):
    """Actor: department 1, which answered its 处置单 in time on a petition routed to departments 1
    and 2, and reads only its own 处置单 (permissions.department_view). Department 2 let its own
    lapse. The overdue period lists the petition neither as department 1's (it was not late) nor
    under department=2 (what department 2 did is not department 1's to read); the center sees it."""
    d1, d2 = org.departments[0], org.departments[1]
    petition = routed(departments=[d1.pk, d2.pk])
    own = next(d for d in petition["dispositions"] if d["department"]["id"] == d1.pk)
    assert api("dept1").act_disposition(own["id"], "result", {"result": "已核实"}).status_code == 200
    clock.move_to("2026-12-01 10:00")
    period = {"overdue_from": "2026-09-01", "overdue_to": "2026-11-30"}
    assert api("center").get("/petitions", department=d2.pk, **period).data["count"] == 1
    for params in (period, {**period, "department": d2.pk}):
        listed = api("dept1").get("/petitions", **params)
        assert listed.status_code == 200 and listed.data["count"] == 0, params
        page = login("dept1").get("/staff/petitions/", params).content.decode()
        assert petition["number"] not in page, params
    assert api("dept2").get("/petitions", **period).data["count"] == 1  # its own lateness it reads
    # Nor does department=<the other> alone tell department 1 which other department was asked to act.
    assert api("dept1").get("/petitions", department=d2.pk).data["count"] == 0
    assert petition["number"] not in login("dept1").get("/staff/petitions/", {"department": d2.pk}).content.decode()
    assert api("dept1").get("/petitions", department=d1.pk).data["count"] == 1
    assert api("center").get("/petitions", department=d2.pk).data["count"] == 1


# --- 8. every list page of the staff site with hostile query values ----------------------------------

PAGES = ["/staff/petitions/", "/staff/dispositions/", "/staff/opinions/", "/staff/running/", "/staff/roster/",
         "/staff/calendar/", "/staff/notices/", "/staff/stats/", "/staff/double_checks/", "/staff/audit/",
         "/staff/ledger.xlsx", "/staff/stats/report.xlsx", "/staff/board/"]
PARAMS = ["page", "month", "year", "station", "department", "period", "from", "to", "status", "d", "next",
          "overdue_from", "overdue_to", "rerouting", "event", "target", "kpi", "order", "agent", "under"]
HOSTILE = ["0001-01-01", "9999-12-31", "99999999999999999999", "-1", "２０２６", "x" * 10_000,
           "' OR 1=1 --", "<script>x</script>", "=1+1", "2026-13", "\x00"]


@pytest.mark.parametrize("user", ["center", "dept1", "agent12"])
def test_no_staff_list_page_answers_500_to_a_hostile_query(org, clock, user):
    """Actor: the center, a department and another station's agent, each following links whose query
    values were tampered with: every answer is a page, a redirect, a 400/404, never a 500."""
    client = login(user)
    client.raise_request_exception = False
    for url in PAGES:
        for value in HOSTILE:
            answer = client.get(url, {name: value for name in PARAMS})
            assert answer.status_code < 500, (user, url, value[:20], answer.status_code)


def test_no_staff_list_page_answers_500_to_one_hostile_value_at_a_time(org, clock):
    """Actor: the center, one tampered value at a time (the others valid or absent), so no value's
    refusal hides another's fault."""
    client = login("center")
    client.raise_request_exception = False
    for url in ("/staff/petitions/", "/staff/roster/", "/staff/stats/"):  # the pages changed today
        for name in PARAMS:
            for value in ("0001-01-01", "9999-12-31", "99999999999999999999"):
                answer = client.get(url, {name: value})
                assert answer.status_code < 500, (url, name, value[:20], answer.status_code)


def test_a_department_learns_nothing_of_another_departments_return_through_rerouting(api, routed, org, clock):
    """Actor: department 1 on a petition routed to departments 1 and 2, after department 2 returned
    its 处置单: ?rerouting=on lists the petition for the agent, not for department 1 (what department 2
    did is not its to read); department 2 finds its own return."""
    d1, d2 = org.departments[0], org.departments[1]
    petition = routed(departments=[d1.pk, d2.pk])
    other = next(d for d in petition["dispositions"] if d["department"]["id"] == d2.pk)
    assert api("dept2").act_disposition(other["id"], "return", {"reason": "不属本单位职权"}).status_code == 200
    assert petition["number"] in login("agent1").get("/staff/petitions/", {"rerouting": "on"}).content.decode()
    assert petition["number"] in login("dept2").get("/staff/petitions/", {"rerouting": "on"}).content.decode()
    page = login("dept1").get("/staff/petitions/", {"rerouting": "on"})
    assert page.status_code == 200 and petition["number"] not in page.content.decode()
