"""``GET /v1/models`` and ``GET /v1/models/{id}`` through the openai SDK, per credential set.

The menu a chat UI builds from ``/v1/models`` must be truthful: every id listed is one the
configured credentials can serve, in the forms the older tool used (plain, ``[EXPRESS] name``,
``[PAY]name``) with the variants the model supports, and nothing the gateway does not offer.
"""

from __future__ import annotations

import json
from pathlib import Path

import openai
import pytest

from adapter.routing.model_name import parse_model_name
from tests.conftest import GatewayFactory, LiveGateway
from tests.emulator import VertexEmulator
from tests.support.openai_schema import assert_chat_completion, assert_error, assert_model_list, assert_valid

OLD_TOOL_VARIANTS = ("-encrypt", "-encrypt-full", "-auto")
HELLO = [{"role": "user", "content": "Hello"}]


def listed_ids(live: LiveGateway) -> list[str]:
    response = live.get("/v1/models")
    assert response.status_code == 200
    body = response.json()
    assert_model_list(body)
    sdk_ids = [model.id for model in live.client.models.list()]
    assert sdk_ids == [model["id"] for model in body["data"]]
    assert len(sdk_ids) == len(set(sdk_ids))
    return sdk_ids


# (credential set, ids that must be listed, ids that must not be)
CREDENTIAL_SETS = [
    (
        {"express": True, "service_accounts": False},
        {"gemini-2.5-flash", "[EXPRESS] gemini-2.5-flash", "gemini-2.5-flash-search", "[EXPRESS] gemini-2.5-flash-nothinking",
         "[EXPRESS] gemini-3-pro-preview-max", "gemini-2.5-pro-max"},
        {"[PAY]gemini-2.5-flash", "gemini-2.5-flash-openai", "gemini-3-pro-image-preview", "gemini-2.0-flash-lite-001-search"},
    ),
    (
        {"express": False, "service_accounts": True},
        {"gemini-2.5-flash", "[PAY]gemini-2.5-flash", "[PAY]gemini-2.5-flash-search", "gemini-2.5-flash-openai",
         "[PAY]gemini-2.5-flash-openai", "[PAY]gemini-3-pro-image-preview", "[PAY]gemini-2.0-flash-001"},
        {"[EXPRESS] gemini-2.5-flash", "[PAY]gemini-2.0-flash-001-nothinking", "[PAY]gemini-2.5-flash-image-max"},
    ),
    (
        {"express": True, "service_accounts": True},
        {"gemini-2.5-flash", "[EXPRESS] gemini-2.5-flash", "[PAY]gemini-2.5-flash", "[PAY]gemini-3-pro-image-preview",
         "gemini-3-flash-preview-max", "[PAY]gemini-3-flash-preview-nothinking", "gemini-2.5-flash-openai"},
        {"gemini-3-pro-image-preview", "[EXPRESS] gemini-2.5-flash-openai"},
    ),
]


@pytest.mark.parametrize("creds,present,absent", CREDENTIAL_SETS, ids=["express-only", "service-accounts-only", "both"])
def test_model_list_per_credential_set(gateway_factory: GatewayFactory, creds: dict[str, bool], present: set[str], absent: set[str]) -> None:
    ids = listed_ids(gateway_factory(**creds))
    assert present <= set(ids)
    assert not absent & set(ids)
    assert not [i for i in ids if i.endswith(OLD_TOOL_VARIANTS)]
    if not creds["service_accounts"]:
        assert not [i for i in ids if i.startswith("[PAY]") or i.endswith("-openai")]
    if not creds["express"]:
        assert not [i for i in ids if i.startswith("[EXPRESS]")]


def test_model_list_without_credentials_is_empty(gateway_factory: GatewayFactory) -> None:
    assert listed_ids(gateway_factory(express=False, service_accounts=False)) == []


@pytest.mark.parametrize("creds", [c for c, _, _ in CREDENTIAL_SETS], ids=["express-only", "service-accounts-only", "both"])
def test_every_listed_id_is_accepted(gateway_factory: GatewayFactory, emulator: VertexEmulator, creds: dict[str, bool]) -> None:
    """No listed chat id is refused by the gateway or by Vertex (the emulator plays Google's per-model rules)."""
    live = gateway_factory(**creds)
    chat_ids = [i for i in listed_ids(live) if live.gateway.capabilities.embedding(parse_model_name(i).base) is None]
    assert chat_ids
    for model_id in chat_ids:
        completion = live.client.chat.completions.create(model=model_id, messages=HELLO, max_tokens=64)
        assert completion.model == model_id
        assert_chat_completion(completion.model_dump(exclude_unset=True))
    assert not emulator.calls_for(outcome="rejected")


