"""CycloneDX JSON (spec 1.2-1.6): the SBOM inventory, the image it describes, and its vulnerabilities.

metadata.component (a container) gives the image identity, metadata.tools the producing tool
(1.4 array form and 1.5+ {components: [...]} form), components[] (nested ones too) the inventory.
vulnerabilities[] (VDR / VEX) are read by scc.facts.vex.cyclonedx_vulns.
"""
from __future__ import annotations

from typing import Any

from scc.clock import parse_time
from scc.facts import jsonfields as jf
from scc.facts.counting import input_record, software_count
from scc.facts.interface import Reader
from scc.facts.model import Component, ExternalReference, ImageFacts, ImageIdentity, SbomRecord
from scc.facts.scans.vulnparse import digest_from_repo_digests, is_digest, split_image_reference
from scc.facts.source import InputDocument
from scc.facts.vex.cyclonedx_vulns import read_vulnerabilities

_IMAGE_PURL_TYPES = ("oci", "docker")


class CycloneDxJsonReader(Reader):
    format = "cyclonedx-json"

    def sniff(self, doc: InputDocument) -> bool:
        data = doc.json
        return isinstance(data, dict) and data.get("bomFormat") == "CycloneDX"

    def read(self, doc: InputDocument) -> ImageFacts:
        data = jf.obj(doc, doc.json, "document")
        spec = jf.text(doc, data.get("specVersion"), "specVersion")
        metadata = jf.obj(doc, data.get("metadata"), "metadata")
        subject = jf.obj(doc, metadata.get("component"), "metadata.component")
        facts = ImageFacts()
        _walk_components(doc, data.get("components"), "components", "/components", facts.components)
        facts.identity = _with_os(_identity(doc, subject), facts.components)
        tool = _tools(doc, metadata.get("tools"))
        if "components" in data:
            facts.sboms.append(SbomRecord(
                format="cyclonedx", spec_version=spec, tool=tool,
                timestamp=parse_time(jf.text(doc, metadata.get("timestamp"), "metadata.timestamp")),
                component_count=software_count(facts.components),
                serial=jf.text(doc, data.get("serialNumber"), "serialNumber"),
                evidence=(doc.evidence("/metadata" if metadata else ""),),
            ))
        read_vulnerabilities(doc, data, facts, _ref_index(doc, facts.components, subject), tool)
        facts.inputs = [input_record(doc, self.format, facts, spec, tool)]
        return facts


# -- components ------------------------------------------------------------------------------
def _walk_components(doc: InputDocument, value: Any, where: str, pointer: str, out: list[Component]) -> None:
    for index, item in enumerate(jf.arr(doc, value, where)):
        here, at = f"{where}[{index}]", f"{pointer}/{index}"
        component = jf.obj(doc, item, here)
        out.append(_component(doc, component, here, at))
        if "components" in component:
            _walk_components(doc, component["components"], f"{here}.components", f"{at}/components", out)


def _component(doc: InputDocument, item: dict[str, Any], where: str, pointer: str) -> Component:
    name = jf.text_at(doc, item, "name", where)
    if not name:
        raise doc.fail(f"{where}.name: missing (CycloneDX requires a component name)")
    properties = _properties(doc, item, where)
    cpe = jf.text_at(doc, item, "cpe", where)
    cpes = ([cpe] if cpe else []) + [v for k, v in properties if k == "syft:cpe23"]
    licenses = item.get("licenses")
    hashes = item.get("hashes")
    return Component(
        name=name,
        version=jf.text_at(doc, item, "version", where),
        type=jf.text_at(doc, item, "type", where),
        purl=jf.text_at(doc, item, "purl", where),
        cpes=tuple(dict.fromkeys(cpes)),
        licenses=_licenses(doc, licenses, f"{where}.licenses") if licenses is not None else (),
        hashes=_hashes(doc, hashes, f"{where}.hashes") if hashes is not None else {},
        supplier=_supplier(doc, item, where),
        bom_ref=jf.text_at(doc, item, "bom-ref", where),
        evidence=[doc.evidence(pointer)],
        external_references=_external_references(doc, item, where, pointer),
    )


