"""The flow as code: ``scc.engine.run(facts, rules, policy, clock) -> Report`` is pure, the Report is frozen,
writers render a Report (no Assessment, no content cache), and an open finding, a severity's DISA
category and a remediation due date each have one definition every view shares."""
from __future__ import annotations

import builtins
import json
from dataclasses import FrozenInstanceError, replace
from datetime import UTC, date, datetime

import pytest

from scc.engine import Policy, Report, run
from scc.engine.rules import load_rule_packs
from scc.facts.model import Finding, FindingState, ImageFacts, Severity, VexStatement
from scc.gate import open_counts
from scc.report import (
    BASIS_RISK_ACCEPTED,
    EMPTY_CONTENT,
    Override,
    Rule,
    RuleResult,
    SrgRef,
    Verdict,
    category_label,
    raw_severity,
    severity_category,
)
from scc.writers import available_writers, writer

CLOCK = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _facts() -> ImageFacts:
    return ImageFacts(findings=[
        Finding("CVE-2026-1", "openssl", "3.0.1", severity=Severity.CRITICAL, fixed_versions=["3.0.2"],
                first_seen=datetime(2026, 11, 1, tzinfo=UTC), sources={"grype"}),
        # a scanner left the state open but a VEX statement closed it: not open anywhere
        Finding("CVE-2026-2", "zlib", "1.2", severity=Severity.HIGH, state=FindingState.AFFECTED,
                vex=VexStatement("CVE-2026-2", FindingState.NOT_AFFECTED, justification="component_not_present")),
        Finding("CVE-2026-3", "busybox", "1.36", severity=Severity.LOW, state=FindingState.FIXED),
    ])


def _rule(rule_id: str, severity: str = "medium") -> Rule:
    return Rule(id=rule_id, title=f"{rule_id} title", controls=("cm-6",), check="x",
                srg=(SrgRef("gpos-srg", "SRG-OS-000480-GPOS-00227", severity=severity),))


def test_run_reads_no_file_and_no_content_cache(monkeypatch):
    from scc.engine.ssdf import load_ssdf_mapping
    from scc.engine.tables import load_tables

    rules = load_rule_packs(None)          # loading the packs, tables and SSDF mapping is the caller's business
    policy = Policy(baseline=None, tables=load_tables(), ssdf=load_ssdf_mapping())

    def refuse(*_args, **_kwargs):
        raise AssertionError("the engine opened a file")

    import scc.content.store

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(scc.content.store, "default_store", refuse)
    first = run(_facts(), rules, policy, CLOCK)
    second = run(_facts(), rules, policy, CLOCK)
    monkeypatch.undo()
    assert isinstance(first, Report) and first.assessed_at == CLOCK
    assert [(r.rule.id, r.verdict, r.statement) for r in first.rule_results] == \
        [(r.rule.id, r.verdict, r.statement) for r in second.rule_results]
    assert first.fingerprint == second.fingerprint and first.uuid("x") == second.uuid("x")
    assert first.ssdf is not None and first.ssdf.mapping is policy.ssdf


def test_the_report_is_frozen():
    report = run(_facts(), [], Policy(), CLOCK)
    with pytest.raises(FrozenInstanceError):
        report.notes = ("changed",)   # type: ignore[misc]
    with pytest.raises(TypeError):
        report.clocks[0] = None       # type: ignore[index]
    assert isinstance(report.rule_results, tuple) and isinstance(report.remediation_items, tuple)


def test_every_writer_renders_a_report_built_without_an_assessment():
    report = run(_facts(), load_rule_packs(None), Policy(content=EMPTY_CONTENT), CLOCK)
    for candidate in available_writers():
        if candidate.name == "ssp-pdf":
            continue                  # WeasyPrint is slow; test_writer_pdf renders it
        assert candidate.render(report), candidate.name
    document = json.loads(writer("oscal-poam").render(report))["plan-of-action-and-milestones"]
    assert any("CVE-2026-1" in item["title"] for item in document["poam-items"])


def test_an_open_finding_has_one_definition_every_view_shares():
    facts = _facts()
    assert [f.id for f in facts.findings if f.is_open] == ["CVE-2026-1"]
    assert [f.id for f in facts.open_findings] == ["CVE-2026-1"]
    report = run(facts, [], Policy(), CLOCK)
    assert [f.id for f in report.open_findings] == ["CVE-2026-1"]
    assert [i.finding.id for i in report.remediation_items if i.finding] == ["CVE-2026-1"]

    counts = open_counts(report)     # type: ignore[arg-type]  # scc gate reads srg_results and facts
    assert (counts["critical"], counts["high"], counts["low"]) == (1, 0, 0)
    component = json.loads(writer("oscal-component-definition").render(report))["component-definition"]
    props = {p["name"]: p["value"] for p in component["components"][0]["props"]}
    assert props["open-finding-count"] == "1"


@pytest.mark.parametrize(("severity", "number", "label", "raw"), [
    ("high", 1, "CAT I", "I"), ("critical", 1, "CAT I", "I"), ("medium", 2, "CAT II", "II"),
    ("low", 3, "CAT III", "III"), ("negligible", 3, "CAT III", "III"), ("unknown", None, "", ""),
])
def test_severity_categories_have_one_definition(severity, number, label, raw):
    from scc.content.model import BenchmarkRule

    assert (severity_category(severity), category_label(severity), raw_severity(severity)) == (number, label, raw)
    if severity in ("high", "medium", "low"):
        assert SrgRef("gpos-srg", "SRG-X", severity=severity).category == label
        assert BenchmarkRule("V-1", "SV-1r1_rule", "SRG-X", severity, "t", "", "", "").category == label


def test_rule_items_are_dated_by_the_engine_and_the_poam_shows_that_date():
    accepted = Override("accepted", "accept-risk", "Compensated elsewhere.", "J. Smith (AO)", date(2027, 6, 30))
    results = [RuleResult(_rule("open-rule", "high"), Verdict.NOT_SATISFIED, "s", "r"),
               RuleResult(_rule("accepted"), Verdict.PARTIAL, "s", "r", override=accepted),
               RuleResult(_rule("closed"), Verdict.SATISFIED, "s", "r")]
    from scc.engine.pipeline import conclude

    report = conclude(ImageFacts(), [r.rule for r in results], results, Policy(), CLOCK)
    rules = {i.key: i for i in report.remediation_items if i.result is not None}
    assert sorted(rules) == ["rule/accepted", "rule/open-rule"]
    assert rules["rule/open-rule"].due_date == date(2026, 12, 20)          # 2026-11-20 + sla_days[high] = 30
    assert rules["rule/accepted"].due_date == date(2027, 6, 30) and rules["rule/accepted"].basis == BASIS_RISK_ACCEPTED
    moved = replace(rules["rule/open-rule"], clock=replace(rules["rule/open-rule"].clock, sla_days=5))
    report = replace(report, remediation_items=tuple(moved if i.key == "rule/open-rule" else i
                                                     for i in report.remediation_items))
    document = json.loads(writer("oscal-poam").render(report))["plan-of-action-and-milestones"]
    item = next(i for i in document["poam-items"] if i["title"] == "open-rule title")
    props = {p["name"]: p["value"] for p in item["props"]}
    assert props["scheduled-completion"] == "2026-11-25"
    assert props["deadline-basis"] == "assessment date 2026-11-20 + 5 days (sla_days[high])"
