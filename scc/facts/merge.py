"""Merging the partial ImageFacts of several inputs into one, without losing a record.

Components are one per identity (canonical purl, else type/name@version); a vulnerability that
two scanners report in the same package is one Finding with both sources and both evidences.
"""
from __future__ import annotations

import os
from dataclasses import fields, replace

from scc.facts.identity import package_key
from scc.facts.model import Component, Finding, ImageConfig, ImageFacts, ImageIdentity


def merge_facts(parts: list[ImageFacts]) -> ImageFacts:
    merged = ImageFacts()
    components: dict[str, Component] = {}
    findings: dict[tuple[str, str], Finding] = {}
    for part in parts:
        merged.inputs.extend(part.inputs)
        merged.notes.extend(part.notes)
        merged.identity = _merge_identity(merged.identity, part.identity, merged.notes)
        for component in part.components:
            _merge_component(components, component.key, component)
        for finding in part.findings:
            _merge_finding(findings, finding)
        merged.config = _merge_config(merged.config, part.config)
        merged.scans.extend(part.scans)
        merged.sboms.extend(part.sboms)
        merged.vex.extend(part.vex)
        merged.provenance.extend(part.provenance)
        merged.base_image_annotations.extend(part.base_image_annotations)
        merged.signatures.extend(part.signatures)
        merged.fips_modules.extend(part.fips_modules)
        merged.xccdf_results.extend(part.xccdf_results)
        merged.secrets.extend(part.secrets)
        merged.misconfigurations.extend(part.misconfigurations)
        merged.relationships.extend(part.relationships)
        merged.manifest_images.extend(part.manifest_images)
        merged.workloads.extend(part.workloads)
        merged.network_policies.extend(part.network_policies)
        merged.service_accounts.extend(part.service_accounts)
        merged.attestations.extend(part.attestations)
        merged.attested_fips_modules.extend(part.attested_fips_modules)
        merged.test_results.extend(part.test_results)
        merged.scorecards.extend(part.scorecards)
        if part.filesystem is not None:
            if merged.filesystem is not None:
                merged.notes.append(
                    f"two image filesystems given ({merged.filesystem.root}, {part.filesystem.root}); "
                    "the first is used"
                )
            else:
                merged.filesystem = part.filesystem
    merged.secrets = _one_per_spot(merged.secrets, lambda s: (s.rule_id, s.path.lstrip("/"), s.line))
    merged.misconfigurations = _one_per_spot(merged.misconfigurations,
                                             lambda m: (m.id, m.path.lstrip("/"), m.message))
    # Sorted by the index's keys (each component's key computed once): a key is unique, so no two entries tie.
    merged.components = [c for _, c in sorted(components.items(), key=lambda kc: (kc[1].name.lower(), kc[1].version,
                                                                                 kc[0]))]
    merged.findings = sorted({id(f): f for f in findings.values()}.values(), key=lambda f: (-f.severity.rank, f.id, f.package, f.installed_version))
    _fill_os_from_filesystem(merged)
    from scc.facts.vex.vex_apply import apply_vex

    apply_vex(merged)
    return merged


def _one_per_spot(items: list, key) -> list:
    """One secret / misconfiguration per (rule, file, spot): a scan read as JSON and as SARIF meets its
    twin, which adds its evidence."""
    found: dict = {}
    for item in items:
        twin = found.get(key(item))
        found[key(item)] = item if twin is None else replace(
            twin, evidence=tuple(dict.fromkeys(twin.evidence + item.evidence)))
    return list(found.values())


def canonical_vuln_id(vuln_id: str, aliases: set[str]) -> str:
    """Prefer the CVE id among a finding's id and aliases so GHSA/CVE reports of one flaw meet."""
    cves = sorted(a for a in {vuln_id, *aliases} if a.upper().startswith("CVE-"))
    return cves[0].upper() if cves else vuln_id


def _merge_identity(a: ImageIdentity, b: ImageIdentity, notes: list[str]) -> ImageIdentity:
    if a.digest and b.digest and a.digest != b.digest:
        notes.append(f"inputs disagree on the image digest: {a.digest} vs {b.digest}; the first is used")
    values = {f.name: getattr(a, f.name) or getattr(b, f.name) for f in fields(a) if f.name != "evidence"}
    if a.name and b.name and a.name != b.name:
        values["name"], values["tag"] = _better_name(a, b)
        notes.append(f"inputs name the image differently ({a.name}, {b.name}); {values['name']} is used")
    return ImageIdentity(**values, evidence=tuple(dict.fromkeys(a.evidence + b.evidence)))


