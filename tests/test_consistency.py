"""One assessment, many views: every SRG rule's status and severity agree across the XCCDF results, the
CKL and CKLB checklists, hdf.json, the OSCAL assessment results, the POA&M (OSCAL and xlsx) and the PDF SSP.

Each document is read back with an independent parser (lxml, json, openpyxl, pdftotext) and reduced
to "scc rule id -> (checklist status, effective severity)"; the counts of Open, NotAFinding,
Not_Applicable and Not_Reviewed must then be identical in every view.
"""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from _writer_assessment import build_assessment, expected_ckl_status
from lxml import etree

from scc.writers import writer
from scc.writers.xccdf import render_benchmark

XCCDF = {"x": "http://checklists.nist.gov/xccdf/1.2"}
FROM_XCCDF = {"pass": "NotAFinding", "fail": "Open", "notapplicable": "Not_Applicable", "notchecked": "Not_Reviewed"}
FROM_VERDICT = {"satisfied": "NotAFinding", "not-satisfied": "Open", "partial": "Open",
                "not-applicable": "Not_Applicable", "manual": "Not_Reviewed"}
FROM_CKLB = {"not_a_finding": "NotAFinding", "open": "Open", "not_applicable": "Not_Applicable",
             "not_reviewed": "Not_Reviewed"}
FROM_HEIMDALL = {"passed": "NotAFinding", "failed": "Open", "not applicable": "Not_Applicable",
                 "not reviewed": "Not_Reviewed"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)

Views = dict[str, tuple[str, str]]   # scc rule id -> (CKL status, effective severity)


def _spread(rules: list[str], status: str, severity: str, into: Views) -> None:
    for rule in rules:
        into[rule] = (status, severity)


def xccdf_view(assessment) -> Views:
    view: Views = {}
    for name in assessment.settings.benchmarks:
        root = etree.fromstring(render_benchmark(assessment, name), _PARSER)
        for result in root.iterfind(".//x:rule-result", XCCDF):
            content = result.findtext("x:check/x:check-content", "", XCCDF)
            rules = content.removeprefix("scc rules: ").split(", ") if content.startswith("scc rules: ") else []
            _spread(rules, FROM_XCCDF[result.findtext("x:result", "", XCCDF)], result.get("severity"), view)
    return view


def ckl_view(assessment) -> Views:
    view: Views = {}
    root = etree.fromstring(writer("ckl").render(assessment), _PARSER)
    for vuln in root.iter("VULN"):
        data = {d.findtext("VULN_ATTRIBUTE"): d.findtext("ATTRIBUTE_DATA") for d in vuln.iterfind("STIG_DATA")}
        rules = re.findall(r"^scc rule (\S+) \(", vuln.findtext("FINDING_DETAILS") or "", re.MULTILINE)
        severity = vuln.findtext("SEVERITY_OVERRIDE") or data["Severity"]
        _spread(rules, vuln.findtext("STATUS"), severity, view)
    return view


def cklb_view(assessment) -> Views:
    view: Views = {}
    for stig in json.loads(writer("cklb").render(assessment))["stigs"]:
        for rule in stig["rules"]:
            rules = re.findall(r"^scc rule (\S+) \(", rule["finding_details"], re.MULTILINE)
            severity = rule["overrides"].get("severity", {}).get("severity") or rule["severity"]
            _spread(rules, FROM_CKLB[rule["status"]], severity, view)
    return view


def _hdf_requirements(assessment) -> list[dict]:
    from test_writer_hdf import hdf

    return [c for p in hdf(assessment)["profiles"] if not p["name"].startswith("scc-") for c in p["controls"]]


def hdf_view(assessment) -> Views:
    from test_writer_hdf import heimdall_status

    view: Views = {}
    for control in _hdf_requirements(assessment):
        severity = control["tags"].get("severityoverride") or control["tags"]["severity"]
        _spread(control["tags"]["scc_rules"], FROM_HEIMDALL[heimdall_status(control)], severity, view)
    return view


def oscal_ar_view(assessment) -> Views:
    document = json.loads(writer("oscal-assessment-results").render(assessment))
    view: Views = {}
    for observation in document["assessment-results"]["results"][0]["observations"]:
        props = {p["name"]: p["value"] for p in observation.get("props", [])}
        if "rule-id" in props and "srg" in props:
            view[props["rule-id"]] = (FROM_VERDICT[props["verdict"]], props["severity"])
    return view


def pdf_poam_items(assessment, tmp_path: Path) -> int:
    """How many POA&M items the PDF SSP's summary counts (the PDF renders the SSP; SRG results are not in it)."""
    pdf = tmp_path / "ssp.pdf"
    pdf.write_bytes(writer("ssp-pdf").render(assessment))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
                          timeout=120).stdout
    summary = text[text.index("8 Plan of action and milestones (summary)\n"):]
    return int(re.search(r"(\d+)\s+POA&M item\(s\)", summary).group(1))


