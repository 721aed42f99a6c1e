"""Streaming chat completions: real SSE relay, and fake streaming over ``generateContent``.

The HTTP status waits until the upstream has accepted the request (so that errors keep their
status, failover included), but never longer than ``FIRST_BYTE_DEADLINE``: past that the stream
starts with keep-alives and a later failure becomes an error event. While the upstream is
silent, an SSE comment goes out every ``STREAM_KEEPALIVE_INTERVAL`` seconds (fake streaming
sends empty chunks every ``FAKE_STREAMING_INTERVAL`` instead, as the older tool did).
"""

from __future__ import annotations

import itertools
import time
from typing import Any, Callable, Iterator, Protocol

from flask import Response

from ..errors import AdapterError, UpstreamError
from ..gateway import Gateway
from ..translate.candidates import ModelFunctionCallError
from ..translate.chunks import ChunkTranslator
from ..upstream.credentials import Credential
from .chat_call import ChatCall, explain_headers, generate_caller, run
from .http import SSE_DONE, SSE_HEADERS, SSE_KEEPALIVE, sse_frame
from .pump import Item, Opened, UpstreamPump


class StreamTranslator(Protocol):
    def feed(self, event: Any) -> list[dict[str, Any]]: ...

    def finish(self) -> list[dict[str, Any]]: ...


def stream_chat(gateway: Gateway, call: ChatCall) -> Response:
    settings = gateway.settings
    if settings.fake_streaming:
        opener = _fake_opener(gateway, call)
        keepalive, interval = _fake_keepalive(call), settings.fake_streaming_interval
        deadline = min(settings.first_byte_deadline, interval)
    else:
        assert call.translated is not None
        opener = stream_opener(gateway, call, _gemini_stream_url(gateway, call), call.translated.body)
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
    while True:
        translator = new_translator()
        pump = UpstreamPump(opener)
        try:
            first_chunks, outcome = _first_chunks(pump, translator, deadline, call)
        except ModelFunctionCallError:
            pump.cancel()
            if retries_left == 0:
                raise
            retries_left -= 1
            continue
        except BaseException:
            pump.cancel()
            raise
        break
    call.record.deferred = True
    body = _relay(pump, translator, first_chunks, keepalive, interval, call)
    return Response(body, mimetype="text/event-stream", headers={**SSE_HEADERS, **explain_headers(call, outcome)})


def _gemini_stream_url(gateway: Gateway, call: ChatCall) -> Callable[[Credential], str]:
    def url(cred: Credential) -> str:
        return gateway.client.model_url(cred, call.route.base, "streamGenerateContent") + "?alt=sse"

    return url


def _translator(call: ChatCall) -> ChunkTranslator:
    options = call.body.get("stream_options") or {}
    return ChunkTranslator(
        completion_id=call.completion_id, created=call.created, model=call.model, include_usage=bool(options.get("include_usage"))
    )


def _first_chunks(pump: UpstreamPump, translator: StreamTranslator, deadline: float, call: ChatCall) -> tuple[list[bytes] | None, Any]:
    """Wait for the upstream's first event (up to ``deadline``) and translate it.

    Returns (frames, outcome); frames is None when the deadline passed first (the stream then
    starts with keep-alives). Raises the upstream's error, so that the client gets its status.
    """
    until = time.monotonic() + deadline
    outcome = None
    while True:
        item = pump.get(max(0.0, until - time.monotonic()))
        if item is None:
            return None, outcome
        kind, payload = item
        if kind == "error":
            raise payload
        if kind == "started":
            outcome = payload
        elif kind == "event":
            _note_usage(call, payload)
            return [sse_frame(chunk) for chunk in translator.feed(payload)], outcome
        else:
            return [sse_frame(chunk) for chunk in translator.finish()] + [SSE_DONE], outcome


def _relay(
    pump: UpstreamPump,
    translator: StreamTranslator,
    first: list[bytes] | None,
    keepalive: bytes,
    interval: float,
    call: ChatCall,
) -> Iterator[bytes]:
    status = 200
    try:
        if first is None:
            yield keepalive
        else:
            yield from first
            if first and first[-1] is SSE_DONE:
                return
        while True:
            item: Item | None = pump.get(interval)
            if item is None:
                yield keepalive
                continue
            kind, payload = item
            if kind == "event":
                _note_usage(call, payload)
                for chunk in translator.feed(payload):
                    yield sse_frame(chunk)
            elif kind == "end":
                for chunk in translator.finish():
                    yield sse_frame(chunk)
                yield SSE_DONE
                return
            elif kind == "error":
                status = payload.status
                yield sse_frame(payload.to_body())
                yield SSE_DONE
                return
    except AdapterError as exc:
        status = exc.status
        yield sse_frame(exc.to_body())
        yield SSE_DONE
    finally:
        pump.cancel()
        call.record.note_attempts()
        call.record.log(status)


def _note_usage(call: ChatCall, event: Any) -> None:
    usage = event.get("usageMetadata") if isinstance(event, dict) else None
    if usage and "totalTokenCount" in usage:
        call.record.usage = {
            "prompt_tokens": usage.get("promptTokenCount", 0),
            "completion_tokens": usage.get("candidatesTokenCount", 0) + usage.get("thoughtsTokenCount", 0),
        }


def stream_opener(gateway: Gateway, call: ChatCall, url: Callable[[Credential], str], body: dict[str, Any]) -> Callable[[UpstreamPump], Any]:
    """An opener that opens an SSE stream at ``url(credential)`` and peeks its first event."""

    def opener(pump: UpstreamPump) -> Any:
        def open_and_peek(cred: Credential) -> Opened:
            stream = gateway.client.open_stream(cred, url(cred), body)
            pump.track(stream)
            events = stream.events()
            try:
                first = next(events)
            except StopIteration:
                stream.close()
                raise UpstreamError("Vertex AI closed the stream without an answer.", upstream_status=502) from None
            except BaseException:
                stream.close()
                raise
            return Opened(itertools.chain((first,), events))

        return run(gateway, call, open_and_peek)

    return opener


def _fake_opener(gateway: Gateway, call: ChatCall) -> Callable[[UpstreamPump], Any]:
    send = generate_caller(gateway, call)

    def opener(pump: UpstreamPump) -> Any:
        outcome = run(gateway, call, send)
        outcome.value = Opened(iter((outcome.value,)))
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
