"""Secrets reach the state file only as salted hashes."""
from __future__ import annotations

import hashlib
import re

import pytest

from kinde_iac.state import hash_secret, is_secret_hash, secret_matches


def test_hash_format_is_algorithm_salt_digest() -> None:
    hashed = hash_secret("s3cr3t")
    assert re.fullmatch(r"sha256\$[0-9a-f]{32}\$[0-9a-f]{64}", hashed)
    _, salt, digest = hashed.split("$")
    assert digest == hashlib.sha256(bytes.fromhex(salt) + b"s3cr3t").hexdigest()
    assert "s3cr3t" not in hashed


def test_same_value_twice_gives_different_hashes_that_both_match() -> None:
    first, second = hash_secret("hunter2"), hash_secret("hunter2")
    assert first != second
    assert first.split("$")[1] != second.split("$")[1]
    assert secret_matches("hunter2", first)
    assert secret_matches("hunter2", second)


@pytest.mark.parametrize("value", ["", "ünïcødé 🔑", "x" * 10_000])
def test_round_trip_for_unusual_values(value: str) -> None:
    assert secret_matches(value, hash_secret(value))


def test_other_values_do_not_match() -> None:
    hashed = hash_secret("right")
    assert not secret_matches("wrong", hashed)
    assert not secret_matches("right ", hashed)
    assert not secret_matches("", hashed)


@pytest.mark.parametrize(
    "hashed",
    [
        None,
        "",
        "right",
        "sha256$zz$00",
        "md5$" + "0" * 32 + "$" + "0" * 64,
        "sha256$" + "0" * 31 + "$" + "0" * 64,
        "sha256$" + "0" * 32 + "$" + "0" * 63,
        "SHA256$" + "0" * 32 + "$" + "0" * 64,
    ],
)
def test_missing_or_malformed_hash_never_matches(hashed: str | None) -> None:
    assert not secret_matches("right", hashed)


def test_is_secret_hash() -> None:
    assert is_secret_hash(hash_secret("v"))
    for other in (None, 42, "", "plain", b"sha256$", ["sha256"], "sha256$" + "0" * 32 + "$" + "0" * 63):
        assert not is_secret_hash(other)


def test_hash_secret_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        hash_secret(b"bytes")  # type: ignore[arg-type]