def poam_open_rules(assessment) -> tuple[set[str], set[str]]:
    """Open rule ids in the OSCAL POA&M and in the spreadsheet."""
    document = json.loads(writer("oscal-poam").render(assessment))["plan-of-action-and-milestones"]
    oscal = set()
    for item in document["poam-items"]:
        props = {p["name"]: p["value"] for p in item["props"]}
        if props["poam-kind"] == "rule":
            oscal.add(props["weakness"])
    sheet = openpyxl.load_workbook(io.BytesIO(writer("poam-xlsx").render(assessment))).active
    # the sheet names STIG rules by DISA's ids (Security Checks, column F), never by scc's rule ids
    by_check = {ref.rule_id: r.rule.id for r in assessment.rule_results for ref in r.rule.srg if ref.rule_id}
    xlsx = {by_check[check] for row in sheet.iter_rows(min_row=8, values_only=True) if row[2]
            for check in str(row[5] or "").split("; ") if check in by_check}
    return oscal, xlsx


def assert_views_agree(assessment, tmp_path: Path) -> Counter:
    views = {"xccdf": xccdf_view(assessment), "ckl": ckl_view(assessment), "cklb": cklb_view(assessment),
             "hdf": hdf_view(assessment), "oscal-ar": oscal_ar_view(assessment)}
    srg_rules = {r.rule.id for r in assessment.srg_results}
    single = {r.rule.id for r in assessment.srg_results if len(r.rule.srg) == 1}
    for name, view in views.items():
        assert set(view) == srg_rules, f"{name} does not show every SRG rule: {sorted(srg_rules ^ set(view))}"
    reference = views["ckl"]
    for name, view in views.items():
        statuses = {rule: status for rule, (status, _) in view.items()}
        assert statuses == {rule: status for rule, (status, _) in reference.items()}, f"{name} status differs"
        severities = {rule: view[rule][1] for rule in single}
        assert severities == {rule: reference[rule][1] for rule in single}, f"{name} severity differs"
    counts = Counter(status for status, _ in reference.values())
    for name, view in views.items():
        assert Counter(status for status, _ in view.values()) == counts, name
    oscal_open, xlsx_open = poam_open_rules(assessment)
    open_srg = {rule for rule, (status, _) in reference.items() if status == "Open"}
    assert oscal_open & srg_rules == open_srg == xlsx_open & srg_rules
    if shutil.which("pdftotext"):
        document = json.loads(writer("oscal-poam").render(assessment))["plan-of-action-and-milestones"]
        assert pdf_poam_items(assessment, tmp_path) == len(document["poam-items"])
    return counts


@pytest.mark.slow
def test_every_view_agrees_on_the_hand_built_assessment(tmp_path):
    assessment = build_assessment()
    counts = assert_views_agree(assessment, tmp_path)
    expected = Counter(expected_ckl_status().values())
    assert counts == expected == Counter({"Open": 3, "NotAFinding": 1, "Not_Applicable": 1, "Not_Reviewed": 1})


@pytest.mark.slow
def test_every_view_agrees_on_an_assessment_of_real_samples(samples, tmp_path):
    import scc

    assessment = scc.assess([samples / "cyclonedx" / "alpine.syft.cdx-1.5.json",
                             samples / "grype" / "golang-1.12-alpine.grype.json",
                             samples / "image-config" / "oci1-config.json"])
    assessment.__dict__["content"] = None   # the checklist shape must not depend on the user's content cache
    counts = assert_views_agree(assessment, tmp_path)
    assert sum(counts.values()) == len(assessment.srg_results) > 0


def _requirement_statuses(assessment) -> dict[str, Counter]:
    """Per-requirement status counts (every row, scc-evaluated or not) in XCCDF, CKL, CKLB and HDF."""
    from test_writer_hdf import heimdall_status

    xccdf = Counter()
    for name in assessment.settings.benchmarks:
        root = etree.fromstring(render_benchmark(assessment, name), _PARSER)
        xccdf.update(FROM_XCCDF[r.findtext("x:result", "", XCCDF)] for r in root.iterfind(".//x:rule-result", XCCDF))
    ckl = Counter(v.findtext("STATUS") for v in etree.fromstring(writer("ckl").render(assessment), _PARSER).iter("VULN"))
    cklb = Counter(FROM_CKLB[r["status"]] for s in json.loads(writer("cklb").render(assessment))["stigs"]
                   for r in s["rules"])
    hdf = Counter(FROM_HEIMDALL[heimdall_status(c)] for c in _hdf_requirements(assessment))
    return {"xccdf": xccdf, "ckl": ckl, "cklb": cklb, "hdf": hdf}


@pytest.mark.slow
def test_full_benchmark_views_agree_when_official_content_is_cached(shared_data, tmp_path):
    from test_writer_ckl import FakeContent, _benchmark

    content = FakeContent({"gpos-srg": _benchmark(shared_data / "disa" / "disa-os-srg-v3r2.xml"),
                           "ctr-srg": _benchmark(shared_data / "disa" / "disa-ctr-srg-v1r3.xml")})
    assessment = build_assessment(content=content)
    counts = _requirement_statuses(assessment)
    # 198 + 173 requirements; scc evaluates 6 of them (3 Open, 1 NotAFinding, 1 Not_Applicable, 1 Not_Reviewed)
    expected = Counter({"Not_Reviewed": 371 - 5, "Open": 3, "NotAFinding": 1, "Not_Applicable": 1})
    assert counts == {"xccdf": expected, "ckl": expected, "cklb": expected, "hdf": expected}
    assert_views_agree(assessment, tmp_path)
