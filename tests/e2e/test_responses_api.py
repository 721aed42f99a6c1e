"""The Responses API through the official openai SDK against the emulator: create, stream,
parse, retrieve, delete, input items, input token counts, previous_response_id chains and the
errors a client sees; every body and event validated against OpenAI's schemas."""

from __future__ import annotations

import time
from typing import Any

import openai
import pytest
from pydantic import BaseModel

from tests.conftest import LiveGateway
from tests.e2e.test_gunicorn import free_port
from tests.emulator import Reply, VertexEmulator, payloads
from tests.support.openai_schema import assert_valid
from tests.support.responses_sse import read_events

MODEL = "gemini-2.5-flash"


def dump(obj: Any) -> dict[str, Any]:
    return obj.model_dump(exclude_unset=True, mode="json")


def test_create_answers_with_a_valid_response(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    emulator.enqueue(payloads.text_response("Paris.", MODEL))
    response = gateway.client.responses.create(model=MODEL, input="Capital of France?", instructions="Be brief.")
    assert_valid(dump(response), "Response")
    assert response.output_text == "Paris." and response.status == "completed"
    assert response.id.startswith("resp_") and response.model == MODEL
    assert response.usage is not None and response.usage.total_tokens > 0
    body = emulator.last_call("generateContent").body
    assert body["contents"] == [{"role": "user", "parts": [{"text": "Capital of France?"}]}]
    assert body["systemInstruction"] == {"parts": [{"text": "Be brief."}]}


def test_the_raw_answer_carries_the_gateway_headers(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    emulator.enqueue(payloads.text_response("Hi.", MODEL))
    answer = gateway.post("/v1/responses", {"model": MODEL, "input": "Hi", "truncation": "auto"})
    assert answer.status_code == 200
    assert_valid(answer.json(), "Response")
    assert answer.headers["X-Gateway-Upstream-Model"] == MODEL
    assert "truncation=auto not applied" in answer.headers["X-Gateway-Rewrites"]


def test_stream_events_are_valid_and_the_sdk_accumulates_them(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    emulator.enqueue(payloads.thought_response("Let me think.", "The answer is 4.", MODEL))
    with gateway.client.responses.stream(model=MODEL, input="2+2?", reasoning={"summary": "auto"}) as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_response()
    assert_valid(dump(final), "Response")
    assert final.output_text == "The answer is 4."
    assert [item.type for item in final.output] == ["reasoning", "message"]
    assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
    assert emulator.last_call("streamGenerateContent").body["generationConfig"]["thinkingConfig"]["includeThoughts"] is True


def test_stream_frames_name_their_events(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    emulator.enqueue(payloads.text_response("One two three.", MODEL))
    answer = gateway.post("/v1/responses", {"model": MODEL, "input": "Count", "stream": True}, stream=True)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/event-stream")
    events = read_events(answer)
    assert events[-1]["response"]["output"][0]["content"][0]["text"] == "One two three."


class Capital(BaseModel):
    city: str
    country: str


def test_parse_gives_the_typed_object(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    emulator.enqueue(payloads.text_response('{"city": "Paris", "country": "France"}', MODEL))
    parsed = gateway.client.responses.parse(model=MODEL, input="Capital of France?", text_format=Capital)
    assert parsed.output_parsed == Capital(city="Paris", country="France")
    config = emulator.last_call("generateContent").body["generationConfig"]
    assert config["responseMimeType"] == "application/json" and config["responseJsonSchema"]["required"] == ["city", "country"]


def test_retrieve_list_input_items_and_delete(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    client = gateway.client
    emulator.enqueue(payloads.text_response("Noted.", MODEL))
    created = client.responses.create(model=MODEL, input=[
        {"role": "user", "content": "First"}, {"role": "user", "content": "Second"}, {"role": "user", "content": "Third"}])
    assert dump(client.responses.retrieve(created.id)) == dump(created)
    page = gateway.get(f"/v1/responses/{created.id}/input_items", params={"limit": 2, "order": "asc"}).json()
    assert_valid(page, "ResponseItemList")
    assert [item["content"][0]["text"] for item in page["data"]] == ["First", "Second"] and page["has_more"] is True
    rest = client.responses.input_items.list(created.id, order="asc", after=page["last_id"])
    assert [item.content[0].text for item in rest.data] == ["Third"]
    newest = client.responses.input_items.list(created.id)
    assert newest.data[0].content[0].text == "Third"
    client.responses.delete(created.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(created.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.delete(created.id)


def test_previous_response_id_continues_the_conversation_without_its_instructions(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    client = gateway.client
    emulator.enqueue(payloads.text_response("Hello Ana.", MODEL), payloads.text_response("Your name is Ana.", MODEL),
                     payloads.text_response("Bye Ana.", MODEL))
    first = client.responses.create(model=MODEL, input="I am Ana.", instructions="Be warm.")
    second = client.responses.create(model=MODEL, input="My name?", previous_response_id=first.id)
    with client.responses.stream(model=MODEL, input="Bye", previous_response_id=second.id, instructions="Be short.") as stream:
        stream.get_final_response()
    body = emulator.last_call("streamGenerateContent").body
    assert [(c["role"], c["parts"][0]["text"]) for c in body["contents"]] == [
        ("user", "I am Ana."), ("model", "Hello Ana."), ("user", "My name?"), ("model", "Your name is Ana."), ("user", "Bye")]
    assert body["systemInstruction"] == {"parts": [{"text": "Be short."}]}
    assert second.previous_response_id == first.id


@pytest.mark.parametrize("store", [False, None])
def test_unknown_or_unstored_previous_responses_are_404_before_any_vertex_call(gateway: LiveGateway, emulator: VertexEmulator, store: bool | None) -> None:
    previous = "resp_unknown"
    if store is False:
        emulator.enqueue(payloads.text_response("Hi.", MODEL))
        previous = gateway.client.responses.create(model=MODEL, input="Hi", store=False).id
    calls = len(emulator.calls)
    answer = gateway.post("/v1/responses", {"model": MODEL, "input": "Again", "previous_response_id": previous})
    assert answer.status_code == 404 and answer.json()["error"]["param"] == "previous_response_id"
    assert_valid(answer.json(), "ErrorResponse")
    assert len(emulator.calls) == calls


def test_input_tokens_counts_the_translated_request(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    answer = gateway.post("/v1/responses/input_tokens", {"model": MODEL, "input": "How many tokens is this?", "instructions": "Count."})
    assert answer.status_code == 200
    assert answer.json()["object"] == "response.input_tokens" and answer.json()["input_tokens"] > 0
    body = emulator.last_call("countTokens").body
    assert body["systemInstruction"] == {"parts": [{"text": "Count."}]}


@pytest.mark.parametrize(
    "path, body, status, param",
    [
        ("/v1/responses", {"model": MODEL, "input": "Hi", "background": True}, 400, "background"),
        ("/v1/responses/resp_1/cancel", {}, 400, "background"),
        ("/v1/responses", {"model": f"{MODEL}-openai", "input": "Hi"}, 400, "model"),
        ("/v1/responses", {"model": MODEL, "input": "Hi", "tools": [{"type": "file_search", "vector_store_ids": ["vs"]}]}, 400, "tools[0].type"),
        ("/v1/responses", {"model": MODEL, "input": "Hi", "tools": [{"type": "function", "name": "f"}, {"type": "web_search"}]}, 400, "tools"),
        ("/v1/responses", {"model": MODEL, "input": [{"role": "user", "content": "Hi"}, {"type": "function_call_output", "call_id": "x", "output": "y"}]}, 400, "input[1].call_id"),
    ],
)
def test_what_cannot_be_served_is_a_4xx_naming_the_field(gateway: LiveGateway, emulator: VertexEmulator, path: str, body: dict[str, Any], status: int, param: str) -> None:
    answer = gateway.post(path, body)
    assert (answer.status_code, answer.json()["error"]["param"]) == (status, param)
    assert_valid(answer.json(), "ErrorResponse")
    assert emulator.calls_for("generateContent") == []


def test_get_of_an_unknown_response_is_a_404_in_openais_shape(gateway: LiveGateway) -> None:
    answer = gateway.get("/v1/responses/resp_nope")
    assert answer.status_code == 404
    assert_valid(answer.json(), "ErrorResponse")


@pytest.mark.parametrize("stream", [False, True])
def test_an_upstream_429_before_the_first_byte_stays_a_429(gateway_factory: Any, emulator: VertexEmulator, stream: bool) -> None:
    gateway = gateway_factory(express=True, service_accounts=False, MAX_RETRIES="0")
    emulator.enqueue(Reply.error(429, retry_after=7))
    answer = gateway.post("/v1/responses", {"model": MODEL, "input": "Hi", "stream": stream})
    assert answer.status_code == 429
    assert answer.json()["error"]["type"] == "rate_limit_error" and answer.headers["Retry-After"] == "7"


def test_an_upstream_failure_mid_stream_ends_with_response_failed(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    emulator.enqueue(Reply.stream(payloads.to_stream_events(payloads.text_response("A long answer in parts.", MODEL))).error_after(1))
    answer = gateway.post("/v1/responses", {"model": MODEL, "input": "Hi", "stream": True}, stream=True)
    events = read_events(answer)
    assert events[-1]["type"] == "response.failed"
    assert events[-1]["response"]["error"]["code"] == "rate_limit_exceeded"
    assert gateway.get(f"/v1/responses/{events[0]['response']['id']}").status_code == 404


def test_an_unreachable_store_is_a_503_not_a_lost_turn(gateway_factory: Any, emulator: VertexEmulator) -> None:
    gateway = gateway_factory(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    emulator.enqueue(payloads.text_response("Hi.", MODEL), payloads.text_response("Hi.", MODEL))
    for path, body in (("/v1/responses", {"model": MODEL, "input": "Hi"}),
                       ("/v1/responses", {"model": MODEL, "input": "Hi", "previous_response_id": "resp_1"})):
        answer = gateway.post(path, body)
        assert (answer.status_code, answer.json()["error"]["code"]) == (503, "state_unavailable")
        assert_valid(answer.json(), "ErrorResponse")
    assert gateway.get("/v1/responses/resp_1").status_code == 503
    unstored = gateway.post("/v1/responses", {"model": MODEL, "input": "Hi", "store": False})
    assert unstored.status_code == 200


def test_fake_streaming_sends_the_same_events_from_one_whole_answer(gateway_factory: Any, emulator: VertexEmulator) -> None:
    gateway = gateway_factory(FAKE_STREAMING="true")
    emulator.enqueue(payloads.thought_response("Hmm.", "Four.", MODEL))
    answer = gateway.post("/v1/responses", {"model": MODEL, "input": "2+2?", "stream": True, "reasoning": {"summary": "auto"}}, stream=True)
    events = read_events(answer)
    assert [item["type"] for item in events[-1]["response"]["output"]] == ["reasoning", "message"]
    assert emulator.calls_for("streamGenerateContent") == [] and len(emulator.calls_for("generateContent")) == 1


def test_a_dry_run_shows_the_vertex_request_without_sending_it(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    answer = gateway.post("/v1/responses", {"model": MODEL, "input": "Hi", "instructions": "Be brief."}, headers={"X-Dry-Run": "1"})
    assert answer.status_code == 200
    plan = answer.json()
    assert plan["endpoint"] == "responses" and plan["requests"][0]["url"].endswith(":generateContent")
    assert plan["requests"][0]["body"]["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    assert emulator.calls_for("generateContent") == []


def test_item_references_are_read_from_the_store(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    emulator.enqueue(payloads.text_response("Blue.", MODEL), payloads.text_response("Because of scattering.", MODEL))
    first = gateway.client.responses.create(model=MODEL, input="Sky colour?")
    items = gateway.client.responses.input_items.list(first.id)
    gateway.client.responses.create(model=MODEL, input=[
        {"type": "item_reference", "id": items.data[0].id}, {"type": "item_reference", "id": first.output[0].id},
        {"role": "user", "content": "Why?"}])
    contents = emulator.last_call("generateContent").body["contents"]
    assert [(c["role"], c["parts"][0]["text"]) for c in contents] == [("user", "Sky colour?"), ("model", "Blue."), ("user", "Why?")]
    unknown = gateway.post("/v1/responses", {"model": MODEL, "input": [{"type": "item_reference", "id": "msg_nope_0"}]})
    assert (unknown.status_code, unknown.json()["error"]["param"]) == (400, "input[0].id")


def test_stored_responses_expire_after_responses_ttl(gateway_factory: Any, emulator: VertexEmulator) -> None:
    gateway = gateway_factory(RESPONSES_TTL="1s")
    emulator.enqueue(payloads.text_response("Hi.", MODEL))
    created = gateway.client.responses.create(model=MODEL, input="Hi")
    assert gateway.get(f"/v1/responses/{created.id}").status_code == 200
    time.sleep(1.1)
    assert gateway.get(f"/v1/responses/{created.id}").status_code == 404
    expired = gateway.post("/v1/responses", {"model": MODEL, "input": "Again", "previous_response_id": created.id})
    assert (expired.status_code, expired.json()["error"]["param"]) == (404, "previous_response_id")


def test_model_aliases_reach_the_chosen_gemini_model(gateway_factory: Any, emulator: VertexEmulator) -> None:
    live = gateway_factory(service_accounts=False, MODEL_ALIASES="gpt-5-codex=gemini-2.5-flash,o*=gemini-3-flash-preview")
    response = live.client.responses.create(model="gpt-5-codex", input="Hi")
    assert response.model == "gpt-5-codex" and emulator.last_call().model == "gemini-2.5-flash"
    assert_valid(dump(response), "Response")
    with live.client.responses.stream(model="o4-mini", input="Hi") as stream:
        final = stream.get_final_response()
    assert final.model == "o4-mini" and emulator.last_call().model == "gemini-3-flash-preview"
    counted = live.post("/v1/responses/input_tokens", {"model": "gpt-5-codex", "input": "Hi"})
    assert counted.status_code == 200 and emulator.last_call().model == "gemini-2.5-flash"
