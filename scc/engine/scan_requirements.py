"""Scan results are evidence in their own right: requirements a scan decided that no scc rule evidences.

An XCCDF/ARF rule result (OpenSCAP, DISA SCC, a product STIG scan) for a requirement scc has no rule
for becomes a RuleResult of its own (``origin == "xccdf-scan"``, ``rule.pack == SCAN_PACK``), so every
view (XCCDF, ARF, CKL, CKLB, OSCAL assessment results, POA&M) and the gate carry it like any other.

Which benchmark a result belongs to, in order:

1. the official benchmark in the content store that holds the rule (by SV- rule id, V- group id or
   rule version; the benchmarks in settings first): its ids, title, severity and CCIs are used;
2. the registry benchmark whose DISA id the scan's own Benchmark carries
   (``xccdf_mil.disa.stig_benchmark_General_Purpose_Operating_System`` -> gpos-srg);
3. the one benchmark whose scc rules other results of the same scan matched;
4. else the scan's own benchmark id (a section of its own), with the ids and titles the scan carries.

Results for one requirement decide it together (one fail fails it); two scanners that disagree on a
requirement are recorded on the result (``scan_disagreement``) and in the notes.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scc.engine.cci import CciControls, controls_for_ccis
from scc.engine.model import Rule, RuleResult, SrgRef, Verdict
from scc.facts.model import XccdfRuleResult
from scc.report import EMPTY_CONTENT, ContentSnapshot

if TYPE_CHECKING:
    from scc.content.model import Benchmark, BenchmarkRule

SCAN_PACK = "xccdf-scan"
DECISIVE = {
    "pass": Verdict.SATISFIED,
    "fail": Verdict.NOT_SATISFIED,
    "notapplicable": Verdict.NOT_APPLICABLE,
}
# results that say the scanner did not look at the rule at all: not a result for the requirement
NOT_EVALUATED = frozenset({"notselected"})
_SV = re.compile(r"(SV-\d+r\d+_rule|SV-\d+)", re.IGNORECASE)
_SV_NUMBER = re.compile(r"SV-(\d+)", re.IGNORECASE)
_DISA_BENCHMARK = "xccdf_mil.disa.stig_benchmark_"
_SEVERITIES = ("high", "medium", "low")

@dataclass(frozen=True)
class _Requirement:
    """Where one scan result lands: a benchmark name and the requirement's reference in it."""

    key: tuple[str, str]
    ref: SrgRef
    official: bool
    description: str = ""
    check_text: str = ""
    fix_text: str = ""


def carry_scan_results(unmatched: list[XccdfRuleResult], sibling_benchmarks: Mapping[str, set[str]],
                       content: ContentSnapshot | None = None,
                       cci_controls: CciControls | None = None) -> tuple[list[RuleResult], list[str]]:
    """RuleResults for the scan results no scc rule matched, and one note per disagreement between scanners.

    ``content``: the official benchmarks (settings.benchmarks first) and the registry's DISA benchmark ids
    (none without); each carried result's controls are its scans' CCIs mapped through ``cci_controls``
    (none without)."""
    content = content if content is not None else EMPTY_CONTENT
    carried = [s for s in unmatched if s.result.strip().lower() not in NOT_EVALUATED]
    if not carried:
        return [], []
    grouped: dict[tuple[str, str], tuple[_Requirement, list[XccdfRuleResult]]] = {}
    for scan in carried:
        requirement = _requirement(scan, content, sibling_benchmarks)
        grouped.setdefault(requirement.key, (requirement, []))[1].append(scan)
    results, notes = [], []
    for requirement, scans in sorted(grouped.values(), key=lambda item: item[0].key):
        result = _scan_rule_result(requirement, scans, cci_controls)
        results.append(result)
        if result.scan_disagreement:
            notes.append(f"{result.rule.id}: {result.scan_disagreement}")
    return results, notes


def scanners(scans: list[XccdfRuleResult]) -> str:
    return ", ".join(dict.fromkeys(s.tool or scan_source(s) for s in scans))


def scan_source(scan: XccdfRuleResult) -> str:
    """The input file a scan result came from (its tool when the result carries no evidence)."""
    return scan.evidence[0].source if scan.evidence else (scan.tool or "an XCCDF scan")


def _requirement(scan: XccdfRuleResult, content: ContentSnapshot,
                 sibling_benchmarks: Mapping[str, set[str]]) -> _Requirement:
    for name, benchmark in content.benchmarks.items():
        rule = _official_rule(benchmark, scan)
        if rule is not None:
            ref = SrgRef(benchmark=name, version=rule.version, group_id=rule.group_id, rule_id=rule.rule_id,
                         ccis=tuple(rule.ccis) or scan.ccis, severity=rule.severity, title=rule.title)
            return _Requirement((name, rule.group_id or rule.version or rule.rule_id), ref, True,
                                rule.description, rule.check_text, rule.fix_text)
    name = _benchmark_name(scan, sibling_benchmarks, content.benchmark_ids)
    rule_id = _rule_id(scan)
    group_id = scan.group_id or _group_from_rule_id(rule_id)
    severity = scan.severity.strip().lower()
    ref = SrgRef(benchmark=name, version=scan.version, group_id=group_id, rule_id=rule_id, ccis=scan.ccis,
                 severity=severity if severity in _SEVERITIES else "medium", title=scan.title)
    return _Requirement((name, group_id or scan.version or rule_id), ref, False)


