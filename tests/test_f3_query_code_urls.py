"""Fix round f3, fault 3: a ?code= link rendered the status page in place, so the query code stayed
in the address bar, the history and bookmarks; the pages that carry the code could be cached."""

from __future__ import annotations

import pytest
from django.test import Client

from daiban.org.models import User
from daiban.petitions.models import Petition

pytestmark = pytest.mark.django_db


def test_a_status_link_with_the_code_is_sent_on_without_it(org, new_petition):
    petition = Petition.objects.get(pk=new_petition()["id"])
    client = Client()
    response = client.get(f"/track/{petition.number}/", {"code": petition.query_code})
    assert response.status_code == 303
    assert response.url == f"/track/{petition.number}/" and "code" not in response.url
    assert response["Cache-Control"] == "no-store"
    page = client.get(response.url)  # the code came along in the session
    assert page.status_code == 200 and petition.number in page.content.decode()
    assert page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "no-referrer"


def test_a_wrong_code_in_a_link_is_also_sent_on_and_then_refused(org, new_petition):
    petition = Petition.objects.get(pk=new_petition()["id"])
    client = Client()
    response = client.get(f"/track/{petition.number}/", {"code": "AAAAAAAAAA"})
    assert response.status_code == 303 and "code" not in response.url
    refused = client.get(response.url)
    assert refused.status_code == 404 and refused["Cache-Control"] == "no-store"


def test_the_tracking_pages_are_not_stored(org, new_petition):
    petition = Petition.objects.get(pk=new_petition()["id"])
    client = Client()
    assert client.get("/track/")["Cache-Control"] == "no-store"
    posted = client.post("/track/", {"number": petition.number, "code": petition.query_code})
    assert posted["Cache-Control"] == "no-store"
    assert client.get(f"/track/{petition.number}/")["Cache-Control"] == "no-store"


def test_the_receipt_and_the_case_page_with_the_code_are_not_stored(org, new_petition):
    petition = Petition.objects.get(pk=new_petition()["id"])
    client = Client()
    client.force_login(User.objects.get(username="agent1"))
    receipt = client.get(f"/staff/petitions/{petition.pk}/receipt/")
    assert receipt.status_code == 200 and petition.query_code in receipt.content.decode()
    assert receipt["Cache-Control"] == "no-store"
    case = client.get(f"/staff/petitions/{petition.pk}/")
    assert petition.query_code in case.content.decode() and case["Cache-Control"] == "no-store"
