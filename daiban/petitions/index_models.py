"""Tables that find petitions: the text features of each petition and their document frequencies
(same matter), MinHash LSH band keys (similar matters of other petitioners), and the search entry
(the list's `q`). All are derived from petitions and kept current in the transaction that changes
them (daiban/petitions/indexing.py); `manage.py reindex` rebuilds them.

Kept apart from models.py (imported at its end) so the index can change without touching the
petition's own model.
"""

from __future__ import annotations

from django.db import models


class TermCount(models.Model):
    """How many petitions contain a term (document frequency); the row with term "" counts petitions."""

    term = models.CharField(max_length=64, primary_key=True)
    petitions = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "词项文档频率"


class PetitionFeatures(models.Model):
    """The stored features of a petition's content (similarity.Features), so a check reads them
    instead of cutting every earlier text again."""

    petition = models.OneToOneField("petitions.Petition", primary_key=True, on_delete=models.CASCADE,
                                    related_name="features")
    terms = models.TextField()
    facts = models.TextField(blank=True)
    norm = models.FloatField(default=0)  # similarity.norm at indexing


class MatterBucket(models.Model):
    """One MinHash LSH band key of a petition. Petitions sharing a key are candidates for the same
    matter; the station comes first in the index because the check is per station."""

    key = models.BigIntegerField()
    petition = models.ForeignKey("petitions.Petition", on_delete=models.CASCADE, related_name="+")
    station_id = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["station_id", "key", "petition"], name="matter_bucket_key_idx"),
            models.Index(fields=["petition"], name="matter_bucket_petition_idx"),
        ]


class MatterLink(models.Model):
    """A petition of another petitioner at the same station on a similar matter (联名/集体/群体性
    苗头), found at intake. The 矛盾纠纷热点 list joins these into clusters."""

    petition = models.ForeignKey("petitions.Petition", on_delete=models.CASCADE, related_name="matter_links")
    other = models.ForeignKey("petitions.Petition", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["petition", "other"], name="matter_link_unique")]
        indexes = [models.Index(fields=["other"], name="matter_link_other_idx")]


class SearchEntry(models.Model):
    """The text the list's `q` searches, as space-separated tokens (search.py): the number's
    trigrams, the name's characters and bigrams, the content's and results' bigrams. SQLite indexes
    it with an FTS5 table, PostgreSQL with a generated tsvector column and GIN (migration 0007)."""

    petition = models.OneToOneField("petitions.Petition", primary_key=True, on_delete=models.CASCADE,
                                    related_name="search_entry")
    number = models.TextField()
    name = models.TextField()
    body = models.TextField()
