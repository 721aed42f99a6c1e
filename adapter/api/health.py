"""``GET /``: health and credential state (counts and states only, never secrets)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from ..version import __version__
from ..gateway import Gateway, current_gateway
from ..http import json_response
from ..status_page import status_page, wants_html

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
    if wants_html():
        return status_page(gateway, health_payload(gateway))
    return json_response(health_payload(gateway), headers={"Vary": "Accept"})
