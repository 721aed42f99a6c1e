"""A plan sent to Vertex with failover, as a whole answer or as a stream.

The MALFORMED_FUNCTION_CALL retry (``MALFORMED_FUNCTION_CALL_RETRY``) lives here and nowhere
else: when a front door's translation raises
:class:`~adapter.translate.candidates.ModelFunctionCallError`, the call is made once more. An
exception raised while translating an answer is Vertex's fault (502 ``upstream_bad_answer``)
only when the answer breaks Google's shapes; otherwise it is the gateway's (a 500
``internal_error``, logged with its traceback): see :mod:`adapter.upstream.answer_shape`.

Streams: the HTTP status waits until the upstream has accepted the request (so that errors
keep their status, failover included), but never longer than ``FIRST_BYTE_DEADLINE``: past that
the stream starts with keep-alives and a later failure becomes the translator's failure events.
While the upstream is silent a keep-alive goes out every ``STREAM_KEEPALIVE_INTERVAL`` seconds
(fake streaming sends the wire's ``fake_keepalive`` every ``FAKE_STREAMING_INTERVAL`` instead).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, TypeVar

from flask import Response, request

from ..errors import AdapterError
from ..gateway import Gateway
from ..streaming.disconnect import ClientWatch
from ..streaming.frames import Frames
from ..streaming.pump import UpstreamPump
from ..streaming.relay import SSERelay, first_frames_of
from ..streaming.wire import SSE_HEADERS, EventTranslator, SSEWire
from ..translate.candidates import ModelFunctionCallError, usage_from
from ..upstream.answer_shape import GEMINI_ANSWER, OPENAI_ANSWER, OPENAI_CHUNK, failed_translation
from ..upstream.dispatch import Outcome
from .opening import dispatch_whole, fake_opener, stream_opener
from .plan import OPENAI_CHAT, CallPlan
from .urls import explain_headers, fakes_stream

T = TypeVar("T")

_SHAPES = {OPENAI_CHAT: (OPENAI_ANSWER, OPENAI_CHUNK)}
"""The documented shapes of (a whole answer, a stream event) per method; Gemini's otherwise."""
_GEMINI_SHAPES = (GEMINI_ANSWER, GEMINI_ANSWER)


def complete(gateway: Gateway, plan: CallPlan, translate: Callable[[dict[str, Any]], T]) -> tuple[T, Outcome[dict[str, Any]]]:
    """Send the plan and translate the answer; returns (translation, outcome)."""
    retries_left = 1 if gateway.settings.malformed_function_call_retry else 0
    while True:
        outcome = dispatch_whole(gateway, plan)
        try:
            result = translate(outcome.value)
        except ModelFunctionCallError:
            if retries_left == 0:
                raise
            retries_left -= 1
            continue
        except AdapterError:
            raise
        except Exception:
            raise failed_translation(outcome.value, _SHAPES.get(plan.method, _GEMINI_SHAPES)[0]) from None
        note_answer_usage(plan, outcome.value)
        return result, outcome


def note_answer_usage(plan: CallPlan, answer: dict[str, Any]) -> None:
    """Keep a whole answer's token counts for the request's log line and metrics."""
    usage = answer.get("usage")
    plan.record.usage = usage if isinstance(usage, dict) else usage_from(answer.get("usageMetadata"))


def stream(
    gateway: Gateway,
    plan: CallPlan,
    new_translator: Callable[[], EventTranslator],
    wire: SSEWire,
    *,
    headers: Mapping[str, str] | None = None,
    on_finish: Callable[[EventTranslator], None] | None = None,
) -> Response:
    """Open the plan's stream (in a pump) and answer with its translated events."""
    settings = gateway.settings
    if fakes_stream(gateway, plan):
        opener, keepalive, interval = fake_opener(gateway, plan), wire.fake_keepalive or wire.keepalive, settings.fake_streaming_interval
        deadline = min(settings.first_byte_deadline, interval)
    else:
        opener, keepalive, interval = stream_opener(gateway, plan), wire.keepalive, settings.stream_keepalive_interval
        deadline = settings.first_byte_deadline
    shape = _SHAPES.get(plan.method, _GEMINI_SHAPES)[1]
    retries_left = 1 if settings.malformed_function_call_retry else 0
    watch = ClientWatch.from_environ(request.environ)
    while True:
        frames = Frames(new_translator(), wire, plan.record, shape, on_finish)
        pump = UpstreamPump(opener)
        try:
            first, outcome = first_frames_of(pump, frames, deadline, watch)
        except ModelFunctionCallError:
            pump.close()
            if retries_left == 0:
                raise
            retries_left -= 1
            continue
        except BaseException:
            pump.close()
            raise
        break
    plan.record.deferred = True
    relay = SSERelay(pump, frames, first, keepalive=keepalive, interval=interval, watch=watch)
    explained = explain_headers(plan, [outcome] if outcome is not None else [])
    # direct_passthrough: the server iterates (and closes) the relay itself, without werkzeug's
    # two wrapping iterators around each event (its frames are bytes already).
    return Response(relay, mimetype="text/event-stream", headers={**SSE_HEADERS, **explained, **(headers or {})}, direct_passthrough=True)
