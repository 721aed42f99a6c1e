"""``POST /v1/chat/completions``: validate, route, translate, call Vertex, translate back.

Streaming and OpenAI direct mode live in :mod:`.chat_stream` and :mod:`.chat_direct`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from ..gateway import Gateway, current_gateway
from ..schemas.chat import CHAT_REQUEST_SCHEMA
from ..translate.candidates import ModelFunctionCallError
from ..translate.response import to_chat_completion
from ..translate.shapes import GeminiRequest
from ..validation import validate_json
from .answers import UNREADABLE, unreadable_answer
from .chat_call import ChatCall, completion_response, dry_run_plan, explain_headers, generate_caller, prepare_call, run_whole, translate
from .chat_direct import direct_chat
from .chat_stream import stream_chat
from .dry_run import dry_run_requested, dry_run_response

bp = Blueprint("chat", __name__)


@bp.post("/chat/completions")
@validate_json(CHAT_REQUEST_SCHEMA)
def chat_completions(body: dict[str, Any]) -> Response:
    gateway = current_gateway()
    call = prepare_call(gateway, body)
    if dry_run_requested():
        return dry_run_response(gateway, dry_run_plan(gateway, call), explain_headers(call, None))
    if call.route.direct:
        return direct_chat(gateway, call)
    gemini_body = translate(gateway, call).body
    if body.get("stream"):
        return stream_chat(gateway, call, gemini_body)
    return complete_chat(gateway, call, gemini_body)


def complete_chat(gateway: Gateway, call: ChatCall, gemini_body: GeminiRequest) -> Response:
    retries_left = 1 if gateway.settings.malformed_function_call_retry else 0
    send = generate_caller(gateway, call, gemini_body)
    while True:
        outcome = run_whole(gateway, call, send)
        try:
            completion = to_chat_completion(outcome.value, completion_id=call.completion_id, created=call.created, model=call.model)
        except ModelFunctionCallError:
            if retries_left == 0:
                raise
            retries_left -= 1
            continue
        except UNREADABLE:
            raise unreadable_answer() from None
        return completion_response(call, completion, outcome)
