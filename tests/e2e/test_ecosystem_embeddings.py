"""``POST /v1/embeddings`` through the official openai SDK: credential paths, batching in input
order, dimensions, float and base64 encodings, failover, errors, the catalog and dry runs."""

from __future__ import annotations

import base64
import struct
from typing import Any

import openai
import requests
import pytest

from tests.conftest import Credentials, GatewayFactory, LiveGateway
from tests.emulator import Reply, VertexEmulator
from tests.emulator.schema import validate
from tests.support.openai_schema import assert_embedding_list, assert_error, assert_model_list

TEXTS = ["the quick brown fox", "lighthouses guide ships", "a b c", "one two three four five", "hello", "zebra crossing", "x"]


def embed_raw(gateway: LiveGateway, body: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[dict[str, Any], Any]:
    response = gateway.post("/v1/embeddings", body, headers=headers)
    assert response.status_code == 200, response.text
    payload = response.json()
    return payload, response.headers


@pytest.mark.parametrize(
    "model,kind,path",
    [
        ("gemini-embedding-001", "express", "/v1/publishers/google/models/gemini-embedding-001:predict"),
        ("[EXPRESS] gemini-embedding-001", "express", "/v1/publishers/google/models/gemini-embedding-001:predict"),
        ("[PAY]gemini-embedding-001", "service_account", "/v1/projects/proj-alpha/locations/global/publishers/google/models/gemini-embedding-001:predict"),
        ("text-embedding-005", "service_account", "/v1/projects/proj-alpha/locations/global/publishers/google/models/text-embedding-005:predict"),
        ("[PAY]text-multilingual-embedding-002", "service_account", "/v1/projects/proj-alpha/locations/global/publishers/google/models/text-multilingual-embedding-002:predict"),
    ],
)
def test_each_model_on_its_credential_path(gateway: LiveGateway, emulator: VertexEmulator, model: str, kind: str, path: str) -> None:
    raw = gateway.client.embeddings.with_raw_response.create(model=model, input="how do lighthouses work")
    assert_embedding_list(raw.http_response.json())
    result = raw.parse()
    assert result.model == model
    assert len(result.data) == 1 and result.data[0].index == 0
    assert len(result.data[0].embedding) == (3072 if "gemini" in model else 768)
    assert result.usage.prompt_tokens > 0 and result.usage.total_tokens == result.usage.prompt_tokens
    call = emulator.last_call("predict")
    assert (call.credential[0], call.path) == (kind, path)
    assert call.body == {"instances": [{"content": "how do lighthouses work"}]}
    assert raw.headers["X-Request-ID"] and raw.headers["X-Gateway-Upstream-Model"] in model


@pytest.mark.parametrize("model,max_batch", [("gemini-embedding-001", 1), ("text-embedding-005", 5)])
def test_long_lists_are_batched_and_keep_input_order(gateway: LiveGateway, emulator: VertexEmulator, model: str, max_batch: int) -> None:
    whole, headers = embed_raw(gateway, {"model": model, "input": TEXTS, "encoding_format": "float", "dimensions": 8})
    assert_embedding_list(whole)
    calls = emulator.calls_for("predict")
    assert len(calls) == -(-len(TEXTS) // max_batch) == int(headers["X-Gateway-Batches"])
    assert max(len(call.body["instances"]) for call in calls) == max_batch
    assert sorted(i["content"] for call in calls for i in call.body["instances"]) == sorted(TEXTS)
    singles = [embed_raw(gateway, {"model": model, "input": text, "encoding_format": "float", "dimensions": 8})[0] for text in TEXTS]
    assert [item["index"] for item in whole["data"]] == list(range(len(TEXTS)))
    assert [item["embedding"] for item in whole["data"]] == [single["data"][0]["embedding"] for single in singles]
    assert whole["usage"]["prompt_tokens"] == sum(single["usage"]["prompt_tokens"] for single in singles)


def test_dimensions_become_output_dimensionality(client: openai.OpenAI, emulator: VertexEmulator) -> None:
    result = client.embeddings.create(model="text-embedding-005", input=["alpha", "beta"], dimensions=16)
    assert [len(item.embedding) for item in result.data] == [16, 16]
    call = emulator.last_call("predict")
    assert call.body["parameters"] == {"outputDimensionality": 16}
    assert validate(call.body, "PredictRequest", "v1") == []


def test_base64_is_little_endian_float32_of_the_float_answer(gateway: LiveGateway) -> None:
    body = {"model": "text-embedding-005", "input": ["same text", "other text"], "dimensions": 12}
    floats, _ = embed_raw(gateway, {**body, "encoding_format": "float"})
    encoded, _ = embed_raw(gateway, {**body, "encoding_format": "base64"})
    assert_embedding_list(encoded)
    for as_float, as_base64 in zip(floats["data"], encoded["data"], strict=True):
        assert isinstance(as_base64["embedding"], str)
        decoded = struct.unpack("<12f", base64.b64decode(as_base64["embedding"]))
        assert list(decoded) == pytest.approx(as_float["embedding"], rel=1e-6)


def test_the_sdk_default_encoding_decodes_to_the_same_vectors(gateway: LiveGateway) -> None:
    sdk = gateway.client.embeddings.create(model="gemini-embedding-001", input="compare me", dimensions=32)
    floats, _ = embed_raw(gateway, {"model": "gemini-embedding-001", "input": "compare me", "dimensions": 32, "encoding_format": "float"})
    assert sdk.data[0].embedding == pytest.approx(floats["data"][0]["embedding"], rel=1e-6)


BAD_REQUESTS = [
    ("unknown token id", {"model": "text-embedding-005", "input": [15339, 100261]}, 400, "input"),
    ("unknown id among token arrays", {"model": "text-embedding-005", "input": [[15339], [200000]]}, 400, "input"),
    ("negative token id", {"model": "text-embedding-005", "input": [[15339], [-1]]}, 400, "input[1][0]"),
    ("empty string", {"model": "text-embedding-005", "input": ""}, 400, "input"),
    ("too many dimensions", {"model": "text-embedding-005", "input": "x", "dimensions": 769}, 400, "dimensions"),
    ("bad encoding", {"model": "text-embedding-005", "input": "x", "encoding_format": "int8"}, 400, "encoding_format"),
    ("chat model", {"model": "gemini-2.5-flash", "input": "x"}, 404, "model"),
    ("unknown model", {"model": "text-embedding-3-small", "input": "x"}, 404, "model"),
    ("chat variant", {"model": "gemini-embedding-001-search", "input": "x"}, 400, "model"),
]


@pytest.mark.parametrize(("body", "status", "param"), [row[1:] for row in BAD_REQUESTS], ids=[row[0] for row in BAD_REQUESTS])
def test_bad_requests_name_the_parameter_and_never_reach_vertex(gateway: LiveGateway, emulator: VertexEmulator, body: dict[str, Any], status: int, param: str) -> None:
    response = gateway.post("/v1/embeddings", body)
    assert response.status_code == status
    error = response.json()
    assert_error(error)
    assert error["error"]["param"] == param
    assert emulator.calls == []


def test_unknown_model_message_lists_the_embedding_models(gateway: LiveGateway) -> None:
    message = gateway.post("/v1/embeddings", {"model": "gemini-2.5-flash", "input": "x"}).json()["error"]["message"]
    assert "gemini-embedding-001" in message and "text-embedding-005" in message


def test_token_arrays_are_embedded_as_the_texts_they_encode(client: openai.OpenAI, emulator: VertexEmulator) -> None:
    from_tokens = client.embeddings.create(model="gemini-embedding-001", input=[[15339, 1917], [43, 22635, 20340]])
    sent = [call.body["instances"] for call in emulator.calls_for("predict")]
    assert sorted(sent, key=str) == [[{"content": "Lighthouses"}], [{"content": "hello world"}]]
    from_texts = client.embeddings.create(model="gemini-embedding-001", input=["hello world", "Lighthouses"])
    assert [item.embedding for item in from_tokens.data] == [item.embedding for item in from_texts.data]
    assert from_tokens.usage.prompt_tokens == from_texts.usage.prompt_tokens


def test_sdk_raises_bad_request_naming_an_unknown_token_id(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.embeddings.create(model="gemini-embedding-001", input=[[15339, 1917], [1, 100300]])
    assert_error(caught.value.response.json())
    assert caught.value.param == "input"
    assert "input[1][1] is 100300" in caught.value.message and "cl100k_base" in caught.value.message


def test_a_rate_limited_credential_fails_over(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    emulator.enqueue(Reply.error(429), method="predict", credential="express#0")
    result, headers = embed_raw(gateway, {"model": "gemini-embedding-001", "input": "retry me", "encoding_format": "float"})
    assert_embedding_list(result)
    assert headers["X-Gateway-Attempts"] == "2"
    assert headers["X-Gateway-Credential"] == "express#1"
    assert emulator.pending() == []


def test_a_final_upstream_error_keeps_its_status_even_in_one_batch_of_many(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    emulator.enqueue(Reply.error(400, message="Unable to submit request because the input is odd."), method="predict")
    response = gateway.post("/v1/embeddings", {"model": "gemini-embedding-001", "input": TEXTS})
    assert response.status_code == 400
    assert_error(response.json())
    assert "input is odd" in response.json()["error"]["message"]


def test_every_credential_failing_is_an_openai_error(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    gateway = gateway_factory(service_accounts=False)
    emulator.always(Reply.error(503), method="predict")
    with pytest.raises(openai.APIStatusError) as caught:
        gateway.client.embeddings.create(model="gemini-embedding-001", input="x")
    assert caught.value.status_code == 503
    assert_error(caught.value.response.json())


@pytest.mark.parametrize(
    "express,service_accounts,present,absent",
    [
        (True, True, {"gemini-embedding-001", "[EXPRESS] gemini-embedding-001", "[PAY]gemini-embedding-001", "text-embedding-005", "[PAY]text-embedding-005"}, {"[EXPRESS] text-embedding-005"}),
        (True, False, {"gemini-embedding-001", "[EXPRESS] gemini-embedding-001"}, {"text-embedding-005", "[PAY]gemini-embedding-001"}),
        (False, True, {"gemini-embedding-001", "text-multilingual-embedding-002", "[PAY]text-embedding-005"}, {"[EXPRESS] gemini-embedding-001"}),
    ],
)
def test_embedding_models_are_listed_for_the_configured_credentials(gateway_factory: GatewayFactory, express: bool, service_accounts: bool, present: set[str], absent: set[str]) -> None:
    gateway = gateway_factory(express=express, service_accounts=service_accounts)
    listing = gateway.get("/v1/models").json()
    assert_model_list(listing)
    ids = {model["id"] for model in listing["data"]}
    assert present <= ids and not absent & ids
    for model_id in present:
        assert gateway.client.models.retrieve(model_id).id == model_id


def test_dry_run_shows_every_batch_and_calls_nothing(gateway: LiveGateway, emulator: VertexEmulator, credentials: Credentials) -> None:
    response = gateway.post("/v1/embeddings", {"model": "text-embedding-005", "input": TEXTS, "dimensions": 8}, headers={"X-Dry-Run": "1"})
    assert response.status_code == 200 and response.headers["X-Dry-Run"] == "1"
    plan = response.json()
    assert emulator.calls == []
    assert (plan["endpoint"], plan["model"], plan["upstream_model"]) == ("embeddings", "text-embedding-005", "text-embedding-005")
    assert plan["credential"] == "sa#0" and plan["credential_order"] == ["sa", "express"]
    assert [len(item["body"]["instances"]) for item in plan["requests"]] == [5, 2]
    assert [i["content"] for item in plan["requests"] for i in item["body"]["instances"]] == TEXTS
    for item in plan["requests"]:
        assert item["method"] == "POST"
        assert item["url"] == emulator.url + "/v1/projects/proj-alpha/locations/global/publishers/google/models/text-embedding-005:predict"
        assert validate(item["body"], "PredictRequest", "v1") == []
    assert not any(secret in response.text for secret in credentials.secrets())
    _, headers = embed_raw(gateway, {"model": "text-embedding-005", "input": "x"})
    assert headers["X-Gateway-Credential"] == "sa#0"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-key"}, {"X-Dry-Run": "1"}])
def test_embeddings_need_the_api_key(gateway: LiveGateway, emulator: VertexEmulator, headers: dict[str, str]) -> None:
    response = requests.post(gateway.url + "/v1/embeddings", json={"model": "gemini-embedding-001", "input": "x"}, headers=headers, timeout=10)
    assert response.status_code == 401
    assert_error(response.json())
    assert emulator.calls == []
