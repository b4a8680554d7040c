"""Issue 12, fault 6: calendar-day limits follow calendar changes like the working-day ones, and
the change is recorded on the petition (system actor, old → new)."""

import datetime
from io import StringIO

from django.core.management import call_command
from django.db.models import Q

from daiban.petitions.models import Event, Petition, Review
from daiban.petitions.recompute import LIMITS, Limit, recompute_after_calendar_change, statutory
from daiban.workdays.models import CalendarDay

TZ = datetime.timezone(datetime.timedelta(hours=8))
D = datetime.date.fromisoformat


def at(day: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=9, tzinfo=TZ)


def mark(api, day: str, workday: bool, reason: str = "旗政府通知") -> None:
    response = api("admin").post("/calendar/days", {"days": [{"date": day, "is_workday": workday, "name": reason}],
                                                    "reason": reason})
    assert response.status_code == 200, response.data


def recorded(petition_id: int) -> list[Event]:
    return list(Event.objects.filter(petition_id=petition_id, action="deadline_recomputed"))


def test_forward_limit_moves_when_its_last_day_becomes_a_holiday(api, new_petition, clock):
    clock.move_to(at("2026-11-05"))
    petition = new_petition(received_on="2026-11-02")
    assert Petition.objects.get(pk=petition["id"]).national_forward_due_on == D("2026-11-17")
    mark(api, "2026-11-17", False)
    assert Petition.objects.get(pk=petition["id"]).national_forward_due_on == D("2026-11-18")
    detail = api("agent1").get(f"/petitions/{petition['id']}").data
    assert detail["national"]["forward_due_on"] == "2026-11-18"
    [event] = recorded(petition["id"])
    assert event.actor_id is None and event.actor_name == "系统"
    assert "登记转送时限（条例） 2026-11-17 → 2026-11-18" in event.note
    assert event.data["changes"] == [{"field": "national_forward_due_on", "model": "petition", "id": petition["id"],
                                      "old": "2026-11-17", "new": "2026-11-18"}]


def test_a_rest_day_made_a_working_day_brings_a_limit_forward(api, accepted, clock):
    # Accepted 2026-09-16: the 60 days end on Sunday 11-15, moved to Monday 11-16.
    petition = accepted()
    assert Petition.objects.get(pk=petition["id"]).national_due_on == D("2026-11-16")
    mark(api, "2026-11-15", True, "调休上班")
    assert Petition.objects.get(pk=petition["id"]).national_due_on == D("2026-11-15")
    assert "办理时限（条例） 2026-11-16 → 2026-11-15" in recorded(petition["id"])[0].note


def test_the_extended_handling_limit_follows_the_calendar(api, routed, clock):
    petition = routed()
    response = api("chief").act(petition["id"], "extend", {"days": 10, "reason": "涉及多个部门，需要补充调查"})
    assert response.status_code == 200, response.data
    assert Petition.objects.get(pk=petition["id"]).national_due_on == D("2026-11-25")  # 09-16 + 70 days
    mark(api, "2026-11-25", False)
    assert Petition.objects.get(pk=petition["id"]).national_due_on == D("2026-11-26")


def _fed_back(api, routed, satisfaction: str = "dissatisfied") -> dict:
    petition = routed()
    api("dept1").act_disposition(petition["dispositions"][0]["id"], "result", {"result": "已办"})
    api("agent1").act(petition["id"], "conclude", {"result": "已办结"})
    response = api("agent1").act(petition["id"], "feedback", {"method": "phone", "satisfaction": satisfaction})
    assert response.status_code == 200, response.data
    return response.data


def test_review_windows_and_follow_up_follow_the_calendar(api, routed, clock):
    fed = _fed_back(api, routed)  # feedback on 2026-09-16: review may be asked until 10-16
    assert Petition.objects.get(pk=fed["id"]).review_request_due_on == D("2026-10-16")
    mark(api, "2026-10-16", False)
    assert Petition.objects.get(pk=fed["id"]).review_request_due_on == D("2026-10-19")  # past the weekend

    asked = _fed_back(api, routed)
    response = api("agent1").act(asked["id"], "request_review", {"level": "review", "reason": "对处理结果不满意"})
    assert response.status_code == 200, response.data
    review = Review.objects.get(petition_id=asked["id"])
    assert review.answer_due_on == D("2026-10-19")  # 10-16 is now a holiday, then the weekend
    mark(api, "2026-10-19", False)
    review.refresh_from_db()
    assert review.answer_due_on == D("2026-10-20")
    assert "复查/复核答复时限 2026-10-19 → 2026-10-20" in recorded(asked["id"])[-1].note

    done = _fed_back(api, routed, "satisfied")
    assert api("agent1").act(done["id"], "terminate").status_code == 200
    assert Petition.objects.get(pk=done["id"]).follow_up_due_on == D("2026-10-08")  # 10-01 is National Day
    mark(api, "2026-10-08", False)
    assert Petition.objects.get(pk=done["id"]).follow_up_due_on == D("2026-10-09")


def test_working_day_and_calendar_day_limits_change_together_in_one_record(api, routed, clock):
    petition = routed()  # due 2026-10-13 (15 working days); the 60 days end 11-16
    mark(api, "2026-09-22", False)
    stored = Petition.objects.get(pk=petition["id"])
    assert (stored.due_on, stored.national_due_on) == (D("2026-10-14"), D("2026-11-16"))
    [event] = recorded(petition["id"])
    assert "办结时限 2026-10-13 → 2026-10-14" in event.note and "处置单" in event.note
    mark(api, "2026-11-16", False)
    assert Petition.objects.get(pk=petition["id"]).national_due_on == D("2026-11-17")
    assert len(recorded(petition["id"])) == 2


