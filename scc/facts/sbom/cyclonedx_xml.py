"""CycloneDX XML reader (BOM namespaces http://cyclonedx.org/schema/bom/1.0 .. 1.6).

The same facts the CycloneDX JSON reader gives: every component (nested ones too) with name,
version, type, purl, cpe, licenses (id, name or expression), hashes (alg lower-cased: sha-256),
supplier and bom-ref; ``metadata/component`` of type container -> ImageIdentity; an
operating-system component also names identity.os ("alpine 3.20.0"); ``metadata/tools`` (1.4
``tool`` elements or 1.5+ ``components``/``services``) and ``metadata/timestamp`` -> SbomRecord.
Evidence pointers are XPaths such as ``/bom/components/component[3]``. The XML is only ever
parsed through doc.xml (no DTD, no entities, no network); sniffing reads the prolog only.
"""
from __future__ import annotations

from scc.clock import parse_time
from scc.facts.counting import input_record, software_count
from scc.facts.interface import Reader
from scc.facts.model import Component, Evidence, ExternalReference, ImageFacts, ImageIdentity, SbomRecord
from scc.facts.sbom.spdx_json import hash_algorithm, image_identity_from_purl
from scc.facts.source import InputDocument

_NAMESPACE_PREFIX = "http://cyclonedx.org/schema/bom/"


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


class CycloneDxXmlReader(Reader):
    format = "cyclonedx-xml"

    def sniff(self, doc: InputDocument) -> bool:
        tag = doc.xml_root_tag()
        return tag.startswith("{" + _NAMESPACE_PREFIX) and tag.endswith("}bom")

    def read(self, doc: InputDocument) -> ImageFacts:
        root = doc.xml.getroot()
        ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
        if not ns.startswith(_NAMESPACE_PREFIX) or _local(root.tag) != "bom":
            raise doc.fail(f"CycloneDX XML: root element is {root.tag}, not a CycloneDX bom")
        spec = ns[len(_NAMESPACE_PREFIX):]
        q = _Names(ns)
        facts = ImageFacts()
        components = root.find(q("components"))
        if components is not None:
            self._components(doc, q, components, "/bom/components", facts.components)
        metadata = root.find(q("metadata"))
        tools, timestamp = [], None
        if metadata is not None:
            tools = _tools(q, metadata)
            timestamp = parse_time(metadata.findtext(q("timestamp")))
            subject = metadata.find(q("component"))
            if subject is not None:
                facts.identity = _identity(doc, q, subject)
        os_component = next((c for c in facts.components if c.type == "operating-system"), None)
        if os_component is not None and not facts.identity.os:
            os_name = " ".join(x for x in (os_component.name, os_component.version) if x)
            facts.identity = _with_os(facts.identity, os_name, os_component.evidence[0])
        keys = {c.bom_ref: c.key for c in facts.components if c.bom_ref}
        facts.relationships = [(keys.get(a, a), kind, keys.get(b, b)) for a, kind, b in _dependencies(q, root)]
        tool = ", ".join(tools)
        facts.sboms.append(SbomRecord(
            format="cyclonedx", spec_version=spec, tool=tool, timestamp=timestamp,
            component_count=software_count(facts.components), serial=root.get("serialNumber", ""),
            evidence=(doc.evidence("/bom/metadata" if metadata is not None else "/bom"),),
        ))
        facts.inputs = [input_record(doc, self.format, facts, spec, tool)]
        return facts

    def _components(self, doc: InputDocument, q: _Names, parent, path: str, out: list[Component]) -> None:
        for position, element in enumerate(parent.iterchildren(q("component")), start=1):
            where = f"{path}/component[{position}]"
            out.append(_component(doc, q, element, doc.evidence(where)))
            nested = element.find(q("components"))
            if nested is not None:
                self._components(doc, q, nested, f"{where}/components", out)


class _Names:
    """Namespaced tag names: q('component') -> '{ns}component'."""

    def __init__(self, ns: str) -> None:
        self.ns = ns

    def __call__(self, local: str) -> str:
        return f"{{{self.ns}}}{local}" if self.ns else local


def _text(q: _Names, element, name: str) -> str:
    return (element.findtext(q(name)) or "").strip()


