"""The OpenAI Agents SDK (``openai-agents``, pinned in requirements-dev.txt) with its default
model, which speaks the Responses API, and one function tool, against the gateway and the
emulator. Every answer the SDK receives is checked against OpenAI's schemas on its way in."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx2
import pytest
from openai import AsyncOpenAI

from tests.conftest import API_KEY, LiveGateway
from tests.emulator import VertexEmulator, payloads
from tests.support.openai_schema import assert_valid
from tests.support.responses_stream import check_events

agents = pytest.importorskip("agents", reason="openai-agents is not installed (pip install -r requirements-dev.txt)")

MODEL = "gemini-3-flash-preview"


class Answers:
    """Validates every Responses answer the SDK gets (whole or streamed); keeps what it saw."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    async def __call__(self, response: httpx2.Response) -> None:
        if not response.request.url.path.endswith("/responses"):
            return
        await response.aread()
        assert response.status_code == 200, response.text
        if response.headers["content-type"].startswith("text/event-stream"):
            events = [json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: ")]
            check_events(events)
            self.seen.append("stream")
        else:
            assert_valid(response.json(), "Response")
            self.seen.append("response")


@pytest.fixture
def answers() -> Answers:
    return Answers()


def run_agent(gateway: LiveGateway, answers: Answers, prompt: str, *, streamed: bool = False) -> Any:
    """Run the agent in one event loop with the SDK's default client pointed at the gateway,
    tracing off (it would export to OpenAI); the client is closed in that loop."""

    async def main() -> Any:
        http_client = httpx2.AsyncClient(event_hooks={"response": [answers]}, timeout=30)
        client = AsyncOpenAI(base_url=gateway.url + "/v1", api_key=API_KEY, http_client=http_client, max_retries=0)
        agents.set_tracing_disabled(True)
        agents.set_default_openai_client(client, use_for_tracing=False)
        agents.set_default_openai_api("responses")
        try:
            if not streamed:
                return (await agents.Runner.run(WEATHER_AGENT, prompt)).final_output
            run = agents.Runner.run_streamed(WEATHER_AGENT, prompt)
            async for _ in run.stream_events():
                pass
            return run.final_output
        finally:
            await client.close()

    return asyncio.run(main())


@agents.function_tool
def get_weather(city: str) -> str:
    """The current weather of a city."""
    return f"{city}: sunny, 21 C"


WEATHER_AGENT = agents.Agent(name="Forecaster", instructions="Answer with the tool's data.", tools=[get_weather], model=MODEL)


def test_an_agent_calls_its_tool_and_answers(gateway: LiveGateway, emulator: VertexEmulator, answers: Answers) -> None:
    emulator.enqueue(payloads.function_call_response([("get_weather", {"city": "Paris"})], MODEL),
                     payloads.text_response("It is sunny in Paris, 21 C.", MODEL))
    assert run_agent(gateway, answers, "What is the weather in Paris?") == "It is sunny in Paris, 21 C."
    assert answers.seen == ["response", "response"]
    second = emulator.last_call("generateContent").body
    model_turn, tool_turn = second["contents"][1], second["contents"][2]
    assert model_turn["parts"][0]["thoughtSignature"] != "skip_thought_signature_validator"
    assert tool_turn["parts"][0]["functionResponse"]["response"] == {"output": "Paris: sunny, 21 C"}
    assert second["systemInstruction"] == {"parts": [{"text": "Answer with the tool's data."}]}


def test_a_streamed_agent_run(gateway: LiveGateway, emulator: VertexEmulator, answers: Answers) -> None:
    emulator.enqueue(payloads.function_call_response([("get_weather", {"city": "Rome"})], MODEL),
                     payloads.text_response("Rome is sunny.", MODEL))
    assert run_agent(gateway, answers, "Weather in Rome?", streamed=True) == "Rome is sunny."
    assert answers.seen == ["stream", "stream"]
