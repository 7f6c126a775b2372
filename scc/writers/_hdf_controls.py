"""The controls of hdf.json: one per DISA requirement, per scc rule without one, and per vulnerability.

How a verdict reads in HDF (Heimdall derives a control's status from its impact and results: impact 0
is Not Applicable; else any failed result is Failed, else any passed one Passed, else skipped results
are Not Reviewed):

* satisfied -> a ``passed`` result;
* not-satisfied -> ``failed``; partial -> ``failed`` too (the checklist's Open, XCCDF's fail), its
  message saying what was proved and what is left;
* manual -> ``skipped``, its skip_message saying what a person must check;
* not-applicable -> ``skipped`` with the reason, and impact 0.0 when the requirement as a whole is
  not applicable;
* a requirement no scc rule evidences -> one ``skipped`` result saying so (Not Reviewed);
* a requirement whose rules combine to partial without any failed result (satisfied beside manual)
  gets one more ``failed`` result stating the combination, so Heimdall does not read it Passed.

scc has no verdict meaning "the check itself broke", so ``error`` is never written. A verdict a
person's attestation decided carries ``attestation_data`` (as SAF's ``attest apply`` writes it) and
its result says it is a human judgment. Each result cites its evidence: file#pointer and sha256.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from scc.clock import iso
from scc.report import Verdict
from scc.severity import severity_category
from scc.writers._json import indented_text
from scc.writers._poam_items import MALICIOUS_CONTROLS, VULNERABILITY_CONTROLS
from scc.writers._stig_rows import NOT_EVALUATED, result_details

if TYPE_CHECKING:
    from scc.facts.model import Evidence, Finding
    from scc.report import RemediationClock, Report, RuleResult
    from scc.writers._stig_rows import ChecklistRow

#: impact of each DISA category (CAT I/II/III) as MITRE's converters write it; unrated reads CAT II
CATEGORY_IMPACT = {1: 0.7, 2: 0.5, 3: 0.3}
CRITICAL_IMPACT = 0.9          # a scanner's critical: Heimdall shows "critical" from 0.9
NOT_APPLICABLE_IMPACT = 0.0
_STATUS = {
    Verdict.SATISFIED: "passed", Verdict.NOT_SATISFIED: "failed", Verdict.PARTIAL: "failed",
    Verdict.MANUAL: "skipped", Verdict.NOT_APPLICABLE: "skipped",
}
ATTESTED_CODE_DESC = "Manually verified status provided through attestation"


def impact(severity: str) -> float:
    """The HDF impact of a severity word: 0.9 critical, 0.7 CAT I, 0.5 CAT II (and unrated), 0.3 CAT III."""
    if severity.strip().lower() == "critical":
        return CRITICAL_IMPACT
    return CATEGORY_IMPACT[severity_category(severity) or 2]


def hdf_status(verdict: Verdict) -> str:
    """The HDF result status of one scc verdict (see the module docstring)."""
    return _STATUS[verdict]


def nist_tag(control_id: str) -> str:
    """An OSCAL control id as HDF's nist tags spell it: ac-6.10 -> AC-6 (10)."""
    base, _, enhancement = control_id.partition(".")
    return f"{base.upper()} ({enhancement})" if enhancement else base.upper()


# -- one DISA requirement (a checklist row) -------------------------------------------------------------
def requirement_control(report: Report, row: ChecklistRow, source: str) -> dict[str, Any]:
    """The control of one SRG/STIG requirement: the ids as DISA publishes them, the row's verdict."""
    verdict = row.verdict
    tags: dict[str, Any] = {
        "severity": row.severity, "gtitle": row.group_title, "gid": row.group_id, "rid": row.rule_id,
        "stig_id": row.version, "cci": list(row.ccis), "nist": _row_nist(report, row),
    }
    if row.severity_override:
        tags["severityoverride"] = row.severity_override
        tags["severityjustification"] = row.severity_justification
    tags["scc_verdict"] = verdict.value if verdict is not None else "not evaluated"
    tags["scc_rules"] = [r.rule.id for r in row.results]
    results = [_rule_result(report, r) for r in row.results] or [_not_evaluated(report)]
    if verdict is Verdict.PARTIAL and all(r["status"] != "failed" for r in results):
        results.append(_combined_partial(report, row))
    control = {
        "id": row.group_id,
        "title": row.title,
        "desc": row.discussion,
        "descriptions": _descriptions(default=row.discussion, check=row.check_text, fix=row.fix_text,
                                      comments=row.comments),
        "impact": NOT_APPLICABLE_IMPACT if verdict is Verdict.NOT_APPLICABLE else impact(row.effective_severity),
        "refs": [],
        "tags": tags,
        "code": _code(row.results),
        "source_location": _source_location(row.results, source),
        "results": results,
    }
    return _with_attestation(control, row.results)


