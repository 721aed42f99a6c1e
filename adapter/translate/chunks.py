"""Vertex ``streamGenerateContent`` events → OpenAI ``chat.completion.chunk`` objects (pure).

One :class:`ChunkTranslator` per stream. Parts go through the same
:func:`~adapter.translate.candidates.part_pieces` as the whole-response translator, so the chunks
of a stream accumulate to the message :func:`~adapter.translate.response.to_chat_completion`
gives for the same answer. Per choice:

- the first chunk's delta carries ``role: "assistant"``;
- consecutive thought or text parts of one event form one ``reasoning_content`` or ``content``
  delta; every tool call is a delta of its own with its ``index`` (0, 1, ... per choice), ``id``,
  ``type``, ``function.name`` and the complete ``arguments`` (Gemini sends arguments whole);
- an event's ``logprobsResult`` rides on the first chunk of that event for the choice;
- when the candidate finishes: one delta with what is known only then (``refusal``,
  ``annotations``, ``grounding``, and ``content: ""`` if the choice produced neither text nor
  calls), then a chunk with an empty delta and the ``finish_reason``.

A blocked prompt gives a refusal chunk and a ``content_filter`` finish for choice 0. Events with
no candidates and no block (usage only) give nothing; no chunk is ever empty. With
``include_usage`` :meth:`ChunkTranslator.finish` adds a last chunk with ``choices: []`` and the
usage of the last event that carried counts (wire fact 18); other chunks have no ``usage`` key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..errors import AdapterError
from .candidates import (
    TOOL_CALL,
    ChoiceState,
    Piece,
    blocked_feedback,
    blocked_prompt_fields,
    candidate_index,
    candidate_parts,
    closing_fields,
    empty_response_error,
    finish_reason,
    has_token_counts,
    new_choice_state,
    part_pieces,
    unfinished_reason,
    usage_from,
)
from .logprobs import to_openai_logprobs
from .shapes import ChatCompletionChunk, GeminiResponse


@dataclass(slots=True)
class _StreamChoice:
    state: ChoiceState
    role_sent: bool = False
    finished: bool = False
    grounding: Mapping[str, Any] | None = None


class ChunkTranslator:
    """Translates one stream, event by event. Not thread-safe (one per request)."""

    __slots__ = ("_head", "_completion_id", "_include_usage", "_choices", "_usage")

    def __init__(self, *, completion_id: str, created: int, model: str, include_usage: bool) -> None:
        self._head = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model}
        self._completion_id = completion_id
        self._include_usage = include_usage
        self._choices: dict[int, _StreamChoice] = {}
        self._usage: Mapping[str, Any] | None = None

    def feed(self, event: GeminiResponse) -> list[ChatCompletionChunk]:
        """The chunks for one event. Raises ``ModelFunctionCallError`` when a candidate ends so."""
        meta = event.get("usageMetadata")
        if meta is not None and (self._usage is None or has_token_counts(meta)):
            self._usage = meta
        chunks: list[ChatCompletionChunk] = []
        candidates = event.get("candidates")
        if candidates:
            for candidate in candidates:
                self._candidate(candidate, chunks)
            return chunks
        feedback = blocked_feedback(event)
        if feedback is not None:
            choice = self._choice(0)
            if not choice.finished:
                self._close(choice, blocked_prompt_fields(feedback), "content_filter", chunks)
        return chunks

    def finish(self) -> list[ChatCompletionChunk]:
        """Finish chunks for choices Vertex left open, then the usage chunk if asked for.

        Raises ``UpstreamError`` when the stream held no candidate and no blocked prompt.
        """
        if not self._choices:
            raise empty_response_error()
        chunks: list[ChatCompletionChunk] = []
        for choice in self._choices.values():
            if not choice.finished:
                fields = closing_fields({}, choice.state, choice.grounding)
                self._close(choice, fields, unfinished_reason(choice.state), chunks)
        if self._include_usage:
            chunks.append({**self._head, "choices": [], "usage": usage_from(self._usage)})
        return chunks

    def fail(self, error: AdapterError) -> list[dict[str, Any]]:
        """The error frame that ends a stream failing after its first byte."""
        return [error.to_body()]

    def _choice(self, index: int) -> _StreamChoice:
        choice = self._choices.get(index)
        if choice is None:
            choice = self._choices[index] = _StreamChoice(new_choice_state(index, self._completion_id))
        return choice

    def _candidate(self, candidate: Mapping[str, Any], chunks: list[ChatCompletionChunk]) -> None:
        choice = self._choice(candidate_index(candidate))
        if choice.finished:
            return
        pieces = part_pieces(candidate_parts(candidate), choice.state)
        reason = finish_reason(candidate, choice.state)
        first = len(chunks)
        for delta in _deltas(pieces):
            chunks.append(self._chunk(choice, delta))
        result = candidate.get("logprobsResult")
        if result is not None:
            logprobs = to_openai_logprobs(result)
            if len(chunks) > first:
                chunks[first]["choices"][0]["logprobs"] = logprobs
            else:
                chunks.append(self._chunk(choice, {}, logprobs=logprobs))
        grounding = candidate.get("groundingMetadata")
        if grounding:
            choice.grounding = grounding
        if reason is not None:
            self._close(choice, closing_fields(candidate, choice.state, choice.grounding), reason, chunks)

    def _close(self, choice: _StreamChoice, fields: dict[str, Any], reason: str, chunks: list[ChatCompletionChunk]) -> None:
        if not choice.state.content_chars and not choice.state.tool_calls:
            fields = {"content": "", **fields}
        if fields:
            chunks.append(self._chunk(choice, fields))
        chunks.append(self._chunk(choice, {}, finish=reason))
        choice.finished = True

    def _chunk(
        self,
        choice: _StreamChoice,
        delta: dict[str, Any],
        *,
        logprobs: dict[str, Any] | None = None,
        finish: str | None = None,
    ) -> ChatCompletionChunk:
        if not choice.role_sent:
            delta = {"role": "assistant", **delta}
            choice.role_sent = True
        entry = {"index": choice.state.index, "delta": delta, "logprobs": logprobs, "finish_reason": finish}
        return {**self._head, "choices": [entry]}


def _deltas(pieces: list[Piece]) -> list[dict[str, Any]]:
    """Deltas for one event's pieces: runs of one text kind merged, one delta per tool call."""
    deltas: list[dict[str, Any]] = []
    last_kind = None
    for kind, value in pieces:
        if kind == TOOL_CALL:
            position, call = value
            deltas.append({TOOL_CALL: [{"index": position, **call}]})
            last_kind = None
        elif kind == last_kind:
            deltas[-1][kind] += value
        else:
            deltas.append({kind: value})
            last_kind = kind
    return deltas
