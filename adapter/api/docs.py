"""``GET /openapi.json``: the OpenAPI 3.1 document, generated from the marshmallow schemas.

Built once per process (on first request) and served as the same encoded bytes afterwards.
It needs no API key: it describes the API and holds nothing about the deployment.
"""

from __future__ import annotations

from functools import lru_cache

import orjson
from flask import Blueprint, Response

from ..version import __version__
from ..http import JSON_MIMETYPE
from ..openapi import build_openapi_spec

bp = Blueprint("docs", __name__)


@lru_cache(maxsize=4)
def openapi_bytes(version: str) -> bytes:
    return orjson.dumps(build_openapi_spec(version))


@bp.get("/openapi.json")
def openapi_document() -> Response:
    return Response(openapi_bytes(__version__), mimetype=JSON_MIMETYPE)
