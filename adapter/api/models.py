"""``GET /v1/models`` and ``GET /v1/models/<id>``: what the configured credentials can serve,
and the ``MODEL_ALIASES`` that lead there."""

from __future__ import annotations

from flask import Blueprint, Response

from ..errors import NotFound
from ..gateway import current_gateway
from ..routing.catalog import is_served, model_list, model_object
from ..http import json_response

bp = Blueprint("models", __name__)


@bp.get("/models")
def list_models() -> Response:
    return json_response(model_list(current_gateway().model_ids()))


@bp.get("/models/<path:model_id>")
def get_model(model_id: str) -> Response:
    gateway = current_gateway()
    if not is_served(gateway.aliases.resolve(model_id), set(gateway.model_ids())):
        raise NotFound(f"The model '{model_id}' does not exist or the configured credentials cannot serve it.", param="model", code="model_not_found")
    return json_response(model_object(model_id))
