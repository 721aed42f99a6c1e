"""OpenTelemetry traces, received by a real OTLP/HTTP receiver on loopback that decodes them with
``opentelemetry-proto``: a server span per API request, a client span per upstream attempt, the
GenAI attributes, time to first token on streams, W3C ``traceparent`` continued, content only
when asked for, never a secret, and nothing at all without an endpoint."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any, Iterator

import openai
import pytest

from tests.conftest import Credentials, GatewayFactory, LiveGateway
from tests.emulator import Reply, VertexEmulator
from tests.support.otlp_receiver import OtlpReceiver, ReceivedSpan

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_ID = "b7ad6b7169203331"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    started = OtlpReceiver().start()
    yield started
    started.stop()


@pytest.fixture
def traced(gateway_factory: GatewayFactory, receiver: OtlpReceiver) -> Iterator[Any]:
    """A gateway exporting to the receiver; call it with more OTEL_* variables if needed."""
    built: list[LiveGateway] = []

    def make(**env: str) -> LiveGateway:
        served = gateway_factory(OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY="20",
                                 OTEL_SERVICE_NAME="gateway-under-test", **env)
        built.append(served)
        return served

    yield make
    for served in built:
        served.app.extensions["adapter.tracing"].shutdown()


def by_kind(spans: list[ReceivedSpan], kind: str) -> list[ReceivedSpan]:
    return [span for span in spans if span.kind == kind]


def one_request(spans: list[ReceivedSpan], clients: int = 1) -> bool:
    return len(by_kind(spans, "server")) == 1 and len(by_kind(spans, "client")) == clients


def test_a_chat_gets_a_server_span_and_a_client_span_with_genai_attributes(traced: Any, receiver: OtlpReceiver) -> None:
    gateway = traced()
    answer = gateway.client.chat.completions.create(model="gemini-2.5-flash", messages=[{"role": "user", "content": "Hi"}])
    spans = receiver.wait_for(one_request)
    server, client = by_kind(spans, "server")[0], by_kind(spans, "client")[0]
    assert server.name == "POST /v1/chat/completions"
    assert server.attributes | {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "gcp.vertex_ai",
        "gen_ai.request.model": "gemini-2.5-flash",
        "gen_ai.response.model": "gemini-2.5-flash",
        "gen_ai.usage.input_tokens": answer.usage.prompt_tokens,
        "gen_ai.usage.output_tokens": answer.usage.completion_tokens,
        "gen_ai.response.finish_reasons": ["stop"],
        "http.response.status_code": 200,
        "http.request.method": "POST",
        "http.route": "/v1/chat/completions",
        "vertex_gateway.attempts": 1,
        "vertex_gateway.client_key": "admin",
    } == server.attributes
    assert client.name == "chat gemini-2.5-flash"
    assert (client.trace_id, client.parent_span_id) == (server.trace_id, server.span_id)
    assert client.attributes | {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "gcp.vertex_ai",
        "gen_ai.request.model": "gemini-2.5-flash",
        "server.address": "127.0.0.1",
        "http.response.status_code": 200,
        "vertex_gateway.credential": "express#0",
        "vertex_gateway.attempt": 1,
    } == client.attributes
    assert server.resource["service.name"] == "gateway-under-test"
    assert server.status == client.status == "unset"
    assert "gen_ai.input.messages" not in server.attributes and "gen_ai.output.messages" not in server.attributes


def test_the_clients_traceparent_is_continued(traced: Any, receiver: OtlpReceiver) -> None:
    gateway = traced()
    gateway.post("/v1/chat/completions", {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "Hi"}]},
                 headers={"traceparent": TRACEPARENT})
    server = by_kind(receiver.wait_for(one_request), "server")[0]
    assert (server.trace_id, server.parent_span_id) == (TRACE_ID, PARENT_ID)


def test_failover_gives_one_client_span_per_attempt(traced: Any, receiver: OtlpReceiver, emulator: VertexEmulator) -> None:
    gateway = traced()
    emulator.enqueue(Reply.error(429), method="generateContent", credential="express#0")
    gateway.client.chat.completions.create(model="gemini-2.5-flash", messages=[{"role": "user", "content": "Hi"}])
    spans = receiver.wait_for(lambda got: one_request(got, clients=2))
    first, second = sorted(by_kind(spans, "client"), key=lambda span: span.attributes["vertex_gateway.attempt"])
    assert (first.attributes["vertex_gateway.credential"], first.attributes["http.response.status_code"]) == ("express#0", 429)
    assert (first.attributes["error.type"], first.status) == ("429", "error")
    assert (second.attributes["vertex_gateway.credential"], second.attributes["vertex_gateway.attempt"]) == ("express#1", 2)
    assert "error.type" not in second.attributes
    assert by_kind(spans, "server")[0].attributes["vertex_gateway.attempts"] == 2


def test_a_stream_has_its_time_to_first_token_and_usage(traced: Any, receiver: OtlpReceiver) -> None:
    gateway = traced()
    chunks = list(gateway.client.chat.completions.create(model="gemini-2.5-flash", messages=[{"role": "user", "content": "Count"}],
                                                         stream=True, stream_options={"include_usage": True}))
    spans = receiver.wait_for(one_request)
    server, client = by_kind(spans, "server")[0], by_kind(spans, "client")[0]
    first_token = server.event("gen_ai.first_token")
    assert first_token is not None and 0 < first_token["gen_ai.server.time_to_first_token"] < 30
    usage = chunks[-1].usage
    assert usage is not None
    assert (server.attributes["gen_ai.usage.input_tokens"], server.attributes["gen_ai.usage.output_tokens"]) == (usage.prompt_tokens, usage.completion_tokens)
    assert server.attributes["gen_ai.response.finish_reasons"] == ["stop"]
    assert client.end_ns <= server.end_ns and client.attributes["gen_ai.usage.output_tokens"] == usage.completion_tokens


def test_embeddings_get_a_client_span_per_batch(traced: Any, receiver: OtlpReceiver) -> None:
    gateway = traced()
    gateway.client.embeddings.create(model="text-embedding-005", input=[str(i) for i in range(7)])
    spans = receiver.wait_for(lambda got: one_request(got, clients=2))
    server = by_kind(spans, "server")[0]
    assert server.name == "POST /v1/embeddings"
    assert server.attributes["gen_ai.operation.name"] == "embeddings"
    assert server.attributes["gen_ai.usage.input_tokens"] > 0
    clients = by_kind(spans, "client")
    assert {span.name for span in clients} == {"embeddings text-embedding-005"}
    assert sum(span.attributes["gen_ai.usage.input_tokens"] for span in clients) == server.attributes["gen_ai.usage.input_tokens"]


def test_a_refused_request_has_its_error_and_no_upstream_call(traced: Any, receiver: OtlpReceiver) -> None:
    gateway = traced()
    with pytest.raises(openai.BadRequestError):
        gateway.client.chat.completions.create(model="gemini-2.5-flash", messages=[{"role": "user", "content": "Hi"}], logit_bias={"1": 5})
    server = by_kind(receiver.wait_for(lambda got: len(got) == 1), "server")[0]
    assert server.attributes["http.response.status_code"] == 400
    assert server.attributes["error.type"] == "unsupported_parameter"
    assert server.status == "unset"


def test_an_upstream_failure_marks_the_server_span_as_an_error(traced: Any, receiver: OtlpReceiver, emulator: VertexEmulator) -> None:
    gateway = traced(MAX_RETRIES="0")
    emulator.enqueue(Reply.error(500), method="generateContent")
    with pytest.raises(openai.InternalServerError):
        gateway.client.chat.completions.create(model="gemini-2.5-flash", messages=[{"role": "user", "content": "Hi"}])
    spans = receiver.wait_for(one_request)
    server, client = by_kind(spans, "server")[0], by_kind(spans, "client")[0]
    assert (server.attributes["http.response.status_code"], server.status) == (502, "error")
    assert (client.attributes["error.type"], client.status) == ("500", "error")


def test_content_is_captured_only_when_asked(traced: Any, receiver: OtlpReceiver) -> None:
    gateway = traced(OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT="true")
    gateway.client.chat.completions.create(model="gemini-2.5-flash", messages=[{"role": "user", "content": "Say the password"}])
    server = by_kind(receiver.wait_for(one_request), "server")[0]
    assert "Say the password" in server.attributes["gen_ai.input.messages"]
    assert "Say the password" in server.attributes["gen_ai.output.messages"]


def test_no_key_or_token_reaches_a_span(traced: Any, receiver: OtlpReceiver, credentials: Credentials, emulator: VertexEmulator) -> None:
    gateway = traced(OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT="true")
    emulator.enqueue(Reply.error(401), method="generateContent", credential="express#0")
    gateway.client.chat.completions.create(model="gemini-2.5-flash", messages=[{"role": "user", "content": "Hi"}])
    gateway.client.chat.completions.create(model="[PAY]gemini-2.5-flash", messages=[{"role": "user", "content": "Hi"}])
    receiver.wait_for(lambda got: len(by_kind(got, "server")) == 2)
    with emulator.state.lock:
        tokens = list(emulator.state.tokens)
    assert tokens
    sent = b"".join(receiver.raw_bodies)
    for secret in [*credentials.secrets(), *tokens]:
        assert secret.encode() not in sent


def test_exports_carry_the_configured_headers_and_compression(traced: Any, receiver: OtlpReceiver, caplog: pytest.LogCaptureFixture) -> None:
    gateway = traced(OTEL_EXPORTER_OTLP_HEADERS="authorization=Bearer%20collector-secret-77", OTEL_EXPORTER_OTLP_COMPRESSION="gzip")
    gateway.client.chat.completions.create(model="gemini-2.5-flash", messages=[{"role": "user", "content": "Hi"}])
    receiver.wait_for(one_request)
    assert receiver.headers[0]["Authorization"] == "Bearer collector-secret-77"
    assert receiver.headers[0]["Content-Encoding"] == "gzip" and receiver.headers[0]["Content-Type"] == "application/x-protobuf"
    assert all("collector-secret-77" not in record.getMessage() for record in caplog.records)


def test_a_sampler_that_samples_nothing_sends_nothing(traced: Any, receiver: OtlpReceiver) -> None:
    gateway = traced(OTEL_TRACES_SAMPLER="always_off")
    gateway.client.chat.completions.create(model="gemini-2.5-flash", messages=[{"role": "user", "content": "Hi"}])
    gateway.app.extensions["adapter.tracing"].shutdown()
    assert receiver.spans == []


def test_without_an_endpoint_nothing_is_sent(gateway_factory: GatewayFactory, receiver: OtlpReceiver) -> None:
    gateway = gateway_factory(OTEL_SERVICE_NAME="gw", OTEL_TRACES_SAMPLER="always_on")
    gateway.client.chat.completions.create(model="gemini-2.5-flash", messages=[{"role": "user", "content": "Hi"}])
    assert gateway.app.extensions["adapter.tracing"].enabled is False
    time.sleep(0.3)
    assert receiver.spans == []


def test_without_an_endpoint_the_sdk_is_not_even_imported() -> None:
    script = (
        "import sys; from adapter import create_app; from adapter.settings import load_settings;"
        "create_app(load_settings({'API_KEY': 'k', 'VERTEX_EXPRESS_API_KEY': 'x', 'CREDENTIALS_DIR': '/nonexistent',"
        " 'OTEL_SERVICE_NAME': 'gw'}));"
        "assert not any(name.startswith('opentelemetry') for name in sys.modules), sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
