"""Existing STIG scans win: XCCDF rule results among the inputs decide the SRG rules they checked.

scc's fact-based verdicts fill the rules a scan left unchecked, and where the scan and the facts
disagree the disagreement is recorded on the rule result and in the notes, never hidden. Results for
requirements no scc rule evidences are carried as results of their own (scan_requirements.py).
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from scc.engine.cci import NO_CCI_LIST_NOTE, CciControls
from scc.engine.model import RuleResult, Verdict
from scc.engine.scan_requirements import (
    DECISIVE,
    carry_scan_results,
    scan_source,
    scan_summary,
    scan_verdict,
    scanner_disagreement,
)
from scc.facts.model import XccdfRuleResult
from scc.report import ContentSnapshot

_SV_NUMBER = re.compile(r"SV-(\d+)", re.IGNORECASE)
_V_NUMBER = re.compile(r"\bV-(\d+)", re.IGNORECASE)


def _scan_keys(result: XccdfRuleResult) -> set[str]:
    keys: set[str] = set()
    for text in (result.rule_id, result.group_id):
        keys.update(f"SV-{n}" for n in _SV_NUMBER.findall(text or ""))
        keys.update(f"V-{n}" for n in _V_NUMBER.findall(text or ""))
    keys.update(v.upper() for v in (result.version, result.srg_id) if v)
    return keys


def _rule_keys(result: RuleResult) -> set[str]:
    keys: set[str] = set()
    for ref in result.rule.srg:
        keys.update(f"SV-{n}" for n in _SV_NUMBER.findall(ref.rule_id))
        keys.update(f"V-{n}" for n in _V_NUMBER.findall(ref.group_id))
        keys.add(ref.version.upper())
    return keys


def apply_existing_scans(results: list[RuleResult], scan_results: list[XccdfRuleResult],
                         content: ContentSnapshot | None = None,
                         cci_controls: CciControls | None = None) -> list[str]:
    """Let decisive scan results replace fact-based verdicts of the SRG rules they match, and append one
    RuleResult per requirement the scans decided that no scc rule evidences (``results`` grows).

    ``cci_controls`` maps the scans' CCIs to 800-53 controls (scc.engine.cci) for the carried results;
    without it they name no control and a note says why."""
    if not scan_results:
        return []
    index: dict[str, list[XccdfRuleResult]] = {}
    for scan in scan_results:
        for key in _scan_keys(scan):
            index.setdefault(key, []).append(scan)
    notes = []
    used: set[int] = set()
    siblings: dict[str, set[str]] = {}
    for result in results:
        matches = {id(s): s for key in _rule_keys(result) for s in index.get(key, [])}
        used.update(matches)
        _record_benchmark(siblings, result, matches.values())
        decisive = [s for s in matches.values() if s.result.lower() in DECISIVE]
        if decisive:
            notes += _adopt(result, decisive)
    unmatched = [s for s in scan_results if id(s) not in used]
    carried, carried_notes = carry_scan_results(unmatched, siblings, content, cci_controls)
    results.extend(carried)
    missing = [NO_CCI_LIST_NOTE] if cci_controls is None and carried else []   # only carried ones need controls
    return notes + carried_notes + _carried_notes(unmatched, scan_results, carried) + missing


def _record_benchmark(siblings: dict[str, set[str]], result: RuleResult, scans: Iterable[XccdfRuleResult]) -> None:
    """A scan whose rule ids are a benchmark's own (same SV-/V- number) is a scan of that benchmark."""
    numbers = {k for k in _rule_keys(result) if k.startswith(("SV-", "V-"))}
    for scan in scans:
        if scan.benchmark and numbers & _scan_keys(scan):
            siblings.setdefault(scan.benchmark, set()).update(ref.benchmark for ref in result.rule.srg)


def _carried_notes(unmatched: list[XccdfRuleResult], scan_results: list[XccdfRuleResult],
                   carried: list[RuleResult]) -> list[str]:
    """One note per scan file with results no scc rule evidences: what was carried, never silently dropped."""
    totals: dict[str, int] = {}
    for scan in scan_results:
        totals[scan_source(scan)] = totals.get(scan_source(scan), 0) + 1
    by_source: dict[str, list[XccdfRuleResult]] = {}
    for scan in unmatched:
        by_source.setdefault(scan_source(scan), []).append(scan)
    notes = []
    for source, scans in sorted(by_source.items()):
        counts: dict[str, int] = {}
        for scan in scans:
            counts[scan.result.lower()] = counts.get(scan.result.lower(), 0) + 1
        summary = ", ".join(f"{n} {result}" for result, n in sorted(counts.items()))
        benchmark = next((s.benchmark for s in scans if s.benchmark), "")
        failing = sum(1 for r in carried if r.verdict is Verdict.NOT_SATISFIED and r.rule.source == source)
        notes.append(f"{source}: {len(scans)} of {totals[source]} rule results"
                     f"{' of ' + benchmark if benchmark else ''} ({summary}) match no requirement scc's rules "
                     "evidence; they are carried as the scanner's own results for their requirements "
                     f"({failing} failing), in every view and in the gate")
    return notes



def _adopt(result: RuleResult, scans: list[XccdfRuleResult]) -> list[str]:
    verdict = scan_verdict(scans)
    facts_verdict = result.verdict
    result.verdict = verdict
    result.origin = "xccdf-scan"
    for scan in scans:
        result.evidence.extend(e for e in scan.evidence if e not in result.evidence)
    result.statement = f"{scan_summary(scans)} scc's fact-based finding: {result.statement}"
    disagreements = []
    decided_by_facts = facts_verdict in (Verdict.SATISFIED, Verdict.NOT_SATISFIED, Verdict.NOT_APPLICABLE)
    if decided_by_facts and facts_verdict is not verdict:
        disagreements.append(f"the existing scan says {verdict.value}, scc's facts say {facts_verdict.value}")
    between_scanners = scanner_disagreement(scans)
    if between_scanners:
        disagreements.append(between_scanners)
    if not disagreements:
        return []
    result.scan_disagreement = "; ".join(disagreements)
    return [f"{result.rule.id}: {result.scan_disagreement} (the scan is used as evidence)"]
