"""The Responses API: ``/v1/responses`` and its stored responses, step by step.

``POST /v1/responses``:

1. ``@validate_json``: the body loaded by the schema, or a 400 naming the field;
2. :func:`~adapter.calls.responses.responses_plan`: route, stored history of
   ``previous_response_id`` (404 before any Vertex call), the Vertex body and the turn;
3. ``X-Dry-Run: 1``: show that plan instead of sending it;
4. :func:`~adapter.calls.execute.stream` or :func:`~adapter.calls.execute.complete`: send it with
   failover; the turn is stored synchronously before the client gets the end of the answer.

``GET``/``DELETE /v1/responses/{id}`` and ``GET /v1/responses/{id}/input_items`` read the store;
``POST /v1/responses/input_tokens`` is Vertex's ``countTokens`` of the same translated request;
``POST /v1/responses/{id}/cancel`` is a 400 naming ``background`` (there is no background mode).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from ..calls.dry_run import dry_run_requested, dry_run_response
from ..calls.execute import complete, stream
from ..calls.plan import COUNT_TOKENS
from ..calls.responses import input_items_page, responses_plan, stored_response
from ..calls.urls import explain_headers
from ..errors import InvalidRequest, NotFound
from ..gateway import current_gateway
from ..http import json_response
from ..schemas.responses import RESPONSE_REQUEST_SCHEMA
from ..validation import validate_json

bp = Blueprint("responses", __name__)

NO_BACKGROUND = "Only background responses can be cancelled, and this gateway has no background mode."
MAX_PAGE = 100
ORDERS = ("asc", "desc")


@bp.post("/responses")
@validate_json(RESPONSE_REQUEST_SCHEMA)
def create_response(body: dict[str, Any]) -> Response:
    gateway = current_gateway()
    plan, turn = responses_plan(gateway, body)
    if dry_run_requested():
        return dry_run_response(gateway, (plan,), "responses", explain_headers(plan, []))
    if plan.stream:
        return stream(gateway, plan, turn.events, turn.wire(), on_finish=turn.store_stream(gateway))
    (response, parts), outcome = complete(gateway, plan, turn.response)
    turn.store(gateway, response, parts)
    return json_response(response, headers=explain_headers(plan, [outcome]))


@bp.post("/responses/input_tokens")
@validate_json(RESPONSE_REQUEST_SCHEMA)
def count_input_tokens(body: dict[str, Any]) -> Response:
    gateway = current_gateway()
    plan, _ = responses_plan(gateway, body, method=COUNT_TOKENS)
    if dry_run_requested():
        return dry_run_response(gateway, (plan,), "responses.input_tokens", explain_headers(plan, []))
    count, outcome = complete(gateway, plan, lambda answer: int(answer.get("totalTokens", 0)))
    return json_response({"object": "response.input_tokens", "input_tokens": count}, headers=explain_headers(plan, [outcome]))


@bp.get("/responses/<response_id>")
def get_response(response_id: str) -> Response:
    return json_response(stored_response(current_gateway(), response_id)["response"])


@bp.delete("/responses/<response_id>")
def delete_response(response_id: str) -> Response:
    gateway = current_gateway()
    stored_response(gateway, response_id)
    if not gateway.state.delete_response(response_id):
        raise NotFound(f"Response with id '{response_id}' not found.")
    return json_response({"id": response_id, "object": "response.deleted", "deleted": True})


@bp.get("/responses/<response_id>/input_items")
def list_input_items(response_id: str) -> Response:
    order = request.args.get("order", "desc")
    if order not in ORDERS:
        raise InvalidRequest("order must be 'asc' or 'desc'", param="order")
    limit = _limit(request.args.get("limit", "20"))
    page = input_items_page(current_gateway(), response_id, order=order, after=request.args.get("after"), limit=limit)
    return json_response(page)


def _limit(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise InvalidRequest(f"limit must be an integer between 1 and {MAX_PAGE}", param="limit")
    return int(raw)


@bp.post("/responses/<response_id>/cancel")
def cancel_response(response_id: str) -> Response:
    raise InvalidRequest(NO_BACKGROUND, param="background")
