"""syft's native JSON (``syft -o json``), schema 1.x through 16.x.

artifacts -> Component: name, version, type, purl, cpes (strings up to schema ~11, objects
``{cpe, source}`` later), licenses (strings early, objects ``{value, spdxExpression, type}`` later),
hashes from a Java archive's metadata.digest, supplier from the package metadata as syft's own
CycloneDX output names it (maintainer / vendor / author). artifactRelationships -> relationships.
source -> ImageIdentity: the image metadata sits under ``source.target`` up to schema 10 and under
``source.metadata`` from schema 11: userInput, tags, manifestDigest (the digest syft's own
SPDX/CycloneDX output uses), repoDigests, architecture, os; older schemas only carry the image
config (base64), from which architecture, os and created are read (never the environment).
distro -> identity.os ("alpine 3.16.3"). descriptor + schema -> SbomRecord(format="syft").
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import replace
from typing import Any

from scc.clock import parse_time
from scc.facts.counting import input_record
from scc.facts.interface import Reader
from scc.facts.jsonfields import arr, obj, text
from scc.facts.model import Component, ImageFacts, ImageIdentity, SbomRecord
from scc.facts.sbom.spdx_json import hash_algorithm
from scc.facts.scans.vulnparse import is_digest, split_image_reference
from scc.facts.source import InputDocument, json_pointer

_UNSET = {"", "[not provided]"}


class SyftJsonReader(Reader):
    format = "syft-json"

    def sniff(self, doc: InputDocument) -> bool:
        if '"artifacts"' not in doc.head:
            return False
        data = doc.json
        return (isinstance(data, dict) and isinstance(data.get("artifacts"), list)
                and isinstance(data.get("descriptor"), dict) and isinstance(data.get("source"), dict))

    def read(self, doc: InputDocument) -> ImageFacts:
        data = obj(doc, doc.json, "syft JSON document")
        facts = ImageFacts()
        ids: dict[str, str] = {}
        for index, artifact in enumerate(arr(doc, data.get("artifacts"), "artifacts")):
            component = _component(doc, index, obj(doc, artifact, f"artifacts[{index}]"))
            facts.components.append(component)
            ids[text(doc, artifact.get("id"), f"artifacts[{index}].id")] = component.key
        for index, rel in enumerate(arr(doc, data.get("artifactRelationships"), "artifactRelationships")):
            rel = obj(doc, rel, f"artifactRelationships[{index}]")
            parent, child = str(rel.get("parent", "")), str(rel.get("child", ""))
            facts.relationships.append((ids.get(parent, parent), str(rel.get("type", "")), ids.get(child, child)))
        facts.identity = _identity(doc, obj(doc, data.get("source"), "source"))
        distro = obj(doc, data.get("distro"), "distro")
        os_name = " ".join(x for x in (
            text(doc, distro.get("id") or distro.get("name"), "distro.id"),
            text(doc, distro.get("versionID") or distro.get("version"), "distro.versionID"),
        ) if x)
        if os_name:
            facts.identity = replace(facts.identity, os=os_name,
                                     evidence=facts.identity.evidence + (doc.evidence("/distro"),))
        descriptor = obj(doc, data.get("descriptor"), "descriptor")
        name = text(doc, descriptor.get("name"), "descriptor.name") or "syft"
        version = text(doc, descriptor.get("version"), "descriptor.version")
        tool = f"{name} {version}" if version not in _UNSET else name
        schema = text(doc, obj(doc, data.get("schema"), "schema").get("version"), "schema.version")
        serial = text(doc, obj(doc, data.get("source"), "source").get("id"), "source.id")
        facts.sboms.append(SbomRecord(  # syft JSON carries no document timestamp
            format="syft", spec_version=schema, tool=tool, component_count=len(facts.components),
            serial=serial, evidence=(doc.evidence("/descriptor"),),
        ))
        facts.inputs = [input_record(doc, self.format, facts, schema, tool)]
        return facts


def _component(doc: InputDocument, index: int, artifact: dict[str, Any]) -> Component:
    where = f"artifacts[{index}]"
    cpes = []
    for i, cpe in enumerate(arr(doc, artifact.get("cpes"), f"{where}.cpes")):
        cpes.append(text(doc, cpe.get("cpe") if isinstance(cpe, dict) else cpe, f"{where}.cpes[{i}]"))
    licenses = []
    for i, lic in enumerate(arr(doc, artifact.get("licenses"), f"{where}.licenses")):
        if isinstance(lic, dict):
            lic = lic.get("spdxExpression") or lic.get("value")
        licenses.append(text(doc, lic, f"{where}.licenses[{i}]"))
    hashes = {}
    metadata = artifact.get("metadata") if isinstance(artifact.get("metadata"), dict) else {}
    digests = metadata.get("digest") if isinstance(metadata.get("digest"), list) else []
    for digest in digests:
        if isinstance(digest, dict) and isinstance(digest.get("value"), str) and digest["value"]:
            hashes.setdefault(hash_algorithm(digest.get("algorithm")), digest["value"].lower())
    name = text(doc, artifact.get("name"), f"{where}.name")
    if not name:
        raise doc.fail(f"syft JSON: {where}.name is missing")
    return Component(
        name=name, version=text(doc, artifact.get("version"), f"{where}.version"),
        type=text(doc, artifact.get("type"), f"{where}.type"),
        purl=text(doc, artifact.get("purl"), f"{where}.purl"),
        cpes=tuple(dict.fromkeys(c for c in cpes if c)), licenses=tuple(dict.fromkeys(x for x in licenses if x)),
        hashes=hashes, bom_ref=str(artifact.get("id") or ""), supplier=_supplier(metadata),
        evidence=[doc.evidence(json_pointer("artifacts", index))],
    )


def _supplier(metadata: dict[str, Any]) -> str:
    """Who syft's CycloneDX output names as publisher/author: apk/deb maintainer, rpm vendor,
    python 'author <authorEmail>', npm author, gem authors joined with ','."""
    def value(key: str) -> str:
        found = metadata.get(key)
        return found.strip() if isinstance(found, str) else ""

    author, email = value("author"), value("authorEmail")
    authors = metadata.get("authors") if isinstance(metadata.get("authors"), list) else []
    return (value("maintainer") or value("vendor") or (f"{author} <{email}>" if author and email else author or email)
            or ",".join(a for a in authors if isinstance(a, str)))


def _identity(doc: InputDocument, source: dict[str, Any]) -> ImageIdentity:
    key = "metadata" if isinstance(source.get("metadata"), dict) else "target"
    image = source.get(key)
    if str(source.get("type", "")) != "image" or not isinstance(image, dict):
        return ImageIdentity()
    user_input = text(doc, image.get("userInput"), f"source.{key}.userInput")
    name, tag, digest = split_image_reference(user_input)
    tags = [t for t in arr(doc, image.get("tags"), f"source.{key}.tags") if isinstance(t, str)]
    if tags and not tag:
        tag = split_image_reference(tags[0])[1]
    # oci-dir: / oci-archive: scans have neither tags nor repo digests: userInput and name are a local path
    local = not tags and not image.get("repoDigests")
    manifest = text(doc, image.get("manifestDigest"), f"source.{key}.manifestDigest")
    repo = next((r.partition("@")[2] for r in image.get("repoDigests") or () if isinstance(r, str) and "@" in r), "")
    digest = next((d for d in (manifest, repo, digest) if is_digest(d)), "")
    config = _image_config(image.get("config"))
    return ImageIdentity(
        name="" if local else name or str(source.get("name") or ""), tag="" if local else tag, digest=digest,
        architecture=text(doc, image.get("architecture"), f"source.{key}.architecture") or config.get("architecture", ""),
        created=parse_time(config.get("created")),
        evidence=(doc.evidence(f"/source/{key}"),),
    )


def _image_config(encoded: object) -> dict[str, str]:
    """architecture / os / created from syft's base64 image config (nothing else is kept)."""
    if not isinstance(encoded, str) or not encoded:
        return {}
    try:
        config = json.loads(base64.b64decode(encoded, validate=False))
    except (binascii.Error, ValueError, RecursionError):
        return {}
    if not isinstance(config, dict):
        return {}
    return {k: config[k] for k in ("architecture", "os", "created") if isinstance(config.get(k), str)}


READER = SyftJsonReader()
