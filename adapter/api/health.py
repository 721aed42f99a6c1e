"""``GET /``: health for anyone, credential detail for the operator.

Anonymous callers get the overall status only: ``ok``, or ``degraded`` when a configured
credential could not be loaded at start-up. A request with the API key (as for ``/v1``) also
gets the version, credential counts, why credentials were rejected, and each credential's kind,
source, cooldown (with its reason: ``rate_limit``, ``auth_failure``, ``token_error``), last
upstream status and Google's words for its last failure (never a secret).
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


def overall_status(gateway: Gateway) -> str:
    """``degraded`` when a configured credential could not be loaded, else ``ok``."""
    return "degraded" if gateway.service_account_report.rejected else "ok"


def health_payload(gateway: Gateway) -> dict[str, Any]:
    express, accounts = gateway.pools["express"], gateway.pools["service_account"]
    return {
        "status": overall_status(gateway),
        "version": __version__,
        "express_keys": len(express),
        "service_accounts": len(accounts),
        "rejected_service_accounts": len(gateway.service_account_report.rejected),
        "rejected_credentials": list(gateway.service_account_report.rejected),
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
    payload = health_payload(gateway) if detailed else {"status": overall_status(gateway)}
    return json_response(payload, headers={"Vary": "Accept, Authorization, x-api-key"})
