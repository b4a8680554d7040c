"""Personal data at rest: SM4-GCM encryption and keyed SM3 look-up hashes (GB/T 32907, 32905)."""

from __future__ import annotations

import base64
import functools
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_VERSION = "s1"  # ciphertext format tag, so a later key or algorithm can coexist during rotation
_NONCE = 12
_TAG = 16


@functools.cache
def _data_key() -> bytes:
    try:
        key = bytes.fromhex(settings.DAIBAN_DATA_KEY)
    except ValueError as exc:
        raise ImproperlyConfigured("DAIBAN_DATA_KEY must be 32 hexadecimal characters") from exc
    if len(key) != 16:
        raise ImproperlyConfigured("DAIBAN_DATA_KEY must be 32 hexadecimal characters (128-bit SM4 key)")
    return key


@functools.cache
def _lookup_key() -> bytes:
    if settings.DAIBAN_LOOKUP_KEY:
        return bytes.fromhex(settings.DAIBAN_LOOKUP_KEY)
    # Without a separate key, derive one from the data key so the two never coincide.
    return hashlib.sha256(b"daiban-lookup:" + _data_key()).digest()


def encrypt(plaintext: str) -> str:
    nonce = os.urandom(_NONCE)
    encryptor = Cipher(algorithms.SM4(_data_key()), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    return f"{_VERSION}:" + base64.b64encode(nonce + body + encryptor.tag).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    version, _, payload = token.partition(":")
    if version != _VERSION:
        raise ValueError("unknown ciphertext version")
    raw = base64.b64decode(payload)
    nonce, body, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
    decryptor = Cipher(algorithms.SM4(_data_key()), modes.GCM(nonce, tag)).decryptor()
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode()
    except InvalidTag as exc:
        raise ValueError("ciphertext was altered or the key is wrong") from exc


def lookup_hash(value: str) -> str:
    """Keyed SM3 HMAC: equal inputs give equal hashes, but nobody without the key can test guesses."""
    mac = hmac.HMAC(_lookup_key(), hashes.SM3())
    mac.update(value.encode())
    return mac.finalize().hex()
