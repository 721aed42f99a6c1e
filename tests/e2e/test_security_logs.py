"""Log hygiene and tracing, end to end.

One test drives the gateway through success and failure paths (streamed and not, Express and
service accounts, token grants and refreshes, upstream errors, validation and authentication
errors, oversized bodies) with every logger at DEBUG, and asserts that no secret appears in any
log record, in what the gateway's handler writes, or in any response: the client API key, the
Express keys, the service accounts' private keys (and each base64 line of them), and every OAuth
access token the emulator issued. Others check the per-request summary line and the request id.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Iterator

import pytest
import requests

from tests.conftest import API_KEY, Credentials, GatewayFactory, LiveGateway
from tests.emulator import Reply, VertexEmulator, payloads

HELLO = [{"role": "user", "content": "Hello"}]
LIBRARIES = ("", "urllib3", "google", "werkzeug", "adapter", "gunicorn")


class Transcript:
    """Every response the scenario got: status line, headers and body text."""

    def __init__(self, live: LiveGateway) -> None:
        self.live = live
        self.texts: list[str] = []

    def keep(self, response: requests.Response) -> requests.Response:
        self.texts.append(f"{response.status_code} {dict(response.headers)} {response.text}")
        return response

    def post(self, body: Any, **kwargs: Any) -> requests.Response:
        return self.keep(self.live.post("/v1/chat/completions", body, **kwargs))

    def chat(self, model: str = "gemini-2.5-flash", stream: bool = False) -> requests.Response:
        return self.post({"model": model, "messages": HELLO, "stream": stream})


@pytest.fixture
def debug_everything(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    for name in LIBRARIES:
        caplog.set_level(logging.DEBUG, logger=name or None)
    yield caplog


def _scenario(t: Transcript, emulator: VertexEmulator, credentials: Credentials) -> set[str]:
    """Runs every path; returns the access tokens the emulator issued along the way."""
    tokens: set[str] = set()

    def note_tokens() -> None:
        with emulator.state.lock:
            tokens.update(emulator.state.tokens)

    for model in ("gemini-2.5-flash", "[PAY]gemini-2.5-flash", "[EXPRESS] gemini-2.5-flash"):
        for stream in (False, True):
            assert t.chat(model, stream).status_code == 200
    note_tokens()
    emulator.revoke_tokens()  # the next service-account calls get 401 and google-auth refreshes
    assert t.chat("[PAY]gemini-2.5-flash").status_code == 200
    note_tokens()
    for failure in (Reply.error(500), Reply.error(401), Reply.error(429, retry_after=1)):
        emulator.enqueue(failure)
        assert t.chat("[PAY]gemini-2.5-flash").status_code == 200
    emulator.enqueue(Reply.stream(payloads.to_stream_events(payloads.text_response("a b c d"))).error_after(1, status=503))
    assert t.chat(stream=True).status_code == 200
    emulator.disable_express_key(credentials.express_keys[0])
    emulator.disable_express_key(credentials.express_keys[1])
    assert t.chat("[EXPRESS] gemini-2.5-flash").status_code == 502  # the gateway's keys refused: upstream_auth_failed
    for account in credentials.service_accounts:
        emulator.fail_token_requests(account, times=3, status=400, body={"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
    emulator.revoke_tokens()
    assert t.chat("[PAY]gemini-2.5-flash").status_code in (502, 503)
    assert t.chat("gemini-9-unknown").status_code in (404, 429, 502, 503)
    assert t.post({"model": "gemini-2.5-flash", "messages": [{"role": "wizard", "content": API_KEY}]}).status_code == 400
    assert t.post({"model": "gemini-2.5-flash", "messages": HELLO, "temperature": credentials.express_keys[0]}).status_code == 400
    assert t.post({"model": credentials.express_keys[0], "messages": HELLO}).status_code in (400, 404, 429, 502, 503)
    assert t.post({"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "x" * 5000}]}).status_code == 413
    for wrong in (credentials.express_keys[1], "Bearer " + API_KEY[:-1]):
        assert t.keep(requests.post(t.live.url + "/v1/chat/completions", json={}, headers={"Authorization": f"Bearer {wrong}"}, timeout=10)).status_code == 401
    t.keep(t.live.get("/v1/models"))
    t.keep(requests.get(t.live.url + "/", headers={"Accept": "application/json"}, timeout=10))
    t.keep(requests.get(t.live.url + "/", headers={"Accept": "text/html"}, timeout=10))
    for accept in ("application/json", "text/html"):
        t.keep(requests.get(t.live.url + "/", headers={"Accept": accept, "Authorization": f"Bearer {API_KEY}"}, timeout=10))
    note_tokens()
    return tokens


def test_no_secret_reaches_a_log_or_a_response(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, credentials: Credentials, debug_everything: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    live = gateway_factory(LOG_LEVEL="DEBUG", MAX_REQUEST_BYTES="3000", UPSTREAM_READ_TIMEOUT="5")
    for name in LIBRARIES:
        debug_everything.set_level(logging.DEBUG, logger=name or None)
    transcript = Transcript(live)
    tokens = _scenario(transcript, emulator, credentials)
    secrets = [*credentials.secrets(), *tokens]
    assert len(tokens) >= 2 and len(secrets) > 8
    records = debug_everything.records
    assert any(r.name.startswith("urllib3") for r in records) and any(r.name == "adapter.requests" for r in records)
    logged = [f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in records]
    written = capfd.readouterr().err
    for secret in secrets:
        assert not [line for line in logged if secret in line], "a secret reached a log record"
        assert secret not in written, "a secret reached the log output"
        assert not [text for text in transcript.texts if secret in text], "a secret reached a response"


def test_redaction_covers_what_a_library_might_log(gateway_factory: GatewayFactory, credentials: Credentials, caplog: pytest.LogCaptureFixture) -> None:
    gateway_factory()
    key = credentials.service_accounts[0].info["private_key"]
    line = next(part for part in key.splitlines() if len(part) > 40)
    chatty = logging.getLogger("some.library")
    with caplog.at_level(logging.DEBUG, logger="some.library"):
        chatty.debug("sending %s and %s", {"x-goog-api-key": credentials.express_keys[0]}, f"Authorization: Bearer {API_KEY}")
        chatty.debug("token ya29.a0AfB_byC-secret-token.part and jwt eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl")
        chatty.debug("key line %s", line)
        try:
            raise ValueError(key)
        except ValueError:
            chatty.exception("failed")
    text = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert text.count("[REDACTED]") >= 6
    for secret in (credentials.express_keys[0], API_KEY, key, line, "ya29.a0AfB_byC-secret-token", "eyJhbGciOiJSUzI1NiJ9"):
        assert secret not in text


SUMMARY = re.compile(r"(\w+)=(\S+)")


def _summary(caplog: pytest.LogCaptureFixture, request_id: str) -> dict[str, str]:
    lines = [r.getMessage() for r in caplog.records if r.name == "adapter.requests" and f"request_id={request_id}" in r.getMessage()]
    assert len(lines) == 1, lines
    return dict(SUMMARY.findall(lines[0]))


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_one_summary_line_per_request_with_the_tracing_fields(
    gateway_factory: GatewayFactory, emulator: VertexEmulator, caplog: pytest.LogCaptureFixture, stream: bool
) -> None:
    live = gateway_factory(service_accounts=False)
    caplog.set_level(logging.INFO)
    emulator.enqueue(Reply.error(503))
    emulator.enqueue(Reply.unary(payloads.text_response("secret answer text", prompt_tokens=11)))
    body: dict[str, Any] = {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "private question"}]}
    if stream:
        body.update(stream=True, stream_options={"include_usage": True})
    response = live.post("/v1/chat/completions", body, headers={"X-Request-ID": "trace-abc.123"})
    assert response.status_code == 200 and response.headers["X-Request-ID"] == "trace-abc.123"
    assert emulator.wait_until(lambda: any("trace-abc.123" in r.getMessage() for r in caplog.records if r.name == "adapter.requests"), 2)
    fields = _summary(caplog, "trace-abc.123")
    assert fields["status"] == "200" and fields["model"] == "gemini-2.5-flash"
    assert fields["credential"] == "express#1" and fields["upstream_status"] == "200"
    assert fields["attempts"] == "2" and fields["tried"] == "express#0:503,express#1:200"
    assert float(fields["latency_ms"]) > 0
    assert (fields["prompt_tokens"], fields["completion_tokens"]) == ("11", str(payloads.count_tokens("secret answer text")))
    assert fields["stream"] == str(stream)
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert "private question" not in everything and "secret answer text" not in everything


@pytest.mark.parametrize(
    "given,kept",
    [("abc-123_X.y:z", True), ("", False), ("has space", False), ("x" * 129, False), ("ünï", False)],
)
def test_request_ids_are_taken_from_the_client_only_when_safe(gateway: LiveGateway, caplog: pytest.LogCaptureFixture, given: str, kept: bool) -> None:
    caplog.set_level(logging.INFO)
    headers = {"X-Request-ID": given.encode("utf-8").decode("latin-1")} if given else {}
    response = requests.get(gateway.url + "/v1/models", headers={"Authorization": f"Bearer {API_KEY}", **headers}, timeout=10)
    returned = response.headers["X-Request-ID"]
    assert (returned == given) is kept
    if not kept:
        assert re.fullmatch(r"[0-9a-f]{32}", returned)
    assert _summary(caplog, returned)["path"] == "/v1/models"


@pytest.mark.parametrize(
    "method,path,body,status,error",
    [
        ("POST", "/v1/chat/completions", {"model": "gemini-2.5-flash"}, 400, "missing_required_parameter"),
        ("GET", "/v1/nowhere", None, 404, "unknown_url"),
        ("POST", "/v1/chat/completions", {"model": "gemini-2.5-flash\nstatus=200 forged", "messages": HELLO}, 400, None),
    ],
)
def test_failures_get_a_summary_line_too(gateway: LiveGateway, emulator: VertexEmulator, caplog: pytest.LogCaptureFixture, method: str, path: str, body: Any, status: int, error: str | None) -> None:
    caplog.set_level(logging.INFO)
    response = gateway.http.request(method, gateway.url + path, json=body, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=10)
    assert response.status_code == status
    line = next(r.getMessage() for r in caplog.records if r.name == "adapter.requests" and response.headers["X-Request-ID"] in r.getMessage())
    assert "\n" not in line and len(re.findall(r"(?:^| )status=", line)) == 1
    fields = dict(SUMMARY.findall(line))
    assert fields["status"] == str(status) and fields["path"] == path
    if error:
        assert fields["error"] == error
