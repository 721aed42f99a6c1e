"""Gemini candidate parts → Responses output items and their stream events (shared, pure).

One :class:`OutputBuilder` per answer. It reads parts with chat's
:func:`~adapter.translate.candidates.part_pieces` and turns each run of thought text into a
``reasoning`` item, each run of answer text into a ``message`` item (one ``output_text`` part,
plus a ``refusal`` part when a content filter stopped the answer), and each call into a
``function_call`` item (``custom_tool_call`` for custom tools), in the order Gemini sent them.
Every step also yields the Responses stream events for it (without ``sequence_number``):
:mod:`.events` sends them, :mod:`.response` keeps only the items, so a stream accumulates to
exactly the whole answer. The builder also keeps the answer's Gemini parts for the store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from adapter.translate.candidates import (
    CONTENT,
    REASONING,
    candidate_parts,
    closing_fields,
    finish_reason,
    new_choice_state,
    part_pieces,
    unfinished_reason,
)
from adapter.translate.logprobs import to_openai_logprobs
from adapter.translate.shapes import GeminiPart

from .head import ResponseObject, finished
from .history import AnswerParts
from .items import CUSTOM_INPUT
from .items_out import (
    call_item,
    item_id,
    message_item,
    reasoning_item,
    refusal_part,
    summary_part,
    text_part,
    url_citations,
)
from .signatures import encrypted_content, split_tool_call_id

Event = dict[str, Any]
INCOMPLETE_REASONS: dict[str, str] = {"length": "max_output_tokens", "content_filter": "content_filter"}


@dataclass(frozen=True, slots=True)
class OutputOptions:
    custom_names: frozenset[str] = frozenset()
    """Custom tools: their calls become ``custom_tool_call`` items."""
    namespaces: Mapping[str, str] = field(default_factory=dict)
    """Tools declared from a ``namespace``: their calls carry its name (Codex runs them by it)."""
    encrypted_reasoning: bool = False
    """``include: ["reasoning.encrypted_content"]`` was asked for."""


@dataclass(slots=True)
class _Open:
    kind: str  # "reasoning" or "message"
    index: int
    id: str
    start: int  # a message's first character in the whole answer text
    texts: list[str] = field(default_factory=list)
    signature: str | None = None
    logprobs: list[dict[str, Any]] = field(default_factory=list)


class OutputBuilder:
    """Builds the output of one answer (candidate 0), step by step. One per response."""

    def __init__(self, response_id: str, options: OutputOptions) -> None:
        self._response_id = response_id
        self._options = options
        self._state = new_choice_state(0, response_id)
        self._open: _Open | None = None
        self._grounding: Mapping[str, Any] | None = None
        self.items: list[dict[str, Any]] = []
        self._answer = AnswerParts()
        self.reason: str | None = None

    @property
    def model_parts(self) -> list[GeminiPart]:
        """The answer's Gemini parts so far, for the store."""
        return self._answer.parts()

    @property
    def finished(self) -> bool:
        return self.reason is not None

    def candidate(self, candidate: Mapping[str, Any]) -> list[Event]:
        """Events for one candidate (whole, or one stream event's). Raises ModelFunctionCallError."""
        events: list[Event] = []
        if self.finished:
            return events
        for part in candidate_parts(candidate):
            self._part(part, events)
        result = candidate.get("logprobsResult")
        if result is not None:
            self._logprobs(to_openai_logprobs(result)["content"], events)
        if candidate.get("groundingMetadata"):
            self._grounding = candidate["groundingMetadata"]
        reason = finish_reason(candidate, self._state)
        if reason is not None:
            events.extend(self.close(reason, candidate))
        return events

    def blocked(self, refusal: str) -> list[Event]:
        """Events for a prompt Vertex blocked (no candidate): a refusal message."""
        events: list[Event] = []
        if not self.finished:
            self._close_open(events, "completed")
            self._refusal_message(refusal, events)
            self.reason = "content_filter"
        return events

    def close(self, reason: str, candidate: Mapping[str, Any]) -> list[Event]:
        """Close the answer with chat's finish reason (``stop``, ``length``, ``content_filter``...)."""
        events: list[Event] = []
        fields = closing_fields(candidate, self._state, self._grounding)
        status = "incomplete" if reason in INCOMPLETE_REASONS else "completed"
        refusal = fields.get("refusal")
        if self._open is not None and self._open.kind == "message":
            self._close_open(events, status, fields.get("annotations", ()), refusal)
        else:
            self._close_open(events, status)
            if refusal:
                self._refusal_message(refusal, events)
        self.reason = reason
        return events

    def finish(self) -> list[Event]:
        """Close an answer Vertex left without a finish reason (a cut stream, an odd answer)."""
        return [] if self.finished else self.close(unfinished_reason(self._state), {})

    def response(self, head: ResponseObject, usage: dict[str, Any]) -> ResponseObject:
        reason = INCOMPLETE_REASONS.get(self.reason or "")
        return finished(head, list(self.items), usage, "incomplete" if reason else "completed", reason)

    def _part(self, part: GeminiPart, events: list[Event]) -> None:
        pieces = part_pieces([part], self._state)
        signature = part.get("thoughtSignature")
        if not pieces:
            self._answer.append(part)
            if part.get("thought") and signature and self._open is not None and self._open.kind == "reasoning":
                self._open.signature = signature
            return
        kind, value = pieces[0]
        if kind == REASONING or kind == CONTENT:
            self._answer.append(part)
            self._text("reasoning" if kind == REASONING else "message", value, events)
            if kind == REASONING and signature:
                self._open.signature = signature  # type: ignore[union-attr]
            return
        call = value[1]
        gemini_id = split_tool_call_id(call["id"])[0]
        self._answer.append({**part, "functionCall": {**part["functionCall"], "id": gemini_id}})
        self._call(call, events)

    def _text(self, kind: str, text: str, events: list[Event]) -> None:
        if self._open is None or self._open.kind != kind:
            self._close_open(events, "completed")
            self._start(kind, self._state.content_chars - len(text), events)
        opened = self._open
        assert opened is not None
        opened.texts.append(text)
        if kind == "reasoning":
            events.append(self._event("response.reasoning_summary_text.delta", opened, summary_index=0, delta=text))
        else:
            events.append(self._event("response.output_text.delta", opened, content_index=0, delta=text, logprobs=[]))

    def _start(self, kind: str, start: int, events: list[Event]) -> None:
        index = len(self.items)
        opened = self._open = _Open(kind=kind, index=index, id=item_id(self._response_id, kind, index), start=start)
        if kind == "reasoning":
            item = reasoning_item(opened.id, None, None, with_encrypted=False)
            events.append({"type": "response.output_item.added", "output_index": index, "item": item})
            events.append(self._event("response.reasoning_summary_part.added", opened, summary_index=0, part=summary_part("")))
        else:
            events.append({"type": "response.output_item.added", "output_index": index,
                           "item": message_item(opened.id, (), "in_progress")})
            events.append(self._event("response.content_part.added", opened, content_index=0, part=text_part("")))

    def _close_open(self, events: list[Event], status: str, annotations: Any = (), refusal: str | None = None) -> None:
        opened = self._open
        if opened is None:
            return
        text = "".join(opened.texts)
        if opened.kind == "reasoning":
            events.append(self._event("response.reasoning_summary_text.done", opened, summary_index=0, text=text))
            events.append(self._event("response.reasoning_summary_part.done", opened, summary_index=0, part=summary_part(text)))
            encrypted = encrypted_content(text, opened.signature) if opened.signature else None
            item = reasoning_item(opened.id, text, encrypted, with_encrypted=self._options.encrypted_reasoning)
        else:
            citations = url_citations(annotations, opened.start, len(text))
            for k, citation in enumerate(citations):
                events.append(self._event("response.output_text.annotation.added", opened, content_index=0,
                                          annotation_index=k, annotation=citation))
            part = text_part(text, citations, opened.logprobs)
            events.append(self._event("response.output_text.done", opened, content_index=0, text=text, logprobs=opened.logprobs))
            events.append(self._event("response.content_part.done", opened, content_index=0, part=part))
            content = [part]
            if refusal:
                content.append(self._refusal_part(opened, 1, refusal, events))
            item = message_item(opened.id, content, status)
        events.append({"type": "response.output_item.done", "output_index": opened.index, "item": item})
        self.items.append(item)
        self._open = None

    def _refusal_message(self, refusal: str, events: list[Event]) -> None:
        index = len(self.items)
        opened = _Open(kind="message", index=index, id=item_id(self._response_id, "message", index), start=0)
        events.append({"type": "response.output_item.added", "output_index": index,
                       "item": message_item(opened.id, (), "in_progress")})
        item = message_item(opened.id, [self._refusal_part(opened, 0, refusal, events)], "incomplete")
        events.append({"type": "response.output_item.done", "output_index": index, "item": item})
        self.items.append(item)

    def _refusal_part(self, opened: _Open, content_index: int, refusal: str, events: list[Event]) -> dict[str, Any]:
        events.append(self._event("response.content_part.added", opened, content_index=content_index, part=refusal_part("")))
        events.append(self._event("response.refusal.delta", opened, content_index=content_index, delta=refusal))
        events.append(self._event("response.refusal.done", opened, content_index=content_index, refusal=refusal))
        part = refusal_part(refusal)
        events.append(self._event("response.content_part.done", opened, content_index=content_index, part=part))
        return part

    def _call(self, call: Mapping[str, Any], events: list[Event]) -> None:
        self._close_open(events, "completed")
        index = len(self.items)
        name, arguments = call["function"]["name"], call["function"]["arguments"]
        custom = name in self._options.custom_names
        value = _custom_input(arguments) if custom else arguments
        id_ = item_id(self._response_id, "custom_tool_call" if custom else "function_call", index)
        namespace = self._options.namespaces.get(name)
        added = call_item(id_, call["id"], name, "", custom=custom, done=False, namespace=namespace)
        events.append({"type": "response.output_item.added", "output_index": index, "item": added})
        kind = "response.custom_tool_call_input" if custom else "response.function_call_arguments"
        base = {"item_id": id_, "output_index": index}
        if value:
            events.append({"type": f"{kind}.delta", **base, "delta": value})
        events.append({"type": f"{kind}.done", **base, "input": value} if custom
                      else {"type": f"{kind}.done", **base, "name": name, "arguments": value})
        item = call_item(id_, call["id"], name, value, custom=custom, done=True, namespace=namespace)
        events.append({"type": "response.output_item.done", "output_index": index, "item": item})
        self.items.append(item)

    def _logprobs(self, logprobs: list[dict[str, Any]], events: list[Event]) -> None:
        if self._open is None or self._open.kind != "message":
            return
        self._open.logprobs.extend(logprobs)
        delta = next((e for e in events if e["type"] == "response.output_text.delta"), None)
        if delta is not None:
            delta["logprobs"] = logprobs

    @staticmethod
    def _event(kind: str, opened: _Open, **fields: Any) -> Event:
        return {"type": kind, "item_id": opened.id, "output_index": opened.index, **fields}


def _custom_input(arguments: str) -> str:
    """A custom tool's raw input: the string argument ``input`` (else the arguments as sent)."""
    args = json.loads(arguments)
    value = args.get(CUSTOM_INPUT) if isinstance(args, dict) else None
    return value if isinstance(value, str) else arguments
