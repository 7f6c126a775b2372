"""What goes on a POA&M, shared by the OSCAL POA&M and the spreadsheet: one item per open weakness.

* every open vulnerability finding (not closed by VEX), with its fixed versions and the remediation
  due date and its basis exactly as the engine's remediation clock computed them
  (scc.engine.remediation: first detection in a previous package, fix availability or publication,
  the scan time only as last resort; due = clock + settings.sla_days[severity]). Nothing here
  recomputes the clock; the SSP shows the same dates (vulnerability_deadlines). The item's key is the
  finding's identity (vulnerability id + package), so its ids stay the same from run to run;
* every rule whose verdict is open (not-satisfied / partial), with the rule's fix text; a rule the
  organisation accepted the risk of (override accept-risk) is an item with status "risk accepted",
  its approver and expiry. Rule items are due settings.sla_days[rule severity] after the assessment.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from scc.engine.model import Override, RuleResult, SrgRef
from scc.facts.model import Evidence, Finding

if TYPE_CHECKING:
    from scc.assessment import Assessment

VULNERABILITY_CONTROLS = ("ra-5", "si-2")
_POAM_NAMESPACE = uuid.UUID("0b0c6f2e-4d8a-5f1e-9a3b-7c2d1e0f4a5b")


@dataclass
class PoamEntry:
    key: str                        # stable identity: "vuln/<finding identity>" or "rule/<rule id>"
    kind: str                       # vulnerability | rule
    title: str
    description: str
    weakness: str                   # CVE id or scc rule id
    severity: str                   # critical/high/medium/low/... (vulnerability) or high/medium/low (rule)
    controls: tuple[str, ...]
    remediation: str
    evidence: list[Evidence]
    source: str                     # who identified it: scanner names or "scc rule <id>"
    detected: datetime | None
    deadline: date | None
    deadline_basis: str
    override: Override | None = None
    srg: tuple[SrgRef, ...] = ()
    finding: Finding | None = None
    result: RuleResult | None = None
    comments: list[str] = field(default_factory=list)
    identity: str = ""              # vulnerability: the finding identity (scc.engine.remediation)
    basis: str = ""                 # vulnerability: what the due date counts from (BASIS_* word)

    @property
    def risk_accepted(self) -> bool:
        return self.override is not None and self.override.action == "accept-risk"

    @property
    def status(self) -> str:
        return "Risk Accepted" if self.risk_accepted else "Ongoing"


def poam_entries(assessment: Assessment) -> list[PoamEntry]:
    return vulnerability_entries(assessment) + rule_entries(assessment)


def open_findings(assessment: Assessment) -> list[Finding]:
    """Open findings that no VEX statement closed, in a stable order."""
    kept = [f for f in assessment.facts.findings
            if f.is_open and (f.vex is None or f.vex.status.is_open)]
    return sorted(kept, key=lambda f: (-f.severity.rank, f.id, f.package, f.installed_version))


def vulnerability_entries(assessment: Assessment) -> list[PoamEntry]:
    schedule = assessment.remediation
    entries = []
    for finding in open_findings(assessment):
        clock = schedule[id(finding)]
        fixed = ", ".join(finding.fixed_versions)
        remediation = (f"Upgrade {finding.package} from {finding.installed_version} to {fixed} and rebuild the image."
                       if fixed else f"No fixed version of {finding.package} is known; mitigate, replace the "
                                     "component, or document a risk acceptance.")
        entries.append(PoamEntry(
            key=f"vuln/{clock.identity}", kind="vulnerability",
            title=f"{finding.id} in {finding.package} {finding.installed_version}".strip(),
            description=_vulnerability_description(finding), weakness=finding.id,
            severity=finding.severity.value, controls=VULNERABILITY_CONTROLS, remediation=remediation,
            evidence=list(finding.evidence), source=", ".join(sorted(finding.sources)) or "scan",
            detected=clock.first_detected, deadline=clock.due_date, deadline_basis=clock.explanation,
            finding=finding, identity=clock.identity, basis=clock.basis,
            comments=[f"First detected {clock.first_detected.date().isoformat()}."],
        ))
    return entries


def vulnerability_deadlines(assessment: Assessment) -> dict[int, tuple[date | None, str]]:
    """id(finding) -> (remediation due date, its basis) for every open finding: what every view shows."""
    schedule = assessment.remediation
    return {id(f): (schedule[id(f)].due_date, schedule[id(f)].explanation) for f in open_findings(assessment)}


def item_uuid(assessment: Assessment, kind: str, entry: PoamEntry) -> str:
    """The id of a POA&M object for one entry: the image's name and the entry's key, never the run, so
    the same finding keeps the same POA&M item id from run to run (unlike assessment.uuid)."""
    name = assessment.facts.identity.name or assessment.settings.system_name
    from scc.assessment import deterministic_uuid

    return deterministic_uuid(f"{_POAM_NAMESPACE}/{name}/poam/{kind}/{entry.key}")


def rule_entries(assessment: Assessment) -> list[PoamEntry]:
    entries = []
    for result in assessment.rule_results:
        if not result.verdict.is_open:
            continue
        rule = result.rule
        days = assessment.settings.sla_days.get(result.severity)
        deadline = (assessment.assessed_at + timedelta(days=days)).date() if days is not None else None
        basis = (f"assessment date {assessment.assessed_at.date().isoformat()} + {days} days "
                 f"(sla_days[{result.severity}])" if days is not None else f"no SLA for severity {result.severity}")
        comments = [f"Verdict {result.verdict.value} (origin {result.origin})."]
        if result.override is not None:
            override = result.override
            comments.append(f"Override {override.action}: {override.justification} Approved by "
                            f"{override.approver}; expires {override.expires.isoformat()}.")
            if override.action == "accept-risk":
                deadline, basis = override.expires, "risk acceptance expiry"
        if result.scan_disagreement:
            comments.append(f"Scan disagreement: {result.scan_disagreement}")
        entries.append(PoamEntry(
            key=f"rule/{rule.id}", kind="rule", title=rule.title, description=result.statement,
            weakness=rule.id, severity=result.severity, controls=tuple(rule.controls),
            remediation=rule.fix_text or rule.manual or "Correct the image so the rule's check is satisfied.",
            evidence=list(result.evidence), source=result.label, detected=assessment.assessed_at,
            deadline=deadline, deadline_basis=basis, override=result.override, srg=rule.srg, result=result,
            comments=comments,
        ))
    return entries


def _vulnerability_description(finding: Finding) -> str:
    parts = [f"{finding.id} ({finding.severity.value}"]
    if finding.max_cvss is not None:
        parts[0] += f", CVSS {finding.max_cvss}"
    parts[0] += f") in {finding.package} {finding.installed_version}."
    if finding.title:
        parts.append(finding.title)
    if finding.fixed_versions:
        parts.append(f"Fixed in {', '.join(finding.fixed_versions)}.")
    if finding.vex is not None:
        parts.append(f"VEX: {finding.vex.status.value}.")
    return " ".join(parts)