def test_closed_petitions_keep_their_history(api, new_petition, clock):
    answered = new_petition(received_on="2026-09-16")
    api("agent1").act(answered["id"], "screen", {"outcome": "direct_reply", "reply": "已当场答复政策", "notification": "oral"})
    assert Petition.objects.get(pk=answered["id"]).status == "answered"
    forward = Petition.objects.get(pk=answered["id"]).national_forward_due_on
    mark(api, forward.isoformat(), False)
    assert Petition.objects.get(pk=answered["id"]).national_forward_due_on == forward
    assert not recorded(answered["id"])


NOTICE_2027 = """\
2027-01-01..2027-01-04 休 元旦
2027-02-05..2027-02-11 休 春节
"""


def test_importing_a_years_notice_moves_the_limits_that_end_in_it(api, accepted, clock, tmp_path):
    clock.move_to(at("2026-11-02"))
    petition = accepted()  # accepted 11-02: the 60 days end on 2027-01-01 (New Year), moved to 01-04
    assert Petition.objects.get(pk=petition["id"]).national_due_on == D("2027-01-04")
    notice = tmp_path / "2027.txt"
    notice.write_text(NOTICE_2027, encoding="utf-8")
    call_command("calendar_import", "2027", str(notice), stdout=StringIO())
    assert CalendarDay.objects.get(date=D("2027-01-04")).is_workday is False
    assert Petition.objects.get(pk=petition["id"]).national_due_on == D("2027-01-05")
    [event] = recorded(petition["id"])
    assert event.actor_name == "系统" and "2027-01-04 → 2027-01-05" in event.note


def test_a_new_limit_is_one_registry_line(routed, api, clock):
    """The registry is the only place a kept deadline is declared: a limit registered with one line
    is recomputed like the others (here a stand-in on an existing field)."""
    petition = routed()
    Petition.objects.filter(pk=petition["id"]).update(follow_up_due_on=D("2026-10-08"), terminated_on=D("2026-09-16"))
    extra = Limit(Petition, "follow_up_due_on", "terminated_on", statutory(15), Q(), "测试时限")
    CalendarDay.objects.filter(date=D("2026-10-08")).update(is_workday=False)
    assert recompute_after_calendar_change([D("2026-10-08")], limits=(*LIMITS, extra)) == 1
    assert Petition.objects.get(pk=petition["id"]).follow_up_due_on == D("2026-10-09")


def test_set_based_many_petitions_one_query_per_limit(api, accepted, clock, django_assert_max_num_queries):
    count = 3
    ids = [accepted(petitioner={"name": f"信访人{i}"})["id"] for i in range(count)]
    CalendarDay.objects.filter(date=D("2026-11-16")).update(is_workday=False)
    # Reads per limit, one calendar read, one UPDATE per new date, the statuses, one insert: not per row.
    with django_assert_max_num_queries(len(LIMITS) + 8):
        assert recompute_after_calendar_change([D("2026-11-16")]) == count
    assert set(Petition.objects.filter(pk__in=ids).values_list("national_due_on", flat=True)) == {D("2026-11-17")}


def test_the_monthly_seeding_moves_limits_when_the_library_changes_a_guessed_year(accepted, clock, monkeypatch):
    from daiban.workdays import seed

    clock.move_to(at("2026-11-02"))
    petition = accepted()
    assert Petition.objects.get(pk=petition["id"]).national_due_on == D("2027-01-04")
    real = seed.library_year

    def upgraded(year):  # a newer holidays package: 2027 announced, 01-04 part of the New Year break
        specs, _ = real(year)
        return [seed.DaySpec(s.date, False, "元旦") if s.date == D("2027-01-04") else s for s in specs], True

    monkeypatch.setattr(seed, "library_year", upgraded)
    call_command("calendar_seed", "--years", "2027", stdout=StringIO())
    assert Petition.objects.get(pk=petition["id"]).national_due_on == D("2027-01-05")
    [event] = recorded(petition["id"])
    assert "holidays 库" in event.note and "2027-01-04 → 2027-01-05" in event.note


def test_a_departments_granted_extension_follows_the_calendar_too(api, routed, clock):
    """Issue 12 item 3 keeps an approved extension as more working days from the same start, so a
    calendar change moves the extended 处置单 (and the petition) like any working-day deadline."""
    petition = routed()
    did = petition["dispositions"][0]["id"]
    asked = api("dept1").act_disposition(did, "request_extension", {"workdays": 5, "reason": "需现场测绘"})
    assert asked.status_code == 200, asked.data
    approved = api("duty").act_disposition(did, "decide_extension", {"approved": True, "note": "同意"})
    assert approved.status_code == 200, approved.data
    extended = D(approved.data["dispositions"][0]["due_on"])
    mark(api, extended.isoformat(), False)
    from daiban.workdays.engine import add_workdays

    moved = add_workdays(D("2026-09-16"), 20).date
    assert moved > extended
    assert Petition.objects.get(pk=petition["id"]).dispositions.get().due_on == moved
    assert Petition.objects.get(pk=petition["id"]).due_on == moved