def _looks_like_local_path(name: str) -> bool:
    """A scanner run on a directory or OCI layout names the image after the path it was given."""
    return name.startswith(("/", "./", "../", "~")) or os.path.exists(name)


def _better_name(a: ImageIdentity, b: ImageIdentity) -> tuple[str, str]:
    """The registry reference rather than a local path; otherwise the first input's name."""
    if _looks_like_local_path(a.name) and not _looks_like_local_path(b.name):
        return b.name, b.tag or a.tag
    return a.name, a.tag or b.tag


def _fill_os_from_filesystem(merged: ImageFacts) -> None:
    release = merged.filesystem.os_release if merged.filesystem else {}
    if not merged.identity.os and release.get("ID"):
        os_name = " ".join(v for v in (release.get("ID"), release.get("VERSION_ID")) if v)
        merged.identity = replace(merged.identity, os=os_name)


def _merge_component(index: dict[str, Component], key: str, component: Component) -> None:
    existing = index.get(key)
    if existing is None:
        index[key] = component
        return
    existing.evidence.extend(e for e in component.evidence if e not in existing.evidence)
    existing.licenses = tuple(dict.fromkeys(existing.licenses + component.licenses))
    existing.cpes = tuple(dict.fromkeys(existing.cpes + component.cpes))
    for algorithm, value in component.hashes.items():
        existing.hashes.setdefault(algorithm, value)
    if component.external_references:
        existing.external_references = tuple(dict.fromkeys(existing.external_references
                                                            + component.external_references))
    for name in ("version", "type", "purl", "supplier", "bom_ref"):
        if not getattr(existing, name):
            setattr(existing, name, getattr(component, name))


def _finding_keys(finding: Finding) -> list[tuple[str, str]]:
    """The purl key first, then name@version: a SARIF result without a purl still meets its JSON twin."""
    vuln = canonical_vuln_id(finding.id, finding.aliases)
    keys = [(vuln, package_key(finding.package, finding.installed_version, finding.purl))]
    by_name = (vuln, f"{finding.package}@{finding.installed_version}".lower())
    if finding.package and by_name not in keys:
        keys.append(by_name)
    return keys


def _merge_finding(index: dict[tuple[str, str], Finding], finding: Finding) -> None:
    keys = _finding_keys(finding)
    vuln = keys[0][0]
    if vuln != finding.id:
        finding.aliases.add(finding.id)
        finding.id = vuln
    finding.aliases.discard(finding.id)
    existing = next((index[k] for k in keys if k in index), None)
    if existing is None:
        for key in keys:
            index[key] = finding
        return
    for key in keys:
        index.setdefault(key, existing)
    existing.aliases |= finding.aliases - {existing.id}
    existing.sources |= finding.sources
    existing.evidence.extend(e for e in finding.evidence if e not in existing.evidence)
    existing.cvss.extend(c for c in finding.cvss if c not in existing.cvss)
    existing.fixed_versions.extend(v for v in finding.fixed_versions if v not in existing.fixed_versions)
    existing.urls.extend(u for u in finding.urls if u not in existing.urls)
    existing.cwes.extend(c for c in finding.cwes if c not in existing.cwes)
    existing.databases.extend(d for d in finding.databases if d not in existing.databases)
    if finding.severity.rank > existing.severity.rank:  # scanners disagree: keep the more severe rating
        existing.severity = finding.severity
    for name in ("purl", "title", "description", "package", "installed_version"):
        if not getattr(existing, name):
            setattr(existing, name, getattr(finding, name))
    if finding.published and (existing.published is None or finding.published < existing.published):
        existing.published = finding.published  # the earliest date, whatever the input order
    if finding.first_seen and (existing.first_seen is None or finding.first_seen < existing.first_seen):
        existing.first_seen = finding.first_seen
    if finding.fix_available_since and (existing.fix_available_since is None
                                        or finding.fix_available_since < existing.fix_available_since):
        existing.fix_available_since = finding.fix_available_since
    if not finding.state.is_open and existing.state.is_open:
        existing.state = finding.state


def _merge_config(a: ImageConfig | None, b: ImageConfig | None) -> ImageConfig | None:
    if a is None or b is None:
        return a or b
    values = {}
    for f in fields(a):
        if f.name in ("evidence", "field_evidence"):
            continue
        first, second = getattr(a, f.name), getattr(b, f.name)
        values[f.name] = first if first not in ("", (), {}, None) else second
    merged = replace(a, **values)
    merged.evidence = list(dict.fromkeys(a.evidence + b.evidence))
    merged.field_evidence = {**b.field_evidence, **a.field_evidence}
    return merged
