"""Scan results are evidence in their own right (issue 10, item 1).

An XCCDF/ARF rule result for a requirement scc has no rule for is that requirement's result in
every view (XCCDF, ARF, CKL, CKLB, OSCAL assessment results, POA&M), with the scanner named, and
the gate counts it. The real case: OpenSCAP with the Chainguard GPOS SRG data stream over a Debian
12 root filesystem, where SV-203739 (SRG-OS-000396-GPOS-00176, CAT I) fails.
"""
from __future__ import annotations

import json
import shutil

import pytest
from lxml import etree
from realtools import build_debian_rootfs, run_oscap
from test_cli import run_scc

import scc
from scc.engine.model import Verdict
from scc.engine.scans import apply_existing_scans
from scc.facts.model import Evidence, XccdfRuleResult

X = {"x": "http://checklists.nist.gov/xccdf/1.2"}
CAT1_IDREF = "xccdf_mil.disa.stig_rule_SV-203739r987791_rule"
PROFILE = "xccdf_basic_profile_.check"

ONLY_A_CAT1_FAIL = f"""<?xml version="1.0" encoding="UTF-8"?>
<TestResult xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_org.open-scap_testresult_x"
    start-time="2026-11-30T10:00:00+00:00" end-time="2026-11-30T10:00:05+00:00"
    test-system="cpe:/a:redhat:openscap:1.3.7">
  <benchmark id="xccdf_org.open-scap.sce-community-content_benchmark_all" href="ds.xml"/>
  <target>rootfs</target>
  <rule-result idref="{CAT1_IDREF}" severity="high"><result>fail</result>
    <ident system="http://cyber.mil/cci">CCI-002450</ident></rule-result>
</TestResult>
"""


@pytest.fixture(scope="module")
def debian_scan(shared_data, tmp_path_factory):
    """results.xml and results-arf.xml of a real oscap run over a small Debian 12 root filesystem."""
    datastream = shared_data / "disa" / "chainguard-gpos-srg-v3r2-ds.xml"
    if not shutil.which("oscap"):
        pytest.skip("oscap is not installed")
    work = tmp_path_factory.mktemp("debian-oscap")
    (work / "rootfs").mkdir()
    problem = build_debian_rootfs(work / "rootfs") or run_oscap(datastream, PROFILE, work / "rootfs", work)
    if problem:
        pytest.skip(problem)
    return work


def only_cat1_fail_of(results_xml, out):
    """The real oscap results with every rule-result but SV-203739's removed."""
    tree = etree.parse(str(results_xml), etree.XMLParser(resolve_entities=False, no_network=True))
    for node in tree.getroot().xpath("//x:rule-result", namespaces=X):
        if node.get("idref") != CAT1_IDREF:
            node.getparent().remove(node)
    tree.write(str(out), xml_declaration=True, encoding="UTF-8")
    return out


def _carried_rule(cci_controls):
    """The one RuleResult apply_existing_scans carries for a lone CAT I fail scc has no rule for."""
    scan = XccdfRuleResult(rule_id=CAT1_IDREF, result="fail", version="SRG-OS-000396-GPOS-00176",
                           severity="high", ccis=("CCI-002450",), tool="oscap",
                           evidence=(Evidence("cat1.xml", "a" * 64, "/TestResult/rule-result"),))
    results: list = []
    notes = apply_existing_scans(results, [scan], None, cci_controls)
    return results, notes


def test_the_engine_maps_the_scan_ccis_to_controls_with_the_mapping_it_is_given():
    results, notes = _carried_rule(lambda cci: {"CCI-002450": ("sc-13",)}.get(cci, ()))
    assert [r.rule.controls for r in results] == [("sc-13",)]
    assert not any("CCI list" in n for n in notes)


def test_without_a_cci_list_carried_results_name_no_control_and_a_note_says_why():
    results, notes = _carried_rule(None)
    assert [r.rule.controls for r in results] == [()]
    assert any("no DISA CCI list in the content store" in n for n in notes)


def test_a_file_whose_only_content_is_a_cat1_fail_breaches_the_cat1_gate(tmp_path, capsys, no_content):
    path = tmp_path / "only-cat1.xml"
    path.write_text(ONLY_A_CAT1_FAIL)
    code, out, err = run_scc(capsys, "gate", str(path), "--max-cat1", "0")
    assert code == 1, out + err
    assert "CAT I STIG findings: 1 open" in err


def test_the_real_debian_scan_cut_to_its_cat1_fail_breaches_the_gate_with_and_without_content(
        debian_scan, tmp_path, capsys, monkeypatch, content_dir):
    path = only_cat1_fail_of(debian_scan / "results.xml", tmp_path / "cat1.xml")
    for directory in (tmp_path / "none", content_dir):
        monkeypatch.setenv("SCC_CONTENT_DIR", str(directory))
        code, out, err = run_scc(capsys, "gate", str(path), "--max-cat1", "0")
        assert code == 1 and "CAT I STIG findings" in err, (directory, out, err)


