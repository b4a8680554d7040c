"""ID and phone numbers: SM4 at rest, keyed SM3 look-up, masked by role, every full view logged."""

import base64

import pytest
from django.db import connection

from daiban.lib import crypto
from daiban.petitions.models import PersonalDataView, Petitioner


def test_sm4_round_trip_and_tamper_detection():
    token = crypto.encrypt("15062619700101123X")
    assert "15062619700101123X" not in token
    assert crypto.decrypt(token) == "15062619700101123X"
    assert crypto.encrypt("15062619700101123X") != token  # random nonce
    version, _, payload = token.partition(":")
    raw = bytearray(base64.b64decode(payload))
    raw[14] ^= 0x01  # one bit of the ciphertext body
    with pytest.raises(ValueError):
        crypto.decrypt(f"{version}:{base64.b64encode(bytes(raw)).decode()}")


def test_lookup_hash_is_keyed(settings):
    first = crypto.lookup_hash("13912345678")
    assert first == crypto.lookup_hash("13912345678")
    crypto._lookup_key.cache_clear()
    settings.DAIBAN_LOOKUP_KEY = "00" * 32
    try:
        assert crypto.lookup_hash("13912345678") != first
    finally:
        crypto._lookup_key.cache_clear()


def test_database_holds_ciphertext_only(new_petition):
    new_petition(petitioner={"id_number": "15062619700101123X", "phone": "13912345678"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number_enc, phone_enc, id_hash FROM petitions_petitioner")
        id_enc, phone_enc, id_hash = cursor.fetchone()
    assert "15062619700101123X" not in id_enc and "13912345678" not in phone_enc
    assert id_hash == crypto.lookup_hash("15062619700101123X")
    assert Petitioner.objects.get().id_number == "15062619700101123X"


def test_assigned_agent_sees_full_numbers_and_the_view_is_logged(api, accepted):
    petition = accepted(petitioner={"id_number": "15062619700101123X", "phone": "13912345678"})
    before = PersonalDataView.objects.count()
    data = api("agent1").get(f"/petitions/{petition['id']}").data
    assert data["petitioner"]["id_number"] == "15062619700101123X"
    assert data["petitioner"]["phone"] == "13912345678"
    view = PersonalDataView.objects.order_by("-id").first()
    assert PersonalDataView.objects.count() == before + 1
    assert view.user.username == "agent1" and view.petition_id == petition["id"]


@pytest.mark.parametrize("username", ["leader", "chief", "duty", "center"])
def test_station_leaders_and_center_see_full_numbers(api, accepted, username):
    petition = accepted(petitioner={"phone": "13912345678"})
    assert api(username).get(f"/petitions/{petition['id']}").data["petitioner"]["phone"] == "13912345678"


@pytest.mark.parametrize("username", ["agent2", "dept1"])
def test_another_agent_and_the_department_see_masked_numbers_and_nothing_is_logged(api, routed, username):
    petition = routed(petitioner={"id_number": "15062619700101123X", "phone": "13912345678"})
    before = PersonalDataView.objects.count()
    data = api(username).get(f"/petitions/{petition['id']}").data
    assert data["petitioner"]["id_number"] == "150626********123X"
    assert data["petitioner"]["phone"] == "139****5678"
    assert data["personal_data_masked"] is True
    assert PersonalDataView.objects.count() == before


def test_list_is_always_masked(api, accepted):
    accepted(petitioner={"phone": "13912345678"})
    item = api("agent1").get("/petitions").data["items"][0]
    assert item["petitioner"]["phone"] == "139****5678"


def test_personal_data_never_reaches_the_log(api, new_petition, caplog):
    with caplog.at_level("DEBUG"):
        new_petition(petitioner={"id_number": "15062619700101123X", "phone": "13912345678"})
        api("agent1").post("/petitions", {"channel": "visit"})
    assert "15062619700101123X" not in caplog.text and "13912345678" not in caplog.text
