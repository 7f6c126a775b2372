"""Organisation overrides and existing STIG scan precedence, applied to rule results."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from scc.engine.model import Rule, RuleResult, SrgRef, Verdict
from scc.engine.overrides import apply_overrides, load_overrides
from scc.engine.scans import apply_existing_scans
from scc.errors import InputError
from scc.facts.model import Evidence, XccdfRuleResult

SRG = SrgRef(benchmark="gpos-srg", version="SRG-OS-000480-GPOS-00227", group_id="V-203591",
             rule_id="SV-203591r557031_rule", ccis=("CCI-000366",), severity="medium")


def result(verdict: Verdict, rule_id: str = "stig-config-settings", srg: SrgRef = SRG) -> RuleResult:
    rule = Rule(id=rule_id, title="t", controls=("cm-6",), check="x", srg=(srg,))
    return RuleResult(rule=rule, verdict=verdict, statement="facts say so.", reason="r", computed_verdict=verdict)


def write(tmp_path, text: str):
    path = tmp_path / "overrides.yaml"
    path.write_text(text)
    return path


OVERRIDES = """
overrides:
  - rule: SRG-OS-000480-GPOS-00227
    action: not-applicable
    justification: Settings are enforced by the platform, not the image.
    approver: J. Smith, ISSM
    expires: 2027-06-30
  - rule: V-999999
    action: accept-risk
    justification: n/a
    approver: A
    expires: 2027-01-01
"""


def test_live_not_applicable_override_changes_verdict_and_cites_approver(tmp_path):
    results = [result(Verdict.NOT_SATISFIED)]
    notes = apply_overrides(results, load_overrides(write(tmp_path, OVERRIDES)), date(2026, 11, 23))
    assert results[0].verdict is Verdict.NOT_APPLICABLE
    assert results[0].origin == "override"
    assert "J. Smith, ISSM" in results[0].statement and "2027-06-30" in results[0].statement
    assert notes == [f"override for V-999999 ({tmp_path / 'overrides.yaml'}) matches no rule; ignored"]


def test_expired_override_stops_applying_and_is_reported(tmp_path):
    results = [result(Verdict.NOT_SATISFIED)]
    notes = apply_overrides(results, load_overrides(write(tmp_path, OVERRIDES)), date(2027, 7, 1))
    assert results[0].verdict is Verdict.NOT_SATISFIED
    assert results[0].override is None
    assert any("expired on 2027-06-30" in n for n in notes)


OTHER_SRG = SrgRef(benchmark="gpos-srg", version="SRG-OS-000362-GPOS-00149", group_id="V-203676",
                   rule_id="SV-203676r557031_rule", ccis=("CCI-001812",), severity="high")


def test_accept_risk_keeps_the_finding_open_and_severity_override_sets_severity(tmp_path):
    path = write(tmp_path, """
overrides:
  - {rule: stig-config-settings, action: accept-risk, justification: J, approver: A, expires: 2030-01-01}
  - {rule: SV-203676r557031_rule, action: severity, severity: low, justification: J2, approver: B, expires: 2030-01-01}
