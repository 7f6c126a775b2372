"""SLSA provenance (v0.1, v0.2, v1) and verification summaries, and the SLSA Build level they support.

Owns reading the provenance predicate into a Provenance fact, and judging the level from the facts
alone: L1 provenance exists; L2 a hosted build platform signed it; L3 the builder is one known to
run hardened, isolated builds with non-falsifiable provenance. Which builders count is data in
controls/slsa-builders.yaml, never code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from scc.clock import parse_time
from scc.errors import RulePackError
from scc.facts.model import Evidence, Provenance
from scc.yamlsafe import YamlRefused, load_file

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


@dataclass(frozen=True)
class KnownBuilder:
    id: str
    name: str
    level: int
    reference: str = ""


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
    level, requirements = assess_level(record)
    return replace(record, slsa_level=level, requirements=requirements)


def subjects(statement: dict) -> tuple[str, ...]:
    """'name@algorithm:hex' for each subject (sha256 preferred)."""
    out = []
    for subject in statement.get("subject") or []:
        if not isinstance(subject, dict):
            continue
        digest = subject.get("digest") if isinstance(subject.get("digest"), dict) else {}
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


# -- the SLSA Build level the facts support -----------------------------------------------------
def assess_level(record: Provenance) -> tuple[int, tuple[tuple[str, bool, str], ...]]:
    builder = known_builder(record.builder_id)
    l1 = ("SLSA Build L1: provenance exists", True,
          f"SLSA provenance v{record.slsa_version} from builder {record.builder_id or '(unnamed)'}")
    hosted = builder is not None and builder.level >= 2
    l2_hosted = ("SLSA Build L2: hosted build platform", hosted,
                 f"builder id is {builder.name} (controls/slsa-builders.yaml)" if hosted
                 else f"builder id {record.builder_id or '(none)'} is not a hosted build platform listed "
                      "in controls/slsa-builders.yaml")
    l2_signed = ("SLSA Build L2: provenance authenticity (signed)", _authentic(record), _signature_why(record))
    hardened = builder is not None and builder.level >= 3
    l3 = ("SLSA Build L3: hardened build platform (isolated, non-falsifiable provenance)", hardened,
          f"{builder.name} is listed as meeting L3 ({builder.reference})" if hardened
          else "no evidence: only a builder listed at level 3 in controls/slsa-builders.yaml shows "
               "isolated builds and provenance the tenant cannot forge")
    requirements = (l1, l2_hosted, l2_signed, l3)
    level = 1
    if l2_hosted[1] and l2_signed[1]:
        level = 3 if hardened else 2
    return level, requirements


def _authentic(record: Provenance) -> bool:
    return record.signed and record.signature_verified is not False


def _signature_why(record: Provenance) -> str:
    if not record.signed:
        return f"the provenance is not signed ({record.envelope} statement)"
    if record.signature_verified is False:
        return f"the signature does NOT verify: {record.signature_detail}"
    if record.signature_verified is None:
        return f"signed ({record.envelope}); {record.signature_detail}"
    return f"signed ({record.envelope}) and verified: {record.signature_detail}"


def known_builder(builder_id: str) -> KnownBuilder | None:
    if not builder_id.strip():
        return None    # BuildKit's default "": no builder named, never a hosted platform
    for builder in load_builders():
        if builder_id == builder.id or (builder_id.startswith(builder.id) and builder_id[len(builder.id)] in "@?#"):
            return builder
    return None


@lru_cache(maxsize=1)
def load_builders() -> tuple[KnownBuilder, ...]:
    from scc.resources import pack_dir

    path = pack_dir("controls") / "slsa-builders.yaml"
    try:
        document = load_file(path)
        entries = document["builders"]
        return tuple(
            KnownBuilder(str(e["id"]), str(e.get("name") or e["id"]), int(e["level"]), str(e.get("reference", "")))
            for e in entries
        )
    except (YamlRefused, KeyError, TypeError, ValueError) as exc:
        raise RulePackError(f"{path}: cannot read the SLSA builder list ({exc})") from exc


# -- verification summary attestations (VSA) ----------------------------------------------------
def verification_summary(statement: dict, predicate: dict, signing: Signing, evidence: Evidence) -> Provenance:
    """A verifier's claim about the subject. Recorded as such; it raises no level by itself."""
    verifier = _text(_obj(predicate.get("verifier")).get("id"))
    result = _text(predicate.get("verificationResult"))
    levels = [lv for lv in predicate.get("verifiedLevels") or [] if isinstance(lv, str)]
    policy = _text(_obj(predicate.get("policy")).get("uri"))
    claim = (
        f"verification summary: {verifier or 'an unnamed verifier'} reports {result or 'no result'} for "
        f"{', '.join(levels) or 'no levels'} at {_text(predicate.get('timeVerified')) or 'an unstated time'}"
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
        slsa_level=0,
        requirements=(("verification summary from a verifier", result.upper() == "PASSED", claim),),
        evidence=(evidence,),
    )


def _obj(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
