"""Errors a service raises for a person to read. The API and the pages turn them into answers."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    status = 400
    default_code = "invalid"

    def __init__(
        self, message: str, *, code: str | None = None, fields: dict[str, str] | None = None, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.fields = fields or {}
        self.extra = extra or {}


class Invalid(ServiceError):
    """Bad input (400). `fields` maps each bad field to its Chinese message."""

    status = 400
    default_code = "invalid"

    @classmethod
    def of(cls, fields: dict[str, str]) -> Invalid:
        return cls("；".join(fields.values()), fields=fields)


class Forbidden(ServiceError):
    status = 403
    default_code = "forbidden"


class NotFound(ServiceError):
    status = 404
    default_code = "not_found"


class Conflict(ServiceError):
    """The action is not allowed now, the petition is not eligible, or someone acted first (409)."""

    status = 409
    default_code = "conflict"


class RateLimited(ServiceError):
    """Too many requests from this client, or too many wrong query codes for this number (429).
    `retry_after`: seconds until it may try again, sent as Retry-After when known."""

    status = 429
    default_code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after

    def stamp(self, response: Any) -> Any:
        """`response` with Retry-After set when the wait is known (the API's and the pages' 429)."""
        if self.retry_after:
            response["Retry-After"] = str(self.retry_after)
        return response


class Unauthorized(ServiceError):
    """Not signed in: wrong credentials, or a second factor needed (401)."""

    status = 401
    default_code = "unauthorized"
