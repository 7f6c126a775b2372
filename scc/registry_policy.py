"""The organisation's registry allow-list: where images may come from (``--registry-policy FILE``).

    registry-policy: 1                      # the schema version (required)
    approved-by: J. Smith, ISSM             # optional: who approved this allow-list
    expires: 2027-06-30                     # optional: after this day the policy decides nothing
    allow:
      registries:                           # every repository on these registries: host[:port], exact
        - registry.example.mil
      repositories:                         # repository patterns, registry always named
        - registry1.dso.mil/ironbank/*      # '/*' at the end: every repository beneath, any depth
        - docker.io/library/alpine          # exactly this repository
        - ghcr.io/example/app-*             # '*' elsewhere: any characters within one path component
    require-digest:                         # each defaults to false
      image: true                           # the assessed image is identified by digest
      manifests: true                       # every image a deployment manifest names is @sha256:... pinned
      base-images: true                     # the base image is recorded with its digest
    base-images:                            # optional; without it base images are judged by allow:
      - registry1.dso.mil/ironbank/redhat/ubi/*
      - repository: docker.io/library/debian
        digests: [sha256:...]               # optional: only these builds of it

Patterns and references are compared after the normalisation of :mod:`scc.imageref` (docker.io
default, ``library/`` for single Hub names, ``index.docker.io`` → ``docker.io``, host names
case-insensitive). A pattern matches whole path components, so ``registry.example.mil/hardened/*``
does not admit ``registry.example.mil/hardened-evil/x`` nor ``registry.example.mil.evil.com/...``
(the prefix bypass Gatekeeper's k8sallowedrepos warns about). A registry entry with a port admits
that port only; one without admits the host on its default port only.

The file is read with scc.yamlsafe (1 MiB, no anchors or aliases, bounded nesting); an unknown key,
a wrong type, a pattern that names no registry or an impossible date is an InputError naming the
file and the entry. Loading only reads: the engine decides with the policy (scc.engine.checks.allow_list).

A file whose documents carry ``apiVersion`` and ``kind`` is an admission policy instead (a Kyverno
ClusterPolicy, a Gatekeeper K8sAllowedRepos constraint, a Sigstore ClusterImagePolicy), translated by
scc.admission_policy into the same model (scc.registry_model) with each tool's own matching kept
(``AllowEntry.kind``).
"""
from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path
from typing import Any

from scc.admission_policy import translate
from scc.errors import InputError
from scc.facts.model import Evidence
from scc.imageref import split_registry
from scc.registry_model import AllowEntry, BaseImageEntry, RegistryPolicy
from scc.yamlsafe import MAX_BYTES, YamlRefused, load_all_text

__all__ = ["SCHEMA_VERSION", "AllowEntry", "BaseImageEntry", "RegistryPolicy", "load_registry_policy"]

SCHEMA_VERSION = 1
_TOP_KEYS = frozenset(("registry-policy", "approved-by", "expires", "allow", "require-digest", "base-images",
                       "description"))
_ALLOW_KEYS = frozenset(("registries", "repositories"))
_DIGEST_KEYS = frozenset(("image", "manifests", "base-images"))
_BASE_KEYS = frozenset(("repository", "digests"))
_HOST = re.compile(r"(?:localhost|\[[0-9a-f:]+\]|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+)"
                   r"(?::[0-9]{1,5})?", re.ASCII)
_PATH = re.compile(r"[a-z0-9*](?:[a-z0-9._*-]|/(?=[a-z0-9*]))*", re.ASCII)
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128}", re.ASCII)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def load_registry_policy(path: Path | str) -> RegistryPolicy:
    """The registry policy in ``path``; anything malformed is an InputError naming the file and the entry.

    scc's own file (``registry-policy: 1``) or, sniffed by ``apiVersion``/``kind``, admission policies
    (scc.admission_policy): Kyverno ClusterPolicy/Policy, Gatekeeper K8sAllowedRepos, Sigstore
    ClusterImagePolicy, several of them in one ``---``-separated file."""
    source = str(path)
    data = _read(path)
    digest = hashlib.sha256(data).hexdigest()
    try:
        documents = [d for d in load_all_text(data.decode("utf-8-sig")) if d.data is not None]
    except UnicodeDecodeError as exc:
        raise InputError(source, f"cannot read registry policy: not UTF-8 text (byte {exc.start})") from exc
    except YamlRefused as exc:
        raise InputError(source, f"cannot read registry policy: {exc}") from exc
    if any(isinstance(d.data, dict) and "apiVersion" in d.data for d in documents):
        return translate(source, digest, documents)
    if len(documents) != 1 or not isinstance(documents[0].data, dict):
        raise InputError(source, "a registry policy is a mapping starting with 'registry-policy: 1', or Kyverno, "
                                 "Gatekeeper or Sigstore admission policies (apiVersion, kind)")
    document = documents[0].data
    _known(source, "the top level", document, _TOP_KEYS)
    version = document.get("registry-policy")
    if version != SCHEMA_VERSION or isinstance(version, bool):
        raise InputError(source, f"registry-policy: expected schema version {SCHEMA_VERSION}, not {version!r}")
    evidence = Evidence(source, digest)
    allow = _mapping(source, "allow", document.get("allow"), required=True)
    _known(source, "allow", allow, _ALLOW_KEYS)
    required = _mapping(source, "require-digest", document.get("require-digest"))
    _known(source, "require-digest", required, _DIGEST_KEYS)
    return RegistryPolicy(
        source=source, sha256=digest,
        registries=tuple(_registry(source, evidence, f"allow.registries[{i}]", value)
                         for i, value in enumerate(_list(source, "allow.registries", allow.get("registries")))),
        repositories=tuple(_repository(source, evidence, f"allow.repositories[{i}]", value)
                           for i, value in enumerate(_list(source, "allow.repositories", allow.get("repositories")))),
        base_images=tuple(_base_image(source, evidence, f"base-images[{i}]", value)
                          for i, value in enumerate(_list(source, "base-images", document.get("base-images")))),
        require_digest_image=_flag(source, "require-digest.image", required.get("image")),
        require_digest_manifests=_flag(source, "require-digest.manifests", required.get("manifests")),
        require_digest_base_images=_flag(source, "require-digest.base-images", required.get("base-images")),
        approved_by=_text(source, "approved-by", document.get("approved-by")),
        expires=_expiry(source, document.get("expires")),
    )


