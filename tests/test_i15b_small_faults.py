"""Issue 15, fault 10 and the query code: small but visible faults, through the pages and the API."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from daiban.notifications.models import Notification
from daiban.org import roles
from daiban.org.models import Station, User
from daiban.petitions.models import Petition
from daiban.staff import roster
from daiban.staff.models import DutyDay
from tests.factories import COMPLAINT, id_number, login, petition_body

# --- the roster ---------------------------------------------------------------------------------

def test_generated_roster_never_puts_the_days_leader_at_reception(org):
    for station in Station.objects.all():
        for month in (1, 2, 3):
            days = roster.generate_month(station, 2027, month)
            clashes = [d.date for d in days if d.leader_id and d.leader_id == d.receptionist_id]
            assert clashes == [], (station.code, month, clashes)
    assert DutyDay.objects.filter(station=org.bureau).exists()


def test_roster_edit_refuses_one_person_in_both_places(org, clock):
    client = login("admin")
    roster.generate_month(org.bureau, 2026, 10)
    day = DutyDay.objects.filter(station=org.bureau).order_by("date").first()
    duty = User.objects.get(username="duty")
    response = client.post("/staff/roster/", {"day": day.pk, "month": "2026-10", "station": org.bureau.pk,
                                              "leader": duty.pk, "receptionist": duty.pk}, follow=True)
    assert "同一人不能在同一天既带班又接访" in response.content.decode()
    day.refresh_from_db()
    assert not (day.leader_id == day.receptionist_id == duty.pk)


# --- notices ------------------------------------------------------------------------------------

def test_opening_a_notice_marks_it_read_and_shows_its_case(org, api, clock):
    pk = api("agent1").post("/petitions", petition_body()).data["id"]
    agent = User.objects.get(username="agent1")
    other = User.objects.get(username="agent2")
    mine = Notification.objects.create(channel="in_app", template="t", recipient=agent, body="请办理", state="sent",
                                       petition_id=pk)
    theirs = Notification.objects.create(channel="in_app", template="t", recipient=other, body="x", state="sent")
    client = login("agent1")
    page = client.get("/staff/notices/").content.decode()
    assert f'href="/staff/notices/{mine.pk}/"' in page
    response = client.get(f"/staff/notices/{mine.pk}/")
    assert response.status_code == 302 and response.url == f"/staff/petitions/{pk}/"
    mine.refresh_from_db()
    assert mine.state == "read"
    assert client.get(f"/staff/notices/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == "sent"


# --- impossible date ranges ---------------------------------------------------------------------

def test_impossible_date_range_is_a_chinese_400_in_the_api(org, api):
    listed = api("center").get("/petitions", received_from="2026-10-01", received_to="2026-09-01")
    assert listed.status_code == 400 and listed.data["error"]["fields"]["received_to"] == "结束日期不能早于开始日期"
    audit = api("admin").get("/audit", **{"from": "2026-10-01", "to": "2026-09-01"})
    assert audit.status_code == 400 and audit.data["error"]["fields"]["to"] == "结束日期不能早于开始日期"
    stats = api("center").get("/stats", **{"from": "2026-10-01", "to": "2026-09-01"})
    assert stats.status_code == 400


@pytest.mark.parametrize(("username", "url"), [
    ("center", "/staff/petitions/?received_from=2026-10-01&received_to=2026-09-01"),
    ("admin", "/staff/audit/?from=2026-10-01&to=2026-09-01"),
    ("center", "/staff/stats/?from=2026-10-01&to=2026-09-01"),
    ("center", "/staff/ledger.xlsx?from=2026-10-01&to=2026-09-01"),
])
def test_impossible_date_range_gives_a_message_on_the_pages(org, username, url):
    response = login(username).get(url, follow=True)
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()


# --- names and phone numbers ---------------------------------------------------------------------

@pytest.mark.parametrize("username", ["admin", "center", "duty", "leader", "chief", "agent1", "dept1"])
def test_the_navigation_never_repeats_the_role_in_the_name(org, username):
    page = login(username).get("/staff/").content.decode()
    whoami = re.search(r'data-testid="whoami"[^>]*>([^<]*)<', page)[1]
    for label in roles.LABELS.values():
        assert whoami.count(label) <= 1, whoami
    assert "（带班领导）" not in whoami or not whoami.startswith("带班领导")
    assert "经办人（事权单位经办人）" not in whoami


def test_demo_accounts_carry_peoples_names(org):
    assert User.objects.get(username="duty").name not in roles.LABELS.values()
    assert User.objects.get(username="admin").name not in roles.LABELS.values()


def test_phone_numbers_do_not_break_at_the_hyphen(org):
    css = (Path(__file__).resolve().parent.parent / "daiban/static/daiban/daiban.css").read_text(encoding="utf-8")
    assert re.search(r"\.phone\s*\{[^}]*white-space:\s*nowrap", css)
    for url in ("/staff/board/",):
        page = login("agent1").get(url).content.decode()
        assert re.search(r'<span class="phone">0477-', page), url
    assert re.search(r'<a class="phone" href="tel:0477[0-9]+">0477-', Client().get("/").content.decode())  # and a link to call


# --- the portal: query code out of URLs, thanks after a rating -----------------------------------

FORM = {"name": "周九", "id_number": id_number(serial=931), "phone": "13712345678", "address": "嘎鲁图镇",
        "content": COMPLAINT, "consent": "on"}


def test_the_qr_code_and_the_link_carry_the_code_in_the_fragment_only(org, clock):
    client = Client()
    client.post("/submit/", FORM)
    petition = Petition.objects.get()
    response = client.get("/submitted/")
    page = response.content.decode()
    assert f"?code={petition.query_code}" not in page and f"#code={petition.query_code}" in page
    assert response["Referrer-Policy"] == "no-referrer"
    # The page the link opens, in another browser (no session): it asks for the code.
    fresh = Client().get(f"/track/{petition.number}/")
    assert fresh.status_code == 200 and 'name="code"' in fresh.content.decode()
    assert "data-fragment-code" in fresh.content.decode()
    assert fresh["Referrer-Policy"] == "no-referrer"


def test_tracking_posts_the_code_and_the_status_address_has_none(org, clock):
    Client().post("/submit/", FORM)
    petition = Petition.objects.get()
    client = Client()
    form = client.get("/track/").content.decode()
    assert re.search(r'<form method="post" action="/track/"', form)
    response = client.post("/track/", {"number": petition.number, "code": petition.query_code})
    assert response.status_code == 302 and response.url == f"/track/{petition.number}/"
    assert "code" not in response.url
    status = client.get(response.url)
    assert status.status_code == 200 and "已收到，正在甄别受理" in status.content.decode()
    assert status["Referrer-Policy"] == "no-referrer"
    # An old link with the code is sent on to the address without it.
    old = Client().get("/track/", {"number": petition.number, "code": petition.query_code})
    assert old.status_code == 302 and petition.query_code not in old.url


def test_the_portal_thanks_after_a_rating(api, org, clock):
    client = Client()
    client.post("/submit/", FORM)
    petition = Petition.objects.get()
    agent = api("agent1")
    agent.act(petition.pk, "screen", {"outcome": "agency", "agent_id": org.agent1.pk})
    did = agent.act(petition.pk, "route", {"departments": [org.departments[0].pk], "track": "standard"}).data["dispositions"][0]["id"]
    api("dept1").act_disposition(did, "result", {"result": "已办"})
    agent.act(petition.pk, "conclude", {"result": "补偿款已发放"})
    agent.act(petition.pk, "feedback", {"method": "phone", "satisfaction": "understanding"})
    url = f"/track/{petition.number}/"
    # The session knows the code, but a post must carry it (the tracking pages are exempt from CSRF
    # because the code is the proof): a forged post without it changes nothing.
    forged = client.post(url, {"do": "rate", "satisfaction": "dissatisfied"})
    assert forged.status_code == 200 and 'name="code"' in forged.content.decode()
    petition.refresh_from_db()
    assert petition.satisfaction == "understanding"
    response = client.post(url, {"do": "rate", "satisfaction": "satisfied", "code": petition.query_code})
    assert response.status_code == 302 and response.url == url
    page = client.get(url).content.decode()
    assert "感谢您的评价" in page

