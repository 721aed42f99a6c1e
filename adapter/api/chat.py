"""``POST /v1/chat/completions``, step by step.

1. ``@validate_json``: the body loaded by the schema, or a 400 naming the field;
2. :func:`~adapter.calls.chat.chat_plan`: model route, credential order, the Vertex body;
3. ``X-Dry-Run: 1``: show that plan instead of sending it;
4. :class:`~adapter.calls.chat.ChatAnswer`: the completion id and the translators of the answer;
5. :func:`~adapter.calls.execute.stream` or :func:`~adapter.calls.execute.complete`: send it
   with failover and answer with the translated stream or completion.
"""

from __future__ import annotations

from flask import Blueprint, Response

from ..calls.chat import ChatAnswer, chat_plan
from ..calls.dry_run import dry_run_requested, dry_run_response
from ..calls.execute import complete, stream
from ..calls.urls import explain_headers
from ..gateway import current_gateway
from ..http import json_response
from ..schemas.chat import CHAT_REQUEST_SCHEMA
from ..schemas.legacy import ChatRequest
from ..validation import validate_json

bp = Blueprint("chat", __name__)


@bp.post("/chat/completions")
@validate_json(CHAT_REQUEST_SCHEMA)
def chat_completions(body: ChatRequest) -> Response:
    gateway = current_gateway()
    plan = chat_plan(gateway, body)
    if dry_run_requested():
        return dry_run_response(gateway, (plan,), "chat.completions", explain_headers(plan, []))
    answer = ChatAnswer.for_request(body, plan)
    if plan.stream:
        return stream(gateway, plan, answer.chunks, answer.wire())
    completion, outcome = complete(gateway, plan, answer.completion)
    return json_response(completion, headers=explain_headers(plan, [outcome]))
