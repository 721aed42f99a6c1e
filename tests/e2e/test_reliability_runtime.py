"""``/debug/runtime``: process figures for soak runs, off unless ``DEBUG_RUNTIME_STATS=true``,
behind the API key when on, and never about credentials."""

from __future__ import annotations

import os

import requests

from tests.conftest import API_KEY, Credentials, GatewayFactory
from tests.support.openai_schema import assert_error


def test_off_by_default(gateway_factory: GatewayFactory) -> None:
    live = gateway_factory()
    response = requests.get(live.url + "/debug/runtime", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=10)
    assert response.status_code == 404
    assert_error(response.json())


def test_on_it_needs_the_key_and_reports_process_figures_only(gateway_factory: GatewayFactory, credentials: Credentials) -> None:
    live = gateway_factory(DEBUG_RUNTIME_STATS="true")
    refused = requests.get(live.url + "/debug/runtime", timeout=10)
    assert refused.status_code == 401
    assert_error(refused.json())
    response = requests.get(live.url + "/debug/runtime", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=10)
    assert response.status_code == 200
    stats = response.json()
    assert set(stats) == {"pid", "fds", "rss_bytes", "greenlets", "threads", "gevent_threadpool"}
    assert stats["gevent_threadpool"] is None  # served by threads here, not gevent
    assert stats["pid"] == os.getpid() and stats["fds"] > 3 and stats["rss_bytes"] > 10 * 2**20
    assert isinstance(stats["greenlets"], int) and stats["threads"] >= 1
    for secret in credentials.secrets():
        assert secret not in response.text
