"""POA&M spreadsheet: the eMASS import template's layout (checked cell by cell against the real template),
derived risk columns with the template's allowed values, milestones at the engine's due dates, no internal
identifiers in any cell, inert cells for hostile text, byte-identical renders, and agreement with MITRE
SAF's own ckl2POAM conversion of scc's checklist."""
from __future__ import annotations

import io
import json
import os
import re
import subprocess
import warnings
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from _writer_assessment import ACCEPTED, HOSTILE_NAME, build_assessment
from lxml import etree
from test_writer_ckl import saf  # noqa: F401  (the session fixture that installs @mitre/saf 1.5.3)

from scc.assessment import Settings
from scc.writers import writer

TEMPLATE_SHEET = "POA&M"
RISK = {"Very Low", "Low", "Moderate", "High", "Very High"}
X14 = {"x14": "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main",
       "xm": "http://schemas.microsoft.com/office/excel/2006/main",
       "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


@pytest.fixture(scope="module")
def template(shared_data: Path) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # openpyxl drops the x14 list validations (read separately below)
        return openpyxl.load_workbook(shared_data / "emass" / "eMASS-POAM-Template.xlsm")


@pytest.fixture(scope="module")
def real_assessment(shared_data: Path):
    import scc

    samples = shared_data / "samples"
    assessment = scc.assess([samples / "cyclonedx" / "alpine.syft.cdx-1.5.json",
                             samples / "grype" / "golang-1.12-alpine.grype.json",
                             samples / "image-config" / "oci1-config.json"])
    assessment.__dict__["content"] = None
    return assessment


def _workbook(assessment=None) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(writer("poam-xlsx").render(assessment or build_assessment())))


def _items(sheet) -> list[dict[str, object]]:
    """Item rows (description in C) keyed by template title, each with the milestones in I below it."""
    titles = {c.column_letter: str(c.value).strip() for c in sheet[7] if c.value and c.column_letter != "A"}
    items: list[dict[str, object]] = []
    for row in sheet.iter_rows(min_row=8):
        cells = {c.column_letter: c.value for c in row}
        if cells.get("C"):
            items.append({titles[k]: v for k, v in cells.items() if k in titles} | {"milestones": [cells["I"]]})
        elif cells.get("I"):
            items[-1]["milestones"].append(cells["I"])
    return items


def _checks(item) -> list[str]:
    return str(item["Security Checks"] or "").split("; ")


# -- layout: the real template, cell by cell -------------------------------------------------------------
@pytest.mark.slow
def test_banner_header_block_and_column_titles_match_the_emass_template_cell_by_cell(template):
    ours = _workbook().active
    theirs = template[TEMPLATE_SHEET]
    assert ours.title == TEMPLATE_SHEET
    compared = 0
    for row in theirs.iter_rows(min_row=1, max_row=7, max_col=22):
        for cell in row:
            mine = ours[cell.coordinate].value
            if cell.coordinate == "A1":
                assert re.fullmatch(r"\*{5} .+ \*{5}", cell.value) and re.fullmatch(r"\*{5} .+ \*{5}", mine)
            elif cell.value is not None:
                assert mine == cell.value, cell.coordinate
            compared += cell.value is not None
    assert compared == 34                               # banner + 11 header labels + A7 + 21 column titles
    assert {str(r) for r in ours.merged_cells.ranges} == {str(r) for r in theirs.merged_cells.ranges}
    assert ours["B7"].value == "POA&M Item ID" and ours["C7"].value == "Control Vulnerability Description"


def test_header_values_sit_in_the_template_value_cells_and_say_not_provided(template):
    sheet = _workbook().active
    values = {"D2": "11/20/2026", "D3": "scc (automated assessment)", "D4": "not provided", "D5": "not provided",
              "D6": "not provided", "K2": "not provided", "K4": "not provided", "K5": "not provided",
              "K6": "not provided", "N2": "not provided", "N5": "not provided"}
    assert {c: sheet[c].value for c in values} == values
    # every value cell is the first cell of a merge the template leaves empty
    merges = {str(r).split(":")[0] for r in template[TEMPLATE_SHEET].merged_cells.ranges}
    assert set(values) <= merges and all(template[TEMPLATE_SHEET][c].value is None for c in values)


