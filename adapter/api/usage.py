"""``GET /v1/usage``: requests and tokens per key, today and over the last 30 days (admin key only).

Read from the state layer (shared by every worker and instance); the keys listed are the admin
key and every client key in force. A state backend that cannot be reached answers 503
``state_unavailable``: a usage report is never guessed from one worker's memory.
"""

from __future__ import annotations

import time

from flask import Blueprint, Response

from ..auth import require_admin
from ..gateway import current_gateway
from ..keys.definitions import ADMIN_NAME
from ..keys.limiter import recent_days
from ..keys.usage import REPORT_DAYS, usage_report
from ..http import json_response

bp = Blueprint("usage", __name__)


@bp.get("/usage")
def usage() -> Response:
    gateway = current_gateway()
    require_admin()
    days = recent_days(time.time(), REPORT_DAYS)
    admin = [ADMIN_NAME] if gateway.keys.admin else []
    names = [*admin, *(key.name for key in gateway.keys.client_keys())]
    per_key = {name: gateway.limiter.usage(name, REPORT_DAYS) for name in names}
    return json_response(usage_report(per_key, days))