def _official_rule(benchmark: Benchmark, scan: XccdfRuleResult) -> BenchmarkRule | None:
    sv = _SV.search(scan.rule_id or "")
    if sv and (rule := benchmark.rule_by_id(sv.group(1))) is not None:
        return rule
    if scan.group_id and (rule := benchmark.rule_by_group(scan.group_id)) is not None:
        return rule
    return benchmark.rule_by_version(scan.version) if scan.version else None


def _benchmark_name(scan: XccdfRuleResult, sibling_benchmarks: Mapping[str, set[str]],
                    registry_names: Mapping[str, str]) -> str:
    own = scan.benchmark.removeprefix(_DISA_BENCHMARK)
    registered = registry_names.get(own) if own else None
    if registered is not None:
        return registered
    siblings = sibling_benchmarks.get(scan.benchmark, set())
    if len(siblings) == 1:
        return next(iter(siblings))
    return own or "xccdf-scan"


def _rule_id(scan: XccdfRuleResult) -> str:
    """SV-203739r987791_rule out of xccdf_mil.disa.stig_rule_SV-203739r987791_rule, else the idref as written."""
    match = _SV.search(scan.rule_id or "")
    return match.group(1) if match else scan.rule_id


def _group_from_rule_id(rule_id: str) -> str:
    """DISA numbers a Group and its Rule alike (V-203739 holds SV-203739r987791_rule)."""
    match = _SV_NUMBER.match(rule_id)
    return f"V-{match.group(1)}" if match else ""


def scan_verdict(scans: list[XccdfRuleResult]) -> Verdict:
    """One failure fails the requirement, N/A only when all are; no decisive result leaves it to a person."""
    verdicts = [DECISIVE[s.result.lower()] for s in scans if s.result.lower() in DECISIVE]
    if Verdict.NOT_SATISFIED in verdicts:
        return Verdict.NOT_SATISFIED
    if Verdict.SATISFIED in verdicts:
        return Verdict.SATISFIED
    if verdicts:
        return Verdict.NOT_APPLICABLE
    return Verdict.MANUAL


def scanner_disagreement(scans: list[XccdfRuleResult]) -> str:
    """'OpenSCAP says pass, SCC 5.8 says fail' when scanners reached different decisive results."""
    said: dict[str, set[str]] = {}
    for scan in scans:
        if scan.result.lower() in DECISIVE:
            said.setdefault(scan.tool or scan_source(scan), set()).add(scan.result.lower())
    outcomes = {result for results in said.values() for result in results}
    if len(said) < 2 or len(outcomes) < 2:
        return ""
    return "scanners disagree: " + ", ".join(f"{tool} says {'/'.join(sorted(results))}"
                                             for tool, results in sorted(said.items()))


def scan_summary(scans: list[XccdfRuleResult]) -> str:
    first = scans[0]
    tool = scanners(scans) or "an existing XCCDF scan"
    when = f" at {first.timestamp.isoformat()}" if first.timestamp else ""
    if len(scans) == 1:
        message = f" ({first.message})" if first.message else ""
        return f"{tool}{when} reported {first.result} for {first.rule_id}{message}."
    counts: dict[str, int] = {}
    for scan in scans:
        counts[scan.result.lower()] = counts.get(scan.result.lower(), 0) + 1
    tally = ", ".join(f"{n} {result}" for result, n in sorted(counts.items()))
    failing = [s.rule_id for s in scans if s.result.lower() == "fail"]
    listed = f" Failing: {', '.join(failing[:10])}{' and more' if len(failing) > 10 else ''}." if failing else ""
    return f"{tool}{when} reported {len(scans)} rule results for this requirement ({tally}).{listed}"


def _scan_rule_result(requirement: _Requirement, scans: list[XccdfRuleResult],
                      cci_controls: CciControls | None) -> RuleResult:
    ref = requirement.ref
    verdict = scan_verdict(scans)
    controls = tuple(dict.fromkeys(c for s in scans for c in controls_for_ccis(s.ccis, cci_controls)))
    label = ref.rule_id or ref.version or ref.group_id
    rule = Rule(id=f"scan:{ref.benchmark}:{label}", title=ref.title or label, controls=controls, check="xccdf-scan",
                srg=(ref,), pack=SCAN_PACK, source=scan_source(scans[0]), description=requirement.description,
                check_text=requirement.check_text, fix_text=requirement.fix_text,
                manual="" if verdict is not Verdict.MANUAL else "The scanner reached no decisive result; an "
                "assessor must check this requirement.")
    statement = scan_summary(scans)
    if verdict is Verdict.MANUAL:
        statement += " No decisive result (pass, fail or notapplicable): an assessor must check this requirement."
    evidence = list(dict.fromkeys(e for s in scans for e in s.evidence))
    return RuleResult(rule=rule, verdict=verdict, statement=statement,
                      reason=f"the scanner's own result ({scanners(scans)}); scc has no rule for this requirement",
                      evidence=evidence, origin="xccdf-scan", computed_verdict=None,
                      scan_disagreement=scanner_disagreement(scans),
                      details={"scanner": scanners(scans), "official": requirement.official})