@pytest.mark.slow
def test_marking_is_a_visible_placeholder_unless_given_and_heads_every_page():
    sheet = _workbook().active
    assert sheet["A1"].value == "***** MARKING NOT PROVIDED *****"
    assert "UNCLASSIFIED" not in sheet["A1"].value
    marked = _workbook(build_assessment(Settings(marking="CUI", system_name="Payroll", organization="DHA J6")))
    sheet = marked.active
    assert sheet["A1"].value == "***** CUI *****"
    assert sheet.oddHeader.center.text == sheet.oddFooter.center.text == "***** CUI *****"
    assert sheet["D5"].value == "Payroll" and sheet["D4"].value == "DHA J6"
    assert {i["Office/Org"] for i in _items(sheet)} == {"DHA J6"}


def test_profile_supplies_marking_system_organisation_and_poc():
    from scc.profile import Party, SystemProfile

    isso = Party(key="isso", name="Pat Lee", type="person", email="pat.lee@example.mil")
    org = Party(key="org", name="DISA", type="organization", email=None)
    profile = SystemProfile(marking="CUI//SP-PRVCY", name="Payroll", id="1234", id_type="DITPR",
                            parties=(isso, org), roles=(("isso", ("isso",)),))
    assessment = build_assessment()
    assessment.report = replace(assessment.report, policy=replace(assessment.policy, profile=profile))
    sheet = _workbook(assessment).active
    assert sheet["A1"].value == "***** CUI//SP-PRVCY *****"
    assert (sheet["D4"].value, sheet["D5"].value, sheet["D6"].value) == ("DISA", "Payroll", "1234")
    assert (sheet["K4"].value, sheet["K5"].value, sheet["K6"].value) == ("Pat Lee", "not provided",
                                                                          "pat.lee@example.mil")
    assert {i["Office/Org"] for i in _items(sheet)} == {"DISA, Pat Lee, pat.lee@example.mil"}


def test_allowed_values_and_list_validations_are_the_templates(template, shared_data):
    workbook = _workbook()
    lists = workbook["Sheet1"]
    assert lists.sheet_state == "hidden" == template["Sheet1"].sheet_state
    for column in "BDF":
        theirs = [c.value for c in template["Sheet1"][column] if c.value not in (None, '=""', "RMF_Standard")]
        assert [c.value for c in lists[column] if c.value is not None] == theirs, column
    # the template's list validations live in an x14 extension openpyxl does not read: parse the XML
    with zipfile.ZipFile(shared_data / "emass" / "eMASS-POAM-Template.xlsm") as archive:
        root = etree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    theirs = {v.findtext("xm:sqref", namespaces=X14): v.findtext("x14:formula1/xm:f", namespaces=X14)[-4:-2]
              for v in root.iterfind(".//x14:dataValidation", X14)}
    ours = {str(v.sqref): v.formula1.split("!")[1][:2] for v in workbook.active.data_validations.dataValidation
            if v.type == "list"}
    assert ours == theirs == {"P8:S1048576 U8:U1048576": "$B", "N8:N1048576": "$F"}
    dates = [str(v.sqref) for v in workbook.active.data_validations.dataValidation if v.type == "date"]
    assert dates == [v.get("sqref") for v in root.iterfind(".//m:dataValidation[@type='date']", X14)]


# -- items -----------------------------------------------------------------------------------------------
def test_one_item_per_open_vulnerability_and_open_rule_with_every_column_filled():
    items = _items(_workbook().active)
    assert len(items) == 7
    for item in items:
        for title in ("Control Vulnerability Description", "Office/Org", "Resources Required", "Status",
                      "Scheduled Completion Date", "Source Identifying Vulnerability", "Comments", "Raw Severity",
                      "Severity", "Relevance of Threat", "Likelihood", "Impact", "Residual Risk Level",
                      "Recommendations"):
            assert item[title], (title, item["Control Vulnerability Description"])
        assert item["POA&M Item ID"] is None          # eMASS assigns it on import
    by_check = {_checks(i)[0]: i for i in items}
    openssl = by_check["CVE-2026-0001"]
    assert openssl["Security Control Number (NC/NA controls only)"] == "RA-5, SI-2"
    assert openssl["Raw Severity"] == "I" and openssl["Severity"] == "Very High"
    assert openssl["Resources Required"] == "Image rebuild with fixed package versions, and a rescan."
    root = next(i for i in items if "SV-203695r958726_rule" in _checks(i))
    assert _checks(root) == ["SRG-OS-000324-GPOS-00125", "V-203695", "SV-203695r958726_rule"]
    assert root["Security Control Number (NC/NA controls only)"] == "AC-6, AC-6(10)"
    accepted = next(i for i in items if "SV-233163r601765_rule" in _checks(i))
    assert accepted["Status"] == "Risk Accepted 06/30/2027" and "J. Smith (AO)" in accepted["Mitigations"]
    assert accepted["Raw Severity"] == "II" and accepted["Severity"] == "Low"   # CAT II, overridden low
    assert all(set(i) >= {"Impact Description"} for i in items)


