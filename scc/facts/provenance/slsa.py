"""SLSA provenance (v0.1, v0.2, v1) and verification summaries, read into Provenance facts.

Owns reading the predicate: builder id, build type, source, materials, times, subjects and the
envelope's signing. It records what the attestation says and decides nothing: the SLSA Build level
those facts support is judged by the engine (scc/engine/slsa.py) from controls/slsa-builders.yaml.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from scc.clock import parse_time
from scc.facts.jsonfields import as_obj
from scc.facts.model import Evidence, Provenance

PROVENANCE_PREFIX = "https://slsa.dev/provenance/v"
VSA_PREFIX = "https://slsa.dev/verification_summary/v"
_SOURCE_DIGESTS = ("gitCommit", "sha1", "sha256", "sha512")


@dataclass(frozen=True)
class Signing:
    """What the envelope around a statement says about its signature."""

    envelope: str = "plain"            # plain, dsse, sigstore-bundle
    signed: bool = False
    verified: bool | None = None
    detail: str = "not signed: a plain in-toto statement"


def is_provenance(predicate_type: str) -> bool:
    return predicate_type.startswith(PROVENANCE_PREFIX)


def slsa_version(predicate_type: str) -> str:
    version = predicate_type.rsplit("/v", 1)[-1]
    return version if "." in version else f"{version}.0"


def provenance(statement: dict, predicate: dict, signing: Signing, evidence: Evidence) -> Provenance:
    predicate_type = statement["predicateType"]
    version = slsa_version(predicate_type)
    fields = _v1_fields(predicate) if not version.startswith("0.") else _v0_fields(predicate)
    record = Provenance(
        predicate_type=predicate_type,
        slsa_version=version,
        subjects=subjects(statement),
        envelope=signing.envelope,
        signed=signing.signed,
        signature_verified=signing.verified,
        signature_detail=signing.detail,
        evidence=(evidence,),
        **fields,
    )
    return record


def subjects(statement: dict) -> tuple[str, ...]:
    """'name@algorithm:hex' for each subject (sha256 preferred)."""
    out = []
    for subject in statement.get("subject") or []:
        if not isinstance(subject, dict):
            continue
        digest = as_obj(subject.get("digest"))
        algorithm = next((a for a in ("sha256", "sha512", *sorted(digest)) if a in digest), "")
        name = _text(subject.get("name"))
        out.append(f"{name}@{algorithm}:{digest[algorithm]}" if algorithm else name)
    return tuple(out)


def _v0_fields(predicate: dict) -> dict[str, Any]:
    """SLSA v0.1 (recipe) and v0.2 (buildType, invocation.configSource)."""
    recipe = _obj(predicate.get("recipe"))
    invocation = _obj(predicate.get("invocation"))
    config = _obj(invocation.get("configSource"))
    metadata = _obj(predicate.get("metadata"))
    materials = [m for m in predicate.get("materials") or [] if isinstance(m, dict)]
    repository, digest = _text(config.get("uri")), _digest(config.get("digest"))
    if not repository and materials:
        index = recipe.get("definedInMaterial")
        source = materials[index] if isinstance(index, int) and 0 <= index < len(materials) else next(
            (m for m in materials if not _text(m.get("uri")).startswith("pkg:")), {})   # a base image is no source
        repository, digest = _text(source.get("uri")), _digest(source.get("digest"))
    if repository and not digest:
        commit = re.search(r"/commit/([0-9a-f]{40})\b", repository)
        digest = f"sha1:{commit.group(1)}" if commit else ""
    return {
        "builder_id": _text(_obj(predicate.get("builder")).get("id")),
        "build_type": _text(predicate.get("buildType")) or _text(recipe.get("type")),
        "source_repository": repository,
        "source_digest": digest,
        "materials": tuple(_artifact(m) for m in materials),
        "started": parse_time(metadata.get("buildStartedOn")),
        "finished": parse_time(metadata.get("buildFinishedOn")),
    }


def _v1_fields(predicate: dict) -> dict[str, Any]:
    """SLSA v1: buildDefinition (external parameters, resolved dependencies) and runDetails."""
    definition = _obj(predicate.get("buildDefinition"))
    run = _obj(predicate.get("runDetails"))
    metadata = _obj(run.get("metadata"))
    external = _obj(definition.get("externalParameters"))
    dependencies = [d for d in definition.get("resolvedDependencies") or [] if isinstance(d, dict)]
    repository, digest = _v1_source(external, dependencies)
    return {
        "builder_id": _text(_obj(run.get("builder")).get("id")),
        "build_type": _text(definition.get("buildType")),
        "source_repository": repository,
        "source_digest": digest,
        "materials": tuple(_artifact(d) for d in dependencies),
        "started": parse_time(metadata.get("startedOn")),
        "finished": parse_time(metadata.get("finishedOn")),
    }


def _v1_source(external: dict, dependencies: list[dict]) -> tuple[str, str]:
    workflow = _obj(external.get("workflow"))
    source = external.get("source")
    repository = _text(workflow.get("repository"))
    digest = ""
    config = _obj(external.get("configSource"))    # BuildKit: the remote (git / http) build context
    if not repository and source is None and _text(config.get("uri")):
        repository, digest = _text(config.get("uri")), _digest(config.get("digest"))
    if isinstance(source, dict):
        repository, digest = repository or _text(source.get("uri")), _digest(source.get("digest"))
    elif isinstance(source, str):
        repository = repository or source
    stem = _repo_stem(repository)
    for dependency in dependencies:
        uri = _text(dependency.get("uri"))
        if (stem and _repo_stem(uri) == stem) or (not stem and uri.startswith("git+")):
            repository = repository or uri
            digest = digest or _digest(dependency.get("digest"))
            break
    return repository, digest


def _repo_stem(uri: str) -> str:
    """'git+https://github.com/o/r@refs/heads/main' and 'https://github.com/o/r' -> 'github.com/o/r'."""
    stem = uri.removeprefix("git+").split("@", 1)[0].split("://", 1)[-1]
    return stem.removesuffix(".git").rstrip("/").lower()


def _artifact(entry: dict) -> str:
    name = _text(entry.get("uri")) or _text(entry.get("name"))
    digest = _digest(entry.get("digest"))
    return f"{name} {digest}".strip()


def _digest(value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    for algorithm in (*_SOURCE_DIGESTS, *sorted(value)):
        if isinstance(value.get(algorithm), str):
            return f"{algorithm}:{value[algorithm]}"
    return ""


# -- verification summary attestations (VSA) ----------------------------------------------------
def verification_summary(statement: dict, predicate: dict, signing: Signing, evidence: Evidence) -> Provenance:
    """A verifier's claim about the subject. Recorded as such; it raises no level by itself."""
    verifier = _text(_obj(predicate.get("verifier")).get("id"))
    result = _text(predicate.get("verificationResult"))
    levels = [lv for lv in predicate.get("verifiedLevels") or [] if isinstance(lv, str)]
    policy = _text(_obj(predicate.get("policy")).get("uri"))
    resource = _text(predicate.get("resourceUri"))
    claim = (
        f"verification summary: {verifier or 'an unnamed verifier'} reports {result or 'no result'} for "
        f"{', '.join(levels) or 'no levels'}{' of ' + resource if resource else ''} at "
        f"{_text(predicate.get('timeVerified')) or 'an unstated time'}"
        f"{' against policy ' + policy if policy else ''}; scc did not repeat that verification"
    )
    return Provenance(
        predicate_type=statement["predicateType"],
        slsa_version=_text(predicate.get("slsaVersion")),
        builder_id="",
        subjects=subjects(statement),
        materials=tuple(_artifact(a) for a in predicate.get("inputAttestations") or [] if isinstance(a, dict)),
        finished=parse_time(predicate.get("timeVerified")),
        envelope=signing.envelope, signed=signing.signed, signature_verified=signing.verified,
        signature_detail=signing.detail,
        verification_result=result,
        verification_claim=claim,
        evidence=(evidence,),
    )


def _obj(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
