"""The keys in force: API_KEY, CLIENT_KEYS and CLIENT_KEYS_FILE, re-read on change or SIGHUP."""

from __future__ import annotations

import json
import logging
import os
import signal
from pathlib import Path

import pytest

from adapter.keys.definitions import KeysError, admin_key
from adapter.keys.registry import KeyRegistry, install_sighup_handler, parse_env_keys, read_keys_file
from adapter.settings import SettingsError, load_settings

ADMIN = "sk-admin-registry-test-1"
ALICE = "sk-alice-0123456789abcdef"
BOB = "sk-bob-0123456789abcdef00"

YAML_KEYS = f"""
keys:
  - name: alice
    key: {ALICE}
    models: [gemini-2.5-flash*]
    rpm: 10
    expires: 2030-01-01
"""


def write(path: Path, text: str) -> None:
    """Write ``text`` and move the modification time on, as an editor saving later would."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


@pytest.fixture
def keys_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys.yaml"
    write(path, YAML_KEYS)
    return path


def test_yaml_and_json_files_give_the_same_keys(tmp_path: Path, keys_file: Path) -> None:
    as_json = tmp_path / "keys.json"
    as_json.write_text(json.dumps({"keys": [{"name": "alice", "key": ALICE, "models": ["gemini-2.5-flash*"], "rpm": 10, "expires": "2030-01-01"}]}))
    assert read_keys_file(keys_file) == read_keys_file(as_json)


def test_each_presented_key_is_identified_admin_included(keys_file: Path) -> None:
    registry = KeyRegistry(admin=admin_key(ADMIN), env_keys=parse_env_keys(json.dumps([{"name": "bob", "key": BOB}])), path=keys_file)
    assert registry.identify(ADMIN).admin  # type: ignore[union-attr]
    assert registry.identify(ALICE).name == "alice"  # type: ignore[union-attr]
    assert registry.identify(BOB).name == "bob"  # type: ignore[union-attr]
    assert registry.identify("sk-nobody-0123456789abcd") is None
    assert registry.identify("") is None
    assert [key.name for key in registry.client_keys()] == ["bob", "alice"]


def test_an_edited_file_is_used_at_the_next_request_without_a_restart(keys_file: Path, caplog: pytest.LogCaptureFixture) -> None:
    registry = KeyRegistry(admin=None, path=keys_file, check_interval=0)
    assert registry.identify(BOB) is None
    write(keys_file, YAML_KEYS + f"  - name: bob\n    key: {BOB}\n")
    with caplog.at_level(logging.INFO, logger="adapter.keys.registry"):
        assert registry.identify(BOB).name == "bob"  # type: ignore[union-attr]
    assert "client keys reloaded from CLIENT_KEYS_FILE: 2 keys" in caplog.text
    write(keys_file, f"- name: bob\n  key: {BOB}\n")
    assert registry.identify(ALICE) is None  # a key removed from the file is revoked


def test_the_file_is_looked_at_no_more_than_once_per_interval(keys_file: Path) -> None:
    registry = KeyRegistry(admin=None, path=keys_file, check_interval=3600)
    registry.identify(ALICE)
    write(keys_file, f"- name: bob\n  key: {BOB}\n")
    assert registry.identify(BOB) is None
    registry.request_reload()
    assert registry.identify(BOB).name == "bob"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (f"keys:\n  - name: alice\n    key: {ALICE}\n   bad: [", "is not valid YAML at line 4"),
        (f"- name: alice\n  key: {ALICE}\n  rpm: -1\n", "key #1 (alice): rpm: expected a positive whole number"),
        (f"- name: alice\n  key: {ALICE}\n- name: alice\n  key: {BOB}\n", "the name 'alice' is used twice"),
    ],
)
def test_a_malformed_file_keeps_the_last_good_keys_and_logs_why(keys_file: Path, caplog: pytest.LogCaptureFixture, text: str, why: str) -> None:
    registry = KeyRegistry(admin=None, path=keys_file, check_interval=0)
    write(keys_file, text)
    with caplog.at_level(logging.INFO, logger="adapter.keys.registry"):
        assert registry.identify(ALICE).rpm == 10  # type: ignore[union-attr]
        assert registry.identify(ALICE).rpm == 10  # type: ignore[union-attr]
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1, "logged once per change of the file, not once per request"
    assert why in errors[0] and "the last good ones stay in force" in errors[0]
    assert ALICE not in caplog.text and BOB not in caplog.text


def test_a_deleted_file_keeps_the_last_good_keys(keys_file: Path, caplog: pytest.LogCaptureFixture) -> None:
    registry = KeyRegistry(admin=None, path=keys_file, check_interval=0)
    keys_file.unlink()
    with caplog.at_level(logging.ERROR, logger="adapter.keys.registry"):
        assert registry.identify(ALICE).name == "alice"  # type: ignore[union-attr]
    assert "cannot be read: FileNotFoundError" in caplog.text


def test_sighup_re_reads_the_file_even_when_its_stat_did_not_change(keys_file: Path) -> None:
    previous = signal.getsignal(signal.SIGHUP)
    try:
        install_sighup_handler()
        registry = KeyRegistry(admin=None, path=keys_file, check_interval=3600)
        stat = keys_file.stat()
        keys_file.write_text(YAML_KEYS.replace("rpm: 10", "rpm: 20"))
        os.utime(keys_file, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert registry.identify(ALICE).rpm == 10  # type: ignore[union-attr]
        os.kill(os.getpid(), signal.SIGHUP)
        assert registry.identify(ALICE).rpm == 20  # type: ignore[union-attr]
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_a_file_that_cannot_be_used_at_start_up_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeysError, match=r"CLIENT_KEYS_FILE \(.*missing.yaml\) cannot be read"):
        KeyRegistry(admin=None, path=tmp_path / "missing.yaml")
    clash = tmp_path / "clash.yaml"
    clash.write_text(f"- name: bob\n  key: {ALICE}\n")
    with pytest.raises(KeysError, match="the name 'bob' is used twice"):
        KeyRegistry(admin=None, env_keys=parse_env_keys(json.dumps([{"name": "bob", "key": BOB}])), path=clash)


def test_settings_accept_client_keys_without_api_key_and_refuse_neither(tmp_path: Path) -> None:
    env = {"DATA_DIR": str(tmp_path)}
    with pytest.raises(SettingsError, match="API_KEY is not set"):
        load_settings(env)
    settings = load_settings({**env, "CLIENT_KEYS": json.dumps({"keys": [{"name": "bob", "key": BOB}]})})
    assert settings.api_key is None and [key.name for key in settings.client_keys] == ["bob"]
    assert BOB not in repr(settings)
    assert load_settings({**env, "CLIENT_KEYS_FILE": str(tmp_path / "keys.yaml")}).client_keys_file == tmp_path / "keys.yaml"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", r"CLIENT_KEYS is not valid JSON \(Expecting property name"),
        (json.dumps([{"name": "bob", "key": BOB, "rpm": "many"}]), r"CLIENT_KEYS: key #1 \(bob\): rpm"),
    ],
)
def test_malformed_client_keys_stop_start_up_naming_the_variable(tmp_path: Path, raw: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message) as raised:
        load_settings({"API_KEY": ADMIN, "DATA_DIR": str(tmp_path), "CLIENT_KEYS": raw})
    assert BOB not in str(raised.value)
