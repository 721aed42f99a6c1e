"""Client keys through the official ``openai`` SDK: who gets in, which models, how much, and usage."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Any

import openai
import pytest
import requests

from tests.conftest import API_KEY, GatewayFactory, LiveGateway
from tests.emulator import VertexEmulator, payloads
from tests.support.openai_schema import assert_chat_completion, assert_error

ALICE = "sk-alice-e2e-0123456789abcdef"
BOB = "sk-bob-e2e-0123456789abcdef00"
HELLO = [{"role": "user", "content": "Hello"}]


def keys_yaml(*entries: str) -> str:
    return "keys:\n" + "".join(entries)


def entry(name: str, key: str, **fields: Any) -> str:
    lines = [f"  - name: {name}\n", f"    sha256: {hashlib.sha256(key.encode()).hexdigest()}\n"]
    lines += [f"    {field}: {value}\n" for field, value in fields.items()]
    return "".join(lines)


def keys_gateway(gateway_factory: GatewayFactory, tmp_path: Path, text: str, **env: str) -> LiveGateway:
    path = tmp_path / "keys.yaml"
    path.write_text(text)
    return gateway_factory(service_accounts=False, CLIENT_KEYS_FILE=str(path), **env)


def client(live: LiveGateway, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=live.url + "/v1", api_key=key, max_retries=0, timeout=30)


def answer_costing(prompt: int, output: int, thoughts: int = 0) -> dict[str, Any]:
    """A Vertex answer that reports exactly these token counts."""
    parts = [{"text": "Thinking it over", "thought": True}, {"text": "Hi there"}] if thoughts else [{"text": "Hi there"}]
    return payloads.response([payloads.candidate(parts)], payloads.usage(prompt, output, thoughts), "gemini-2.5-flash")


def test_each_key_gets_in_and_the_log_line_names_it_never_the_key(
    gateway_factory: GatewayFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    live = keys_gateway(gateway_factory, tmp_path, keys_yaml(entry("alice", ALICE)))
    caplog.set_level(logging.INFO)
    assert_chat_completion(client(live, ALICE).chat.completions.create(model="gemini-2.5-flash", messages=HELLO).model_dump(exclude_unset=True))
    assert_chat_completion(client(live, API_KEY).chat.completions.create(model="gemini-2.5-flash", messages=HELLO).model_dump(exclude_unset=True))
    with pytest.raises(openai.AuthenticationError) as refused:
        client(live, BOB).models.list()
    assert refused.value.code == "invalid_api_key"
    assert_error(refused.value.response.json())
    summaries = [r.getMessage() for r in caplog.records if r.name == "adapter.requests"]
    assert [line.split(" key=")[1].split()[0] for line in summaries if " key=" in line] == ["alice", "admin"]
    assert ALICE not in caplog.text and BOB not in caplog.text and API_KEY not in caplog.text


def test_an_expired_key_is_refused_with_401_saying_when_it_expired(gateway_factory: GatewayFactory, tmp_path: Path) -> None:
    live = keys_gateway(gateway_factory, tmp_path, keys_yaml(entry("alice", ALICE, expires="2020-03-01T12:00:00Z")))
    with pytest.raises(openai.AuthenticationError) as refused:
        client(live, ALICE).chat.completions.create(model="gemini-2.5-flash", messages=HELLO)
    assert refused.value.status_code == 401 and refused.value.code == "api_key_expired"
    assert refused.value.response.json()["error"]["message"] == "The API key 'alice' expired at 2020-03-01T12:00:00Z."
    assert_error(refused.value.response.json())


def test_a_key_added_to_the_file_works_at_once_and_a_removed_one_stops(gateway_factory: GatewayFactory, tmp_path: Path) -> None:
    live = keys_gateway(gateway_factory, tmp_path, keys_yaml(entry("alice", ALICE)))
    live.gateway.keys.check_interval = 0
    path = tmp_path / "keys.yaml"
    with pytest.raises(openai.AuthenticationError):
        client(live, BOB).models.list()
    path.write_text(keys_yaml(entry("bob", BOB)))
    os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
    assert client(live, BOB).models.list().data
    with pytest.raises(openai.AuthenticationError):
        client(live, ALICE).models.list()


def test_client_keys_alone_run_the_gateway_without_an_admin_key(gateway_factory: GatewayFactory, tmp_path: Path) -> None:
    live = keys_gateway(gateway_factory, tmp_path, keys_yaml(entry("alice", ALICE)), API_KEY="")
    assert_chat_completion(client(live, ALICE).chat.completions.create(model="gemini-2.5-flash", messages=HELLO).model_dump(exclude_unset=True))
    with pytest.raises(openai.AuthenticationError):
        client(live, API_KEY).models.list()
    with pytest.raises(openai.PermissionDeniedError) as refused:
        client(live, ALICE).get("/usage", cast_to=object)
    assert "needs the admin key (API_KEY); the key 'alice' is a client key" in refused.value.message
    assert_error(refused.value.response.json())
