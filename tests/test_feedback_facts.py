"""Two facts, not one (issue 12, fault 4): the feedback staff recorded (method, the opinion given
then, date) and the petitioner's own online rating are stored and shown apart; `satisfaction` is
the petitioner's rating when given after the feedback, else the recorded one; the 代办单 and the
statistics follow."""

import datetime
import io

from django.apps import apps
from django.test import Client
from docx import Document

from daiban.org.models import User
from daiban.petitions import feedback as facts
from daiban.petitions.models import Event, Petition
from tests.factories import id_number

TZ = datetime.timezone(datetime.timedelta(hours=8))


def _to_feedback(api, routed, satisfaction, method="phone", **overrides):
    petition = routed(**overrides)
    api("dept1").act_disposition(petition["dispositions"][0]["id"], "result", {"result": "已答复"})
    api("agent1").act(petition["id"], "conclude", {"result": "补偿款已发放"})
    response = api("agent1").act(petition["id"], "feedback", {"method": method, "satisfaction": satisfaction})
    assert response.status_code == 200, response.data
    return response.data["id"]


def _rate(api, pid, satisfaction):
    detail = api("agent1").get(f"/petitions/{pid}").data
    url = f"/public/petitions/{detail['number']}/rating?code={detail['query_code']}"
    response = api().post(url, {"satisfaction": satisfaction})
    assert response.status_code == 200, response.data
    return response


def test_the_online_rating_does_not_overwrite_the_recorded_feedback(api, routed, org, clock):
    pid = _to_feedback(api, routed, "understanding")
    before = api("agent1").get(f"/petitions/{pid}").data
    assert before["feedback"] == {"method": "phone", "satisfaction": "understanding", "on": "2026-09-16"}
    assert before["online_rating"] is None and before["satisfaction"] == "understanding"
    clock.move_to(datetime.datetime(2026, 9, 17, 9, 30, tzinfo=TZ))
    _rate(api, pid, "dissatisfied")
    after = api("agent1").get(f"/petitions/{pid}").data
    assert after["feedback"] == {"method": "phone", "satisfaction": "understanding", "on": "2026-09-16"}
    assert after["online_rating"]["satisfaction"] == "dissatisfied"
    assert after["online_rating"]["at"].startswith("2026-09-17T09:30")
    assert after["satisfaction"] == "dissatisfied"  # the petitioner's own, given after the feedback
    p = Petition.objects.get(pk=pid)
    assert (p.feedback_satisfaction, p.online_satisfaction, p.satisfaction) == ("understanding", "dissatisfied",
                                                                                 "dissatisfied")


def test_the_case_page_shows_both_facts_truthfully(api, routed, org, clock):
    pid = _to_feedback(api, routed, "understanding")
    _rate(api, pid, "dissatisfied")
    client = Client()
    client.force_login(User.objects.get(username="agent1"))
    page = client.get(f"/staff/petitions/{pid}/").content.decode()
    assert "电话反馈，信访人意见：<strong>理解</strong>" in page
    assert "电话反馈，信访人意见：<strong>不满意</strong>" not in page
    assert "信访人在线评价：<strong>不满意</strong>" in page


def test_the_agency_form_prints_the_recorded_feedback_and_the_rating_apart(api, routed, org, clock):
    pid = _to_feedback(api, routed, "understanding")
    _rate(api, pid, "dissatisfied")
    table = Document(io.BytesIO(api("agent1").get(f"/petitions/{pid}/forms/agency.docx").content)).tables[0]
    row = next(r for r in table.rows if r.cells[0].text.replace("\n", "") == "信访人意见")
    lines = row.cells[1].text.split("\n")
    assert lines[0] == "□满意    □比较满意    ☑理解    □不满意"
    assert lines[1] == "信访人网上评价：不满意（2026年9月16日）"


def test_a_rating_before_the_latest_feedback_does_not_count(org, clock):
    """`satisfaction` is the petitioner's own rating only when given after the feedback."""
    p = Petition(feedback_on=datetime.date(2026, 9, 20), feedback_satisfaction="understanding",
                 online_satisfaction="dissatisfied",
                 online_rated_at=datetime.datetime(2026, 9, 18, 10, tzinfo=TZ), status="feedback_given")
    assert facts.effective_satisfaction(p) == "understanding" and facts.may_rate(p)
    p.online_rated_at = datetime.datetime(2026, 9, 21, 10, tzinfo=TZ)
    assert facts.effective_satisfaction(p) == "dissatisfied" and not facts.may_rate(p)


def test_statistics_follow_the_definition(api, routed, org, clock):
    a = _to_feedback(api, routed, "satisfied", petitioner={"id_number": id_number(serial=301)})
    _rate(api, a, "dissatisfied")  # rated after the feedback: counts as dissatisfied
    b = _to_feedback(api, routed, "understanding", petitioner={"id_number": id_number(serial=302)})
    _rate(api, b, "fairly_satisfied")  # counts as fairly satisfied
    _to_feedback(api, routed, "dissatisfied", petitioner={"id_number": id_number(serial=303)})  # recorded only
    stats = api("center").get("/stats", **{"from": "2026-09-01", "to": "2026-09-30"}).data
    assert stats["rated"] == 3
    assert stats["satisfaction_rate"] == round(1 / 3, 4)
    assert Petition.objects.get(pk=a).feedback_satisfaction == "satisfied"


def test_the_migration_recovers_both_facts_from_the_timeline(api, routed, org, clock):
    """Rows written before the split: the online rating had overwritten `satisfaction`; the
    feedback event still holds what staff recorded."""
    import importlib

    migration = importlib.import_module("daiban.petitions.migrations.0017_i12b_review_feedback_opinions")
    pid = _to_feedback(api, routed, "understanding")
    _rate(api, pid, "dissatisfied")
    Petition.objects.filter(pk=pid).update(feedback_satisfaction="", online_satisfaction="", online_rated_at=None)
    migration.split_feedback(apps, None)
    p = Petition.objects.get(pk=pid)
    rating = Event.objects.get(petition_id=pid, action="public_rating")
    assert (p.feedback_satisfaction, p.online_satisfaction, p.online_rated_at) == (
        "understanding", "dissatisfied", rating.at)
