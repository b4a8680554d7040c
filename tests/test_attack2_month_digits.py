"""A month in a query string read with ASCII digits only (attack finding: the roster and the monthly
report split YYYY-MM and called int() on each part, which also reads "1_0" as 10 and "٢٠٢٦" or
"２０２６" as 2026: ?month=2026-1_0 showed October's roster, and the report of a month written so was
made as if it had been typed plainly; lib.validation.ascii_digits is the rule for every int())."""

from __future__ import annotations

import pytest

from daiban.lib.errors import Invalid
from daiban.lib.validation import month_parts
from daiban.stats.report import parse_month
from tests.factories import login

pytestmark = pytest.mark.django_db

ODD = ("2026-1_0", "2026-+3", "٢٠٢٦-10", "２０２６-10", "2026-١٠", "2026-²", "20_26-10", "2026-13", "2026-0", "2026-10-1")


@pytest.mark.parametrize("raw", ODD)
def test_a_month_written_otherwise_is_no_month(raw):
    with pytest.raises(ValueError):
        month_parts(raw)
    with pytest.raises(Invalid):
        parse_month(raw)


def test_months_as_people_write_them_still_read():
    assert month_parts("2026-10") == (2026, 10) and month_parts("2026-3") == (2026, 3)
    assert month_parts(" 2026-03 ") == (2026, 3)


def test_the_roster_says_so_instead_of_showing_another_month(org, clock):
    """Actor: agent1 asking for ?month=2026-1_0: told the month is not one, shown this month."""
    page = login("agent1").get("/staff/roster/", {"month": "2026-1_0"}, follow=True)
    html = page.content.decode()
    assert page.status_code == 200 and "月份应为YYYY-MM格式" in html and "2026-1_0" in html


def test_the_monthly_report_is_not_made_for_it(org, clock):
    """Actor: the center asking for the report of 2026-1_0: sent back to the dashboard with the reason."""
    answer = login("center").get("/staff/stats/report.xlsx", {"month": "2026-1_0"})
    assert answer.status_code == 302
