"""An outsider and each staff role, a twelfth time: each fault found is one example of its kind.

- history that says it is append-only is append-only below the pages too: the log of corrections
  of a petitioner's data and the internal notes refuse a change or a delete, one by one or in bulk,
  as the timeline and the personal-data view log do (daiban.audit.guard);
- every lookup of a person by ID number is an audit row: the check before registering, which answers
  whether a number is a known petitioner's and how many petitions they have elsewhere, as the list's
  search does;
- two people at once: two corrections of one person, each applied to the person's other open
  petitions, both hold (they deadlocked on the petitions and one answered 500); and whatever order
  nobody thought of, a transaction the database ends because of another (deadlock, serialization
  failure, SQLite's lock timeout) is told as 409 "try again" on the API and the pages, never a 500;
- an ID number or a phone is never kept in clear text: a search by one is not saved as a 常用筛选
  (the filter's row would hold it), and those saved before are removed by the migration;
"""

from __future__ import annotations

import contextlib

import pytest
from django.db import transaction

from daiban.audit.guard import AppendOnlyError
from daiban.audit.models import Action, AuditEntry
from daiban.org.models import User
from daiban.petitions.models import Petition, PetitionerCorrection
from daiban.staff import notes
from daiban.staff.models import CaseNote
from tests.factories import COMPLAINT, id_number
from tests.test_concurrency import run_together

# --- history declared append-only ---------------------------------------------------------------------


def test_a_correction_of_a_petitioners_data_and_an_internal_note_cannot_be_changed_or_removed(api, accepted):
    """Actor: code reaching the rows through the ORM (a script, a bulk edit, a cascade): the record of
    who corrected which data, and why, and the agency's notes stay as written."""
    petition = accepted()
    corrected = api("agent1").post(f"/petitions/{petition['id']}/petitioner/correction",
                                   {"phone": "13900000099", "reason": "信访人换了手机号"})
    assert corrected.status_code == 200, corrected.data
    note = notes.add_note(user=User.objects.get(username="agent1"), petition_id=petition["id"], text="已电话核实住址")
    correction = PetitionerCorrection.objects.get(petition_id=petition["id"])
    for row, field in ((correction, "reason"), (note, "text")):
        setattr(row, field, "改过的内容")
        with pytest.raises(AppendOnlyError), transaction.atomic():
            row.save()
        with pytest.raises(AppendOnlyError), transaction.atomic():
            row.delete()
        with pytest.raises(AppendOnlyError), transaction.atomic():
            type(row).objects.filter(pk=row.pk).update(**{field: "改过的内容"})
        with pytest.raises(AppendOnlyError), transaction.atomic():
            type(row).objects.filter(pk=row.pk).delete()
    assert PetitionerCorrection.objects.get(pk=correction.pk).reason == "信访人换了手机号"
    assert CaseNote.objects.get(pk=note.pk).text == "已电话核实住址"
    # Adding stays possible: a note is corrected by another note.
    notes.add_note(user=User.objects.get(username="agent1"), petition_id=petition["id"], text="更正：住址为沙尔利格嘎查")
    assert CaseNote.objects.filter(petition_id=petition["id"]).count() == 2


# --- lookups of a person by identity --------------------------------------------------------------------


def test_the_check_before_registering_a_known_person_is_an_audit_row_naming_the_person_not_the_number(
        api, accepted, org, clock):
    """Actor: an agent of another station typing ID numbers into the intake check (API and page) to
    learn whether each is a petitioner's and how many petitions they have elsewhere: each person found
    is an audit row (once an hour per account and person, as the page checks again while the content
    is typed); a number nobody has is not a lookup of anyone."""
    from django.test import Client

    number = id_number(serial=901)
    petition = accepted(petitioner={"name": "孙八", "id_number": number, "phone": "13900000901"})
    person = Petition.objects.get(pk=petition["id"]).petitioner_id
    before = AuditEntry.objects.filter(action=Action.IDENTITY_SEARCH).count()

    checked = api("agent12").post("/petitions/check", {"petitioner": {"id_number": number}})
    assert checked.status_code == 200 and checked.data["petitioner_known"] and checked.data["hidden_count"] == 1
    assert api("agent12").post("/petitions/check", {"petitioner": {"id_number": number},
                                                    "content": COMPLAINT}).status_code == 200
    assert api("agent12").post("/petitions/check", {"petitioner": {"id_number": id_number(serial=902)}}
                               ).data["petitioner_known"] is False
    page = Client()
    page.force_login(User.objects.get(username="agent13"))
    assert page.post("/staff/intake/check/", {"id_number": number}).status_code == 200

    rows = list(AuditEntry.objects.filter(action=Action.IDENTITY_SEARCH).order_by("seq"))[before:]
    assert [(r.actor_username, r.detail["via"], r.detail["kind"], r.target_id) for r in rows] == [
        ("agent12", "intake", "id_number", str(person)), ("agent13", "intake", "id_number", str(person)),
    ]
    for row in rows:
        assert number not in f"{row.target_label} {row.detail}" and "孙八" not in f"{row.target_label} {row.detail}"
    # An hour later the same account's check is a lookup again.
    clock.shift(3601)
    assert api("agent12").post("/petitions/check", {"petitioner": {"id_number": number}}).status_code == 200
    assert AuditEntry.objects.filter(action=Action.IDENTITY_SEARCH).count() == before + 3


# --- a number kept in clear text ------------------------------------------------------------------------


