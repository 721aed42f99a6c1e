"""Streaming chat completions: real SSE relay, and fake streaming over ``generateContent``.

The HTTP status waits until the upstream has accepted the request (so that errors keep their
status, failover included), but never longer than ``FIRST_BYTE_DEADLINE``: past that the stream
starts with keep-alives and a later failure becomes an error event. While the upstream is
silent, an SSE comment goes out every ``STREAM_KEEPALIVE_INTERVAL`` seconds (fake streaming
sends empty chunks every ``FAKE_STREAMING_INTERVAL`` instead, as the older tool did).
"""

from __future__ import annotations

from typing import Any, Callable

from flask import Response, request

from ..errors import UpstreamError
from ..gateway import Gateway
from ..translate.candidates import ModelFunctionCallError
from ..translate.chunks import ChunkTranslator
from ..translate.legacy_functions import LegacyChunks
from ..translate.shapes import GeminiRequest
from ..upstream.credentials import Credential
from ..upstream.stream import UpstreamStream
from .chat_call import ChatCall, explain_headers, gemini_url, generate_caller, run
from .disconnect import ClientWatch, cancellable
from ..http import SSE_HEADERS, SSE_KEEPALIVE, sse_frame
from .pump import NoMoreEvents, Opened, UpstreamPump
from .relay import SSERelay, StreamTranslator, first_chunks_of


def stream_chat(gateway: Gateway, call: ChatCall, gemini_body: GeminiRequest) -> Response:
    settings = gateway.settings
    if settings.fake_streaming:
        opener = _fake_opener(gateway, call, gemini_body)
        keepalive, interval = _fake_keepalive(call), settings.fake_streaming_interval
        deadline = min(settings.first_byte_deadline, interval)
    else:
        opener = stream_opener(gateway, call, gemini_url(gateway, call, stream=True), gemini_body)
        keepalive, interval = SSE_KEEPALIVE, settings.stream_keepalive_interval
        deadline = settings.first_byte_deadline
    return relay_response(gateway, call, opener, lambda: _translator(call), keepalive=keepalive, interval=interval, deadline=deadline)


def relay_response(
    gateway: Gateway,
    call: ChatCall,
    opener: Callable[[UpstreamPump], Any],
    new_translator: Callable[[], StreamTranslator],
    *,
    keepalive: bytes,
    interval: float,
    deadline: float,
) -> Response:
    """Run ``opener`` in a pump and relay its events as translated SSE chunks."""
    retries_left = 1 if gateway.settings.malformed_function_call_retry else 0
    watch = ClientWatch.from_environ(request.environ)
    while True:
        translator = LegacyChunks(new_translator()) if call.legacy_functions else new_translator()
        pump = UpstreamPump(opener)
        try:
            first_chunks, outcome = first_chunks_of(pump, translator, deadline, call.record, watch)
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
    call.record.deferred = True
    relay = SSERelay(pump, translator, first_chunks, call.record, keepalive=keepalive, interval=interval, watch=watch)
    # direct_passthrough: the server iterates (and closes) the relay itself, without werkzeug's
    # two wrapping iterators around each event (its frames are bytes already).
    return Response(relay, mimetype="text/event-stream", headers={**SSE_HEADERS, **explain_headers(call, outcome)}, direct_passthrough=True)


def _translator(call: ChatCall) -> ChunkTranslator:
    return ChunkTranslator(completion_id=call.completion_id, created=call.created, model=call.model, include_usage=call.include_usage)


def stream_opener(gateway: Gateway, call: ChatCall, url: Callable[[Credential], str], body: dict[str, Any]) -> Callable[[UpstreamPump], Any]:
    """An opener that opens an SSE stream at ``url(credential)`` and reads its first events
    (failover covers everything up to them)."""

    def opener(pump: UpstreamPump) -> Any:
        def open_and_peek(cred: Credential) -> Opened:
            stream = gateway.client.open_stream(cred, url(cred), body)
            pump.track(stream)
            try:
                return Opened(_first_events(stream), stream)
            except BaseException:
                stream.close()
                raise

        return run(gateway, call, cancellable(lambda: pump.cancelled, open_and_peek))

    return opener


def _first_events(stream: UpstreamStream) -> list[Any]:
    while True:
        events = stream.read()
        if events is None:
            raise UpstreamError("Vertex AI closed the stream without an answer.", upstream_status=502)
        if events:
            return events


def _fake_opener(gateway: Gateway, call: ChatCall, gemini_body: GeminiRequest) -> Callable[[UpstreamPump], Any]:
    send = generate_caller(gateway, call, gemini_body)

    def opener(pump: UpstreamPump) -> Any:
        outcome = run(gateway, call, cancellable(lambda: pump.cancelled, send))
        outcome.value = Opened([outcome.value], NoMoreEvents())
        return outcome

    return opener


def _fake_keepalive(call: ChatCall) -> bytes:
    return sse_frame(
        {
            "id": call.completion_id,
            "object": "chat.completion.chunk",
            "created": call.created,
            "model": call.model,
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "logprobs": None, "finish_reason": None}],
        }
    )
