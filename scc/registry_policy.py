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
scc.admission_policy into the same model with each tool's own matching kept (``AllowEntry.kind``).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from scc.errors import InputError
from scc.facts.model import Evidence
from scc.imageref import ImageReference, split_registry
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


#: how an admission policy's entry matches, as its own tool matches (scc.admission_policy builds them)
KYVERNO, GATEKEEPER, SIGSTORE = "kyverno-pattern", "gatekeeper-prefix", "sigstore-glob"


@dataclass(frozen=True)
class AllowEntry:
    """One entry of the allow-list as written (a registry or a repository pattern), and where it is.

    ``kind`` says how it matches: ``registry`` / ``repository`` are scc's own (whole path components of
    the normalised name); ``kyverno-pattern``, ``gatekeeper-prefix`` and ``sigstore-glob`` are an admission
    policy's, compared as that tool compares them (the image as the pod writes it, or policy-controller's
    fully qualified name). Entries of different ``group`` must all admit an image (several Kyverno rules or
    Gatekeeper constraints each apply); within a group one is enough.
    """

    text: str                 # normalised for scc's own kinds: host lower case, index.docker.io -> docker.io
    evidence: Evidence        # the policy file, its sha256 and the YAML path (allow.repositories[2])
    kind: str = "repository"  # registry | repository | kyverno-pattern | gatekeeper-prefix | sigstore-glob
    group: str = ""

    def admits(self, name: str) -> bool:
        """Whether the normalised repository name ``name`` (registry/path) falls under this entry."""
        if self.kind == "registry":
            return name.partition("/")[0] == self.text
        if self.kind == "repository":
            return _pattern(self.text).fullmatch(name) is not None
        return self._admits_written(name, name)

    def admits_image(self, reference: ImageReference, written: str) -> bool:
        """Whether the image ``written`` (as the fact names it; ``reference`` normalised) falls under it."""
        if self.kind in ("registry", "repository"):
            return self.admits(reference.name)
        return self._admits_written(written, _qualified(reference))

    def _admits_written(self, written: str, qualified: str) -> bool:
        if self.kind == GATEKEEPER:
            return written.startswith(self.text)           # rego startswith(container.image, repo)
        if self.kind == KYVERNO:
            return _kyverno(self.text).fullmatch(written) is not None
        glob = _sigstore(self.text)                        # the qualified name, then the name as written
        return glob.fullmatch(qualified) is not None or glob.fullmatch(written) is not None

    def caveat(self, written: str) -> str:
        """Why admitting ``written`` proves less than "it comes from an approved registry" ('' when it does)."""
        where = self.evidence.pointer
        if self.kind == GATEKEEPER:
            following = written[len(self.text):len(self.text) + 1]
            if self.text.endswith("/") or following in ("", "/", ":", "@"):
                return ""
            return (f"{written} is admitted only because Gatekeeper compares plain string prefixes: "
                    f"{self.text!r} ({where}) admits {lookalike(self.text)} too, so a person confirms it "
                    "comes from the intended registry")
        if self.kind in (KYVERNO, SIGSTORE) and any(c in self.text.partition("/")[0] for c in "*?"):
            return (f"{written} is admitted by {self.text!r} ({where}), which does not fix the registry host, "
                    "so a person confirms it comes from an approved registry")
        return ""


