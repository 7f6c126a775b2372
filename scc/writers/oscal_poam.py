"""OSCAL 1.2 plan-of-action-and-milestones, built with trestle's models: one poam-item per open weakness.

Items come from scc.writers._poam_items (open vulnerability findings not closed by VEX, open rule
verdicts, accepted risks); their uuids derive from the image name and the item's key (finding identity
or rule id), never from the run, so they stay the same from run to run. A vulnerability item carries
finding-identity, package and first-detected props: what ``--previous`` reads back next run. Each item has an observation (with its evidence), a risk (status "open",
or "deviation-approved" for a risk the organisation accepted, with approver and expiry; deadline =
the remediation due date or the acceptance's expiry; a planned remediation with a milestone on that
date) and a finding against the first affected control's statement.

There is no OSCAL SSP to import, so the POA&M carries system-id (the image digest or reference) and
local-definitions with the image as its one component, as OSCAL asks when import-ssp is absent.
OSCAL requires at least one poam-item, so a clean assessment gets one item marked poam-kind "none".
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from scc.clock import iso
from scc.writers._oscal_common import (
    dump,
    input_resources,
    metadata,
    one_line,
    prop,
    props,
    provenance_resources,
    text_block,
)
from scc.writers._poam_items import PoamEntry, item_uuid, poam_entries
from scc.writers.interface import Writer
from scc.writers.oscal_assessment_results import finding_observation_uuid, relevant_evidence

if TYPE_CHECKING:
    from trestle.oscal.common import Finding, Observation, Property, RelatedObservation, Risk
    from trestle.oscal.poam import LocalDefinitions, PoamItem

    from scc.report import Report


class PoamWriter(Writer):
    name = "oscal-poam"
    filename = "oscal-poam.json"
    media_type = "application/oscal.poam+json"
    order = 25
    format = "oscal-poam"
    cost = 2

    def render(self, report: Report) -> bytes:
        from trestle.oscal.common import BackMatter, SystemId
        from trestle.oscal.poam import PlanOfActionAndMilestones

        entries = poam_entries(report)
        identity = report.facts.identity
        model = PlanOfActionAndMilestones(
            uuid=report.uuid("poam"),
            metadata=metadata(report, f"scc plan of action and milestones: {identity.reference}"),
            system_id=SystemId(identifier_type="https://scc.dev/ns/oscal/image",
                               id=one_line(identity.digest or identity.reference)),
            local_definitions=_local_definitions(report),
            observations=[_observation(report, e) for e in entries] or None,
            risks=[_risk(report, e) for e in entries] or None,
            findings=[_finding(report, e) for e in entries] or None,
            poam_items=[_item(report, e) for e in entries] or [_nothing_open(report)],
            back_matter=BackMatter(resources=[*input_resources(report), *provenance_resources(report)]
                                   or None),
        )
        return dump(model, report)


def _uuid(report: Report, kind: str, entry: PoamEntry) -> str:
    return item_uuid(report, kind, entry)   # stable across runs: the same finding, the same item id


def _observation_uuid(report: Report, entry: PoamEntry) -> str:
    if entry.finding is not None:
        return finding_observation_uuid(report, entry.finding)
    return report.uuid("observation", "rule", entry.weakness)


def _local_definitions(report: Report) -> LocalDefinitions:
    from trestle.oscal.common import Status, SystemComponent
    from trestle.oscal.poam import LocalDefinitions

    identity = report.facts.identity
    return LocalDefinitions(components=[SystemComponent(
        uuid=report.uuid("component", "image"), type="software", title=one_line(identity.reference),
        description=text_block(f"Container image {identity.reference}"
                               + (f" ({identity.os}/{identity.architecture})" if identity.os else "") + "."),
        props=props(prop("image-digest", identity.digest)),
        status=Status(state="operational"),
    )])


def _observation(report: Report, entry: PoamEntry) -> Observation:
    from trestle.oscal.common import Observation

    return Observation(
        uuid=_observation_uuid(report, entry),
        title=one_line(entry.title, limit=300),
        description=text_block(entry.description),
        props=props(prop("source", entry.source), prop("severity", entry.severity)),
        methods=["TEST"] if entry.kind == "vulnerability" else ["EXAMINE"],
        types=["finding"],
        relevant_evidence=relevant_evidence(report, entry.evidence),
        collected=entry.detected or report.assessed_at,
    )


def _deadline(day: date | None) -> datetime | None:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day is not None else None


def _risk(report: Report, entry: PoamEntry) -> Risk:
    from trestle.oscal.common import OnDate, Response, Risk, Task, TimingOnDate

    deadline = _deadline(entry.deadline)
    milestone = [Task(uuid=_uuid(report, "milestone", entry), type="milestone",
                      title=one_line(f"Remediated by {entry.deadline.isoformat()}"),
                      timing=TimingOnDate(on_date=OnDate(date=deadline)))] if entry.deadline and deadline else None
    statement = entry.deadline_basis
    accepted = entry.override if entry.risk_accepted else None
    if accepted is not None:
        statement = (f"Risk accepted by {accepted.approver} until {accepted.expires.isoformat()}: "
                     f"{accepted.justification}")
    return Risk(
        uuid=_uuid(report, "risk", entry),
        title=one_line(entry.title, limit=300),
        description=text_block(entry.description),
        statement=text_block(statement),
        props=props(prop("severity", entry.severity), prop("deadline-basis", entry.deadline_basis),
                    prop("approver", accepted.approver if accepted else ""),
                    prop("expires", accepted.expires.isoformat() if accepted else "")),
        status="deviation-approved" if entry.risk_accepted else "open",
        deadline=deadline,
        remediations=[Response(uuid=_uuid(report, "remediation", entry), lifecycle="planned",
                               title=one_line(f"Remediate {entry.weakness}"),
                               description=text_block(entry.remediation), tasks=milestone)],
        related_observations=_related_observations(report, entry),
    )


def _related_observations(report: Report, entry: PoamEntry) -> list[RelatedObservation]:
    from trestle.oscal.common import RelatedObservation

    return [RelatedObservation(observation_uuid=_observation_uuid(report, entry))]


def _finding(report: Report, entry: PoamEntry) -> Finding:
    from trestle.oscal.common import AssociatedRisk, Finding, FindingTarget, ObjectiveStatus

    control = entry.controls[0] if entry.controls else "unmapped"
    return Finding(
        uuid=_uuid(report, "finding", entry),
        title=one_line(entry.title, limit=300),
        description=text_block(entry.description),
        props=props(*(prop("control", c) for c in entry.controls)),
        target=FindingTarget(type="statement-id", target_id=f"{control}_smt",
                             status=ObjectiveStatus(state="not-satisfied")),
        related_observations=_related_observations(report, entry),
        related_risks=[AssociatedRisk(risk_uuid=_uuid(report, "risk", entry))],
    )


def _item(report: Report, entry: PoamEntry) -> PoamItem:
    from trestle.oscal.common import AssociatedRisk
    from trestle.oscal.poam import PoamItem, RelatedFinding

    remarks = " ".join(entry.comments)
    return PoamItem(
        uuid=_uuid(report, "item", entry),
        title=one_line(entry.title, limit=300),
        description=text_block(entry.description),
        props=props(prop("poam-kind", entry.kind), prop("weakness", entry.weakness),
                    prop("severity", entry.severity), prop("status", entry.status),
                    prop("scheduled-completion", entry.deadline.isoformat() if entry.deadline else ""),
                    prop("deadline-basis", entry.deadline_basis if entry.deadline else ""),
                    *_vulnerability_props(entry),
                    *(prop("control", c) for c in entry.controls),
                    *(prop("srg", ref.version) for ref in entry.srg)),
        related_findings=[RelatedFinding(finding_uuid=_uuid(report, "finding", entry))],
        related_observations=_related_observations(report, entry),
        related_risks=[AssociatedRisk(risk_uuid=_uuid(report, "risk", entry))],
        remarks=text_block(remarks) if remarks else None,
    )


def _vulnerability_props(entry: PoamEntry) -> list[Property | None]:
    """What the next run's --previous reads back (scc.facts.previous_package): identity and first detection."""
    if entry.kind != "vulnerability" or entry.finding is None:
        return []
    return [prop("finding-identity", entry.identity), prop("package", entry.finding.package),
            prop("first-detected", iso(entry.detected) if entry.detected else "")]


def _nothing_open(report: Report) -> PoamItem:
    """OSCAL requires at least one poam-item: a clean assessment says so in one marked item."""
    from trestle.oscal.poam import PoamItem

    return PoamItem(
        uuid=report.uuid("poam", "item", "none"),
        title="No open items",
        description="scc found no open vulnerability finding and no open rule verdict in this assessment.",
        props=props(prop("poam-kind", "none")),
    )


WRITER = PoamWriter()
