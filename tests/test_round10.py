"""Round ten: faults found by trying the system as an attacker, a bureau's month, an archivist and a
herder's phone, each fixed as a kind; every example here is one case of its kind."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from daiban.petitions.models import Petition
from tests.factories import COMPLAINT, id_number

# --- a query code is a query code, never a petition number -----------------------------------------

# Codes of letters then digits read as a petition number (ABCD234567 → ABCD-2345-000067): about one
# petitioner in 2,500 could never track the case. Each is a code the alphabet can draw.
CODES_OF_NUMBER_SHAPE = ["ABCD234567", "A234567892", "WS23456789", "ABCDEFGH22"]


def _submitted(api) -> dict:
    body = {"petitioner": {"name": "刘八", "id_number": id_number(serial=901), "phone": "13812345678"},
            "content": COMPLAINT}
    return api().client.post("/api/v1/public/petitions", json.dumps(body), content_type="application/json",
                             REMOTE_ADDR="10.4.4.4").json()


@pytest.mark.parametrize("code", CODES_OF_NUMBER_SHAPE)
def test_every_query_code_the_alphabet_can_draw_tracks_its_petition(api, org, clock, code):
    created = _submitted(api)
    Petition.objects.filter(number=created["number"]).update(query_code=code)
    url = f"/api/v1/public/petitions/{created['number']}"
    assert Client(REMOTE_ADDR="10.5.5.5").get(url, {"code": code}).status_code == 200
    portal = Client(REMOTE_ADDR="10.6.6.6")
    page = portal.post("/track/", {"number": created["number"], "code": code}, follow=True)
    assert page.status_code == 200 and created["number"] in page.content.decode()


@pytest.mark.parametrize("typed", ["abcd 2345 67", "ABCD-2345-67", "ＡＢＣＤ２３４５６７", " abcd234567\t", "ABCD—234567"])
def test_a_query_code_is_found_as_people_type_it(api, org, clock, typed):
    created = _submitted(api)
    Petition.objects.filter(number=created["number"]).update(query_code="ABCD234567")
    url = f"/api/v1/public/petitions/{created['number']}"
    assert Client(REMOTE_ADDR="10.7.7.7").get(url, {"code": typed}).status_code == 200
    page = Client(REMOTE_ADDR="10.8.8.8").post("/track/", {"number": created["number"], "code": typed}, follow=True)
    assert page.status_code == 200 and created["number"] in page.content.decode()
    link = Client(REMOTE_ADDR="10.9.8.8").get(f"/track/{created['number']}/", {"code": typed}, follow=True)
    assert link.status_code == 200 and created["number"] in link.content.decode()


def test_a_wrong_code_of_number_shape_is_still_wrong(api, org, clock):
    created = _submitted(api)
    Petition.objects.filter(number=created["number"]).update(query_code="ABCD234567")
    url = f"/api/v1/public/petitions/{created['number']}"
    # The number-shaped reading of the right code is not the code.
    assert Client(REMOTE_ADDR="10.3.3.3").get(url, {"code": "ABCD-2345-000067"}).status_code == 404
