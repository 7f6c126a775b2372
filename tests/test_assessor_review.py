"""Regressions found by an assessor's read of the generated package: each test names what went wrong."""
from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date

import pytest
from _writer_assessment import build_assessment

from scc.assessment import Assessment, Settings
from scc.engine.aggregate import aggregate_controls
from scc.engine.model import Override, Rule, RuleResult, SrgRef, Verdict
from scc.engine.scans import apply_existing_scans
from scc.facts import read_inputs
from scc.facts.model import Evidence, XccdfRuleResult
from scc.resources import pack_dir
from scc.writers import writer
from scc.writers._ssp_view import ssp_view
from scc.writers.ssp_pdf import pdf_inputs, render_html


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


def _ssp_due_dates(assessment) -> dict[str, str]:
    """finding title -> the scheduled completion the PDF SSP's POA&M summary prints for it."""
    inputs = pdf_inputs(assessment)
    view = ssp_view(inputs["ssp"], inputs["poam"], inputs["notes"], inputs["marking"],
                    poam_summary=inputs["poam_summary"])
    return {row["title"]: row["deadline"] for row in view["poam"]["rows"]}


@pytest.mark.slow
def test_ssp_shows_the_same_remediation_due_date_as_the_poam_for_every_open_finding():
    # the SI-2 rule of this assessment dated no finding: the SSP used to print "—" where the POA&M has a date
    assessment = build_assessment()
    poam = _poam_due_dates(assessment)
    shown = {title: due for title, due in _ssp_due_dates(assessment).items() if title in poam}
    assert shown == poam
    # first seen 2026-11-10 + 15 days; published 2026-10-01 + 30; scan 2026-11-01 + 180 (hand-computed)
    assert sorted(shown.values()) == ["2026-10-31", "2026-11-25", "2027-04-30"]


def test_ssp_and_poam_take_the_due_date_the_engines_clock_computed():
    """One clock (scc.engine.remediation): the views read it, none recomputes it from check details."""
    from datetime import UTC, datetime

    assessment = build_assessment()
    items = assessment.report.remediation_items
    (item,) = [i for i in items if i.finding is not None and i.finding.id == "CVE-2026-0001"]
    moved = replace(item, clock=replace(item.clock, start=datetime(2026, 11, 16, tzinfo=UTC)))
    assessment.report = replace(assessment.report, remediation_items=tuple(moved if i is item else i for i in items))
    assert _ssp_due_dates(assessment)["CVE-2026-0001 in openssl 3.0.1"] == "2026-12-01"
    assert _poam_due_dates(assessment)["CVE-2026-0001 in openssl 3.0.1"] == "2026-12-01"


def test_check_details_never_date_a_finding_in_the_ssp():
    assessment = build_assessment()
    assessment.rule_results[2].rule = replace(assessment.rule_results[2].rule, check="findings_remediated_within_sla")
    assessment.rule_results[2].details = {"overdue": [{"id": "CVE-2026-0001", "package": "openssl",
                                                       "due": "1999-01-01"}]}
    assert _ssp_due_dates(assessment)["CVE-2026-0001 in openssl 3.0.1"] == "2026-11-25"


@pytest.mark.slow
def test_a_stig_scan_whose_results_match_no_scc_requirement_is_reported_not_silently_dropped(samples):
    # a RHEL 8 STIG scan: DISA titles each Group with the SRG requirement its rule implements; results whose
    # SRG requirement no shipped rule evidences are carried as the scanner's own results and reported.
    from lxml import etree

    from scc.engine.rules import load_rule_packs

    path = samples / "xccdf-results" / "rhel8.openscap.xccdf-1.2-results.xml"
    ns = {"x": "http://checklists.nist.gov/xccdf/1.2"}
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    srg_of_rule = {rule.get("id"): rule.getparent().findtext("x:title", namespaces=ns)
                   for rule in tree.iterfind(".//x:Group/x:Rule", ns)}
    cited = {ref.version for rule in load_rule_packs() for ref in rule.srg}
    results = tree.findall(".//x:TestResult/x:rule-result", ns)
    unmatched = [r for r in results if srg_of_rule.get(r.get("idref")) not in cited]
    assert 0 < len(unmatched) < len(results) == 248
    assessment = Assessment(read_inputs([str(path)]), Settings())
    (note,) = [n for n in assessment.notes if n.startswith(str(path))]
    assert f"{len(unmatched)} of 248 rule results" in note and "carried as the scanner's own results" in note
    carried = [r for r in assessment.rule_results if r.rule.pack == "xccdf-scan"]
    assert sum(len(r.evidence) for r in carried) == len(unmatched)


