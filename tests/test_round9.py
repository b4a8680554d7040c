"""A ninth round (attacker, wrong role, a bureau's month, a herder's phone): each fault found is one
example of its kind.

- what a unit must not learn about the petitioner it does not learn another way: a department that
  may not see who the petitioner is (the unit complained about, or one whose `sees_identity` is off)
  gets none of the petitioner's or the agent's files (the letter, the ID card's scan, a photo with the
  place it was taken), only its own uploads.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from daiban.org.models import User
from tests.factories import id_number, png_bytes


def login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _upload(api, username: str, petition_id: int, name: str) -> dict:
    actor = api(username)
    r = actor.client.post(f"/api/v1/petitions/{petition_id}/attachments",
                          {"file": SimpleUploadedFile(name, png_bytes()), "kind": "photo"}, **actor.headers)
    assert r.status_code == 201, r.content
    return r.json()


@pytest.mark.parametrize("why", ["complained_about", "sees_identity_off"])
def test_a_department_that_may_not_know_the_petitioner_gets_none_of_the_petitioner_s_files(api, accepted, org, why):
    """Actors: agent1 (uploads the petitioner's ID card scan), dept1 (the unit complained about, or a
    unit that never sees identities), dept2 (another department asked to act, which may)."""
    from daiban.org.models import Department

    p = accepted(petitioner={"name": "孙红梅", "id_number": id_number(serial=91), "phone": "13900000091"},
                 content="不动产登记中心工作人员故意拖延办理我家的不动产转移登记，请求查处。")
    scan = _upload(api, "agent1", p["id"], "孙红梅身份证.png")
    route = {"departments": [org.departments[0].pk, org.departments[1].pk], "track": "multi_department"}
    if why == "complained_about":
        route["complained_department"] = org.departments[0].pk
    else:
        Department.objects.filter(pk=org.departments[0].pk).update(sees_identity=False)
    assert api("agent1").act(p["id"], "route", route).status_code == 200
    own = _upload(api, "dept1", p["id"], "现场核查照片.png")

    listed = api("dept1").get(f"/petitions/{p['id']}/attachments").data
    assert [a["id"] for a in listed] == [own["id"]], listed
    assert api("dept1").get(f"/attachments/{scan['id']}").status_code == 404
    assert api("dept1").get(f"/attachments/{own['id']}").status_code == 200
    assert login("dept1").get(f"/staff/attachments/{scan['id']}/").status_code == 404
    page = login("dept1").get(f"/staff/petitions/{p['id']}/").content.decode()
    assert "孙红梅身份证" not in page and 'data-testid="attachments-withheld"' in page
    # Another department asked to act, which may know who: the agent's file, not dept1's own work.
    others = [a["id"] for a in api("dept2").get(f"/petitions/{p['id']}/attachments").data]
    assert others == [scan["id"]], others
    assert 'data-testid="attachments-withheld"' not in login("dept2").get(f"/staff/petitions/{p['id']}/").content.decode()
    # The agent sees both.
    assert {a["id"] for a in api("agent1").get(f"/petitions/{p['id']}/attachments").data} == {scan["id"], own["id"]}
