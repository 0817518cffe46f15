"""Password hashing (scrypt, a slow KDF) and API keys (random, stored as sha256)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# scrypt parameters: ~50 ms and 16 MiB per hash on this machine class.
_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest, validate=True)
        actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt, validate=True), n=int(n), r=int(r),
                                p=int(p), dklen=len(expected))
    except (ValueError, TypeError, MemoryError):
        # A corrupt stored hash (binascii.Error is a ValueError) denies the login instead of failing it.
        return False
    return hmac.compare_digest(actual, expected)


# Verifying against this keeps a login for an unknown user as slow as a real one.
DUMMY_PASSWORD_HASH = hash_password(secrets.token_urlsafe(16))


def new_api_key() -> str:
    return secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    # Keys are 256 random bits: a fast hash is enough, and lookups stay indexed.
    return hashlib.sha256(key.encode()).hexdigest()
