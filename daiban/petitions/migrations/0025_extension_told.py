"""ExtensionRequest.told: whether the approval moved the matter's own date and so was told to the
petitioner by SMS; a calendar change re-tells only such dates. Approvals recorded before the field
existed are told when their event says the matter's date moved (`petition_due_moved`), or says
nothing of it (then every approval was told)."""

from django.db import migrations, models


def told_before(apps, schema_editor):
    event = apps.get_model("petitions", "Event")
    request = apps.get_model("petitions", "ExtensionRequest")
    told = [e.data.get("request_id") for e in event.objects.filter(
        action__in=["decide_extension", "disposition_decide_extension"]).only("data").iterator(chunk_size=2000)
        # Before `petition_due_moved` was recorded every approval was told by SMS.
        if isinstance(e.data, dict) and e.data.get("approved") and e.data.get("petition_due_moved", True)]
    ids = [i for i in told if isinstance(i, int)]
    for i in range(0, len(ids), 500):
        request.objects.filter(pk__in=ids[i:i + 500]).update(told=True)


class Migration(migrations.Migration):

    dependencies = [
        ("petitions", "0024_national_due_after_upheld_review"),
    ]

    operations = [
        migrations.AddField(
            model_name="extensionrequest",
            name="told",
            field=models.BooleanField(default=False, verbose_name="已短信告知信访人"),
        ),
        migrations.RunPython(told_before, migrations.RunPython.noop),
    ]
