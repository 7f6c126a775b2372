"""The image itself: an OCI image layout (directory or tar) or a `docker save` tarball.

OCI layout: oci-layout + index.json + blobs/<alg>/<hex>; nested indexes are followed; for a
multi-platform image linux/amd64 is chosen (or the only image, or SCC_PLATFORM=os/arch[/variant]),
attestation manifests are passed over. `docker save`: manifest.json (Config, RepoTags, Layers);
Docker 25+ also writes an OCI layout in the tar, which is preferred (it carries the manifest digest).
The config blob is read by the image-config reader's own mapping; the layers are applied in order
into an in-memory filesystem (scc.facts.image.layers) and scanned (scc.facts.image.rootfs / fs_scan / fips).
Every blob is checked against its digest and every layer against the config's diff_ids.
"""
from __future__ import annotations

import hashlib
import os
import tarfile
from dataclasses import replace
from typing import Any

from scc.facts.image import image_config
from scc.facts.image.image_archive import (
    Archive,
    DirectoryArchive,
    TarArchive,
    tar_image_names,
)
from scc.facts.image.layers import Budget, apply_layer
from scc.facts.image.layout_blobs import INDEX_TYPES as _INDEX_TYPES
from scc.facts.image.layout_blobs import blob_path as _blob
from scc.facts.image.layout_blobs import descriptor_digest as _descriptor_digest
from scc.facts.image.layout_blobs import json_of as _json
from scc.facts.image.layout_blobs import object_at as _obj
from scc.facts.image.layout_blobs import verified as _verified
from scc.facts.image.referrers import attestation_parts, is_not_an_image
from scc.facts.image.rootfs import facts_from_filesystem, input_file
from scc.facts.image.vfs import VirtualFS
from scc.facts.interface import Reader
from scc.facts.jsonfields import as_obj
from scc.facts.model import BaseImageAnnotation, ImageFacts
from scc.facts.scans.vulnparse import split_image_reference
from scc.facts.source import InputDocument
from scc.interrupts import signals_as_exceptions

_NAME_ANNOTATIONS = ("io.containerd.image.name", "org.opencontainers.image.ref.name")
_BASE_NAME, _BASE_DIGEST = "org.opencontainers.image.base.name", "org.opencontainers.image.base.digest"


class ImageLayoutReader(Reader):
    """An image as files: OCI layout directory/tar, or a docker-save tar (plain or gzipped)."""

    format = "oci-image"

    def sniff(self, doc: InputDocument) -> bool:
        if doc.is_dir:
            return (os.path.isfile(doc.path / "index.json") and os.path.isfile(doc.path / "oci-layout")) or (
                os.path.isfile(doc.path / "manifest.json") and os.path.isfile(doc.path / "repositories"))
        try:
            names = tar_image_names(str(doc.path))
        except (OSError, EOFError, tarfile.TarError):
            return False
        return bool(names & {"oci-layout", "index.json", "manifest.json", "gzip"})

    def read(self, doc: InputDocument) -> ImageFacts:
        sha256, size = (doc.sha256, 0) if doc.is_dir else _file_digest(doc)
        doc.__dict__["sha256"] = sha256       # never doc.data: an image may exceed the input cap
        if doc.is_dir:
            return self._read_closing(doc, DirectoryArchive(str(doc.path), doc.fail), sha256, size)
        with signals_as_exceptions():     # a gzipped tar is inflated to a temp dir: SIGTERM must not strand it
            return self._read_closing(doc, TarArchive(str(doc.path), doc.fail, doc.context.workdir, doc.context.image_limits), sha256, size)

    def _read_closing(self, doc: InputDocument, archive: Archive, sha256: str, size: int) -> ImageFacts:
        try:
            return self._read(doc, archive, sha256, size)
        finally:
            archive.close()

    def _read(self, doc: InputDocument, archive: Archive, sha256: str, size: int) -> ImageFacts:
        if archive.exists("index.json"):
            image = _from_oci_index(doc, archive)
            fmt = "oci-image-layout"
        elif archive.exists("manifest.json"):
            image = _from_docker_manifest(doc, archive)
            fmt = "docker-save"
        else:
            raise doc.fail("image archive has neither index.json nor manifest.json")
        config_data = _verified(doc, archive, image["config"], image["config_name"])
        config_doc = InputDocument.embedded(doc, config_data, f"{image['config_name']}#")
        if not isinstance(config_doc.json, dict):
            raise doc.fail(f"{image['config_name']}: the image config is not a JSON object")
        config_facts = image_config.READER.read(config_doc)
        fs = _apply_layers(doc, archive, image, config_doc.json)
        facts = facts_from_filesystem(fs, doc, f"{doc.display_path} ({image['config']})")
        facts.config = config_facts.config
        facts.identity = replace(config_facts.identity, name=image["name"], tag=image["tag"],
                                 digest=image["digest"], evidence=(doc.evidence(image["pointer"]),))
        facts.notes = image["notes"] + facts.notes
        facts.base_image_annotations = [BaseImageAnnotation(name, digest, (doc.evidence(pointer),))
                                        for name, digest, pointer in image.get("base", ())]
        if image.get("index") is not None:
            facts = _with_attestations(facts, attestation_parts(doc, archive, image["index"], image))
        facts.inputs = [input_file(doc, fmt, facts, sha256, size)]
        return facts


