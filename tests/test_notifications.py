"""Messages: recorded with their delivery state, SMS through a pluggable backend, retried, never lost,
never blocking the workflow."""

import datetime

import pytest
from django.core.management import call_command

from daiban.lib import crypto
from daiban.notifications import services
from daiban.notifications.backends import SmsError
from daiban.notifications.models import Notification
from daiban.petitions.models import Petition

SENT: list[tuple[str, str]] = []


class RecordingBackend:
    def send(self, phone, text):
        SENT.append((phone, text))


class BrokenBackend:
    def send(self, phone, text):
        raise SmsError("gateway down")


@pytest.fixture(autouse=True)
def _clear():
    SENT.clear()


def sms_of(petition_id):
    return list(Notification.objects.filter(petition_id=petition_id, channel="sms").order_by("id"))


def test_receipt_sms_is_queued_at_intake_with_number_and_code(new_petition, clock):
    petition = new_petition(petitioner={"phone": "13912345678"})
    [receipt] = sms_of(petition["id"])
    assert receipt.template == "receipt" and receipt.state == "queued"
    assert petition["number"] in receipt.body and petition["query_code"] in receipt.body
    assert crypto.decrypt(receipt.phone_enc) == "13912345678" and "13912345678" not in receipt.body


def test_acceptance_result_and_follow_up_messages(api, routed, org, clock):
    petition = routed()
    templates = [n.template for n in sms_of(petition["id"])]
    assert templates == ["receipt", "accepted"]
    assert org.agent1.name in sms_of(petition["id"])[1].body
    assert Notification.objects.filter(template="new_assignment", recipient__username="agent1").count() == 1
    assert Notification.objects.filter(template="disposition_routed", recipient__username="dept1").count() == 1
    api("dept1").act_disposition(petition["dispositions"][0]["id"], "receive")
    assert Notification.objects.filter(template="disposition_received", recipient__username="agent1").exists()
    api("dept1").act_disposition(petition["dispositions"][0]["id"], "result", {"result": "已办"})
    api("agent1").act(petition["id"], "conclude", {"result": "已办结"})
    api("agent1").act(petition["id"], "feedback", {"method": "phone", "satisfaction": "satisfied"})
    api("agent1").act(petition["id"], "terminate")
    assert [n.template for n in sms_of(petition["id"])] == ["receipt", "accepted", "result", "follow_up"]
    # Satisfied: no review window is open, so the regulation's words, never "可在前申请复查".
    result = sms_of(petition["id"])[2].body
    assert result.endswith("如不服可在收到意见30日内申请复查。") and "在前" not in result


def test_a_dissatisfied_petitioners_result_sms_names_the_last_day_to_ask_for_review(api, routed, org, clock):
    petition = routed()
    api("dept1").act_disposition(petition["dispositions"][0]["id"], "result", {"result": "已办"})
    api("agent1").act(petition["id"], "conclude", {"result": "已办结"})
    api("agent1").act(petition["id"], "feedback", {"method": "phone", "satisfaction": "dissatisfied"})
    due = Petition.objects.get(pk=petition["id"]).review_request_due_on
    result = [n for n in sms_of(petition["id"]) if n.template == "result"][0].body
    assert due and result.endswith(f"如不满意可在{due.month}月{due.day}日前申请复查。")


def test_delivery_through_the_configured_backend(new_petition, clock, settings):
    settings.DAIBAN_SMS_BACKEND = "tests.test_notifications.RecordingBackend"
    petition = new_petition(petitioner={"phone": "13912345678"})
    counts = services.send_due()
    assert counts == {"due": 1, "sent": 1, "failed": 0, "cancelled": 0}
    assert SENT[0][0] == "13912345678" and petition["number"] in SENT[0][1]
    row = sms_of(petition["id"])[0]
    assert row.state == "sent" and row.attempts == 1 and row.sent_at is not None
    assert services.send_due() == {"due": 0, "sent": 0, "failed": 0, "cancelled": 0}  # never twice


def test_a_failed_send_is_retried_later_and_never_lost(new_petition, clock, settings):
    settings.DAIBAN_SMS_BACKEND = "tests.test_notifications.BrokenBackend"
    petition = new_petition()
    assert services.send_due()["failed"] == 1
    row = sms_of(petition["id"])[0]
    assert row.state == "failed" and row.attempts == 1 and row.last_error == "gateway down"
    assert services.send_due()["due"] == 0  # not before its next attempt
    for minutes in (2, 6, 16, 61, 241, 721):
        clock.shift(datetime.timedelta(minutes=minutes))
        services.send_due()
    row.refresh_from_db()
    assert row.state == "gave_up" and row.attempts == 7  # waits for a person, still recorded
    settings.DAIBAN_SMS_BACKEND = "tests.test_notifications.RecordingBackend"
    Notification.objects.filter(pk=row.pk).update(state="failed", next_attempt_at=row.created_at)
    assert services.send_due()["sent"] == 1


def test_a_broken_gateway_does_not_block_the_workflow(api, accepted, org, clock, settings):
    settings.DAIBAN_SMS_BACKEND = "tests.test_notifications.BrokenBackend"
    petition = accepted()
    assert petition["status"] == "accepted"


def test_console_backend_logs_a_masked_number(new_petition, clock, caplog):
    new_petition(petitioner={"phone": "13912345678"})
    with caplog.at_level("INFO", logger="daiban.sms"):
        services.send_due()
    assert "139****5678" in caplog.text and "13912345678" not in caplog.text


def test_notify_command(new_petition, clock, capsys):
    new_petition()
    call_command("notify", "--dry-run")
    assert "待发 1" in capsys.readouterr().out
    assert Notification.objects.get(channel="sms").state == "queued"
    call_command("notify")
    assert Notification.objects.get(channel="sms").state == "sent"


def test_staff_inbox(api, routed, org, clock):
    from django.test import Client

    from daiban.org.models import User

    routed()
    client = Client()
    client.force_login(User.objects.get(username="dept1"))
    page = client.get("/staff/").content.decode()
    assert 'data-testid="unread">1<' in page
    assert "新的处置单" in client.get("/staff/notices/").content.decode()
    client.post("/staff/notices/")
    assert 'data-testid="unread"' not in client.get("/staff/").content.decode()
