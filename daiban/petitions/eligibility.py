"""不予代办: the four exclusions of DOMAIN.md, and finding earlier petitions on the same matter."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from daiban.petitions.models import Petition, PetitionLink
from daiban.petitions.similarity import shingles, similarity
from daiban.petitions.workflow import EXCLUSIONS, OPEN


@dataclass(frozen=True)
class Reason:
    code: str
    petition: Petition | None

    @property
    def message(self) -> str:
        suffix = f"（{self.petition.number}）" if self.petition else ""
        return EXCLUSIONS[self.code] + suffix


def same_matter(petition: Petition) -> list[tuple[Petition, float]]:
    """Earlier petitions of the same petitioner whose content is similar enough.

    Reads only this petitioner's petitions through the (petitioner, id) index, never the table.
    """
    mine = shingles(petition.content)
    threshold = settings.DAIBAN_SAME_MATTER_THRESHOLD
    found = []
    earlier = Petition.objects.filter(petitioner_id=petition.petitioner_id, id__lt=petition.id).only(
        "id", "number", "content", "status", "three_level_terminated", "three_in_place"
    )
    for other in earlier:
        score = similarity(mine, shingles(other.content))
        if score >= threshold:
            found.append((other, score))
    return found


def link_related(petition: Petition) -> list[PetitionLink]:
    links = [PetitionLink(petition=petition, related=other, score=score) for other, score in same_matter(petition)]
    PetitionLink.objects.bulk_create(links, ignore_conflicts=True)
    return links


def exclusions(petition: Petition) -> list[Reason]:
    """Why this petition may not be taken into agency; empty when it may."""
    reasons: list[Reason] = []
    related = [link.related for link in petition.links.select_related("related")]
    for other in related:
        if other.three_in_place:
            reasons.append(Reason("three_in_place", other))
    for other in related:
        if other.three_level_terminated:
            reasons.append(Reason("terminated_three_levels", other))
    for other in related:
        if other.status in OPEN:
            reasons.append(Reason("in_progress", other))
    if petition.in_judicial_proceedings:
        reasons.append(Reason("judicial", None))
    return reasons