@pytest.mark.parametrize(
    "model_id",
    ["gemini-2.5-flash", "[EXPRESS] gemini-2.5-flash-search", "[PAY]gemini-3-pro-preview-max", "gemini-2.5-pro-openai",
     "[PAY]gemini-2.5-flash-search-max", "[express]gemini-3-flash-preview-nothinking-search", "gemini-embedding-001"],
)
def test_retrieve_one_model(gateway: LiveGateway, model_id: str) -> None:
    model = gateway.client.models.retrieve(model_id)
    assert (model.id, model.object, model.owned_by) == (model_id, "model", "google")
    raw = gateway.get(f"/v1/models/{model_id}")
    assert raw.status_code == 200
    assert raw.json() == model.model_dump(exclude_unset=True)
    assert_valid(raw.json(), "Model")


@pytest.mark.parametrize(
    "model_id,creds",
    [
        ("gemini-9.9-ultra", {}),
        ("gemini-2.5-flash-encrypt", {}),
        ("gemini-2.5-flash-auto", {}),
        ("gemini-2.0-flash-001-nothinking", {}),
        ("[PAY]gemini-2.5-flash", {"service_accounts": False}),
        ("[EXPRESS] gemini-2.5-flash", {"express": False}),
        ("[EXPRESS] gemini-2.5-flash-openai", {}),
        ("[PAY]gemini-2.0-flash-001-search-nothinking", {}),
    ],
)
def test_retrieve_unknown_model_is_an_openai_404(gateway_factory: GatewayFactory, model_id: str, creds: dict[str, bool]) -> None:
    live = gateway_factory(**creds)
    with pytest.raises(openai.NotFoundError) as caught:
        live.client.models.retrieve(model_id)
    assert model_id in caught.value.message
    raw = live.get(f"/v1/models/{model_id}")
    assert raw.status_code == 404
    body = raw.json()
    assert_error(body)
    assert (body["error"]["type"], body["error"]["code"], body["error"]["param"]) == ("not_found_error", "model_not_found", "model")


@pytest.mark.parametrize("model", ["gemini-2.5-flash-encrypt", "gemini-2.5-flash-encrypt-full", "gemini-2.5-flash-auto"])
def test_old_tool_variants_go_to_vertex_as_unknown_models(gateway: LiveGateway, emulator: VertexEmulator, model: str) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        gateway.client.chat.completions.create(model=model, messages=HELLO)
    assert model in caught.value.message
    call = emulator.last_call()
    assert call.model == model and call.outcome == "not_found"
    assert call.body["contents"] == [{"role": "user", "parts": [{"text": "Hello"}]}]
    raw = gateway.post("/v1/chat/completions", {"model": model, "messages": HELLO})
    assert raw.status_code == 404
    assert_error(raw.json())


def test_operator_capability_file_extends_the_catalog(gateway_factory: GatewayFactory, emulator: VertexEmulator, tmp_path: Path) -> None:
    extra = tmp_path / "capabilities.json"
    extra.write_text(json.dumps({
        "models": {"gemini-3.8-flash": {"listed": True}, "gemini-2.0-flash-lite-001": {"search": True}},
    }), encoding="utf-8")
    live = gateway_factory(MODEL_CAPABILITIES_FILE=str(extra))
    ids = listed_ids(live)
    assert {"gemini-3.8-flash", "[EXPRESS] gemini-3.8-flash-nothinking", "[PAY]gemini-3.8-flash-openai", "gemini-2.0-flash-lite-001-search"} <= set(ids)
    live.client.chat.completions.create(model="gemini-3.8-flash-nothinking", messages=HELLO)
    assert emulator.last_call().body["generationConfig"]["thinkingConfig"]["thinkingLevel"] == "MINIMAL"
    # A table that claims more than Vertex accepts shows up as Vertex's own 400, passed on.
    with pytest.raises(openai.BadRequestError) as caught:
        live.client.chat.completions.create(model="gemini-2.0-flash-lite-001-search", messages=HELLO)
    assert "Search Grounding is not supported" in caught.value.message
    assert emulator.last_call().outcome == "rejected"
