"""``GET /v1/models`` and ``GET /v1/models/<id>``: what the configured credentials can serve,
and the ``MODEL_ALIASES`` that lead there.

A client key restricted to some models sees only those (its ``models`` globs, matched as for
calls: the id and its alias target).
"""

from __future__ import annotations

from flask import Blueprint, Response

from ..errors import NotFound
from ..gateway import Gateway, current_gateway
from ..http import json_response
from ..request_log import current_record
from ..routing.catalog import is_served, model_list, model_object

bp = Blueprint("models", __name__)


def _allowed(gateway: Gateway, model_id: str) -> bool:
    key = current_record().client_key
    return key is None or key.allows((model_id, gateway.aliases.resolve(model_id)))


@bp.get("/models")
def list_models() -> Response:
    gateway = current_gateway()
    return json_response(model_list([model_id for model_id in gateway.model_ids() if _allowed(gateway, model_id)]))


@bp.get("/models/<path:model_id>")
def get_model(model_id: str) -> Response:
    gateway = current_gateway()
    if not is_served(gateway.aliases.resolve(model_id), set(gateway.model_ids())) or not _allowed(gateway, model_id):
        raise NotFound(f"The model '{model_id}' does not exist or the configured credentials cannot serve it.", param="model", code="model_not_found")
    return json_response(model_object(model_id))
