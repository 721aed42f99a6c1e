"""Vertex's semantic rules on ``contents`` and ``systemInstruction`` (README, "Rules Vertex enforces").

Each check raises :class:`~.errors.RpcError` (400 INVALID_ARGUMENT) with a realistic message; the
first broken rule wins, as on the real service. Tool and generation-config rules are in
:mod:`.rules_config`.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from . import access as a
from .errors import DOCS, invalid_argument
from .fixtures import error_body
from .models import ModelFacts
from .rules_config import check_generation_config, check_json_with_tools, check_safety_settings, check_tools

DATA_FIELDS = ("text", "inlineData", "fileData", "functionCall", "functionResponse", "executableCode", "codeExecutionResult")
BYPASS_SIGNATURES = frozenset({"skip_thought_signature_validator", "context_engineering_is_the_way_to_go"})

NO_CONTENTS = f"Unable to submit request because at least one contents field is required. Learn more: {DOCS}"
EMPTY_PARTS = error_body("400.empty-parts")["error"]["message"]
EMPTY_TEXT = f"Unable to submit request because it has an empty text parameter. Add a value to the parameter and try again. Learn more: {DOCS}"
NO_DATA = f"Unable to submit request because it must have a text parameter. Add a text parameter and try again. Learn more: {DOCS}"
BAD_ROLE = "Please use a valid role: user, model."
TRAILING_MODEL = f"Requests ending with a model turn are not supported: contents must end with a user turn. Learn more: {DOCS}"
SYSTEM_TEXT_ONLY = f"Unable to submit request because system_instruction must only contain non-empty text parts. Learn more: {DOCS}"
CALL_TURN = "Please ensure that function call turn comes immediately after a user turn or after a function response turn."
RESPONSE_TURN = "Please ensure that function response turn comes immediately after a function call turn."
RESPONSE_COUNT = (
    "Please ensure that the number of function response parts is equal to the number of function call parts "
    "of the function call turn."
)
SIGNATURE_INVALID = error_body("400.thought-signature-invalid")["error"]["message"]

SignatureCheck = Callable[[str], bool]


def check_generate_request(body: Mapping[str, Any], facts: ModelFacts, is_issued: SignatureCheck) -> None:
    """All rules for a GenerateContentRequest (or the contents part of a CountTokensRequest)."""
    contents = a.as_list(a.get(body, "contents"))
    check_contents(contents, facts)
    check_system_instruction(a.get(body, "systemInstruction"))
    check_function_turns(contents)
    if facts.gemini3:
        check_signatures(contents, is_issued)
    check_tools(a.as_list(a.get(body, "tools")), a.get(body, "toolConfig"), facts)
    check_safety_settings(a.as_list(a.get(body, "safetySettings")))
    check_generation_config(a.get(body, "generationConfig") or {}, facts)
    check_json_with_tools(a.as_list(a.get(body, "tools")), a.get(body, "toolConfig"), a.get(body, "generationConfig") or {}, facts)


def check_contents(contents: list[Any], facts: ModelFacts) -> None:
    if not contents:
        raise invalid_argument(NO_CONTENTS)
    for position, content in enumerate(contents):
        if a.role(content) not in ("user", "model"):
            raise invalid_argument(BAD_ROLE)
        parts = a.parts(content)
        if not parts:
            raise invalid_argument(EMPTY_PARTS)
        for index, part in enumerate(parts):
            check_part(part, f"contents[{position}].parts[{index}]")
    if a.role(contents[-1]) == "model" and not facts.trailing_model_turn:
        raise invalid_argument(TRAILING_MODEL)


def check_part(part: Mapping[str, Any], path: str) -> None:
    present = [name for name in DATA_FIELDS if a.has(part, name)]
    if len(present) > 1:
        raise invalid_argument(f"Invalid value at '{path}' (oneof), Oneof field 'data' is already set. Cannot set '{present[1]}'")
    if not present:
        raise invalid_argument(NO_DATA)
    if present[0] == "text" and a.get(part, "text") == "" and not a.get(part, "thoughtSignature"):
        raise invalid_argument(EMPTY_TEXT)


def check_system_instruction(instruction: Any) -> None:
    if instruction is None:
        return
    parts = a.parts(instruction)
    if not parts:
        raise invalid_argument(EMPTY_PARTS)
    for part in parts:
        text = a.get(part, "text")
        if not isinstance(text, str) or not text or any(a.has(part, name) for name in DATA_FIELDS[1:]):
            raise invalid_argument(SYSTEM_TEXT_ONLY)


def check_function_turns(contents: list[Any]) -> None:
    """Call turns follow a user turn; response turns follow a call turn and answer every call in order."""
    for position, content in enumerate(contents):
        previous = contents[position - 1] if position else None
        if a.function_calls(content) and (previous is None or a.role(previous) != "user"):
            raise invalid_argument(CALL_TURN)
        responses = a.function_responses(content)
        if not responses:
            continue
        calls = a.function_calls(previous) if previous is not None and a.role(previous) == "model" else []
        if not calls:
            raise invalid_argument(RESPONSE_TURN)
        if len(responses) != len(calls):
            raise invalid_argument(RESPONSE_COUNT)
        _check_response_order(responses, calls)


def _check_response_order(responses: list[Mapping[str, Any]], calls: list[Mapping[str, Any]]) -> None:
    """Responses answer the calls in order: same name at each position, and the same id where both have one."""
    call_ids = {a.get(a.get(call, "functionCall"), "id"): a.get(a.get(call, "functionCall"), "name") for call in calls}
    for response_part, call_part in zip(responses, calls):
        response = a.get(response_part, "functionResponse")
        call = a.get(call_part, "functionCall")
        response_id, name = a.get(response, "id"), a.get(response, "name")
        if response_id and call_ids.get(response_id) != name:
            raise invalid_argument(
                f"Unable to submit request because function response `{name}` has id `{response_id}`, which does "
                "not match the id of any function call in the function call turn."
            )
        call_id = a.get(call, "id")
        if name != a.get(call, "name") or (response_id and call_id and response_id != call_id):
            raise invalid_argument(
                f"Unable to submit request because function response `{name}` does not match function call "
                f"`{a.get(call, 'name')}`. Please ensure that the function responses are in the same order as the "
                "function calls of the function call turn."
            )


def _current_turn_start(contents: list[Any]) -> int:
    """Index after the last user content that holds anything but function responses."""
    for position in range(len(contents) - 1, -1, -1):
        content = contents[position]
        if a.role(content) == "user" and any(not a.has(part, "functionResponse") for part in a.parts(content)):
            return position + 1
    return 0


def check_signatures(contents: list[Any], is_issued: SignatureCheck) -> None:
    """Gemini 3: signatures must be ones the model issued; each step of the current turn must be signed."""
    for content in contents:
        if a.role(content) != "model":
            continue
        for part in a.parts(content):
            signature = a.get(part, "thoughtSignature")
            if signature and signature not in BYPASS_SIGNATURES and not is_issued(signature):
                raise invalid_argument(SIGNATURE_INVALID)
    for position in range(_current_turn_start(contents), len(contents)):
        calls = a.function_calls(contents[position]) if a.role(contents[position]) == "model" else []
        if calls and not a.get(calls[0], "thoughtSignature"):
            name = a.get(a.get(calls[0], "functionCall"), "name")
            raise invalid_argument(
                "Function call is missing a thought_signature in functionCall parts. This is required for tools to "
                "work correctly, and missing thought_signature may lead to degraded model performance. Additional "
                f"data, function call `default_api:{name}` , position {position + 1}. Please refer to "
                "https://ai.google.dev/gemini-api/docs/thought-signatures for more details."
            )
