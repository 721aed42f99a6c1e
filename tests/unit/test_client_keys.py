"""Client keys: parsing a keys document, matching models, expiry (pure)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import pytest

from adapter.keys.definitions import ClientKey, KeysError, admin_key, digest_of, parse_keys

ALICE = "sk-alice-0123456789abcdef"


def one(entry: dict) -> ClientKey:
    return parse_keys([entry], "test")[0]


def test_a_full_key_is_parsed_with_its_limits_and_only_a_digest_of_the_key() -> None:
    key = one({"name": "alice", "key": ALICE, "models": ["gemini-2.5-flash*"], "rpm": 60, "tpm": 10000, "tpd": 200000, "expires": "2027-01-31T18:00:00Z"})
    assert (key.name, key.models, key.rpm, key.tpm, key.tpd) == ("alice", ("gemini-2.5-flash*",), 60, 10000, 200000)
    assert key.digest == hashlib.sha256(ALICE.encode()).digest()
    assert key.expires == datetime(2027, 1, 31, 18, tzinfo=timezone.utc).timestamp()
    assert ALICE not in repr(key) and key.limited and not key.admin


def test_a_key_given_by_its_sha256_matches_the_same_digest() -> None:
    key = one({"name": "bob", "sha256": hashlib.sha256(b"sk-bob-0123456789abcdef").hexdigest().upper()})
    assert key.digest == digest_of("sk-bob-0123456789abcdef")
    assert key.models == ("*",) and not key.limited and key.expires is None


@pytest.mark.parametrize(
    "document",
    [{"keys": [{"name": "a", "key": ALICE}]}, [{"name": "a", "key": ALICE}]],
    ids=["mapping", "list"],
)
def test_a_document_is_a_list_or_a_mapping_with_keys(document: object) -> None:
    assert [key.name for key in parse_keys(document, "test")] == ["a"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"key": ALICE}, r"key #1: name must be"),
        ({"name": "has space", "key": ALICE}, r"name must be"),
        ({"name": "admin", "key": ALICE}, r"'admin' is reserved for API_KEY"),
        ({"name": "a"}, r"key #1 \(a\): give exactly one of key or sha256"),
        ({"name": "a", "key": ALICE, "sha256": "0" * 64}, r"exactly one of key or sha256"),
        ({"name": "a", "key": "short"}, r"key must be a string of at least 16"),
        ({"name": "a", "sha256": "abc"}, r"sha256 must be 64 hexadecimal"),
        ({"name": "a", "key": ALICE, "rpm": 0}, r"rpm: expected a positive whole number"),
        ({"name": "a", "key": ALICE, "tpm": "100"}, r"tpm: expected a positive whole number"),
        ({"name": "a", "key": ALICE, "tpd": True}, r"tpd: expected a positive whole number"),
        ({"name": "a", "key": ALICE, "models": []}, r"models: expected a non-empty list"),
        ({"name": "a", "key": ALICE, "models": [3]}, r"models: expected a non-empty list"),
        ({"name": "a", "key": ALICE, "expires": "next week"}, r"expires: expected an ISO 8601 date"),
        ({"name": "a", "key": ALICE, "rmp": 5}, r"unknown field 'rmp'"),
        ("sk-just-a-string-key", r"key #1: expected a mapping"),
    ],
)
def test_a_bad_entry_is_refused_naming_the_key_and_field_never_the_key(entry: object, message: str) -> None:
    with pytest.raises(KeysError, match=message) as raised:
        parse_keys([entry], "CLIENT_KEYS_FILE (keys.yaml)")
    assert str(raised.value).startswith("CLIENT_KEYS_FILE (keys.yaml): ")
    assert ALICE not in str(raised.value) and "sk-just-a-string-key" not in str(raised.value)


@pytest.mark.parametrize("document", [None, "text", {"key": []}, {"keys": "a"}])
def test_a_document_without_a_list_of_keys_is_refused(document: object) -> None:
    with pytest.raises(KeysError, match="expected a list of keys"):
        parse_keys(document, "test")


def test_names_and_keys_are_unique() -> None:
    with pytest.raises(KeysError, match="the name 'a' is used twice"):
        parse_keys([{"name": "a", "key": ALICE}, {"name": "a", "key": ALICE + "x"}], "test")
    with pytest.raises(KeysError, match="key 'b' has the same key as another one"):
        parse_keys([{"name": "a", "key": ALICE}, {"name": "b", "sha256": hashlib.sha256(ALICE.encode()).hexdigest()}], "test")


@pytest.mark.parametrize(
    ("models", "names", "allowed"),
    [
        (["gemini-2.5-flash"], ["gemini-2.5-flash"], True),
        (["gemini-2.5-flash"], ["gemini-2.5-flash-lite"], False),
        (["gemini-2.5-flash*"], ["gemini-2.5-flash-lite"], True),
        (["gemini-2.5-flash*"], ["gemini-2.5-pro"], False),
        (["*-lite", "text-embedding-*"], ["text-embedding-005"], True),
        (["gemini-2.5-flash"], ["claude-sonnet-4", "gemini-2.5-flash"], True),
        (["gemini-2.5-flash"], ["Gemini-2.5-Flash"], False),
        (["*"], ["[EXPRESS]gemini-3-pro-preview"], True),
        (["[[]EXPRESS]*"], ["[EXPRESS]gemini-3-pro-preview"], True),
    ],
)
def test_models_are_matched_as_exact_names_or_globs(models: list[str], names: list[str], allowed: bool) -> None:
    assert one({"name": "a", "key": ALICE, "models": models}).allows(names) is allowed


@pytest.mark.parametrize(
    ("expires", "moment"),
    [
        ("2027-01-31", datetime(2027, 1, 31, tzinfo=timezone.utc)),
        ("2027-01-31T18:00:00+02:00", datetime(2027, 1, 31, 16, tzinfo=timezone.utc)),
        (datetime(2027, 1, 31, 18), datetime(2027, 1, 31, 18, tzinfo=timezone.utc)),
        (datetime(2027, 1, 31).date(), datetime(2027, 1, 31, tzinfo=timezone.utc)),
    ],
)
def test_a_key_expires_at_its_moment_in_utc_unless_it_says_otherwise(expires: object, moment: datetime) -> None:
    key = one({"name": "a", "key": ALICE, "expires": expires})
    assert not key.expired(moment.timestamp() - 1)
    assert key.expired(moment.timestamp())


def test_the_admin_key_has_every_model_and_no_limit() -> None:
    admin = admin_key("sk-admin-key-for-tests")
    assert admin.admin and admin.name == "admin" and not admin.limited and admin.allows(["anything"])
    assert "sk-admin" not in repr(admin)