@dataclass(frozen=True)
class BaseImageEntry:
    """An allowed base image: a repository pattern and, optionally, the only digests allowed of it."""

    repository: AllowEntry
    digests: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegistryPolicy:
    """An organisation's registry allow-list, as loaded from its file (see the module docstring)."""

    source: str
    sha256: str
    registries: tuple[AllowEntry, ...] = ()
    repositories: tuple[AllowEntry, ...] = ()
    base_images: tuple[BaseImageEntry, ...] = ()
    require_digest_image: bool = False
    require_digest_manifests: bool = False
    require_digest_base_images: bool = False
    approved_by: str = ""
    expires: date | None = None
    # an admission policy (scc.admission_policy) says what it is, where its parts are and what it does not do
    origin: str = ""                          # "Kyverno ClusterPolicy restrict-image-registries"
    allow_at: str = "allow"                   # the YAML path cited when an image is on no entry
    digest_image_at: str = "require-digest.image"
    digest_manifests_at: str = "require-digest.manifests"
    digest_scope: tuple[AllowEntry, ...] = ()  # images these admit must be pinned (Kyverno verifyDigest)
    restricts_sources: bool = True            # False: the policy requires digests but allows any registry
    judges_base_images: bool = True           # False: an admission policy governs what pods run, not builds
    limits: tuple[str, ...] = ()              # what the admission policy does not enforce, one sentence each

    def at(self, pointer: str) -> Evidence:
        """Evidence for the policy file at a YAML path (``require-digest.image``)."""
        return Evidence(self.source, self.sha256, pointer)

    @property
    def described(self) -> str:
        """The file, and for an admission policy what it is: 'the Kyverno ClusterPolicy x in policy.yaml'."""
        return f"the {self.origin} in {self.source}" if self.origin else self.source

    def allowing(self, name: str) -> AllowEntry | None:
        """The first allow: entry (registries, then repositories) that admits ``name``, or None."""
        return next((e for e in (*self.registries, *self.repositories) if e.admits(name)), None)

    def admitting(self, reference: ImageReference, written: str,
                  entries: tuple[AllowEntry, ...] | None = None) -> tuple[AllowEntry, ...]:
        """The entries that admit the image, one per group (empty: some group, so the policy, refuses it)."""
        candidates = self.entries if entries is None else entries
        chosen: list[AllowEntry] = []
        for group in dict.fromkeys(e.group for e in candidates):
            entry = next((e for e in candidates if e.group == group and e.admits_image(reference, written)), None)
            if entry is None:
                return ()
            chosen.append(entry)
        return tuple(chosen)

    def digest_required(self, reference: ImageReference | None, written: str, role: str) -> Evidence | None:
        """Where the policy requires the image (role ``image`` or ``manifest``) to be pinned by digest:
        a requirement on every image, or one on the images an entry names; None when it does not."""
        if role == "image" and self.require_digest_image:
            return self.at(self.digest_image_at)
        if role == "manifest" and self.require_digest_manifests:
            return self.at(self.digest_manifests_at)
        if reference is None:
            return None
        return next((e.evidence for e in self.digest_scope if e.admits_image(reference, written)), None)

    @property
    def entries(self) -> tuple[AllowEntry, ...]:
        return (*self.registries, *self.repositories)


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
        from scc.admission_policy import translate

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


def _qualified(reference: ImageReference) -> str:
    """The name policy-controller matches globs against: go-containerregistry's ``ref.Name()``
    (index.docker.io for Docker Hub, ``:latest`` when neither tag nor digest is given)."""
    registry = "index.docker.io" if reference.registry == "docker.io" else reference.registry
    name = f"{registry}/{reference.repository}"
    return f"{name}@{reference.digest}" if reference.digest else f"{name}:{reference.tag or 'latest'}"


def lookalike(prefix: str) -> str:
    """A name a plain prefix admits that the registry it names never served."""
    return f"{prefix}.evil.example/x" if "/" not in prefix else f"{prefix}-evil/x"


@lru_cache(maxsize=512)
def _kyverno(text: str) -> re.Pattern[str]:
    """Kyverno's wildcards: '*' any characters ('/' and ':' included), '?' any one; the whole string."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text), re.DOTALL)


@lru_cache(maxsize=512)
def _sigstore(text: str) -> re.Pattern[str]:
    """policy-controller's glob (pkg/apis/glob): '**' any characters, '*' any but '/'; the whole string."""
    parts = text.split("**")
    return re.compile(".*".join("[^/]*".join(re.escape(p) for p in part.split("*")) for part in parts))


@lru_cache(maxsize=512)
def _pattern(text: str) -> re.Pattern[str]:
    """registry/a/* -> everything beneath registry/a; '*' elsewhere stays within one path component."""
    registry, _, path = text.partition("/")
    beneath = path == "*" or path.endswith("/*")
    stem = path[:-2] if path.endswith("/*") else ("" if path == "*" else path)
    body = re.escape(registry) + "/" + "".join("[^/]*" if c == "*" else re.escape(c) for c in stem)
    if beneath:
        body += "/.+" if stem else ".+"
    return re.compile(body)
