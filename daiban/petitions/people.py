"""Reads about one person: the petitioner profile (every petition of the person, by the keyed hash)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch

from daiban.lib.errors import NotFound
from daiban.org.models import User
from daiban.petitions.abilities import may_see_personal_data
from daiban.petitions.corrections import CORRECTABLE, correction_changes
from daiban.petitions.models import PersonalDataView, Petition, Petitioner, PetitionerCorrection, PetitionLink
from daiban.petitions.permissions import visible_petitions
from daiban.petitions.workflow import OPEN


@dataclass(frozen=True)
class Correction:
    """One correction of the person's contact data, as the profile lists it (values in clear: the
    profile is for those who may see the full data, and each visit is logged)."""

    at: datetime.datetime
    by: str
    petition_number: str
    reason: str
    changes: list[tuple[str, str, str]]  # (field label, before, after)


@dataclass
class Profile:
    petitioner: Petitioner
    petitions: list[Petition]
    hidden: int  # petitions of the person the user may not see (other stations)
    counts: dict[str, int] = field(default_factory=dict)
    corrections: list[Correction] = field(default_factory=list)


def _corrections(petitioner: Petitioner, petition_ids: list[int]) -> list[Correction]:
    """The corrections of the person's data made on these petitions (those whose personal data the
    viewer may see): a correction on another station's petition names that petition, its agent and
    the old and new name and phone, none of which this viewer may read."""
    rows = (PetitionerCorrection.objects.filter(petitioner=petitioner, petition_id__in=petition_ids)
            .select_related("by", "petition").order_by("-id")[:50])
    out = []
    for row in rows:
        changes = correction_changes(row)
        out.append(Correction(
            at=row.at, by=row.by.display_name, petition_number=row.petition.number, reason=row.reason,
            changes=[(CORRECTABLE.get(key, key), change["old"], change["new"]) for key, change in changes.items()],
        ))
    return out


def profile(user: User, petitioner_id: int, *, via: str = "petitioner_profile") -> Profile:
    """The person and every petition of theirs this user may see, newest first, with contacts,
    links to earlier petitions on the same matter (repeats) and follow-ups. Only for a user who may
    see the person's full data on at least one of those petitions (permissions.may_see_personal_data);
    otherwise NotFound, as for a petition one may not see. The visit is logged as a personal-data view.
    """
    petitioner = Petitioner.objects.filter(pk=petitioner_id).first()
    if petitioner is None:
        raise NotFound("信访人不存在")
    petitions = list(
        visible_petitions(user).filter(petitioner_id=petitioner.pk).order_by("-id")
        .select_related("station", "agent")
        # Links to earlier petitions this user may see: another station's is not named here either.
        .prefetch_related("contacts", Prefetch("links", queryset=PetitionLink.objects.select_related("related")
                                               .filter(related_id__in=visible_petitions(user).values("pk"))))
    )
    granting = next((p for p in petitions if may_see_personal_data(user, p)), None)
    if granting is None:
        raise NotFound("信访人不存在")
    PersonalDataView.objects.create(user=user, petition=granting, fields="id_number,phone", via=via)
    total = Petition.objects.filter(petitioner_id=petitioner.pk).count()
    counts = {
        "total": len(petitions),
        "open": sum(p.status in OPEN for p in petitions),
        "repeats": sum(1 for p in petitions if p.links.all()),
        "satisfied": sum(p.satisfaction in ("satisfied", "fairly_satisfied") for p in petitions),
        "rated": sum(bool(p.satisfaction) for p in petitions),
        "followed_up": sum(p.followed_up_on is not None for p in petitions),
    }
    readable = [p.pk for p in petitions if may_see_personal_data(user, p)]
    return Profile(petitioner, petitions, total - len(petitions), counts, _corrections(petitioner, readable))


def profile_ids(user: User, petitions: list[Petition]) -> set[int]:
    """Petitioners (ids) whose profile this user may open, among these petitions' petitioners."""
    return {p.petitioner_id for p in petitions if may_see_personal_data(user, p)}
