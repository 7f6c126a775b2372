"""SPDX 2.x JSON reader, and the SPDX 2 package model shared with the tag-value reader.

Owns: ``spdxVersion: SPDX-2.x`` JSON documents (syft, trivy, docker scout, the SPDX examples).
Each package becomes a Component (purl from a PACKAGE-MANAGER/PACKAGE_MANAGER purl reference,
CPEs from SECURITY cpe23Type/cpe22Type references, licenses from licenseConcluded/licenseDeclared,
hashes from checksums, supplier without its "Organization:"/"Person:" prefix). The package the
document DESCRIBES is the image itself when its primaryPackagePurpose is CONTAINER or its purl is
a pkg:oci / pkg:docker purl: it becomes the ImageIdentity, not a component; syft's described root
of a directory / file scan (SPDXRef-DocumentRoot-Directory-..., no purl) is neither. Relationships are kept
as (from, type, to) with package SPDXIDs replaced by the component key when the package was read.

Hash algorithms everywhere in scc are lower-case and hyphenated the CycloneDX way: sha-256, sha-1,
md5, sha3-256, blake2b-256 (see :func:`hash_algorithm`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from scc.clock import parse_time
from scc.facts.counting import input_record
from scc.facts.interface import Reader
from scc.facts.model import Component, Evidence, ExternalReference, ImageFacts, ImageIdentity, SbomRecord
from scc.facts.source import InputDocument

_NO_VALUE = {"", "NOASSERTION", "NONE"}
_IMAGE_PURL_TYPES = {"oci", "docker"}
_HASH_BITS = re.compile(r"^(sha3|blake2b|sha)-?(\d+)$")
_PARTY_PREFIX = re.compile(r"^\s*(Organization|Person|Tool)\s*:\s*", re.IGNORECASE)
_TRAILING_CONTACT = re.compile(r"\s*\([^()]*\)\s*$")


def hash_algorithm(name: object) -> str:
    """'SHA256' / 'sha256' / 'SHA-256' -> 'sha-256'; 'SHA3_256' -> 'sha3-256'; 'MD5' -> 'md5'."""
    word = str(name or "").strip().lower().replace("_", "-")
    match = _HASH_BITS.match(word)
    if not match:
        return word
    family, bits = match.groups()
    if family == "sha" and bits == "1":
        return "sha-1"
    return f"{family}-{bits}"


def party_name(value: object) -> str:
    """'Organization: Anchore, Inc (x@y)' -> 'Anchore, Inc'; NOASSERTION -> ''."""
    text = str(value or "").strip()
    if text.upper() in _NO_VALUE:
        return ""
    return _TRAILING_CONTACT.sub("", _PARTY_PREFIX.sub("", text)).strip()


def real_value(value: object) -> str:
    """The string value, or '' for SPDX's NOASSERTION / NONE placeholders and non-strings."""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        return ""
    text = str(value).strip()
    return "" if text.upper() in _NO_VALUE else text


def image_identity_from_purl(purl: str, name: str, version: str, evidence: Evidence) -> ImageIdentity:
    """ImageIdentity from a pkg:oci / pkg:docker purl (qualifiers tag, arch, repository_url)."""
    from packageurl import PackageURL

    digest, tag, arch, image = "", "", "", name
    try:
        parsed = PackageURL.from_string(purl) if purl else None
    except ValueError:
        parsed = None
    if parsed is not None:
        qualifiers = parsed.qualifiers if isinstance(parsed.qualifiers, dict) else {}
        image = qualifiers.get("repository_url") or "/".join(p for p in (parsed.namespace, parsed.name) if p) or name
        tag = qualifiers.get("tag", "")
        arch = qualifiers.get("arch", "")
        digest = parsed.version or ""
    if not digest and version.startswith("sha256:"):
        digest = version
    elif not tag and version and not version.startswith("sha256:"):
        tag = version
    return ImageIdentity(name=image or name, tag=tag, digest=digest, architecture=arch, evidence=(evidence,))


