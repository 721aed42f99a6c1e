"""The Anthropic Messages API on Gemini: pure translation both ways.

- :mod:`.request`: a loaded ``/v1/messages`` body → the Gemini body, its rewrites and the
  :class:`~.assembly.AnswerOptions` the answer translators need (``stop_sequences``,
  ``disable_parallel_tool_use``); also the ``countTokens`` body. Built from :mod:`.contents`
  (messages, with :mod:`.blocks` for user blocks), :mod:`.tools` and :mod:`.config`.
- :mod:`.response`: a whole Gemini answer → an Anthropic ``message``.
- :mod:`.events`: :class:`~.events.EventTranslator`, a stream → Anthropic stream events.
- :mod:`.assembly`, :mod:`.outcome`, :mod:`.stops`: what both answer translators share.
- :mod:`.signatures`: Gemini thought signatures carried in ``thinking`` blocks.
- :mod:`.errors`: an ``AdapterError`` → Anthropic's error body and status.

Nothing here does I/O, reads a clock or makes ids: the view passes them in.
"""
