"""一案一档 in the background (API.md, Documents, 1.1): the `archive` action answers at once; the
worker builds the case file; until it is ready the download answers 202 with Retry-After."""

import contextlib
import hashlib

import pytest
from django.test import Client
from django_tasks import default_task_backend

from daiban.documents.models import ArchiveFile
from daiban.org.models import User
from daiban.petitions.models import Event
from tests.test_documents import _archive_to_end, finished  # noqa: F401  (fixture)


@pytest.fixture
def queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    return default_task_backend


def _run_worker(queue):
    results, queue.results = list(queue.results), []
    for result in results:
        with contextlib.suppress(Exception):  # the worker records it; the test looks at the outcome
            result.task.call(*result.args)


def fail_every_build(queue, monkeypatch, attempts: int = 10) -> None:
    """Run the worker while the case file cannot be built (Pango missing): every attempt fails, each
    scheduling the next until the last one gives up."""

    def no_pango(petition_id):
        raise OSError("cannot load library 'libpango-1.0-0'")

    with monkeypatch.context() as patch:
        patch.setattr("daiban.documents.archive.archive_freeze", no_pango)
        for _ in range(attempts):
            _run_worker(queue)


def test_the_archive_is_built_after_the_action_and_downloadable_once_ready(api, finished, queue, clock):  # noqa: F811
    pid = finished["id"]
    archived = _archive_to_end(api, finished, clock)
    assert archived.status_code == 200 and archived.data["status"] == "archived"
    assert archived.data["archive"] == {"status": "building", "sha256": None}
    assert not ArchiveFile.objects.filter(petition_id=pid).exists()
    waiting = api("agent1").get(f"/petitions/{pid}/archive.zip")
    assert waiting.status_code == 202 and waiting["Retry-After"] == "10"
    assert waiting.data == {"archive": {"status": "building", "sha256": None}}
    page = _staff("agent1").get(f"/staff/petitions/{pid}/").content.decode()
    assert 'data-status="building"' in page
    _run_worker(queue)
    frozen = ArchiveFile.objects.get(petition_id=pid)
    detail = api("agent1").get(f"/petitions/{pid}").data
    assert detail["archive"] == {"status": "ready", "sha256": frozen.sha256}
    assert detail["events"][-1]["action"] == "archive_frozen"
    ready = api("agent1").get(f"/petitions/{pid}/archive.zip")
    assert ready.status_code == 200 and hashlib.sha256(ready.content).hexdigest() == frozen.sha256
    assert 'data-status="ready"' in _staff("agent1").get(f"/staff/petitions/{pid}/").content.decode()


def test_a_failed_build_is_shown_and_a_download_asks_again(api, finished, queue, monkeypatch, clock):  # noqa: F811
    pid = finished["id"]
    _archive_to_end(api, finished, clock)

    fail_every_build(queue, monkeypatch)
    assert api("agent1").get(f"/petitions/{pid}").data["archive"] == {"status": "failed", "sha256": None}
    assert Event.objects.filter(petition_id=pid, action="archive_failed").count() == 1
    assert "生成失败" in _staff("agent1").get(f"/staff/petitions/{pid}/").content.decode()
    again = api("agent1").get(f"/petitions/{pid}/archive.zip")
    assert again.status_code == 202
    assert api("agent1").get(f"/petitions/{pid}").data["archive"]["status"] == "building"
    _run_worker(queue)
    assert api("agent1").get(f"/petitions/{pid}").data["archive"]["status"] == "ready"
    assert api("agent1").get(f"/petitions/{pid}/archive.zip").status_code == 200


def test_the_staff_download_waits_politely(api, finished, queue, clock):  # noqa: F811
    _archive_to_end(api, finished, clock)
    response = _staff("agent1").get(f"/staff/petitions/{finished['id']}/archive.zip")
    assert response.status_code == 302 and response["Location"].endswith(f"/staff/petitions/{finished['id']}/")


def test_before_archiving_there_is_no_archive_state(api, finished):  # noqa: F811
    assert api("agent1").get(f"/petitions/{finished['id']}").data["archive"] is None


def _staff(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client
