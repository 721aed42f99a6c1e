"""One stream's translator and wire together: upstream events in, SSE bytes out.

Every upstream event's token counts are noted for the request's log line first, whatever the
front door. An exception raised while translating an event is classified once, here: the
translator's own errors (:class:`~adapter.errors.AdapterError`, such as a malformed function
call) pass through; anything else is a 502 when the event breaks Google's shapes and a logged
500 when it keeps them (:func:`~adapter.upstream.answer_shape.failed_translation`).
"""

from __future__ import annotations

from typing import Any, Callable

from ..errors import AdapterError
from ..request_log import RequestRecord
from ..telemetry.hooks import active_request
from ..translate.candidates import usage_from
from ..upstream.answer_shape import failed_translation
from .wire import EventTranslator, SSEWire


class Frames:
    """The frames of one stream. ``shape`` is the documented shape of its upstream events;
    ``on_finish(translator)`` runs after ``translator.finish()``, before the closing events are
    written (an AdapterError it raises ends the stream with ``translator.fail(error)``)."""

    __slots__ = ("translator", "wire", "record", "shape", "on_finish", "_last")

    def __init__(
        self,
        translator: EventTranslator,
        wire: SSEWire,
        record: RequestRecord,
        shape: Any,
        on_finish: Callable[[EventTranslator], None] | None = None,
    ) -> None:
        self.translator, self.wire, self.record, self.shape, self.on_finish = translator, wire, record, shape, on_finish
        self._last: Any = None

    def events(self, events: list[Any]) -> bytes:
        """The frames of ``events``, as one piece (empty when they make no event)."""
        frame = self.wire.frame
        frames: list[bytes] = []
        for event in events:
            self._last = event
            try:
                note_usage(self.record, event)
                frames.extend(frame(out) for out in self.translator.feed(event))
            except AdapterError:
                raise
            except Exception:
                raise failed_translation(event, self.shape) from None
        return b"".join(frames)

    def finish(self) -> bytes:
        """The frames that close a stream that ended well, then the wire's end marker."""
        try:
            closing = self.translator.finish()
        except AdapterError:
            raise
        except Exception:
            raise failed_translation(self._last, self.shape) from None
        if self.on_finish is not None:
            self.on_finish(self.translator)
        return b"".join([*(self.wire.frame(out) for out in closing), self.wire.done])

    def failure(self, error: AdapterError) -> bytes:
        """The frames that end a stream failing after its first byte."""
        return b"".join([*(self.wire.frame(out) for out in self.translator.fail(error)), self.wire.done])


def note_usage(record: RequestRecord, event: Any) -> None:
    """Keep an event's token counts for the request's log line and metrics: Vertex's
    ``usageMetadata`` (final counts carry ``totalTokenCount``), or an OpenAI-framed ``usage``
    (direct mode)."""
    if not isinstance(event, dict):
        return
    traced = active_request() if record.tracing.enabled else None
    if traced is not None:
        traced.note_event(event)
    metadata = event.get("usageMetadata")
    if metadata and "totalTokenCount" in metadata:
        record.usage = usage_from(metadata)
    elif isinstance(event.get("usage"), dict):
        record.usage = event["usage"]
