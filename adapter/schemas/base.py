"""Base schemas: fast loading, and what happens to unknown keys."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, INCLUDE, Schema, ValidationError, types

from adapter.schemas.fields import MISSING


class FastSchema(Schema):
    """A schema whose loading visits only the keys present in the data.

    marshmallow 4.4 calls every declared field on every load, absent ones included (about a
    microsecond each); the chat request declares about fifty fields, of which a typical request
    sends three. This override of marshmallow's (private) ``Schema._deserialize`` walks the
    data's keys instead, then reports the missing required fields; errors therefore come in
    the order of the body. Everything else is marshmallow's (error paths, hooks, ``unknown``).
    None of our fields has a ``data_key``, an ``attribute`` or a ``load_default``; ``many``
    and ``partial`` loads go to marshmallow's own code.

    Worth its private hook: loading a three-field chat request takes 9.8 CPU-µs instead of
    marshmallow's 38 (41 messages and 3 tools: 49 instead of 81), medians of 7 runs of 3000
    loads, marshmallow 4.4.0; that is ~28 µs of a ~0.8 CPU-ms request, and the 400 names the
    first bad field of the body. ``tests/unit/test_library_internals.py`` fails, naming the
    pinned version, when ``Schema._deserialize`` changes its signature or stops being called.
    """

    error_messages = {"type": "must be an object"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.required_fields = tuple(name for name, field in self.load_fields.items() if field.required)

    def _deserialize(self, data: Any, *, error_store: Any, many: bool = False, partial: Any = None,
                     unknown: types.UnknownOption = EXCLUDE, index: int | None = None) -> Any:
        if many or partial or type(data) is not dict:
            return super()._deserialize(
                data, error_store=error_store, many=many, partial=partial, unknown=unknown, index=index
            )
        loaded: dict[str, Any] = {}
        load_fields = self.load_fields
        for name, raw in data.items():
            field = load_fields.get(name)
            if field is None:
                if unknown == INCLUDE:
                    loaded[name] = raw
                continue
            try:
                loaded[name] = field.deserialize(raw, name, data)
            except ValidationError as err:
                error_store.store_error(err.messages, name)
        for name in self.required_fields:
            if name not in data:
                error_store.store_error([MISSING], name)
        return loaded


class StrictSchema(FastSchema):
    """Base of every request schema: unknown keys are left out of the loaded dict."""

    class Meta:
        unknown = EXCLUDE


class PassThroughSchema(FastSchema):
    """Base of the extension objects: known keys are checked, unknown keys are passed on."""

    class Meta:
        unknown = INCLUDE


class ResponseSchema(Schema):
    """Base of the schemas that only document responses (other keys may appear)."""

    class Meta:
        unknown = INCLUDE
