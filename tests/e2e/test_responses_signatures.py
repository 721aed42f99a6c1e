"""Gemini 3 function calling over several steps through the Responses API, with the emulator
enforcing thought signatures: a stateless client (Codex's way: ``store: false``, calls replayed
as type/call_id/name/arguments, reasoning items with ``encrypted_content``) and a client that
chains ``previous_response_id``. Vertex must get back the very signature it issued."""

from __future__ import annotations

from typing import Any

import openai

from tests.conftest import LiveGateway
from tests.emulator import VertexEmulator, payloads
from tests.support.openai_schema import assert_valid

MODEL = "gemini-3-flash-preview"
TOOLS = [
    {"type": "function", "name": "get_weather", "description": "Weather of a city.",
     "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
    {"type": "function", "name": "get_time", "description": "Local time of a city.",
     "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
]
QUESTION = {"role": "user", "content": "Weather and time in Paris and Tokyo?"}
STEPS = [
    payloads.function_call_response([("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Tokyo"})], MODEL, thought="Weather first."),
    payloads.function_call_response([("get_time", {"city": "Paris"})], MODEL),
    payloads.text_response("Paris: sunny, 10:00. Tokyo: rain.", MODEL),
]


def issued_signatures(step: dict[str, Any]) -> list[str]:
    return [part["thoughtSignature"] for part in step["candidates"][0]["content"]["parts"] if "thoughtSignature" in part]


def sent_signatures(emulator: VertexEmulator, method: str) -> list[str]:
    body = emulator.last_call(method).body
    return [part["thoughtSignature"] for content in body["contents"] if content["role"] == "model"
            for part in content["parts"] if "thoughtSignature" in part]


def outputs(response: Any) -> list[dict[str, Any]]:
    return [{"type": "function_call_output", "call_id": item.call_id, "output": f"{item.name} done"}
            for item in response.output if item.type == "function_call"]


def codex_items(response: Any) -> list[dict[str, Any]]:
    kept: list[dict[str, Any]] = []
    for item in response.output:
        if item.type == "function_call":
            kept.append({"type": "function_call", "call_id": item.call_id, "name": item.name, "arguments": item.arguments})
        elif item.type == "reasoning":
            kept.append({"type": "reasoning", "summary": [s.model_dump() for s in item.summary], "encrypted_content": item.encrypted_content})
        else:
            kept.append(item.model_dump(exclude_unset=True))
    return kept


def test_a_stateless_client_replays_signatures_over_several_steps(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    emulator.enqueue(*STEPS)
    history: list[dict[str, Any]] = [QUESTION]
    settings = {"model": MODEL, "tools": TOOLS, "store": False, "include": ["reasoning.encrypted_content"], "reasoning": {"summary": "auto"}}
    first = gateway.client.responses.create(input=history, **settings)
    assert [item.type for item in first.output] == ["reasoning", "function_call", "function_call"]
    history += codex_items(first) + outputs(first)
    with gateway.client.responses.stream(input=history, **settings) as stream:
        second = stream.get_final_response()
    assert sent_signatures(emulator, "streamGenerateContent") == issued_signatures(STEPS[0])
    history += codex_items(second) + outputs(second)
    third = gateway.client.responses.create(input=history, **settings)
    assert third.output_text == "Paris: sunny, 10:00. Tokyo: rain."
    assert sent_signatures(emulator, "generateContent") == issued_signatures(STEPS[0]) + issued_signatures(STEPS[1])
    assert_valid(third.model_dump(exclude_unset=True, mode="json"), "Response")
    assert [call.status for call in emulator.calls if call.rpc.endswith("enerateContent")] == [200, 200, 200]


def test_previous_response_id_chains_keep_the_signatures(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    emulator.enqueue(*STEPS)
    first = gateway.client.responses.create(model=MODEL, tools=TOOLS, input=[QUESTION])
    with gateway.client.responses.stream(model=MODEL, tools=TOOLS, input=outputs(first), previous_response_id=first.id) as stream:
        second = stream.get_final_response()
    third = gateway.client.responses.create(model=MODEL, tools=TOOLS, input=outputs(second), previous_response_id=second.id)
    assert third.output_text.startswith("Paris: sunny")
    assert sent_signatures(emulator, "generateContent") == issued_signatures(STEPS[0]) + issued_signatures(STEPS[1])


def test_calls_without_their_signature_get_googles_placeholder_not_a_refusal(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    emulator.enqueue(payloads.text_response("Done.", MODEL))
    foreign = [QUESTION, {"type": "function_call", "call_id": "call_from_another_model", "name": "get_weather", "arguments": '{"city":"Paris"}'},
               {"type": "function_call_output", "call_id": "call_from_another_model", "output": "sunny"}]
    answer = gateway.client.responses.create(model=MODEL, tools=TOOLS, input=foreign)
    assert answer.output_text == "Done."
    assert sent_signatures(emulator, "generateContent") == ["skip_thought_signature_validator"]


def test_a_wrong_signature_is_vertexs_400_not_the_clients_auth_error(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    forged = [QUESTION, {"type": "function_call", "call_id": "call_1__thought__Zm9yZ2Vk", "name": "get_weather", "arguments": "{}"},
              {"type": "function_call_output", "call_id": "call_1__thought__Zm9yZ2Vk", "output": "sunny"}]
    try:
        gateway.client.responses.create(model=MODEL, tools=TOOLS, input=forged)
    except openai.BadRequestError as err:
        assert "signature" in str(err).lower()
    else:
        raise AssertionError("a forged signature must be refused by Vertex")


APPLY_PATCH = {"type": "custom", "name": "apply_patch", "description": "Edit files with a patch.",
               "format": {"type": "grammar", "syntax": "lark", "definition": "start: begin_patch hunk+ end_patch"}}
PATCH = "*** Begin Patch\n*** Update File: a.py\n@@\n-x = 1\n+x = 2\n*** End Patch"


def test_a_codex_like_stream_with_a_freeform_tool(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    """Codex's request shape: streamed, store false, encrypted reasoning, a custom apply_patch tool."""
    first_step = payloads.function_call_response([("apply_patch", {"input": PATCH})], MODEL)
    emulator.enqueue(first_step, payloads.text_response("Patched.", MODEL))
    settings: dict[str, Any] = {
        "model": MODEL, "instructions": "You are a coding agent.", "tools": [APPLY_PATCH], "tool_choice": "auto",
        "parallel_tool_calls": False, "reasoning": {"effort": "medium", "summary": "auto"}, "store": False,
        "include": ["reasoning.encrypted_content"], "prompt_cache_key": "session-1", "text": {"verbosity": "medium"},
    }
    history: list[dict[str, Any]] = [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Set x to 2"}]}]
    with gateway.client.responses.stream(input=history, **settings) as stream:
        first = stream.get_final_response()
    call = next(item for item in first.output if item.type == "custom_tool_call")
    assert (call.name, call.input) == ("apply_patch", PATCH)
    history += [{"type": "custom_tool_call", "call_id": call.call_id, "name": call.name, "input": call.input},
                {"type": "custom_tool_call_output", "call_id": call.call_id, "output": "Done!"}]
    with gateway.client.responses.stream(input=history, **settings) as stream:
        second = stream.get_final_response()
    assert second.output_text == "Patched."
    assert sent_signatures(emulator, "streamGenerateContent") == issued_signatures(first_step)
    body = emulator.last_call("streamGenerateContent").body
    assert body["contents"][1]["parts"][0]["functionCall"]["args"] == {"input": PATCH}
    assert body["contents"][2]["parts"][0]["functionResponse"]["response"] == {"output": "Done!"}
