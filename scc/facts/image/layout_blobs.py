"""Blobs of an OCI image layout: named by digest, checked against it, parsed as JSON objects.

Shared by the image reader (image_layout.py) and the attestations beside the image (referrers.py).
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from scc.facts.image.image_archive import Archive
from scc.facts.source import InputDocument

INDEX_TYPES = ("application/vnd.oci.image.index.v1+json",
               "application/vnd.docker.distribution.manifest.list.v2+json")


def json_of(doc: InputDocument, data: bytes, where: str) -> Any:
    """The blob parsed as JSON; an input error naming ``where`` when it is not."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise doc.fail(f"{where}: not valid JSON ({exc})") from exc


def verified(doc: InputDocument, archive: Archive, digest: str, name: str) -> bytes:
    """The blob's bytes, refused when they do not hash to ``digest``."""
    data = archive.read(name)
    algorithm, _, expected = digest.partition(":")
    if algorithm in ("sha256", "sha512") and hashlib.new(algorithm, data).hexdigest() != expected:
        raise doc.fail(f"{name}: content does not match its digest {digest}")
    return data


def object_at(doc: InputDocument, value: Any, where: str) -> dict[str, Any]:
    """``value`` when it is a JSON object; an input error naming ``where`` otherwise."""
    if not isinstance(value, dict):
        raise doc.fail(f"{where}: expected an object")
    return value


def descriptor_digest(doc: InputDocument, descriptor: dict[str, Any], where: str) -> str:
    """The descriptor's 'algorithm:hex' digest."""
    digest = descriptor.get("digest")
    if not isinstance(digest, str) or ":" not in digest:
        raise doc.fail(f"{where}.digest: expected 'sha256:<hex>'")
    return digest


def blob_path(digest: str) -> str:
    """Where the layout keeps the blob of ``digest``: blobs/<algorithm>/<hex>."""
    algorithm, _, hexdigest = digest.partition(":")
    return f"blobs/{algorithm}/{hexdigest}"
