"""Embeddings translation: OpenAI request -> ``:predict`` batches -> OpenAI embedding list."""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path
from typing import Any

import pytest

from adapter.errors import InvalidRequest, UpstreamError
from adapter.routing.capabilities import EmbeddingModel, load_capabilities
from adapter.translate.embeddings import plan_batches, to_embedding_list, to_predict_request
from tests.emulator.schema import validate

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "vertex" / "examples" / "embeddings"
TABLE = load_capabilities()
GEMINI = TABLE.embedding("gemini-embedding-001")
TEXT_005 = TABLE.embedding("text-embedding-005")


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def prediction(values: list[float], tokens: float) -> dict[str, Any]:
    return {"embeddings": {"statistics": {"truncated": False, "token_count": tokens}, "values": values}}


def test_the_shipped_table_knows_the_three_models() -> None:
    assert set(TABLE.embedding_models) == {"gemini-embedding-001", "text-embedding-005", "text-multilingual-embedding-002"}
    assert GEMINI is not None and GEMINI.max_batch == 1
    assert TEXT_005 is not None and TEXT_005.max_batch == 5


BATCHES = [
    ("one string", "gemini-embedding-001", {"input": "hi"}, [["hi"]]),
    ("gemini: one text per request", "gemini-embedding-001", {"input": ["a", "b", "c"]}, [["a"], ["b"], ["c"]]),
    ("text-005: five per request", "text-embedding-005", {"input": [str(i) for i in range(12)]},
     [["0", "1", "2", "3", "4"], ["5", "6", "7", "8", "9"], ["10", "11"]]),
    ("exactly one batch", "text-multilingual-embedding-002", {"input": ["a", "b", "c", "d", "e"]}, [["a", "b", "c", "d", "e"]]),
]


@pytest.mark.parametrize(("model", "req", "expected"), [row[1:] for row in BATCHES], ids=[row[0] for row in BATCHES])
def test_inputs_are_batched_within_the_model_limit_in_order(model: str, req: dict[str, Any], expected: list[list[str]]) -> None:
    batches = plan_batches({"model": model, **req}, TABLE.embedding(model))
    assert [[i["content"] for i in body["instances"]] for body in batches.bodies] == expected
    assert list(batches.sizes) == [len(texts) for texts in expected]


TOKEN_INPUTS = [
    ("one token array", "gemini-embedding-001", [15339, 1917], [["hello world"]]),
    ("token arrays, five per request", "text-embedding-005", [[15339, 1917]] * 6 + [[43, 22635, 20340, 198, 49470, 18198, 13]],
     [["hello world"] * 5, ["hello world", "Lighthouses\nguide ships."]]),
    ("a prefixed name is still cl100k_base", "[PAY]text-embedding-005", [[15339], [1917]], [["hello", " world"]]),
    ("an o200k_base model name", "gpt-4o", [[24912, 2375], [1503, 9954, 737, 30469]], [["hello world", "naïve café"]]),
]


@pytest.mark.parametrize(("model", "tokens", "expected"), [row[1:] for row in TOKEN_INPUTS], ids=[row[0] for row in TOKEN_INPUTS])
def test_token_arrays_are_decoded_then_batched(model: str, tokens: list[Any], expected: list[list[str]]) -> None:
    limits = TEXT_005 if "gemini" not in model else GEMINI
    batches = plan_batches({"model": model, "input": tokens}, limits)
    assert [[i["content"] for i in body["instances"]] for body in batches.bodies] == expected
    assert all(validate(body, "PredictRequest", "v1") == [] for body in batches.bodies)


UNKNOWN_TOKENS = [
    ("one array", "text-embedding-005", [15339, 100261], "input[1] is 100261, which is not a token id of cl100k_base"),
    ("nested", "text-embedding-005", [[15339], [1917, 185244]], "input[1][1] is 185244, which is not a token id of cl100k_base"),
    ("o200k", "gpt-4.1-mini", [[24912, 200019]], "input[0][1] is 200019, which is not a token id of o200k_base"),
]


