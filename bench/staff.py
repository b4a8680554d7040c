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
        # The running overview and the list's due-soon filter: both read 待定 matters by their
        # regulation limit (an OR of two indexed conditions, an order by an expression).
        ("duty", "/staff/running/"), ("center", "/staff/running/"),
        ("agent1", "/staff/petitions/?due_to=2099-12-31"),
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
    yield from _intake_check(ctx, targets, runs)


def _intake_check(ctx: Ctx, targets: list, runs: int) -> Iterable[Figure]:
    """The live eligibility preview while an agent types (htmx), for the petitioner with the most
    petitions at agent1's station: every earlier petition is compared with the text typed."""
    from django.db.models import Count

    from daiban.lib import crypto
    from daiban.petitions.models import Petitioner
    from tests.factories import COMPLAINT

    label = "page agent1 POST /staff/intake/check/ (most frequent petitioner)"
    if not ctx.wanted(label):
        return
    agent = Agent.objects.get(user__username="agent1")
    top = (Petition.objects.filter(station_id=agent.station_id).values("petitioner_id")
           .annotate(n=Count("id")).order_by("-n").first())
    person = Petitioner.objects.get(pk=top["petitioner_id"])
    body = {"id_number": crypto.decrypt(person.id_number_enc), "content": COMPLAINT}
    client = ctx.page("agent1")

    def post() -> None:
        response = client.post("/staff/intake/check/", body)
        assert response.status_code == 200, response.status_code

    floor, count = ctx.own_sql(post)
    yield ctx.measure(label, post, floor, runs=runs, targets=targets, floor_kind="own", queries=count,
                      note=f"{top['n']} earlier petitions of that petitioner")


def _case_id(url: str) -> str:
    parts = [p for p in url.split("/") if p.isdigit()]
    return parts[0] if parts else ""
