"""Google Search grounding → url_citation annotations and the grounding extension field."""

from __future__ import annotations

from typing import Any

import pytest
from openai.lib.streaming.chat import ChatCompletionStreamState
from openai.types.chat import ChatCompletionChunk

from adapter.translate.chunks import ChunkTranslator
from adapter.translate.grounding import grounding_fields
from adapter.translate.response import to_chat_completion
from tests.support.openai_schema import assert_chat_completion, assert_chunk
from tests.support.streams import VERTEX_EXAMPLES, accumulate, comparable, read_json, split_response

GENERATE = VERTEX_EXAMPLES / "generate"
COMPLETION_ID = "chatcmpl-5eed5eed5eed5eed5eed5eed5eed5eed"


def whole(resp: dict[str, Any]) -> dict[str, Any]:
    out = to_chat_completion(resp, completion_id=COMPLETION_ID, created=1, model="gemini-2.5-flash-search")
    assert_chat_completion(out)
    return out


def streamed(resp: dict[str, Any]) -> list[dict[str, Any]]:
    translator = ChunkTranslator(completion_id=COMPLETION_ID, created=1, model="gemini-2.5-flash-search", include_usage=True)
    chunks = [chunk for event in split_response(resp) for chunk in translator.feed(event)] + translator.finish()
    for chunk in chunks:
        assert_chunk(chunk)
    return chunks


def grounded(parts: list[dict[str, Any]], supports: list[dict[str, Any]], chunks: int = 2) -> dict[str, Any]:
    metadata = {
        "webSearchQueries": ["q"],
        "groundingChunks": [{"web": {"uri": f"https://example.com/{i}", "title": f"site{i}.com", "domain": f"site{i}.com"}} for i in range(chunks)],
        "groundingSupports": supports,
    }
    return {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "groundingMetadata": metadata}]}


def support(text: str, start_char: int, segment_text: str, indices: list[int]) -> dict[str, Any]:
    """A support whose offsets are UTF-8 byte offsets into ``text``, as Vertex sends them."""
    start = len(text[:start_char].encode())
    return {"segment": {"startIndex": start, "endIndex": start + len(segment_text.encode()), "text": segment_text}, "groundingChunkIndices": indices}


def test_cjk_byte_offsets_become_character_offsets_into_content():
    resp = read_json(GENERATE / "grounded.redirect-uris.response.json")
    message = whole(resp)["choices"][0]["message"]
    content = message["content"]
    metadata = resp["candidates"][0]["groundingMetadata"]
    expected = [
        (s["segment"]["text"], metadata["groundingChunks"][i]["web"]) for s in metadata["groundingSupports"] for i in s["groundingChunkIndices"]
    ]
    assert len(message["annotations"]) == len(expected) == 14
    for annotation, (text, web) in zip(message["annotations"], expected, strict=True):
        citation = annotation["url_citation"]
        assert annotation["type"] == "url_citation"
        assert content[citation["start_index"] : citation["end_index"]] == text
        assert (citation["url"], citation["title"]) == (web["uri"], web["title"])


def test_the_grounding_extension_field_carries_queries_entry_point_and_sources():
    resp = read_json(GENERATE / "grounded.redirect-uris.response.json")
    grounding = whole(resp)["choices"][0]["message"]["grounding"]
    assert grounding["web_search_queries"] == ["柯文哲 總統", "柯文哲 現任職位", "柯文哲 台灣政治"]
    assert grounding["search_entry_point"].startswith("<style>")
    assert len(grounding["sources"]) == 7
    assert grounding["sources"][0] == {
        "url": resp["candidates"][0]["groundingMetadata"]["groundingChunks"][0]["web"]["uri"],
        "title": "wikipedia.org",
        "domain": "wikipedia.org",
    }


def test_inconsistent_offsets_fall_back_to_the_segment_text():
    resp = read_json(GENERATE / "grounded.response.json")
    message = whole(resp)["choices"][0]["message"]
    for annotation in message["annotations"]:
        citation = annotation["url_citation"]
        assert message["content"][citation["start_index"] : citation["end_index"]] in {
            s["segment"]["text"] for s in resp["candidates"][0]["groundingMetadata"]["groundingSupports"]
        }
    assert [a["url_citation"]["title"] for a in message["annotations"]] == [
        "Weather information for locality: Chicago, administrative_area: IL",
        "weatherbug.com",
        "Weather information for locality: Chicago, administrative_area: IL",
    ]