def test_milestones_sit_below_each_item_dated_with_the_engines_due_dates():
    assessment = build_assessment()
    items = _items(_workbook(assessment).active)
    due = {f.id: assessment.remediation[id(f)].due_date for f in assessment.facts.findings}
    for item in items:
        scheduled = item["Scheduled Completion Date"].date()
        assert len(item["milestones"]) >= 1
        for line in item["milestones"]:
            assert line.endswith(scheduled.strftime(" %m/%d/%Y")), line     # date after the text
        check = _checks(item)[0]
        if check in due:
            assert scheduled == due[check]
    assert _items(_workbook(assessment).active)[0]["milestones"][1].startswith("Rescan the rebuilt image")
    assert len([i for i in items if len(i["milestones"]) == 2]) == 6      # the accepted risk has one review


def test_risk_columns_follow_the_documented_sp800_30_rule():
    assessment = build_assessment()
    items = {_checks(i)[0]: i for i in _items(_workbook(assessment).active)}
    risk = ("Severity", "Relevance of Threat", "Likelihood", "Impact", "Residual Risk Level")
    # critical, CVSS AV:N -> threat High; G-5(High, Very High) = Very High; I-2(Very High, Very High) = Very High
    assert tuple(items["CVE-2026-0001"][c] for c in risk) == ("Very High", "High", "Very High", "Very High",
                                                               "Very High")
    # high, no vector -> threat Moderate; G-5(Moderate, High) = Moderate; I-2(Moderate, High) = Moderate
    assert tuple(items["CVE-2026-0002"][c] for c in risk) == ("High", "Moderate", "Moderate", "High", "Moderate")
    # low, no vector -> G-5(Moderate, Low) = Low; I-2(Low, Low) = Low
    assert tuple(items["CVE-2026-0004"][c] for c in risk) == ("Low", "Moderate", "Low", "Low", "Low")
    finding = assessment.facts.findings[3]
    finding.cvss = [replace(assessment.facts.findings[0].cvss[0], vector="CVSS:3.1/AV:P/AC:H", score=2.0)]
    assessment.__dict__.pop("remediation", None)
    low = {_checks(i)[0]: i for i in _items(_workbook(assessment).active)}["CVE-2026-0004"]
    # physical vector -> threat Very Low; G-5(Very Low, Low) = Very Low; I-2(Very Low, Low) = Very Low
    assert tuple(low[c] for c in risk) == ("Low", "Very Low", "Very Low", "Low", "Very Low")
    for item in low, *items.values():
        assert {item[c] for c in risk} <= RISK and item["Raw Severity"] in {"I", "II", "III"}


def _identifiers(assessment) -> set[str]:
    names = {r.id for r in assessment.rules} | {r.check for r in assessment.rules if r.check}
    return {n for n in names if len(n) > 4 and not n.startswith("SRG-")}   # SRG ids are DISA's own, public


def _all_text(sheet) -> list[str]:
    return [str(c.value) for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]


@pytest.mark.slow
def test_no_cell_carries_an_internal_identifier(real_assessment):
    text = "\n".join(_all_text(_workbook(real_assessment).active))
    internal = _identifiers(real_assessment)
    assert "findings_remediated_within_sla" in internal and len(internal) > 20
    leaked = sorted(n for n in internal if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", text))
    assert leaked == []
    assert "sla_days" not in text and "not-satisfied" not in text and not re.search(r"\b[a-z]+_[a-z_]+ check\b", text)
    assert not re.search(r"\b[a-z]{2}\d+-[a-z0-9-]+\b", text)          # rule-pack ids look like si2-..., cm8-...


def test_cells_that_would_start_a_formula_are_quoted():
    assessment = build_assessment()
    assessment.rule_results[1].rule = replace(assessment.rule_results[1].rule, fix_text=HOSTILE_NAME)
    assessment.settings.organization = "+cmd|' /C calc'!A0"
    sheet = _workbook(assessment).active
    values = _all_text(sheet)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert "'" + HOSTILE_NAME in values
    assert "'+cmd|' /C calc'!A0" in values
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)


