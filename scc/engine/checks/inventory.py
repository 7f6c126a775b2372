"""Inventory checks (CM-8): an SBOM exists, its entries are identifiable, it covers what scanners saw.

Also the image's own metadata labels (who built it from which source revision) and superseded
OS packages left behind (SI-2(6)).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from scc.engine.checks import CheckContext, check
from scc.engine.checks.support import (
    capped,
    component_label,
    gather,
    listing,
    manual,
    outcome,
    plural,
    sbom_components,
    sbom_sources,
)
from scc.engine.model import CheckOutcome, Verdict
from scc.engine.params import CheckParams
from scc.facts.identity import _OS_PACKAGE_TYPES, PURL_CACHE_SIZE, normalise_purl
from scc.facts.model import Component, Evidence, ImageFacts

_NO_SBOM = "No SBOM was supplied; supply a CycloneDX, SPDX or Syft SBOM of the image to decide this."


@dataclass(frozen=True)
class SbomPresentParams(CheckParams):
    """Parameters of `sbom_present` (rule packs set them under ``params:``)."""

    min_components: int = 1


@check("sbom_present", SbomPresentParams, consults=("sboms", "components"))
def sbom_present(facts: ImageFacts, params: SbomPresentParams, ctx: CheckContext) -> CheckOutcome:
    """An SBOM of the image was supplied and lists at least `min_components` components."""
    if not facts.sboms:
        return manual(_NO_SBOM)
    listed = sbom_components(facts)
    formats = sorted({f"{s.format} {s.spec_version}".strip() for s in facts.sboms})
    evidence = gather(facts.sboms)
    details = {
        "sbom_count": len(facts.sboms),
        "formats": formats,
        "component_count": len(listed),
        "tools": sorted({s.tool for s in facts.sboms if s.tool}),
    }
    if len(listed) < params.min_components:
        return outcome(
            Verdict.NOT_SATISFIED,
            f"The supplied SBOM ({', '.join(formats)}) lists {plural(len(listed), 'component')}, "
            f"fewer than the {params.min_components} an inventory of an image needs.",
            evidence,
            **details,
        )
    return outcome(
        Verdict.SATISFIED,
        f"An SBOM ({', '.join(formats)}) inventories {plural(len(listed), 'component')} of the image.",
        evidence,
        **details,
    )


@dataclass(frozen=True)
class SbomFieldsCompleteParams(CheckParams):
    """Parameters of `sbom_fields_complete` (rule packs set them under ``params:``)."""

    required_fields: list[str] = field(default_factory=lambda: ["name", "version", "purl"])
    ignore_types: list[str] = field(default_factory=lambda: ["file", "operating-system"])
    min_complete_percent: float = 90.0


@check("sbom_fields_complete", SbomFieldsCompleteParams, consults=("sboms", "components"))
def sbom_fields_complete(
    facts: ImageFacts, params: SbomFieldsCompleteParams, ctx: CheckContext
) -> CheckOutcome:
    """Every SBOM component carries the identifying fields (name, version, purl by default)."""
    if not facts.sboms:
        return manual(_NO_SBOM)
    ignored = {t.lower() for t in params.ignore_types}
    listed = [c for c in sbom_components(facts) if c.type.lower() not in ignored]
    if not listed:
        return outcome(
            Verdict.NOT_SATISFIED, "The SBOM lists no package components to identify.", gather(facts.sboms)
        )
    missing: dict[str, list[str]] = {f: [] for f in params.required_fields}
    incomplete: list[Component] = []
    for component in listed:
        gaps = [f for f in params.required_fields if not str(getattr(component, f, "") or "").strip()]
        for field_name in gaps:
            missing[field_name].append(component_label(component) or component.bom_ref or "(unnamed)")
        if gaps:
            incomplete.append(component)
    complete_pct = round(100.0 * (len(listed) - len(incomplete)) / len(listed), 1)
    details = {
        "checked": len(listed),
        "incomplete": len(incomplete),
        "complete_percent": complete_pct,
        "missing": {f: capped(names) for f, names in missing.items() if names},
    }
    fields = ", ".join(params.required_fields)
    if not incomplete:
        return outcome(
            Verdict.SATISFIED,
            f"All {len(listed)} SBOM package components have {fields}.",
            gather(facts.sboms),
            **details,
        )
    gaps_text = "; ".join(f"{len(names)} without {f}" for f, names in missing.items() if names)
    verdict = Verdict.PARTIAL if complete_pct >= params.min_complete_percent else Verdict.NOT_SATISFIED
    return outcome(
        verdict,
        f"{len(incomplete)} of {len(listed)} SBOM package components lack an identifying field "
        f"({gaps_text}; e.g. {listing(component_label(c) for c in incomplete)}); "
        f"{complete_pct}% are complete.",
        gather(facts.sboms) + gather(incomplete, 20),
        **details,
    )


@dataclass(frozen=True)
class SbomCoversScannedPackagesParams(CheckParams):
    """Parameters of `sbom_covers_scanned_packages` (rule packs set them under ``params:``)."""

    min_coverage_percent: float = 95.0


@check(
    "sbom_covers_scanned_packages", SbomCoversScannedPackagesParams,
    consults=("sboms", "components", "findings", "scans"),
)
def sbom_covers_scanned_packages(
    facts: ImageFacts, params: SbomCoversScannedPackagesParams, ctx: CheckContext
) -> CheckOutcome:
    """Packages seen by scanners or the image filesystem that the SBOM does not list (coverage %)."""
    if not facts.sboms:
        return manual(_NO_SBOM)
    listed = sbom_components(facts)
    purls = {normalise_purl(c.purl) for c in listed} - {""}
    pairs = {(c.name.lower(), c.version) for c in listed}
    seen = _seen_elsewhere(facts)
    if not seen:
        return manual(
            "No scanner report or filesystem listed packages to compare with the SBOM; supply a "
            "package-listing scan (e.g. Trivy JSON) or the image filesystem to measure coverage."
        )
    absent = {
        label: ev
        for label, (purl, name, version, ev) in seen.items()
        if normalise_purl(purl) not in purls and (name.lower(), version) not in pairs
    }
    covered_pct = round(100.0 * (len(seen) - len(absent)) / len(seen), 1)
    details = {
        "seen": len(seen),
        "absent": capped(sorted(absent)),
        "coverage_percent": covered_pct,
        "sbom_components": len(listed),
    }
    evidence = (
        gather(facts.sboms) + gather(facts.scans) + [e for evs in list(absent.values())[:20] for e in evs]
    )
    if not absent:
        return outcome(
            Verdict.SATISFIED,
            f"The SBOM lists all {plural(len(seen), 'package')} that scanners or the filesystem reported.",
            evidence,
            **details,
        )
    verdict = Verdict.PARTIAL if covered_pct >= params.min_coverage_percent else Verdict.NOT_SATISFIED
    return outcome(
        verdict,
        f"The SBOM lacks {len(absent)} of {plural(len(seen), 'package')} that scanners or the "
        f"filesystem reported ({listing(sorted(absent))}); coverage {covered_pct}%.",
        evidence,
        **details,
    )


def _seen_elsewhere(facts: ImageFacts) -> dict[str, tuple[str, str, str, list[Evidence]]]:
    """label -> (purl, name, version, evidence) for packages reported by inputs other than SBOMs."""
    sources = sbom_sources(facts)
    seen: dict[str, tuple[str, str, str, list[Evidence]]] = {}
    for component in facts.components:
        others = [e for e in component.evidence if e.source not in sources]
        if others and component.type.lower() not in ("file", "operating-system"):
            seen.setdefault(
                component_label(component), (component.purl, component.name, component.version, others[:1])
            )
    for finding in facts.findings:
        if finding.package:
            label = f"{finding.package} {finding.installed_version}".strip()
            seen.setdefault(
                label, (finding.purl, finding.package, finding.installed_version, finding.evidence[:1])
            )
    return seen


@dataclass(frozen=True)
class ImageLabelsParams(CheckParams):
    """Parameters of `image_labels` (rule packs set them under ``params:``)."""

    required: list[str] = field(default_factory=lambda: [
        "org.opencontainers.image.source",
        "org.opencontainers.image.revision",
        "org.opencontainers.image.created",
    ])


@check("image_labels", ImageLabelsParams, consults=("config.labels",))
def image_labels(facts: ImageFacts, params: ImageLabelsParams, ctx: CheckContext) -> CheckOutcome:
    """The image config carries the required metadata labels (OCI annotations by default)."""
    if facts.config is None:
        return manual(
            "No image config was supplied; supply `docker inspect` output or the OCI image config "
            "to read the image's labels."
        )
    required = params.required
    present = [k for k in required if str(facts.config.labels.get(k, "")).strip()]
    absent = [k for k in required if k not in present]
    labels_evidence = facts.config.field_evidence.get("labels")
    evidence = [labels_evidence] if labels_evidence else list(facts.config.evidence[:1])
    details = {"present": present, "absent": absent, "values": {k: facts.config.labels[k] for k in present}}
    if not absent:
        return outcome(
            Verdict.SATISFIED,
            f"The image config declares all required labels ({', '.join(required)}).",
            evidence,
            **details,
        )
    verdict = Verdict.PARTIAL if present else Verdict.NOT_SATISFIED
    return outcome(
        verdict,
        f"The image config lacks {plural(len(absent), 'required label')}: {', '.join(absent)}.",
        evidence,
        **details,
    )


@dataclass(frozen=True)
class NoSupersededPackagesParams(CheckParams):
    """Parameters of `no_superseded_packages` (rule packs set them under ``params:``)."""

    package_types: list[str] = field(default_factory=lambda: ["apk", "deb", "rpm"])


@check("no_superseded_packages", NoSupersededPackagesParams, consults=("components",))
def no_superseded_packages(
    facts: ImageFacts, params: NoSupersededPackagesParams, ctx: CheckContext
) -> CheckOutcome:
    """No OS package is installed in two versions (an old version left behind after an update)."""
    if not facts.components:
        return manual("No component inventory was supplied; supply an SBOM or the image filesystem.")
    versions: dict[str, dict[str, Component]] = {}
    wanted = set(params.package_types)
    for component in facts.components:
        if not component.version or _purl_type(component.purl) not in wanted:
            continue   # most of a large inventory: its purl is not parsed a second time
        ptype, namespace, name = _purl_parts(component.purl)
        if ptype in params.package_types:
            versions.setdefault(f"{ptype}/{namespace}/{name}".replace("//", "/"), {})[component.version] = (
                component
            )
    if not versions:
        return manual(
            f"The inventory names no OS packages of type {', '.join(params.package_types)} "
            "(by purl); confirm how this image's software is installed and updated."
        )
    doubled = {key: by_version for key, by_version in versions.items() if len(by_version) > 1}
    details: dict[str, Any] = {
        "os_packages": len(versions),
        "superseded": capped(
            f"{key.rsplit('/', 1)[-1]} ({', '.join(sorted(v))})" for key, v in sorted(doubled.items())
        ),
    }
    if not doubled:
        return outcome(
            Verdict.SATISFIED,
            f"Each of the {plural(len(versions), 'OS package')} is installed in one version only.",
            gather(facts.sboms),
            **details,
        )
    return outcome(
        Verdict.NOT_SATISFIED,
        f"{plural(len(doubled), 'OS package')} {'is' if len(doubled) == 1 else 'are'} installed in more "
        "than one "
        f"version: "
        f"{listing(details['superseded']['names'])}.",
        gather(c for v in doubled.values() for c in v.values()),
        **details,
    )


def _purl_type(purl: str) -> str:
    """The type `_purl_parts` would give, without parsing: the canonical form starts ``pkg:TYPE/``.

    ``to_string`` writes the type that ``from_string`` validated ([A-Za-z0-9._-], which quoting leaves
    as it is) lower-cased, and ``from_string`` of the canonical string reads it back from the same place.
    """
    canonical = normalise_purl(purl)
    return canonical[4:].partition("/")[0] if canonical else ""


@lru_cache(maxsize=PURL_CACHE_SIZE)   # pure: each distinct purl is parsed once
def _purl_parts(purl: str) -> tuple[str, str, str]:
    """(type, namespace, name) of the purl's canonical form, as packageurl's ``from_string`` reads it."""
    canonical = normalise_purl(purl)
    if not canonical:
        return "", "", ""
    return _os_package_parts(canonical) or _library_parts(canonical)


def _os_package_parts(canonical: str) -> tuple[str, str, str] | None:
    """The parts of a canonical OS package purl without escapes, read without packageurl (None otherwise).

    normalise_purl writes an OS package's purl as ``pkg:TYPE/NAME[@VERSION]`` (no namespace, qualifiers or
    subpath), quoting every '@' and '%' inside NAME and VERSION and every '/' inside NAME. With no other
    '/' than the one ending the type, the only '@' starts the version, so when NAME has no '%' (nothing to
    unquote) ``from_string`` takes it as it stands (its case rules were applied when the canonical form was
    written) and no namespace, whatever escapes the version holds.
    """
    head, _, path = canonical.partition("/")
    purl_type = head[4:]
    if purl_type not in _OS_PACKAGE_TYPES or "/" in path:
        return None
    name = path.partition("@")[0]
    return (purl_type, "", name) if name and "%" not in name else None


def _library_parts(canonical: str) -> tuple[str, str, str]:
    from packageurl import PackageURL

    parsed = PackageURL.from_string(canonical)
    return parsed.type, parsed.namespace or "", parsed.name