def _component(doc: InputDocument, q: _Names, element, evidence: Evidence) -> Component:
    name = _text(q, element, "name")
    if not name:
        raise doc.fail(f"CycloneDX XML: {evidence.pointer} has no <name>")
    group = _text(q, element, "group")
    hashes: dict[str, str] = {}
    for item in element.iterfind(f"{q('hashes')}/{q('hash')}"):
        if (item.text or "").strip():
            hashes.setdefault(hash_algorithm(item.get("alg")), item.text.strip().lower())
    supplier = element.find(q("supplier"))
    return Component(
        name=f"{group}/{name}" if group and not _text(q, element, "purl") else name,
        version=_text(q, element, "version"),
        type=element.get("type", ""),
        purl=_text(q, element, "purl"),
        cpes=tuple(dict.fromkeys(x for x in [_text(q, element, "cpe"), *_syft_cpes(q, element)] if x)),
        licenses=_licenses(q, element),
        hashes=hashes,
        supplier=(_text(q, supplier, "name") if supplier is not None else "") or _text(q, element, "publisher")
        or _text(q, element, "author"),
        bom_ref=element.get("bom-ref", ""),
        evidence=[evidence],
        external_references=_external_references(q, element, evidence),
    )


def _external_references(q: _Names, element, evidence: Evidence) -> tuple[ExternalReference, ...]:
    """<externalReferences><reference type="vcs"><url> as written, each cited at its own element."""
    found = []
    for position, ref in enumerate(element.iterfind(f"{q('externalReferences')}/{q('reference')}"), start=1):
        url = _text(q, ref, "url")
        if url:
            spot = Evidence(evidence.source, evidence.sha256,
                            f"{evidence.pointer}/externalReferences/reference[{position}]")
            found.append(ExternalReference(ref.get("type", ""), url, (spot,)))
    return tuple(found)


def _syft_cpes(q: _Names, element) -> list[str]:
    """syft writes the extra CPEs it generated as <property name="syft:cpe23"> (as in CycloneDX JSON)."""
    return [(p.text or "").strip() for p in element.iterfind(f"{q('properties')}/{q('property')}")
            if p.get("name") == "syft:cpe23"]


def _licenses(q: _Names, element) -> tuple[str, ...]:
    found: list[str] = []
    holder = element.find(q("licenses"))
    if holder is None:
        return ()
    for child in holder:
        if _local(child.tag) == "expression" and (child.text or "").strip():
            found.append(child.text.strip())
        elif _local(child.tag) == "license":
            value = _text(q, child, "id") or _text(q, child, "name")
            if value:
                found.append(value)
    return tuple(dict.fromkeys(found))


def _tools(q: _Names, metadata) -> list[str]:
    tools = metadata.find(q("tools"))
    if tools is None:
        return []
    found = []
    for item in tools.iter(q("tool"), q("component"), q("service")):
        name = _text(q, item, "name")
        if name:
            version = _text(q, item, "version")
            found.append(f"{name} {version}" if version else name)
    return list(dict.fromkeys(found))


def _identity(doc: InputDocument, q: _Names, subject) -> ImageIdentity:
    evidence = doc.evidence("/bom/metadata/component")
    name, version, purl = _text(q, subject, "name"), _text(q, subject, "version"), _text(q, subject, "purl")
    if subject.get("type", "") == "container" or purl.startswith(("pkg:oci/", "pkg:docker/")):
        return image_identity_from_purl(purl, name, version, evidence)
    return ImageIdentity()   # a library / file / directory subject is not an image (as in CycloneDX JSON)


def _with_os(identity: ImageIdentity, os_name: str, evidence: Evidence) -> ImageIdentity:
    from dataclasses import replace

    return replace(identity, os=os_name, evidence=tuple(dict.fromkeys(identity.evidence + (evidence,))))


def _dependencies(q: _Names, root) -> list[tuple[str, str, str]]:
    holder = root.find(q("dependencies"))
    if holder is None:
        return []
    found: list[tuple[str, str, str]] = []
    for dependency in holder.iterchildren(q("dependency")):
        source = dependency.get("ref", "")
        found.extend((source, "dependsOn", child.get("ref", "")) for child in dependency.iterchildren(q("dependency")))
    return found


READER = CycloneDxXmlReader()
