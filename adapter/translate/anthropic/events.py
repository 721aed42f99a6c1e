"""Vertex ``streamGenerateContent`` events → Anthropic Messages stream events (pure).

One :class:`EventTranslator` per stream (it satisfies the pipeline's ``EventTranslator``
protocol): ``message_start`` with the first upstream event, then for every block
``content_block_start`` / ``content_block_delta`` (``text_delta``, ``thinking_delta``,
``signature_delta``, ``input_json_delta``) / ``content_block_stop`` from the same
:class:`~.assembly.BlockAssembler` as the whole answer, and at the end ``message_delta`` (stop
reason, stop sequence, stop details and the cumulative usage) and ``message_stop``. The
``message_start`` usage is what the first event knew (Vertex reports counts only at the end);
the ``message_delta`` usage carries every count, so an accumulating client (the Anthropic SDK's
``messages.stream()``) ends with exactly the message :func:`~.response.to_message` gives.
``fail`` gives the ``error`` event of a stream that breaks after its first byte.
"""

from __future__ import annotations

from typing import Any, Mapping

from adapter.errors import AdapterError
from adapter.translate.anthropic.assembly import AnswerOptions, BlockAssembler, Op, tool_id_prefix
from adapter.translate.anthropic.errors import error_body
from adapter.translate.anthropic.outcome import StopFields, blocked_fields, stop_fields, unfinished_fields, usage
from adapter.translate.anthropic.response import message_head
from adapter.translate.candidates import blocked_feedback, candidate_parts, empty_response_error, has_token_counts
from adapter.translate.shapes import GeminiResponse

AnthropicEvent = dict[str, Any]
_OP_EVENTS: dict[str, str] = {"start": "content_block_start", "delta": "content_block_delta", "stop": "content_block_stop"}


class EventTranslator:
    """Translates one stream, event by event. Not thread-safe (one per request)."""

    __slots__ = ("_message_id", "_model", "_assembler", "_usage", "_started", "_answered", "_stop")

    def __init__(self, *, message_id: str, model: str, options: AnswerOptions) -> None:
        self._message_id = message_id
        self._model = model
        self._assembler = BlockAssembler(id_prefix=tool_id_prefix(message_id), options=options)
        self._usage: Mapping[str, Any] | None = None
        self._started = False
        self._answered = False
        self._stop: StopFields | None = None

    def feed(self, event: GeminiResponse) -> list[AnthropicEvent]:
        """The events for one upstream event. Raises ``ModelFunctionCallError`` when the answer ends so."""
        meta = event.get("usageMetadata")
        if meta is not None and (self._usage is None or has_token_counts(meta)):
            self._usage = meta
        events: list[AnthropicEvent] = []
        if not self._started:
            self._started = True
            events.append(self._message_start())
        if self._stop is not None:
            return events
        candidates = event.get("candidates")
        if candidates:
            self._answered = True
            candidate = candidates[0]
            events.extend(_block_events(self._assembler.parts(candidate_parts(candidate))))
            if candidate.get("finishReason") is not None:
                self._stop = stop_fields(candidate, self._assembler)
                events.extend(_block_events(self._assembler.close()))
            return events
        feedback = blocked_feedback(event)
        if feedback is not None:
            self._answered = True
            self._stop = blocked_fields(feedback)
        return events

    def finish(self) -> list[AnthropicEvent]:
        """The closing events. Raises ``UpstreamError`` when the stream held no answer at all."""
        if not self._answered:
            raise empty_response_error()
        events: list[AnthropicEvent] = []
        if self._stop is None:
            events.extend(_block_events(self._assembler.close()))
            self._stop = unfinished_fields(self._assembler)
        events.append({"type": "message_delta", "delta": dict(self._stop), "usage": usage(self._usage)})
        events.append({"type": "message_stop"})
        return events

    def fail(self, error: AdapterError) -> list[AnthropicEvent]:
        """The ``error`` event sent when the stream fails after its first byte."""
        return [error_body(error)]

    def _message_start(self) -> AnthropicEvent:
        message = {
            **message_head(self._message_id, self._model),
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "stop_details": None,
            "usage": usage(self._usage),
        }
        return {"type": "message_start", "message": message}


def _block_events(ops: list[Op]) -> list[AnthropicEvent]:
    events: list[AnthropicEvent] = []
    for op in ops:
        event: AnthropicEvent = {"type": _OP_EVENTS[op[0]], "index": op[1]}
        if op[0] == "start":
            event["content_block"] = op[2]
        elif op[0] == "delta":
            event["delta"] = op[2]
        events.append(event)
    return events
