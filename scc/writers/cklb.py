"""DISA STIG Viewer 3 checklist (.cklb, JSON): the same benchmarks and rows as the CKL writer.

Field names and order follow files STIG Viewer 3 writes: document (title, id, stigs, active, mode,
has_path, target_data, cklb_version "1.0"), stig (stig_name ... rules) and rule (uuid, stig_uuid,
target_key, stig_ref, group_id, rule_id without "_rule", rule_id_src, ... STIGUuid, status,
overrides, comments, finding_details). Timestamps are the assessment time, so output is reproducible.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scc.clock import iso
from scc.writers._json import indented_json
from scc.writers._stig_rows import ChecklistRow, ChecklistSection, checklist_sections
from scc.writers.ckl import CLASSIFICATION, section_uuid, stig_ref
from scc.writers.interface import Writer

if TYPE_CHECKING:
    from scc.report import Report


class CklbWriter(Writer):
    name = "cklb"
    filename = "checklist.cklb"
    media_type = "application/json"
    order = 41
    format = "cklb"

    def render(self, report: Report) -> bytes:
        identity = report.facts.identity
        document = {
            "title": f"{identity.reference} - scc checklist",
            "id": report.uuid("cklb"),
            "stigs": [_stig(report, section) for section in checklist_sections(report)],
            "active": True,
            "mode": 2,
            "has_path": False,
            "target_data": {
                "target_type": "Computing",
                "host_name": identity.reference,
                "ip_address": "",
                "mac_address": "",
                "fqdn": "",
                "comments": f"Container image assessed by scc at {iso(report.assessed_at)}.",
                "role": "None",
                "is_web_database": False,
                "technology_area": "",
                "web_db_site": "",
                "web_db_instance": "",
                "classification": None,
            },
            "cklb_version": "1.0",
        }
        return indented_json(document)


def _stig(report: Report, section: ChecklistSection) -> dict[str, Any]:
    uuid = section_uuid(report, section)
    stamp = report.assessed_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {
        "stig_name": section.title,
        "display_name": _display_name(section.title),
        "stig_id": section.benchmark_id,
        "release_info": section.release_info,
        "version": section.version,
        "uuid": uuid,
        "reference_identifier": "",
        "size": len(section.rows),
        "rules": [_rule(report, section, row, uuid, stamp) for row in section.rows],
    }


def _rule(report: Report, section: ChecklistSection, row: ChecklistRow, uuid: str,
          stamp: str) -> dict[str, Any]:
    return {
        "uuid": report.uuid("cklb-rule", section.name, row.group_id),
        "stig_uuid": uuid,
        "target_key": None,
        "stig_ref": stig_ref(section),
        "group_id": row.group_id,
        "rule_id": row.rule_id.removesuffix("_rule"),
        "rule_id_src": row.rule_id,
        "weight": "10.0",
        "classification": CLASSIFICATION.title(),
        "severity": row.severity,
        "rule_version": row.version,
        "group_title": row.group_title,
        "rule_title": row.title,
        "fix_text": row.fix_text,
        "false_positives": "",
        "false_negatives": "",
        "discussion": row.discussion,
        "check_content": row.check_text,
        "documentable": "false",
        "mitigations": "",
        "potential_impacts": "",
        "third_party_tools": "",
        "mitigation_control": "",
        "responsibility": "",
        "security_override_guidance": "",
        "ia_controls": "",
        "check_content_ref": {"href": section.filename, "name": "M"},
        "legacy_ids": [],
        "ccis": list(row.ccis),
        "group_tree": [{"id": row.group_id, "title": row.group_title,
                        "description": "<GroupDescription></GroupDescription>"}],
        "createdAt": stamp,
        "updatedAt": stamp,
        "STIGUuid": uuid,
        "status": row.cklb_status,
        "overrides": _overrides(row),
        "comments": row.comments,
        "finding_details": row.finding_details,
    }


def _overrides(row: ChecklistRow) -> dict[str, Any]:
    if not row.severity_override:
        return {}
    return {"severity": {"severity": row.severity_override, "reason": row.severity_justification}}


def _display_name(title: str) -> str:
    for suffix in (" Security Technical Implementation Guide", " Security Requirements Guide"):
        title = title.replace(suffix, "")
    return title.strip()


WRITER = CklbWriter()
