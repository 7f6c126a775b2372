"""Small readers of OSCAL JSON values for the PDF views: text as the document states it, props, labels.

``ABSENT`` marks a field the document does not hold (distinct from a value it states, such as
"not provided"); values are clipped so one input string can never fill pages.
"""
from __future__ import annotations

from typing import Any

ABSENT = "(not in the SSP)"
MAX_TEXT = 4000


def clip(value: object, limit: int = MAX_TEXT) -> str:
    text_value = "" if value is None else str(value)
    return text_value if len(text_value) <= limit else text_value[: limit - 1] + "…"


def text(value: object, limit: int = MAX_TEXT, absent: str = ABSENT) -> str:
    """The value as text, or ``absent`` when the document has no value there."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return absent
    return clip(value, limit)


MAX_PROP = 300


def prop_values(node: dict[str, Any], *names: str) -> list[str]:
    """The values of the node's props with one of ``names`` (any namespace), in document order."""
    return [clip(p.get("value"), MAX_PROP) for p in node.get("props") or [] if p.get("name") in names]


def prop_index(node: dict[str, Any]) -> dict[str, list[str]]:
    """name -> :func:`prop_values` of that name, for every name at once (for a node asked for many)."""
    index: dict[str, list[str]] = {}
    for p in node.get("props") or []:
        if isinstance(name := p.get("name"), str):
            index.setdefault(name, []).append(clip(p.get("value"), MAX_PROP))
    return index


def props_except(node: dict[str, Any], skip: tuple[str, ...]) -> list[tuple[str, str]]:
    """The node's other props as (name, value), so nothing the document states is dropped from the view."""
    return [(clip(p.get("name"), 100), clip(p.get("value"), 500)) for p in node.get("props") or []
            if p.get("name") not in skip]


def control_label(control_id: str) -> str:
    """ac-6.10 -> AC-6(10), as NIST prints control ids."""
    base, _, enhancement = control_id.partition(".")
    return base.upper() + (f"({enhancement})" if enhancement else "")


def resource_titles(back_matter: dict[str, Any]) -> dict[str, str]:
    """back-matter resource uuid -> its title (or first rlink), to print what a '#uuid' link points at."""
    titles = {}
    for resource in back_matter.get("resources") or []:
        rlinks = resource.get("rlinks") or [{}]
        titles[resource.get("uuid")] = clip(resource.get("title") or rlinks[0].get("href") or resource.get("uuid"), 300)
    return titles
