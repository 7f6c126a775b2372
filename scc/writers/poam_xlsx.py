"""POA&M spreadsheet (xlsx) laid out as the eMASS POA&M import template (scc.writers._emass_layout).

Row 1 is the classification banner (the system profile's or ``Settings.marking``; without one it reads
"MARKING NOT PROVIDED", a visible placeholder, never an invented marking), rows 2-6 the system header
block ("not provided" for what neither the profile nor the settings state), row 7 the template's
column titles from B, and from row 8 one item per open weakness (scc.writers._poam_items: every open
vulnerability finding and every failed or partial rule) with its further milestones in column I of
the rows below it. The item id (B) is left to eMASS, which assigns it on import.

Filled from the assessment's Report: Office/Org and the POC from the profile or settings; Resources Required,
Severity, Relevance of Threat, Likelihood, Impact and Residual Risk Level by the documented rule of
scc.writers._poam_risk (NIST SP 800-30 tables, the template's Very Low ... Very High only);
Scheduled Completion Date and milestone dates exactly as the engine's remediation clock set them
(scc.engine.remediation; nothing is recomputed here). Every cell is written in plain words: no
rule-pack id, check name or setting name reaches the sheet.

Every text cell is inert: a value starting with = + - @ tab or CR gets a leading single quote, so a
hostile component name can never run as a formula. Output is byte-for-byte reproducible: the
workbook's created/modified come from the assessment time and the zip entries carry that date too.
"""
from __future__ import annotations

import io
import re
import zipfile
from copy import copy
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from scc.gcpause import collector_paused
from scc.report import raw_severity
from scc.writers import _emass_layout as layout
from scc.writers._poam_items import PoamEntry, poam_entries
from scc.writers._poam_risk import is_vulnerability_rule, resources_required, risk_columns
from scc.writers._text import spreadsheet_text
from scc.writers.interface import Writer

if TYPE_CHECKING:
    from scc.profile import Party, SystemProfile
    from scc.report import Report

HEADER_ROW = layout.HEADER_ROW
NOT_PROVIDED = "not provided"
MARKING_PLACEHOLDER = "MARKING NOT PROVIDED"
MAX_CELL = 32767   # Excel's limit on characters in one cell
PROFILE_HAS_NO_PHONE = ""   # scc.profile.Party records no phone number: the cell reads "not provided"
_COLUMN_INDEX = {chr(ord("A") + offset): offset + 1 for offset in range(26)}
_WORD_RUN = re.compile(r"[\w-]+")
_SLA_SETTING = re.compile(r"\s*\(?\bsla_days\[[^\]]*\]\)?")


@dataclass(frozen=True)
class PoamItem:
    """One item's cells (column letter -> text or date) and its further milestones."""

    cells: dict[str, Any]
    milestones: tuple[str, ...]


class PoamXlsxWriter(Writer):
    name = "poam-xlsx"
    filename = "poam.xlsx"
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    order = 26
    format = "xlsx"
    cost = 3

    def render(self, report: Report) -> bytes:
        with collector_paused():
            return self._render(report)

    def _render(self, report: Report) -> bytes:
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.worksheets[0]       # a new workbook's one (active) sheet
        sheet.title = layout.SHEET_TITLE
        marking = marking_text(report)
        _write_header(sheet, header_values(report), marking)
        row = layout.FIRST_ITEM_ROW
        styles = _SharedStyles()
        for item in poam_items(report):
            row = _write_item(sheet, row, item, styles)
        _add_lists(workbook, sheet)
        sheet.freeze_panes = f"A{layout.FIRST_ITEM_ROW}"
        header, footer = sheet.oddHeader, sheet.oddFooter
        if header is not None and footer is not None:
            header.center.text = footer.center.text = f"***** {marking} *****"
        moment = report.assessed_at.replace(tzinfo=None)
        workbook.properties.creator = "scc"
        workbook.properties.title = "Plan of Action and Milestones"
        return workbook_bytes(workbook, moment)


