"""The sweep urges a 处置单 at most once a working day; its events no longer set the floor for
back-dated paper work. Open petitions whose last event date an automatic urging had moved get back
the date of the last event a person entered."""

from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce

SYSTEM_ACTOR = "系统"
OPEN = ["received", "accepted", "in_progress", "escalated", "concluded", "feedback_given", "under_review"]


def restore_floor(apps, schema_editor):
    Petition = apps.get_model("petitions", "Petition")
    Event = apps.get_model("petitions", "Event")
    people = (Event.objects.filter(petition=OuterRef("pk")).exclude(actor_name=SYSTEM_ACTOR)
              .values("petition").annotate(last=Max("on")).values("last"))
    swept = Event.objects.filter(petition=OuterRef("pk"), action="urge", actor_name=SYSTEM_ACTOR)
    (Petition.objects.filter(status__in=OPEN).filter(models.Exists(swept))
     .update(last_event_on=Coalesce(Subquery(people), models.F("received_on"))))


class Migration(migrations.Migration):

    dependencies = [
        ('petitions', '0013_i12a_escalation_extension_reassign'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='urging',
            constraint=models.UniqueConstraint(condition=models.Q(('automatic', True)), fields=('disposition', 'on'), name='urging_automatic_once_a_day'),
        ),
        migrations.RunPython(restore_floor, migrations.RunPython.noop),
    ]
