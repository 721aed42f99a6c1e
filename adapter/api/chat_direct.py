"""OpenAI direct mode (``-openai``): relay to Vertex's OpenAI-compatible endpoint.

The request goes nearly as is (see :mod:`adapter.translate.direct`); the reasoning that Vertex
returns inside thought tags moves to ``reasoning_content``. Failover, keep-alives and error
handling are the same as for Gemini calls.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from ..gateway import Gateway
from ..translate.direct import DirectChunkTranslator, direct_response
from ..upstream.credentials import Credential
from .answers import UNREADABLE, unreadable_answer
from .chat_call import ChatCall, completion_response, run_whole, translate_direct
from .chat_stream import relay_response, stream_opener
from ..http import SSE_KEEPALIVE


def direct_chat(gateway: Gateway, call: ChatCall) -> Response:
    body = translate_direct(gateway, call)
    settings = gateway.settings
    if call.body.get("stream"):
        return relay_response(
            gateway,
            call,
            stream_opener(gateway, call, gateway.client.openai_url, body),
            lambda: DirectChunkTranslator(model=call.model, include_usage=call.include_usage),
            keepalive=SSE_KEEPALIVE,
            interval=settings.stream_keepalive_interval,
            deadline=settings.first_byte_deadline,
        )

    def send(cred: Credential) -> Any:
        return gateway.client.post_json(cred, gateway.client.openai_url(cred), body)

    outcome = run_whole(gateway, call, send)
    try:
        completion = direct_response(outcome.value, model=call.model)
    except UNREADABLE:
        raise unreadable_answer() from None
    return completion_response(call, completion, outcome)
