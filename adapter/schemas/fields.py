"""Strict JSON scalar fields, their error phrases, and small validators.

marshmallow's own scalar fields coerce (``"1"`` is an integer, ``1`` is ``True``); ours accept
exactly the JSON types the OpenAPI document announces: numbers refuse booleans, NaN and
infinity; integers accept integral floats (JSON Schema's ``integer`` does too, and ``orjson``
reads integers beyond 64 bits as floats); booleans are ``true``/``false`` only.

Error messages are short phrases (``"must be a number"``) that
:func:`adapter.validation.invalid_request_from` turns into OpenAI's sentences. A
:class:`Problem` is a phrase that also carries OpenAI's error ``code`` (``unsupported_parameter``,
``unsupported_value``...).
"""

from __future__ import annotations

import math
import re
from typing import Any, Iterable, Mapping

from marshmallow import ValidationError, fields, validate

from adapter.routing.model_name import MAX_MODEL_NAME_LENGTH, MODEL_NAME_PATTERN, model_name_problem

MISSING = "is required"
"""The phrase of a missing required field (rendered as "Missing required parameter")."""

Path = tuple[str | int, ...]
"""A location in a request body: keys and list indexes."""

# Ends with "(?![\s\S])" rather than "$": in Python (and so in jsonschema) "$" also matches
# before a final newline, and "f\n" is not a name Gemini takes.
FUNCTION_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.:-]{0,127}(?![\s\S])"
FUNCTION_NAME_PHRASE = (
    "must start with a letter or an underscore and contain only letters, digits, "
    "'_', '.', ':' and '-', at most 128 characters (Gemini's rule for function names)"
)

INT32_MAX = 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class Problem(str):
    """A validation phrase with the OpenAI error ``code`` it stands for."""

    code: str

    def __new__(cls, text: str, code: str = "invalid_value") -> "Problem":
        instance = super().__new__(cls, text)
        instance.code = code
        return instance


def unsupported(text: str) -> Problem:
    """The phrase for a parameter the gateway cannot honour on Gemini."""
    return Problem(text, "unsupported_parameter")


def unsupported_value(text: str) -> Problem:
    """The phrase for a value the gateway cannot honour on Gemini."""
    return Problem(text, "unsupported_value")


BASE_MESSAGES = {"required": MISSING, "null": "must not be null", "validator_failed": "is invalid"}


def format_path(path: Path) -> str:
    """OpenAI's way of naming a location: ``messages[2].content[0].image_url.url``."""
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else key)
    return text


def quoted(choices: Iterable[str]) -> str:
    return ", ".join(f"'{choice}'" for choice in choices)


def between(low: float, high: float, **kwargs: Any) -> validate.Range:
    """A range validator (apispec reads ``min``/``max``) with our phrase."""
    return validate.Range(low, high, error=f"must be between {low} and {high}", **kwargs)


class FullMatch(validate.Regexp):
    """A regexp validator that must match the whole string (apispec reads ``regex``)."""

    def __call__(self, value: Any) -> Any:
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


class Str(fields.String):
    default_error_messages = {**BASE_MESSAGES, "invalid": "must be a string"}


class Bool(fields.Boolean):
    default_error_messages = {**BASE_MESSAGES, "invalid": "must be a boolean"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if value is True or value is False:
            return value
        raise self.make_error("invalid")


class Int(fields.Integer):
    """A JSON integer (request fields bound it with a range validator)."""

    default_error_messages = {**BASE_MESSAGES, "invalid": "must be an integer"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        kind = type(value)
        if kind is int:
            number = value
        elif kind is float and math.isfinite(value) and value.is_integer():
            number = int(value)
        else:
            raise self.make_error("invalid")
        return number


class Num(fields.Float):
    """A finite JSON number, returned as ``float``."""

    default_error_messages = {**BASE_MESSAGES, "invalid": "must be a number"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        kind = type(value)
        if kind is float:
            if math.isfinite(value):
                return value
        elif kind is int:
            return float(value)
        raise self.make_error("invalid")


class Obj(fields.Dict):
    """Any JSON object, passed through unchanged."""

    default_error_messages = {**BASE_MESSAGES, "invalid": "must be an object"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if type(value) is dict:
            return value
        raise self.make_error("invalid")


class Choice(Str):
    """A string from ``choices``; values in ``refused`` fail with their own :class:`Problem`."""

    def __init__(
        self,
        choices: Iterable[str],
        *,
        refused: Mapping[str, Problem] | None = None,
        **kwargs: Any,
    ) -> None:
        self.choices = tuple(choices)
        self.refused = dict(refused or {})
        error = f"must be one of {quoted(self.choices)}"
        super().__init__(validate=validate.OneOf(self.choices, error=error), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if type(value) is str and value in self.refused:
            raise ValidationError(self.refused[value])
        return super()._deserialize(value, attr, data, **kwargs)


class Refused(fields.Field):
    """A parameter Gemini cannot honour: ``null`` (and, with ``allow_empty``, ``{}``) is
    accepted and dropped, anything else fails with ``problem``."""

    def __init__(self, problem: Problem, *, allow_empty: bool = False, **kwargs: Any) -> None:
        self.problem = problem
        self.allow_empty = allow_empty
        openapi = {"type": ["object", "null"], "maxProperties": 0} if allow_empty else {"type": "null"}
        super().__init__(allow_none=True, metadata={"openapi": openapi}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> None:
        if self.allow_empty and value == {}:
            return None
        raise ValidationError(self.problem)


class StrMap(fields.Dict):
    """An object of string values with bounded size (OpenAI's ``metadata``)."""

    default_error_messages = {**BASE_MESSAGES, "invalid": "must be an object"}

    def __init__(self, *, max_items: int, max_key: int, max_value: int, **kwargs: Any) -> None:
        self.limits = (max_items, max_key, max_value)
        openapi = {
            "maxProperties": max_items,
            "propertyNames": {"maxLength": max_key},
            "additionalProperties": {"type": "string", "maxLength": max_value},
        }
        super().__init__(metadata={"openapi": openapi}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if type(value) is not dict:
            raise self.make_error("invalid")
        max_items, max_key, max_value = self.limits
        if len(value) > max_items:
            raise ValidationError(f"must have at most {max_items} keys")
        for key, item in value.items():
            if len(key) > max_key:
                raise ValidationError({key: [f"key must be at most {max_key} characters"]})
            if type(item) is not str or len(item) > max_value:
                raise ValidationError({key: [f"must be a string of at most {max_value} characters"]})
        return value


def full_match(pattern: str, phrase: str) -> FullMatch:
    return FullMatch(re.compile(pattern), error=phrase)


def _model_name(value: str) -> None:
    if not value:
        raise ValidationError("must not be empty")
    problem = model_name_problem(value)
    if problem is not None:
        raise ValidationError(Problem(problem, "invalid_model"))


def model_field() -> Str:
    """The ``model`` of a request, checked by the one rule of :mod:`adapter.routing.model_name`."""
    return Str(
        required=True,
        validate=_model_name,
        metadata={"pattern": MODEL_NAME_PATTERN, "maxLength": MAX_MODEL_NAME_LENGTH},
    )