def _row_nist(report: Report, row: ChecklistRow) -> list[str]:
    """The 800-53 controls of the row: its scc rules' controls, then what DISA's CCI list maps its CCIs to."""
    ids = [c for r in row.results for c in r.rule.controls]
    ccis = report.content.cci()
    if ccis is not None:
        for cci_id in row.ccis:
            cci = ccis.get(cci_id)
            ids += list(cci.rev5) if cci is not None else []
    return list(dict.fromkeys(nist_tag(c) for c in ids))


def _not_evaluated(report: Report) -> dict[str, Any]:
    return {"status": "skipped", "code_desc": "No scc rule evidences this requirement",
            "skip_message": NOT_EVALUATED, "start_time": iso(report.assessed_at)}


def _combined_partial(report: Report, row: ChecklistRow) -> dict[str, Any]:
    decided = ", ".join(r.rule.id for r in row.results if r.verdict is Verdict.SATISFIED)
    left = ", ".join(r.rule.id for r in row.results if r.verdict not in (Verdict.SATISFIED, Verdict.NOT_APPLICABLE))
    return {"status": "failed", "code_desc": f"{row.group_id}: the scc rules evidencing it combine to partial",
            "message": f"Satisfied: {decided}. Not decided: {left}; a person must review those before this "
                       "requirement can be closed, so it stays open (the checklist shows Open).",
            "start_time": iso(report.assessed_at)}


# -- one scc rule that evidences no DISA requirement ----------------------------------------------------
def rule_control(report: Report, result: RuleResult) -> dict[str, Any]:
    """The control of one scc rule that cites 800-53 controls only."""
    rule = result.rule
    verdict = result.verdict
    tags: dict[str, Any] = {"severity": result.severity, "nist": [nist_tag(c) for c in rule.controls],
                            "scc_verdict": verdict.value, "scc_rules": [rule.id], "scc_origin": result.origin}
    control = {
        "id": rule.id,
        "title": rule.title,
        "desc": rule.description,
        "descriptions": _descriptions(default=rule.description, check=rule.check_text or rule.manual,
                                      fix=rule.fix_text),
        "impact": NOT_APPLICABLE_IMPACT if verdict is Verdict.NOT_APPLICABLE else impact(result.severity),
        "refs": [],
        "tags": tags,
        "code": _code([result]),
        "source_location": _source_location([result], ""),
        "results": [_rule_result(report, result)],
    }
    return _with_attestation(control, [result])


# -- the result of one scc rule -------------------------------------------------------------------------
def _rule_result(report: Report, result: RuleResult) -> dict[str, Any]:
    status = hdf_status(result.verdict)
    text = _result_text(result)
    entry: dict[str, Any] = {"status": status, "code_desc": _code_desc(result)}
    entry["skip_message" if status == "skipped" else "message"] = text
    entry["start_time"] = iso(report.assessed_at)
    return entry


def _code_desc(result: RuleResult) -> str:
    if result.attestation is not None:
        return f"{ATTESTED_CODE_DESC} ({result.label}: {result.rule.title})"
    return f"{result.label}: {result.rule.title}"


def _result_text(result: RuleResult) -> str:
    """What the verdict rests on, in the checklist's own words (FINDING_DETAILS), plus what is left to do."""
    lines = [result_details(result)]
    if result.verdict is Verdict.MANUAL:
        manual = result.rule.manual
        lines.append(f"Not decided by scc: a person must check: {manual}" if manual and manual not in lines[0]
                     else "Not decided by scc: a person must make the check stated above.")
    elif result.verdict is Verdict.PARTIAL:
        lines.append("Partial: only part of the requirement is proved by the facts; it stays open until the "
                     f"rest is shown. {result.rule.manual}".rstrip())
    elif result.verdict is Verdict.NOT_APPLICABLE:
        lines.append("Not applicable" + (f": {result.override.justification}" if result.override else "."))
    if result.attestation is not None:
        lines.append(f"{result.attestation.sentence()}. This verdict is a human judgment, not proved by scc.")
    if result.override is not None:
        o = result.override
        lines.append(f"Override {o.action}: {o.justification} Approved by {o.approver}; expires "
                     f"{o.expires.isoformat()}.")
    return "\n".join(lines)


def _with_attestation(control: dict[str, Any], results: list[RuleResult]) -> dict[str, Any]:
    attested = next((r.attestation for r in results if r.attestation is not None), None)
    if attested is not None:
        control["attestation_data"] = {
            "control_id": control["id"], "explanation": attested.explanation,
            "frequency": attested.frequency or f"until {attested.expires.isoformat()}",
            "status": attested.status, "updated": attested.updated.isoformat(), "updated_by": attested.updated_by,
        }
    return control


