"""The attestations an OCI image layout carries beside the image, read as the image's attestation set.

Three layouts put them there, each verified against its blob digest like every other blob:

- OCI 1.1 referrers: an artifact manifest listed in index.json whose ``subject`` is the image (its
  ``artifactType`` e.g. ``application/vnd.dev.sigstore.bundle.v0.3+json`` or ``application/vnd.in-toto+json``);
- BuildKit attestation manifests (annotation ``vnd.docker.reference.type: attestation-manifest``, the image
  in ``vnd.docker.reference.digest``), whose layers are in-toto statements;
- ``cosign save``: the manifest annotated ``kind: dev.cosignproject.cosign/atts``, whose layers are DSSE
  envelopes about the saved image.

Each attestation layer is handed to the in-toto reader as a document embedded in the layout, so evidence
reads ``blobs/sha256/<hex>#/payload(base64)/...``. A referrer whose subject is another manifest (another
platform) is passed over with a note; the statements' own subjects are compared with the image digest
afterwards (scc.facts.attestation_sets).
"""
from __future__ import annotations

from typing import Any

from scc.facts.image.image_archive import Archive
from scc.facts.image.layout_blobs import INDEX_TYPES as _INDEX_TYPES
from scc.facts.image.layout_blobs import blob_path as _blob
from scc.facts.image.layout_blobs import descriptor_digest as _descriptor_digest
from scc.facts.image.layout_blobs import json_of as _json
from scc.facts.image.layout_blobs import object_at as _obj
from scc.facts.image.layout_blobs import verified as _verified
from scc.facts.interface import read_with
from scc.facts.jsonfields import as_obj
from scc.facts.model import ImageFacts
from scc.facts.source import InputDocument

COSIGN_KIND = "kind"
COSIGN_ATTESTATIONS = "dev.cosignproject.cosign/atts"
COSIGN_NOT_IMAGES = frozenset({COSIGN_ATTESTATIONS, "dev.cosignproject.cosign/sigs", "dev.cosignproject.cosign/sboms"})
DOCKER_REFERENCE_TYPE = "vnd.docker.reference.type"
DOCKER_REFERENCE_DIGEST = "vnd.docker.reference.digest"
ATTESTATION_LAYER_TYPES = ("application/vnd.in-toto+json", "application/vnd.dsse.envelope.v1+json",
                           "application/vnd.dev.sigstore.bundle")


def is_not_an_image(descriptor: dict[str, Any]) -> bool:
    """An index entry that is an attestation, signature or other artifact rather than an image to assess."""
    annotations = as_obj(descriptor.get("annotations"))
    return (annotations.get(DOCKER_REFERENCE_TYPE) == "attestation-manifest"
            or annotations.get(COSIGN_KIND) in COSIGN_NOT_IMAGES
            or isinstance(descriptor.get("artifactType"), str))


def attestation_parts(doc: InputDocument, archive: Archive, index: dict[str, Any], image: dict[str, Any]) -> list[ImageFacts]:
    """The facts of every attestation in the layout about the chosen image (or about the layout's index)."""
    wanted = {image["digest"], *image.get("index_digests", ())}
    parts: list[ImageFacts] = []
    notes: list[str] = []
    for where, descriptor in _attestation_descriptors(doc, archive, index, "index.json", 0):
        digest = _descriptor_digest(doc, descriptor, where)
        name = _blob(digest)
        manifest = _obj(doc, _json(doc, _verified(doc, archive, digest, name), name), name)
        about = _about(descriptor, manifest)
        if about and about not in wanted:
            notes.append(f"{doc.display_path}: {name} is an attestation of {about}, not of the image "
                         f"{image['digest']}; not read")
            continue
        parts.extend(_layers(doc, archive, manifest, name, notes))
    if notes:
        parts.append(ImageFacts(notes=notes))
    return parts


def _attestation_descriptors(doc: InputDocument, archive: Archive, index: dict[str, Any], where: str,
                            depth: int) -> list[tuple[str, dict[str, Any]]]:
    """The attestation entries of index.json and of the image indexes it nests (BuildKit puts them there)."""
    found: list[tuple[str, dict[str, Any]]] = []
    for i, descriptor in enumerate(index.get("manifests") or []):
        if not isinstance(descriptor, dict):
            continue
        at = f"{where}: manifests[{i}]"
        if is_not_an_image(descriptor):
            found.append((at, descriptor))
        elif descriptor.get("mediaType") in _INDEX_TYPES and depth < 3:
            digest = _descriptor_digest(doc, descriptor, at)
            nested = _obj(doc, _json(doc, _verified(doc, archive, digest, _blob(digest)), _blob(digest)), _blob(digest))
            found.extend(_attestation_descriptors(doc, archive, nested, _blob(digest), depth + 1))
    return found


def _about(descriptor: dict[str, Any], manifest: dict[str, Any]) -> str:
    """The manifest digest an attestation manifest says it is about ('' = the saved image: cosign save)."""
    subject = as_obj(manifest.get("subject"))
    if isinstance(subject.get("digest"), str):
        return subject["digest"]
    reference = as_obj(descriptor.get("annotations")).get(DOCKER_REFERENCE_DIGEST)
    return reference if isinstance(reference, str) else ""


def _layers(doc: InputDocument, archive: Archive, manifest: dict[str, Any], name: str,
            notes: list[str]) -> list[ImageFacts]:
    from scc.facts.provenance.intoto import READER as INTOTO

    parts = []
    layers = manifest.get("layers")
    for j, layer in enumerate(layers if isinstance(layers, list) else []):
        layer = layer if isinstance(layer, dict) else {}
        media = str(layer.get("mediaType") or "")
        if not media.startswith(ATTESTATION_LAYER_TYPES):
            continue
        digest = _descriptor_digest(doc, layer, f"{name}: layers[{j}]")
        embedded = InputDocument.embedded(doc, _verified(doc, archive, digest, _blob(digest)), f"{_blob(digest)}#")
        if not INTOTO.sniff(embedded):
            notes.append(f"{doc.display_path}: {_blob(digest)} ({media}) holds no in-toto statement; not read")
            continue
        part = read_with(INTOTO, embedded)
        part.inputs = []
        parts.append(part)
    return parts