@pytest.mark.parametrize(("model", "tokens", "fragment"), [row[1:] for row in UNKNOWN_TOKENS], ids=[row[0] for row in UNKNOWN_TOKENS])
def test_an_unknown_token_id_is_a_400_naming_input(model: str, tokens: list[Any], fragment: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        plan_batches({"model": model, "input": tokens}, TEXT_005)
    assert (caught.value.status, caught.value.param, caught.value.code) == (400, "input", "invalid_value")
    assert fragment in caught.value.message and model in caught.value.message


@pytest.mark.parametrize(("dimensions", "parameters"), [(None, None), (8, {"outputDimensionality": 8}), (768, {"outputDimensionality": 768})])
def test_dimensions_become_output_dimensionality(dimensions: int | None, parameters: dict[str, int] | None) -> None:
    req = {"model": "text-embedding-005", "input": ["a", "b"], **({"dimensions": dimensions} if dimensions else {})}
    body = plan_batches(req, TEXT_005).bodies[0]
    assert body.get("parameters") == parameters
    assert validate(body, "PredictRequest", "v1") == []


@pytest.mark.parametrize(("model", "dimensions"), [("text-embedding-005", 769), ("gemini-embedding-001", 3073)])
def test_too_many_dimensions_is_a_400_naming_dimensions(model: str, dimensions: int) -> None:
    with pytest.raises(InvalidRequest) as caught:
        plan_batches({"model": model, "input": "x", "dimensions": dimensions}, TABLE.embedding(model))
    assert caught.value.param == "dimensions"
    assert str(dimensions) in caught.value.message


def test_request_matches_the_wire_example_shape() -> None:
    sent = example("predict.gemini-embedding-001.request.json")
    ours = to_predict_request(["how do lighthouses work"], 8)
    assert ours["instances"][0]["content"] == sent["instances"][0]["content"]
    assert ours["parameters"] == sent["parameters"]


def test_vertex_answer_becomes_an_openai_list() -> None:
    answer = example("predict.text-embedding-005.response.json")
    result = to_embedding_list([answer], [2], model="text-embedding-005")
    assert result["object"] == "list" and result["model"] == "text-embedding-005"
    assert [item["index"] for item in result["data"]] == [0, 1]
    assert result["data"][0] == {"object": "embedding", "index": 0, "embedding": answer["predictions"][0]["embeddings"]["values"]}
    assert result["usage"] == {"prompt_tokens": 18, "total_tokens": 18}


def test_batches_keep_input_order_and_float_token_counts_add_up() -> None:
    answers = [{"predictions": [prediction([0.1], 4.0), prediction([0.2], 2.0)]}, {"predictions": [prediction([0.3], 1.0)]}]
    result = to_embedding_list(answers, [2, 1], model="m")
    assert [item["embedding"] for item in result["data"]] == [[0.1], [0.2], [0.3]]
    assert [item["index"] for item in result["data"]] == [0, 1, 2]
    assert result["usage"]["prompt_tokens"] == 7 and isinstance(result["usage"]["prompt_tokens"], int)


@pytest.mark.parametrize("values", [[0.5, -0.25, 1.0], [-0.0198, 0.0045, 0.0311, -0.0127], [0.0] * 3])
def test_base64_is_little_endian_float32(values: list[float]) -> None:
    result = to_embedding_list([{"predictions": [prediction(values, 3)]}], [1], model="m", encoding_format="base64")
    encoded = result["data"][0]["embedding"]
    raw = base64.b64decode(encoded)
    assert len(raw) == 4 * len(values)
    assert list(struct.unpack(f"<{len(values)}f", raw)) == pytest.approx(values, rel=1e-6)


BAD_ANSWERS = [
    ("fewer embeddings than inputs", {"predictions": [prediction([0.1], 1)]}, 2),
    ("no predictions", {"metadata": {}}, 1),
    ("prediction without values", {"predictions": [{"embeddings": {"statistics": {"token_count": 1}}}]}, 1),
    ("prediction not an object", {"predictions": ["x"]}, 1),
]


@pytest.mark.parametrize(("answer", "size"), [row[1:] for row in BAD_ANSWERS], ids=[row[0] for row in BAD_ANSWERS])
def test_malformed_vertex_answers_are_a_bad_gateway(answer: dict[str, Any], size: int) -> None:
    with pytest.raises(UpstreamError) as caught:
        to_embedding_list([answer], [size], model="m")
    assert caught.value.status == 502


def test_translation_does_not_touch_its_arguments() -> None:
    req = {"model": "text-embedding-005", "input": ["a", "b"], "dimensions": 4}
    answers = [{"predictions": [prediction([0.1], 1), prediction([0.2], 1)]}]
    before = json.dumps([req, answers])
    plan_batches(req, TEXT_005)
    to_embedding_list(answers, [2], model="m", encoding_format="base64")
    assert json.dumps([req, answers]) == before


def test_an_operator_model_with_a_large_batch_is_one_request() -> None:
    model = EmbeddingModel(name="custom", max_batch=250, max_dimensions=768, express=False)
    assert len(plan_batches({"model": "custom", "input": ["x"] * 250}, model).bodies) == 1
