"""The XCCDF 1.2 results writer: accepted by OpenSCAP and the XSD, whole official SRGs, verdicts as given."""
from __future__ import annotations

import re

import pytest
from validators import oscap_xccdf_report, oscap_xccdf_validate, xmllint_xsd
from writer_assessment import FIXTURE_IMAGE, build_assessment

from scc.assessment import Settings
from scc.writers import writer
from scc.writers.xccdf import render_benchmark
from scc.xmlsafe import parse_xml_bytes

NS = {"x": "http://checklists.nist.gov/xccdf/1.2"}
DISA_RULE_ID = re.compile(r"^xccdf_mil\.disa\.stig_rule_SV-\d+r\d+_rule$")


def parse(data: bytes):
    return parse_xml_bytes(data, "xccdf-results.xml").getroot()


def rule_result(root, rule_id: str):
    (node,) = root.xpath(f"//x:rule-result[@idref='xccdf_mil.disa.stig_rule_{rule_id}']", namespaces=NS)
    return node


def validate_all(path, tmp_path) -> str:
    oscap_xccdf_validate(path)
    xmllint_xsd(path)
    return oscap_xccdf_report(path, tmp_path / "report.html")


def test_without_content_only_scc_requirements_are_listed_and_oscap_accepts_it(no_content, tmp_path):
    assessment = build_assessment()
    path = assessment.write_xccdf(tmp_path / "xccdf-results.xml")
    html = validate_all(path, tmp_path)
    root = parse(path.read_bytes())
    assert root.get("id") == "xccdf_mil.disa.stig_benchmark_General_Purpose_Operating_System"
    results = root.xpath("//x:rule-result", namespaces=NS)
    assert [r.get("idref") for r in results] == [
        "xccdf_mil.disa.stig_rule_SV-203780r991589_rule", "xccdf_mil.disa.stig_rule_SV-203637r958478_rule"]
    assert "SV-203780r991589_rule" in html


@pytest.mark.slow
def test_official_srg_lists_every_requirement_with_unevaluated_ones_notchecked(
        shared_data, with_content, tmp_path):
    reference = parse_xml_bytes((shared_data / "disa" / "disa-os-srg-v3r2.xml").read_bytes(), "srg").getroot()
    official_rules = reference.xpath("//*[local-name()='Rule']/@id")
    assessment = build_assessment()
    path = tmp_path / "xccdf-results-gpos-srg.xml"
    path.write_bytes(render_benchmark(assessment, "gpos-srg"))
    validate_all(path, tmp_path)
    root = parse(path.read_bytes())
    assert root.findtext("x:version", namespaces=NS) == reference.findtext("{*}version") == "3"
    assert root.findtext("x:plain-text[@id='release-info']", namespaces=NS) == "Release: 2 Benchmark Date: 30 Jan 2025"
    results = root.xpath("//x:rule-result", namespaces=NS)
    assert len(results) == len(official_rules) == 198
    assert {r.get("idref") for r in results} == {f"xccdf_mil.disa.stig_rule_{i}" for i in official_rules}
    outcomes = [r.findtext("x:result", namespaces=NS) for r in results]
    assert outcomes.count("pass") == 2 and outcomes.count("notchecked") == 196
    unevaluated = rule_result(root, "SV-203591r958362_rule")
    assert "not evaluated by scc" in unevaluated.findtext("x:message", namespaces=NS)
    assert all(DISA_RULE_ID.match(i) for i in root.xpath("//x:Rule/@id", namespaces=NS))


