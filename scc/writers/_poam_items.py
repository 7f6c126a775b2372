"""What goes on a POA&M, shared by the OSCAL POA&M and the spreadsheet: one item per open weakness.

The items are the Report's remediation items (scc.engine.remediation computed them once), in order:

* every open vulnerability finding (Finding.is_open: not closed by VEX), with its fixed versions and
  the remediation due date and its basis exactly as the engine's remediation clock computed them
  (first detection in a previous package, fix availability or publication, the scan time only as last
  resort; due = clock + settings.sla_days[severity]). The SSP shows the same dates. The item's key is
  the finding's identity (vulnerability id + package), so its ids stay the same from run to run;
* every rule whose verdict is open (not-satisfied / partial), with the rule's fix text; a rule the
  organisation accepted the risk of (override accept-risk) is an item with status "risk accepted",
  its approver and expiry. Rule items are due settings.sla_days[rule severity] after the assessment.

Nothing here dates anything: this module only words the items.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from scc.facts.model import Evidence, Finding
from scc.report import Override, RemediationItem, Report, RuleResult, SrgRef, deterministic_uuid

VULNERABILITY_CONTROLS = ("ra-5", "si-2")
#: a known malicious package: malicious code protection, software integrity, component authenticity
MALICIOUS_CONTROLS = ("ra-5", "si-2", "si-3", "si-7", "sr-11")
MALICIOUS_REMEDIATION = (
    "Remove {package} {version} from the image now and rebuild it: it is a known malicious package, so no "
    "fix or later version is trusted until its source is re-vetted. Treat every build and host that installed "
    "it as compromised: rotate the credentials and secrets they held."
)
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
    item: RemediationItem | None = None   # the Report's remediation item this entry words

    @cached_property
    def fix_available(self) -> bool:
        """Whether a fixed version newer than the installed one is known (a vulnerability entry only).
        Computed once: it compares versions, and the spreadsheet asks for it in two columns."""
        return self.finding is not None and self.finding.fix_available

    @property
    def risk_accepted(self) -> bool:
        return self.override is not None and self.override.action == "accept-risk"

    @property
    def status(self) -> str:
        return "Risk Accepted" if self.risk_accepted else "Ongoing"


def poam_entries(report: Report) -> list[PoamEntry]:
    return list(iter_poam_entries(report))


def iter_poam_entries(report: Report) -> Iterator[PoamEntry]:
    """:func:`poam_entries` one at a time (a writer that streams its items never holds them all)."""
    return (_entry(item) for item in report.remediation_items)


def item_uuid(report: Report, kind: str, entry: PoamEntry) -> str:
    """The id of a POA&M object for one entry: the image's name and the entry's key, never the run, so
    the same finding keeps the same POA&M item id from run to run (unlike report.uuid)."""
    name = report.facts.identity.name or report.settings.system_name
    return deterministic_uuid(f"{_POAM_NAMESPACE}/{name}/poam/{kind}/{entry.key}")


def _entry(item: RemediationItem) -> PoamEntry:
    if item.finding is not None:
        return _vulnerability_entry(item, item.finding)
    if item.result is None:
        raise ValueError(f"remediation item {item.key} names neither a finding nor a rule result")
    return _rule_entry(item, item.result)


def _vulnerability_entry(item: RemediationItem, finding: Finding) -> PoamEntry:
    fixed = ", ".join(finding.fixed_versions)
    remediation = (f"Upgrade {finding.package} from {finding.installed_version} to {fixed} and rebuild the image."
                   if fixed else f"No fixed version of {finding.package} is known; mitigate, replace the "
                                 "component, or document a risk acceptance.")
    if finding.malicious is not None:
        remediation = MALICIOUS_REMEDIATION.format(package=finding.package, version=finding.installed_version)
    return PoamEntry(
        key=item.key, kind="vulnerability",
        title=f"{finding.id} in {finding.package} {finding.installed_version}".strip(),
        description=_vulnerability_description(finding), weakness=finding.id,
        severity=item.severity if finding.malicious is not None else finding.severity.value,   # malicious: CAT I
        controls=_controls(finding), remediation=remediation,
        evidence=list(finding.evidence), source=", ".join(sorted(finding.sources)) or "scan",
        detected=item.first_detected, deadline=item.due_date, deadline_basis=item.explanation,
        finding=finding, identity=item.identity, basis=item.basis, item=item,
        comments=[f"First detected {item.first_detected.date().isoformat()}."],
    )


def _rule_entry(item: RemediationItem, result: RuleResult) -> PoamEntry:
    rule = result.rule
    comments = [f"Verdict {result.verdict.value} (origin {result.origin})."]
    if result.override is not None:
        override = result.override
        comments.append(f"Override {override.action}: {override.justification} Approved by "
                        f"{override.approver}; expires {override.expires.isoformat()}.")
    if result.scan_disagreement:
        comments.append(f"Scan disagreement: {result.scan_disagreement}")
    return PoamEntry(
        key=item.key, kind="rule", title=rule.title, description=result.statement,
        weakness=rule.id, severity=result.severity, controls=tuple(rule.controls),
        remediation=rule.fix_text or rule.manual or "Correct the image so the rule's check is satisfied.",
        evidence=list(result.evidence), source=result.label, detected=item.first_detected,
        deadline=item.due_date, deadline_basis=item.explanation, override=result.override, srg=rule.srg,
        result=result, comments=comments, item=item,
    )


def _controls(finding: Finding) -> tuple[str, ...]:
    return MALICIOUS_CONTROLS if finding.malicious is not None else VULNERABILITY_CONTROLS


def _vulnerability_description(finding: Finding) -> str:
    severity = finding.malicious.severity_label if finding.malicious is not None else finding.severity.value
    parts = [f"{finding.id} ({severity}"]
    if finding.max_cvss is not None:
        parts[0] += f", CVSS {finding.max_cvss}"
    parts[0] += f") in {finding.package} {finding.installed_version}."
    if finding.title:
        parts.append(finding.title)
    if finding.fixed_versions:
        parts.append(f"Fixed in {', '.join(finding.fixed_versions)}.")
    if finding.vex is not None:
        parts.append(f"VEX: {finding.vex.status.value}.")
    if finding.malicious is not None:
        parts.append(malicious_sentence(finding))
    return " ".join(parts)


def malicious_sentence(finding: Finding) -> str:
    """What every view says of a known malicious package ('' for any other finding)."""
    return finding.malicious.sentence if finding.malicious is not None else ""
