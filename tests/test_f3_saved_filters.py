"""Fix round f3, fault 4: the cap of 20 saved filters per user was racy (40 parallel saves left 21),
and a saved query was cut at 500 characters, which could split a percent-escape."""

from __future__ import annotations

import threading
import time
from urllib.parse import quote

import pytest
from django.db import connection

from daiban.org.models import User
from daiban.staff.models import SavedFilter
from daiban.staff.views.bulk import FILTERS_MAX
from tests.factories import login

URL = "/staff/petitions/filters/"



@pytest.mark.django_db
def test_a_query_longer_than_the_field_is_refused_not_cut(org):
    client = login("agent1")
    search = "征地补偿款" * 12  # 60 characters, 540 once percent-encoded
    response = client.post(URL, {"name": "长搜索", "query": f"q={quote(search)}"}, follow=True)
    assert "筛选条件太长" in response.content.decode()
    assert not SavedFilter.objects.exists()
    # Nor is a posted query string beyond what the list reads cut to fit.
    response = client.post(URL, {"name": "更长", "query": "status=received&" + "x=1&" * 300}, follow=True)
    assert "筛选条件太长" in response.content.decode()
    assert not SavedFilter.objects.exists()
    # One that fits is kept whole, every escape intact.
    client.post(URL, {"name": "刚好", "query": f"q={quote('征地补偿款' * 10)}"})
    saved = SavedFilter.objects.get()
    assert saved.query == f"q={quote('征地补偿款' * 10)}" and len(saved.query) <= 500


@pytest.mark.django_db
def test_the_cap_still_allows_replacing_a_filter_by_name(org):
    user = User.objects.get(username="agent1")
    SavedFilter.objects.bulk_create(SavedFilter(user=user, name=f"f{i}", query="status=received")
                                    for i in range(FILTERS_MAX))
    client = login("agent1")
    refused = client.post(URL, {"name": "one more", "query": "status=received"}, follow=True)
    assert "最多保存20个" in refused.content.decode()
    client.post(URL, {"name": "f0", "query": "overdue=true"})
    assert SavedFilter.objects.filter(user=user).count() == FILTERS_MAX
    assert SavedFilter.objects.get(user=user, name="f0").query == "overdue=true"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_saves_do_not_pass_the_cap(org, monkeypatch):
    """Each save pauses between its count and its insert: without the lock on the user's row both
    count 19 and both insert (21); with it the second waits, counts 20 and is refused."""
    user = User.objects.get(username="agent1")
    SavedFilter.objects.bulk_create(SavedFilter(user=user, name=f"f{i}", query="status=received")
                                    for i in range(FILTERS_MAX - 1))
    original = SavedFilter.objects.update_or_create

    def slow(*args, **kwargs):
        time.sleep(0.4)
        return original(*args, **kwargs)

    monkeypatch.setattr(SavedFilter.objects, "update_or_create", slow)

    def save(name: str) -> None:
        try:
            login("agent1").post(URL, {"name": name, "query": "status=received"})
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(f"parallel{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert SavedFilter.objects.filter(user=user).count() == FILTERS_MAX