def _read(path: Path | str) -> bytes:
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(str(path), f"cannot read registry policy: {exc.strerror or exc}") from exc
    if len(data) > MAX_BYTES:
        raise InputError(str(path), "cannot read registry policy: larger than 1 MiB")
    return data


def _known(source: str, where: str, mapping: dict[Any, Any], keys: frozenset[str]) -> None:
    unknown = sorted(map(str, set(mapping) - keys))
    if unknown:
        raise InputError(source, f"{where}: unknown key {', '.join(map(repr, unknown))} "
                                 f"(known: {', '.join(sorted(keys))})")


def _mapping(source: str, where: str, value: Any, required: bool = False) -> dict[Any, Any]:
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise InputError(source, f"{where}: must be a mapping" + (" (it is required)" if value is None else ""))
    return value


def _list(source: str, where: str, value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(source, f"{where}: must be a list")
    return value


def _text(source: str, where: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(source, f"{where}: must be text, not {type(value).__name__}")
    return value.strip()


def _flag(source: str, where: str, value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InputError(source, f"{where}: must be true or false, not {value!r}")
    return value


def _expiry(source: str, value: Any) -> date | None:
    text = _text(source, "expires", value)
    if not text:
        return None
    if not _ISO_DAY.fullmatch(text):
        raise InputError(source, f"expires: must be a date (YYYY-MM-DD), not {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(source, f"expires: {text} is not a real date ({exc})") from exc


def _registry(source: str, evidence: Evidence, where: str, value: Any) -> AllowEntry:
    text = _canonical_host(_text(source, where, value))
    if not _HOST.fullmatch(text):
        raise InputError(source, f"{where}: {value!r} is not a registry host[:port] (e.g. registry.example.mil)")
    return AllowEntry(text, Evidence(evidence.source, evidence.sha256, where), kind="registry")


def _repository(source: str, evidence: Evidence, where: str, value: Any) -> AllowEntry:
    text = _text(source, where, value)
    registry, slash, path = text.partition("/")
    registry = _canonical_host(registry)
    if not slash or not _HOST.fullmatch(registry):
        raise InputError(source, f"{where}: {value!r} must name its registry first "
                                 "(e.g. docker.io/library/nginx, registry.example.mil/hardened/*)")
    if not _PATH.fullmatch(path):
        raise InputError(source, f"{where}: {value!r} is not a repository pattern (lower-case path components, "
                                 "'*' for any characters within one, '/*' at the end for everything beneath; "
                                 "no tag or digest)")
    return AllowEntry(f"{registry}/{path}", Evidence(evidence.source, evidence.sha256, where))


def _base_image(source: str, evidence: Evidence, where: str, value: Any) -> BaseImageEntry:
    if not isinstance(value, dict):
        return BaseImageEntry(_repository(source, evidence, where, value))
    _known(source, where, value, _BASE_KEYS)
    repository = _repository(source, evidence, where, value.get("repository"))
    digests = []
    for i, item in enumerate(_list(source, f"{where}.digests", value.get("digests"))):
        text = _text(source, f"{where}.digests[{i}]", item)
        if not _DIGEST.fullmatch(text):
            raise InputError(source, f"{where}.digests[{i}]: {text!r} is not a digest (sha256:<64 lower-case hex>)")
        digests.append(text)
    return BaseImageEntry(repository, tuple(digests))


def _canonical_host(registry: str) -> str:
    host, port = split_registry(registry)
    host = "docker.io" if host == "index.docker.io" else host
    return f"{host}:{port}" if port else host
