"""SMS given up on a fixed-line number before fixed lines were told apart (0006_landline_state): kept
as `landline`, never sent (the gateway refused them; the admin's 立即重试 would put them back). Rows
still queued or failed are left to the sender, which keeps each as `landline` and asks the case's
workers to phone (services.send_due, _to_landline)."""

from django.db import migrations

PENDING = ("gave_up",)


def to_landline(apps, schema_editor):
    from daiban.lib import crypto
    from daiban.lib.identity import is_mobile

    notification = apps.get_model("notifications", "Notification")
    rows = notification.objects.filter(channel="sms", state__in=PENDING).exclude(phone_enc="").values_list("id", "phone_enc")
    fixed = [pk for pk, enc in rows.iterator(chunk_size=2000) if not is_mobile(crypto.decrypt(enc))]
    for i in range(0, len(fixed), 500):
        notification.objects.filter(pk__in=fixed[i:i + 500]).update(state="landline", next_attempt_at=None)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0006_landline_state")]

    operations = [migrations.RunPython(to_landline, migrations.RunPython.noop)]
