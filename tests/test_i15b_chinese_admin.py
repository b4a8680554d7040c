"""Issue 15, fault 9: the admin in Chinese (verbose names, choices, holiday names) and a Chinese
404/403 page for every staff address a role may not use, also with DEBUG on."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib import admin
from django.test import Client
from django.utils import translation

from daiban.org.models import User
from daiban.workdays.models import CalendarDay
from daiban.workdays.seed import chinese_name, library_year, parse_notice, seed_years

CJK = re.compile(r"[\u3400-\u9fff]")


def _admin_models():
    for model, model_admin in admin.site._registry.items():
        yield model
        for inline in model_admin.inlines:
            yield inline.model


def test_every_model_field_and_choice_in_the_admin_is_named_in_chinese():
    english = []
    with translation.override("zh-hans"):
        for model in _admin_models():
            meta = model._meta
            for name in (meta.verbose_name, meta.verbose_name_plural):
                if not CJK.search(str(name)):
                    english.append(f"{model.__name__}: {name}")
            for field in meta.get_fields():
                if not field.concrete or field.primary_key:
                    continue
                if not CJK.search(str(field.verbose_name)):
                    english.append(f"{model.__name__}.{field.name}: {field.verbose_name}")
                for _, text in field.flatchoices or []:
                    if not CJK.search(str(text)):
                        english.append(f"{model.__name__}.{field.name} choice {text}")
    assert english == []


@pytest.mark.parametrize("url", [
    "/admin/", "/admin/notifications/notification/", "/admin/notifications/sweeprun/", "/admin/org/user/",
    "/admin/petitions/personaldataview/", "/admin/django_tasks_database/dbtaskresult/",
    "/admin/axes/accessattempt/", "/admin/workdays/calendarday/?date__year=2026",
])
def test_admin_pages_show_no_raw_codes_or_english_headers(org, url):
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    page = client.get(url).content.decode()
    for english in ("Sweep run", "Created at", "Recipient", "Task Result", "Access attempt", "Started at",
                    "Chinese New Year", "Holiday", "Day off", ">duty_leader<", ">agent<"):
        assert english.lower() not in page.lower(), (url, english)


def test_user_list_names_the_roles_in_chinese(org):
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    page = client.get("/admin/org/user/").content.decode()
    assert "带班领导" in page and "duty_leader" not in page


def test_holiday_names_from_the_library_are_chinese_every_year():
    for year in range(2001, 2036):
        specs, _ = library_year(year)
        english = {s.name for s in specs if s.name and not CJK.search(s.name)}
        assert english == set(), (year, english)
    assert chinese_name("Chinese New Year Extended Holiday") == "春节"
    assert chinese_name("Chinese New Year (Spring Festival) (observed)") == "春节"
    assert chinese_name("Day off (substituted from 02/14/2026)") == "调休放假"


@pytest.mark.django_db
def test_seeded_calendar_rows_are_chinese():
    seed_years([2026])
    names = set(CalendarDay.objects.exclude(name="").values_list("name", flat=True))
    assert names and all(CJK.search(n) for n in names), names


def test_imported_notice_with_english_names_is_stored_in_chinese():
    specs = parse_notice("2027-02-06..2027-02-12 holiday Chinese New Year\n2027-02-14 workday Spring Festival\n"
                         "2027-10-01 休 国庆节", 2027)
    by_date = {s.date: s for s in specs}
    assert by_date[datetime.date(2027, 2, 6)].name == "春节"
    assert by_date[datetime.date(2027, 2, 14)].name == "调休上班"
    assert by_date[datetime.date(2027, 10, 1)].name == "国庆节"


def _login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


# Each role and some staff pages it may not use (or that do not exist).
FORBIDDEN = {
    "agent1": ["/staff/dispositions/", "/staff/opinions/", "/staff/audit/", "/staff/nothing-here/",
               "/staff/petitions/999999/"],
    "dept1": ["/staff/intake/", "/staff/opinions/", "/staff/audit/", "/staff/petitions/999999/"],
    "leader": ["/staff/dispositions/", "/staff/audit/", "/staff/roster/?month=1999-01"],
}


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("username", sorted(FORBIDDEN))
def test_staff_pages_a_role_may_not_use_answer_with_a_chinese_404(org, settings, username, debug):
    settings.DEBUG = debug
    client = _login(username)
    for url in FORBIDDEN[username]:
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 404, url
        assert "页面不存在" in page and "返回工作台" in page, url
        assert "Page not found" not in page and "Django" not in page, url


def test_unknown_staff_address_still_gets_its_slash(org):
    client = _login("agent1")
    response = client.get("/staff/petitions")
    assert response.status_code == 301 and response.url == "/staff/petitions/"


def test_unknown_staff_address_sends_the_anonymous_to_login(org):
    response = Client().get("/staff/nothing-here/")
    assert response.status_code == 302 and "/staff/login/" in response.url


def test_error_templates_are_chinese():
    from django.template.loader import get_template

    for name in ("404.html", "403.html", "500.html"):
        source = get_template(name).template.source
        assert CJK.search(source), name


def test_raw_codes_in_admin_lists_are_named_in_chinese(org):
    from daiban.audit.labels import via_label
    from daiban.notifications.admin import NotificationAdmin
    from daiban.notifications.models import Notification

    assert via_label("page") == "页面" and via_label("ledger") == "台账"
    assert via_label("page-agency.docx") == "页面·代办单（DOCX）"
    assert via_label("disposition.pdf") == "接口·处置单（PDF）"
    row = Notification(channel="sms", template="receipt", body="x")
    assert NotificationAdmin(Notification, admin.site).template_label(row) == "收到回执短信"
    Notification.objects.create(channel="in_app", template="due_soon", body="x",
                                recipient=User.objects.get(username="agent1"))
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    page = client.get("/admin/notifications/notification/").content.decode()
    assert "即将到期" in page and ">due_soon<" not in page


def test_holiday_names_already_stored_in_english_are_renamed_by_the_migration(db):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("daiban.workdays.migrations.0003_i15b_holiday_names")
    CalendarDay.objects.filter(date=datetime.date(2026, 2, 17)).update(name="Chinese New Year Extended Holiday")
    CalendarDay.objects.filter(date=datetime.date(2026, 2, 14)).update(name="Day off (substituted)")
    migration.rename(apps, None)
    assert CalendarDay.objects.get(date=datetime.date(2026, 2, 17)).name == "春节"
    renamed = CalendarDay.objects.get(date=datetime.date(2026, 2, 14))
    assert renamed.name == ("调休上班" if renamed.is_workday else "调休放假")


def test_audit_admin_names_the_target_type_in_chinese(org):
    from daiban.audit.admin import AuditEntryAdmin
    from daiban.audit.models import AuditEntry

    row = AuditEntry(target_type="user")
    assert AuditEntryAdmin(AuditEntry, admin.site).target_type_label(row) == "工作人员账号"


def test_a_very_long_address_sends_the_anonymous_to_login_without_a_traceback(org, caplog):
    """Found by an attack: a 16 KB query string made the login redirect too long for Django, which
    logged a DisallowedRedirect traceback on every such request. The return address drops the query."""
    for path in ("/staff/petitions/", "/staff/nothing-here/"):
        response = Client().get(path, {"q": "草" * 2500})
        assert response.status_code == 302 and "/staff/login/" in response.url and len(response.url) < 2048
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
