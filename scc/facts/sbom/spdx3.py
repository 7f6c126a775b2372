"""SPDX 3.0 JSON-LD reader (``@context`` https://spdx.org/rdf/3.0.x/spdx-context.jsonld, ``@graph``).

Elements used: ``software_Package`` (name, software_packageVersion, software_packageUrl or an
externalIdentifier of type packageUrl / cpe23 / cpe22, verifiedUsing hashes, software_primaryPurpose,
suppliedBy), ``Relationship`` / ``LifecycleScopedRelationship`` (from, relationshipType, to[]),
license elements reached through hasConcludedLicense / hasDeclaredLicense, ``CreationInfo``
(specVersion, created, createdUsing -> Tool), ``SpdxDocument`` / ``software_Sbom`` (rootElement).
A root package whose purpose is ``container`` (or whose purl is pkg:oci / pkg:docker) is the image.
Evidence pointers are ``/@graph/N``.
"""
from __future__ import annotations

import re
from typing import Any

from scc.clock import parse_time
from scc.facts.counting import input_record
from scc.facts.interface import Reader
from scc.facts.model import Component, ImageFacts, SbomRecord
from scc.facts.sbom.spdx_json import hash_algorithm, image_identity_from_purl, real_value
from scc.facts.source import InputDocument

_LICENSE_RELATIONSHIPS = {"hasConcludedLicense", "hasDeclaredLicense"}
_DESCRIBING = {"describes", "DESCRIBES"}
_LISTED_LICENSE = "https://spdx.org/licenses/"


def _kind(element: dict[str, Any]) -> str:
    """'software_Package' / 'software:Package' / 'Package' -> 'Package'."""
    raw = str(element.get("type") or element.get("@type") or "")
    return re.split(r"[_:/#]", raw)[-1]


def _id(element: dict[str, Any]) -> str:
    return str(element.get("spdxId") or element.get("@id") or "")


def _field(element: dict[str, Any], name: str) -> Any:
    """A property under its compact name with or without the profile prefix ('software_packageVersion')."""
    for key in (f"software_{name}", name):
        if key in element:
            return element[key]
    return None


def _kebab(word: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"-\1", word).lower()


class Spdx3Reader(Reader):
    format = "spdx3-jsonld"

    def sniff(self, doc: InputDocument) -> bool:
        if "spdx.org/rdf/3" not in doc.head:
            return False
        data = doc.json
        return isinstance(data, dict) and isinstance(data.get("@graph"), list)

    def read(self, doc: InputDocument) -> ImageFacts:
        graph = doc.json.get("@graph") if isinstance(doc.json, dict) else None
        if not isinstance(graph, list):
            raise doc.fail("SPDX 3: @graph is not a list")
        elements: dict[str, tuple[int, dict[str, Any]]] = {}
        for index, element in enumerate(graph):
            if not isinstance(element, dict):
                raise doc.fail(f"SPDX 3: @graph[{index}] is not an object")
            if _id(element):
                elements[_id(element)] = (index, element)
        facts = ImageFacts()
        licenses = _licenses_by_element(doc, graph, elements)
        roots = _root_elements(graph, elements)
        keys: dict[str, str] = {}
        for index, element in enumerate(graph):
            if _kind(element) != "Package":
                continue
            component = self._component(doc, index, element, elements, licenses.get(_id(element), []))
            if _id(element) in roots and _is_image(element, component.purl):
                if not (facts.identity.name or facts.identity.digest):
                    facts.identity = image_identity_from_purl(
                        component.purl, component.name, component.version, component.evidence[0]
                    )
                continue
            facts.components.append(component)
            keys[_id(element)] = component.key
        facts.relationships = [
            (keys.get(a, a), kind, keys.get(b, b)) for a, kind, b in _relationships(doc, graph)
            if kind not in _LICENSE_RELATIONSHIPS
        ]
        spec, tools, created, serial = _creation(graph, elements)
        facts.sboms.append(SbomRecord(
            format="spdx", spec_version=spec, tool=", ".join(tools), timestamp=parse_time(created),
            component_count=len(facts.components), serial=serial, evidence=(doc.evidence("/@graph"),),
        ))
        facts.inputs = [input_record(doc, self.format, facts, spec, ", ".join(tools))]
        return facts

    def _component(self, doc: InputDocument, index: int, element: dict[str, Any],
                   elements: dict[str, tuple[int, dict[str, Any]]], licenses: list[str]) -> Component:
        purl = real_value(_field(element, "packageUrl"))
        cpes: list[str] = []
        for ident in element.get("externalIdentifier") or ():
            if not isinstance(ident, dict):
                continue
            kind, value = str(ident.get("externalIdentifierType") or ""), real_value(ident.get("identifier"))
            if kind == "packageUrl" and value and not purl:
                purl = value
            elif kind in ("cpe23", "cpe22") and value:
                cpes.append(value)
        hashes = {}
        for check in element.get("verifiedUsing") or ():
            if isinstance(check, dict) and real_value(check.get("hashValue")):
                hashes.setdefault(hash_algorithm(check.get("algorithm")), str(check["hashValue"]).lower())
        purpose = real_value(_field(element, "primaryPurpose"))
        supplier = elements.get(str(element.get("suppliedBy") or ""), (0, {}))[1]
        return Component(
            name=real_value(element.get("name")) or _id(element),
            version=real_value(_field(element, "packageVersion")),
            type=_kebab(purpose) if purpose else _purl_type(purl),
            purl=purl, cpes=tuple(dict.fromkeys(cpes)), licenses=tuple(dict.fromkeys(licenses)),
            hashes=hashes, supplier=real_value(supplier.get("name")), bom_ref=_id(element),
            evidence=[doc.evidence(f"/@graph/{index}")],
        )


