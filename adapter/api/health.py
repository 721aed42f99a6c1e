"""``GET /``: health for anyone, credential detail for the operator.

Anonymous callers get the overall status only. A request with the API key (as for ``/v1``) also
gets the version, credential counts and each credential's kind, source, cooldown and last
upstream status (never a secret).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from ..auth import has_api_key
from ..gateway import Gateway, current_gateway
from ..http import json_response
from ..status_page import status_page, wants_html
from ..version import __version__

bp = Blueprint("health", __name__)


def health_payload(gateway: Gateway) -> dict[str, Any]:
    express, accounts = gateway.pools["express"], gateway.pools["service_account"]
    return {
        "status": "ok",
        "version": __version__,
        "express_keys": len(express),
        "service_accounts": len(accounts),
        "rejected_service_accounts": len(gateway.service_account_report.rejected),
        "credentials_cooling_down": gateway.cooling_count(),
        "state": gateway.pool_state.health(),
        "credentials": express.states() + accounts.states(),
    }


@bp.get("/")
def health() -> Response:
    gateway = current_gateway()
    detailed = has_api_key(gateway.settings.api_key)
    if wants_html():
        return status_page(gateway, health_payload(gateway), detailed=detailed)
    payload = health_payload(gateway) if detailed else {"status": "ok"}
    return json_response(payload, headers={"Vary": "Accept, Authorization, x-api-key"})
