"""Steps several browser tests share, done through the API before the page is opened."""

from __future__ import annotations

from daiban.petitions.models import Petition
from tests.factories import COMPLAINT, id_number


def portal_case_given_feedback(api, org, *, name: str, serial: int, phone: str, result: str,
                               satisfaction: str) -> tuple[str, str]:
    """A petition submitted on the portal, taken on by agent1, answered by the first department,
    concluded with `result` and fed back with `satisfaction`: returns (number, query code)."""
    response = api().post("/public/petitions", {"petitioner": {"name": name, "id_number": id_number(serial=serial),
                                                               "phone": phone}, "content": COMPLAINT})
    number, code = response.data["number"], response.data["query_code"]
    pk = Petition.objects.get(number=number).pk
    agent = api("agent1")
    agent.act(pk, "screen", {"outcome": "agency", "agent_id": org.agent1.pk})
    did = agent.act(pk, "route", {"departments": [org.departments[0].pk], "track": "standard"}).data["dispositions"][0]["id"]
    api("dept1").act_disposition(did, "result", {"result": "已办"})
    agent.act(pk, "conclude", {"result": result})
    agent.act(pk, "feedback", {"method": "phone", "satisfaction": satisfaction})
    return number, code