def workbook_bytes(workbook: Any, moment: Any) -> bytes:
    """The workbook as xlsx bytes that depend only on its content and ``moment`` (a naive datetime): the
    document properties and every zip entry carry that time (shared with the batch summary workbook)."""
    from scc.writers._xlsx_rows import excel_writer

    workbook.properties.created = moment
    workbook.properties.modified = moment
    buffer = io.BytesIO()
    year, month, day, hour, minute, second = moment.timetuple()[:6]
    archive = _DatedZipFile(buffer, (year, month, day, hour, minute, second))
    excel_writer()(workbook, archive).save()    # not openpyxl.save_workbook: that stamps "now" as modified
    return buffer.getvalue()


# -- system header -------------------------------------------------------------------------------------
def system_profile(report: Report) -> SystemProfile:
    """The system profile the assessment carries (scc.profile.SystemProfile; empty without one)."""
    return report.profile


def marking_text(report: Report) -> str:
    profile = system_profile(report)
    marking = (profile.marking or report.settings.marking or "").strip()
    return marking or MARKING_PLACEHOLDER


def _poc(report: Report) -> Party | None:
    """The ISSO, else the system owner, named in the profile (a Party), or None."""
    profile = system_profile(report)
    for role in ("isso", "owner"):
        keys = dict(profile.roles).get(role, ())
        for key in keys:
            party = profile.party(key)
            if party is not None:
                return party
    return None


def _organization(report: Report) -> str:
    profile = system_profile(report)
    for party in profile.parties:
        if party.type == "organization":
            return party.name
    return report.settings.organization.strip()


def header_values(report: Report) -> dict[str, str]:
    """Header label -> value, 'not provided' for everything nobody stated."""
    profile = system_profile(report)
    poc = _poc(report)
    registration = ""
    id_type = profile.id_type or ""
    if re.search(r"ditpr|dod|emass", id_type, re.IGNORECASE):
        registration = profile.id or ""
    values = {
        "Date Exported:": _date(report.assessed_at.date()),
        "Exported By:": "scc (automated assessment)",
        "DoD Component:": _organization(report),
        "System / Project Name:": (profile.name or report.settings.system_name).strip(),
        "DoD IT Registration No:": registration,
        "System Type:": "",
        "POC Name:": (poc.name if poc else "") or "",
        "POC Phone:": PROFILE_HAS_NO_PHONE,
        "POC E-Mail:": (poc.email if poc else "") or "",
        "OMB Project ID:": "",
        "Security Costs:": "",
    }
    return {label: value or NOT_PROVIDED for label, value in values.items()}


def office_org(report: Report) -> str:
    """Organization, POC name, phone, e-mail: the order the template's instructions ask for."""
    poc = _poc(report)
    parts = [_organization(report), *((poc.name, PROFILE_HAS_NO_PHONE, poc.email or "") if poc else ())]
    given = [p for p in parts if p]
    return ", ".join(given) if given else NOT_PROVIDED


def _write_header(sheet: Any, values: dict[str, str], marking: str) -> None:
    from openpyxl.styles import Alignment, Font

    sheet[layout.BANNER_CELL] = spreadsheet_text(f"***** {marking} *****")
    sheet[layout.BANNER_CELL].font = Font(bold=True, size=14, color="007A3D")
    sheet[layout.BANNER_CELL].alignment = Alignment(horizontal="center")
    sheet.merge_cells(layout.BANNER_MERGE)
    for cell, label, label_merge, value_merge in layout.HEADER_FIELDS:
        sheet[cell] = label
        sheet[cell].font = Font(bold=True)
        if label_merge:
            sheet.merge_cells(label_merge)
        sheet[value_merge.split(":")[0]] = spreadsheet_text(values[label])
        sheet.merge_cells(value_merge)
    for merge in layout.EMPTY_MERGES:
        sheet.merge_cells(merge)
    sheet["A7"] = layout.A7_TITLE
    for letter, title in layout.COLUMNS:
        sheet[f"{letter}{HEADER_ROW}"] = title
    for row in sheet[f"A{HEADER_ROW}:V{HEADER_ROW}"]:
        for cell in row:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in layout.WIDTHS.items():
        sheet.column_dimensions[letter].width = width