def _external_references(doc: InputDocument, item: dict[str, Any], where: str,
                         pointer: str) -> tuple[ExternalReference, ...]:
    """externalReferences[] as written (type, url), each cited at its own entry."""
    refs = item.get("externalReferences")
    if refs is None:
        return ()
    found = []
    for i, ref in enumerate(jf.objs(doc, refs, f"{where}.externalReferences")):
        url = jf.text(doc, ref.get("url"), f"{where}.externalReferences[{i}].url").strip()
        if url:
            found.append(ExternalReference(jf.text(doc, ref.get("type"), f"{where}.externalReferences[{i}].type"),
                                           url, (doc.evidence(f"{pointer}/externalReferences/{i}"),)))
    return tuple(found)


def _properties(doc: InputDocument, item: dict[str, Any], where: str) -> list[tuple[str, str]]:
    value = item.get("properties")
    if value is None:
        return []
    if type(value) is list and all(type(prop) is dict for prop in value):   # the common case, no location built
        found = [(prop.get("name"), prop.get("value")) for prop in value]
        if all(type(name) is str and type(text) is str for name, text in found):
            return found
    return _properties_in_full(doc, value, where)


def _properties_in_full(doc: InputDocument, value: Any, where: str) -> list[tuple[str, str]]:
    found = []
    for i, prop in enumerate(jf.objs(doc, value, f"{where}.properties")):
        name, text = prop.get("name"), prop.get("value")
        if type(name) is not str or type(text) is not str:   # the location only when it may be needed
            name = jf.text(doc, name, f"{where}.properties[{i}].name")
            text = jf.text(doc, text, f"{where}.properties[{i}].value")
        found.append((name, text))
    return found


def _licenses(doc: InputDocument, value: Any, where: str) -> tuple[str, ...]:
    if type(value) is list and len(value) == 1:   # the common case, one {"license": {"id": ...}}, no location built
        choice = value[0]
        lic = choice.get("license") if type(choice) is dict and "expression" not in choice else None
        text = lic.get("id") if type(lic) is dict else None
        if type(text) is str and text:
            return (text,)
    return _licenses_in_full(doc, value, where)


def _licenses_in_full(doc: InputDocument, value: Any, where: str) -> tuple[str, ...]:
    found = []
    for i, choice in enumerate(jf.objs(doc, value, where)):
        here = f"{where}[{i}]"
        expression = jf.text_at(doc, choice, "expression", here)
        lic = jf.obj(doc, choice.get("license"), f"{here}.license")
        text = (expression or jf.text_at(doc, lic, "id", f"{here}.license")
                or jf.text_at(doc, lic, "name", f"{here}.license"))
        if text:
            found.append(text)
    return tuple(dict.fromkeys(found))


def _hashes(doc: InputDocument, value: Any, where: str) -> dict[str, str]:
    hashes: dict[str, str] = {}
    for i, entry in enumerate(jf.objs(doc, value, where)):
        alg = jf.text(doc, entry.get("alg"), f"{where}[{i}].alg").lower()
        content = jf.text(doc, entry.get("content"), f"{where}[{i}].content")
        if alg and content:
            hashes.setdefault(alg, content.lower())
    return hashes


def _supplier(doc: InputDocument, item: dict[str, Any], where: str) -> str:
    supplier = item.get("supplier")
    return ((supplier is not None and jf.text_at(doc, jf.obj(doc, supplier, f"{where}.supplier"), "name",
                                                 f"{where}.supplier"))
            or jf.text_at(doc, item, "publisher", where)
            or jf.text_at(doc, item, "author", where))


def _ref_index(doc: InputDocument, components: list[Component], subject: dict[str, Any]) -> dict[str, Component]:
    """bom-ref -> component, the metadata component (the product itself) under the key ''."""
    index = {c.bom_ref: c for c in components if c.bom_ref}
    if subject:
        product = _component(doc, {"name": "(unnamed product)", **subject}, "metadata.component", "/metadata/component")
        index[""] = product
        if product.bom_ref:
            index[product.bom_ref] = product
    return index


