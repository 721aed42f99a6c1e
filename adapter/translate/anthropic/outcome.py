"""How an answer ended and what it cost, in Anthropic's terms (pure, shared).

``stop_reason``: ``stop_sequence`` when the gateway cut the text at one (with the sequence),
``tool_use`` when the answer holds a call, ``refusal`` when Vertex stopped the answer on its
content or blocked the prompt (with ``stop_details`` explaining which filter), ``max_tokens``,
else ``end_turn``. A MALFORMED_FUNCTION_CALL / UNEXPECTED_TOOL_CALL finish raises
:class:`~adapter.translate.candidates.ModelFunctionCallError`, as for chat.

``usage``: Gemini's ``promptTokenCount`` includes cached tokens, Anthropic's ``input_tokens``
does not, so cached tokens are moved to ``cache_read_input_tokens``; tool-use prompt tokens
count as input, thoughts as output.
"""

from __future__ import annotations

from typing import Any, Mapping

from adapter.translate.anthropic.assembly import BlockAssembler
from adapter.translate.candidates import CONTENT_FILTERS, FUNCTION_CALL_FAILURES, ModelFunctionCallError

StopFields = dict[str, Any]


def _fields(reason: str, *, sequence: str | None = None, explanation: str | None = None) -> StopFields:
    details = {"type": "refusal", "category": None, "explanation": explanation} if explanation else None
    return {"stop_reason": reason, "stop_sequence": sequence, "stop_details": details}


def stop_fields(candidate: Mapping[str, Any], assembler: BlockAssembler) -> StopFields:
    """``stop_reason``, ``stop_sequence`` and ``stop_details`` of a finished candidate."""
    reason = candidate.get("finishReason")
    if reason in FUNCTION_CALL_FAILURES:
        raise ModelFunctionCallError(reason, candidate.get("finishMessage"))
    if assembler.stop_sequence is not None:
        return _fields("stop_sequence", sequence=assembler.stop_sequence)
    if assembler.tool_uses:
        return _fields("tool_use")
    if reason in CONTENT_FILTERS:
        detail = candidate.get("finishMessage")
        explanation = f"The answer was blocked by Vertex AI {CONTENT_FILTERS[reason]} ({reason})"
        return _fields("refusal", explanation=explanation + (f": {detail}" if detail else "."))
    return _fields("max_tokens" if reason == "MAX_TOKENS" else "end_turn")


def unfinished_fields(assembler: BlockAssembler) -> StopFields:
    """The stop fields of a candidate Vertex left without a finish reason (a cut stream)."""
    return stop_fields({}, assembler)


def blocked_fields(feedback: Mapping[str, Any]) -> StopFields:
    """The stop fields answering a prompt Vertex blocked (``promptFeedback.blockReason``)."""
    reason, detail = feedback["blockReason"], feedback.get("blockReasonMessage")
    explanation = f"The prompt was blocked by Vertex AI ({reason})" + (f": {detail}" if detail else ".")
    return _fields("refusal", explanation=explanation)


def usage(usage_metadata: Mapping[str, Any] | None) -> dict[str, int]:
    meta = usage_metadata or {}
    cached = meta.get("cachedContentTokenCount", 0)
    prompt = meta.get("promptTokenCount", 0) + meta.get("toolUsePromptTokenCount", 0)
    return {
        "input_tokens": max(prompt - cached, 0),
        "output_tokens": meta.get("candidatesTokenCount", 0) + meta.get("thoughtsTokenCount", 0),
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": cached,
    }
