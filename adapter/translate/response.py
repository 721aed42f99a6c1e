"""A whole Vertex ``GenerateContentResponse`` → an OpenAI ``chat.completion`` (pure).

Message shape (see :mod:`adapter.translate.candidates` for the part mapping):

- ``content``: the answer text (images as Markdown data URLs); ``None`` only when the choice has
  tool calls and no text, else a string (``""`` when there is nothing).
- ``refusal``: always present; a sentence naming the filter when Vertex stopped the answer on
  its content (with or without partial text), or the block reason of a blocked prompt.
- ``reasoning_content`` (thought summaries), ``tool_calls``, ``annotations`` and ``grounding``:
  present only when non-empty.

A blocked prompt (no candidates, ``promptFeedback.blockReason``) gives one choice with
``content: ""``, the refusal and ``finish_reason: "content_filter"``.
"""

from __future__ import annotations

from typing import Any, Mapping

from .candidates import (
    CONTENT,
    REASONING,
    Piece,
    blocked_feedback,
    blocked_prompt_fields,
    candidate_index,
    candidate_parts,
    closing_fields,
    empty_response_error,
    finish_reason,
    new_choice_state,
    part_pieces,
    unfinished_reason,
    usage_from,
)
from .logprobs import to_openai_logprobs
from .shapes import ChatCompletion, GeminiResponse


def to_chat_completion(resp: GeminiResponse, *, completion_id: str, created: int, model: str) -> ChatCompletion:
    """Translate a whole answer. Raises ``ModelFunctionCallError`` or ``UpstreamError`` (no candidates)."""
    candidates = resp.get("candidates")
    if candidates:
        choices = [_choice(candidate, completion_id) for candidate in candidates]
    else:
        feedback = blocked_feedback(resp)
        if feedback is None:
            raise empty_response_error()
        choices = [_blocked_choice(feedback)]
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": choices,
        "usage": usage_from(resp.get("usageMetadata")),
    }


def _choice(candidate: Mapping[str, Any], completion_id: str) -> dict[str, Any]:
    state = new_choice_state(candidate_index(candidate), completion_id)
    pieces = part_pieces(candidate_parts(candidate), state)
    reason = finish_reason(candidate, state) or unfinished_reason(state)
    message = _message(pieces)
    message.update(closing_fields(candidate, state, candidate.get("groundingMetadata")))
    return {
        "index": state.index,
        "message": message,
        "logprobs": to_openai_logprobs(candidate.get("logprobsResult")),
        "finish_reason": reason,
    }


def _message(pieces: list[Piece]) -> dict[str, Any]:
    texts: dict[str, list[str]] = {CONTENT: [], REASONING: []}
    tool_calls: list[dict[str, Any]] = []
    for kind, value in pieces:
        if kind in texts:
            texts[kind].append(value)
        else:
            tool_calls.append(value[1])
    content = "".join(texts[CONTENT])
    message: dict[str, Any] = {
        "role": "assistant",
        "content": None if tool_calls and not content else content,
        "refusal": None,
    }
    if texts[REASONING]:
        message[REASONING] = "".join(texts[REASONING])
    if tool_calls:
        message["tool_calls"] = tool_calls
    return message


def _blocked_choice(feedback: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "index": 0,
        "message": {"role": "assistant", **blocked_prompt_fields(feedback)},
        "logprobs": None,
        "finish_reason": "content_filter",
    }