# -- metadata --------------------------------------------------------------------------------
def _tools(doc: InputDocument, value: Any) -> str:
    """'syft 1.11.0' from metadata.tools, either the 1.4 array or the 1.5+ {components, services} object."""
    if isinstance(value, dict):
        entries = (jf.objs(doc, value.get("components"), "metadata.tools.components")
                   + jf.objs(doc, value.get("services"), "metadata.tools.services"))
    else:
        entries = jf.objs(doc, value, "metadata.tools")
    names = []
    for i, tool in enumerate(entries):
        name = jf.text(doc, tool.get("name"), f"metadata.tools[{i}].name")
        version = jf.text(doc, tool.get("version"), f"metadata.tools[{i}].version")
        if name:
            names.append(f"{name} {version}".strip())
    return ", ".join(dict.fromkeys(names))


def _identity(doc: InputDocument, subject: dict[str, Any]) -> ImageIdentity:
    """The image an SBOM describes, when its metadata.component is a container image."""
    purl = jf.text(doc, subject.get("purl"), "metadata.component.purl")
    purl_type = purl[4:].split("/", 1)[0].lower() if purl.startswith("pkg:") else ""
    if jf.text(doc, subject.get("type"), "metadata.component.type") != "container" \
            and purl_type not in _IMAGE_PURL_TYPES:
        return ImageIdentity()
    properties = dict(reversed(_properties(doc, subject, "metadata.component")))
    prop = {k.rsplit(":", 1)[-1]: v for k, v in properties.items()}
    version = jf.text(doc, subject.get("version"), "metadata.component.version")
    name, tag, digest = split_image_reference(prop.get("RepoTag") or jf.text(
        doc, subject.get("name"), "metadata.component.name"))
    purl_name, purl_digest, arch = _image_purl(purl) if purl_type in _IMAGE_PURL_TYPES else ("", "", "")
    if is_digest(version):
        digest = digest or version
    elif version and not tag:
        tag = version
    sha256 = _hashes(doc, subject.get("hashes"), "metadata.component.hashes").get("sha-256", "")
    digest = (digest or purl_digest or digest_from_repo_digests([prop.get("RepoDigest", "")], name)
              or (f"sha256:{sha256}" if sha256 else "") or prop.get("ImageID", ""))
    return ImageIdentity(
        name=purl_name if purl_name and not prop.get("RepoTag") else name, tag=tag, digest=digest,
        architecture=arch, evidence=(doc.evidence("/metadata/component"),),
    )


def _with_os(identity: ImageIdentity, components: list[Component]) -> ImageIdentity:
    """identity.os ("debian 12") from the operating-system component syft and trivy list."""
    os_component = next((c for c in components if c.type == "operating-system"), None)
    if os_component is None or identity.os:
        return identity
    from dataclasses import replace

    os_name = " ".join(x for x in (os_component.name, os_component.version) if x)
    return replace(identity, os=os_name, evidence=tuple(dict.fromkeys(identity.evidence + tuple(os_component.evidence))))


def _image_purl(purl: str) -> tuple[str, str, str]:
    """pkg:oci/name@sha256:..?repository_url=ghcr.io/o/name&arch=amd64 -> (ghcr.io/o/name, sha256:.., amd64).

    The purl name alone is not the image name (it drops the registry and namespace); only
    repository_url is.
    """
    try:
        from packageurl import PackageURL

        parsed = PackageURL.from_string(purl)
    except ValueError:
        return "", "", ""
    qualifiers = parsed.qualifiers if isinstance(parsed.qualifiers, dict) else {}
    version = parsed.version or ""
    return (qualifiers.get("repository_url", ""), version if is_digest(version) else "",
            qualifiers.get("arch", ""))


READER = CycloneDxJsonReader()
