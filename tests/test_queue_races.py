"""Two workers queueing the same message at the same moment (#16 item 3: no job done twice, none
failed for it): the unique dedupe key decides; the second is a no-op, not an IntegrityError that
fails its task and schedules retries. PostgreSQL only (real concurrent transactions)."""

import threading
import time

import pytest
from django.db import connection, transaction

from daiban.notifications import services
from daiban.notifications.models import Notification
from daiban.petitions.models import Petition

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_message_queued_by_two_workers_at_once_is_queued_once(new_petition):
    petition = Petition.objects.get(pk=new_petition()["id"])
    key = f"follow_up_sms:{petition.pk}"
    inserted, results = threading.Event(), {}

    def first() -> None:
        """Queues the message and commits half a second later: the second worker's check sees nothing."""
        try:
            with transaction.atomic():
                services.sms(petition, "follow_up", dedupe=key, follow_up_due=None)
                inserted.set()
                time.sleep(0.5)
        finally:
            connection.close()

    def second() -> None:
        inserted.wait(10)
        try:
            results["second"] = services.sms(petition, "follow_up", dedupe=key, follow_up_due=None)
        except Exception as exc:  # noqa: BLE001 (the test reports what the worker would have raised)
            results["second"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results["second"] is None
    assert Notification.objects.filter(dedupe_key=key).count() == 1
