"""YAML paths for the Kubernetes manifest reader: where a value sits (``doc 2: /spec/...``) and typed access
that turns a value of the wrong type into one InputError line naming that path."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scc.facts.model import Evidence
from scc.facts.source import InputDocument


@dataclass(frozen=True)
class Spot:
    """A place in one document: the pointer prefix ('doc 2: ' or '') and the path inside it."""

    doc: InputDocument
    prefix: str
    path: str = ""

    def at(self, *keys: str | int) -> Spot:
        tail = "".join(f"/{str(k).replace('~', '~0').replace('/', '~1')}" for k in keys)
        return Spot(self.doc, self.prefix, self.path + tail)

    @property
    def pointer(self) -> str:
        return f"{self.prefix}{self.path or '/'}"

    def evidence(self) -> Evidence:
        return self.doc.evidence(self.pointer)

    def fail(self, expected: str, value: Any) -> Exception:
        return self.doc.fail(f"Kubernetes manifest: {self.pointer}: expected {expected}, got {kind_of(value)}")


def kind_of(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "a mapping", list: "a list", str: "text", bool: "a boolean"}.get(type(value), type(value).__name__)


def mapping(spot: Spot, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise spot.fail("a mapping", value)
    return value


def items(spot: Spot, value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise spot.fail("a list", value)
    return value


def text(spot: Spot, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise spot.fail("text", value)


def flag(spot: Spot, value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise spot.fail("true or false", value)


def integer(spot: Spot, value: Any) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise spot.fail("an integer", value)


def string_map(spot: Spot, value: Any) -> dict[str, str]:
    return {str(k): text(spot.at(str(k)), v) for k, v in mapping(spot, value).items()}
