"""The Vertex HTTP client against the emulator: pooled connections, service-account tokens
(background refresh, refresh and retry on 401), proxies and CA bundle from the environment."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from adapter.errors import UpstreamError
from adapter.upstream.credentials import Credential, express_credentials, service_account_credentials
from adapter.upstream.inflight import mount_tracked_pool
from adapter.upstream.stream import UpstreamStream
from adapter.upstream.vertex import SessionPools, VertexClient
from tests.conftest import Credentials
from tests.emulator import Reply, VertexEmulator, payloads

MODEL = "gemini-2.5-flash"
BODY = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}


def _client(base_url: str, pools: SessionPools | None = None) -> VertexClient:
    return VertexClient(base_url=base_url, location="us-central1", connect_timeout=2, read_timeout=5, pools=pools)


def _express(credentials: Credentials) -> Credential:
    session = requests.Session()
    mount_tracked_pool(session, 8)
    return express_credentials(credentials.express_keys[:1], session)[0]


def _service_account(credentials: Credentials) -> Credential:
    text = json.dumps(credentials.service_accounts[0].info)
    loaded, _ = service_account_credentials(text, Path("/nonexistent"), None, 8, isolated=True)
    return loaded[0]


def _call(client: VertexClient, cred: Credential, stream: bool) -> str:
    if not stream:
        answer = client.post_json(cred, client.model_url(cred, MODEL, "generateContent"), BODY)
        return str(answer["candidates"][0]["content"]["parts"][0]["text"])
    upstream = client.open_stream(cred, client.model_url(cred, MODEL, "streamGenerateContent") + "?alt=sse", BODY)
    try:
        return "".join(part.get("text", "") for event in read_all(upstream) for part in event["candidates"][0]["content"]["parts"])
    finally:
        upstream.close()


def read_all(upstream: UpstreamStream, wait: float | None = None) -> list[Any]:
    events: list[Any] = []
    while (batch := upstream.read(wait)) is not None:
        events.extend(batch)
    return events


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("kind", ["express", "service_account"])
def test_consecutive_calls_share_one_pooled_connection(emulator: VertexEmulator, credentials: Credentials, kind: str, stream: bool) -> None:
    client = _client(emulator.url)
    cred = _express(credentials) if kind == "express" else _service_account(credentials)
    emulator.always(Reply.unary(payloads.text_response("pooled answer", MODEL)))
    assert [_call(client, cred, stream) for _ in range(4)] == ["pooled answer"] * 4
    pool = SessionPools().target(cred.session, client.model_url(cred, MODEL, "generateContent")).pool
    assert pool.num_connections == 1


@pytest.mark.parametrize("refusals,outcome", [(1, 200), (2, 200), (3, 401)])
def test_a_401_gets_the_token_refreshed_and_the_call_repeated_twice_at_most(
    emulator: VertexEmulator, credentials: Credentials, refusals: int, outcome: int
) -> None:
    client, cred = _client(emulator.url), _service_account(credentials)
    emulator.enqueue(Reply.error(401), times=refusals)
    try:
        _call(client, cred, stream=False)
        status = 200
    except UpstreamError as exc:
        status = exc.upstream_status
    assert status == outcome
    assert emulator.token_grants(credentials.service_accounts[0]) == 1 + min(refusals, 2)


def test_a_token_close_to_expiry_is_refreshed_in_the_background(emulator: VertexEmulator, credentials: Credentials) -> None:
    account = credentials.service_accounts[0]
    emulator.set_token_lifetime(account, 200)  # under google-auth's 225 s threshold: stale at once
    client, cred = _client(emulator.url), _service_account(credentials)
    _call(client, cred, stream=False)
    _call(client, cred, stream=False)
    assert emulator.wait_until(lambda: emulator.token_grants(account) == 2, 3)
    first, second = (call.headers["Authorization"] for call in emulator.calls_for("generateContent"))
    assert first == second  # the second call did not wait for the new token


def test_a_refused_token_grant_is_a_502_auth_failure_of_the_credential_naming_googles_reason(emulator: VertexEmulator, credentials: Credentials) -> None:
    account = credentials.service_accounts[0]
    emulator.fail_token_requests(account, times=1, status=400, body={"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
    with pytest.raises(UpstreamError) as caught:
        _call(_client(emulator.url), _service_account(credentials), stream=False)
    error = caught.value
    assert (error.status, error.error_type, error.code, error.credential_failure) == (502, "api_error", "upstream_auth_failed", "auth_failure")
    assert "sa#0" in error.message and "invalid_grant: Invalid JWT Signature" in error.message


@pytest.mark.parametrize("status", [500, 503])
def test_a_failing_token_endpoint_is_a_503_token_error(emulator: VertexEmulator, credentials: Credentials, status: int) -> None:
    account = credentials.service_accounts[0]
    emulator.fail_token_requests(account, times=3, status=status, body={"error": "internal_failure", "error_description": "Backend error"})
    with pytest.raises(UpstreamError) as caught:
        _call(_client(emulator.url), _service_account(credentials), stream=False)
    error = caught.value
    assert (error.status, error.code, error.credential_failure) == (503, "upstream_token_error", "token_error")
    assert "sa#0" in error.message


@pytest.mark.parametrize("refusal", ["unregistered", "disabled"])
def test_an_express_key_google_refuses_is_an_auth_failure_of_the_credential(emulator: VertexEmulator, credentials: Credentials, refusal: str) -> None:
    if refusal == "disabled":
        cred = _express(credentials)
        emulator.disable_express_key(credentials.express_keys[0])
    else:
        session = requests.Session()
        mount_tracked_pool(session, 8)
        cred = express_credentials(("AQ.not-a-registered-key",), session)[0]
    with pytest.raises(UpstreamError) as caught:
        _call(_client(emulator.url), cred, stream=False)
    error = caught.value
    assert (error.status, error.code, error.credential_failure) == (502, "upstream_auth_failed", "auth_failure")
    assert "express#0" in error.message and "AQ." not in error.message


class _RecordingProxy(BaseHTTPRequestHandler):
    """An HTTP proxy that answers every request itself and remembers the request target."""

    targets: list[str] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.targets.append(self.path)
        body = json.dumps(payloads.text_response("via the proxy", MODEL)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def proxy() -> Iterator[str]:
    _RecordingProxy.targets = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RecordingProxy)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("bypassed", [False, True], ids=["proxied", "no_proxy"])
def test_proxies_come_from_the_environment(
    emulator: VertexEmulator, credentials: Credentials, proxy: str, monkeypatch: pytest.MonkeyPatch, bypassed: bool
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1" if bypassed else "example.org")
    client, cred = _client(emulator.url), _express(credentials)
    expected = "pooled answer" if bypassed else "via the proxy"
    emulator.always(Reply.unary(payloads.text_response("pooled answer", MODEL)))
    assert _call(client, cred, stream=False) == expected
    url = client.model_url(cred, MODEL, "generateContent")
    assert _RecordingProxy.targets == ([] if bypassed else [url])  # a proxied plain-HTTP call names the whole URL


def test_the_ca_bundle_comes_from_the_environment(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    pools = SessionPools({"REQUESTS_CA_BUNDLE": str(bundle)})
    session = requests.Session()
    mount_tracked_pool(session, 4)
    target = pools.target(session, "https://aiplatform.googleapis.com/v1/publishers/google/models/m:generateContent")
    assert target.pool.ca_certs == str(bundle) and target.pool.cert_reqs == "CERT_REQUIRED"
    assert target.path == "/v1/publishers/google/models/m:generateContent"


@pytest.fixture
def closing_upstream() -> Iterator[tuple[str, list[int]]]:
    """Answers each request on a keep-alive connection, then closes that connection while it
    sits idle in the gateway's pool (as servers do after their idle timeout)."""
    server = socket.create_server(("127.0.0.1", 0))
    connections: list[int] = []
    body = json.dumps(payloads.text_response("fresh", MODEL)).encode()

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            connections.append(1)
            with conn:
                request = b""
                while b"\r\n\r\n" not in request:
                    request += conn.recv(65536)
                head, _, rest = request.partition(b"\r\n\r\n")
                length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
                while len(rest) < length:
                    rest += conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", connections
    server.close()


