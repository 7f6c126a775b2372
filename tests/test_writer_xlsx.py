"""POA&M spreadsheet: the eMASS template layout, inert cells for hostile text, byte-identical renders."""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace

import openpyxl
from _writer_assessment import ACCEPTED, HOSTILE_NAME, build_assessment

from scc.writers import writer
from scc.writers.poam_xlsx import COLUMNS, HEADER_ROW

EMASS_TITLES = [
    "POA&M Item ID", "Control Vulnerability Description", "Security Control Number (NC/NA controls only)",
    "Office/Org", "Security Checks", "Resources Required", "Scheduled Completion Date",
    "Milestone with Completion Dates", "Milestone Changes", "Source Identifying Control Vulnerability", "Status",
    "Comments", "Raw Severity Value", "Devices Affected", "Mitigations", "Predisposing Conditions", "Severity",
    "Relevance of Threat", "Threat Description", "Likelihood", "Impact", "Impact Description",
    "Residual Risk Level", "Recommendations", "Identified in CFO Audit or other review",
]


def _sheet(assessment=None):
    data = writer("poam-xlsx").render(assessment or build_assessment())
    return openpyxl.load_workbook(io.BytesIO(data)).active


def _rows(sheet) -> list[dict[str, object]]:
    titles = [c.value for c in sheet[HEADER_ROW]]
    return [dict(zip(titles, row)) for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]


def test_column_titles_are_the_emass_template_in_row_7():
    sheet = _sheet()
    assert [c.value for c in sheet[HEADER_ROW]] == EMASS_TITLES == list(COLUMNS)
    assert sheet["A1"].value == "Date Exported:" and sheet["B1"].value == "11/20/2026"


def test_one_row_per_open_vulnerability_and_open_rule_with_emass_values():
    rows = _rows(_sheet())
    assert len(rows) == 7
    by_check = {str(r["Security Checks"]).splitlines()[0]: r for r in rows}
    openssl = by_check["CVE-2026-0001"]
    assert openssl["Scheduled Completion Date"] == "11/25/2026"
    assert openssl["Security Control Number (NC/NA controls only)"] == "RA-5, SI-2"
    assert openssl["Raw Severity Value"] == "I" and openssl["Severity"] == "Very High"
    assert openssl["Status"] == "Ongoing" and "3.0.2" in openssl["Milestone with Completion Dates"]
    assert openssl["Milestone with Completion Dates"].endswith("11/25/2026")
    assert "scans/grype.json#/matches/0" in openssl["Comments"]
    root = by_check["non-root-user"]
    assert root["Security Control Number (NC/NA controls only)"] == "AC-6, AC-6(10)"
    assert "SRG-OS-000324-GPOS-00125" in root["Security Checks"] and "V-203695" in root["Security Checks"]
    accepted = by_check[ACCEPTED]
    assert accepted["Status"] == "Risk Accepted" and "J. Smith (AO)" in accepted["Mitigations"]
    assert accepted["Raw Severity Value"] == "II" and accepted["Severity"] == "Low"   # CAT II, overridden low
    assert all(r["Devices Affected"].startswith("registry.example/team/app:1.4.2") for r in rows)


def test_cells_that_would_start_a_formula_are_quoted():
    assessment = build_assessment()
    assessment.rule_results[1].rule = replace(assessment.rule_results[1].rule, fix_text=HOSTILE_NAME)
    assessment.settings.organization = "+cmd|' /C calc'!A0"
    sheet = _sheet(assessment)
    values = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert "'" + HOSTILE_NAME in values
    assert "'+cmd|' /C calc'!A0" in values
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)


def test_hostile_component_names_stay_inert(hostile):
    # the names read straight from the sample (independently of scc's readers)
    names = [c["name"] for c in json.loads((hostile / "injection.cdx.json").read_text())["components"]]
    formulas = [n for n in names if n.startswith(("=", "+", "-", "@"))]
    assert formulas, "the hostile sample carries formula-like names"
    assessment = build_assessment()
    finding = assessment.facts.findings[0]
    finding.package = finding.title = formulas[0]
    assessment.rule_results[1].rule = replace(assessment.rule_results[1].rule, fix_text=formulas[0])
    data = writer("poam-xlsx").render(assessment)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    assert "'" + formulas[0] in [c.value for row in sheet.iter_rows() for c in row]


def test_two_renders_are_byte_identical_with_fixed_dates():
    first = writer("poam-xlsx").render(build_assessment())
    assert first == writer("poam-xlsx").render(build_assessment())
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2026, 11, 20, 12, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2026-11-20T12:00:00Z" in core
    workbook = openpyxl.load_workbook(io.BytesIO(first))
    assert workbook.properties.created == workbook.properties.modified


def test_json_free_of_formulas_sanity():
    # the OSCAL POA&M keeps the text as is (JSON has no formulas); only the spreadsheet quotes
    document = json.loads(writer("oscal-poam").render(build_assessment()))
    titles = [i["title"] for i in document["plan-of-action-and-milestones"]["poam-items"]]
    assert any(HOSTILE_NAME in t for t in titles)
