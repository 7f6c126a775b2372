"""DISA's prose comes from the official content at run time, never from the rule packs.

The shipped SRG rules cite their requirement by id; an assessment fills in the official title,
discussion, check and fix text from the cached benchmark. Without it the rule keeps scc's short
title and every view says the official text was not available.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from writer_assessment import FIXTURE_IMAGE, build_facts

from scc.assessment import Assessment, Settings
from scc.content import ContentStore
from scc.engine.model import Rule, SrgRef
from scc.engine.rules import OFFICIAL_TEXT_UNAVAILABLE, load_rule_packs, with_official_text
from scc.writers import writer

XCCDF11 = {"x": "http://checklists.nist.gov/xccdf/1.1"}
REQUIREMENT = "SRG-APP-000342-CTR-000775"      # DISA's check text has trailing spaces at its line ends


def _official_rule(shared_data: Path, version: str) -> dict[str, str]:
    """The requirement as the DISA file states it, parsed here independently of scc.content."""
    tree = etree.parse(str(shared_data / "disa" / "disa-ctr-srg-v1r3.xml"),
                       etree.XMLParser(resolve_entities=False, no_network=True))
    (rule,) = tree.getroot().xpath(f"//x:Rule[x:version='{version}']", namespaces=XCCDF11)
    description = rule.findtext("x:description", "", XCCDF11)
    return {"title": rule.findtext("x:title", "", XCCDF11),
            "description": description.split("<VulnDiscussion>")[-1].split("</VulnDiscussion>")[0],
            "check": rule.findtext("x:check/x:check-content", "", XCCDF11),
            "fix": rule.findtext("x:fixtext", "", XCCDF11)}


def _shipped(rule_id: str) -> Rule:
    return next(r for r in load_rule_packs() if r.id == rule_id)


def _line_ends_stripped(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def test_official_text_is_filled_in_from_the_benchmark(shared_data, content_dir):
    official = _official_rule(shared_data, REQUIREMENT)
    packed = _shipped(REQUIREMENT)
    store = ContentStore(content_dir)
    (rule,) = with_official_text([packed], {"ctr-srg": store.benchmark("ctr-srg")})
    assert (packed.description, packed.check_text, packed.fix_text, packed.srg[0].title) == ("", "", "", "")
    assert rule.title == rule.srg[0].title == official["title"]
    assert rule.description == _line_ends_stripped(official["description"])
    assert rule.fix_text == _line_ends_stripped(official["fix"])
    assert " \n" in official["check"] and rule.check_text == _line_ends_stripped(official["check"])
    assert (rule.id, rule.check, rule.params, rule.manual, rule.controls) == (
        packed.id, packed.check, packed.params, packed.manual, packed.controls)


def test_without_the_benchmark_the_short_title_stays_and_the_text_is_said_to_be_unavailable():
    packed = _shipped(REQUIREMENT)
    (rule,) = with_official_text([packed], {})
    assert rule.title == packed.title == "Containers run with least privilege"
    assert rule.description == OFFICIAL_TEXT_UNAVAILABLE.format(requirement=REQUIREMENT, benchmark="ctr-srg")
    assert "`scc content import" in rule.description
    assert (rule.check_text, rule.fix_text, rule.srg[0].title) == ("", "", "")


def test_a_requirement_missing_from_the_benchmark_is_not_invented(content_dir):
    ref = SrgRef("ctr-srg", "SRG-APP-999999-CTR-000001", "V-1", "SV-1r1_rule", ("CCI-000366",))
    rule = Rule("r-1", "Short title", ("cm-6",), "manual_review", srg=(ref,), pack="stig")
    (resolved,) = with_official_text([rule], {"ctr-srg": ContentStore(content_dir).benchmark("ctr-srg")})
    assert resolved.title == "Short title" and "was not available" in resolved.description


def _assessment(samples: Path) -> Assessment:
    facts, _ = build_facts(samples)
    return Assessment(facts, Settings(benchmarks=("ctr-srg",)))


def _ckl_row(data: bytes, version: str) -> dict[str, str]:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    for vuln in root.iter("VULN"):
        row = {d.findtext("VULN_ATTRIBUTE"): d.findtext("ATTRIBUTE_DATA") or "" for d in vuln.findall("STIG_DATA")}
        if row["Rule_Ver"] == version:
            return row
    raise AssertionError(f"{version} not in the checklist")


def test_an_assessment_with_content_shows_disa_text_in_every_view(shared_data, with_content):
    official = _official_rule(shared_data, REQUIREMENT)
    assessment = _assessment(FIXTURE_IMAGE)
    rule = next(r for r in assessment.rules if r.id == REQUIREMENT)
    assert rule.title == official["title"] and rule.description == _line_ends_stripped(official["description"])
    row = _ckl_row(writer("ckl").render(assessment), REQUIREMENT)
    assert row["Rule_Title"] == official["title"] and row["Fix_Text"] == official["fix"]
    results = writer("oscal-assessment-results").render(assessment).decode()
    assert f"{REQUIREMENT}: {official['title']}" in results


def test_an_assessment_without_content_says_the_official_text_needs_an_import(no_content):
    assessment = _assessment(FIXTURE_IMAGE)
    rule = next(r for r in assessment.rules if r.id == REQUIREMENT)
    assert rule.title == "Containers run with least privilege"
    row = _ckl_row(writer("ckl").render(assessment), REQUIREMENT)
    assert row["Rule_Title"] == "Containers run with least privilege"
    assert row["Vuln_Discuss"].startswith(f"The official DISA text of {REQUIREMENT} (ctr-srg) was not available")
    assert "scc content import" in row["Vuln_Discuss"]
    assert row["Check_Content"] == rule.manual and row["Fix_Text"] == ""
    xccdf = writer("xccdf-results").render(assessment).decode()
    assert "Containers run with least privilege" in xccdf and "must execute using least privileges" not in xccdf
    results = writer("oscal-assessment-results").render(assessment).decode()
    assert f"{REQUIREMENT}: Containers run with least privilege" in results


@pytest.mark.parametrize("field", ["title", "description"])
def test_rules_citing_no_requirement_are_left_as_authored(field):
    rules = [r for r in load_rule_packs() if not r.srg]
    assert rules and with_official_text(rules, {}) == rules
    assert all(getattr(r, field) for r in rules)
