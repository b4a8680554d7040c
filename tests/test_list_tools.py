"""Issue 15, "also expected": bulk 催办 and export of the rows picked on the list, and saved filters
per user — through the same services and permissions as one action or the ledger."""

from __future__ import annotations

import io

import openpyxl
import pytest

from daiban.audit.models import AuditEntry
from daiban.petitions.models import Urging
from daiban.staff.models import SavedFilter
from tests.factories import login

pytestmark = pytest.mark.django_db



def test_bulk_urge_urges_every_open_disposition_of_the_picked_petitions(org, routed):
    a = routed(departments=[org.departments[0].pk, org.departments[1].pk])
    b = routed()
    response = login("agent1").post("/staff/petitions/bulk/", {"ids": [a["id"], b["id"]], "op": "urge",
                                                                "note": "请本周内反馈", "back": "status=in_progress"})
    assert response.status_code == 302 and response.url.endswith("?status=in_progress")
    assert Urging.objects.filter(note="请本周内反馈").count() == 3
    assert not Urging.objects.filter(automatic=True).exists()


def test_bulk_urge_skips_what_the_user_may_not_urge_and_says_so(org, routed, accepted):
    mine = routed()
    unrouted = accepted()
    client = login("agent12")  # another station: sees neither
    client.post("/staff/petitions/bulk/", {"ids": [mine["id"]], "op": "urge"})
    assert not Urging.objects.exists()
    client = login("agent1")
    response = client.post("/staff/petitions/bulk/", {"ids": [unrouted["id"], "abc", "99999999999"], "op": "urge"},
                           follow=True)
    assert "没有在办的处置单" in response.content.decode()
    assert login("dept1").post("/staff/petitions/bulk/", {"ids": [mine["id"]], "op": "urge"}).status_code == 404


def test_export_selected_is_a_masked_ledger_of_only_visible_rows_and_is_audited(org, routed):
    a, b = routed(), routed()
    response = login("agent12").post("/staff/petitions/bulk/", {"ids": [a["id"]], "op": "export"}, follow=True)
    assert "请先勾选" in response.content.decode()  # nothing it may see
    response = login("agent1").post("/staff/petitions/bulk/", {"ids": [a["id"], b["id"]], "op": "export"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    text = " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row if c is not None)
    assert a["number"] in text and b["number"] in text
    assert AuditEntry.objects.filter(detail__selected=2).exists()


def test_saved_filters_are_per_user_keep_only_list_fields_and_can_be_deleted(org):
    client = login("agent1")
    response = client.post("/staff/petitions/filters/", {"name": "我的超期", "query": "status=in_progress&overdue=true&evil=1&page=3"})
    saved = SavedFilter.objects.get(user__username="agent1")
    assert saved.query == "status=in_progress&overdue=true" and response.status_code == 302
    page = client.get("/staff/petitions/?status=in_progress").content.decode()
    assert "我的超期" in page and "?status=in_progress&amp;overdue=true" in page
    assert "我的超期" not in login("agent2").get("/staff/petitions/").content.decode()
    # Another user cannot delete it; its owner can.
    login("agent2").post(f"/staff/petitions/filters/{saved.pk}/delete/")
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    client.post(f"/staff/petitions/filters/{saved.pk}/delete/")
    assert not SavedFilter.objects.exists()


def test_saved_filter_needs_a_name_and_a_filter(org):
    client = login("agent1")
    assert "请填写名称" in client.post("/staff/petitions/filters/", {"name": " ", "query": "status=received"},
                                      follow=True).content.decode()
    assert "没有筛选条件" in client.post("/staff/petitions/filters/", {"name": "空", "query": "page=2"},
                                      follow=True).content.decode()
    assert not SavedFilter.objects.exists()
