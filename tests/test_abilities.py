"""Who may do what is declared once (petitions/abilities.py) and closed by default: the services
refuse on their own, so an entry point that forgets to ask still cannot act."""

import re
from pathlib import Path

import pytest

from daiban.lib.errors import Forbidden, NotFound
from daiban.org.models import User
from daiban.petitions import services
from daiban.petitions.abilities import ABILITIES, SYSTEM, may, require
from daiban.petitions.models import Petition
from daiban.workdays.seed import DaySpec
from tests.factories import id_number, petition_body

ROOT = Path(__file__).resolve().parent.parent


def user(name: str) -> User:
    return User.objects.get(username=name)


def test_views_and_api_ask_abilities_not_roles():
    offenders = []
    for folder in ("daiban/api", "daiban/staff/views"):
        for path in (ROOT / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if re.search(r"\bhas_role\(", line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []


def test_unknown_abilities_fail_loudly(org):
    with pytest.raises(KeyError):
        may(user("admin"), "teleport")


@pytest.mark.parametrize(("username", "allowed"), [
    ("agent1", True), ("duty", True), ("center", True), ("admin", True), ("dept1", False),
])
def test_intake_is_refused_by_the_service_itself(org, clock, username, allowed):
    """A new entry point (a command, a bulk import) that calls the service without checking."""
    call = lambda: services.petition_intake(data=petition_body(), user=user(username))  # noqa: E731
    if allowed:
        assert call().created
    else:
        with pytest.raises(Forbidden):
            call()
        assert not Petition.objects.exists()


def test_nobody_is_nobody(org, clock):
    with pytest.raises(Forbidden):
        services.petition_intake(data=petition_body(), user=None)
    with pytest.raises(NotFound):
        services.petition_act(petition_id=1, action="contact", user=None, data={"method": "phone"})


def test_calendar_changes_need_the_administrator_or_the_shell(org, clock):
    day = DaySpec(__import__("datetime").date(2026, 11, 17), False, "测试")
    for name in ("agent1", "center", "chief"):
        with pytest.raises(Forbidden):
            services.calendar_change(actor=user(name), specs=[day])
    assert services.calendar_change(actor=SYSTEM, specs=[day]) == [day.date]
    assert services.calendar_change(actor=user("admin"), specs=[DaySpec(day.date, True, "")]) == [day.date]


def test_the_admin_site_edits_the_calendar_only_for_the_administrator(org, clock):
    from django.test import Client

    from daiban.workdays.models import CalendarDay

    day = CalendarDay.objects.get(date="2026-11-17")
    url = f"/admin/workdays/calendarday/{day.pk}/change/"
    form = {"date": "2026-11-17", "is_workday": "", "name": "测试", "source": "admin", "confirmed": "on"}
    center = User.objects.get(username="center")
    center.is_staff = True
    center.save()
    other = Client()
    other.force_login(center)
    # /admin/ is the administrator role's: another account is sent to the login page, is_staff or not.
    assert other.post(url, form).status_code in (302, 403)
    assert CalendarDay.objects.get(pk=day.pk).is_workday is True
    client = Client()
    client.force_login(user("admin"))
    assert client.post(url, form).status_code == 302
    assert CalendarDay.objects.get(pk=day.pk).is_workday is False


def test_unlinking_a_repeat_is_for_leaders_and_the_center(api, new_petition, org, clock):
    person = {"id_number": id_number(serial=777)}
    first = new_petition(petitioner=person)
    second = new_petition(petitioner=person)
    assert second["related"] and second["related"][0]["id"] == first["id"]
    path = f"/petitions/{second['id']}/related/{first['id']}/dismiss"
    refused = api("agent1").post(path, {"reason": "不是同一事项"})
    assert refused.status_code == 403 and refused.data["error"]["code"] == "forbidden"
    assert api("duty").post(path, {"reason": "诉求不同"}).status_code == 200
    with pytest.raises(Forbidden):
        require(user("agent1"), "unlink", Petition.objects.get(pk=second["id"]))


def test_every_ability_says_who_and_why():
    for name, ability in ABILITIES.items():
        assert ability.refusal, name
        assert bool(ability.roles) != bool(ability.kinds), f"{name}: per role or per actor kind, not both"
