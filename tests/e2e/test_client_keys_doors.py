"""Client keys on the other front doors and with model aliases: Anthropic's SDK on /v1/messages,
keys that allow a model by its MODEL_ALIASES alias or by the model the alias stands for, and
stored responses that only the key that created them can read, continue or delete."""

from __future__ import annotations

from pathlib import Path

import anthropic
import openai
import pytest

from tests.conftest import API_KEY, GatewayFactory, LiveGateway
from tests.e2e.test_client_keys import ALICE, BOB, HELLO, client, entry, fresh_minute, keys_yaml
from tests.emulator import VertexEmulator
from tests.support.anthropic_shapes import assert_error, assert_message
from tests.support.openai_schema import assert_error as assert_openai_error

ALIASES = "claude-*=gemini-2.5-flash,gpt-4o=gemini-2.5-pro"


def aliased_gateway(gateway_factory: GatewayFactory, tmp_path: Path, text: str) -> LiveGateway:
    path = tmp_path / "keys.yaml"
    path.write_text(text)
    return gateway_factory(service_accounts=False, CLIENT_KEYS_FILE=str(path), MODEL_ALIASES=ALIASES)


def claude(live: LiveGateway, key: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=live.url, api_key=key, max_retries=0, timeout=30)


def ask(sdk: anthropic.Anthropic, model: str = "claude-opus-5-5") -> dict:
    return sdk.messages.create(model=model, max_tokens=256, messages=HELLO).model_dump(exclude_unset=True)


def test_a_key_allows_a_model_by_its_alias_or_by_the_model_the_alias_stands_for(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, tmp_path: Path
) -> None:
    text = keys_yaml(entry("by-alias", ALICE, models='["claude-*"]'), entry("by-target", BOB, models='["gemini-2.5-flash"]'))
    live = aliased_gateway(gateway_factory, tmp_path, text)
    assert client(live, ALICE).chat.completions.create(model="claude-haiku-4-5", messages=HELLO).model == "claude-haiku-4-5"
    assert client(live, BOB).chat.completions.create(model="claude-haiku-4-5", messages=HELLO).choices
    with pytest.raises(openai.PermissionDeniedError) as refused:
        client(live, BOB).chat.completions.create(model="gpt-4o", messages=HELLO)
    assert refused.value.response.json()["error"]["message"].startswith("The API key 'by-target' may not use the model 'gpt-4o'.")
    assert [call.model for call in emulator.calls] == ["gemini-2.5-flash", "gemini-2.5-flash"]


def test_on_the_messages_api_refusals_come_in_anthropics_shape(gateway_factory: GatewayFactory, emulator: VertexEmulator, tmp_path: Path) -> None:
    text = keys_yaml(entry("alice", ALICE, models='["claude-*"]', rpm=1), entry("old", BOB, expires="2020-01-01"))
    live = aliased_gateway(gateway_factory, tmp_path, text)
    alice = claude(live, ALICE)
    with pytest.raises(anthropic.PermissionDeniedError) as forbidden:
        ask(alice, "gemini-2.5-pro")
    assert_error(forbidden.value.response.json())
    assert forbidden.value.response.json()["error"]["type"] == "permission_error"
    fresh_minute()
    assert_message(ask(alice))
    with pytest.raises(anthropic.RateLimitError) as limited:
        ask(alice)
    assert_error(limited.value.response.json())
    assert limited.value.response.json()["error"]["type"] == "rate_limit_error"
    headers = limited.value.response.headers
    assert int(headers["Retry-After"]) >= 1 and headers["x-ratelimit-limit-requests"] == "1" and headers["x-ratelimit-remaining-requests"] == "0"
    with pytest.raises(anthropic.AuthenticationError) as expired:
        ask(claude(live, BOB))
    assert_error(expired.value.response.json())
    assert "The API key 'old' expired at 2020-01-01T00:00:00Z." in expired.value.response.json()["error"]["message"]
    assert len(emulator.calls) == 1


def test_a_stored_response_belongs_to_the_key_that_created_it(gateway_factory: GatewayFactory, emulator: VertexEmulator, tmp_path: Path) -> None:
    live = aliased_gateway(gateway_factory, tmp_path, keys_yaml(entry("alice", ALICE), entry("bob", BOB)))
    alice, bob, admin = client(live, ALICE), client(live, BOB), client(live, API_KEY)
    first = alice.responses.create(model="gemini-2.5-flash", input="Remember the number 7.")
    streamed = [event.type for event in alice.responses.create(model="gemini-2.5-flash", input="And 8.", previous_response_id=first.id, stream=True)]
    assert streamed[-1] == "response.completed"
    for other in (bob, admin):
        with pytest.raises(openai.NotFoundError):
            other.responses.retrieve(first.id)
        with pytest.raises(openai.NotFoundError) as refused:
            other.responses.create(model="gemini-2.5-flash", input="What was the number?", previous_response_id=first.id)
        assert refused.value.response.json()["error"]["param"] == "previous_response_id"
        assert_openai_error(refused.value.response.json())
        with pytest.raises(openai.NotFoundError):
            other.responses.input_items.list(first.id)
        with pytest.raises(openai.NotFoundError):
            other.responses.delete(first.id)
    assert alice.responses.retrieve(first.id).id == first.id, "still there after the other keys' attempts"
    assert [item.type for item in alice.responses.input_items.list(first.id).data] == ["message"]
    calls_before = len(emulator.calls)
    continued = alice.responses.create(model="gemini-2.5-flash", input="What was the number?", previous_response_id=first.id)
    assert continued.output_text and len(emulator.calls) == calls_before + 1
    alice.responses.delete(first.id)
    with pytest.raises(openai.NotFoundError):
        alice.responses.retrieve(first.id)
