"""``POST /v1/embeddings``: Vertex text embedding models through ``:predict``.

``X-Dry-Run: 1`` shows the ``:predict`` requests instead of sending them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from ..calls.dry_run import dry_run_requested, dry_run_response
from ..calls.embeddings import embedding_batches, send_batches
from ..calls.urls import explain_headers
from ..gateway import current_gateway
from ..http import json_response
from ..schemas.embeddings import EMBEDDING_REQUEST_SCHEMA
from ..translate.embeddings import to_embedding_list
from ..validation import validate_json

bp = Blueprint("embeddings", __name__)


@bp.post("/embeddings")
@validate_json(EMBEDDING_REQUEST_SCHEMA)
def create_embeddings(body: dict[str, Any]) -> Response:
    gateway = current_gateway()
    batches = embedding_batches(gateway, body)
    plan = batches.plans[0]
    headers = {"X-Gateway-Batches": str(len(batches.plans))}
    if dry_run_requested():
        return dry_run_response(gateway, batches.plans, "embeddings", {**explain_headers(plan, []), **headers})
    outcomes = send_batches(gateway, batches.plans)
    result = to_embedding_list(
        [outcome.value for outcome in outcomes],
        batches.sizes,
        model=str(body["model"]),
        encoding_format=body.get("encoding_format", "float"),
    )
    plan.record.usage = {"prompt_tokens": result["usage"]["prompt_tokens"]}
    return json_response(result, headers={**explain_headers(plan, outcomes), **headers})