@pytest.mark.parametrize("typed", [id_number(serial=903), "139 0000 0903", "0477-7654321"])
def test_a_search_by_id_number_or_phone_is_not_saved_as_a_filter(org, typed):
    """Actor: an agent saving the list's search for a person as a 常用筛选: refused and said, nothing
    kept; a search by name or number is saved as before."""
    from urllib.parse import urlencode

    from django.test import Client

    from daiban.staff.models import SavedFilter

    client = Client()
    client.force_login(User.objects.get(username="agent1"))
    response = client.post("/staff/petitions/filters/", {"name": "这个人", "query": urlencode({"q": typed, "status": "received"})},
                           follow=True)
    assert "按身份证号或电话的搜索不能保存" in response.content.decode()
    assert not SavedFilter.objects.exists()
    client.post("/staff/petitions/filters/", {"name": "姓名", "query": urlencode({"q": "孙八"})})
    assert list(SavedFilter.objects.values_list("name", flat=True)) == ["姓名"]


def test_the_migration_removes_saved_filters_holding_an_id_number_or_phone(org):
    import importlib
    from urllib.parse import urlencode

    from django.apps import apps

    from daiban.staff.models import SavedFilter

    agent = User.objects.get(username="agent1")
    for name, query in (("号码", {"q": id_number(serial=904)}), ("电话", {"q": "13900000904", "status": "received"}),
                        ("姓名", {"q": "孙八"}), ("状态", {"status": "received"})):
        SavedFilter.objects.create(user=agent, name=name, query=urlencode(query))
    migration = importlib.import_module("daiban.staff.migrations.0006_saved_filters_without_identity_searches")
    migration.forward(apps, None)
    assert sorted(SavedFilter.objects.values_list("name", flat=True)) == ["姓名", "状态"]


# --- two people at once (PostgreSQL: row locks) -----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_corrections_of_one_person_applied_to_each_others_petitions_at_once_both_hold(org, monkeypatch):
    """Actors: the bureau's leader corrects the phone on one petition of a person and the center the
    address on the person's other petition, each "also on the other open petitions", at the same
    moment. Each locked its own petition, then the other's: the database found a deadlock and one of
    them answered 500. Both corrections now hold, one after the other, each logged with what it found."""
    import threading

    from daiban.petitions import corrections, services
    from tests.factories import petition_body

    agent = User.objects.get(username="agent1")
    person = {"name": "周九", "id_number": id_number(serial=905), "phone": "13900000905"}
    first = services.petition_intake(data=petition_body(petitioner=person), user=agent).petition
    second = services.petition_intake(data=petition_body(petitioner=person, content="宅基地确权登记一直未办，请求尽快办理。"),
                                      user=agent).petition
    assert first.petitioner_id == second.petitioner_id
    # Each has its own petition locked before either reads the other's: the order that deadlocked.
    both_in = threading.Barrier(2, timeout=5)
    real = corrections.ensure_not_archived

    def after_the_first_lock(petition):
        # With the fixed order the second waits on the person before its petition: nobody comes.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_in.wait()
        return real(petition)

    monkeypatch.setattr(corrections, "ensure_not_archived", after_the_first_lock)
    work = [("leader", first.pk, {"phone": "13900000906", "reason": "换了手机号"}),
            ("center", second.pk, {"address": "嘎鲁图镇巴音嘎查", "reason": "搬家了"})]

    def correct(i):
        username, pk, data = work[i]
        return services.petitioner_correct(petition_id=pk, user=User.objects.get(username=username),
                                           data={**data, "apply_to_open": True})

    results = run_together(2, correct, timeout=60)
    assert all(not isinstance(r, Exception) for r in results), results
    for pk in (first.pk, second.pk):
        petition = Petition.objects.get(pk=pk)
        assert (petition.petitioner_phone, petition.petitioner_address) == ("13900000906", "嘎鲁图镇巴音嘎查")
    assert PetitionerCorrection.objects.filter(petitioner_id=first.petitioner_id).count() == 2


class _Deadlock(Exception):
    sqlstate = "40P01"  # as psycopg's DeadlockDetected carries it


def _database_ended_it(*args, **kwargs):
    from django.db import OperationalError

    raise OperationalError("deadlock detected") from _Deadlock()


@pytest.mark.parametrize("how", ["api", "page"])
def test_a_transaction_the_database_ended_for_another_is_told_as_try_again_not_500(api, accepted, monkeypatch, how):
    from django.test import Client

    from daiban.petitions import services

    petition = accepted()
    monkeypatch.setattr(services, "petition_act", _database_ended_it)
    if how == "api":
        response = api("agent1").act(petition["id"], "contact", {"method": "phone", "note": "电话联系"})
        assert response.status_code == 409 and response.data["error"]["code"] == "busy"
        assert "请稍后重试" in response.data["error"]["message"]
    else:
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username="agent1"))
        response = client.post(f"/staff/petitions/{petition['id']}/act/contact/", {"method": "phone", "note": "电话联系"})
        assert response.status_code == 409 and "请稍后重试" in response.content.decode()


def test_another_database_error_is_still_a_server_error(api, accepted, monkeypatch):
    """The net catches only the refusals a retry mends: a broken database stays a 500 for the logs."""
    from django.db import OperationalError
    from django.test import Client

    from daiban.petitions import services

    def broken(*args, **kwargs):
        raise OperationalError("no such table: petitions_petition")

    petition = accepted()
    monkeypatch.setattr(services, "petition_act", broken)
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="agent1"))
    response = client.post(f"/staff/petitions/{petition['id']}/act/contact/", {"method": "phone", "note": "电话联系"})
    assert response.status_code == 500