def _add_lists(workbook: Any, sheet: Any) -> None:
    """The template's hidden sheet of allowed values and the list validations that point at it."""
    from openpyxl.worksheet.datavalidation import DataValidation

    lists = workbook.create_sheet(layout.LISTS_SHEET_TITLE)
    lists.sheet_state = "hidden"
    for letter, values, target in layout.LISTS:
        for offset, value in enumerate(values):
            lists[f"{letter}{layout.LIST_FIRST_ROW + offset}"] = value
        if target:
            last = layout.LIST_FIRST_ROW + len(values) - 1
            rule = DataValidation(type="list", allow_blank=True,
                                  formula1=f"{layout.LISTS_SHEET_TITLE}!${letter}${layout.LIST_FIRST_ROW}:${letter}${last}")
            for part in target.split():
                rule.add(part)
            sheet.add_data_validation(rule)
    dates = DataValidation(type="date", operator="greaterThanOrEqual", formula1="1890", allow_blank=True,
                           errorTitle="Invalid Entry:", error="Format as MM/DD/YYYY")
    dates.add("H8:H1048576")
    sheet.add_data_validation(dates)


# -- items ---------------------------------------------------------------------------------------------
def poam_items(report: Report) -> list[PoamItem]:
    scrub = _scrubber(report)
    org = office_org(report)
    return [poam_item(report, entry, org, scrub) for entry in poam_entries(report)]


def poam_item(report: Report, entry: PoamEntry, office: str, scrub: Any = None) -> PoamItem:
    """One item's cells, in plain words (``scrub`` removes internal identifiers from engine text)."""
    scrub = scrub or _scrubber(report)
    risk = risk_columns(entry)
    milestones = milestone_lines(entry)
    official = entry.srg[0].severity if entry.srg else entry.severity
    cells: dict[str, Any] = {
        "C": scrub(_description(entry)),
        "D": ", ".join(emass_control(c) for c in entry.controls),
        "E": office,
        "F": security_checks(entry),
        "G": resources_required(entry),
        "H": entry.deadline,
        "I": milestones[0],
        "K": _source(report, entry),
        "L": _status(entry),
        "M": scrub("\n".join([*_comments(report, entry), risk.basis])),
        "N": raw_severity(official),
        "O": scrub(_mitigations(entry)),
        "P": risk.severity,
        "Q": risk.relevance_of_threat,
        "R": risk.likelihood,
        "S": risk.impact,
        "T": scrub(_impact_description(entry)),
        "U": risk.residual_risk,
        "V": scrub(entry.remediation),
    }
    return PoamItem(cells, tuple(milestones[1:]))


def milestone_lines(entry: PoamEntry) -> list[str]:
    """'text MM/DD/YYYY' lines (dates after text, as eMASS reads them), every date the engine's due date."""
    due = f" {_date(entry.deadline)}" if entry.deadline else " (no remediation time set for this severity)"
    if entry.risk_accepted:
        return [f"Review the accepted risk before the acceptance expires{due}"]
    if entry.kind == "vulnerability":
        act = ("Rebuild the image with the fixed package version" if entry.fix_available
               else "Mitigate or replace the vulnerable component")
        return [f"{act}{due}", f"Rescan the rebuilt image and confirm the vulnerability is gone{due}"]
    if is_vulnerability_rule(entry):
        return [f"Remediate, mitigate or document each vulnerability finding the description names{due}",
                f"Reassess the rebuilt image and confirm the requirement is met{due}"]
    return [f"Correct the image configuration as the recommendation describes{due}",
            f"Reassess the rebuilt image and confirm the requirement is met{due}"]


def emass_control(control_id: str) -> str:
    """ac-6.10 -> AC-6(10), the way eMASS names controls."""
    base, _, enhancement = control_id.partition(".")
    return base.upper() + (f"({enhancement})" if enhancement else "")


def security_checks(entry: PoamEntry) -> str:
    """CVE and its aliases, or the STIG/SRG ids (SRG-..., V-..., SV-..._rule), separated by semicolons."""
    if entry.kind == "vulnerability":
        aliases = sorted(entry.finding.aliases - {entry.weakness}) if entry.finding else []
        return "; ".join([entry.weakness, *aliases])
    checks = [item for ref in entry.srg for item in (ref.version, ref.group_id, ref.rule_id) if item]
    return "; ".join(dict.fromkeys(checks))


def _description(entry: PoamEntry) -> str:
    if entry.kind == "vulnerability":
        return f"{entry.title}: {entry.description}"
    return f"{entry.title.rstrip('.')}. Finding: {entry.description}"


