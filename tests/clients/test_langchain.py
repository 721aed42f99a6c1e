"""LangChain's ``ChatOpenAI`` (``langchain-openai``, pinned in requirements-dev.txt) against the
gateway: invoke, stream, ``bind_tools`` and ``with_structured_output``. Every HTTP answer the
client receives is also checked against OpenAI's schemas through an httpx response hook."""

from __future__ import annotations

import json
from typing import Any, Iterator

import httpx
import pytest
from pydantic import BaseModel, Field

from tests.conftest import API_KEY, LiveGateway
from tests.emulator import VertexEmulator, payloads
from tests.support.openai_schema import assert_chat_completion
from tests.support.streams import check_stream, parse_sse

langchain_openai = pytest.importorskip("langchain_openai", reason="langchain-openai is not installed (pip install -r requirements-dev.txt)")
ToolMessage = pytest.importorskip("langchain_core.messages").ToolMessage


class Answers:
    """Validates every chat answer the client gets; counts them."""

    def __init__(self) -> None:
        self.checked: list[str] = []

    def __call__(self, response: httpx.Response) -> None:
        if not response.request.url.path.endswith("/chat/completions"):
            return
        response.read()
        assert response.status_code == 200, response.text
        if response.headers["content-type"].startswith("text/event-stream"):
            check_stream(parse_sse(response.text), include_usage="usage" in response.text)
            self.checked.append("stream")
        else:
            assert_chat_completion(response.json())
            self.checked.append("completion")


@pytest.fixture
def answers() -> Answers:
    return Answers()


@pytest.fixture
def chat_model(gateway: LiveGateway, answers: Answers) -> Iterator[Any]:
    http_client = httpx.Client(event_hooks={"response": [answers]}, timeout=30)
    yield langchain_openai.ChatOpenAI(
        model="gemini-2.5-flash", base_url=gateway.url + "/v1", api_key=API_KEY, http_client=http_client, max_retries=0
    )
    http_client.close()


class Weather(BaseModel):
    """Weather in a city."""

    city: str = Field(description="the city")
    celsius: int = Field(description="temperature in degrees Celsius")


def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"sunny in {city}"


def test_invoke(chat_model: Any, answers: Answers) -> None:
    message = chat_model.invoke("Hello from LangChain")
    assert "Hello from LangChain" in message.content
    assert message.usage_metadata["total_tokens"] > 0
    assert message.response_metadata["finish_reason"] == "stop"
    assert answers.checked == ["completion"]


def test_stream(chat_model: Any, answers: Answers) -> None:
    pieces = list(chat_model.stream("Stream to LangChain"))
    assert len(pieces) > 1
    assert "Stream to LangChain" in "".join(str(piece.content) for piece in pieces)
    assert answers.checked == ["stream"]


def test_bind_tools_and_the_tool_result_turn(chat_model: Any, answers: Answers, emulator: VertexEmulator) -> None:
    emulator.enqueue(payloads.function_call_response([("get_weather", {"city": "Paris"})], "gemini-2.5-flash"))
    with_tools = chat_model.bind_tools([get_weather])
    question = ("human", "Weather in Paris?")
    called = with_tools.invoke([question])
    assert [(call["name"], call["args"]) for call in called.tool_calls] == [("get_weather", {"city": "Paris"})]
    result = ToolMessage(get_weather("Paris"), tool_call_id=called.tool_calls[0]["id"])
    final = with_tools.invoke([question, called, result])
    assert "get_weather" in final.content
    declared = emulator.calls_for("generateContent")[0].body["tools"][0]["functionDeclarations"][0]
    assert declared["name"] == "get_weather"
    assert answers.checked == ["completion", "completion"]


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_with_structured_output(chat_model: Any, answers: Answers, emulator: VertexEmulator, method: str) -> None:
    if method == "json_schema":
        emulator.enqueue(payloads.text_response(json.dumps({"city": "Paris", "celsius": 21}), "gemini-2.5-flash"))
    else:
        emulator.enqueue(payloads.function_call_response([("Weather", {"city": "Paris", "celsius": 21})], "gemini-2.5-flash"))
    structured = chat_model.with_structured_output(Weather, method=method)
    assert structured.invoke("Weather in Paris as JSON") == Weather(city="Paris", celsius=21)
    sent = emulator.last_call("generateContent").body
    if method == "json_schema":
        config = sent["generationConfig"]
        assert config["responseMimeType"] == "application/json"
        assert "city" in json.dumps(config.get("responseJsonSchema") or config.get("responseSchema"))
    else:
        assert sent["tools"][0]["functionDeclarations"][0]["name"] == "Weather"
    assert answers.checked == ["completion"]
