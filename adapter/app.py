"""Assembly of the Flask app: logging, gateway, request log, error handlers, blueprints."""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Flask

from .api import chat, docs, embeddings, health, messages, metrics_endpoint, models, responses, runtime_stats, usage
from .auth import authenticate
from .error_handlers import register_error_handlers
from .gateway import init_gateway
from .http import CappedRequest, content_length_limit
from .keys.registry import KeyRegistry
from .log import configure_logging
from .metrics import build_metrics
from .request_log import init_request_log
from .settings import Settings
from .telemetry.hooks import build_tracing
from .version import __version__

logger = logging.getLogger(__name__)


def build_app(settings: Settings) -> Flask:
    configure_logging(settings.log_level, settings.secrets())
    app = Flask("adapter", static_folder=None)
    app.request_class = CappedRequest
    app.config["MAX_CONTENT_LENGTH"] = content_length_limit(settings.max_request_bytes)
    gateway = init_gateway(app, settings)
    metrics = build_metrics(
        settings.metrics_enabled, known_models=gateway.base_models, cooling=gateway.cooling_count, state_degraded=gateway.state_degraded
    )
    hosts = {"express": gateway.client.express_base_url, "service_account": gateway.client.base_url}
    init_request_log(app, metrics, build_tracing(settings.telemetry, __version__, hosts))
    register_error_handlers(app)
    app.register_blueprint(_v1_blueprint(gateway.keys))
    app.register_blueprint(health.bp)
    app.register_blueprint(docs.bp)
    if metrics.enabled:
        app.register_blueprint(metrics_endpoint.make_blueprint(metrics, settings.metrics_token))
        if not settings.metrics_token:
            logger.warning("METRICS_ENABLED=true without METRICS_TOKEN: GET /metrics is open to anyone who can reach this service")
    if settings.debug_runtime_stats and settings.api_key:
        app.register_blueprint(runtime_stats.make_blueprint(settings.api_key))
    return app


def _v1_blueprint(keys: KeyRegistry) -> Blueprint:
    v1 = Blueprint("v1", __name__, url_prefix="/v1")

    @v1.before_request
    def require_api_key() -> None:
        authenticate(keys, time.time())

    v1.register_blueprint(chat.bp)
    v1.register_blueprint(models.bp)
    v1.register_blueprint(embeddings.bp)
    v1.register_blueprint(messages.bp)
    v1.register_blueprint(responses.bp)
    v1.register_blueprint(usage.bp)
    return v1