def _purl_type(purl: str) -> str:
    match = re.match(r"pkg:([a-zA-Z0-9.+-]+)/", purl)
    return match.group(1).lower() if match else ""


def _is_image(element: dict[str, Any], purl: str) -> bool:
    if str(_field(element, "primaryPurpose") or "").lower() == "container":
        return True
    return purl.lower().startswith(("pkg:oci/", "pkg:docker/"))


def _relationships(doc: InputDocument, graph: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    found = []
    for index, element in enumerate(graph):
        if not _kind(element).endswith("Relationship"):
            continue
        targets = element.get("to") or []
        if isinstance(targets, str):
            targets = [targets]
        if not isinstance(targets, list):
            raise doc.fail(f"SPDX 3: @graph[{index}].to is not a list")
        kind = str(element.get("relationshipType") or "")
        found.extend((str(element.get("from") or ""), kind, str(t)) for t in targets)
    return found


def _licenses_by_element(doc: InputDocument, graph: list[dict[str, Any]],
                         elements: dict[str, tuple[int, dict[str, Any]]]) -> dict[str, list[str]]:
    licenses: dict[str, list[str]] = {}
    for source, kind, target in _relationships(doc, graph):
        if kind not in _LICENSE_RELATIONSHIPS:
            continue
        element = elements.get(target, (0, {}))[1]
        text = real_value(element.get("simplelicensing_licenseExpression") or element.get("licenseExpression"))
        if not text and target.startswith(_LISTED_LICENSE):
            text = target[len(_LISTED_LICENSE):]
        if not text:
            text = real_value(element.get("name"))
        if text:
            licenses.setdefault(source, []).append(text)
    return licenses


def _root_elements(graph: list[dict[str, Any]], elements: dict[str, tuple[int, dict[str, Any]]]) -> set[str]:
    """Packages the document describes: rootElement of SpdxDocument/Sbom (followed once) + 'describes'."""
    roots: set[str] = set()
    for element in graph:
        if _kind(element) in ("SpdxDocument", "Sbom", "Bom"):
            values = element.get("rootElement") or []
            roots.update(str(v) for v in (values if isinstance(values, list) else [values]))
        elif _kind(element).endswith("Relationship") and element.get("relationshipType") in _DESCRIBING:
            targets = element.get("to") or []
            roots.update(str(t) for t in (targets if isinstance(targets, list) else [targets]))
    for root in list(roots):
        element = elements.get(root, (0, {}))[1]
        if _kind(element) in ("Sbom", "Bom"):
            values = element.get("rootElement") or []
            roots.update(str(v) for v in (values if isinstance(values, list) else [values]))
    return roots


def _creation(graph: list[dict[str, Any]],
              elements: dict[str, tuple[int, dict[str, Any]]]) -> tuple[str, list[str], str, str]:
    """(specVersion, tool names, created, document id) from CreationInfo and SpdxDocument elements."""
    infos = [e for e in graph if _kind(e) == "CreationInfo"]
    infos += [e["creationInfo"] for e in graph if isinstance(e.get("creationInfo"), dict)]
    spec = next((str(i.get("specVersion")) for i in infos if i.get("specVersion")), "")
    created = next((str(i.get("created")) for i in infos if i.get("created")), "")
    tools: list[str] = []
    for info in infos:
        for ref in info.get("createdUsing") or ():
            tool = elements.get(str(ref), (0, ref if isinstance(ref, dict) else {}))[1]
            name = real_value(tool.get("name"))
            if name and name not in tools:
                tools.append(name)
    serial = next((_id(e) for e in graph if _kind(e) == "SpdxDocument"), "")
    return spec, tools, created, serial


READER = Spdx3Reader()
