"""The optional remote model list (``MODELS_CONFIG_URL``), in the older tool's JSON shape.

The list is fetched in the background with a timeout and cached for ``MODELS_CONFIG_TTL``
seconds. A request never waits for it: until the first fetch succeeds the shipped catalog is
used, and a failed fetch keeps the last good list (retried after ``min(TTL, 30 s)``).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any, Callable

import requests
import urllib3

from ..routing.catalog import ModelLists

logger = logging.getLogger(__name__)

FETCH_TIMEOUT = (3.0, 5.0)
MAX_BYTES = 1024 * 1024
RETRY_AFTER_FAILURE = 30.0
# Reading the body goes through urllib3 directly, whose errors are not requests exceptions.
FETCH_ERRORS = (requests.RequestException, urllib3.exceptions.HTTPError, OSError, ValueError)


def parse_model_config(data: Any) -> ModelLists:
    """Validate the older tool's shape; raise ValueError when it is not that shape."""
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    lists = {}
    for key in ("vertex_models", "vertex_express_models"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ValueError(f"{key} must be a list of model names")
        lists[key] = tuple(dict.fromkeys(v.strip() for v in value))
    return ModelLists(service_account=lists["vertex_models"], express=lists["vertex_express_models"])


class RemoteModelList:
    def __init__(self, url: str, ttl: float, *, session: requests.Session | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.url = url
        self.ttl = ttl
        self._session = session or requests.Session()
        self._clock = clock
        self._lock = threading.Lock()
        self._lists: ModelLists | None = None
        self._fetched_at = float("-inf")
        self._refreshing = False

    def current(self) -> ModelLists | None:
        """The last good list (None before the first success); starts a refresh when stale."""
        with self._lock:
            stale = self._clock() - self._fetched_at >= self.ttl
            if stale and not self._refreshing:
                self._refreshing = True
                threading.Thread(target=self._refresh, name="models-config", daemon=True).start()
            return self._lists

    def refresh_now(self) -> None:
        """Fetch now, in the calling thread (tests; start-up uses :meth:`current`)."""
        with self._lock:
            self._refreshing = True
        self._refresh()

    def _refresh(self) -> None:
        lists: ModelLists | None = None
        try:
            lists = self._fetch()
        except FETCH_ERRORS as exc:
            logger.warning("MODELS_CONFIG_URL fetch failed (%s); keeping the last good model list", exc.__class__.__name__)
        finally:
            with self._lock:
                now = self._clock()
                if lists is None:
                    self._fetched_at = now - self.ttl + min(self.ttl, RETRY_AFTER_FAILURE)
                else:
                    self._lists, self._fetched_at = lists, now
                self._refreshing = False
        if lists is not None:
            logger.info("MODELS_CONFIG_URL: %d service-account and %d express models", len(lists.service_account), len(lists.express))

    def _fetch(self) -> ModelLists:
        with self._session.get(self.url, timeout=FETCH_TIMEOUT, stream=True) as response:
            response.raise_for_status()
            content = response.raw.read(MAX_BYTES + 1, decode_content=True)
        if len(content) > MAX_BYTES:
            raise ValueError("model list too large")
        return parse_model_config(json.loads(content))