def _source(report: Report, entry: PoamEntry) -> str:
    image = report.facts.identity.reference
    if entry.kind == "vulnerability":
        return f"Automated vulnerability scan ({entry.source}) of container image {image}"
    benchmarks = sorted({ref.benchmark.upper() for ref in entry.srg})
    against = f" against the {', '.join(benchmarks)}" if benchmarks else ""
    return f"Automated configuration assessment (scc){against} of container image {image}"


def _status(entry: PoamEntry) -> str:
    if entry.risk_accepted:
        return f"Risk Accepted {_date(entry.override.expires)}" if entry.override else "Risk Accepted"
    return "Ongoing"


def _mitigations(entry: PoamEntry) -> str:
    if not entry.risk_accepted or entry.override is None:
        return ""
    override = entry.override
    return (f"Risk accepted by {override.approver} until {_date(override.expires)}: "
            f"{override.justification}")


def _impact_description(entry: PoamEntry) -> str:
    if entry.finding is not None:
        return entry.finding.description or entry.finding.title
    return entry.result.rule.description if entry.result is not None else ""


def _comments(report: Report, entry: PoamEntry) -> list[str]:
    lines = [f"Devices affected: container image {report.facts.identity.reference}."]
    lines.append(f"Scheduled completion: {deadline_basis(report, entry)}.")
    if entry.kind == "vulnerability" and entry.detected is not None:
        lines.append(f"First detected {_date(entry.detected.date())}.")
    if entry.result is not None:
        verdict = {"not-satisfied": "not satisfied", "partial": "partially satisfied"}
        lines.append(f"Assessment result: {verdict.get(entry.result.verdict.value, entry.result.verdict.value)}.")
        if entry.result.scan_disagreement:
            lines.append(f"Scan disagreement: {entry.result.scan_disagreement}")
    lines += [f"Evidence: {e.cite()} (sha256 {e.sha256})" for e in entry.evidence[:20]]
    return lines


def deadline_basis(report: Report, entry: PoamEntry) -> str:
    """What the due date counts from, in words (the engine's dates; the setting's name is not shown)."""
    if entry.risk_accepted and entry.override is not None:
        return f"the risk acceptance expires {_date(entry.override.expires)}"
    if entry.kind == "vulnerability" and entry.item is not None:
        clock = entry.item.clock
        if clock.start is None:
            return "no detection, fix, publication or scan date is known"
        since = f"{clock.basis} {_date(clock.start.date())}"
        if clock.sla_days is None:
            return f"{since}; the organisation set no remediation time for {clock.severity} findings"
        return (f"{since} + {clock.sla_days} days, the remediation time the organisation set for "
                f"{clock.severity} findings")
    days = entry.item.days if entry.item is not None else None
    start = entry.item.start if entry.item is not None else None
    if days is None or start is None:
        return f"the organisation set no remediation time for {entry.severity} findings"
    return (f"assessment date {_date(start.date())} + {days} days, the remediation time "
            f"the organisation set for {entry.severity} findings")


def _scrubber(report: Report) -> Any:
    """A function that rewrites internal identifiers (rule ids, check names, setting names) in words."""
    words: dict[str, str] = {}
    for rule in report.rules:
        if rule.id.startswith("SRG-"):       # DISA's own requirement ids are public, and belong in the sheet
            continue
        words[rule.id] = f'"{rule.title}"' if rule.title else "this requirement"
        if rule.check:
            words[rule.check] = "automated"
    names = sorted(words, key=len, reverse=True)
    if all(_WORD_RUN.fullmatch(name) for name in names):
        # every name is a run of word characters and hyphens, so the pattern below can only match a
        # whole maximal such run: one pass over the runs looked up in a dict finds the same matches
        # (and makes the same single-pass replacements) without trying every name at every position
        def replace_run(match: re.Match[str]) -> str:
            return words.get(match.group(0), match.group(0))

        def scrub_runs(text: str) -> str:
            text = _without_setting_names(text)
            if words.keys().isdisjoint(_WORD_RUN.findall(text)):
                return text
            return _WORD_RUN.sub(replace_run, text)
        return scrub_runs
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, names)) + r")(?![\w-])")

    def scrub(text: str) -> str:
        return pattern.sub(lambda m: words[m.group(1)], _without_setting_names(text))
    return scrub


