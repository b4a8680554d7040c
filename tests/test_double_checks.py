"""一案双查 as an item with its own lifecycle (issue 12, item 8; API.md 1.1): opened by an upheld
review, assigned by the center, findings by the assignee, closed by the center; listed, counted,
shown on the case. On main it was a bare record nobody could see or close."""

from django.test import Client

from daiban.org.models import User
from daiban.petitions.models import DoubleInvestigation, Event


def _item(pid):
    return DoubleInvestigation.objects.get(petition_id=pid)


def test_an_upheld_review_opens_an_item_listed_and_shown_on_the_petition(api, upheld):
    pid = upheld["id"]
    item = _item(pid)
    assert upheld["double_checks"] == [{
        "id": item.pk, "opened_on": "2026-09-16", "assignee": None, "status": "open", "matter_findings": "",
        "handling_findings": "", "accountability": "", "closed_on": None,
        "petition": {"id": pid, "number": upheld["number"]},
    }]
    listed = api("center").get("/double_checks", status="open")
    assert listed.status_code == 200 and [d["id"] for d in listed.data] == [item.pk]
    assert api("center").get("/double_checks", status="closed").data == []
    assert api("center").get("/double_checks", status="whatever").status_code == 400


def test_the_whole_lifecycle_with_events_on_the_petition(api, upheld, org):
    pid, item = upheld["id"], _item(upheld["id"])
    leader = User.objects.get(username="leader")
    assigned = api("center").post(f"/double_checks/{item.pk}/assign", {"assignee_id": leader.pk})
    assert assigned.status_code == 200, assigned.data
    assert assigned.data["assignee"] == {"id": leader.pk, "name": leader.display_name}
    # Closing before any findings: 409.
    early = api("center").post(f"/double_checks/{item.pk}/close", {"note": "结束"})
    assert early.status_code == 409
    # Findings: the assignee only; both parts required (400 naming the field).
    assert api("center").post(f"/double_checks/{item.pk}/findings", {
        "matter_findings": "补偿标准适用错误", "handling_findings": "经办人未核实"}).status_code == 403
    missing = api("leader").post(f"/double_checks/{item.pk}/findings", {"matter_findings": "补偿标准适用错误",
                                                                         "handling_findings": "  "})
    assert missing.status_code == 400 and "handling_findings" in missing.data["error"]["fields"]
    found = api("leader").post(f"/double_checks/{item.pk}/findings", {
        "matter_findings": "补偿标准适用错误", "handling_findings": "经办人未核实面积", "accountability": "约谈经办人"})
    assert found.status_code == 200 and found.data["handling_findings"] == "经办人未核实面积"
    # Closing: the center or admin only.
    assert api("leader").post(f"/double_checks/{item.pk}/close", {}).status_code == 403
    closed = api("center").post(f"/double_checks/{item.pk}/close", {"note": "已追责"})
    assert closed.status_code == 200 and closed.data["status"] == "closed" and closed.data["closed_on"] == "2026-09-16"
    assert api("center").post(f"/double_checks/{item.pk}/assign", {"assignee_id": leader.pk}).status_code == 409
    actions = list(Event.objects.filter(petition_id=pid).values_list("action", flat=True))
    assert actions[-3:] == ["double_check_assign", "double_check_findings", "double_check_close"]
    detail = api("center").get(f"/petitions/{pid}").data
    assert detail["double_checks"][0]["status"] == "closed"
    assert detail["version"] > upheld["version"]
    assert [d["id"] for d in api("center").get("/double_checks", status="closed").data] == [item.pk]


def test_those_who_may_not_see_get_404_and_the_case_agent_no_findings(api, upheld, org):
    item = _item(upheld["id"])
    for outsider in ("agent12", "dept2"):
        assert api(outsider).get(f"/double_checks/{item.pk}").status_code == 404
        assert api(outsider).post(f"/double_checks/{item.pk}/findings", {
            "matter_findings": "x", "handling_findings": "y"}).status_code == 404
        assert api(outsider).post(f"/double_checks/{item.pk}/close", {}).status_code == 404
        assert api(outsider).get("/double_checks").data == []
    # The case agent sees the petition but not the investigation of their own handling.
    assert api("agent1").get(f"/petitions/{upheld['id']}").data["double_checks"] == []
    assert api("agent1").post(f"/double_checks/{item.pk}/assign", {"assignee_id": 1}).status_code == 404
    # The station's leaders see it; they may not assign.
    assert api("leader").get(f"/double_checks/{item.pk}").status_code == 200
    assert api("leader").post(f"/double_checks/{item.pk}/assign", {
        "assignee_id": User.objects.get(username="chief").pk}).status_code == 403


