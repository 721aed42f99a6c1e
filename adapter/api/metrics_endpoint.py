"""``GET /metrics``: Prometheus text format, registered only when ``METRICS_ENABLED=true``.

With ``METRICS_TOKEN`` set, scrapers must send ``Authorization: Bearer <METRICS_TOKEN>``
(compared in constant time); the gateway's own API key does not open it.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, request

from ..auth import bearer_token
from ..errors import AuthenticationFailed
from ..metrics import MetricsHooks


def make_blueprint(metrics: MetricsHooks, token: str | None) -> Blueprint:
    bp = Blueprint("metrics", __name__)

    @bp.get("/metrics")
    def scrape() -> Response:
        if token is not None:
            given = bearer_token(request.headers.get("Authorization")) or ""
            if not hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8")):
                raise AuthenticationFailed("Metrics need 'Authorization: Bearer <METRICS_TOKEN>'.")
        body, content_type = metrics.render()
        return Response(body, content_type=content_type)

    return bp
