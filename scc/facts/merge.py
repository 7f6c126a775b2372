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
    findings: list[Finding] = []
    for part in parts:
        merged.inputs.extend(part.inputs)
        merged.notes.extend(part.notes)
        merged.identity = _merge_identity(merged.identity, part.identity, merged.notes)
        for component in part.components:
            _merge_component(components, component.key, component)
        findings.extend(part.findings)
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
    merged.findings = sorted((_merge_group([findings[p] for p in group]) for group in _group_findings(findings)),
                             key=_finding_order)
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
    """The id a finding is listed under, from its id and aliases: a CVE id (upper case) first, then an OpenSSF
    malicious-packages id (MAL-), then a GitHub advisory (GHSA-), then any other (PYSEC-, GO-, RUSTSEC-,
    a distribution's ...); the lowest in code-point order of the upper-cased ids within a kind."""
    best = min((n.strip() for n in {vuln_id, *aliases} if n.strip()), key=_id_rank, default=vuln_id)
    return best.upper() if best.upper().startswith("CVE-") else best


def _finding_order(finding: Finding) -> tuple:
    first = finding.evidence[0] if finding.evidence else None
    return (-finding.severity.rank, finding.id, finding.package, finding.installed_version, finding.purl,
            (first.source, first.pointer) if first else ("", ""))


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


class _DisjointSets:
    """Union-find over the positions 0..size-1 (path halving)."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        parent = self.parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _package_keys(finding: Finding) -> list[str]:
    """The purl key first, then name@version: a SARIF result without a purl still meets its JSON twin."""
    keys = [package_key(finding.package, finding.installed_version, finding.purl)]
    by_name = f"{finding.package}@{finding.installed_version}".lower()
    if finding.package and by_name not in keys:
        keys.append(by_name)
    return keys


def _vuln_names(finding: Finding) -> set[str]:
    return {n.strip().upper() for n in (finding.id, *finding.aliases) if n.strip()}


def _group_findings(findings: list[Finding]) -> list[list[int]]:
    """The findings that are one vulnerability in one package, as lists of positions (each in input order).

    Two findings of one package (a shared purl key or name@version) are one when their id/alias sets
    intersect, transitively, with one exception: findings that name a CVE meet on their lowest CVE only,
    so two flaws NVD numbers apart (CVE-A and CVE-B, say, which one GHSA advisory lists together) stay two
    findings. A finding naming no CVE (MAL-, GHSA-, PYSEC-, GO-, RUSTSEC- ...) joins the CVE finding it
    shares an id with (the lowest CVE when it shares with several). Every step is a function of the sets,
    never of the input order; the cost is linear in the number of (id, package key) pairs."""
    sets = _DisjointSets(len(findings))
    first_holder: dict[tuple[str, ...], int] = {}
    names = [_vuln_names(f) for f in findings]
    keys = [_package_keys(f) for f in findings]
    primary = [min((n for n in ns if n.startswith("CVE-")), default="") for ns in names]
    for position in range(len(findings)):
        for key in keys[position]:
            tokens = [("cve", primary[position], key)] if primary[position] else [(n, key) for n in names[position]]
            for token in tokens:
                sets.union(first_holder.setdefault(token, position), position)
    cve_groups_by_name: dict[tuple[str, str], set[int]] = {}
    for position in range(len(findings)):
        if primary[position]:
            for key in keys[position]:
                for name in names[position]:
                    cve_groups_by_name.setdefault((name, key), set()).add(position)
    _attach_to_cve_groups(keys, names, primary, sets, cve_groups_by_name)
    groups: dict[int, list[int]] = {}
    for position in range(len(findings)):
        groups.setdefault(sets.find(position), []).append(position)
    return list(groups.values())


def _attach_to_cve_groups(keys: list[list[str]], names: list[set[str]], primary: list[str],
                          sets: _DisjointSets, cve_groups_by_name: dict[tuple[str, str], set[int]]) -> None:
    """Join each group of CVE-less findings to the CVE group it shares an id with (the lowest CVE, then the
    lowest package key, when it shares with several)."""
    lowest_key: dict[int, str] = {}
    for position, package_keys in enumerate(keys):
        if primary[position]:
            root, key = sets.find(position), min(package_keys)
            lowest_key[root] = min(lowest_key.get(root, key), key)
    touching: dict[int, set[int]] = {}
    for position, package_keys in enumerate(keys):
        if primary[position]:
            continue
        root = sets.find(position)
        for key in package_keys:
            for name in names[position]:
                touching.setdefault(root, set()).update(
                    sets.find(p) for p in cve_groups_by_name.get((name, key), ()))
    for root, cve_roots in touching.items():
        if cve_roots:
            best = min(cve_roots, key=lambda r: (primary[r], lowest_key[r]))
            sets.union(root, best)


_ID_PREFERENCE = ("CVE-", "MAL-", "GHSA-")


def _id_rank(vuln_id: str) -> tuple[int, str, str]:
    upper = vuln_id.upper()
    kind = next((i for i, prefix in enumerate(_ID_PREFERENCE) if upper.startswith(prefix)), len(_ID_PREFERENCE))
    return kind, upper, vuln_id


def _member_order(members: list[Finding], chosen: str) -> list[Finding]:
    """The findings of one group (given in input order) in an order that does not depend on the order of
    the inputs: the reports under the chosen id first, then by input file; two reports from one file keep
    the file's order (a stable sort)."""
    def order(finding: Finding) -> tuple:
        first = finding.evidence[0] if finding.evidence else None
        return finding.id.upper() != chosen.upper(), (first.source, first.sha256) if first else ("", "")
    return sorted(members, key=order)


def _merge_group(members: list[Finding]) -> Finding:
    """One Finding from the reports of one vulnerability in one package, whatever order they came in."""
    names = {n.strip() for f in members for n in (f.id, *f.aliases) if n.strip()}
    chosen = canonical_vuln_id(members[0].id, names)
    ordered = _member_order(members, chosen)
    merged = ordered[0]
    for finding in ordered[1:]:
        _absorb(merged, finding)
    merged.id = chosen
    merged.aliases = {n for n in names if n.upper() != chosen.upper()}
    return merged


def _absorb(existing: Finding, finding: Finding) -> None:
    """Fold ``finding``'s records into ``existing`` (ids and aliases are _merge_group's)."""
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
