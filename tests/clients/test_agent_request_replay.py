"""Every request Codex CLI and Claude Code were recorded sending (``tests/fixtures/clients/``),
replayed byte for byte (headers included, with the gateway's key) against the gateway and the
Vertex emulator: the front door must take each one, follow-up turns with foreign signatures
included, and answer a well-formed stream. Skipped, with the reason, until the front door exists."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from tests.clients.agent_recordings import SCENARIOS, load_fixture
from tests.conftest import API_KEY, GatewayFactory, LiveGateway
from tests.support.coding_agents import require_front_door
from tests.support.openai_schema import assert_valid

ALIASES = "gpt-5.5=gemini-3-pro-preview,claude-opus-5-5=gemini-3-pro-preview"
AUTH_HEADERS = {"@openai/codex": ("authorization", f"Bearer {API_KEY}"), "@anthropic-ai/claude-code": ("x-api-key", API_KEY)}
LEFT_TO_REQUESTS = frozenset({"accept-encoding", "content-type", "connection"})

CASES = [
    pytest.param(name, index, id=f"{name}-{index}")
    for name, scenario in SCENARIOS.items()
    if scenario.fixture.exists()
    for index in range(len(load_fixture(name)["requests"]))
]


def sse_frames(text: str) -> list[tuple[str | None, dict[str, Any]]]:
    """(``event:`` name, ``data:`` JSON) of each frame; comments and empty frames skipped."""
    frames = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.split("\n") if line and not line.startswith(":"))
        if "data" in fields:
            frames.append((fields.get("event"), json.loads(fields["data"])))
    return frames


def require_model(gateway: LiveGateway, model: str) -> None:
    listed = {entry["id"] for entry in gateway.get("/v1/models").json()["data"]}
    if model not in listed:
        pytest.skip(f"{model} is not served: MODEL_ALIASES (issue 15) is not built yet")


def replayed_headers(recorded: dict[str, str], client: str) -> dict[str, str]:
    headers = {name: value for name, value in recorded.items() if value != "<redacted>" and name not in LEFT_TO_REQUESTS}
    name, value = AUTH_HEADERS[client]
    return {**headers, name: value}


def check_responses_stream(frames: list[tuple[str | None, dict[str, Any]]]) -> None:
    numbers = [data["sequence_number"] for _, data in frames]
    assert numbers == sorted(set(numbers)), "sequence_number must strictly increase"
    for name, data in frames:
        assert name == data["type"]
        assert_valid(data, "ResponseStreamEvent")
    assert frames[-1][1]["type"] == "response.completed"


def check_messages_stream(frames: list[tuple[str | None, dict[str, Any]]]) -> None:
    for name, data in frames:
        assert name == data["type"]
    kinds = [data["type"] for _, data in frames if data["type"] != "ping"]
    assert kinds[0] == "message_start" and kinds[-2:] == ["message_delta", "message_stop"], kinds


@pytest.mark.parametrize(("name", "index"), CASES)
def test_the_gateway_takes_every_recorded_agent_request(gateway_factory: GatewayFactory, name: str, index: int) -> None:
    fixture = load_fixture(name)
    request = fixture["requests"][index]
    gateway = gateway_factory(MODEL_ALIASES=ALIASES)
    is_codex = fixture["client"] == "@openai/codex"
    require_front_door(gateway.app, request["path"], "issue 14" if is_codex else "issue 15")
    require_model(gateway, request["body"]["model"])
    url = f"{gateway.url}{request['path']}" + (f"?{request['query']}" if request["query"] else "")
    headers = replayed_headers(request["headers"], fixture["client"])
    answer = requests.post(url, json=request["body"], headers=headers, timeout=60)
    assert answer.status_code == 200, answer.text[:2000]
    assert answer.headers["content-type"].startswith("text/event-stream")
    frames = sse_frames(answer.text)
    (check_responses_stream if is_codex else check_messages_stream)(frames)
