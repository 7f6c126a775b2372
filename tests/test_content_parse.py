"""The official-content parsers on the real NIST and DISA reference files."""
from __future__ import annotations

import json
import re

import pytest

from scc.content.disa import control_ids_from_index, controls_for_cci, parse_benchmark, parse_cci_list
from scc.content.oscal import parse_catalog
from scc.errors import ContentError


@pytest.fixture(scope="module")
def catalog_bytes(shared_data):
    return (shared_data / "nist" / "NIST_SP-800-53_rev5_catalog.json").read_bytes()


@pytest.fixture(scope="module")
def catalog(catalog_bytes):
    return parse_catalog(catalog_bytes, "catalog.json")


@pytest.fixture(scope="module")
def cci_list(shared_data):
    return parse_cci_list((shared_data / "disa" / "U_CCI_List.xml").read_bytes(), "U_CCI_List.xml")


def _raw_controls(catalog_bytes):
    """Independent walk of the raw JSON: every control/enhancement id and whether it is withdrawn."""
    out = {}

    def walk(controls):
        for control in controls:
            props = control.get("props", [])
            out[control["id"]] = any(p["name"] == "status" and p["value"] == "withdrawn" for p in props)
            walk(control.get("controls", []))

    for group in json.loads(catalog_bytes)["catalog"]["groups"]:
        walk(group.get("controls", []))
    return out


def test_catalog_holds_every_control_and_enhancement_of_the_file(content_files):
    data = content_files.catalog.read_bytes()
    catalog, raw = parse_catalog(data, "catalog.json"), _raw_controls(data)
    assert len(catalog) == len(raw) > 0
    assert len(catalog.families) == len(json.loads(data)["catalog"]["groups"])
    assert {cid for cid, control in catalog.controls.items() if control.withdrawn} == {
        cid for cid, withdrawn in raw.items() if withdrawn}
    assert "ac-6" in catalog and "AC-6" in catalog and "ac-99" not in catalog


def test_cci_list_parses_every_item_of_the_file(content_files):
    raw = content_files.cci.read_text()
    cci_list = parse_cci_list(raw.encode(), "U_CCI_List.xml")
    assert len(cci_list) == raw.count("<cci_item ") > 0
    with_rev5 = sum(1 for item in cci_list.items.values() if item.rev5_refs)
    assert with_rev5 == len(re.findall(r"<cci_item (?:(?!</cci_item>).)*?Revision 5", raw, re.DOTALL)) > 0


@pytest.mark.parametrize("which", ["gpos_srg", "ctr_srg"])
def test_srg_files_parse_every_rule_with_its_ccis(content_files, which):
    data = getattr(content_files, which).read_bytes()
    benchmark = parse_benchmark(data, which)
    assert len(benchmark.rules) == data.count(b"<Rule ") > 0
    assert all(rule.ccis and rule.version.startswith("SRG-") for rule in benchmark.rules)


def test_control_statement_renders_items_with_labels_and_parameters(catalog):
    ac1 = catalog.control("ac-1")
    lines = ac1.statement_text.splitlines()
    assert lines[0] == ("a. Develop, document, and disseminate to "
                        "[Assignment: organization-defined personnel or roles]:")
    assert lines[1].startswith("  1. [Selection (one or more): organization-level; "
                               "mission/business process-level; system-level] access control policy that:")
    assert lines[2].startswith("    (a) Addresses purpose, scope")
    assert "b. Designate an [Assignment: organization-defined official] to manage" in ac1.statement_text
    assert "{{" not in "".join(c.statement_text + c.guidance for c in catalog.controls.values())
    assert ac1.title == "Policy and Procedures" and ac1.family_title == "Access Control"


def test_enhancement_knows_its_parent_and_guidance_links_become_plain_ids(catalog):
    enhancement = catalog.control("ac-6.10")
    assert enhancement.enhancement_of == "ac-6" and enhancement.label == "AC-6(10)"
    assert enhancement.statement_text == "Prevent non-privileged users from executing privileged functions."
    assert "enforced by AC-3." in enhancement.guidance and "](#" not in enhancement.guidance
    assert "ac-6.10" in catalog.control("ac-6").enhancements


def test_withdrawn_control_is_flagged(catalog):
    assert catalog.control("ac-2.10").withdrawn
    assert not catalog.control("cm-6").withdrawn


def test_catalog_parses_every_control_of_the_official_file(catalog_bytes):
    # load time is a benchmark (bench/), not a test
    catalog = parse_catalog(catalog_bytes, "catalog.json")
    assert len(catalog) == len(_raw_controls(catalog_bytes)) == 1196
    assert len(catalog.families) == 20 and catalog.families["ac"] == "Access Control"
    assert "ac-1" in catalog and "ac-6.10" in catalog and "AC-6.10" in catalog


