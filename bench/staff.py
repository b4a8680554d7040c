"""Every staff page, as each role opens it (server-side, signed-in session), beside the page's own
queries replayed with a raw cursor (how much of the page is the database's work).

Targets: ≤ 100 ms and ≤ 1.3× the 100,000 figure on PostgreSQL 1M (#16); ≤ 50 ms on SQLite 100k (#3).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from bench.core import Ctx, Figure, at_most, growth
from daiban.org.models import Agent
from daiban.petitions.models import Petition

ORDER = 20


def pages(ctx: Ctx) -> list[tuple[str, str]]:
    agent = Agent.objects.get(user__username="agent1")
    case = Petition.objects.filter(agent=agent, status="in_progress").order_by("-id").values_list("id", flat=True).first()
    return [
        ("agent1", "/staff/"), ("agent12", "/staff/"), ("duty", "/staff/"), ("leader", "/staff/"), ("chief", "/staff/"),
        ("dept1", "/staff/"), ("center", "/staff/"),
        ("agent1", "/staff/petitions/"), ("agent1", "/staff/petitions/?overdue=true&order=due_on"),
        ("center", "/staff/petitions/"), ("center", "/staff/petitions/?status=in_progress&channel=phone"),
        ("center", f"/staff/petitions/?agent={agent.pk}&status=archived&order=-received_on"),
        ("agent1", f"/staff/petitions/{case}/"),
        ("agent1", "/staff/intake/"), ("dept1", "/staff/dispositions/"), ("leader", "/staff/opinions/"),
        ("chief", "/staff/opinions/"), ("agent1", "/staff/notices/"),
        ("duty", "/staff/roster/"), ("agent1", "/staff/board/"), ("agent1", "/staff/flowchart/"),
        ("agent1", "/staff/calendar/"),
    ]


def figures(ctx: Ctx) -> Iterable[Figure]:
    if connection.vendor == "postgresql":
        targets = [at_most(100, "#16"), growth(1.3)] if ctx.size >= 1_000_000 else [growth(1.3)]
    else:
        targets = [at_most(50, "#3")]
    runs = max(11, ctx.runs * 2 // 3)
    for username, url in pages(ctx):
        label = f"page {username} {url}".replace(f"/{_case_id(url)}/", "/{id}/") if _case_id(url) else f"page {username} {url}"
        if not ctx.wanted(label):
            continue
        client = ctx.page(username)

        def get(client=client, url=url) -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        floor, count = ctx.own_sql(get)
        yield ctx.measure(label, get, floor, runs=runs, targets=targets, floor_kind="own", queries=count)


def _case_id(url: str) -> str:
    parts = [p for p in url.split("/") if p.isdigit()]
    return parts[0] if parts else ""
