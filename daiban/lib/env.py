"""Strict environment readers: a wrong value fails loudly at start-up, not later."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, overload

from django.core.exceptions import ImproperlyConfigured

N = TypeVar("N", int, float)


@overload
def env_str(name: str, default: str) -> str: ...
@overload
def env_str(name: str, default: None = None) -> str | None: ...
def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {value!r}")


def env_int(name: str, default: int, *, low: int | None = None, high: int | None = None) -> int:
    """An integer setting; ImproperlyConfigured (at start-up, naming the setting) when it is not one
    or lies outside [low, high]."""
    value = _number(name, default, int, "an integer")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ImproperlyConfigured(f"{name} must be between {low} and {high}, got {value}")
    return value


def env_float(name: str, default: float) -> float:
    return _number(name, default, float, "a number")


def _number(name: str, default: N, kind: Callable[[str], N], what: str) -> N:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return kind(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be {what}, got {value!r}") from exc


def development_secrets(path: Path) -> dict[str, str]:
    """Secrets for a development checkout, generated once into an ignored file.

    Production never reaches this: it must set every secret in the environment.
    """
    if path.exists():
        return json.loads(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DAIBAN_DATA_KEY": secrets.token_hex(16),
        "DAIBAN_LOOKUP_KEY": secrets.token_hex(32),
    }
    path.write_text(json.dumps(values, indent=2))
    path.chmod(0o600)
    return values


def secret(name: str, production: bool, dev_values: dict[str, str] | None) -> str:
    value = env_str(name)
    if value:
        return value
    if production or dev_values is None:
        raise ImproperlyConfigured(f"环境变量 {name} 未设置 (the environment variable {name} is required)")
    return dev_values[name]
