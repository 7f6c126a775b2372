"""CI gate: normalised severities, VEX-closed findings never count, malformed thresholds are errors."""
from __future__ import annotations

import pytest

from scc.assessment import Assessment, Settings
from scc.engine.model import Rule, RuleResult, SrgRef, Verdict
from scc.errors import UsageError
from scc.facts.model import Finding, FindingState, ImageFacts, Severity, VexStatement
from scc.gate import breaches, open_counts, parse_threshold


def srg_result(verdict: Verdict, severity: str) -> RuleResult:
    rule = Rule(id=f"r-{severity}-{verdict.value}", title="t", controls=("cm-6",), check="x",
                srg=(SrgRef("gpos-srg", "SRG-OS-000480-GPOS-00227", severity=severity),))
    return RuleResult(rule=rule, verdict=verdict, statement="s", reason="r")


@pytest.fixture
def assessment() -> Assessment:
    facts = ImageFacts(findings=[
        Finding("CVE-1", severity=Severity.parse("Critical")),
        Finding("CVE-2", severity=Severity.parse("CRITICAL")),
        Finding("CVE-3", severity=Severity.parse("critical"), state=FindingState.NOT_AFFECTED,
                vex=VexStatement("CVE-3", FindingState.NOT_AFFECTED)),
        Finding("CVE-4", severity=Severity.parse("important")),
        Finding("CVE-5", severity=Severity.parse("High"), state=FindingState.FIXED),
    ])
    a = Assessment(facts, Settings(), rules=[])
    a.rule_results = [srg_result(Verdict.NOT_SATISFIED, "high"), srg_result(Verdict.PARTIAL, "high"),
                      srg_result(Verdict.SATISFIED, "high"), srg_result(Verdict.MANUAL, "high"),
                      srg_result(Verdict.NOT_SATISFIED, "low")]
    return a


def test_counts_only_open_items_with_normalised_severity(assessment):
    counts = open_counts(assessment)
    assert counts["critical"] == 2      # 'Critical' and 'CRITICAL' count; the VEX not_affected one does not
    assert counts["high"] == 1          # 'important' is high; the fixed one does not count
    assert (counts["cat1"], counts["cat2"], counts["cat3"]) == (2, 0, 1)


def test_breaches_are_one_line_each(assessment):
    lines = breaches(assessment, [parse_threshold("cat1", "0"), parse_threshold("critical", 2),
                                  parse_threshold("cat3", "0")])
    assert lines == ["gate: CAT I STIG findings: 2 open, at most 0 allowed",
                     "gate: CAT III STIG findings: 1 open, at most 0 allowed"]


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "", " ", "0x1", None])
def test_malformed_threshold_is_an_error_never_a_pass(value):
    with pytest.raises(UsageError):
        parse_threshold("cat1", value)