def test_the_assignee_must_be_a_case_worker_who_may_see_the_petition(api, upheld, org):
    item = _item(upheld["id"])
    for username in ("dept1", "agent12"):  # a department's handler; an agent of another station
        refused = api("center").post(f"/double_checks/{item.pk}/assign",
                                     {"assignee_id": User.objects.get(username=username).pk})
        assert refused.status_code == 400 and "assignee_id" in refused.data["error"]["fields"], username
    assert api("center").post(f"/double_checks/{item.pk}/assign", {"assignee_id": 999999}).status_code == 400
    # An assignee of another station sees the item (and only through the assignment).
    agent2 = User.objects.get(username="agent2")
    assert api("center").post(f"/double_checks/{item.pk}/assign", {"assignee_id": agent2.pk}).status_code == 200
    assert [d["id"] for d in api("agent2").get("/double_checks").data] == [item.pk]
    # The same person again (a second click): told, nothing appended.
    events = Event.objects.filter(petition_id=upheld["id"], action="double_check_assign").count()
    again = api("center").post(f"/double_checks/{item.pk}/assign", {"assignee_id": agent2.pk})
    assert again.status_code == 409 and again.data["error"]["code"] == "already_assigned"
    assert Event.objects.filter(petition_id=upheld["id"], action="double_check_assign").count() == events


def test_counted_in_the_statistics(api, upheld, org):
    stats = api("center").get("/stats", **{"from": "2026-09-01", "to": "2026-09-30"})
    assert stats.status_code == 200
    assert stats.data["double_checks"] == {"opened": 1, "closed": 0, "open": 1}
    # Counted by the day it opened, not the day the petition was received; within the user's stations.
    assert api("center").get("/stats", **{"from": "2026-10-01", "to": "2026-10-31"}).data["double_checks"]["opened"] == 0
    assert api("agent12").get("/stats", **{"from": "2026-09-01", "to": "2026-09-30"}).data["double_checks"]["opened"] == 0
    page = _page("center").get("/staff/stats/?from=2026-09-01&to=2026-09-30").content.decode()
    assert "一案双查：期间启动 1 件，已结束 0 件，未结束 1 件" in page


def _page(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_staff_pages_list_and_work_the_item(api, upheld, org):
    item = _item(upheld["id"])
    center = _page("center")
    listing = center.get("/staff/double_checks/?status=open")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert upheld["number"] in text and f"/staff/double_checks/{item.pk}/" in text
    assert "/staff/double_checks/" in center.get("/staff/").content.decode()  # the workbench / navigation link
    leader = User.objects.get(username="leader")
    response = center.post(f"/staff/double_checks/{item.pk}/assign/", {"assignee_id": leader.pk})
    assert response.status_code == 302
    leader_page = _page("leader")
    leader_page.post(f"/staff/double_checks/{item.pk}/findings/", {
        "matter_findings": "标准适用错误", "handling_findings": "未核实面积", "accountability": ""})
    center.post(f"/staff/double_checks/{item.pk}/close/", {"note": "结束"})
    item.refresh_from_db()
    assert item.assignee_id == leader.pk and item.matter_findings == "标准适用错误" and item.closed_on is not None
    case = center.get(f"/staff/petitions/{upheld['id']}/").content.decode()
    assert "一案双查" in case and "标准适用错误" in case
    assert _page("agent12").get(f"/staff/double_checks/{item.pk}/").status_code == 404


def test_each_step_tells_the_next_person(api, upheld, org):
    from daiban.notifications.models import Notification

    item = _item(upheld["id"])
    assert Notification.objects.filter(template="double_check_opened", recipient__username="center").count() == 1
    leader = User.objects.get(username="leader")
    api("center").post(f"/double_checks/{item.pk}/assign", {"assignee_id": leader.pk})
    assert Notification.objects.filter(template="double_check_assigned", recipient=leader).count() == 1
    api("leader").post(f"/double_checks/{item.pk}/findings", {"matter_findings": "a", "handling_findings": "b"})
    assert Notification.objects.filter(template="double_check_findings", recipient__username="center").count() == 1


def test_the_pages_refuse_odd_input_without_a_500(api, upheld, org):
    item = _item(upheld["id"])
    center = _page("center")
    for odd in ("99999999999999999999", "-1", "abc", "１２", ""):
        response = center.post(f"/staff/double_checks/{item.pk}/assign/", {"assignee_id": odd})
        assert response.status_code == 302, odd
    item.refresh_from_db()
    assert item.assignee_id is None
    assert center.post(f"/staff/double_checks/{item.pk}/nonsense/", {}).status_code == 404
    closing = center.get(f"/staff/double_checks/{item.pk}/close/")  # a form: POST only (405, not "no page")
    assert closing.status_code == 405 and closing["Allow"] == "POST"