def _with_attestations(facts: ImageFacts, parts: list[ImageFacts]) -> ImageFacts:
    """The image's facts joined with those of the attestations the layout carries about it."""
    if not parts:
        return facts
    from scc.facts.merge import merge_facts

    merged = merge_facts([facts, *parts])
    merged.filesystem, merged.config = facts.filesystem, facts.config
    return merged


def _file_digest(doc: InputDocument) -> tuple[str, int]:
    digest = hashlib.sha256()
    with open(doc.path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest(), doc.path.stat().st_size


# -- OCI layout --------------------------------------------------------------------------------
def _from_oci_index(doc: InputDocument, archive: Archive) -> dict[str, Any]:
    index = _obj(doc, _json(doc, archive.read("index.json"), "index.json"), "index.json")
    candidates: list[tuple[str, dict[str, Any], dict[str, Any], str]] = []
    _collect(doc, archive, index, "index.json", "/manifests", {}, candidates, 0)
    if not candidates:
        raise doc.fail("index.json: no image manifest found")
    platform, descriptor, top, pointer = _choose(doc, candidates)
    digest = _descriptor_digest(doc, descriptor, pointer)
    manifest = _obj(doc, _json(doc, _verified(doc, archive, digest, _blob(digest)), _blob(digest)), _blob(digest))
    config = _obj(doc, manifest.get("config"), f"{_blob(digest)}: config")
    layers = manifest.get("layers")
    if not isinstance(layers, list):
        raise doc.fail(f"{_blob(digest)}: layers: expected an array")
    layer_refs = [(_descriptor_digest(doc, _obj(doc, d, f"layers[{i}]"), f"layers[{i}]"), "")
                  for i, d in enumerate(layers)]
    name, tag = _oci_name(top.get("annotations"), archive, doc)
    config_digest = _descriptor_digest(doc, config, "config")
    notes = [f"{doc.display_path}: platform {platform} chosen among {len(candidates)} images"] if len(
        candidates) > 1 else []
    index_digests = [d["digest"] for d in index["manifests"] if isinstance(d, dict)
                     and d.get("mediaType") in _INDEX_TYPES and isinstance(d.get("digest"), str)]
    return {"config": config_digest, "config_name": _blob(config_digest), "layers": layer_refs,
            "name": name, "tag": tag, "digest": digest, "pointer": f"index.json#{pointer}", "notes": notes,
            "index": index, "index_digests": index_digests,
            "base": _base_annotations(manifest.get("annotations"), _blob(digest))}


def _base_annotations(annotations: Any, where: str) -> list[tuple[str, str, str]]:
    """The base image the manifest's annotations name, as written: [(name, digest, pointer)] (none or one)."""
    annotations = as_obj(annotations)
    name, digest = annotations.get(_BASE_NAME), annotations.get(_BASE_DIGEST)
    name, digest = (name if isinstance(name, str) else ""), (digest if isinstance(digest, str) else "")
    if not (name or digest):
        return []
    return [(name, digest, f"{where}#/annotations/{_BASE_NAME if name else _BASE_DIGEST}")]


def _collect(doc: InputDocument, archive: Archive, index: dict[str, Any], where: str, pointer: str,
             top: dict[str, Any], out: list, depth: int) -> None:
    manifests = index.get("manifests")
    if not isinstance(manifests, list) or depth > 3:
        raise doc.fail(f"{where}: manifests: expected an array")
    for i, descriptor in enumerate(manifests):
        descriptor = _obj(doc, descriptor, f"{where}: manifests[{i}]")
        if is_not_an_image(descriptor):   # attestations are read beside the image (referrers.py)
            continue
        outer = top or descriptor
        if descriptor.get("mediaType") in _INDEX_TYPES:
            digest = _descriptor_digest(doc, descriptor, f"{where}: manifests[{i}]")
            nested = _obj(doc, _json(doc, _verified(doc, archive, digest, _blob(digest)), _blob(digest)), _blob(digest))
            _collect(doc, archive, nested, _blob(digest), f"{pointer}/{i}", outer, out, depth + 1)
            continue
        platform = as_obj(descriptor.get("platform"))
        label = "/".join(str(platform[k]) for k in ("os", "architecture", "variant") if platform.get(k))
        out.append((label or "unknown", descriptor, outer, f"{pointer}/{i}"))


def _choose(doc: InputDocument, candidates: list) -> tuple:
    if len(candidates) == 1:
        return candidates[0]
    wanted = doc.context.platform
    for candidate in candidates:
        if candidate[0] == wanted or candidate[0].startswith(wanted + "/"):
            return candidate
    platforms = ", ".join(sorted({c[0] for c in candidates}))
    raise doc.fail(f"index.json lists {len(candidates)} images for platforms {platforms} and none is {wanted}; "
                   "set SCC_PLATFORM=os/arch to choose one")


def _oci_name(annotations: Any, archive: Archive, doc: InputDocument) -> tuple[str, str]:
    annotations = annotations if isinstance(annotations, dict) else {}
    for key in _NAME_ANNOTATIONS:
        value = str(annotations.get(key) or "")
        if "/" in value or ":" in value:
            name, tag, _ = split_image_reference(value)
            return name, tag
    if archive.exists("manifest.json"):   # Docker 25+ writes both; RepoTags names the image
        entries = _json(doc, archive.read("manifest.json"), "manifest.json")
        tags = entries[0].get("RepoTags") if isinstance(entries, list) and entries and isinstance(
            entries[0], dict) else None
        if isinstance(tags, list) and tags and isinstance(tags[0], str):
            name, tag, _ = split_image_reference(tags[0])
            return name, tag
    return "", str(annotations.get("org.opencontainers.image.ref.name") or "")


# -- docker save (legacy layout) ----------------------------------------------------------------
def _from_docker_manifest(doc: InputDocument, archive: Archive) -> dict[str, Any]:
    entries = _json(doc, archive.read("manifest.json"), "manifest.json")
    if not isinstance(entries, list) or not entries:
        raise doc.fail("manifest.json: expected a non-empty array of images")
    entry = _obj(doc, entries[0], "manifest.json[0]")
    config_name = entry.get("Config")
    layers = entry.get("Layers")
    if not isinstance(config_name, str) or not isinstance(layers, list) or not all(
            isinstance(x, str) for x in layers):
        raise doc.fail("manifest.json[0]: Config must be a string and Layers an array of strings")
    tags = [t for t in entry.get("RepoTags") or [] if isinstance(t, str)]
    name, tag, _ = split_image_reference(tags[0] if tags else "")
    stem = os.path.basename(config_name).removesuffix(".json")
    config_digest = f"sha256:{stem}" if len(stem) == 64 else ""
    notes = [(f"{doc.display_path}: legacy docker save carries no registry manifest, so no manifest digest; "
              f"image ID {config_digest or '(unknown)'}")]
    if len(entries) > 1:
        notes.append(f"{doc.display_path}: manifest.json lists {len(entries)} images; only the first is read")
    return {"config": config_digest, "config_name": config_name, "layers": [("", n) for n in layers],
            "name": name, "tag": tag, "digest": "", "pointer": "manifest.json#/0", "notes": notes}


# -- layers ------------------------------------------------------------------------------------
def _apply_layers(doc: InputDocument, archive: Archive, image: dict[str, Any], config: dict[str, Any]) -> VirtualFS:
    rootfs = as_obj(config.get("rootfs"))
    diff_ids = rootfs.get("diff_ids") if isinstance(rootfs.get("diff_ids"), list) else None
    if diff_ids is not None and len(diff_ids) != len(image["layers"]):
        raise doc.fail(f"the config lists {len(diff_ids)} diff_ids but the manifest {len(image['layers'])} layers")
    fs, budget = VirtualFS(), Budget(doc.context.image_limits)
    for i, (digest, name) in enumerate(image["layers"]):
        label = f"layer {i} ({digest or name})"
        with (archive.open_blob(digest) if digest else archive.open(name)) as blob:
            diff_id = apply_layer(fs, blob, i, budget, label, doc.fail)
            while blob.read(1024 * 1024):    # the rest of the blob, so its digest is checked
                pass
        if diff_ids is not None and diff_ids[i] != diff_id:
            raise doc.fail(f"{label}: uncompressed digest {diff_id} does not match the config's diff_id "
                           f"{diff_ids[i]}")
    return fs


READER = ImageLayoutReader()
