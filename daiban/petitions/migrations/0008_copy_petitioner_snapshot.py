"""Existing rows: normalise stored ID and phone numbers to their one accepted form (full-width
digits, `04777654321` vs `0477-7654321`), merge people who were two records only because they were
typed two ways, then give every petition its snapshot of the petitioner (name, phone, address) as
the person's record holds it now."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def normalise_petitioners(apps, schema_editor):
    from daiban.lib import crypto
    from daiban.lib.identity import InvalidValue, normalize_id_number, normalize_phone

    Petitioner = apps.get_model("petitions", "Petitioner")
    Petition = apps.get_model("petitions", "Petition")
    for pk in list(Petitioner.objects.order_by("id").values_list("id", flat=True)):
        person = Petitioner.objects.get(pk=pk)
        try:
            id_number = normalize_id_number(crypto.decrypt(person.id_number_enc))
        except (InvalidValue, ValueError):
            id_number = None
        if id_number is not None:
            id_hash = crypto.lookup_hash(id_number)
            if id_hash != person.id_hash:
                same = Petitioner.objects.filter(id_hash=id_hash).exclude(pk=pk).first()
                if same is not None:
                    Petition.objects.filter(petitioner_id=pk).update(petitioner_id=same.pk)
                    person.delete()
                    continue
                person.id_hash, person.id_number_enc = id_hash, crypto.encrypt(id_number)
        try:
            phone = normalize_phone(crypto.decrypt(person.phone_enc))
        except (InvalidValue, ValueError):
            phone = None
        if phone is not None and crypto.lookup_hash(phone) != person.phone_hash:
            person.phone_enc, person.phone_hash = crypto.encrypt(phone), crypto.lookup_hash(phone)
        person.save()


def copy_snapshot(apps, schema_editor):
    Petitioner = apps.get_model("petitions", "Petitioner")
    Petition = apps.get_model("petitions", "Petition")
    person = Petitioner.objects.filter(pk=OuterRef("petitioner_id"))
    Petition.objects.update(
        petitioner_name=Subquery(person.values("name")[:1]),
        petitioner_phone_enc=Subquery(person.values("phone_enc")[:1]),
        petitioner_phone_hash=Subquery(person.values("phone_hash")[:1]),
        petitioner_address=Subquery(person.values("address")[:1]),
    )


class Migration(migrations.Migration):

    dependencies = [
        ("petitions", "0007_petitioner_snapshot"),
    ]

    operations = [
        migrations.RunPython(normalise_petitioners, migrations.RunPython.noop),
        migrations.RunPython(copy_snapshot, migrations.RunPython.noop),
    ]
