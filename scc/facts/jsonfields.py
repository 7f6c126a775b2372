"""Typed access to parsed JSON for readers: a wrong type becomes one InputError line naming the field.

    name = text(doc, component.get("name"), "components[2].name")

``where`` is the human path shown in the error ("components[2].name"); evidence pointers are
built separately with scc.facts.source.json_pointer.
"""
from __future__ import annotations

from typing import Any

from scc.facts.source import InputDocument


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__
    )


def obj(doc: InputDocument, value: Any, where: str) -> dict[str, Any]:
    """An object; absent (None) reads as {}."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise doc.fail(f"{where}: expected an object, got {_kind(value)}")
    return value


def arr(doc: InputDocument, value: Any, where: str) -> list[Any]:
    """An array; absent (None) reads as []."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise doc.fail(f"{where}: expected an array, got {_kind(value)}")
    return value


def text(doc: InputDocument, value: Any, where: str) -> str:
    """A string; absent reads as ''. Plain numbers are accepted (tools write versions as 1.0)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise doc.fail(f"{where}: expected a string, got {_kind(value)}")


def text_at(doc: InputDocument, parent: dict[str, Any], key: str, where: str) -> str:
    """``text(doc, parent.get(key), f"{where}.{key}")``, the location built only when it is needed."""
    value = parent.get(key)
    if type(value) is str:
        return value
    return "" if value is None else text(doc, value, f"{where}.{key}")


# The common case of texts and objs, every item of the expected type, builds no location string: a large
# SBOM has millions of items, and the locations are only for the error message.
def texts(doc: InputDocument, value: Any, where: str) -> list[str]:
    """An array of strings; absent reads as []."""
    items = arr(doc, value, where)
    if all(type(item) is str for item in items):
        return list(items)
    return [text(doc, item, f"{where}[{i}]") for i, item in enumerate(items)]


def objs(doc: InputDocument, value: Any, where: str) -> list[dict[str, Any]]:
    """An array of objects; absent reads as []."""
    items = arr(doc, value, where)
    if all(type(item) is dict for item in items):
        return list(items)
    return [obj(doc, item, f"{where}[{i}]") for i, item in enumerate(items)]


def number(doc: InputDocument, value: Any, where: str) -> float | None:
    """A number (numeric strings accepted); absent or empty reads as None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise doc.fail(f"{where}: expected a number, got a boolean")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise doc.fail(f"{where}: expected a number, got {_kind(value)}")


def join(where: str, key: str | int) -> str:
    """'components[2]' + 'name' -> 'components[2].name'; + 3 -> 'components[2][3]'."""
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def as_obj(value: Any) -> dict[str, Any]:
    """An optional, tool-specific object: itself when it is one, else {} (no error)."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """An optional, tool-specific array: itself when it is one, else [] (no error)."""
    return value if isinstance(value, list) else []
