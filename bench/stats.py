"""Statistics for the last year, as the center asks for them: the API's figures, the monthly breakdown,
the department ranking and the dashboard page. Targets: API ≤ 500 ms, dashboard ≤ 1 s (#6); on
PostgreSQL the dashboard also ≤ 1.3× its figure at the smaller size (#16: no dashboard figure grows
with the table). Beside each, the request's own queries replayed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connection
from django.utils import timezone

from bench.core import Ctx, Figure, at_most, growth

ORDER = 30


def figures(ctx: Ctx) -> Iterable[Figure]:
    end = timezone.localdate()
    year = {"from": (end - datetime.timedelta(days=364)).isoformat(), "to": end.isoformat()}
    api, page = ctx.api("center"), ctx.page("center")
    grows = [growth(1.3)] if connection.vendor == "postgresql" else []
    runs = max(5, ctx.runs // 6)
    for label, client, path, params, limit, extra in [
        ("stats GET /api/v1/stats (a year)", api, "/api/v1/stats", year, 500, []),
        ("stats GET /api/v1/stats/breakdown?by=month", api, "/api/v1/stats/breakdown", {**year, "by": "month"}, 500, []),
        ("stats GET /api/v1/stats/departments", api, "/api/v1/stats/departments", year, 500, []),
        ("stats page /staff/stats/ (a year)", page, "/staff/stats/", year, 1000, grows),
    ]:
        if not ctx.wanted(label):
            continue

        def get(client=client, path=path, params=params) -> None:
            response = client.get(path, params)
            assert response.status_code == 200, (path, response.status_code)

        floor, count = ctx.own_sql(get)
        yield ctx.measure(label, get, floor, runs=runs, targets=[at_most(limit, "#6"), *extra], floor_kind="own",
                          queries=count, warmup=1)
