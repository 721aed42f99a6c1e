"""Shared fixtures: one Vertex emulator per run, credentials, and gateways served on loopback.

Fixtures build up in steps (as in Flask's tutorial): ``vertex`` (session) -> ``emulator``
(reset per test) -> ``gateway_factory`` (apps served by a real threaded HTTP server on
127.0.0.1, pointed at the emulator through ``VERTEX_BASE_URL``) -> ``gateway`` -> ``client``
(the official ``openai`` SDK).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import openai
import pytest
import requests
from werkzeug.serving import make_server

from adapter import create_app
from adapter.settings import load_settings
from tests.emulator import ServiceAccountKey, VertexEmulator
from tests.support.redis_server import RedisServer

API_KEY = "sk-gateway-test-key-8c1f"
DATA_ROOT = Path(tempfile.mkdtemp(prefix="gateway-test-data-"))


@dataclass(frozen=True)
class Credentials:
    service_accounts: tuple[ServiceAccountKey, ...]
    express_keys: tuple[str, ...]

    def secrets(self) -> list[str]:
        values = [API_KEY, *self.express_keys]
        for key in self.service_accounts:
            values.append(key.info["private_key"])
            values.extend(line for line in key.info["private_key"].splitlines() if len(line) > 40)
        return values


@dataclass
class LiveGateway:
    """A gateway app served on loopback, with an ``openai`` client and a plain HTTP helper."""

    url: str
    app: Any
    env: dict[str, str]
    client: openai.OpenAI
    http: requests.Session = field(default_factory=requests.Session)

    def post(self, path: str, body: Any = None, *, headers: dict[str, str] | None = None, **kwargs: Any) -> requests.Response:
        all_headers = {"Authorization": f"Bearer {API_KEY}", **(headers or {})}
        return self.http.post(self.url + path, json=body, headers=all_headers, timeout=30, **kwargs)

    def get(self, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any) -> requests.Response:
        all_headers = {"Authorization": f"Bearer {API_KEY}", **(headers or {})}
        return self.http.get(self.url + path, headers=all_headers, timeout=30, **kwargs)

    @property
    def gateway(self) -> Any:
        return self.app.extensions["adapter"]


@pytest.fixture(scope="session", autouse=True)
def data_root() -> Iterator[Path]:
    """Every gateway of the run gets its own DATA_DIR under this folder, removed at the end."""
    yield DATA_ROOT
    shutil.rmtree(DATA_ROOT, ignore_errors=True)


@pytest.fixture(scope="session")
def vertex() -> Iterator[VertexEmulator]:
    emulator = VertexEmulator().start()
    yield emulator
    emulator.stop()


@pytest.fixture(scope="session")
def credentials(vertex: VertexEmulator) -> Credentials:
    return Credentials(
        service_accounts=(vertex.new_service_account("proj-alpha"), vertex.new_service_account("proj-beta")),
        express_keys=(vertex.new_express_key(), vertex.new_express_key()),
    )


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One real redis-server for the run, on a free loopback port, no persistence, with a password."""
    server = RedisServer(tmp_path_factory.mktemp("redis"), password="redis-test-pass-5e2a").start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, emptied for this test (restarted first if a test killed it)."""
    if redis_server.process is None:
        redis_server.start()
    redis_server.flush()
    return redis_server.url


@pytest.fixture
def emulator(vertex: VertexEmulator, credentials: Credentials) -> Iterator[VertexEmulator]:
    vertex.reset()
    yield vertex
    vertex.reset()


def base_env(emulator: VertexEmulator, credentials: Credentials, *, express: bool, service_accounts: bool) -> dict[str, str]:
    env = {
        "API_KEY": API_KEY,
        "VERTEX_BASE_URL": emulator.url,
        "CREDENTIALS_DIR": "/nonexistent-credentials-dir",
        "ALLOW_PRIVATE_URLS": "true",
        "ROUNDROBIN": "true",
        "LOG_LEVEL": "INFO",
        "DATA_DIR": tempfile.mkdtemp(dir=DATA_ROOT),
    }
    if express:
        env["VERTEX_EXPRESS_API_KEY"] = ",".join(credentials.express_keys)
    if service_accounts:
        env["GOOGLE_CREDENTIALS_JSON"] = ",".join(json.dumps(k.info) for k in credentials.service_accounts)
    return env


class _Server:
    def __init__(self, app: Any) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


GatewayFactory = Callable[..., LiveGateway]


@pytest.fixture
def gateway_factory(emulator: VertexEmulator, credentials: Credentials) -> Iterator[GatewayFactory]:
    servers: list[_Server] = []

    def make(*, express: bool = True, service_accounts: bool = True, **overrides: str) -> LiveGateway:
        env = base_env(emulator, credentials, express=express, service_accounts=service_accounts)
        env.update(overrides)
        app = create_app(load_settings(env))
        server = _Server(app)
        servers.append(server)
        client = openai.OpenAI(base_url=server.url + "/v1", api_key=API_KEY, max_retries=0, timeout=30)
        return LiveGateway(url=server.url, app=app, env=env, client=client)

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def gateway(gateway_factory: GatewayFactory) -> LiveGateway:
    """Express keys and service accounts both configured (plain names go to Express)."""
    return gateway_factory()


@pytest.fixture
def client(gateway: LiveGateway) -> openai.OpenAI:
    return gateway.client
