"""What goes on a POA&M, shared by the OSCAL POA&M and the spreadsheet: one item per open weakness.

* every open vulnerability finding (not closed by VEX), with its fixed versions and the remediation
  due date: taken from the SI-2 check's own details (``findings_remediated_within_sla``) when it
  dated the finding, else computed by the same rule (clock = first seen, else published, else the
  earliest vulnerability scan time; due = clock + settings.sla_days[severity]). The SSP shows these
  same dates (vulnerability_deadlines);
* every rule whose verdict is open (not-satisfied / partial), with the rule's fix text; a rule the
  organisation accepted the risk of (override accept-risk) is an item with status "risk accepted",
  its approver and expiry. Rule items are due settings.sla_days[rule severity] after the assessment.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from scc.engine.model import Override, RuleResult, SrgRef
from scc.facts.model import Evidence, Finding

if TYPE_CHECKING:
    from scc.assessment import Assessment

SLA_CHECK = "findings_remediated_within_sla"
VULNERABILITY_CONTROLS = ("ra-5", "si-2")


@dataclass
class PoamEntry:
    key: str                        # stable identity: "vuln/<id>/<package>@<version>" or "rule/<rule id>"
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
    deadlines = vulnerability_deadlines(assessment)
    first_scan = earliest_scan_time(assessment)
    entries = []
    for finding in open_findings(assessment):
        deadline, basis = deadlines[id(finding)]
        fixed = ", ".join(finding.fixed_versions)
        remediation = (f"Upgrade {finding.package} from {finding.installed_version} to {fixed} and rebuild the image."
                       if fixed else f"No fixed version of {finding.package} is known; mitigate, replace the "
                                     "component, or document a risk acceptance.")
        entries.append(PoamEntry(
            key=f"vuln/{finding.id}/{finding.package}@{finding.installed_version}", kind="vulnerability",
            title=f"{finding.id} in {finding.package} {finding.installed_version}".strip(),
            description=_vulnerability_description(finding), weakness=finding.id,
            severity=finding.severity.value, controls=VULNERABILITY_CONTROLS, remediation=remediation,
            evidence=list(finding.evidence), source=", ".join(sorted(finding.sources)) or "scan",
            detected=finding.first_seen or first_scan, deadline=deadline, deadline_basis=basis, finding=finding,
        ))
    return entries


def earliest_scan_time(assessment: Assessment) -> datetime | None:
    """The remediation clock of last resort: the earliest vulnerability scan, as the SI-2 check uses it."""
    from scc.engine.checks.vulnerability import vulnerability_scans

    times = [s.timestamp for s in vulnerability_scans(assessment.facts) if s.timestamp is not None]
    return min(times) if times else None


def vulnerability_deadlines(assessment: Assessment) -> dict[int, tuple[date | None, str]]:
    """id(finding) -> (remediation due date, its basis) for every open finding: what every view shows."""
    dated = _due_dates_from_sla_check(assessment)
    first_scan = earliest_scan_time(assessment)
    return {id(f): _deadline(assessment, f, dated, first_scan) for f in open_findings(assessment)}


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


def _due_dates_from_sla_check(assessment: Assessment) -> dict[str, str]:
    """(finding id, package) -> due date the SI-2 SLA check computed, from its result details."""
    found: dict[str, str] = {}
    for result in assessment.rule_results:
        if result.rule.check != SLA_CHECK:
            continue
        for bucket in ("overdue", "within_sla"):
            for row in result.details.get(bucket) or ():
                if isinstance(row, dict) and row.get("due"):
                    found.setdefault(f"{row.get('id')}\0{row.get('package')}", str(row["due"]))
    return found


def _deadline(assessment: Assessment, finding: Finding, dated: dict[str, str],
              first_scan: datetime | None) -> tuple[date | None, str]:
    due = dated.get(f"{finding.id}\0{finding.package}")
    if due:
        try:
            return date.fromisoformat(due[:10]), f"due date from the {SLA_CHECK} check"
        except ValueError:
            pass
    if finding.first_seen is not None:
        start, clock = finding.first_seen, "first seen"
    elif finding.published is not None:
        start, clock = finding.published, "published"
    elif first_scan is not None:
        start, clock = first_scan, "scan time"
    else:
        return None, "no first-seen, published or scan date"
    days = assessment.settings.sla_days.get(finding.severity.value)
    if days is None:
        return None, f"no SLA for severity {finding.severity.value}"
    return (start + timedelta(days=days)).date(), (f"{clock} {start.date().isoformat()} + {days} days "
                                                   f"(sla_days[{finding.severity.value}])")


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
