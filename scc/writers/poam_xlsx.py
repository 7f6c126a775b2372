"""POA&M spreadsheet (xlsx) in the eMASS POA&M template layout: header block in rows 1-6, column titles
in row 7, one item per row from row 8 (the layout eMASS exports and its import reads).

Column titles are the eMASS template's ("Control Vulnerability Description", "Security Control Number
(NC/NA controls only)", ... "Identified in CFO Audit or other review"); dates are MM/DD/YYYY and
milestones are "text MM/DD/YYYY" lines, as eMASS writes them. Columns that hold the organisation's own
risk analysis (Relevance of Threat, Likelihood, Impact, ...) are left empty: scc does not guess them.

Every text cell is inert: a value starting with = + - @ tab or CR gets a leading single quote, so
a hostile component name can never run as a formula. Output is byte-for-byte reproducible: the
workbook's created/modified come from the assessment time and the zip entries carry that date too.
"""
from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import TYPE_CHECKING

from scc.writers._poam_items import PoamEntry, poam_entries
from scc.writers._text import spreadsheet_text
from scc.writers.interface import Writer

if TYPE_CHECKING:
    from scc.assessment import Assessment

HEADER_ROW = 7
COLUMNS = (
    "POA&M Item ID", "Control Vulnerability Description", "Security Control Number (NC/NA controls only)",
    "Office/Org", "Security Checks", "Resources Required", "Scheduled Completion Date",
    "Milestone with Completion Dates", "Milestone Changes", "Source Identifying Control Vulnerability", "Status",
    "Comments", "Raw Severity Value", "Devices Affected", "Mitigations", "Predisposing Conditions", "Severity",
    "Relevance of Threat", "Threat Description", "Likelihood", "Impact", "Impact Description",
    "Residual Risk Level", "Recommendations", "Identified in CFO Audit or other review",
)
#: eMASS Raw Severity (DISA category) and Severity (risk level) from scc's severities
RAW_SEVERITY = {"critical": "I", "high": "I", "medium": "II", "low": "III", "negligible": "III"}
RISK_LEVEL = {"critical": "Very High", "high": "High", "medium": "Moderate", "low": "Low", "negligible": "Very Low"}
MAX_CELL = 32767   # Excel's limit on characters in one cell


class PoamXlsxWriter(Writer):
    name = "poam-xlsx"
    filename = "poam.xlsx"
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    order = 26

    def render(self, assessment: Assessment) -> bytes:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font
        from openpyxl.writer.excel import ExcelWriter

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "POA&M"
        for row, (label, value) in enumerate(_header_block(assessment), start=1):
            sheet.cell(row=row, column=1, value=spreadsheet_text(label)).font = Font(bold=True)
            sheet.cell(row=row, column=2, value=spreadsheet_text(value))
        for column, title in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=HEADER_ROW, column=column, value=title)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row, entry in enumerate(poam_entries(assessment), start=HEADER_ROW + 1):
            for column, value in enumerate(poam_row(assessment, entry), start=1):
                cell = sheet.cell(row=row, column=column, value=_cell(value))
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
        moment = assessment.assessed_at.replace(tzinfo=None)
        workbook.properties.creator = "scc"
        workbook.properties.title = "Plan of Action and Milestones"
        workbook.properties.created = moment
        workbook.properties.modified = moment
        buffer = io.BytesIO()
        archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)
        ExcelWriter(workbook, archive).save()    # not openpyxl.save_workbook: that stamps "now" as modified
        return _fixed_zip_dates(buffer.getvalue(), moment.timetuple()[:6])


def _header_block(assessment: Assessment) -> list[tuple[str, str]]:
    identity = assessment.facts.identity
    return [
        ("Date Exported:", _date(assessment.assessed_at.date())),
        ("Exported By:", "scc"),
        ("System / Project Name:", assessment.settings.system_name or identity.reference),
        ("Organization:", assessment.settings.organization),
        ("Image:", identity.reference),
        ("Assessment Fingerprint:", assessment.fingerprint),
    ]


def poam_row(assessment: Assessment, entry: PoamEntry) -> list[str]:
    """The row's values in COLUMNS order (plain text; the writer makes them inert)."""
    deadline = _date(entry.deadline) if entry.deadline else ""
    milestone = (f"Milestone 1: {entry.remediation} {deadline}" if deadline else f"Milestone 1: {entry.remediation}")
    comments = [*entry.comments, f"Scheduled completion: {entry.deadline_basis}."]
    comments += [f"Evidence: {e.cite()} (sha256 {e.sha256})" for e in entry.evidence[:20]]
    mitigations = ""
    if entry.risk_accepted:
        o = entry.override
        mitigations = f"Risk accepted by {o.approver} until {_date(o.expires)}: {o.justification}"
    official_severity = entry.srg[0].severity if entry.srg else entry.severity
    return [
        "",                                             # eMASS assigns the item id on import
        f"{entry.title}: {entry.description}",
        ", ".join(emass_control(c) for c in entry.controls),
        assessment.settings.organization,
        _security_checks(entry),
        "",
        deadline,
        milestone,
        "",
        entry.source,
        entry.status,
        "\n".join(comments),
        RAW_SEVERITY.get(official_severity, ""),
        assessment.facts.identity.reference,
        mitigations,
        "",
        RISK_LEVEL.get(entry.severity, ""),
        "", "", "", "", "", "",
        entry.remediation,
        "",
    ]


def emass_control(control_id: str) -> str:
    """ac-6.10 -> AC-6(10), the way eMASS names controls."""
    base, _, enhancement = control_id.partition(".")
    return base.upper() + (f"({enhancement})" if enhancement else "")


def _security_checks(entry: PoamEntry) -> str:
    if entry.kind == "vulnerability":
        aliases = sorted(entry.finding.aliases - {entry.weakness}) if entry.finding else []
        return "\n".join([entry.weakness, *aliases])
    checks = [entry.weakness]
    for ref in entry.srg:
        checks += [item for item in (ref.version, ref.group_id, ref.rule_id) if item]
    return "\n".join(checks)


def _date(day: date) -> str:
    return day.strftime("%m/%d/%Y")


def _cell(value: str) -> str | None:
    text = spreadsheet_text(value)
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - 1] + "…"
    return text or None


def _fixed_zip_dates(data: bytes, moment: tuple[int, ...]) -> bytes:
    """The same archive with every entry dated ``moment`` (zip stores local wall-clock times)."""
    stamp = max(moment, (1980, 1, 1, 0, 0, 0))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


WRITER = PoamXlsxWriter()
