"""Existing STIG scans win: XCCDF rule results among the inputs decide the SRG rules they checked.

scc's fact-based verdicts fill the rules a scan left unchecked, and where the scan and the facts
disagree the disagreement is recorded on the rule result and in the notes, never hidden.
"""
from __future__ import annotations

import re

from scc.engine.model import RuleResult, Verdict
from scc.facts.model import XccdfRuleResult

_DECISIVE = {
    "pass": Verdict.SATISFIED,
    "fail": Verdict.NOT_SATISFIED,
    "notapplicable": Verdict.NOT_APPLICABLE,
}
_SV_NUMBER = re.compile(r"SV-(\d+)", re.IGNORECASE)
_V_NUMBER = re.compile(r"\bV-(\d+)", re.IGNORECASE)


def _scan_keys(result: XccdfRuleResult) -> set[str]:
    keys = set()
    for text in (result.rule_id, result.group_id):
        keys.update(f"SV-{n}" for n in _SV_NUMBER.findall(text or ""))
        keys.update(f"V-{n}" for n in _V_NUMBER.findall(text or ""))
    keys.update(v.upper() for v in (result.version, result.srg_id) if v)
    return keys


def _rule_keys(result: RuleResult) -> set[str]:
    keys = set()
    for ref in result.rule.srg:
        keys.update(f"SV-{n}" for n in _SV_NUMBER.findall(ref.rule_id))
        keys.update(f"V-{n}" for n in _V_NUMBER.findall(ref.group_id))
        keys.add(ref.version.upper())
    return keys


def apply_existing_scans(results: list[RuleResult], scan_results: list[XccdfRuleResult]) -> list[str]:
    """Let decisive scan results replace fact-based verdicts of the SRG rules they match."""
    if not scan_results:
        return []
    index: dict[str, list[XccdfRuleResult]] = {}
    for scan in scan_results:
        for key in _scan_keys(scan):
            index.setdefault(key, []).append(scan)
    notes = []
    used: set[int] = set()
    for result in results:
        matches = {id(s): s for key in _rule_keys(result) for s in index.get(key, [])}
        used.update(matches)
        decisive = [s for s in matches.values() if s.result.lower() in _DECISIVE]
        if decisive:
            note = _adopt(result, decisive)
            if note:
                notes.append(note)
    return notes + _unmatched_notes([s for s in scan_results if id(s) not in used], scan_results)


def _unmatched_notes(unmatched: list[XccdfRuleResult], scan_results: list[XccdfRuleResult]) -> list[str]:
    """One note per scan file whose results match no requirement scc's rules evidence: never silently dropped."""
    by_source: dict[str, list[XccdfRuleResult]] = {}
    totals: dict[str, int] = {}
    for scan in scan_results:
        totals[_source(scan)] = totals.get(_source(scan), 0) + 1
    for scan in unmatched:
        by_source.setdefault(_source(scan), []).append(scan)
    notes = []
    for source, scans in sorted(by_source.items()):
        counts: dict[str, int] = {}
        for scan in scans:
            counts[scan.result.lower()] = counts.get(scan.result.lower(), 0) + 1
        summary = ", ".join(f"{n} {result}" for result, n in sorted(counts.items()))
        benchmark = next((s.benchmark for s in scans if s.benchmark), "")
        notes.append(f"{source}: {len(scans)} of {totals[source]} rule results"
                     f"{' of ' + benchmark if benchmark else ''} ({summary}) match no SRG requirement scc's rules "
                     "evidence (by SV-/V- number or SRG id), so they change no verdict; review them in the scan "
                     "report itself")
    return notes


def _source(scan: XccdfRuleResult) -> str:
    return scan.evidence[0].source if scan.evidence else (scan.tool or "an XCCDF scan")


def _scan_verdict(verdicts: list[Verdict]) -> Verdict:
    """Several STIG rules can implement one SRG requirement: one failure fails it, N/A only when all are."""
    if Verdict.NOT_SATISFIED in verdicts:
        return Verdict.NOT_SATISFIED
    if Verdict.SATISFIED in verdicts:
        return Verdict.SATISFIED
    return Verdict.NOT_APPLICABLE


def _scan_summary(scans: list[XccdfRuleResult], scan_verdict: Verdict) -> str:
    first = scans[0]
    tool = first.tool or "an existing XCCDF scan"
    when = f" at {first.timestamp.isoformat()}" if first.timestamp else ""
    if len(scans) == 1:
        return f"{tool}{when} reported {first.result} for {first.rule_id}."
    counts: dict[str, int] = {}
    for scan in scans:
        counts[scan.result.lower()] = counts.get(scan.result.lower(), 0) + 1
    tally = ", ".join(f"{n} {result}" for result, n in sorted(counts.items()))
    failing = [s.rule_id for s in scans if _DECISIVE[s.result.lower()] is Verdict.NOT_SATISFIED]
    listed = f" Failing: {', '.join(failing[:10])}{' and more' if len(failing) > 10 else ''}." if failing else ""
    return f"{tool}{when} reported {len(scans)} rule results for this requirement ({tally}).{listed}"


def _adopt(result: RuleResult, scans: list[XccdfRuleResult]) -> str:
    scan_verdict = _scan_verdict([_DECISIVE[s.result.lower()] for s in scans])
    facts_verdict = result.verdict
    result.verdict = scan_verdict
    result.origin = "xccdf-scan"
    for scan in scans:
        result.evidence.extend(e for e in scan.evidence if e not in result.evidence)
    result.statement = f"{_scan_summary(scans, scan_verdict)} scc's fact-based finding: {result.statement}"
    decided_by_facts = facts_verdict in (Verdict.SATISFIED, Verdict.NOT_SATISFIED, Verdict.NOT_APPLICABLE)
    if decided_by_facts and facts_verdict is not scan_verdict:
        result.scan_disagreement = (f"the existing scan says {scan_verdict.value}, "
                                    f"scc's facts say {facts_verdict.value}")
        return f"{result.rule.id}: {result.scan_disagreement} (the scan is used as evidence)"
    return ""
