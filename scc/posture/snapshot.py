"""What one run concluded, reduced to what a posture diff compares: :class:`PostureSnapshot`.

A snapshot is plain frozen data, taken either from an in-memory :class:`scc.report.Report`
(:func:`snapshot_of_report`) or from an ``scc package`` folder (scc.posture.package). Comparing two of
them (scc.posture.compare) never touches a file.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scc.facts.model import Component
    from scc.report import Report, RuleResult

#: a control the package shows as not open without stating which closed verdict it reached (it lies
#: outside the baseline the component definition claims against): satisfied, not-applicable or manual
CLOSED = "closed"


@dataclass(frozen=True)
class Decision:
    """An organisation's override or a person's attestation in effect on one rule in one run."""

    kind: str              # override | attestation
    rule: str              # the scc rule id it applied to
    action: str            # override: not-applicable | accept-risk | severity; attestation: passed | failed
    expires: date | None   # last day it applies (None when the package does not state it)
    by: str = ""           # approver / attesting person


@dataclass(frozen=True)
class RuleState:
    """One rule result: verdict, severity, the DISA SRG ids it evidences, what decided it."""

    rule: str
    title: str
    status: str
    severity: str
    srg: tuple[str, ...] = ()
    origin: str = "facts"


@dataclass(frozen=True)
class RowState:
    """One STIG/SRG checklist row (a DISA requirement) as STIG Viewer shows it, its CKL status read as a
    verdict word: NotAFinding satisfied, Not_Applicable not-applicable, Open not-satisfied (a partial
    result reads Open too), Not_Reviewed manual."""

    key: str               # "<benchmark id> <V- id>" (the SRG/STIG id when the row has no V- id)
    benchmark: str         # XCCDF Benchmark id, e.g. General_Purpose_Operating_System
    group_id: str          # V-203591
    version: str           # SRG-OS-000480-GPOS-00227 / RHEL-09-211010
    title: str
    status: str
    severity: str          # the row's effective severity (an override's when one applies)


#: CKLB status -> the verdict word a checklist row is compared as
CKLB_VERDICT = MappingProxyType({"not_a_finding": "satisfied", "not_applicable": "not-applicable",
                                 "open": "not-satisfied", "not_reviewed": "manual"})


def row_key(benchmark: str, group_id: str, version: str) -> str:
    """The identity of a checklist row across runs: its benchmark and V- id (else its SRG/STIG id)."""
    return f"{benchmark} {group_id or version}"


@dataclass(frozen=True)
class FindingState:
    """One open vulnerability finding, keyed as the POA&M keys it (vulnerability id | package purl
    without version)."""

    identity: str
    vulnerability: str
    package: str
    severity: str
    due: str = ""          # ISO date of the remediation deadline ('' when none)


@dataclass(frozen=True)
class ComponentState:
    """One software component under its version-free key (purl without version and qualifiers)."""

    key: str
    name: str
    versions: tuple[str, ...]


@dataclass(frozen=True)
class PostureSnapshot:
    """What one run concluded, as plain data: the input of :func:`scc.posture.compare`.

    ``components`` is None when the run's component inventory could not be read (a package carries
    none of its own; its SBOM input must be found beside it). ``provenance`` is the manifest's
    provenance record (scc version, settings, rule-pack and content hashes).
    """

    source: str
    image: str
    digest: str
    assessed_at: str
    controls: Mapping[str, str]
    rules: Mapping[str, RuleState]
    findings: Mapping[str, FindingState]
    components: Mapping[str, ComponentState] | None
    checklist: Mapping[str, RowState] = field(default_factory=lambda: MappingProxyType({}))
    decisions: tuple[Decision, ...] = ()
    provenance: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    notes: tuple[str, ...] = ()

    @property
    def assessed_on(self) -> date | None:
        """The assessment day (what an expiry date is compared with)."""
        try:
            return date.fromisoformat(self.assessed_at[:10])
        except ValueError:
            return None

    @property
    def cat1_open(self) -> int:
        """Open rule results that evidence an SRG requirement of CAT I severity (what `scc gate --max-cat1`
        counts)."""
        from scc.severity import severity_category

        return sum(1 for r in self.rules.values() if r.srg and r.status in ("not-satisfied", "partial")
                   and severity_category(r.severity) == 1)


def component_key(name: str, purl: str, kind: str = "") -> str:
    """The version-free identity of a component: its purl without version, qualifiers and subpath, else
    its type and name."""
    if purl:
        try:
            from packageurl import PackageURL

            parsed = PackageURL.from_string(purl)
            return PackageURL(type=parsed.type, namespace=parsed.namespace, name=parsed.name).to_string()
        except ValueError:
            pass
    return f"{kind}/{name}" if kind else name


def components_of(components: list[Component]) -> dict[str, ComponentState]:
    """Components grouped under their version-free key, each with every version listed."""
    grouped: dict[str, tuple[str, set[str]]] = {}
    for component in components:
        key = component_key(component.name, component.purl, component.type)
        _name, versions = grouped.setdefault(key, (component.name, set()))
        if component.version:
            versions.add(component.version)
    return {key: ComponentState(key, name, tuple(sorted(versions))) for key, (name, versions) in sorted(grouped.items())}


def _rule_state(result: RuleResult) -> RuleState:
    return RuleState(rule=result.rule.id, title=result.rule.title, status=result.verdict.value,
                     severity=result.severity, srg=tuple(ref.version for ref in result.rule.srg),
                     origin=result.origin)


def _decisions(report: Report) -> tuple[Decision, ...]:
    found = []
    for result in report.rule_results:
        if result.override is not None:
            o = result.override
            found.append(Decision("override", result.rule.id, o.action, o.expires, o.approver))
        if result.attestation is not None:
            a = result.attestation
            found.append(Decision("attestation", result.rule.id, a.status, a.expires, a.updated_by))
    return tuple(sorted(found, key=lambda d: (d.kind, d.rule)))


def _findings(report: Report) -> dict[str, FindingState]:
    from scc.facts.model import Severity

    found: dict[str, FindingState] = {}
    for item in report.remediation_items:
        finding = item.finding
        if item.kind != "vulnerability" or finding is None:
            continue
        due = item.due_date
        state = FindingState(item.identity, finding.id, finding.package, item.severity,
                             due.isoformat() if due else "")
        known = found.get(item.identity)
        if known is None or Severity.parse(state.severity).rank > Severity.parse(known.severity).rank:
            found[item.identity] = state
    return dict(sorted(found.items()))


def _checklist(report: Report) -> dict[str, RowState]:
    from scc.writers._stig_rows import checklist_sections  # the rows the CKL/CKLB writers write

    rows: dict[str, RowState] = {}
    for section in checklist_sections(report):
        for row in section.rows:
            key = row_key(section.benchmark_id, row.group_id, row.version)
            rows[key] = RowState(key, section.benchmark_id, row.group_id, row.version, row.title,
                                 CKLB_VERDICT[row.cklb_status], row.effective_severity)
    return dict(sorted(rows.items()))


def snapshot_of_report(report: Report, source: str = "assessment") -> PostureSnapshot:
    """The snapshot of an in-memory assessment (its Report): full-fidelity verdicts and components."""
    import json

    from scc.clock import iso
    from scc.provenance import provenance

    return PostureSnapshot(
        source=source,
        image=report.facts.identity.reference,
        digest=report.facts.identity.digest or "",
        assessed_at=iso(report.assessed_at),
        controls=MappingProxyType({c.control_id: c.verdict.value for c in report.control_results}),
        rules=MappingProxyType({r.rule.id: _rule_state(r) for r in report.rule_results}),
        findings=MappingProxyType(_findings(report)),
        components=MappingProxyType(components_of(list(report.facts.components))),
        checklist=MappingProxyType(_checklist(report)),
        decisions=_decisions(report),
        provenance=MappingProxyType(json.loads(json.dumps(provenance(report)))),   # as the manifest holds it
    )
