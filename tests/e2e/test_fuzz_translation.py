"""Property test, without HTTP: any chat request the OpenAPI document allows, once loaded by the
gateway's own schema, translates to a Vertex request that is valid against Google's discovery
schema, or is refused with a 400 naming the field; nothing else ever escapes.

The requests are drawn from the document itself (schemathesis' strategies over the
marshmallow-generated OpenAPI schema), so every field and shape the document admits can appear,
unlike hand-written strategies (``tests/unit/test_translate_request.py``) that know what to
expect. Remote media URLs are answered with a fixed image (translation itself never fetches).
"""

from __future__ import annotations

import copy
import os
from collections import Counter
from functools import lru_cache
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapter.openapi import build_openapi_spec
from adapter.errors import InvalidRequest
from adapter.routing.capabilities import load_capabilities
from adapter.routing.catalog import check_variant
from adapter.routing.model_name import ModelNameError, parse_model_name
from adapter.schemas.chat import CHAT_REQUEST_SCHEMA
from adapter.translate.request import Media, remote_media_urls, to_gemini_request
from adapter.validation import load_body
from tests.emulator import schema as vertex_schema

MODELS = [
    "gemini-2.5-flash", "gemini-2.5-pro", "gemini-3-pro-preview", "gemini-2.0-flash-001", "gemini-2.5-flash-image",
    "gemini-2.5-flash-nothinking", "gemini-2.5-flash-max", "gemini-2.5-pro-search", "gemini-3-flash-preview-high",
]
IMAGE = Media(mime_type="image/png", data="iVBORw0KGgo=")
TABLE = load_capabilities(None)


@lru_cache(maxsize=1)
def _chat_bodies() -> st.SearchStrategy[Any]:
    api = schemathesis.openapi.from_dict(build_openapi_spec("fuzz"))
    return api["/v1/chat/completions"]["POST"].as_strategy().map(lambda case: case.body)


@st.composite
def chat_requests(draw: st.DrawFn) -> Any:
    body = draw(_chat_bodies())
    if isinstance(body, dict) and isinstance(body.get("messages"), list):
        body = {**body, "model": draw(st.sampled_from(MODELS)), "messages": [*body["messages"], {"role": "user", "content": "Hi"}]}
    return body


EXAMPLES = 100


def test_any_documented_request_translates_to_a_valid_vertex_body_or_a_400() -> None:
    outcomes: Counter[str] = Counter()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=os.environ.get("FUZZ_RANDOM") != "1",
        suppress_health_check=list(HealthCheck),
    )
    @given(chat_requests())
    def translate(body: Any) -> None:
        before = copy.deepcopy(body)
        try:
            loaded = load_body(CHAT_REQUEST_SCHEMA, body)
            route = parse_model_name(str(loaded["model"]))
            caps = TABLE.lookup(route.base)
            check_variant(route, caps, TABLE)
            media = {url: IMAGE for url in remote_media_urls(loaded)}
            translated = to_gemini_request(loaded, route, caps, media=media)
        except InvalidRequest as exc:
            assert exc.status == 400 and exc.message
            outcomes["refused"] += 1
            return
        except ModelNameError:
            outcomes["bad model name"] += 1
            return
        finally:
            assert body == before, "the request was changed in place"
        assert vertex_schema.validate(translated.body, "GenerateContentRequest", "v1") == []
        assert translated.body["contents"], "nothing to send"
        outcomes["translated"] += 1

    translate()
    # About two in five documented requests get through (the rest break a rule only the gateway
    # knows); a translator that refused everything would otherwise pass.
    assert outcomes["translated"] >= EXAMPLES // 5, outcomes
