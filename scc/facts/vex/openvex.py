"""OpenVEX documents (v0.0.x and v0.2.0): each statement becomes one VexStatement.

Owns both generations of the format: the early one (``vulnerability`` a string, ``products`` and
``subcomponents`` lists of strings at statement level, ``@context`` https://openvex.dev/ns) and
v0.2.0 (``vulnerability`` an object with name/@id/aliases, ``products`` objects with @id,
identifiers{purl,cpe22,cpe23} and subcomponents[]). A product with subcomponents is a statement
about those subcomponents inside the product, so the subcomponents' ids are the statement's products.
"""
from __future__ import annotations

from typing import Any

from scc.clock import parse_time
from scc.facts.counting import input_record
from scc.facts.interface import Reader
from scc.facts.model import FindingState, ImageFacts, VexStatement
from scc.facts.source import InputDocument, json_pointer

CONTEXT_PREFIX = "https://openvex.dev/ns"

STATUSES = {
    "not_affected": FindingState.NOT_AFFECTED,
    "affected": FindingState.AFFECTED,
    "fixed": FindingState.FIXED,
    "under_investigation": FindingState.UNDER_INVESTIGATION,
}


def is_openvex(data: Any) -> bool:
    context = data.get("@context") if isinstance(data, dict) else None
    return isinstance(context, str) and context.startswith(CONTEXT_PREFIX) and "statements" in data


class OpenVexReader(Reader):
    format = "openvex"

    def sniff(self, doc: InputDocument) -> bool:
        return is_openvex(doc.json)

    def read(self, doc: InputDocument) -> ImageFacts:
        data = doc.json
        statements = data.get("statements")
        if not isinstance(statements, list):
            raise doc.fail("OpenVEX 'statements' must be a list")
        facts = ImageFacts()
        facts.vex = [_statement(doc, data, index, entry) for index, entry in enumerate(statements)]
        version = data["@context"][len(CONTEXT_PREFIX):].lstrip("/") or "pre-v0.2.0"
        facts.inputs = [input_record(doc, self.format, facts, version, _text(data.get("tooling")))]
        return facts


def _statement(doc: InputDocument, data: dict, index: int, entry: Any) -> VexStatement:
    where = json_pointer("statements", index)
    if not isinstance(entry, dict):
        raise doc.fail(f"OpenVEX {where} must be an object")
    vulnerability, aliases = _vulnerability(doc, where, entry.get("vulnerability"))
    status_word = entry.get("status")
    if status_word not in STATUSES:
        raise doc.fail(f"OpenVEX {where}/status {status_word!r} is not one of {', '.join(STATUSES)}")
    return VexStatement(
        vulnerability=vulnerability,
        status=STATUSES[status_word],
        products=_products(doc, where, entry),
        justification=_text(entry.get("justification")),
        impact_statement=_text(entry.get("impact_statement")),
        action_statement=_text(entry.get("action_statement")),
        author=_text(entry.get("supplier")) or _text(data.get("author")),
        timestamp=_timestamp(entry) or _timestamp(data),
        document=_text(data.get("@id")),
        format="openvex",
        evidence=(doc.evidence(where),),
        aliases=aliases,
    )


def _vulnerability(doc: InputDocument, where: str, value: Any) -> tuple[str, tuple[str, ...]]:
    """The vulnerability id: a plain string (early OpenVEX) or {name, @id, aliases} (v0.2.0)."""
    if isinstance(value, str) and value.strip():
        return value.strip(), ()
    if isinstance(value, dict):
        name = _text(value.get("name")) or _text(value.get("@id"))
        aliases = value.get("aliases") or []
        if name and isinstance(aliases, list):
            extra = [a.strip() for a in aliases if isinstance(a, str) and a.strip()]
            return name, tuple(dict.fromkeys(extra))
    raise doc.fail(f"OpenVEX {where}/vulnerability names no vulnerability (needs a string or a 'name')")


def _products(doc: InputDocument, where: str, entry: dict) -> tuple[str, ...]:
    products = entry.get("products") or []
    if not isinstance(products, list):
        raise doc.fail(f"OpenVEX {where}/products must be a list")
    ids: list[str] = []
    for index, product in enumerate(products):
        if isinstance(product, str):
            ids.append(product)
        elif isinstance(product, dict):
            subs = product.get("subcomponents") or []
            if not isinstance(subs, list):
                raise doc.fail(f"OpenVEX {where}/products/{index}/subcomponents must be a list")
            sub_ids = [i for sub in subs for i in _component_ids(sub)]
            ids.extend(sub_ids or _component_ids(product))
        else:
            raise doc.fail(f"OpenVEX {where}/products/{index} must be a string or an object")
    legacy_subs = entry.get("subcomponents") or []   # v0.0.x: statement-level subcomponent strings
    if isinstance(legacy_subs, list) and legacy_subs:
        ids = [s for s in legacy_subs if isinstance(s, str)] or ids
    return tuple(dict.fromkeys(i.strip() for i in ids if i and i.strip()))


def _component_ids(component: Any) -> list[str]:
    """A v0.2.0 component's @id and its purl/CPE identifiers."""
    if isinstance(component, str):
        return [component]
    if not isinstance(component, dict):
        return []
    ids = [_text(component.get("@id"))]
    identifiers = component.get("identifiers")
    if isinstance(identifiers, dict):
        ids.extend(_text(identifiers.get(k)) for k in ("purl", "cpe23", "cpe22"))
    return [i for i in ids if i]


def _timestamp(entry: dict):
    """The later of a statement's (or document's) timestamp and last_updated."""
    moments = [parse_time(entry.get(k)) for k in ("last_updated", "timestamp")]
    moments = [m for m in moments if m is not None]
    return max(moments) if moments else None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


READER = OpenVexReader()
