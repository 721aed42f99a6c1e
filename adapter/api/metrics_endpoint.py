"""``GET /metrics``: Prometheus text format, registered only when ``METRICS_ENABLED=true``.

With ``METRICS_TOKEN`` set, scrapers must send ``Authorization: Bearer <METRICS_TOKEN>``
(compared in constant time); the gateway's own API key does not open it.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from ..auth import bearer_token, key_matches
from ..errors import AuthenticationFailed
from ..metrics import MetricsHooks


def make_blueprint(metrics: MetricsHooks, token: str | None) -> Blueprint:
    bp = Blueprint("metrics", __name__)

    @bp.get("/metrics")
    def scrape() -> Response:
        if token is not None and not key_matches(bearer_token(request.headers.get("Authorization")) or "", token):
            raise AuthenticationFailed("Metrics need 'Authorization: Bearer <METRICS_TOKEN>'.")
        body, content_type = metrics.render()
        return Response(body, content_type=content_type)

    return bp