@pytest.mark.parametrize(
    "parts, answer_start",
    [
        ([{"text": "Ünïcödé 😀 facts. Second claim here."}], 0),
        ([{"text": "thinking…", "thought": True}, {"text": "Ünïcödé 😀 facts. Second claim here."}], 0),
        ([{"text": "Ünïcödé 😀 facts."}, {"text": " Second claim here."}], 0),
        ([{"inlineData": {"mimeType": "image/png", "data": "AAAA"}}, {"text": "Ünïcödé 😀 facts. Second claim here."}], 38),
    ],
)
def test_offsets_account_for_thoughts_split_parts_and_images(parts, answer_start):
    answer = "Ünïcödé 😀 facts. Second claim here."
    supports = [support(answer, 0, "Ünïcödé 😀 facts.", [0]), support(answer, 18, "Second claim here.", [1, 0])]
    message = whole(grounded(parts, supports))["choices"][0]["message"]
    spans = [(a["url_citation"]["start_index"], a["url_citation"]["end_index"]) for a in message["annotations"]]
    assert [message["content"][s:e] for s, e in spans] == ["Ünïcödé 😀 facts.", "Second claim here.", "Second claim here."]
    assert spans[0][0] == answer_start


@pytest.mark.parametrize(
    "supports, count",
    [
        ([{"segment": {"endIndex": 3, "text": "abc"}, "groundingChunkIndices": [0]}], 1),
        ([{"segment": {"startIndex": 0, "endIndex": 3}, "groundingChunkIndices": [0, 7, -1]}], 1),
        ([{"groundingChunkIndices": [0]}], 0),
        ([{"segment": {"startIndex": 3, "endIndex": 3}, "groundingChunkIndices": [0]}], 0),
        ([{"segment": {"startIndex": 0, "endIndex": 999}, "groundingChunkIndices": [1]}], 1),
        ([{"segment": {"startIndex": 0, "endIndex": 3}}], 0),
    ],
)
def test_odd_supports_never_break_the_answer(supports, count):
    message = whole(grounded([{"text": "abc def"}], supports))["choices"][0]["message"]
    assert len(message.get("annotations", [])) == count
    for annotation in message.get("annotations", []):
        citation = annotation["url_citation"]
        assert 0 <= citation["start_index"] < citation["end_index"] <= len(message["content"])


def test_chunks_without_a_url_are_not_cited():
    metadata = {"groundingChunks": [{"web": {"title": "no link"}}], "groundingSupports": [{"segment": {"endIndex": 1}, "groundingChunkIndices": [0]}]}
    fields = grounding_fields(metadata, [(0, "a")])
    assert "annotations" not in fields
    assert fields["grounding"]["sources"] == []


def test_no_grounding_metadata_means_no_grounding_fields():
    message = whole({"candidates": [{"content": {"role": "model", "parts": [{"text": "x"}]}, "finishReason": "STOP"}]})["choices"][0]["message"]
    assert "annotations" not in message and "grounding" not in message
    assert grounding_fields({}, [(0, "x")]) == {}


def test_streamed_grounding_arrives_once_before_the_finish_and_matches_the_whole_answer():
    resp = read_json(GENERATE / "grounded.redirect-uris.response.json")
    chunks = streamed(resp)
    with_annotations = [i for i, chunk in enumerate(chunks) for c in chunk["choices"] if "annotations" in c["delta"]]
    assert len(with_annotations) == 1
    assert chunks[with_annotations[0] + 1]["choices"][0]["finish_reason"] == "stop"
    assert accumulate(chunks) == comparable(whole(resp))
    state = ChatCompletionStreamState()
    for chunk in chunks:
        state.handle_chunk(ChatCompletionChunk.model_validate(chunk))
    annotations = state.current_completion_snapshot.choices[0].message.annotations
    assert [a.url_citation.start_index for a in annotations] == [
        a["url_citation"]["start_index"] for a in whole(resp)["choices"][0]["message"]["annotations"]
    ]