def test_cci_list_maps_disa_index_forms_to_oscal_ids(cci_list, shared_data):
    raw = (shared_data / "disa" / "U_CCI_List.xml").read_text()
    assert len(cci_list) == raw.count("<cci_item ") == 5098
    assert cci_list.version == "2022-03-09"
    cci = cci_list.get("CCI-000366")
    assert cci.definition == "Implement the security configuration settings."
    assert cci.rev5 == ("cm-6",) and cci.rev5_refs == ("CM-6 b",) and cci.rev4 == ("cm-6",)
    assert controls_for_cci(cci) == {"cm-6"}
    assert control_ids_from_index("AC-6 (10)") == ("ac-6.10",)
    assert control_ids_from_index("SC-37, SC-37 (1)") == ("sc-37", "sc-37.1")
    assert control_ids_from_index("CP-9 (c)") == ("cp-9",)
    with_rev5 = sum(1 for item in cci_list.items.values() if item.rev5_refs)
    assert with_rev5 == len(re.findall(r"<cci_item (?:(?!</cci_item>).)*?Revision 5", raw, re.DOTALL)) == 3814


@pytest.mark.parametrize(("file", "benchmark_id", "release", "rules"), [
    ("disa-os-srg-v3r2.xml", "General_Purpose_Operating_System", "V3R2", 198),
    ("disa-ctr-srg-v1r3.xml", "Container_Platform_SRG", "V1R3", 173),
    ("disa-stig-rhel9-v2r9-xccdf-manual.xml", "RHEL_9_STIG", "V2R9", 445),
    ("disa-stig-ubuntu2204-v2r8-xccdf-manual.xml", "CAN_Ubuntu_22-04_LTS_STIG", "V2R8", 188),
])
def test_benchmarks_parse_every_rule(shared_data, file, benchmark_id, release, rules):
    data = (shared_data / "disa" / file).read_bytes()
    benchmark = parse_benchmark(data, file)
    assert (benchmark.id, benchmark.release) == (benchmark_id, release)
    assert len(benchmark.rules) == data.count(b"<Rule ") == rules
    assert all(rule.ccis and rule.check_text and rule.fix_text for rule in benchmark.rules)


def test_srg_rule_fields_match_the_published_xml(shared_data):
    benchmark = parse_benchmark((shared_data / "disa" / "disa-os-srg-v3r2.xml").read_bytes(), "gpos")
    rule = benchmark.rule_by_group("V-203591")
    assert rule is benchmark.rule_by_version("SRG-OS-000001-GPOS-00001")
    assert rule.rule_id == "SV-203591r958362_rule" and rule.severity == "medium" and rule.category == "CAT II"
    assert rule.ccis == ("CCI-000015",) and rule.group_title == "SRG-OS-000001"
    assert rule.title == "The operating system must provide automated mechanisms for supporting account management functions."
    assert rule.description.startswith("Enterprise environments make account management challenging")
    assert "<" not in rule.description and "FalsePositives" not in rule.description
    assert rule.check_text.startswith("Verify the operating system provides automated mechanisms")
    assert benchmark.rule_by_id("SV-203591r1_rule") is rule


def test_stig_rule_carries_its_srg_id_and_severity(shared_data):
    benchmark = parse_benchmark(
        (shared_data / "disa" / "disa-stig-ubuntu2204-v2r8-xccdf-manual.xml").read_bytes(), "ubuntu")
    rule = benchmark.rule_by_version("UBTU-22-211015")
    assert rule.severity == "high" and rule.category == "CAT I"
    assert rule.group_title == "SRG-OS-000480-GPOS-00227" and rule.ccis == ("CCI-000366",)


def test_xccdf_with_entities_is_refused():
    hostile = (b'<?xml version="1.0"?><!DOCTYPE Benchmark [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
               b'<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.1" id="b">&x;</Benchmark>')
    with pytest.raises(ContentError, match="entities"):
        parse_benchmark(hostile, "evil.xml")


def test_malformed_oscal_is_a_content_error_not_a_traceback():
    with pytest.raises(ContentError, match="not an OSCAL catalog"):
        parse_catalog(b'{"catalog": {"metadata": {}}}', "bad.json")
    with pytest.raises(ContentError, match="malformed OSCAL catalog"):
        parse_catalog(b'{"catalog": {"groups": [{"id": "ac", "controls": [{"title": "no id"}]}]}}', "bad.json")
