"""Union fields: the shapes OpenAI's request takes in more than one form.

:class:`Alternatives` picks a field by the value's JSON type (a string or an array, a string or
an object); :class:`Tagged` picks a schema singleton by a tag key (``role``, ``type``);
:class:`Array` is a JSON array that tries the fast loaders of a :class:`Tagged` item first
(see :mod:`adapter.schemas.fast`). Alternatives and Tagged describe themselves to apispec
(:meth:`openapi_property`, called by ``adapter.openapi``).
"""

from __future__ import annotations

from typing import Any, Mapping

from marshmallow import Schema, ValidationError, fields

from adapter.schemas.fast import FastLoader
from adapter.schemas.fields import BASE_MESSAGES, MISSING, Problem, quoted

Converter = Any
"""apispec's ``OpenAPIConverter`` (kept untyped: apispec is only needed to build the document)."""


class Alternatives(fields.Field):
    """One field per JSON type (``str``, ``list``, ``dict``...), chosen by the value's type."""

    def __init__(self, by_type: Mapping[type, fields.Field], *, invalid: str, **kwargs: Any) -> None:
        self.by_type = dict(by_type)
        super().__init__(error_messages={**BASE_MESSAGES, "invalid": invalid}, **kwargs)

    def _bind_to_schema(self, field_name: str, parent: Any) -> None:
        super()._bind_to_schema(field_name, parent)
        for field in self.by_type.values():
            field._bind_to_schema(field_name, self)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        field = self.by_type.get(type(value))
        if field is None:
            raise self.make_error("invalid")
        return field.deserialize(value, attr, data, **kwargs)

    def openapi_property(self, converter: Converter) -> dict[str, Any]:
        variants = [converter.field2property(field) for field in self.by_type.values()]
        return {"anyOf": variants + ([{"type": "null"}] if self.allow_none else [])}


class Tagged(fields.Field):
    """A JSON object whose ``tag`` key (``type``, ``role``) picks the schema that loads it.

    ``schemas`` maps tag values to schema singletons (each declares the tag field itself, for
    the document); ``refused`` maps tag values the gateway cannot honour to their problem;
    ``fast`` maps tag values to fast loaders (see :mod:`adapter.schemas.fast`), which
    :class:`Array` tries before the schema.
    """

    def __init__(
        self,
        tag: str,
        schemas: Mapping[str, Schema],
        *,
        refused: Mapping[str, Problem] | None = None,
        fast: Mapping[str, FastLoader] | None = None,
        **kwargs: Any,
    ) -> None:
        self.tag = tag
        self.schemas = dict(schemas)
        self.refused = dict(refused or {})
        self.fast = dict(fast or {})
        self.unknown_tag = f"must be one of {quoted(self.schemas)}"
        super().__init__(error_messages={**BASE_MESSAGES, "invalid": "must be an object"}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if type(value) is not dict:
            raise self.make_error("invalid")
        tag = value.get(self.tag)
        schema = self.schemas.get(tag) if type(tag) is str else None
        if schema is None:
            raise ValidationError({self.tag: [self._tag_problem(tag)]})
        return schema.load(value)

    def fast_load(self, value: Any) -> Any:
        """The fast loader's result for ``value``, or None to take the schema."""
        tag = value.get(self.tag) if type(value) is dict else None
        loader = self.fast.get(tag) if type(tag) is str else None
        return loader(value) if loader is not None else None

    def _tag_problem(self, tag: Any) -> str:
        if tag is None:
            return MISSING
        return self.refused.get(tag, self.unknown_tag) if type(tag) is str else self.unknown_tag

    def openapi_property(self, converter: Converter) -> dict[str, Any]:
        variants = [converter.resolve_nested_schema(schema) for schema in self.schemas.values()]
        return {"anyOf": variants + ([{"type": "null"}] if self.allow_none else [])}


class Array(fields.List):
    """A JSON array; items of a :class:`Tagged` with fast loaders try those first.

    ``max_items`` refuses a longer array before any item is loaded (so that a huge array costs
    nothing but its length check).
    """

    default_error_messages = {**BASE_MESSAGES, "invalid": "must be an array"}

    def __init__(self, *args: Any, max_items: int | None = None, **kwargs: Any) -> None:
        if max_items is not None:
            kwargs.setdefault("metadata", {})["maxItems"] = max_items
        super().__init__(*args, **kwargs)
        self.max_items = max_items

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if type(value) is not list:
            raise self.make_error("invalid")
        if self.max_items is not None and len(value) > self.max_items:
            raise ValidationError(f"must hold at most {self.max_items} items")
        inner = self.inner
        fast_load = inner.fast_load if isinstance(inner, Tagged) and inner.fast else None
        if fast_load is None:
            return super()._deserialize(value, attr, data, **kwargs)
        loaded: list[Any] = []
        errors: dict[int, Any] = {}
        for index, item in enumerate(value):
            result = fast_load(item)
            if result is None:
                try:
                    result = inner.deserialize(item, **kwargs)
                except ValidationError as err:
                    errors[index] = err.messages
                    continue
            loaded.append(result)
        if errors:
            raise ValidationError(errors)
        return loaded
