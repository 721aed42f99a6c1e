"""pydantic-ai (``pydantic-ai-slim[openai]``, pinned in requirements-dev.txt) against the gateway
with both of its OpenAI models: ``OpenAIChatModel`` (Chat Completions) and
``OpenAIResponsesModel`` (the Responses API). Each runs an agent with one tool on Gemini 3 (the
call's signature goes back), a typed output, and a streamed run. Every answer the client receives
is checked against OpenAI's schemas on its way in."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx2
import pytest
from openai import AsyncOpenAI
from pydantic import BaseModel

from tests.conftest import API_KEY, LiveGateway
from tests.emulator import VertexEmulator, payloads
from tests.support.openai_schema import assert_chat_completion, assert_valid
from tests.support.responses_stream import check_events
from tests.support.streams import check_stream, parse_sse

pytest.importorskip("pydantic_ai", reason="pydantic-ai-slim is not installed (pip install -r requirements-dev.txt)")
from pydantic_ai import Agent  # noqa: E402
from pydantic_ai.models.openai import OpenAIChatModel, OpenAIResponsesModel  # noqa: E402
from pydantic_ai.providers.openai import OpenAIProvider  # noqa: E402

MODEL = "gemini-3-flash-preview"
MODELS = {"chat": OpenAIChatModel, "responses": OpenAIResponsesModel}


class Answers:
    """Validates every answer the client gets, whole or streamed; names what it saw."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    async def __call__(self, response: httpx2.Response) -> None:
        await response.aread()
        assert response.status_code == 200, response.text
        streamed = response.headers["content-type"].startswith("text/event-stream")
        if response.request.url.path.endswith("/responses"):
            if streamed:
                check_events(parse_sse(response.text))
            else:
                assert_valid(response.json(), "Response")
        elif streamed:
            check_stream(parse_sse(response.text), include_usage="usage" in response.text)
        else:
            assert_chat_completion(response.json())
        self.seen.append("stream" if streamed else "whole")


class Weather(BaseModel):
    city: str
    celsius: int


def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"{city}: sunny, 21 C"


def run_agent(gateway: LiveGateway, answers: Answers, api: str, prompt: str, *, streamed: bool = False, **agent_options: Any) -> Any:
    """Runs one agent over the chosen API in its own event loop; the client is closed in it."""

    async def main() -> Any:
        http_client = httpx2.AsyncClient(event_hooks={"response": [answers]}, timeout=30)
        client = AsyncOpenAI(base_url=gateway.url + "/v1", api_key=API_KEY, http_client=http_client, max_retries=0)
        agent = Agent(MODELS[api](MODEL, provider=OpenAIProvider(openai_client=client)), **agent_options)
        try:
            if not streamed:
                return (await agent.run(prompt)).output
            async with agent.run_stream(prompt) as run:
                pieces = [piece async for piece in run.stream_text(delta=True, debounce_by=None)]
            return pieces
        finally:
            await client.close()

    return asyncio.run(main())


@pytest.fixture
def answers() -> Answers:
    return Answers()


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_an_agent_calls_its_tool_and_answers(gateway: LiveGateway, emulator: VertexEmulator, answers: Answers, api: str) -> None:
    emulator.enqueue(payloads.function_call_response([("get_weather", {"city": "Paris"})], MODEL),
                     payloads.text_response("It is sunny in Paris, 21 C.", MODEL))
    assert run_agent(gateway, answers, api, "What is the weather in Paris?", tools=[get_weather]) == "It is sunny in Paris, 21 C."
    assert answers.seen == ["whole", "whole"]
    second = emulator.last_call("generateContent").body["contents"]
    assert second[1]["parts"][0]["functionCall"]["name"] == "get_weather" and second[1]["parts"][0]["thoughtSignature"]
    assert "Paris: sunny, 21 C" in json.dumps(second[2]["parts"][0]["functionResponse"]["response"])


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_a_typed_output(gateway: LiveGateway, emulator: VertexEmulator, answers: Answers, api: str) -> None:
    emulator.enqueue(payloads.function_call_response([("final_result", {"city": "Paris", "celsius": 21})], MODEL))
    assert run_agent(gateway, answers, api, "Weather in Paris as data", output_type=Weather) == Weather(city="Paris", celsius=21)
    assert answers.seen == ["whole"]


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_a_streamed_run(gateway: LiveGateway, emulator: VertexEmulator, answers: Answers, api: str) -> None:
    pieces = run_agent(gateway, answers, api, "Streamed to pydantic-ai", streamed=True)
    assert len(pieces) > 1 and "Streamed to pydantic-ai" in "".join(pieces)
    assert answers.seen == ["stream"]
