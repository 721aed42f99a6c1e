"""OpenAI Responses API ↔ Gemini, translated directly (never through Chat Completions).

The folder is the map:

- :mod:`.request`: a validated ``POST /v1/responses`` body → Vertex ``GenerateContentRequest``
  (assembles :mod:`.items` for ``input``/``instructions``, :mod:`.content` for content parts,
  :mod:`.tools` for ``tools``/``tool_choice`` and :mod:`.params` for generation parameters);
- :mod:`.response`: a whole ``GenerateContentResponse`` → a ``Response`` object;
- :mod:`.events`: ``streamGenerateContent`` events → the Responses stream events
  (``EventTranslator``); both share :mod:`.output`, so a stream accumulates to the whole answer;
- :mod:`.head`: the fields of a ``Response`` that echo the request;
- :mod:`.signatures`: Gemini thought signatures carried statelessly in ``call_id`` and in the
  reasoning items' ``encrypted_content``;
- :mod:`.history`: the stored document behind ``previous_response_id`` and how the next turn is
  built from it.

Everything here is pure: dicts in, dicts out; ids and timestamps are passed in.
"""
