"""An outsider and each staff role, a twelfth time: each fault found is one example of its kind.

- history that says it is append-only is append-only below the pages too: the log of corrections
  of a petitioner's data and the internal notes refuse a change or a delete, one by one or in bulk,
  as the timeline and the personal-data view log do (daiban.audit.guard);
"""

from __future__ import annotations

import pytest
from django.db import transaction

from daiban.audit.guard import AppendOnlyError
from daiban.org.models import User
from daiban.petitions.models import PetitionerCorrection
from daiban.staff import notes
from daiban.staff.models import CaseNote

# --- history declared append-only ---------------------------------------------------------------------


def test_a_correction_of_a_petitioners_data_and_an_internal_note_cannot_be_changed_or_removed(api, accepted):
    """Actor: code reaching the rows through the ORM (a script, a bulk edit, a cascade): the record of
    who corrected which data, and why, and the agency's notes stay as written."""
    petition = accepted()
    corrected = api("agent1").post(f"/petitions/{petition['id']}/petitioner/correction",
                                   {"phone": "13900000099", "reason": "信访人换了手机号"})
    assert corrected.status_code == 200, corrected.data
    note = notes.add_note(user=User.objects.get(username="agent1"), petition_id=petition["id"], text="已电话核实住址")
    correction = PetitionerCorrection.objects.get(petition_id=petition["id"])
    for row, field in ((correction, "reason"), (note, "text")):
        setattr(row, field, "改过的内容")
        with pytest.raises(AppendOnlyError), transaction.atomic():
            row.save()
        with pytest.raises(AppendOnlyError), transaction.atomic():
            row.delete()
        with pytest.raises(AppendOnlyError), transaction.atomic():
            type(row).objects.filter(pk=row.pk).update(**{field: "改过的内容"})
        with pytest.raises(AppendOnlyError), transaction.atomic():
            type(row).objects.filter(pk=row.pk).delete()
    assert PetitionerCorrection.objects.get(pk=correction.pk).reason == "信访人换了手机号"
    assert CaseNote.objects.get(pk=note.pk).text == "已电话核实住址"
    # Adding stays possible: a note is corrected by another note.
    notes.add_note(user=User.objects.get(username="agent1"), petition_id=petition["id"], text="更正：住址为沙尔利格嘎查")
    assert CaseNote.objects.filter(petition_id=petition["id"]).count() == 2
