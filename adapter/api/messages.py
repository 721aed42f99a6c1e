"""``POST /v1/messages`` and ``POST /v1/messages/count_tokens``: the Anthropic front door.

1. the body loaded by the Messages schema, or a 400 in Anthropic's shape naming the field;
2. :func:`~adapter.calls.messages.messages_plan`: aliases, model route, credential order, the
   Vertex body;
3. ``X-Dry-Run: 1``: show that plan instead of sending it;
4. :class:`~adapter.calls.messages.MessagesAnswer`: the message id and the answer translators;
5. :func:`~adapter.calls.execute.stream` or :func:`~adapter.calls.execute.complete`.

Every error on these paths (401 and 404 included) is rendered in Anthropic's shape by
:mod:`adapter.error_handlers`; ``anthropic-version`` and ``anthropic-beta`` change nothing.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from ..calls.dry_run import dry_run_requested, dry_run_response
from ..calls.execute import complete, stream
from ..calls.messages import MESSAGES_WIRE, MessagesAnswer, messages_plan
from ..calls.urls import explain_headers
from ..gateway import current_gateway
from ..http import json_response
from ..schemas.anthropic import COUNT_TOKENS_REQUEST_SCHEMA, MESSAGES_REQUEST_SCHEMA, load_anthropic_body
from ..translate.anthropic.response import token_count
from ..validation import parse_json_body

bp = Blueprint("messages", __name__)


@bp.post("/messages")
def create_message() -> Response:
    body = load_anthropic_body(MESSAGES_REQUEST_SCHEMA, parse_json_body(request.get_data()))
    gateway = current_gateway()
    planned = messages_plan(gateway, body)
    if dry_run_requested():
        return dry_run_response(gateway, (planned.plan,), "messages", explain_headers(planned.plan, []))
    answer = MessagesAnswer.for_request(body, planned)
    if planned.plan.stream:
        return stream(gateway, planned.plan, answer.events, MESSAGES_WIRE)
    message, outcome = complete(gateway, planned.plan, answer.message)
    return json_response(message, headers=explain_headers(planned.plan, [outcome]))


@bp.post("/messages/count_tokens")
def count_tokens() -> Response:
    body = load_anthropic_body(COUNT_TOKENS_REQUEST_SCHEMA, parse_json_body(request.get_data()))
    gateway = current_gateway()
    planned = messages_plan(gateway, body, count_tokens=True)
    if dry_run_requested():
        return dry_run_response(gateway, (planned.plan,), "messages.count_tokens", explain_headers(planned.plan, []))
    counted, outcome = complete(gateway, planned.plan, token_count)
    return json_response(counted, headers=explain_headers(planned.plan, [outcome]))
