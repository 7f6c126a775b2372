"""The image references an assessment's facts name, and whether a registry allow-list admits each.

Three kinds, each as the readers recorded it (nothing here reads a file):

* the assessed image itself (``ImageIdentity``: name, tag, digest);
* its base image: the OCI annotations ``org.opencontainers.image.base.name`` / ``.base.digest`` of the
  image manifest (``ImageFacts.base_image_annotations``) or the image config's labels of those names,
  and every container image a SLSA provenance lists among its materials / resolved dependencies
  (``pkg:docker/...`` as BuildKit writes them, ``pkg:oci/...``): in a multi-stage build that is every
  ``FROM`` image and the Dockerfile frontend, which all ran in the build;
* every image a deployment manifest names (``ImageFacts.manifest_images``).

Judging a reference against the policy (``admit``) is the engine's part; the checks in
scc.engine.checks.allow_list turn the judgements into verdicts.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from scc.facts.model import Evidence, ImageFacts, Provenance
from scc.imageref import ImageReference, InvalidReference, parse_reference
from scc.registry_policy import AllowEntry, RegistryPolicy

_BASE_NAME, _BASE_DIGEST = "org.opencontainers.image.base.name", "org.opencontainers.image.base.digest"


@dataclass(frozen=True)
class NamedImage:
    """An image reference a fact names: the text as written, what it is to this image, and where."""

    text: str
    role: str                         # image | base image (annotation) | base image (label) | build material | manifest
    evidence: tuple[Evidence, ...]
    digest: str = ""                  # a digest recorded beside the name (base.digest, the material's digest)
    where: str = ""                   # "Deployment/prod/api container api" for a manifest image
    about_this_image: bool = True     # False: from provenance that does not name this image's digest

    @property
    def label(self) -> str:
        return f"{self.text} ({self.where})" if self.where else self.text

    @property
    def written(self) -> str:
        """The reference as a pod would carry it: the text, with the digest recorded beside it."""
        return f"{self.text}@{self.digest}" if self.digest and "@" not in self.text else self.text

    def reference(self) -> ImageReference:
        """The normalised reference, with the digest recorded beside it (InvalidReference when none)."""
        parsed = parse_reference(self.text)
        if self.digest and not parsed.digest:
            try:
                parsed = parse_reference(f"{self.text}@{self.digest}")
            except InvalidReference:     # a digest the grammar refuses pins nothing; the name still counts
                pass
        return parsed


@dataclass(frozen=True)
class Admission:
    """One image judged against the allow-list: its reference (None: unreadable) and the entry admitting it."""

    image: NamedImage
    reference: ImageReference | None
    entry: AllowEntry | None = None
    problem: str = ""                 # why the reference could not be read
    also: tuple[AllowEntry, ...] = ()  # the entries of the policy's other groups that admit it too

    @property
    def admitted(self) -> bool:
        return self.entry is not None

    @property
    def caveat(self) -> str:
        """Why the admission proves less than an approved source ('' when it does not): a prefix or a
        wildcard host that a look-alike registry would pass too."""
        entries = (self.entry, *self.also) if self.entry else ()
        return next((c for c in (e.caveat(self.image.written) for e in entries) if c), "")

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        entries = (self.entry, *self.also) if self.entry else ()
        return (*self.image.evidence, *(e.evidence for e in entries))


def admit(image: NamedImage, policy: RegistryPolicy, entries: tuple[AllowEntry, ...] | None = None) -> Admission:
    """``image`` judged against ``entries`` (default: the policy's allow: registries and repositories)."""
    try:
        reference = image.reference()
    except InvalidReference as exc:
        return Admission(image, None, problem=str(exc))
    chosen = policy.admitting(reference, image.written, entries)
    return Admission(image, reference, chosen[0] if chosen else None, also=chosen[1:])


def assessed_image(facts: ImageFacts) -> NamedImage | None:
    """The assessed image's own reference (None when no input named it)."""
    identity = facts.identity
    if not identity.name:
        return None
    text = identity.name + (f":{identity.tag}" if identity.tag else "")
    return NamedImage(text, "image", identity.evidence[:3], digest=identity.digest)


def base_images(facts: ImageFacts, purl_types: tuple[str, ...] = ("docker", "oci")) -> list[NamedImage]:
    """Every base (or build-stage) image the facts name, in input order, one per reference and role."""
    found = [NamedImage(a.name or "", "base image (annotation)", a.evidence, digest=a.digest)
             for a in facts.base_image_annotations if a.name]
    found += _label_base(facts)
    digest = facts.identity.digest
    for record in facts.provenance:
        covers = not digest or any(s.endswith(f"@{digest}") for s in record.subjects)
        for index, material in enumerate(record.materials):
            text, material_digest = _material_reference(material, purl_types)
            if text:
                found.append(NamedImage(text, "build material", _material_evidence(record, index),
                                        digest=material_digest, about_this_image=covers))
    return list({(n.text, n.digest, n.role): n for n in found}.values())


def manifest_images(facts: ImageFacts) -> list[NamedImage]:
    """Every image a deployment manifest names, with its workload and container."""
    return [NamedImage(m.reference, "manifest", (m.evidence,), where=f"{m.workload} container {m.container}")
            for m in facts.manifest_images]


def _material_evidence(record: Provenance, index: int) -> tuple[Evidence, ...]:
    """The material's own spot when the evidence points at a SLSA predicate (v0.x materials, v1
    resolvedDependencies), else the provenance record's evidence."""
    member = {"0.1": "materials", "0.2": "materials", "1.0": "buildDefinition/resolvedDependencies"}.get(
        record.slsa_version)
    if member is None or not record.predicate_type.startswith("https://slsa.dev/provenance/"):
        return record.evidence
    return tuple(Evidence(e.source, e.sha256, f"{e.pointer}/{member}/{index}") if e.pointer.endswith("predicate")
                 else e for e in record.evidence)


def _label_base(facts: ImageFacts) -> list[NamedImage]:
    config = facts.config
    if config is None or not config.labels.get(_BASE_NAME):
        return []
    at = config.field_evidence.get("labels")
    evidence = (Evidence(at.source, at.sha256, f"{at.pointer}/{_escape(_BASE_NAME)}"),) if at else tuple(config.evidence[:1])
    return [NamedImage(config.labels[_BASE_NAME], "base image (label)", evidence,
                       digest=config.labels.get(_BASE_DIGEST, ""))]


def _material_reference(material: str, purl_types: tuple[str, ...]) -> tuple[str, str]:
    """'pkg:docker/nginx@1.27?platform=linux%2Famd64 sha256:ab..' -> ('nginx:1.27', 'sha256:ab..');
    ('', '') for a material that is not a container image."""
    from packageurl import PackageURL

    uri, _, digest = material.partition(" ")
    if not uri.startswith("pkg:"):
        return "", ""
    try:
        purl = PackageURL.from_string(uri)
    except ValueError:
        return "", ""
    if purl.type not in purl_types:
        return "", ""
    qualifiers = purl.qualifiers if isinstance(purl.qualifiers, dict) else {}
    repository = str(qualifiers.get("repository_url") or "")
    name = "/".join(p for p in (purl.namespace, purl.name) if p)
    if repository:
        name = repository if purl.type == "oci" else f"{repository.rstrip('/')}/{name}"
    version = unquote(purl.version or "")
    if ":" in version and not digest:       # pkg:oci/debian@sha256%3A...: the version is the digest
        digest, version = version, ""
    text = name + (f":{version}" if version and ":" not in version else "")
    return text, digest.strip()


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