@dataclass
class SpdxDocument:
    """The SPDX 2 content scc uses, in the JSON field names, whatever the serialisation."""

    spec_version: str = ""
    namespace: str = ""
    creators: list[str] = field(default_factory=list)
    created: str = ""
    describes: list[str] = field(default_factory=list)
    packages: list[tuple[dict[str, Any], Evidence]] = field(default_factory=list)
    relationships: list[tuple[str, str, str]] = field(default_factory=list)


def facts_from_spdx(doc: InputDocument, spdx: SpdxDocument, fmt: str) -> ImageFacts:
    """Turn an SpdxDocument (from JSON or tag-value) into ImageFacts."""
    facts = ImageFacts()
    described = set(spdx.describes)
    described |= {b for a, kind, b in spdx.relationships if a == "SPDXRef-DOCUMENT" and kind == "DESCRIBES"}
    described |= {a for a, kind, b in spdx.relationships if b == "SPDXRef-DOCUMENT" and kind == "DESCRIBED_BY"}
    keys: dict[str, str] = {}
    for package, evidence in spdx.packages:
        component = component_from_package(package, evidence)
        spdx_id = str(package.get("SPDXID") or "")
        if spdx_id in described and _is_image(package, component.purl):
            identity = image_identity_from_purl(component.purl, component.name, component.version, evidence)
            facts.identity = _merge_identity(facts.identity, identity)
            continue
        if (spdx_id in described and _is_scan_root(spdx_id, component)) or _is_image_layer(component.purl):
            continue
        facts.components.append(component)
        if spdx_id:
            keys[spdx_id] = component.key
    facts.relationships = [(keys.get(a, a), kind, keys.get(b, b)) for a, kind, b in spdx.relationships]
    tool = next((party_name(c) for c in spdx.creators if str(c).strip().lower().startswith("tool:")), "")
    facts.sboms.append(SbomRecord(
        format="spdx", spec_version=spdx.spec_version.removeprefix("SPDX-"), tool=tool,
        timestamp=parse_time(spdx.created), component_count=len(facts.components),
        serial=spdx.namespace, evidence=(doc.evidence(_creation_pointer(fmt)),),
    ))
    facts.inputs = [input_record(doc, fmt, facts, spdx.spec_version.removeprefix("SPDX-"), tool)]
    return facts


def component_from_package(package: dict[str, Any], evidence: Evidence) -> Component:
    purl, cpes = "", []
    for ref in package.get("externalRefs") or ():
        if not isinstance(ref, dict):
            continue
        kind = str(ref.get("referenceType") or "").strip()
        locator = real_value(ref.get("referenceLocator"))
        if kind == "purl" and locator and not purl:
            purl = locator
        elif kind in ("cpe23Type", "cpe22Type") and locator:
            cpes.append(locator)
    licenses = [real_value(package.get(k)) for k in ("licenseConcluded", "licenseDeclared")]
    hashes: dict[str, str] = {}
    for checksum in package.get("checksums") or ():
        if isinstance(checksum, dict) and real_value(checksum.get("checksumValue")):
            hashes.setdefault(hash_algorithm(checksum.get("algorithm")), str(checksum["checksumValue"]).lower())
    return Component(
        name=real_value(package.get("name")) or str(package.get("SPDXID") or ""),
        version=real_value(package.get("versionInfo")),
        type=_component_type(package, purl),
        purl=purl,
        cpes=tuple(dict.fromkeys(cpes)),
        licenses=tuple(dict.fromkeys(x for x in licenses if x)),
        hashes=hashes,
        supplier=party_name(package.get("supplier")),
        bom_ref=str(package.get("SPDXID") or ""),
        evidence=[evidence],
        external_references=_links(package, evidence),
    )


def _links(package: dict[str, Any], evidence: Evidence) -> tuple[ExternalReference, ...]:
    """downloadLocation and homepage as written (SPDX's NOASSERTION / NONE dropped), each cited at its field
    in JSON, at the package in tag-value."""
    found = []
    for key in ("downloadLocation", "homepage"):
        url = real_value(package.get(key))
        if url:
            spot = (Evidence(evidence.source, evidence.sha256, f"{evidence.pointer}/{key}")
                    if evidence.pointer.startswith("/") else evidence)
            found.append(ExternalReference(key, url, (spot,)))
    return tuple(found)