# -- one vulnerability finding --------------------------------------------------------------------------
def finding_control(report: Report, finding: Finding, control_id: str) -> dict[str, Any]:
    """The control of one vulnerability in one component, as hdf-converters' Grype mapper lays it out."""
    clock = report.clocks.get(id(finding))
    not_affected = closed_as(finding) == "not_affected"
    tags: dict[str, Any] = {
        "nist": [nist_tag(c) for c in (VULNERABILITY_CONTROLS if finding.malicious is None else MALICIOUS_CONTROLS)],
        "cveid": finding.id,
        "severity": finding.severity.value, "package": finding.package,
        "installed_version": finding.installed_version, "purl": finding.purl,
        "fixed_versions": list(finding.fixed_versions), "state": finding.state.value,
        "sources": sorted(finding.sources), "aliases": sorted(finding.aliases),
    }
    tags.update(_clock_tags(clock) if finding.is_open else {})
    if finding.malicious is not None:   # CAT I whatever the scanner said (the severity tag stays the scanner's)
        tags.update({"malicious": finding.malicious.sentence, "category": "CAT I"})
    return {
        "id": control_id,
        "title": f"{finding.id} in {finding.package} {finding.installed_version}".strip(),
        "desc": finding.description or finding.title or finding.id,
        "descriptions": _descriptions(fix=_fix_text(finding)),
        "impact": NOT_APPLICABLE_IMPACT if not_affected else impact(
            "malicious" if finding.malicious is not None else finding.severity.value),
        "refs": [{"url": url} for url in finding.urls],
        "tags": tags,
        "code": indented_text({
            "id": finding.id, "package": finding.package, "version": finding.installed_version,
            "purl": finding.purl, "severity": finding.severity.value,
            "cvss": [{"version": c.version, "score": c.score, "vector": c.vector, "source": c.source}
                     for c in finding.cvss],
            "fixed_versions": list(finding.fixed_versions), "state": finding.state.value}),
        "source_location": _evidence_location(list(finding.evidence)),
        "results": [_finding_result(report, finding)],
    }


def closed_as(finding: Finding) -> str:
    """'' while the finding is open; else the state that closed it: not_affected or fixed (VEX's word first)."""
    if finding.is_open:
        return ""
    vex = finding.vex
    return (vex.status if vex is not None and not vex.status.is_open else finding.state).value


def _finding_result(report: Report, finding: Finding) -> dict[str, Any]:
    scanners = ", ".join(sorted(finding.sources)) or "a scanner"
    start = iso(finding.first_seen) if finding.first_seen else iso(report.assessed_at)
    code_desc = f"{finding.id} reported in {finding.package} {finding.installed_version} by {scanners}"
    vex = finding.vex
    evidence = _citations([*finding.evidence, *(vex.evidence if vex is not None else ())])
    closed = closed_as(finding)
    if not closed:
        mark = f" {finding.malicious.sentence}" if finding.malicious is not None else ""
        return {"status": "failed", "code_desc": code_desc,
                "message": f"Open ({finding.state.value}).{mark}{evidence}", "start_time": start}
    if vex is not None and vex.status.value == closed:
        said = (f"Closed by a VEX statement {closed}" + (f" ({vex.justification})" if vex.justification else "")
                + (f" by {vex.author}" if vex.author else "") + ": the author's judgment, not proved by scc."
                + (f" {vex.impact_statement or vex.action_statement}"
                   if vex.impact_statement or vex.action_statement else ""))
    else:
        said = f"The scanner reports it {closed}; scc did not verify that."
    if closed == "not_affected":
        return {"status": "skipped", "code_desc": code_desc, "skip_message": f"Not applicable: {said}{evidence}",
                "start_time": start}
    return {"status": "passed", "code_desc": code_desc, "message": f"{said}{evidence}", "start_time": start}


def _clock_tags(clock: RemediationClock | None) -> dict[str, Any]:
    if clock is None:
        return {}
    due = clock.due_date
    return {"first_detected": iso(clock.first_detected), "due_date": due.isoformat() if due else None,
            "due_basis": clock.explanation}


def _fix_text(finding: Finding) -> str:
    if finding.fixed_versions:
        return (f"Upgrade {finding.package} from {finding.installed_version} to "
                f"{', '.join(finding.fixed_versions)} and rebuild the image.")
    return "No fixed version is known; mitigate, replace the component, or document a risk acceptance."


# -- shared pieces ---------------------------------------------------------------------------------------
def _descriptions(**texts: str) -> list[dict[str, str]]:
    return [{"label": label, "data": data} for label, data in texts.items() if data]


def _code(results: list[RuleResult]) -> str:
    """The scc rules behind the control, as the rule packs define them (HDF's 'raw source' slot)."""
    return json.dumps([{"rule": r.rule.id, "check": r.rule.check, "pack": r.rule.pack, "source": r.rule.source,
                        "controls": list(r.rule.controls)} for r in results], indent=2, ensure_ascii=False)


def _source_location(results: list[RuleResult], fallback: str) -> dict[str, Any]:
    source = next((r.rule.source for r in results if r.rule.source), fallback)
    return {"ref": source, "line": None} if source else {}


def _evidence_location(evidence: list[Evidence]) -> dict[str, Any]:
    return {"ref": evidence[0].cite(), "line": None} if evidence else {}


def _citations(evidence: list[Evidence]) -> str:
    if not evidence:
        return ""
    return "\nEvidence:\n" + "\n".join(f"- {e.cite()} (sha256 {e.sha256})" for e in evidence)