def test_every_openscap_result_is_its_requirements_result_in_every_view(debian_scan, tmp_path, with_content):
    results_xml = debian_scan / "results.xml"
    raw = etree.parse(str(results_xml)).getroot()
    outcomes = {n.get("idref").removeprefix("xccdf_mil.disa.stig_rule_"): n.findtext("x:result", namespaces=X)
                for n in raw.xpath("//x:TestResult/x:rule-result", namespaces=X)}
    assert outcomes["SV-203739r987791_rule"] == "fail" and len(outcomes) == 198
    out = scc.assess([results_xml]).write_package(tmp_path / "pkg")

    xccdf = etree.parse(str(out / "xccdf-results.xml")).getroot()
    written = {n.get("idref").removeprefix("xccdf_mil.disa.stig_rule_"): n for n in
               xccdf.xpath("//x:rule-result", namespaces=X)}
    for rule_id, outcome in outcomes.items():
        assert written[rule_id].findtext("x:result", namespaces=X) == outcome, rule_id
    cat1 = written["SV-203739r987791_rule"]
    assert cat1.get("severity") == "high" and cat1.get("version") == "SRG-OS-000396-GPOS-00176"
    assert "scan result of cpe:/a:redhat:openscap:" in cat1.findtext("x:message", namespaces=X)

    ckl = etree.parse(str(out / "checklist.ckl")).getroot()
    vuln = next(v for v in ckl.iter("VULN") if any(s.findtext("ATTRIBUTE_DATA") == "V-203739"
                                                   for s in v.iter("STIG_DATA")))
    assert vuln.findtext("STATUS") == "Open"
    assert "openscap" in vuln.findtext("FINDING_DETAILS")
    gpos = next(i for i in ckl.iter("iSTIG") if any(s.findtext("SID_DATA") == "General_Purpose_Operating_System"
                                                  for s in i.iter("SI_DATA")))
    statuses = [v.findtext("STATUS") for v in gpos.iter("VULN")]
    assert statuses.count("Open") == list(outcomes.values()).count("fail")
    assert "Not_Reviewed" not in statuses

    cklb = json.loads((out / "checklist.cklb").read_text())
    (row,) = [r for s in cklb["stigs"] for r in s["rules"] if r.get("group_id") == "V-203739"]
    assert row["status"] == "open"

    arf = etree.parse(str(out / "xccdf-results-arf.xml")).getroot()
    arf_result = arf.xpath(f"//x:rule-result[@idref='{CAT1_IDREF}']/x:result", namespaces=X)
    assert [r.text for r in arf_result] == ["fail"]

    ar = json.loads((out / "oscal-assessment-results.json").read_text())["assessment-results"]
    findings = ar["results"][0]["findings"]
    assert any("SV-203739r987791_rule" in f["title"] for f in findings)
    poam = json.loads((out / "oscal-poam.json").read_text())["plan-of-action-and-milestones"]
    assert any("SV-203739r987791_rule" in item["title"] or "SV-203739" in json.dumps(item)
               for item in poam["poam-items"])


def test_without_content_the_scans_own_ids_and_titles_are_listed(debian_scan, tmp_path, no_content):
    assessment = scc.assess([debian_scan / "results.xml"])
    (cat1,) = [r for r in assessment.rule_results if r.is_scan_result and
               r.rule.srg[0].rule_id == "SV-203739r987791_rule"]
    assert cat1.verdict is Verdict.NOT_SATISFIED and cat1.severity == "high"
    assert cat1.rule.srg[0].benchmark == "gpos-srg"           # its siblings matched scc's GPOS rules
    assert cat1.rule.title.startswith("The operating system must implement NSA-approved")
    root = etree.fromstring(assessment.render("xccdf-results"))
    (node,) = root.xpath(f"//x:rule-result[@idref='{CAT1_IDREF}']", namespaces=X)
    assert node.findtext("x:result", namespaces=X) == "fail"


def _scan(value: str, tool: str, source: str) -> XccdfRuleResult:
    return XccdfRuleResult(CAT1_IDREF, value, severity="high", tool=tool, benchmark="b",
                           evidence=(Evidence(source, "ab" * 32, "/TestResult/rule-result[1]"),))


def test_two_scanners_that_disagree_on_a_requirement_scc_has_no_rule_for_are_reported():
    results: list = []
    notes = apply_existing_scans(results, [_scan("pass", "OpenSCAP 1.3.7", "a.xml"),
                                           _scan("fail", "SCC 5.8", "b.xml")])
    (carried,) = results
    assert carried.verdict is Verdict.NOT_SATISFIED            # one failure fails the requirement
    assert carried.scan_disagreement == "scanners disagree: OpenSCAP 1.3.7 says pass, SCC 5.8 says fail"
    assert any(n.startswith(f"{carried.rule.id}: scanners disagree") for n in notes)
    assert {e.source for e in carried.evidence} == {"a.xml", "b.xml"}


def test_notselected_results_are_not_results_and_undecided_ones_are_left_to_a_person():
    results: list = []
    apply_existing_scans(results, [_scan("notselected", "OpenSCAP", "a.xml")])
    assert results == []
    apply_existing_scans(results, [_scan("error", "OpenSCAP", "a.xml")])
    (carried,) = results
    assert carried.verdict is Verdict.MANUAL and "an assessor must check" in carried.statement
