"""Fix round f4: rough edges a new user found — the report's findfont flood, the dashboard's trend
with missing months, English admin pages, the missing favicon, the portal's silence on when the
petitioner hears back."""

import datetime
import logging

from django.contrib.staticfiles import finders
from django.test import Client

from daiban.org.models import User
from daiban.petitions.models import Petition
from tests.factories import COMPLAINT, OTHER_MATTER, id_number

FORM = {"name": "周九", "id_number": id_number(serial=901), "phone": "13712345678", "address": "嘎鲁图镇",
        "content": COMPLAINT, "consent": "on"}


def test_chart_rendering_logs_no_findfont_warning(caplog):
    """Fault 1: only installed fonts are named, and matplotlib's font manager stays quiet."""
    from matplotlib import font_manager

    from daiban.stats import charts

    charts._pyplot.cache_clear()  # the font set-up runs again, inside this test
    caplog.set_level(logging.WARNING)
    assert charts.bars("本月主要指标（%）", ["代办率", "办结率"], [0.5, 0.75], percent=True).startswith(b"\x89PNG")
    assert charts.trend("近12个月", ["2026-10", "2026-11"], [3, 0], [0.5, None], "代办率（%）").startswith(b"\x89PNG")
    assert not [r for r in caplog.records if "findfont" in r.getMessage()]
    plt = charts._pyplot()
    installed = {font.name for font in font_manager.fontManager.ttflist}
    assert plt.rcParams["font.family"] and set(plt.rcParams["font.family"]) <= installed


def test_dashboard_trend_has_all_twelve_months_like_the_report(api, org, clock):
    """Fault 2: the dashboard's 近12个月趋势 lists every month, empty ones as zeros (one function
    with the monthly report)."""
    body = {"channel": "visit", "source": "self", "received_on": "2026-09-01", "content": OTHER_MATTER,
            "petitioner": {"name": "甲", "id_number": id_number(serial=1), "phone": "13912345678"}}
    assert api("agent1").post("/petitions", body).status_code == 201
    client = Client()
    client.force_login(User.objects.get(username="leader"))
    response = client.get("/staff/stats/", {"from": "2026-09-01", "to": "2026-09-30"})
    expected = [f"{y}-{m:02d}" for y, m in [(2025, 10), (2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 10)]]
    trend = response.context["trend"]
    assert [t["key"] for t in trend] == expected
    assert [t["received"] for t in trend] == [0] * 11 + [1]
    assert trend[0]["agency_rate"] is None and trend[0]["concluded"] == 0
    assert response.context["chart_data"]["trend"]["months"] == expected
    page = response.content.decode()
    assert "<td>2025-10</td><td>0</td>" in page
    from daiban.stats import report

    data = report.collect(User.objects.get(username="leader"), report.parse_month("2026-09"), None)
    assert [t["key"] for t in data["trend"]] == expected and data["trend"][-1]["received"] == 1


def test_every_page_is_chinese_whatever_the_browser_asks(org):
    """Fault 3: Accept-Language: en-US turns neither the admin nor the staff pages English."""
    english = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
    anonymous = Client()
    login = anonymous.get("/admin/login/", **english).content.decode()
    assert "Password" not in login and "Log in" not in login and "密码" in login
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    page = admin.get("/admin/", **english).content.decode()
    assert "Log out" not in page and "Recent actions" not in page and "最近动作" in page
    staff = Client()
    refused = staff.post("/staff/login/", {"username": "", "password": ""}, **english).content.decode()
    assert "This field is required" not in refused
    staff.force_login(User.objects.get(username="center"))
    response = staff.get("/staff/petitions/", **english)
    assert response.status_code == 200 and response.get("Content-Language", "zh-hans") == "zh-hans"
    assert "信访事项" in response.content.decode()


def test_favicon_is_served_by_the_app_and_linked_everywhere(org):
    """Fault 4: /favicon.ico was a 404; now a static file, linked from the portal, staff and admin."""
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and response.url == "/static/daiban/favicon.ico"
    path = finders.find("daiban/favicon.ico")
    assert path
    with open(path, "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file
    link = '<link rel="icon" href="/static/daiban/favicon.ico">'
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    for client, url in [(Client(), "/"), (Client(), "/staff/login/"), (Client(), "/admin/login/"),
                        (admin, "/admin/"), (admin, "/admin/org/user/")]:
        assert link in client.get(url).content.decode(), url


def test_tracking_page_says_by_when_the_petitioner_hears_back(org, clock):
    """Fault 5: a received petition's page names the 登记转送 date (条例 第二十五条)."""
    client = Client()
    client.post("/submit/", FORM)
    petition = Petition.objects.get()
    assert petition.national_forward_due_on == datetime.date(2026, 10, 8)
    url = f"/track/{petition.number}/?code={petition.query_code}"
    assert "我们将在2026年10月8日前告知您是否受理及办理方式" in client.get(url, follow=True).content.decode()
    Petition.objects.filter(pk=petition.pk).update(status="accepted")  # answered: no promise left to keep
    assert "告知您是否受理" not in client.get(url, follow=True).content.decode()
