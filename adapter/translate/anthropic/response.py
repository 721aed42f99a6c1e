"""A whole Vertex ``GenerateContentResponse`` → an Anthropic ``message`` object (pure).

The content is built by applying the :class:`~.assembly.BlockAssembler` operations, exactly as a
client accumulates the stream events of the same answer (see :mod:`.events`). The message and
tool-use ids are passed in (``message_id``; tool ids derive from it when Gemini gives none).
Only the first candidate is read: the Messages API has no ``n``.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from adapter.translate.anthropic.assembly import AnswerOptions, BlockAssembler, Op, tool_id_prefix
from adapter.translate.anthropic.outcome import blocked_fields, stop_fields, usage
from adapter.translate.candidates import blocked_feedback, candidate_parts, empty_response_error
from adapter.translate.shapes import GeminiResponse

AnthropicMessage = dict[str, Any]

# delta type → the block field it extends (a signature replaces the field instead).
_DELTA_FIELDS: dict[str, str] = {"text_delta": "text", "thinking_delta": "thinking", "signature_delta": "signature"}


def to_message(resp: GeminiResponse, *, message_id: str, model: str, options: AnswerOptions) -> AnthropicMessage:
    """Translate a whole answer. Raises ``ModelFunctionCallError`` or ``UpstreamError`` (no candidates)."""
    candidates = resp.get("candidates")
    if candidates:
        candidate = candidates[0]
        assembler = BlockAssembler(id_prefix=tool_id_prefix(message_id), options=options)
        content = apply_ops([*assembler.parts(candidate_parts(candidate)), *assembler.close()])
        stop = stop_fields(candidate, assembler)
    else:
        feedback = blocked_feedback(resp)
        if feedback is None:
            raise empty_response_error()
        content, stop = [], blocked_fields(feedback)
    return {
        **message_head(message_id, model),
        "content": content,
        **stop,
        "usage": usage(resp.get("usageMetadata")),
    }


def message_head(message_id: str, model: str) -> dict[str, Any]:
    return {"id": message_id, "type": "message", "role": "assistant", "model": model}


def apply_ops(ops: Iterable[Op]) -> list[dict[str, Any]]:
    """The content blocks the operations build (a tool call's JSON is parsed at its stop)."""
    blocks: list[dict[str, Any]] = []
    arguments: dict[int, str] = {}
    for op in ops:
        if op[0] == "start":
            blocks.append(dict(op[2]))
        elif op[0] == "delta":
            _apply_delta(blocks[op[1]], op[2], op[1], arguments)
        elif op[1] in arguments:
            blocks[op[1]]["input"] = json.loads(arguments.pop(op[1]))
    return blocks


def _apply_delta(block: dict[str, Any], delta: dict[str, Any], index: int, arguments: dict[int, str]) -> None:
    kind = delta["type"]
    if kind == "input_json_delta":
        arguments[index] = arguments.get(index, "") + delta["partial_json"]
        return
    field = _DELTA_FIELDS[kind]
    block[field] = delta[field] if kind == "signature_delta" else block[field] + delta[field]


def token_count(answer: GeminiResponse) -> dict[str, int]:
    """Anthropic's ``count_tokens`` answer for Vertex's ``countTokens`` answer (zero is omitted there)."""
    return {"input_tokens": answer.get("totalTokens", 0)}
