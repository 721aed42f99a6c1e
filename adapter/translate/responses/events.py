"""Vertex ``streamGenerateContent`` events → the Responses API stream events (pure).

One :class:`EventTranslator` per stream (it satisfies the streaming layer's ``EventTranslator``
protocol). The sequence is OpenAI's: ``response.created`` and ``response.in_progress`` with the
first upstream event; per output item ``response.output_item.added`` … ``done`` with its part,
delta and done events (see :mod:`.output`); then ``response.completed`` (or
``response.incomplete``) carrying the whole response, whose output equals what the deltas
accumulate to. A failure after the first byte ends the stream with ``response.failed``. Every
event has a strictly increasing ``sequence_number`` from 0. Usage is taken from the last
upstream event that carried token counts.
"""

from __future__ import annotations

from typing import Any, Mapping

from adapter.errors import AdapterError
from adapter.translate.candidates import (
    blocked_feedback,
    blocked_prompt_fields,
    candidate_index,
    empty_response_error,
    has_token_counts,
)
from adapter.translate.shapes import GeminiPart, GeminiResponse

from .head import ResponseObject, failed, usage_of
from .output import Event, OutputBuilder, OutputOptions

# ResponseError codes (a closed list in OpenAI's schema) for the HTTP status of a failure.
FAILURE_CODES: dict[int, str] = {429: "rate_limit_exceeded", 400: "invalid_prompt"}


class EventTranslator:
    """Translates one stream, event by event. Not thread-safe (one per request)."""

    __slots__ = ("_head", "_builder", "_sequence", "_usage", "_started", "_seen", "response")

    def __init__(self, head: ResponseObject, options: OutputOptions) -> None:
        self._head = head
        self._builder = OutputBuilder(head["id"], options)
        self._sequence = 0
        self._usage: Mapping[str, Any] | None = None
        self._started = False
        self._seen = False
        self.response: ResponseObject | None = None
        """The whole Response, once :meth:`finish` has run (what the store keeps)."""

    @property
    def answer_parts(self) -> list[GeminiPart]:
        """The answer's Gemini parts so far, for the store."""
        return self._builder.model_parts

    def feed(self, event: GeminiResponse) -> list[Event]:
        """The events for one upstream event. Raises ``ModelFunctionCallError``."""
        meta = event.get("usageMetadata")
        if meta is not None and (self._usage is None or has_token_counts(meta)):
            self._usage = meta
        events = self._opening()
        candidate = next((c for c in event.get("candidates") or () if candidate_index(c) == 0), None)
        if candidate is not None:
            self._seen = True
            events.extend(self._builder.candidate(candidate))
        elif (feedback := blocked_feedback(event)) is not None:
            self._seen = True
            events.extend(self._builder.blocked(blocked_prompt_fields(feedback)["refusal"]))
        return self._numbered(events)

    def finish(self) -> list[Event]:
        """The closing events. Raises ``UpstreamError`` when the stream held no answer at all."""
        if not self._seen:
            raise empty_response_error()
        events = self._opening()
        events.extend(self._builder.finish())
        self.response = self._builder.response(self._head, usage_of(self._usage))
        kind = "response.incomplete" if self.response["status"] == "incomplete" else "response.completed"
        events.append({"type": kind, "response": self.response})
        return self._numbered(events)

    def fail(self, error: AdapterError) -> list[Event]:
        """The events that end a stream failing after its first byte: ``response.failed``."""
        events = self._opening()
        code = FAILURE_CODES.get(error.status, "server_error")
        response = failed(self._head, list(self._builder.items), code, error.message)
        events.append({"type": "response.failed", "response": response})
        return self._numbered(events)

    def _opening(self) -> list[Event]:
        if self._started:
            return []
        self._started = True
        return [
            {"type": "response.created", "response": self._head},
            {"type": "response.in_progress", "response": self._head},
        ]

    def _numbered(self, events: list[Event]) -> list[Event]:
        for event in events:
            event["sequence_number"] = self._sequence
            self._sequence += 1
        return events
