"""Heimdall Data Format (HDF, MITRE SAF's exec-json): hdf.json, so the package opens in Heimdall.

The document follows the exec-json schema of MITRE's inspecjs and the layout MITRE's hdf-converters
write (platform, version, statistics, profiles[], passthrough). Profiles, in order:

* one per benchmark of the checklist (the same sections and rows as checklist.ckl, from
  scc.writers._stig_rows): one control per DISA requirement, id = its V- id (Vuln_Num), tags gid /
  rid / stig_id / gtitle / cci / nist / severity, as MITRE's STIG profiles tag them;
* ``scc-rules``: the scc rules that evidence 800-53 controls but no DISA requirement, one control each;
* ``scc-vulnerabilities``: one control per vulnerability finding, as hdf-converters' Grype mapper
  lays one out (tags nist RA-5 / SI-2, cveid, severity), failed while open.

How each verdict becomes a status and an impact is in scc.writers._hdf_controls. Each profile's
attributes list the hashed inputs (and the benchmark's official content file); each profile's sha256
is the digest of the profile itself, as hdf-converters computes it. Times are the assessment time
(SOURCE_DATE_EPOCH), so the bytes are reproducible.
"""
from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from scc.clock import iso
from scc.gcpause import collector_paused
from scc.writers._hdf_controls import finding_control, requirement_control, rule_control
from scc.writers._stig_rows import ChecklistSection, checklist_sections
from scc.writers.interface import Writer

if TYPE_CHECKING:
    from scc.facts.model import Finding
    from scc.report import Report

RULES_PROFILE = "scc-rules"
VULNERABILITIES_PROFILE = "scc-vulnerabilities"


class HdfWriter(Writer):
    """hdf.json: the assessment in the Heimdall Data Format."""

    name = "hdf"
    filename = "hdf.json"
    media_type = "application/json"
    order = 42
    cost = 2

    def render(self, report: Report) -> bytes:
        """The HDF document as UTF-8 JSON (two-space indent, keys in the order written)."""
        from scc.writers._json import indented_json

        with collector_paused():
            return indented_json(hdf_document(report))


def hdf_document(report: Report) -> dict[str, Any]:
    """The whole HDF document of one assessment."""
    profiles = [_benchmark_profile(report, section) for section in checklist_sections(report)]
    profiles += [p for p in (_rules_profile(report), _vulnerabilities_profile(report)) if p["controls"]]
    return {
        "platform": {"name": "scc", "release": report.scc_version, "target_id": report.facts.identity.reference},
        "version": report.scc_version,
        "statistics": {"duration": None},
        "profiles": profiles,
        "passthrough": {"auxiliary_data": [{"name": "scc", "data": _auxiliary(report)}]},
    }


def _benchmark_profile(report: Report, section: ChecklistSection) -> dict[str, Any]:
    source = section.filename or section.name
    controls = _unique_ids([requirement_control(report, row, source) for row in section.rows])
    return _profile(
        report, name=section.benchmark_id, title=section.title, version=section.version,
        summary=section.description or f"{section.title}: the results scc reached for one container image.",
        attributes=_content_attributes(report, section.name) + _input_attributes(report),
        group=(source, section.title), controls=controls)


def _rules_profile(report: Report) -> dict[str, Any]:
    results = [r for r in report.rule_results if not r.rule.srg]
    return _profile(
        report, name=RULES_PROFILE, title="scc rules that evidence NIST SP 800-53 controls only",
        version=report.scc_version,
        summary="Rules of scc's packs that cite 800-53 controls but no DISA SRG/STIG requirement.",
        attributes=_input_attributes(report), group=("scc rule packs", "scc rules"),
        controls=_unique_ids([rule_control(report, r) for r in results]))


def _vulnerabilities_profile(report: Report) -> dict[str, Any]:
    identity = report.facts.identity.reference
    findings = sorted(report.facts.findings, key=lambda f: (-f.severity.rank, f.id, f.package, f.installed_version))
    controls = [finding_control(report, f, _finding_id(report, f)) for f in findings]
    return _profile(
        report, name=VULNERABILITIES_PROFILE, title=f"Vulnerability findings in {identity}",
        version=report.scc_version,
        summary="One control per vulnerability in one component, failed while open (not closed by VEX).",
        attributes=_input_attributes(report), group=("vulnerability scans", "vulnerability findings"),
        controls=_unique_ids(controls))


def _finding_id(report: Report, finding: Finding) -> str:
    clock = report.clocks.get(id(finding))
    return clock.identity if clock is not None else f"{finding.id}|{finding.purl or finding.package}"


def _profile(report: Report, *, name: str, title: str, version: str, summary: str,
             attributes: list[dict[str, Any]], group: tuple[str, str],
             controls: list[dict[str, Any]]) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "name": name,
        "title": title,
        "version": version or None,
        "maintainer": "scc",
        "summary": summary,
        "license": None,
        "copyright": None,
        "copyright_email": None,
        "supports": [],
        "attributes": attributes,
        "depends": [],
        "groups": [{"id": group[0], "title": group[1], "controls": [c["id"] for c in controls]}] if controls else [],
        "status": "loaded",
        "controls": controls,
    }
    canonical = json.dumps(profile, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return {**profile, "sha256": hashlib.sha256(canonical).hexdigest()}


def _input_attributes(report: Report) -> list[dict[str, Any]]:
    """The hashed inputs and the files that shaped the assessment (rule packs, overrides, keys)."""
    found = [{"name": "input", "options": {"value": i.path, "sha256": i.sha256, "size": i.size,
                                           "format": i.format}}
             for i in sorted(report.facts.inputs, key=lambda i: (i.path, i.sha256))]
    found += [{"name": f.role, "options": {"value": f.file, "sha256": f.sha256}} for f in report.policy.files]
    return found


def _content_attributes(report: Report, name: str) -> list[dict[str, Any]]:
    return [{"name": "official-content", "options": {"value": f.file, "sha256": f.sha256, "release": f.release,
                                                     "release_info": f.release_info, "url": f.url}}
            for f in report.content.files if f.name == name]


def _unique_ids(controls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """HDF control ids are unique in a profile: a repeated id gets '#2', '#3' ..."""
    seen: dict[str, int] = {}
    for control in controls:
        count = seen[control["id"]] = seen.get(control["id"], 0) + 1
        if count > 1:
            control["id"] = f"{control['id']}#{count}"
            if control.get("attestation_data"):
                control["attestation_data"]["control_id"] = control["id"]
    return controls


def _auxiliary(report: Report) -> dict[str, Any]:
    identity = report.facts.identity
    return {
        "generator": f"scc {report.scc_version}",
        "assessed_at": iso(report.assessed_at),
        "image": {"reference": identity.reference, "digest": identity.digest},
        "control_verdicts": report.verdict_counts(),
        "attested_verdicts": report.attested_counts(),
        "notes": sorted(set(report.notes)),
    }


WRITER = HdfWriter()
