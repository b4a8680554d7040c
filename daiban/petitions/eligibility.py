"""不予代办: the four exclusions of DOMAIN.md, and finding earlier petitions on the same matter."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from daiban.lib import crypto
from daiban.lib.compiled import Compiled, KeyedCompiled
from daiban.lib.errors import NotFound
from daiban.org.models import User
from daiban.petitions import matters
from daiban.petitions.abilities import require
from daiban.petitions.index_models import PetitionFeatures
from daiban.petitions.models import Event, Petition, Petitioner, PetitionLink
from daiban.petitions.permissions import (
    Visibility,
    department_view,
    get_visible_petition,
    petitions_visible_to,
    visibility,
    visible_ids,
    visible_petitions,
)
from daiban.petitions.similarity import Features, TermStats, features, norm, score
from daiban.petitions.workflow import EXCLUSIONS, OPEN


@dataclass(frozen=True)
class Reason:
    code: str
    petition: Petition | None
    elsewhere: bool = False  # the earlier petition is one the reader may not see (another station's)

    @property
    def message(self) -> str:
        if self.petition:
            return f"{EXCLUSIONS[self.code]}（{self.petition.number}）"
        return EXCLUSIONS[self.code] + ("（由其他代办机构办理）" if self.elsewhere else "")


def as_seen_by(user: User | None, reasons: list[Reason]) -> list[Reason]:
    """`reasons` as `user` may read them: an earlier petition the user may not see is not named (no id,
    no number), only said to be handled elsewhere; the reason itself still counts (API.md: existence
    does not leak; the petition is still 不予代办)."""
    shown = visible_ids(user, [r.petition.pk for r in reasons if r.petition])
    return [r if r.petition is None or r.petition.pk in shown else Reason(r.code, None, elsewhere=True)
            for r in reasons]


def scored_earlier(petitioner_id: int, content: str | Features, before_id: int | None = None,
                   stats: TermStats | None = None, *, with_content: bool = True) -> list[tuple[Petition, float]]:
    """Every earlier petition of this petitioner with its similarity to `content`, newest first.

    Reads only this petitioner's petitions through the (petitioner, id) index, never the table, and
    their stored features (PetitionFeatures); a petition without them is cut on the spot. Weights
    are the document frequencies of the bureau's petitions (TermCount), read for these terms only.
    `with_content=False`: the petitions come without their text (deferred), for callers that do
    not show it (intake's linking): the stored features stand for it.
    """
    from daiban.petitions.termcounts import stats_for

    mine = content if isinstance(content, Features) else features(content)
    stats = stats if stats is not None else stats_for(mine.terms)
    own = norm(mine, stats)
    columns = ["id", "number", "status", "review_level", "received_on", "station_id", "three_level_terminated",
               "three_in_place"]
    query = Petition.objects.filter(petitioner_id=petitioner_id).order_by("-id").only(
        *columns, *(["content"] if with_content else []))
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    earlier = list(query)
    stored = {pf.petition_id: pf for pf in PetitionFeatures.objects.filter(petition_id__in=[p.pk for p in earlier])}
    missing = [p.pk for p in earlier if p.pk not in stored]
    if with_content:
        texts = {p.pk: p.content for p in earlier if p.pk in missing}
    else:  # read only for a petition without stored features
        texts = dict(Petition.objects.filter(pk__in=missing).values_list("id", "content")) if missing else {}
    out = []
    for other in earlier:
        pf = stored.get(other.pk)
        theirs = Features.loads(pf.terms, pf.facts) if pf else features(texts[other.pk])
        out.append((other, score(mine, theirs, stats, norm_a=own, norm_b=pf.norm if pf and pf.norm else None)))
    return out


def same_matter(petition: Petition, f: Features | None = None, stats: TermStats | None = None) -> list[tuple[Petition, float]]:
    """Earlier petitions of the same petitioner whose content is the same matter (`likeness` "same")."""
    return [
        (other, value)
        for other, value in scored_earlier(petition.petitioner_id, f or petition.content, before_id=petition.pk,
                                           stats=stats, with_content=False)
        if likeness(value, True) == "same"
    ]


def link_related(petition: Petition, f: Features | None = None, stats: TermStats | None = None) -> list[PetitionLink]:
    links = [PetitionLink(petition=petition, related=other, score=value) for other, value in same_matter(petition, f, stats)]
    PetitionLink.objects.bulk_create(links, ignore_conflicts=True)
    return links


def exclusions(petition: Petition) -> list[Reason]:
    """Why this petition may not be taken into agency; empty when it may."""
    related = [link.related for link in petition.links.select_related("related")]
    return reasons_from(related, judicial=petition.in_judicial_proceedings)


def exclusions_of(user: User, petition_id: int) -> list[Reason]:
    """`exclusions()` of a petition this user may see (NotFound, 404, otherwise), reading only what
    the answer needs: the judicial flag, and the number, status and termination flags of the linked
    earlier petitions (two narrow queries; the links were stored when the petition came in)."""
    petition = _JUDICIAL.first(visibility(user), petition_id)
    if petition is None:
        raise NotFound("信访事项不存在")
    reasons = reasons_from([link.related for link in _LINKS.rows(petition_id)], judicial=petition.in_judicial_proceedings)
    if department_view(user, petition) is not None:
        # A department asked to act does not learn the petitioner's other petitions (the detail hides
        # its `related` too): with a per-matter masking, their numbers would tie a masked matter to a
        # person it knows from another one.
        return [Reason(r.code, None) for r in reasons]
    return as_seen_by(user, reasons)


# Both queries compiled once (daiban.lib.compiled, issue 16): the first per set of petitions a user may see.
_JUDICIAL: KeyedCompiled[Visibility, Petition] = KeyedCompiled(
    lambda seen, pid: petitions_visible_to(seen).filter(pk=pid).only("id", "in_judicial_proceedings").order_by()[:1])
_LINKS: Compiled[PetitionLink] = Compiled(
    lambda pid: PetitionLink.objects.filter(petition_id=pid).select_related("related").only(
        "id", "related_id", "related__id", "related__number", "related__status", "related__three_level_terminated",
        "related__three_in_place").order_by("id"))


def likeness(score: float, typed: bool) -> str:
    """"same" at or above DAIBAN_SAME_MATTER_THRESHOLD (不予代办 while it is in progress), "possible"
    from DAIBAN_POSSIBLY_SAME_MATTER_THRESHOLD up (the agent looks: a complaint retold in other words
    often scores there, README "Same matter"), else "" — and "" whenever no content was given."""
    if not typed:
        return ""
    if score >= settings.DAIBAN_SAME_MATTER_THRESHOLD:
        return "same"
    return "possible" if score >= settings.DAIBAN_POSSIBLY_SAME_MATTER_THRESHOLD else ""


@dataclass(frozen=True)
class Earlier:
    """One earlier petition of the petitioner, scored against the content being registered."""

    petition: Petition
    score: float
    likeness: str  # likeness(): "same", "possible" or ""


@dataclass(frozen=True)
class Preview:
    """What intake shows before a petition is saved (`preview`)."""

    known: bool  # the ID number is a registered petitioner's
    typed: bool  # content was given, so the scores mean something
    earlier: list[Earlier]  # those the user may see: most alike first when typed, else newest first
    hidden_count: int  # earlier petitions the user may not see (other stations'); they still count
    reasons: list[Reason]  # the 不予代办 exclusions the petition would have once saved
    similar: list[tuple[Petition, float]]  # open petitions of other petitioners at the station
    petitioner_id: int | None = None  # the person the ID number names, when known


def preview(user: User, *, id_number: str, content: str, station_id: int | None, judicial: bool = False) -> Preview:
    """The check at intake, before saving: the petitioner's earlier petitions (through the keyed hash
    of the ID number, so `id_number` must be normalised already), each scored against `content`,
    the exclusions they imply (DOMAIN.md 不予代办; the same reasons the saved petition gets from its
    links), and the same matter across petitioners at `station_id` (matters.py; none without a
    station). Reads only this petitioner's petitions and the station's bucket index; changes nothing.
    The caller checks the "intake" ability and the station (intake.intake_check)."""
    petitioner_id = Petitioner.objects.filter(id_hash=crypto.lookup_hash(id_number)).values_list("pk", flat=True).first()
    typed = bool(content.strip())
    visible = visible_petitions(user)
    similar = (matters.similar_to_text(content, station_id=station_id, petitioner_id=petitioner_id, visible=visible)
               if typed and station_id else [])
    scored = scored_earlier(petitioner_id, content) if petitioner_id else []
    rated = [Earlier(p, value, likeness(value, typed)) for p, value in scored]
    same = [e.petition for e in rated if e.likeness == "same"]  # newest first, as the reasons name them
    if typed:  # most alike first: a retelling in other words scores below the threshold but near it
        rated.sort(key=lambda e: -e.score)
    seen = _seen(user, [p for p, _ in scored])
    return Preview(
        known=petitioner_id is not None, typed=typed,
        earlier=[e for e in rated if e.petition.pk in seen], hidden_count=len(scored) - len(seen),
        reasons=as_seen_by(user, reasons_from(same, judicial=judicial)), similar=similar,
        petitioner_id=petitioner_id)


def earlier_scored(petition: Petition) -> list[tuple[Petition, float]]:
    """`scored_earlier` for a saved petition: its earlier petitions (by id), scored with its stored
    features, as intake scored them (the text is cut again only when none are stored)."""
    from daiban.petitions.termcounts import stats_for

    stored = PetitionFeatures.objects.filter(petition_id=petition.pk).only("terms", "facts").first()
    if stored is None:
        return scored_earlier(petition.petitioner_id, petition.content, before_id=petition.pk)
    mine = Features.loads(stored.terms, stored.facts)
    # Its own text was counted in the frequencies when it was saved; left out again here, the scores
    # are those shown before saving (others' petitions since move them only as the bureau's grow).
    return scored_earlier(petition.petitioner_id, mine, before_id=petition.pk,
                          stats=stats_for(mine.terms).without(mine.terms))


def dismissed(petition_id: int) -> set[int]:
    """Earlier petitions whose last ruling on this petition is 不是同一事项 (an `unlink` event not
    followed by a `link` for the same one): not offered again as possibly the same."""
    last: dict[int, str] = {}
    for action, data in Event.objects.filter(petition_id=petition_id, action__in=("link", "unlink")).order_by(
            "id").values_list("action", "data"):
        if isinstance(data, dict) and isinstance(data.get("related_id"), int):
            last[data["related_id"]] = action
    return {pk for pk, action in last.items() if action == "unlink"}


def possibly_same(petition: Petition, user: User) -> list[Earlier]:
    """Earlier petitions of the same petitioner that the check found possibly the same matter
    (likeness "possible": from DAIBAN_POSSIBLY_SAME_MATTER_THRESHOLD up, below the same-matter
    threshold), not linked, not ruled 不是同一事项 (`dismissed`), that `user` may see; most alike
    first. The case page offers them for a person to rule on (services.petition_link)."""
    ruled = set(petition.links.values_list("related_id", flat=True)) | dismissed(petition.pk)
    found = [Earlier(other, value, "possible") for other, value in earlier_scored(petition)
             if likeness(value, True) == "possible" and other.pk not in ruled]
    seen = _seen(user, [e.petition for e in found])
    return sorted((e for e in found if e.petition.pk in seen), key=lambda e: -e.score)


def possibly_same_of(user: User, petition_id: int) -> list[Earlier]:
    """`possibly_same` of a petition this user may see (NotFound, 404, otherwise) and may rule on
    (Forbidden, 403, otherwise: a department sees the case, not the agency's judgement of repeats)."""
    petition = get_visible_petition(user, petition_id)
    require(user, "link", petition)
    return possibly_same(petition, user)


def _seen(user: User, petitions: list[Petition]) -> set[int]:
    """The ids of those of `petitions` that `user` may see (one query; none for an empty list)."""
    return visible_ids(user, [p.pk for p in petitions])


def reasons_from(related: list[Petition], *, judicial: bool) -> list[Reason]:
    """The exclusions that earlier petitions on the same matter (and the judicial flag) imply."""
    reasons: list[Reason] = []
    for other in related:
        if other.three_in_place:
            reasons.append(Reason("three_in_place", other))
    for other in related:
        if other.three_level_terminated:
            reasons.append(Reason("terminated_three_levels", other))
    for other in related:
        if other.status in OPEN:
            reasons.append(Reason("in_progress", other))
    if judicial:
        reasons.append(Reason("judicial", None))
    return reasons