def test_hostile_component_names_stay_inert(hostile):
    names = [c["name"] for c in json.loads((hostile / "injection.cdx.json").read_text())["components"]]
    formulas = [n for n in names if n.startswith(("=", "+", "-", "@"))]
    assert formulas, "the hostile sample carries formula-like names"
    assessment = build_assessment()
    finding = assessment.facts.findings[0]
    finding.package = finding.title = finding.description = formulas[0]
    assessment.rule_results[1].rule = replace(assessment.rule_results[1].rule, fix_text=formulas[0])
    data = writer("poam-xlsx").render(assessment)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    assert "'" + formulas[0] in _all_text(sheet)


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
    assert ACCEPTED


# -- a real consumer: MITRE SAF's ckl2POAM on scc's checklist ---------------------------------------------
def _base_control(name: str) -> str:
    """'CM-7a' / 'CM-7(5) (b)' / 'AC-6(10)' -> the control or enhancement, without its part."""
    found = re.match(r"[A-Z]{2}-\d+(\(\d+\))?", name.replace(" ", ""))
    assert found, name
    return found.group(0)


@pytest.mark.slow
def test_saf_ckl2poam_of_the_checklist_agrees_on_items_controls_and_statuses(saf, real_assessment,  # noqa: F811
                                                                              tmp_path):
    ckl = tmp_path / "scc.ckl"
    ckl.write_bytes(writer("ckl").render(real_assessment))
    done = subprocess.run([*saf, "convert", "ckl2POAM", "-i", str(ckl), "-o", str(tmp_path / "out"),
                           "-O", "not provided", "-d", "image"], capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL, env={**os.environ, "NO_COLOR": "1"}, check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    produced = sorted((tmp_path / "out").glob("*.xlsm"))
    assert len(produced) == 1, done.stdout
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # SAF keeps the template's x14 validations, which openpyxl drops
        theirs = _items(openpyxl.load_workbook(produced[0]).worksheets[0])
    ours = _items(_workbook(real_assessment).active)
    by_rule = {check: item for item in ours for check in _checks(item) if check.startswith("SV-")}
    open_theirs = {i["Security Checks"]: i for i in theirs if i["Status"] == "Ongoing"}
    assert len(open_theirs) >= 10
    assert set(open_theirs) == set(by_rule)                              # the same failed STIG rules
    for rule_id, item in open_theirs.items():
        mine = by_rule[rule_id]
        assert _base_control(item["Security Control Number (NC/NA controls only)"]) in \
            mine["Security Control Number (NC/NA controls only)"].split(", "), rule_id
        assert mine["Status"] == "Ongoing"
        assert mine["Raw Severity"] == item["Raw Severity"], rule_id
    not_applicable = {i["Security Checks"] for i in theirs if i["Status"] == "Not Applicable"}
    assert not_applicable and not (not_applicable & set(by_rule))       # scc lists open weaknesses only
    assert "Ongoing" in {i["Status"] for i in theirs} and _base_control("CM-7(5) (b)") == "CM-7(5)"


@pytest.mark.slow
def test_resources_and_milestones_follow_the_kind_of_weakness(real_assessment):
    items = _items(_workbook(real_assessment).active)
    rules = [i for i in items if not _checks(i)[0].startswith(("CVE-", "GHSA-"))]
    flaw = [i for i in rules if "SI-2" in i["Security Control Number (NC/NA controls only)"].split(", ")
            and not i["Security Checks"]]
    config = [i for i in rules if i["Security Control Number (NC/NA controls only)"] == "CM-7"]
    assert flaw and config
    assert {i["Resources Required"] for i in flaw} == {
        "Image rebuild with fixed package versions for the findings named, and a rescan."}
    assert {i["Resources Required"] for i in config} == {
        "Image rebuild with the corrected configuration, and a reassessment."}
    assert all(i["milestones"][0].startswith("Correct the image configuration") for i in config)


def test_unknown_severity_leaves_the_risk_columns_empty_rather_than_guessing():
    from scc.facts.model import Severity

    assessment = build_assessment()
    assessment.facts.findings[3].severity = Severity.UNKNOWN
    item = {_checks(i)[0]: i for i in _items(_workbook(assessment).active)}["CVE-2026-0004"]
    assert [item[c] for c in ("Severity", "Relevance of Threat", "Likelihood", "Impact", "Residual Risk Level")] \
        == [None] * 5
    assert "severity is unknown" in item["Comments"]
