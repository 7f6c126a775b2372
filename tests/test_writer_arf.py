"""The ARF 1.1 writer: OpenSCAP accepts it as a result data stream, renders it, and it carries exactly the
XCCDF writer's verdicts for the image asset."""
from __future__ import annotations

from dataclasses import replace

import pytest
from _writer_assessment import HOSTILE_NAME
from _writer_assessment import build_assessment as build_hostile_assessment
from conftest import EXAMPLE
from validators import oscap_rds_validate, oscap_xccdf_report
from writer_assessment import build_assessment

import scc
from scc.writers import writer
from scc.writers.xccdf import render_benchmark
from scc.writers.xccdf_arf import WRITER
from scc.xmlsafe import parse_xml_bytes

NS = {"arf": "http://scap.nist.gov/schema/asset-reporting-format/1.1",
      "core": "http://scap.nist.gov/schema/reporting-core/1.1",
      "ai": "http://scap.nist.gov/schema/asset-identification/1.1",
      "ds": "http://scap.nist.gov/schema/scap/source/1.2",
      "x": "http://checklists.nist.gov/xccdf/1.2"}


def write(assessment, tmp_path):
    path = tmp_path / WRITER.filename
    path.write_bytes(WRITER.render(assessment))
    return path


def parse(data: bytes):
    return parse_xml_bytes(data, "arf.xml").getroot()


def statuses(root) -> list[tuple[str, str]]:
    return [(r.get("idref"), r.findtext("x:result", "", NS)) for r in root.iterfind(".//x:rule-result", NS)]


def assert_same_verdicts_as_xccdf(assessment, root) -> None:
    reports = root.xpath("arf:reports/arf:report/arf:content/x:TestResult", namespaces=NS)
    assert len(reports) == len(assessment.settings.benchmarks)
    for name, test_result in zip(assessment.settings.benchmarks, reports, strict=True):
        plain = parse_xml_bytes(render_benchmark(assessment, name), "xccdf.xml").getroot()
        assert statuses(test_result) == statuses(plain), name
        assert test_result.get("id") == plain.find("x:TestResult", NS).get("id")


def test_writer_is_registered_after_plain_xccdf():
    assert writer("xccdf-arf") is WRITER
    assert (WRITER.filename, WRITER.media_type, WRITER.order) == ("xccdf-results-arf.xml", "application/xml", 31)


@pytest.mark.slow
def test_example_image_arf_passes_rds_validate_and_renders(tmp_path, no_content):
    assessment = scc.assess([str(EXAMPLE)])
    path = write(assessment, tmp_path)
    oscap_rds_validate(path)
    html = oscap_xccdf_report(path, tmp_path / "report.html")
    root = parse(path.read_bytes())
    assert_same_verdicts_as_xccdf(assessment, root)
    first = statuses(root.find("arf:reports/arf:report/arf:content/x:TestResult", NS))
    assert first and all(idref.removeprefix("xccdf_mil.disa.stig_rule_") in html for idref, _ in first)


@pytest.mark.slow
def test_official_srgs_in_arf_pass_rds_validate(tmp_path, monkeypatch, official_content_dir):
    content_dir = official_content_dir   # counts the official SRGs' requirements
    monkeypatch.setenv("SCC_CONTENT_DIR", str(content_dir))
    assessment = build_assessment()
    path = write(assessment, tmp_path)
    oscap_rds_validate(path)
    root = parse(path.read_bytes())
    assert_same_verdicts_as_xccdf(assessment, root)
    # a whole official SRG: hundreds of requirements, each one rule-result
    assert len(root.xpath("//x:rule-result", namespaces=NS)) > 200


@pytest.mark.slow
def test_hand_built_assessment_with_hostile_text_validates_and_keeps_verdicts(tmp_path):
    assessment = build_hostile_assessment()
    identity = replace(assessment.facts.identity, name=f"registry.example/{HOSTILE_NAME}<&>]]>\x01\x1b")
    assessment.facts = replace(assessment.facts, identity=identity)
    path = write(assessment, tmp_path)
    oscap_rds_validate(path)
    oscap_xccdf_report(path, tmp_path / "report.html")
    data = path.read_bytes()
    root = parse(data)
    assert_same_verdicts_as_xccdf(assessment, root)
    results = {status for _, status in statuses(root)}
    assert {"pass", "fail"} <= results
    (image_name,) = root.xpath("//arf:asset//*[local-name()='name']", namespaces=NS)
    assert image_name.text == f"registry.example/{HOSTILE_NAME}<&>]]>"   # control characters dropped


def test_shape_follows_oscap_results_arf(tmp_path, no_content):
    assessment = build_assessment()
    root = parse(WRITER.render(assessment))
    (asset,) = root.xpath("arf:assets/arf:asset", namespaces=NS)
    digest = assessment.facts.identity.digest
    assert asset.findtext("ai:software/ai:installation-id", None, NS) == digest
    assert asset.find("ai:software/ai:synthetic-id", NS).get("id") == digest
    assert "registry.example.mil/app/api" in "".join(asset.itertext())
    for name, report in zip(assessment.settings.benchmarks, root.iterfind("arf:reports/arf:report", NS), strict=True):
        rels = {r.get("type"): r.findtext("core:ref", "", NS)
                for r in root.iterfind("core:relationships/core:relationship", NS) if r.get("subject") == report.get("id")}
        assert rels["arfvocab:isAbout"] == asset.get("id")
        (request,) = root.xpath(f"arf:report-requests/arf:report-request[@id='{rels['arfvocab:createdFor']}']",
                                namespaces=NS)
        (benchmark,) = request.xpath("arf:content/ds:data-stream-collection/ds:component/x:Benchmark", namespaces=NS)
        assert benchmark.find("x:TestResult", NS) is None
        test_result = report.find("arf:content/x:TestResult", NS)
        component = benchmark.getparent().get("id")
        assert test_result.find("x:benchmark", NS).get("href") == f"#{component}"
        assert test_result.find("x:target-id-ref", NS).get("name") == asset.get("id")
        assert test_result.find("x:target-id-ref", NS).getprevious().tag == f"{{{NS['x']}}}target-facts"
        assert name in test_result.get("id")
    stamps = {s.get("timestamp") for s in root.xpath("//ds:component | //ds:data-stream", namespaces=NS)}
    assert stamps == {"2026-11-18T10:00:00Z"}


def test_two_renders_are_byte_identical(no_content):
    assert WRITER.render(build_assessment()) == WRITER.render(build_assessment())
    assert WRITER.render(build_hostile_assessment()) == WRITER.render(build_hostile_assessment())
