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
    if result.version:
        keys.add(result.version.upper())
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
    for result in results:
        matches = {id(s): s for key in _rule_keys(result) for s in index.get(key, [])}
        decisive = [s for s in matches.values() if s.result.lower() in _DECISIVE]
        if decisive:
            note = _adopt(result, decisive)
            if note:
                notes.append(note)
    return notes


def _adopt(result: RuleResult, scans: list[XccdfRuleResult]) -> str:
    verdicts = [_DECISIVE[s.result.lower()] for s in scans]
    scan_verdict = Verdict.NOT_SATISFIED if Verdict.NOT_SATISFIED in verdicts else verdicts[0]
    chosen = next(s for s, v in zip(scans, verdicts) if v is scan_verdict)
    facts_verdict = result.verdict
    result.verdict = scan_verdict
    result.origin = "xccdf-scan"
    for scan in scans:
        result.evidence.extend(e for e in scan.evidence if e not in result.evidence)
    tool = chosen.tool or "an existing XCCDF scan"
    when = f" at {chosen.timestamp.isoformat()}" if chosen.timestamp else ""
    result.statement = (f"{tool}{when} reported {chosen.result} for {chosen.rule_id}. "
                        f"scc's fact-based finding: {result.statement}")
    decided_by_facts = facts_verdict in (Verdict.SATISFIED, Verdict.NOT_SATISFIED, Verdict.NOT_APPLICABLE)
    if decided_by_facts and facts_verdict is not scan_verdict:
        result.scan_disagreement = (f"the existing scan says {scan_verdict.value}, "
                                    f"scc's facts say {facts_verdict.value}")
        return f"{result.rule.id}: {result.scan_disagreement} (the scan is used as evidence)"
    return ""
