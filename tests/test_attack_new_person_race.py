"""Attack: the same new petitioner registered twice at the same moment, once with today's date and
once back-dated into last year (paper entered afterwards). Intakes of one year queue on that year's
number sequence, but two years have two sequences: both looked the person up, found no one, and
both created them; the second met `id_hash`'s uniqueness (500 on PostgreSQL). The person is now
created with ON CONFLICT DO NOTHING and read back, so both petitions belong to one person."""

from __future__ import annotations

import datetime

import pytest

from daiban.org.models import User
from daiban.petitions import services
from daiban.petitions.models import Petition, Petitioner
from tests.factories import id_number, petition_body
from tests.test_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_one_new_person_registered_in_two_years_at_once_is_one_person(org):
    agent = User.objects.get(username="agent1")
    today = datetime.date.today()
    for attempt in range(3):
        person = {"name": f"孙八{attempt}", "id_number": id_number(serial=attempt + 700), "phone": "13912345678",
                  "address": "嘎鲁图镇"}

        def intake(i, person=person):
            day = today if i % 2 == 0 else today.replace(year=today.year - 1, month=12, day=31)
            body = petition_body(petitioner=person, received_on=day.isoformat())
            return services.petition_intake(data=body, user=agent).petition

        results = run_together(2, intake)
        assert all(isinstance(r, Petition) for r in results), (attempt, results)
        assert len({r.petitioner_id for r in results}) == 1
        assert Petitioner.objects.filter(name=person["name"]).count() == 1
