"""Whether an answer from Vertex AI keeps the shapes Google documents, for the fields we read.

Translation trusts those shapes and checks nothing on the way (a check of every field of every
event would cost CPU on each chunk). When translating an answer fails, the pipeline asks
:func:`answer_problem` which side is wrong: an answer that breaks the documented shapes (a
proxy's answer, a field of another type) is Vertex's fault, a 502; an answer that keeps them
means the gateway has a bug, a 500. So the check costs nothing unless translation failed.

A shape is a Python type (or a tuple of types), a dict of shapes by field (fields not listed
are not checked; a listed field may be absent), a one-item list (a list of that shape), or
:class:`Nullable` (``null`` allowed: OpenAI-format answers use it, Gemini's never do).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

from ..errors import AdapterError, UpstreamError, internal_error

logger = logging.getLogger(__name__)

NUMBER = (int, float)


@dataclass(frozen=True)
class Nullable:
    shape: Any


_WEB = {"uri": str, "title": str, "domain": str}
_GROUNDING = {
    "groundingChunks": [{"web": _WEB, "retrievedContext": {"uri": str, "title": str}}],
    "groundingSupports": [{"segment": {"startIndex": int, "endIndex": int, "text": str}, "groundingChunkIndices": [int]}],
    "webSearchQueries": [str],
    "searchEntryPoint": {"renderedContent": str},
}
_LOGPROB = {"token": str, "logProbability": NUMBER}
_LOGPROBS = {"topCandidates": [{"candidates": [_LOGPROB]}], "chosenCandidates": [_LOGPROB]}
_PART = {
    "text": str,
    "thought": bool,
    "thoughtSignature": str,
    "functionCall": {"id": str, "name": str, "args": dict},
    "inlineData": {"mimeType": str, "data": str},
}
_CANDIDATE = {
    "index": int,
    "content": {"role": str, "parts": [_PART]},
    "finishReason": str,
    "finishMessage": str,
    "groundingMetadata": _GROUNDING,
    "logprobsResult": _LOGPROBS,
}
_COUNTS = (
    "promptTokenCount",
    "candidatesTokenCount",
    "thoughtsTokenCount",
    "toolUsePromptTokenCount",
    "cachedContentTokenCount",
    "totalTokenCount",
)
GEMINI_ANSWER = {
    "candidates": [_CANDIDATE],
    "promptFeedback": {"blockReason": str, "blockReasonMessage": str},
    "usageMetadata": {count: int for count in _COUNTS},
}
"""A ``GenerateContentResponse`` (a whole answer or one stream event)."""

_OPENAI_CALL = {"id": str, "type": str, "index": int, "function": {"name": str, "arguments": str}, "extra_content": dict}
_OPENAI_MESSAGE = {
    "role": Nullable(str),
    "content": Nullable(str),
    "reasoning_content": Nullable(str),
    "tool_calls": Nullable([_OPENAI_CALL]),
}
_OPENAI_USAGE = Nullable({"prompt_tokens": int, "completion_tokens": int, "total_tokens": int})


def _openai_shape(key: Literal["message", "delta"]) -> dict[str, Any]:
    choice = {"index": int, key: Nullable(_OPENAI_MESSAGE), "finish_reason": Nullable(str), "logprobs": Nullable(dict)}
    return {"id": str, "created": int, "choices": [choice], "usage": _OPENAI_USAGE}


OPENAI_ANSWER = _openai_shape("message")
"""A chat completion from Vertex's OpenAI-compatible endpoint (direct mode)."""
OPENAI_CHUNK = _openai_shape("delta")
"""One chunk of its streams."""


def answer_problem(value: Any, shape: Any, path: str = "answer") -> str | None:
    """Where ``value`` breaks ``shape`` (``answer.candidates[0].content``), or None."""
    if isinstance(shape, Nullable):
        return None if value is None else answer_problem(value, shape.shape, path)
    if isinstance(shape, dict):
        if type(value) is not dict:
            return path
        for key, inner in shape.items():
            if key in value:
                problem = answer_problem(value[key], inner, f"{path}.{key}")
                if problem is not None:
                    return problem
        return None
    if isinstance(shape, list):
        if type(value) is not list:
            return path
        return next((p for i, item in enumerate(value) if (p := answer_problem(item, shape[0], f"{path}[{i}]")) is not None), None)
    return None if isinstance(value, shape) else path


def failed_translation(answer: Any, shape: Any) -> AdapterError:
    """The error for an exception raised while translating ``answer`` (call it in the
    ``except`` block: the traceback is logged, with the request id).

    A 502 ``upstream_bad_answer`` when the answer breaks ``shape``; else the gateway's own bug,
    a 500 ``internal_error``.
    """
    problem = answer_problem(answer, shape)
    if problem is None:
        logger.error("translating an answer from Vertex AI failed, although the answer keeps Google's shapes", exc_info=True)
        return internal_error()
    logger.warning("an answer from Vertex AI breaks Google's shapes at %s and could not be translated", problem, exc_info=True)
    return UpstreamError("Vertex AI sent an answer that the gateway could not read.", upstream_status=502, code="upstream_bad_answer")
