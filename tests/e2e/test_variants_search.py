"""Google Search grounding: the ``-search`` variant and OpenAI's ``web_search_options``.

Vertex's ``groundingMetadata`` comes back as OpenAI ``url_citation`` annotations whose
``start_index``/``end_index`` select the cited text in ``content`` (Vertex counts UTF-8 bytes,
OpenAI characters), plus a ``grounding`` extension field with the search queries and Google's
search-suggestion HTML. Streamed and whole answers carry the same citations.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest

from tests.conftest import LiveGateway
from tests.emulator import VertexEmulator, payloads
from tests.support.openai_schema import assert_chat_completion, assert_error
from tests.support.streams import accumulate, check_stream

SEGMENTS = [
    ("Berlin ist die Hauptstadt Deutschlands. ", [0]),
    ("東京は日本の首都です。", [1, 0]),
    (" Ünïcödé sources agree. ", []),
    ("Paris is the capital of France.", [2]),
]
SOURCES = [
    ("https://vertexaisearch.cloud.google.com/grounding-api-redirect/AAA", "bundesregierung.de"),
    ("https://vertexaisearch.cloud.google.com/grounding-api-redirect/BBB", "japan.go.jp"),
    ("https://vertexaisearch.cloud.google.com/grounding-api-redirect/CCC", "elysee.fr"),
]
QUERIES = ("capital of germany", "首都 日本", "capital of france")
ANSWER = "".join(text for text, _ in SEGMENTS)
QUESTION = [{"role": "user", "content": "Capitals of Germany, Japan and France?"}]


def expected_annotations(content: str) -> list[dict[str, Any]]:
    """One url_citation per (segment, source), offsets found by searching the content itself."""
    annotations = []
    for text, indices in SEGMENTS:
        start = content.index(text)
        for index in indices:
            url, title = SOURCES[index]
            citation = {"url": url, "title": title, "start_index": start, "end_index": start + len(text)}
            annotations.append({"type": "url_citation", "url_citation": citation})
    return annotations


def grounded(model: str) -> dict[str, Any]:
    return payloads.grounded_response(SEGMENTS, SOURCES, QUERIES, model=model)


def check_grounded_message(message: dict[str, Any]) -> None:
    content = message["content"]
    assert content == ANSWER
    assert message["annotations"] == expected_annotations(content)
    for annotation in message["annotations"]:
        citation = annotation["url_citation"]
        cited = content[citation["start_index"]:citation["end_index"]]
        assert cited in [text for text, _ in SEGMENTS]
    grounding = message["grounding"]
    assert grounding["web_search_queries"] == list(QUERIES)
    assert grounding["search_entry_point"].startswith("<style>") and "</div>" in grounding["search_entry_point"]
    assert [source["url"] for source in grounding["sources"]] == [url for url, _ in SOURCES]


# (model the client names, model Vertex sees, extra request fields)
SEARCH_REQUESTS = [
    ("gemini-2.5-flash-search", "gemini-2.5-flash", {}),
    ("[PAY]gemini-3-flash-preview-search", "gemini-3-flash-preview", {}),
    ("gemini-2.5-pro", "gemini-2.5-pro", {"web_search_options": {}}),
    ("[EXPRESS] gemini-3-pro-preview", "gemini-3-pro-preview", {"web_search_options": {"search_context_size": "low"}}),
]


@pytest.mark.parametrize("model,upstream,extra", SEARCH_REQUESTS)
def test_citations_in_a_whole_answer(gateway: LiveGateway, emulator: VertexEmulator, model: str, upstream: str, extra: dict[str, Any]) -> None:
    emulator.enqueue(grounded(upstream))
    completion = gateway.client.chat.completions.create(model=model, messages=QUESTION, **extra)
    body = completion.model_dump(exclude_unset=True)
    assert_chat_completion(body)
    assert completion.model == model
    check_grounded_message(body["choices"][0]["message"])
    first = completion.choices[0].message.annotations[0]
    assert (first.type, first.url_citation.url, first.url_citation.start_index) == ("url_citation", SOURCES[0][0], 0)
    call = emulator.last_call("generateContent")
    assert call.model == upstream
    assert call.body["tools"] == [{"googleSearch": {}}]


@pytest.mark.parametrize("model,upstream,extra", SEARCH_REQUESTS)
def test_citations_in_a_stream(gateway: LiveGateway, emulator: VertexEmulator, model: str, upstream: str, extra: dict[str, Any]) -> None:
    emulator.enqueue(grounded(upstream))
    stream = gateway.client.chat.completions.create(model=model, messages=QUESTION, stream=True, stream_options={"include_usage": True}, **extra)
    chunks = [chunk.model_dump(exclude_unset=True) for chunk in stream]
    check_stream(chunks, include_usage=True)
    assert sum(1 for chunk in chunks if chunk["choices"] and chunk["choices"][0]["delta"].get("content")) > 1
    whole = accumulate(chunks)
    check_grounded_message(whole["choices"][0]["message"])
    assert whole["choices"][0]["finish_reason"] == "stop"
    call = emulator.last_call("streamGenerateContent")
    assert call.model == upstream and call.body["tools"] == [{"googleSearch": {}}]


def test_stream_and_whole_answer_cite_alike(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    emulator.enqueue(grounded("gemini-2.5-flash"))
    whole = gateway.post("/v1/chat/completions", {"model": "gemini-2.5-flash-search", "messages": QUESTION}).json()
    emulator.enqueue(grounded("gemini-2.5-flash"))
    chunks = [c.model_dump(exclude_unset=True) for c in gateway.client.chat.completions.create(model="gemini-2.5-flash-search", messages=QUESTION, stream=True)]
    streamed = accumulate(chunks)["choices"][0]["message"]
    for key in ("content", "annotations", "grounding"):
        assert streamed[key] == whole["choices"][0]["message"][key]


WEATHER_TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
                                                 "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}


@pytest.mark.parametrize(
    "model,extra",
    [("gemini-3-flash-preview-search", {}), ("[PAY]gemini-3-pro-preview", {"web_search_options": {}})],
)
def test_search_with_function_tools_is_sent_to_gemini_3(gateway: LiveGateway, emulator: VertexEmulator, model: str, extra: dict[str, Any]) -> None:
    completion = gateway.client.chat.completions.create(model=model, messages=QUESTION, tools=[WEATHER_TOOL], **extra)
    assert_chat_completion(completion.model_dump(exclude_unset=True))
    call = emulator.last_call("generateContent")
    assert call.outcome == "ok"
    assert [list(tool) for tool in call.body["tools"]] == [["functionDeclarations"], ["googleSearch"]]
    assert call.body["tools"][0]["functionDeclarations"][0]["name"] == "get_weather"


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    "model,extra",
    [("gemini-2.5-flash-search", {}), ("[EXPRESS] gemini-2.5-pro", {"web_search_options": {}})],
)
def test_search_with_function_tools_on_gemini_2_5_is_a_clear_400(
    gateway: LiveGateway, emulator: VertexEmulator, model: str, extra: dict[str, Any], stream: bool
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        answer = gateway.client.chat.completions.create(model=model, messages=QUESTION, tools=[WEATHER_TOOL], stream=stream, **extra)
        if stream:
            list(answer)
    assert "Google Search and function tools" in caught.value.message
    raw = gateway.post("/v1/chat/completions", {"model": model, "messages": QUESTION, "tools": [WEATHER_TOOL], "stream": stream, **extra})
    assert raw.status_code == 400
    body = raw.json()
    assert_error(body)
    assert (body["error"]["type"], body["error"]["param"]) == ("invalid_request_error", "tools")
    assert emulator.calls == []


@pytest.mark.parametrize(
    "model,extra,param",
    [
        ("gemini-2.0-flash-lite-001-search", {}, "model"),
        ("gemini-2.5-flash-image", {"web_search_options": {}}, "web_search_options"),
    ],
)
def test_search_on_a_model_without_grounding_is_refused(
    gateway: LiveGateway, emulator: VertexEmulator, model: str, extra: dict[str, Any], param: str
) -> None:
    raw = gateway.post("/v1/chat/completions", {"model": model, "messages": QUESTION, **extra})
    assert raw.status_code == 400
    body = raw.json()
    assert_error(body)
    assert body["error"]["param"] == param
    assert emulator.calls == []