def test_only_the_scan_results_no_rule_used_are_reported():
    srg = SrgRef("gpos-srg", "SRG-OS-000480-GPOS-00227", "V-203780", "SV-203780r991589_rule")
    rule = Rule(id="r", title="t", controls=("cm-6",), check="x", srg=(srg,))
    results = [RuleResult(rule, Verdict.MANUAL, "s.", "r", computed_verdict=Verdict.MANUAL)]
    where = Evidence("scan.xml", "ab" * 32, "/Benchmark/TestResult/rule-result[1]")
    used = XccdfRuleResult("xccdf_mil.disa.stig_rule_SV-203780r991589_rule", "notchecked", evidence=(where,))
    unused = XccdfRuleResult("xccdf_mil.disa.stig_rule_SV-230221r743913_rule", "fail", evidence=(where,))
    (note,) = apply_existing_scans(results, [used, unused], None, lambda cci: ())   # a CCI list is installed
    assert note.startswith("scan.xml: 1 of 2 rule results (1 fail)")
    assert [r.rule.id for r in results] == ["r", "scan:xccdf-scan:SV-230221r743913_rule"]
    assert apply_existing_scans(results[:1], [used]) == []


@pytest.mark.slow
def test_baseline_coverage_never_calls_a_manual_or_not_applicable_control_evidenced(official_content_dir, monkeypatch):
    content_dir = official_content_dir   # au-2 is a control of the official MODERATE baseline
    from scc.content.store import ContentStore

    # the official catalog and MODERATE baseline
    assessment = build_assessment(Settings(baseline="moderate"), content=ContentStore(content_dir))
    html = render_html(assessment)
    # au-2 is manual review in this assessment, and it is a MODERATE control: no implementation status is
    # claimed for it, and the verdict is shown as what it is
    text = " ".join(html.split())
    au2 = text[text.index('<article class="control" id="ctl-au-2">'):]
    au2 = au2[:au2.index("</article>")]
    assert "badge not-stated-in-the-SSP" in au2 and "verdict: manual" in au2
    assert "implemented" not in au2
    assert "BASELINE baseline" not in text


def test_table_of_contents_numbers_chapters_as_the_headings_do():
    html = render_html(build_assessment())
    toc = html[html.index('<nav class="toc">'):html.index("</nav>")]
    entries = re.findall(r'<a href="#\w+">([^<]+)</a>', toc)
    assert entries[0] == "1 System identification" and len(entries) == 11
    for entry in entries:
        assert f"<h1>{entry}</h1>" in html


def test_a_not_applicable_control_without_evidence_is_not_said_to_be_undecided():
    assessment = build_assessment()
    fips = next(r for r in assessment.rule_results if r.rule.id == "fips")     # not-applicable
    fips.evidence = []
    assessment.control_results = aggregate_controls(assessment.rule_results)
    html = " ".join(render_html(assessment).split())
    sc13 = html[html.index('<span class="cid">SC-13</span>'):]
    sc13 = sc13[:sc13.index("</article>")]
    assert "badge not-applicable" in sc13 and "verdict: not-applicable" in sc13
    assert "the facts could not decide" not in sc13 and "not stated in the SSP" not in sc13


def test_an_override_justification_is_written_once_per_rule_in_the_oscal_and_xccdf_text():
    from scc.engine.overrides import apply_overrides
    from scc.writers.oscal_component import rule_line
    from scc.writers.xccdf import _message

    srg = SrgRef("gpos-srg", "SRG-OS-000362-GPOS-00149", "V-203716", "SV-203716r958944_rule")
    rule = Rule(id="r", title="t", controls=("cm-11.2",), check="x", srg=(srg,))
    result = RuleResult(rule, Verdict.NOT_SATISFIED, "apk is present.", "r", computed_verdict=Verdict.NOT_SATISFIED)
    why = "Root filesystem is read-only."
    apply_overrides([result], [Override("V-203716", "severity", why, "J. Rivera", date(2027, 5, 31), "low")],
                    date(2026, 11, 1))
    assert why in result.statement                       # the engine records the decision in the statement
    assert rule_line(result).count(why) == 1
    assert _message(result).count(why) == 1
    assert "fact-based verdict not-satisfied" in _message(result)
