"""Span names and attributes, after the OpenTelemetry GenAI and HTTP semantic conventions (pure).

A request to an API route gets a server span named ``POST /v1/chat/completions``; each upstream
attempt a client span named ``{operation} {model}`` (``chat gemini-2.5-flash``). Both carry
``gen_ai.operation.name``, ``gen_ai.provider.name`` (``gcp.vertex_ai``), the requested and
answering models, token usage and finish reasons when known; the gateway's own facts use the
``vertex_gateway.`` prefix (the credential label ``express#0``/``sa#1``, the attempt number,
the attempt count). Message content is only built when the operator asked for it
(``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT``); keys and tokens never are: the
attributes are made from labels, statuses and counts only.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

Attributes = dict[str, Any]

PROVIDER = "gcp.vertex_ai"

OPERATIONS: Mapping[str, str] = {
    "/v1/chat/completions": "chat",
    "/v1/responses": "chat",
    "/v1/messages": "chat",
    "/v1/embeddings": "embeddings",
}
"""The GenAI operation of each API route; a route not listed here gets no server span."""

FIRST_TOKEN_EVENT = "gen_ai.first_token"
"""The event a streamed server span gets when its first token goes out (time to first token)."""

TTFT_ATTRIBUTE = "gen_ai.server.time_to_first_token"


def operation_of(route: str) -> str | None:
    """The GenAI operation of an API route (``/v1/chat/completions`` → ``chat``), else None."""
    return OPERATIONS.get(route)


def usage_attributes(usage: Mapping[str, Any] | None) -> Attributes:
    """Token counts from an OpenAI ``usage`` object (Chat Completions, Responses or Messages)."""
    if not usage:
        return {}
    pairs = {
        "gen_ai.usage.input_tokens": usage.get("prompt_tokens", usage.get("input_tokens")),
        "gen_ai.usage.output_tokens": usage.get("completion_tokens", usage.get("output_tokens")),
    }
    return {key: value for key, value in pairs.items() if isinstance(value, int) and not isinstance(value, bool)}


def server_attributes(method: str, route: str, operation: str) -> Attributes:
    return {
        "http.request.method": method,
        "http.route": route,
        "url.path": route,
        "gen_ai.operation.name": operation,
        "gen_ai.provider.name": PROVIDER,
    }


def outcome_attributes(
    *,
    status: int,
    requested_model: str | None,
    response_model: str | None,
    usage: Mapping[str, Any] | None,
    finish_reasons: Sequence[str],
    attempts: int,
    error_type: str | None,
    client_key: str | None = None,
) -> Attributes:
    """What a finished request adds to its server span (``client_key``: the key's name, never the key)."""
    attributes: Attributes = {"http.response.status_code": status, **usage_attributes(usage)}
    optional = {
        "gen_ai.request.model": requested_model,
        "gen_ai.response.model": response_model,
        "gen_ai.response.finish_reasons": list(finish_reasons) or None,
        "vertex_gateway.attempts": attempts or None,
        "vertex_gateway.client_key": client_key,
        "error.type": error_type if status >= 400 else None,
    }
    attributes.update({key: value for key, value in optional.items() if value is not None})
    return attributes


def attempt_attributes(*, operation: str, model: str, server_address: str, server_port: int | None,
                       credential: str, attempt: int) -> Attributes:
    """What a client span for one upstream attempt starts with."""
    attributes: Attributes = {
        "gen_ai.operation.name": operation,
        "gen_ai.provider.name": PROVIDER,
        "gen_ai.request.model": model,
        "server.address": server_address,
        "vertex_gateway.credential": credential,
        "vertex_gateway.attempt": attempt,
    }
    if server_port is not None:
        attributes["server.port"] = server_port
    return attributes


def attempt_error_type(status: int) -> str:
    """``error.type`` of a failed attempt: the upstream status, or ``timeout`` for no answer."""
    return str(status) if status else "timeout"


def content_attribute(name: str, content: Any) -> Attributes:
    """A captured message attribute (``gen_ai.input.messages``...) as a JSON string."""
    if content is None:
        return {}
    return {name: json.dumps(content, ensure_ascii=False, separators=(",", ":"))}


def _vertex_usage(metadata: Any) -> dict[str, int] | None:
    """OpenAI-style token counts from Vertex's ``usageMetadata`` (thoughts count as output)."""
    if not isinstance(metadata, Mapping) or "totalTokenCount" not in metadata:
        return None
    output = sum(int(metadata.get(key) or 0) for key in ("candidatesTokenCount", "thoughtsTokenCount"))
    return {"prompt_tokens": int(metadata.get("promptTokenCount") or 0), "completion_tokens": output}


def _predict_usage(predictions: Any) -> dict[str, int] | None:
    """Input token counts of a ``:predict`` answer (embeddings: ``statistics.token_count``)."""
    if not isinstance(predictions, list):
        return None
    total = 0
    for prediction in predictions:
        embeddings = prediction.get("embeddings") if isinstance(prediction, Mapping) else None
        statistics = embeddings.get("statistics") if isinstance(embeddings, Mapping) else None
        count = statistics.get("token_count") if isinstance(statistics, Mapping) else None
        total += int(count) if isinstance(count, (int, float)) and not isinstance(count, bool) else 0
    return {"prompt_tokens": total}


def finish_reasons_of(candidates: Any) -> tuple[str, ...]:
    """Vertex's finish reasons among ``candidates``, lower-cased, each once, in order."""
    listed = candidates if isinstance(candidates, list) else []
    return tuple(dict.fromkeys(
        str(candidate["finishReason"]).lower()
        for candidate in listed
        if isinstance(candidate, Mapping) and candidate.get("finishReason")
    ))


def answer_facts(answer: Any) -> tuple[str | None, tuple[str, ...], dict[str, int] | None]:
    """(model version, finish reasons, token counts) of a Vertex answer (``generateContent`` or
    ``:predict``) or stream event.

    Finish reasons are Vertex's own, lower-cased (``stop``, ``max_tokens``, ``safety``), so that
    every front door reports them alike; an event without them gives an empty tuple.
    """
    if not isinstance(answer, Mapping):
        return None, (), None
    model = answer.get("modelVersion")
    reasons = finish_reasons_of(answer.get("candidates"))
    usage = _vertex_usage(answer.get("usageMetadata")) or _predict_usage(answer.get("predictions"))
    return (model if isinstance(model, str) else None), reasons, usage
