"""The registry allow-list as scc holds it: entries, base images and the policy (loaded by scc.registry_policy,
translated from admission policies by scc.admission_policy).

Each entry matches as the tool it came from matches: scc's own patterns by whole path components of the
normalised name; Kyverno patterns, Gatekeeper prefixes and policy-controller globs as those tools compare
them (see docs/registry-policy.md).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from scc.facts.model import Evidence
from scc.imageref import ImageReference

__all__ = ["GATEKEEPER", "KYVERNO", "SIGSTORE", "AllowEntry", "BaseImageEntry", "RegistryPolicy", "lookalike"]

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