def _without_setting_names(text: str) -> str:
    return _SLA_SETTING.sub("", text) if "sla_days[" in text else text


# -- cells ---------------------------------------------------------------------------------------------
def _write_item(sheet: Any, row: int, item: PoamItem, styles: _SharedStyles) -> int:
    for letter, value in item.cells.items():
        column = _COLUMN_INDEX[letter]
        if isinstance(value, date):
            cell = sheet.cell(row=row, column=column)
            cell.value = value
            styles.apply(cell, "date")
        else:
            styles.text_cell(sheet, row, column, _cell(value or ""))
    for offset, milestone in enumerate(item.milestones, start=1):
        styles.text_cell(sheet, row + offset, _COLUMN_INDEX["I"], _cell(milestone))
    last = row + len(item.milestones)
    sheet._current_row = max(sheet._current_row, last)   # what Worksheet._add_cell keeps up to date
    return last + 1


class _SharedStyles:
    """The two cell styles of the item rows (wrapped top-aligned text; the same as a date), registered
    with the workbook once and then shared: assigning a style object per cell makes openpyxl hash it and
    look it up in the workbook's style lists every time, which dominated the sheet's cost. The text
    cells, most of the sheet, are made directly (``text_cell``) with the very attributes openpyxl's
    ``Worksheet.cell`` and value setter would give them."""

    def __init__(self) -> None:
        self._styles: dict[str, Any] = {}

    def apply(self, cell: Any, kind: str) -> None:
        from openpyxl.styles import Alignment

        shared = self._styles.get(kind)
        if shared is not None:
            cell._style = copy(shared)
            return
        if kind == "date":
            cell.number_format = layout.DATE_FORMAT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        self._styles[kind] = copy(cell._style)

    def text_cell(self, sheet: Any, row: int, column: int, text: str | None) -> None:
        """A text cell (``text`` from :func:`_cell`, or None for an empty one) styled as wrapped text.

        What openpyxl's value setter does for a str, without its per-cell checks that cannot fail here:
        _cell has already cut the text to Excel's cell limit and spreadsheet_text replaced every character
        openpyxl refuses (each is outside XML 1.0) and quoted a leading "=", so the data type is "s" unless
        the text is one of Excel's error codes.
        """
        from openpyxl.cell.cell import ERROR_CODES, Cell

        shared = self._styles.get("text")
        if shared is None:
            self.apply(sheet.cell(row=row, column=column, value=text), "text")
            return
        cell = Cell(sheet, row=row, column=column)
        if text is not None:
            cell._value = text   # type: ignore[attr-defined]  # openpyxl sets it the same way in Cell.value
            cell.data_type = "e" if text in ERROR_CODES else ("f" if len(text) > 1 and text[0] == "=" else "s")
        cell._style = shared  # type: ignore[attr-defined]  # one array for every text cell: nothing changes a cell's style afterwards
        sheet._cells[(row, column)] = cell


def _date(day: date) -> str:
    return day.strftime("%m/%d/%Y")


def _cell(value: str) -> str | None:
    text = spreadsheet_text(value)
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - 1] + "…"
    return text or None


class _DatedZipFile(zipfile.ZipFile):
    """A deflated zip whose every entry is dated ``moment`` (zip stores local wall-clock times), so the
    workbook's bytes do not depend on when or from which temporary file openpyxl wrote an entry; the
    entries are written once (no second pass re-compressing the archive)."""

    def __init__(self, file: io.BytesIO, moment: tuple[int, int, int, int, int, int]) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self._moment = max(moment, (1980, 1, 1, 0, 0, 0))

    def _dated(self, name: str, external_attr: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._moment)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = external_attr
        return info

    def writestr(self, zinfo_or_arcname: Any, data: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            name, attr = zinfo_or_arcname.filename, zinfo_or_arcname.external_attr
        else:
            name, attr = zinfo_or_arcname, 0o600 << 16
        super().writestr(self._dated(name, attr), data)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        attr = zipfile.ZipInfo.from_file(filename, arcname).external_attr
        with open(filename, "rb") as source:
            super().writestr(self._dated(arcname or str(filename), attr), source.read())


WRITER = PoamXlsxWriter()
