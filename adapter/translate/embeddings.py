"""OpenAI embeddings request ↔ Vertex ``:predict`` (pure: dicts in, dicts out).

A request's inputs (texts, or token arrays decoded back to text by :mod:`adapter.translate.tokens`)
are split into batches no larger than the model's per-request limit
(:func:`plan_batches`); each batch becomes one ``PredictRequest`` (:func:`to_predict_request`);
the answers, in batch order, become one OpenAI ``list`` of embeddings (:func:`to_embedding_list`)
whose ``index`` values follow the input order. ``base64`` vectors are little-endian float32, as
OpenAI sends them. Token counts come from ``statistics.token_count`` (a float on the wire).
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass
from typing import Any, Callable, Sequence, TypeAlias

from adapter.errors import InvalidRequest, UpstreamError
from adapter.routing.capabilities import EmbeddingModel
from adapter.routing.model_name import parse_model_name
from adapter.translate.tokens import UnknownToken, decode_tokens, token_encoding

OpenAIEmbeddingRequest: TypeAlias = dict[str, Any]
"""A validated ``POST /v1/embeddings`` body."""

PredictRequest: TypeAlias = dict[str, Any]
PredictResponse: TypeAlias = dict[str, Any]
EmbeddingList: TypeAlias = dict[str, Any]


@dataclass(frozen=True, slots=True)
class EmbeddingBatches:
    """The ``:predict`` bodies for one request, in input order."""

    bodies: tuple[PredictRequest, ...]
    sizes: tuple[int, ...]


def _decoded(arrays: Sequence[Sequence[int]], model: str, *, nested: bool) -> list[str]:
    """The texts of token arrays, or InvalidRequest (param ``input``) naming an unknown id."""
    encoding = token_encoding(parse_model_name(model).base)
    texts: list[str] = []
    for index, tokens in enumerate(arrays):
        try:
            texts.append(decode_tokens(tokens, encoding))
        except UnknownToken as unknown:
            where = f"input[{index}][{unknown.position}]" if nested else f"input[{unknown.position}]"
            raise InvalidRequest(
                f"Invalid value for 'input': {where} is {unknown.token}, which is not a token id of "
                f"{encoding} (the vocabulary token arrays are decoded with for the model '{model}').",
                param="input",
                code="invalid_value",
            ) from None
    return texts


def embedding_texts(req: OpenAIEmbeddingRequest) -> list[str]:
    """The input texts in order (a single string is a list of one; token arrays are decoded)."""
    given = req["input"]
    if isinstance(given, str):
        return [given]
    if isinstance(given[0], str):
        return list(given)
    if isinstance(given[0], int):
        return _decoded([given], str(req["model"]), nested=False)
    return _decoded(given, str(req["model"]), nested=True)


def check_dimensions(req: OpenAIEmbeddingRequest, model: EmbeddingModel) -> None:
    """Raise InvalidRequest (param ``dimensions``) when the model cannot give that many."""
    dimensions = req.get("dimensions")
    if dimensions is not None and dimensions > model.max_dimensions:
        raise InvalidRequest(
            f"Invalid value for 'dimensions': {model.name} returns at most {model.max_dimensions} dimensions, got {dimensions}.",
            param="dimensions",
            code="invalid_value",
        )


def to_predict_request(texts: Sequence[str], dimensions: int | None) -> PredictRequest:
    """One ``PredictRequest``: an instance per text, ``outputDimensionality`` when asked."""
    body: PredictRequest = {"instances": [{"content": text} for text in texts]}
    if dimensions is not None:
        body["parameters"] = {"outputDimensionality": dimensions}
    return body


def plan_batches(req: OpenAIEmbeddingRequest, model: EmbeddingModel) -> EmbeddingBatches:
    """Split the inputs into ``:predict`` bodies of at most ``model.max_batch`` instances."""
    check_dimensions(req, model)
    texts = embedding_texts(req)
    size = max(1, model.max_batch)
    chunks = [texts[start : start + size] for start in range(0, len(texts), size)]
    dimensions = req.get("dimensions")
    return EmbeddingBatches(
        bodies=tuple(to_predict_request(chunk, dimensions) for chunk in chunks),
        sizes=tuple(len(chunk) for chunk in chunks),
    )


def _floats(values: list[float]) -> list[float]:
    return values


def _base64(values: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode("ascii")


ENCODERS: dict[str, Callable[[list[float]], Any]] = {"float": _floats, "base64": _base64}


def _prediction(prediction: Any) -> tuple[list[float], int]:
    """(values, token count) of one prediction, or UpstreamError when it is malformed."""
    embeddings = prediction.get("embeddings") if isinstance(prediction, dict) else None
    values = embeddings.get("values") if isinstance(embeddings, dict) else None
    if not isinstance(values, list):
        raise UpstreamError("Vertex AI sent an embedding without values.", upstream_status=502, code="upstream_bad_answer")
    statistics = embeddings.get("statistics") if isinstance(embeddings, dict) else None
    count = statistics.get("token_count", 0) if isinstance(statistics, dict) else 0
    return values, int(count) if isinstance(count, (int, float)) else 0


def _predictions(answer: PredictResponse, expected: int) -> list[Any]:
    predictions = answer.get("predictions") if isinstance(answer, dict) else None
    if not isinstance(predictions, list) or len(predictions) != expected:
        got = len(predictions) if isinstance(predictions, list) else 0
        raise UpstreamError(
            f"Vertex AI sent {got} embeddings for {expected} inputs.", upstream_status=502, code="upstream_bad_answer"
        )
    return predictions


def to_embedding_list(
    answers: Sequence[PredictResponse], sizes: Sequence[int], *, model: str, encoding_format: str = "float"
) -> EmbeddingList:
    """The OpenAI ``list`` object for the answers of every batch (in batch order)."""
    encode = ENCODERS[encoding_format]
    data: list[dict[str, Any]] = []
    tokens = 0
    for answer, size in zip(answers, sizes, strict=True):
        for prediction in _predictions(answer, size):
            values, count = _prediction(prediction)
            tokens += count
            data.append({"object": "embedding", "index": len(data), "embedding": encode(values)})
    return {
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