def test_a_pooled_connection_the_server_closed_is_replaced(credentials: Credentials, closing_upstream: tuple[str, list[int]]) -> None:
    url, connections = closing_upstream
    client, cred = _client(url), _express(credentials)
    for _ in range(3):
        assert _call(client, cred, stream=False) == "fresh"
        time.sleep(0.05)  # the server closes its side meanwhile
    assert len(connections) == 3


def test_a_closed_pool_is_looked_up_again(emulator: VertexEmulator, credentials: Credentials) -> None:
    client, cred = _client(emulator.url), _express(credentials)
    pools = SessionPools()
    url = client.model_url(cred, MODEL, "generateContent")
    first = pools.target(cred.session, url).pool
    assert pools.target(cred.session, url).pool is first  # found once per session and host
    cred.session.get_adapter(url).poolmanager.clear()
    first.close()
    assert pools.target(cred.session, url).pool is not first
    client = VertexClient(base_url=emulator.url, location="global", connect_timeout=2, read_timeout=5, pools=pools)
    emulator.always(Reply.unary(payloads.text_response("again", MODEL)))
    assert _call(client, cred, stream=False) == "again"


@pytest.mark.parametrize(
    "model,segment",
    [
        ("gemini-2.5-flash", "gemini-2.5-flash"),
        ("claude-x@20240620", "claude-x@20240620"),
        ("gemini:countTokens?x=", "gemini%3AcountTokens%3Fx%3D"),
        ("../../foo", "..%2F..%2Ffoo"),
        ("a%2Fb#c", "a%252Fb%23c"),
    ],
)
def test_model_urls_carry_the_model_as_one_encoded_path_segment(credentials: Credentials, model: str, segment: str) -> None:
    client = _client("http://127.0.0.1:9")
    express = _express(credentials)
    assert client.model_url(express, model, "generateContent") == f"http://127.0.0.1:9/v1/publishers/google/models/{segment}:generateContent"
    account = _service_account(credentials)
    expected = f"http://127.0.0.1:9/v1/projects/proj-alpha/locations/us-central1/publishers/google/models/{segment}:predict"
    assert client.model_url(account, model, "predict") == expected


def test_an_unreachable_token_endpoint_is_a_token_error_naming_the_kind_of_failure(credentials: Credentials) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    info = {**credentials.service_accounts[0].info, "token_uri": f"http://127.0.0.1:{closed}/token"}
    loaded, _ = service_account_credentials(json.dumps(info), Path("/nonexistent"), None, 8, isolated=True)
    with pytest.raises(UpstreamError) as caught:
        _call(_client(f"http://127.0.0.1:{closed}"), loaded[0], stream=False)
    error = caught.value
    assert (error.status, error.code) == (503, "upstream_token_error")
    assert "could not reach the token endpoint: connection refused" in error.message
