"""DISA STIG Viewer 2.x checklist (.ckl): one iSTIG per benchmark, one VULN per requirement.

The element order, the leading ``<!--DISA STIG Viewer :: 2.x-->`` comment, tab indentation and the
VULN_ATTRIBUTE names follow what STIG Viewer 2.x itself writes (and what MITRE SAF's ckl2hdf and
eMASS read). Statuses come from the engine's verdicts (Verdict.ckl_status); nothing is re-decided.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from scc.writers._stig_rows import ChecklistRow, ChecklistSection, checklist_sections
from scc.writers._text import xml_text
from scc.writers.interface import Writer

if TYPE_CHECKING:
    from scc.report import Report

VIEWER_COMMENT = "DISA STIG Viewer :: 2.18"
CLASSIFICATION = "UNCLASSIFIED"


class CklWriter(Writer):
    name = "ckl"
    filename = "checklist.ckl"
    media_type = "application/xml"
    order = 40
    format = "ckl"

    def render(self, report: Report) -> bytes:
        root = etree.Element("CHECKLIST")
        root.append(_asset(report))
        stigs = etree.SubElement(root, "STIGS")
        for section in checklist_sections(report):
            stigs.append(_istig(report, section))
        etree.indent(root, space="\t")
        body = etree.tostring(root, encoding="unicode")
        text = f'<?xml version="1.0" encoding="UTF-8"?>\n<!--{VIEWER_COMMENT}-->\n{body}\n'
        return text.encode("utf-8")


def _asset(report: Report) -> etree._Element:
    identity = report.facts.identity
    comment = f"Container image {identity.reference} assessed by scc at {report.assessed_at.isoformat()}."
    asset = etree.Element("ASSET")
    for tag, value in (
        ("ROLE", "None"), ("ASSET_TYPE", "Computing"), ("HOST_NAME", identity.reference),
        ("HOST_IP", ""), ("HOST_MAC", ""), ("HOST_FQDN", ""), ("TARGET_COMMENT", comment),
        ("TECH_AREA", ""), ("TARGET_KEY", ""), ("WEB_OR_DATABASE", "false"),
        ("WEB_DB_SITE", ""), ("WEB_DB_INSTANCE", ""),
    ):
        _leaf(asset, tag, value)
    return asset


def _istig(report: Report, section: ChecklistSection) -> etree._Element:
    istig = etree.Element("iSTIG")
    info = etree.SubElement(istig, "STIG_INFO")
    stig_uuid = section_uuid(report, section)
    for name, value in (
        ("version", section.version), ("classification", CLASSIFICATION), ("customname", ""),
        ("stigid", section.benchmark_id), ("description", section.description), ("filename", section.filename),
        ("releaseinfo", section.release_info), ("title", section.title), ("uuid", stig_uuid),
        ("notice", "terms-of-use"), ("source", ""),
    ):
        si = etree.SubElement(info, "SI_DATA")
        _leaf(si, "SID_NAME", name)
        if value:   # STIG Viewer omits SID_DATA for an empty value
            _leaf(si, "SID_DATA", value)
    for row in section.rows:
        istig.append(_vuln(section, row, stig_uuid))
    return istig


def section_uuid(report: Report, section: ChecklistSection) -> str:
    return report.uuid("stig", section.name)


def stig_ref(section: ChecklistSection) -> str:
    ref = section.title
    if section.version:
        ref += f" :: Version {section.version}"
        if section.release_info:
            ref += f", {section.release_info}"
    return ref


def _vuln(section: ChecklistSection, row: ChecklistRow, stig_uuid: str) -> etree._Element:
    vuln = etree.Element("VULN")
    attributes = [
        ("Vuln_Num", row.group_id), ("Severity", row.severity), ("Group_Title", row.group_title),
        ("Rule_ID", row.rule_id), ("Rule_Ver", row.version), ("Rule_Title", row.title),
        ("Vuln_Discuss", row.discussion), ("IA_Controls", ""), ("Check_Content", row.check_text),
        ("Fix_Text", row.fix_text), ("False_Positives", ""), ("False_Negatives", ""),
        ("Documentable", "false"), ("Mitigations", ""), ("Potential_Impact", ""),
        ("Third_Party_Tools", ""), ("Mitigation_Control", ""), ("Responsibility", ""),
        ("Security_Override_Guidance", ""), ("Check_Content_Ref", "M"), ("Weight", "10.0"),
        ("Class", "Unclass"), ("STIGRef", stig_ref(section)), ("TargetKey", ""),
        ("STIG_UUID", stig_uuid), ("LEGACY_ID", ""), ("LEGACY_ID", ""),
    ]
    attributes += [("CCI_REF", cci) for cci in row.ccis]
    for name, value in attributes:
        data = etree.SubElement(vuln, "STIG_DATA")
        _leaf(data, "VULN_ATTRIBUTE", name)
        _leaf(data, "ATTRIBUTE_DATA", value)
    _leaf(vuln, "STATUS", row.status)
    _leaf(vuln, "FINDING_DETAILS", row.finding_details)
    _leaf(vuln, "COMMENTS", row.comments)
    _leaf(vuln, "SEVERITY_OVERRIDE", row.severity_override)
    _leaf(vuln, "SEVERITY_JUSTIFICATION", row.severity_justification)
    return vuln


def _leaf(parent: etree._Element, tag: str, value: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = xml_text(value)   # "" keeps <TAG></TAG>, as STIG Viewer writes it
    return element


WRITER = CklWriter()