""")
    results = [result(Verdict.NOT_SATISFIED), result(Verdict.NOT_SATISFIED, "stig-no-package-manager", OTHER_SRG)]
    apply_overrides(results, load_overrides(path), date(2026, 1, 1))
    assert results[0].verdict is Verdict.NOT_SATISFIED and results[0].override.action == "accept-risk"
    assert results[1].verdict is Verdict.NOT_SATISFIED and results[1].severity == "low"


@pytest.mark.parametrize("body, problem", [
    ("overrides: {}", "'overrides:' list"),
    ("overrides:\n  - {rule: x, action: waive, justification: j, approver: a, expires: 2030-01-01}", "action must be"),
    ("overrides:\n  - {rule: x, action: accept-risk, justification: j, approver: a}", "'expires' is required"),
    ("overrides:\n  - {rule: x, action: accept-risk, justification: j, approver: a, expires: soon}", "must be a date"),
    ("overrides:\n  - {rule: x, action: severity, justification: j, approver: a, expires: 2030-01-01}", "needs severity"),
    ("overrides: [", "cannot read overrides"),
])
def test_malformed_overrides_are_one_line_errors_naming_the_file(tmp_path, body, problem):
    path = write(tmp_path, body)
    with pytest.raises(InputError) as error:
        load_overrides(path)
    assert str(error.value).startswith(str(path)) and problem in str(error.value)
    assert "\n" not in str(error.value)


def scan(result_value: str, rule_id: str = "xccdf_mil.disa.stig_rule_SV-203591r999999_rule") -> XccdfRuleResult:
    return XccdfRuleResult(rule_id=rule_id, result=result_value, tool="OpenSCAP 1.3.7",
                           timestamp=datetime(2026, 11, 1, tzinfo=UTC),
                           evidence=(Evidence("scan.xml", "ab" * 32, "/Benchmark/TestResult/rule-result[4]"),))


def test_existing_scan_result_wins_and_disagreement_is_reported():
    results = [result(Verdict.SATISFIED)]
    notes = apply_existing_scans(results, [scan("fail")])
    assert results[0].verdict is Verdict.NOT_SATISFIED
    assert results[0].origin == "xccdf-scan"
    assert results[0].computed_verdict is Verdict.SATISFIED
    assert "scan says not-satisfied" in results[0].scan_disagreement
    assert notes and "stig-config-settings" in notes[0]
    assert results[0].evidence[-1].source == "scan.xml"


def test_undecided_scan_result_leaves_fact_verdict_and_manual_verdict_is_filled_without_disagreement():
    kept = [result(Verdict.SATISFIED)]
    assert apply_existing_scans(kept, [scan("notchecked")]) == []
    assert kept[0].verdict is Verdict.SATISFIED and kept[0].origin == "facts"
    filled = [result(Verdict.MANUAL)]
    assert apply_existing_scans(filled, [scan("pass")]) == []
    assert filled[0].verdict is Verdict.SATISFIED and filled[0].scan_disagreement == ""


def test_scan_matches_by_srg_version_when_rule_ids_differ():
    other = XccdfRuleResult(rule_id="some_local_rule", result="pass", version="SRG-OS-000480-GPOS-00227")
    results = [result(Verdict.MANUAL)]
    apply_existing_scans(results, [other])
    assert results[0].verdict is Verdict.SATISFIED


def test_stig_rules_sharing_an_srg_requirement_decide_it_together():
    def stig(rule: str, value: str) -> XccdfRuleResult:
        return XccdfRuleResult(rule_id=f"xccdf_mil.disa.stig_rule_{rule}", result=value,
                               version="RHEL-08-010000", srg_id="SRG-OS-000480-GPOS-00227", tool="SCC 5.8")

    passing = [result(Verdict.MANUAL)]
    apply_existing_scans(passing, [stig("SV-1r1_rule", "pass"), stig("SV-2r1_rule", "notapplicable")])
    assert passing[0].verdict is Verdict.SATISFIED
    assert "2 rule results for this requirement (1 notapplicable, 1 pass)" in passing[0].statement
    failing = [result(Verdict.MANUAL)]
    apply_existing_scans(failing, [stig("SV-1r1_rule", "pass"), stig("SV-2r1_rule", "fail")])
    assert failing[0].verdict is Verdict.NOT_SATISFIED
    assert "Failing: xccdf_mil.disa.stig_rule_SV-2r1_rule" in failing[0].statement


@pytest.mark.slow
def test_real_rhel8_stig_scan_decides_the_srg_rules_it_implements(samples):
    import scc

    assessment = scc.assess([samples / "xccdf-results" / "rhel8.openscap.xccdf-1.2-results.xml"])
    decided = {r.rule.id: r for r in assessment.rule_results if r.origin == "xccdf-scan"}
    assert "SRG-OS-000480-GPOS-00227" in decided
    assert decided["SRG-OS-000480-GPOS-00227"].verdict in (Verdict.SATISFIED, Verdict.NOT_SATISFIED)