def test_official_rule_carries_disa_version_cci_check_and_fix_text(with_official_content):
    root = parse(render_benchmark(build_assessment(), "gpos-srg"))
    (rule,) = root.xpath("//x:Rule[@id='xccdf_mil.disa.stig_rule_SV-203591r958362_rule']", namespaces=NS)
    assert rule.getparent().get("id") == "xccdf_mil.disa.stig_group_V-203591"
    assert rule.findtext("x:version", namespaces=NS) == "SRG-OS-000001-GPOS-00001"
    assert rule.findtext("x:ident[@system='http://cyber.mil/cci']", namespaces=NS) == "CCI-000015"
    assert rule.findtext("x:check/x:check-content", namespaces=NS).startswith(
        "Verify the operating system provides automated mechanisms")
    assert rule.findtext("x:fixtext", namespaces=NS).startswith("Configure the operating system")


def test_failed_requirement_keeps_the_severity_override_and_cci(with_content):
    root = parse(render_benchmark(build_assessment(), "ctr-srg"))
    assert root.get("id") == "xccdf_mil.disa.stig_benchmark_Container_Platform_SRG"
    result = rule_result(root, "SV-233233r601828_rule")
    assert result.findtext("x:result", namespaces=NS) == "fail"
    assert result.get("severity") == "high"                      # RuleResult.severity_override
    (rule,) = root.xpath("//x:Rule[@id='xccdf_mil.disa.stig_rule_SV-233233r601828_rule']", namespaces=NS)
    assert rule.get("severity") == "medium"                      # the official severity stays on the Rule
    assert result.findtext("x:ident", namespaces=NS) == "CCI-002605"
    message = result.find("x:message", namespaces=NS)
    assert message.get("severity") == "warning" and "past its 15-day remediation SLA" in message.text


def test_accepted_risk_is_explained_in_the_rule_result_message(no_content):
    root = parse(render_benchmark(build_assessment(), "gpos-srg"))
    result = rule_result(root, "SV-203637r958478_rule")
    assert result.findtext("x:result", namespaces=NS) == "pass"
    message = result.findtext("x:message", namespaces=NS)
    assert "accept-risk by ISSM J. Doe" in message and "fact-based verdict not-satisfied" in message


def test_test_result_identifies_the_image_and_the_time(no_content):
    root = parse(writer("xccdf-results").render(build_assessment()))
    (test_result,) = root.xpath("x:TestResult", namespaces=NS)
    assert test_result.get("start-time") == test_result.get("end-time") == "2026-11-18T10:00:00Z"
    assert test_result.findtext("x:target", namespaces=NS).startswith("registry.example.mil/app/api:1.4.2@sha256:")
    digest = test_result.findtext("x:target-facts/x:fact[@name='urn:scc:fact:container-image:digest']",
                                  namespaces=NS)
    assert digest == "sha256:" + "ab" * 32
    assert test_result.find("x:benchmark", namespaces=NS).get("id") == root.get("id")
    assert test_result.findtext("x:score", namespaces=NS) == "20.0"


def test_writer_renders_the_first_configured_benchmark(no_content):
    assessment = build_assessment(FIXTURE_IMAGE, Settings(benchmarks=("ctr-srg", "gpos-srg")))
    root = parse(writer("xccdf-results").render(assessment))
    assert root.get("id") == "xccdf_mil.disa.stig_benchmark_Container_Platform_SRG"
    assert len(root.xpath("//x:rule-result", namespaces=NS)) == 1


@pytest.mark.slow
def test_same_assessment_renders_byte_identical_xml(with_content):
    assert render_benchmark(build_assessment(), "gpos-srg") == render_benchmark(
        build_assessment(), "gpos-srg")


def test_hostile_image_name_is_escaped_and_still_valid(no_content, tmp_path):
    name = '<img src="file:///etc/passwd">\x00\x1b]8;;\u202eRTL {{ 7*7 }} & </target>'
    path = build_assessment(FIXTURE_IMAGE, image_name=name).write_xccdf(tmp_path / "x.xml")
    oscap_xccdf_validate(path)
    target = parse(path.read_bytes()).findtext("x:TestResult/x:target", namespaces=NS)
    assert target.startswith('<img src="file:///etc/passwd">]8;;\u202eRTL {{ 7*7 }} & </target>')
