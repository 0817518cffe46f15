"""Passwords and API keys as the hub stores them."""

from __future__ import annotations

import hashlib

import pytest

from dshub.core import security


def test_password_hashes_are_salted_and_self_describing():
    first, second = security.hash_password("s3cret"), security.hash_password("s3cret")
    assert first != second  # a random salt each time
    assert first.startswith("scrypt$") and "s3cret" not in first
    assert security.verify_password("s3cret", first) and security.verify_password("s3cret", second)
    assert not security.verify_password("S3cret", first)


@pytest.mark.parametrize("stored", ["", "plain", "md5$x", "scrypt$16384$8$1$!!!$!!!", "scrypt$a$b$c$d$e",
                                    "scrypt$16384$8$1$c2FsdA==$"])
def test_a_corrupt_stored_password_hash_denies_instead_of_failing(stored):
    assert security.verify_password("anything", stored) is False


def test_api_keys_are_random_and_stored_as_sha256_hex():
    key = security.new_api_key()
    assert len(key) >= 43 and key != security.new_api_key()
    assert security.hash_api_key(key) == hashlib.sha256(key.encode()).hexdigest()
