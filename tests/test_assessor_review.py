"""Regressions found by an assessor's read of the generated package: each test names what went wrong."""
from __future__ import annotations

import json
import re
from dataclasses import replace

from _writer_assessment import build_assessment

from scc.assessment import Assessment, Settings
from scc.engine.model import Rule, RuleResult, SrgRef, Verdict
from scc.engine.scans import apply_existing_scans
from scc.facts import read_inputs
from scc.facts.model import Evidence, XccdfRuleResult
from scc.resources import pack_dir
from scc.writers import writer
from scc.writers._ssp_context import ssp_context


def test_stylesheet_wraps_long_names_without_making_every_character_a_break_opportunity():
    css = (pack_dir("templates") / "ssp.css").read_text(encoding="utf-8")
    rules = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    assert "overflow-wrap: anywhere" not in rules          # the costly min-content measurement
    assert re.search(r"html\s*{[^}]*overflow-wrap:\s*break-word", rules)   # long names still wrap


def _poam_due_dates(assessment) -> dict[str, str]:
    """finding title (CVE in package version) -> scheduled-completion of its OSCAL POA&M item."""
    document = json.loads(writer("oscal-poam").render(assessment))["plan-of-action-and-milestones"]
    dates = {}
    for item in document["poam-items"]:
        props = {p["name"]: p["value"] for p in item.get("props", [])}
        if props.get("poam-kind") == "vulnerability":
            dates[item["title"]] = props.get("scheduled-completion", "")
    return dates


def test_ssp_shows_the_same_remediation_due_date_as_the_poam_for_every_open_finding():
    # the SI-2 rule of this assessment dated no finding: the SSP used to print "—" where the POA&M has a date
    assessment = build_assessment()
    rows = ssp_context(assessment)["open_findings"]
    poam = _poam_due_dates(assessment)
    assert sorted(f"{r['id']} in {r['package']} {r['installed']}" for r in rows) == sorted(poam)
    shown = {f"{r['id']} in {r['package']} {r['installed']}": r["due"] for r in rows}
    assert shown == poam
    # first seen 2026-11-10 + 15 days; published 2026-10-01 + 30; scan 2026-11-01 + 180 (hand-computed)
    assert sorted(shown.values()) == ["2026-10-31", "2026-11-25", "2027-04-30"]


def test_ssp_and_poam_take_the_due_date_the_sla_check_computed():
    assessment = build_assessment()
    result = assessment.rule_results[2]
    result.rule = replace(result.rule, check="findings_remediated_within_sla")
    result.details = {"overdue": [{"id": "CVE-2026-0001", "package": "openssl", "due": "2026-12-01"}]}
    shown = {r["id"]: r["due"] for r in ssp_context(assessment)["open_findings"]}
    assert shown["CVE-2026-0001"] == "2026-12-01"
    assert _poam_due_dates(assessment)["CVE-2026-0001 in openssl 3.0.1"] == "2026-12-01"


def test_a_check_other_than_the_sla_check_never_dates_a_finding_in_the_ssp():
    assessment = build_assessment()
    assessment.rule_results[2].details = {"overdue": [{"id": "CVE-2026-0001", "package": "openssl",
                                                       "due": "1999-01-01"}]}
    shown = {r["id"]: r["due"] for r in ssp_context(assessment)["open_findings"]}
    assert shown["CVE-2026-0001"] == "2026-11-25"


def test_a_stig_scan_whose_results_match_no_scc_requirement_is_reported_not_silently_dropped(samples):
    # a RHEL 8 STIG scan: its V-/SV- ids and RHEL-08 versions are not SRG requirements scc's rules cite.
    # 248 rule-results: 61 pass, 166 fail, 21 error (counted with grep '<result>' on the file)
    path = samples / "xccdf-results" / "rhel8.openscap.xccdf-1.2-results.xml"
    notes = Assessment(read_inputs([str(path)]), Settings()).notes
    (note,) = [n for n in notes if n.startswith(str(path))]
    assert "248 of 248 rule results" in note and "(21 error, 166 fail, 61 pass)" in note
    assert "change no verdict" in note


def test_only_the_scan_results_no_rule_used_are_reported():
    srg = SrgRef("gpos-srg", "SRG-OS-000480-GPOS-00227", "V-203780", "SV-203780r991589_rule")
    rule = Rule(id="r", title="t", controls=("cm-6",), check="x", srg=(srg,))
    results = [RuleResult(rule, Verdict.MANUAL, "s.", "r", computed_verdict=Verdict.MANUAL)]
    where = Evidence("scan.xml", "ab" * 32, "/Benchmark/TestResult/rule-result[1]")
    used = XccdfRuleResult("xccdf_mil.disa.stig_rule_SV-203780r991589_rule", "notchecked", evidence=(where,))
    unused = XccdfRuleResult("xccdf_mil.disa.stig_rule_SV-230221r743913_rule", "fail", evidence=(where,))
    (note,) = apply_existing_scans(results, [used, unused])
    assert note.startswith("scan.xml: 1 of 2 rule results (1 fail)")
    assert apply_existing_scans(results, [used]) == []