def _component_type(package: dict[str, Any], purl: str) -> str:
    purpose = real_value(package.get("primaryPackagePurpose")).lower().replace("_", "-")
    if purpose:
        return purpose
    match = re.match(r"pkg:([a-zA-Z0-9.+-]+)/", purl)
    return match.group(1).lower() if match else ""


def _is_image(package: dict[str, Any], purl: str) -> bool:
    if real_value(package.get("primaryPackagePurpose")).upper() == "CONTAINER":
        return True
    return any(purl.lower().startswith(f"pkg:{kind}/") for kind in _IMAGE_PURL_TYPES)


def _is_image_layer(purl: str) -> bool:
    """apko lists the image's layer as a package: pkg:oci/image@sha256:..?mediaType=...layer..."""
    if not purl.lower().startswith("pkg:oci/"):
        return False
    from urllib.parse import unquote

    media = unquote(purl.partition("?")[2]).lower()
    return "mediatype=application/vnd.oci.image.layer." in media or "rootfs.diff" in media


def _is_scan_root(spdx_id: str, component: Component) -> bool:
    """syft's described root for a directory / file scan (SPDXRef-DocumentRoot-Directory-...):
    the scanned path, not an installed package (CycloneDX carries it as metadata.component)."""
    return spdx_id.startswith("SPDXRef-DocumentRoot-") and not component.purl and not component.version


def _merge_identity(first: ImageIdentity, second: ImageIdentity) -> ImageIdentity:
    if not (first.name or first.digest):
        return second
    return first


def _creation_pointer(fmt: str) -> str:
    return "/creationInfo" if fmt == "spdx-json" else ""


# -- JSON ---------------------------------------------------------------------------------------

class SpdxJsonReader(Reader):
    format = "spdx-json"

    def sniff(self, doc: InputDocument) -> bool:
        if doc.is_xml or not doc.head.lstrip().startswith("{"):
            return False
        data = doc.json    # not a head check: sbom-tool writes spdxVersion after files and packages
        return isinstance(data, dict) and str(data.get("spdxVersion", "")).startswith("SPDX-2")

    def read(self, doc: InputDocument) -> ImageFacts:
        data = doc.json
        if not isinstance(data, dict):
            raise doc.fail("SPDX JSON: document is not a JSON object")
        creation = data.get("creationInfo", {})
        if not isinstance(creation, dict):
            raise doc.fail("SPDX JSON: creationInfo is not an object")
        spdx = SpdxDocument(
            spec_version=str(data.get("spdxVersion", "")),
            namespace=real_value(data.get("documentNamespace")),
            creators=[str(c) for c in _list(doc, creation.get("creators"), "creationInfo.creators")],
            created=str(creation.get("created") or ""),
            describes=[str(d) for d in _list(doc, data.get("documentDescribes"), "documentDescribes")],
        )
        for index, package in enumerate(_list(doc, data.get("packages"), "packages")):
            if not isinstance(package, dict):
                raise doc.fail(f"SPDX JSON: packages[{index}] is not an object")
            if not isinstance(package.get("externalRefs") or [], list):
                raise doc.fail(f"SPDX JSON: packages[{index}].externalRefs is not a list")
            if not isinstance(package.get("checksums") or [], list):
                raise doc.fail(f"SPDX JSON: packages[{index}].checksums is not a list")
            spdx.packages.append((package, doc.evidence(f"/packages/{index}")))
        for index, rel in enumerate(_list(doc, data.get("relationships"), "relationships")):
            if not isinstance(rel, dict):
                raise doc.fail(f"SPDX JSON: relationships[{index}] is not an object")
            spdx.relationships.append((
                str(rel.get("spdxElementId", "")), str(rel.get("relationshipType", "")).upper(),
                str(rel.get("relatedSpdxElement", "")),
            ))
        return facts_from_spdx(doc, spdx, self.format)


def _list(doc: InputDocument, value: object, where: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise doc.fail(f"SPDX JSON: {where} is not a list")
    return value


READER = SpdxJsonReader()
