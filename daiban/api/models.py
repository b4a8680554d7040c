"""API bearer tokens: stored as SHA-256 digests, with an expiry, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from daiban.lib.compiled import Compiled


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"

    @classmethod
    def issue(cls, user) -> tuple[ApiToken, str]:
        token = secrets.token_urlsafe(32)
        row = cls.objects.create(
            user=user, key_hash=digest(token),
            expires_at=timezone.now() + timedelta(hours=settings.DAIBAN_TOKEN_HOURS),
        )
        return row, token

    @classmethod
    def revoke(cls, row: ApiToken) -> None:
        cls.objects.filter(pk=row.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())

    @classmethod
    def revoke_all(cls, user) -> int:
        """Revoke every live token of `user` (password change, deactivation, a role removed). Returns the count."""
        return cls.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()).update(
            revoked_at=timezone.now())

    @classmethod
    def user_for(cls, token: str):
        row = _BY_KEY.first(digest(token))
        # Expiry checked here rather than in SQL (the same rule): the query's shape is compiled once.
        if row is None or row.expires_at <= timezone.now() or not row.user.is_active:
            return None, None
        return row.user, row


# Every API request reads its token: with the user, their station and department, and the agent
# record (one join, not a query of its own: permissions.user_agent reads it). key_hash is unique.
_BY_KEY: Compiled[ApiToken] = Compiled(
    lambda key: ApiToken.objects.select_related("user", "user__station", "user__department", "user__agent")
    .filter(key_hash=key, revoked_at__isnull=True)[:1],
    kinds=(str,),
)


class IdempotentIntake(models.Model):
    """The petition one `Idempotency-Key` of `POST /api/v1/petitions` registered, per user (the IETF
    httpapi draft's header): a client that retries after a timeout, or sends twice at once, gets the
    petition registered the first time instead of a second one. `body_sha256` is the canonical body's
    digest: the same key with another body is refused (api.idempotency)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField("幂等键", max_length=64)
    body_sha256 = models.CharField(max_length=64)
    petition = models.ForeignKey("petitions.Petition", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "接口登记幂等键"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotent_intake_once")]
