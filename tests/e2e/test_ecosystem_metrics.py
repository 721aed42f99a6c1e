"""``GET /metrics``: off by default, behind its own token when set, correct across workers."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import openai
import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import API_KEY, Credentials, GatewayFactory, base_env
from tests.e2e.test_gunicorn import free_port, wait_for
from tests.emulator import Reply, VertexEmulator
from tests.support.openai_schema import assert_error

ROOT = Path(__file__).resolve().parents[2]
HELLO = [{"role": "user", "content": "Hello"}]


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def test_metrics_are_off_by_default(gateway_factory: GatewayFactory) -> None:
    live = gateway_factory()
    response = requests.get(live.url + "/metrics", timeout=10)
    assert response.status_code == 404
    assert_error(response.json())


def test_requests_attempts_tokens_and_streams_are_counted(gateway_factory: GatewayFactory, emulator: VertexEmulator) -> None:
    live = gateway_factory(service_accounts=False, METRICS_ENABLED="true")
    live.client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO)
    emulator.enqueue(Reply.error(429), method="streamGenerateContent")
    list(live.client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO, stream=True))
    with pytest.raises(openai.NotFoundError):
        live.client.chat.completions.create(model="made-up-model-1234", messages=HELLO)
    live.client.embeddings.create(model="gemini-embedding-001", input="hi")

    response = requests.get(live.url + "/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    found = samples(response.text)
    chat = "/v1/chat/completions"
    assert value(found, "gateway_requests_total", endpoint=chat, model="gemini-2.5-flash", status="200", key="admin") == 2
    assert value(found, "gateway_requests_total", endpoint=chat, model="other", status="404", key="admin") == 1
    assert value(found, "gateway_requests_total", endpoint="/v1/embeddings", model="gemini-embedding-001", status="200", key="admin") == 1
    assert value(found, "gateway_request_duration_seconds_count", endpoint=chat) == 3
    assert value(found, "gateway_time_to_first_token_seconds_count", model="gemini-2.5-flash") == 1
    assert value(found, "gateway_upstream_attempts_total", credential="express#1", status="429") == 1
    assert value(found, "gateway_upstream_failures_total", credential="express#1", status="429") == 1
    assert value(found, "gateway_upstream_failures_total", credential="express#0", status="200") == 0
    assert value(found, "gateway_upstream_attempts_total", credential="express#0", status="200") >= 2
    assert value(found, "gateway_tokens_total", model="gemini-2.5-flash", kind="prompt", key="admin") > 0
    assert value(found, "gateway_tokens_total", model="gemini-2.5-flash", kind="reasoning", key="admin") > 0
    assert value(found, "gateway_active_streams") == 0
    assert value(found, "gateway_credentials_cooling_down") == 1
    assert value(found, "gateway_state_fallback") == 0
    assert not any("made-up-model" in name or "made-up-model" in str(labels) for name, labels in found)


def test_metrics_token_is_its_own_key(gateway_factory: GatewayFactory) -> None:
    live = gateway_factory(METRICS_ENABLED="true", METRICS_TOKEN="scrape-token-5f2a")
    for headers in ({}, {"Authorization": f"Bearer {API_KEY}"}, {"Authorization": "Bearer wrong"}):
        response = requests.get(live.url + "/metrics", headers=headers, timeout=10)
        assert response.status_code == 401
        assert_error(response.json())
    ok = requests.get(live.url + "/metrics", headers={"Authorization": "Bearer scrape-token-5f2a"}, timeout=10)
    assert ok.status_code == 200 and "gateway_requests" in ok.text


@pytest.mark.slow
def test_counts_add_up_across_gunicorn_workers(emulator: VertexEmulator, credentials: Credentials, tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        **base_env(emulator, credentials, express=True, service_accounts=False),
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "METRICS_ENABLED": "true",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "GRACEFUL_TIMEOUT": "5",
    }
    with (tmp_path / "gunicorn.log").open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/", process)
        for _ in range(12):
            with openai.OpenAI(base_url=url + "/v1", api_key=API_KEY, max_retries=0) as client:
                client.chat.completions.create(model="gemini-2.5-flash", messages=HELLO)
        for _ in range(6):
            scrape = requests.get(url + "/metrics", headers={"Connection": "close"}, timeout=10)
            found = samples(scrape.text)
            assert value(found, "gateway_requests_total", endpoint="/v1/chat/completions", model="gemini-2.5-flash", status="200", key="admin") == 12
        served_by = {path.name.split("_")[-1] for path in (tmp_path / "metrics").glob("counter_*.db")}
        assert len(served_by) == 2, "both workers should have answered some of the requests"
    finally:
        process.terminate()
        process.wait(20)


@pytest.mark.parametrize("token,warned", [(None, True), ("scrape-token-1", False)], ids=["open", "with-token"])
def test_open_metrics_are_warned_about_at_start_up(gateway_factory: GatewayFactory, caplog: pytest.LogCaptureFixture, token: str | None, warned: bool) -> None:
    caplog.set_level(logging.WARNING, logger="adapter.app")
    live = gateway_factory(METRICS_ENABLED="true", **({"METRICS_TOKEN": token} if token else {}))
    warnings = [r.getMessage() for r in caplog.records if r.name == "adapter.app" and "METRICS_TOKEN" in r.getMessage()]
    assert len(warnings) == (1 if warned else 0)
    assert requests.get(live.url + "/metrics", timeout=10).status_code == (200 if warned else 401)
