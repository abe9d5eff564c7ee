"""Typed access to a create body, with the API's errors for a mistyped field.

The spec's create request marks no field required and types each one; the live server answers a
wrong type with 400 EDI-031 ("Value of type Array cannot be written to a field of type Hash"),
a non-array where an array belongs with 422 EDI-011 and a non-object hash with 422 EDI-008.
"""

from __future__ import annotations

from typing import Any

from . import errors

_TYPE_NAMES = {
    str: "String",
    bool: "Boolean",
    int: "Integer",
    float: "Float",
    list: "Array",
    dict: "Hash",
}


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


class Fields:
    """Typed access to a create body: null counts as absent, a wrong type is the API's error."""

    STRINGS = (
        "body",
        "inReplyToContentId",
        "channelId",
        "sourceId",
        "authorIdentityId",
        "title",
        "templateName",
        "templateLanguage",
    )
    BOOLEANS = ("public", "private", "autoSubmitted")
    STRING_ARRAYS = ("to", "cc", "bcc", "attachmentIds")

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def check_types(self) -> None:
        """Raise the type error of the first mistyped field before any rule is applied."""
        for name in self.STRINGS:
            self.string(name)
        for name in self.BOOLEANS:
            self.boolean(name)
        for name in self.STRING_ARRAYS:
            self.strings(name)
        self.objects("components")
        self.mapping("contextData")

    def string(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is None or isinstance(value, str):
            return value
        raise errors.invalid_value(
            name, f"Value of type {_type_name(value)} cannot be written to a field of type String"
        )

    def boolean(self, name: str) -> bool | None:
        value = self.data.get(name)
        if value is None or isinstance(value, bool):
            return value
        raise errors.invalid_value(
            name, f"Value of type {_type_name(value)} cannot be written to a field of type Boolean"
        )

    def strings(self, name: str) -> list[str] | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, list):
            raise errors.edi(422, "EDI-011", f"[{name}] needs to be an array", parameter=name)
        if not all(isinstance(item, str) for item in value):
            raise errors.invalid_value(name, f"[{name}] must contain only strings")
        return value

    def objects(self, name: str) -> list[dict[str, Any]]:
        value = self.data.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise errors.edi(422, "EDI-011", f"[{name}] needs to be an array", parameter=name)
        if not all(isinstance(item, dict) for item in value):
            raise errors.invalid_value(name, f"[{name}] must contain only objects")
        return value

    def mapping(self, name: str) -> dict[str, str] | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise errors.edi(
                422,
                "EDI-008",
                f"[{name}] must be a hash, got [{_type_name(value)}]",
                parameter=name,
            )
        return {str(k): v if isinstance(v, str) else str(v) for k, v in value.items()}
