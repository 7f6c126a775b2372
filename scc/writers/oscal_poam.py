"""OSCAL 1.2 plan-of-action-and-milestones, built with trestle's models: one poam-item per open weakness.

Items come from scc.writers._poam_items (open vulnerability findings not closed by VEX, open rule
verdicts, accepted risks); their uuids derive from the image name and the item's key (finding identity
or rule id), never from the run, so they stay the same from run to run. A vulnerability item carries
finding-identity, package and first-detected props: what ``--previous`` reads back next run.

Each weakness is written once: its observation carries the description (with its evidence); the risk
(status "open", or "deviation-approved" for a risk the organisation accepted, with approver and expiry;
deadline = the remediation due date or the acceptance's expiry; a planned remediation with a milestone
on that date) and the poam-item name it and point at that observation by uuid (related-observations)
instead of repeating its text, as FedRAMP's POA&M template does; the item carries the controls it
affects as props. No separate OSCAL finding repeats the item (OSCAL and FedRAMP need none in a POA&M),
so the document grows by one observation, one risk and one item per weakness. Those three arrays are
written one compact object per line (the rest of the document is indented), which keeps the POA&M
within twice the size of the scan it came from.

The document is built as the plain dicts trestle would serialise (scc.writers._oscal_common): one
pydantic validation per object made a 20,000-finding POA&M take minutes; the tests validate the output
with trestle and the NIST schemas.

There is no OSCAL SSP to import, so the POA&M carries system-id (the image digest or reference) and
local-definitions with the image as its one component, as OSCAL asks when import-ssp is absent.
OSCAL requires at least one poam-item, so a clean assessment gets one item marked poam-kind "none".
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from scc.clock import iso
from scc.content.registry import is_fedramp
from scc.gcpause import collector_paused
from scc.writers._fedramp import add_tool_component, apply_fedramp_weakness, tool_uuid
from scc.writers._oscal_common import (
    drop_none,
    finish_document,
    input_resources,
    metadata,
    model_dict,
    one_line,
    oscal_datetime,
    prop_dict,
    prop_dicts,
    provenance_resources,
    serialise_document,
    serialise_rows,
    text_block,
)
from scc.writers._poam_items import PoamEntry, item_uuid, iter_poam_entries, poam_entries
from scc.writers._poam_view import poam_view, weakness_view
from scc.writers.interface import Writer
from scc.writers.oscal_assessment_results import finding_observation_uuid, relevant_evidence_dicts

if TYPE_CHECKING:
    from scc.report import Report

Node = dict[str, Any]
#: the root arrays holding one object per weakness: written one compact object per line
PER_WEAKNESS = ("observations", "risks", "poam-items")
#: a risk's description: the weakness itself is the related observation's (OSCAL requires the field)
RISK_DESCRIPTION = "The risk the weakness in the related observation poses to the system."


class PoamWriter(Writer):
    name = "oscal-poam"
    filename = "oscal-poam.json"
    media_type = "application/oscal.poam+json"
    order = 25
    format = "oscal-poam"
    cost = 2

    def render(self, report: Report) -> bytes:
        with collector_paused():
            return self._render(report)

    def _render(self, report: Report) -> bytes:
        if report.remediation_items:
            try:
                return _streamed(report)
            except SharedUuid:
                pass
        return serialise_document(_document(report), one_per_line=PER_WEAKNESS)


class SharedUuid(Exception):
    """Two weaknesses share an observation or risk uuid, so one weakness's objects do not refer to its own
    alone: such a POA&M is built whole (the uuids derive from distinct finding identities and rule ids, so
    this does not happen in practice)."""


def build_poam(report: Report) -> dict[str, Any]:
    """The POA&M document exactly as oscal-poam.json holds it, as the dict it is written from."""
    with collector_paused():
        return _document(report)


def poam_summary(report: Report, states: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the PDF SSP shows of the POA&M (scc.writers._poam_view.poam_view of the document
    oscal-poam.json holds), from its weaknesses one at a time instead of the whole document."""
    with collector_paused():
        if report.remediation_items:
            try:
                # the view reads no relevant-evidence: the weaknesses are built without it
                return weakness_view(_skeleton(report)["plan-of-action-and-milestones"],
                                     weaknesses(report, evidence=False), states)
            except SharedUuid:
                pass
        return poam_view(_document(report), states)


def _document(report: Report) -> dict[str, Any]:
    parts = [_entry_parts(report, entry) for entry in poam_entries(report)]
    return finish_document({"plan-of-action-and-milestones": _root(
        report, [observation for observation, _, _ in parts] or None, [risk for _, risk, _ in parts] or None,
        [item for _, _, item in parts] or [_nothing_open(report)])}, report)


def _skeleton(report: Report) -> dict[str, Any]:
    """The finished document of a POA&M with weaknesses, its per-weakness arrays left empty (what
    :func:`weaknesses` gives fills them): :func:`_document` without them, FedRAMP additions included."""
    root = _root(report, [], [], [])
    document = finish_document({"plan-of-action-and-milestones": root}, report)
    if is_fedramp(report.settings.baseline):
        add_tool_component(root, report)
    return document


def _root(report: Report, observations: list[Node] | None, risks: list[Node] | None,
          items: list[Node]) -> dict[str, Any]:
    """The plan-of-action-and-milestones object around the given per-weakness arrays (None: left out)."""
    identity = report.facts.identity
    resources = [*input_resources(report), *provenance_resources(report)]
    return drop_none({
        "uuid": report.uuid("poam"),
        "metadata": model_dict(metadata(report, f"scc plan of action and milestones: {identity.reference}")),
        "system-id": {"identifier-type": "https://scc.dev/ns/oscal/image",
                      "id": one_line(identity.digest or identity.reference)},
        "local-definitions": _local_definitions(report),
        "observations": observations, "risks": risks, "poam-items": items,
        "back-matter": {"resources": [model_dict(r) for r in resources]} if resources else None,
    })


def weaknesses(report: Report, evidence: bool = True) -> Iterator[tuple[Node, Node, Node]]:
    """Each weakness's observation, risk and poam-item as oscal-poam.json holds them (FedRAMP additions
    included), one at a time; raises SharedUuid (before any is given out twice) when two share a uuid.
    Without ``evidence`` the observations leave out their relevant-evidence."""
    fedramp = is_fedramp(report.settings.baseline)
    tool = tool_uuid(report) if fedramp else ""
    seen: set[str] = set()
    for entry in iter_poam_entries(report):
        observation, risk, item = _entry_parts(report, entry, evidence)
        uuids = {observation["uuid"], risk["uuid"], item["uuid"]}
        if len(uuids) < 3 or not seen.isdisjoint(uuids):
            raise SharedUuid(entry.key)
        seen.update(uuids)
        if fedramp:
            apply_fedramp_weakness(observation, risk, item, tool)
        yield observation, risk, item


def _streamed(report: Report) -> bytes:
    """oscal-poam.json written one weakness at a time: its observation straight into the document, its risk
    and poam-item serialised aside, written after the observations (the root's key order)."""
    import orjson

    risks: list[bytes] = []
    items: list[bytes] = []

    def observations() -> Iterator[bytes]:
        for observation, risk, item in weaknesses(report):
            risks.append(orjson.dumps(risk))
            items.append(orjson.dumps(item))
            yield orjson.dumps(observation)

    return serialise_rows(_skeleton(report), {"observations": observations(), "risks": risks, "poam-items": items})


def _entry_parts(report: Report, entry: PoamEntry, evidence: bool = True) -> tuple[Node, Node, Node]:
    """The observation (without its relevant-evidence unless ``evidence``), risk and poam-item of one entry
    (each uuid derived once)."""
    observation_uuid = _observation_uuid(report, entry)
    risk_uuid = item_uuid(report, "risk", entry)
    related = [{"observation-uuid": observation_uuid}]
    return (_observation(report, entry, observation_uuid, evidence), _risk(report, entry, risk_uuid, related),
            _item(report, entry, risk_uuid, related))


def _observation_uuid(report: Report, entry: PoamEntry) -> str:
    if entry.finding is not None:
        return finding_observation_uuid(report, entry.finding)
    return report.uuid("observation", "rule", entry.weakness)


def _local_definitions(report: Report) -> Node:
    identity = report.facts.identity
    return {"components": [drop_none({
        "uuid": report.uuid("component", "image"), "type": "software", "title": one_line(identity.reference),
        "description": text_block(f"Container image {identity.reference}"
                                  + (f" ({identity.os}/{identity.architecture})" if identity.os else "") + "."),
        "props": prop_dicts(prop_dict("image-digest", identity.digest)),
        "status": {"state": "operational"},
    })]}


def _observation(report: Report, entry: PoamEntry, observation_uuid: str, evidence: bool = True) -> Node:
    """The weakness as observed: the one place its description is written."""
    return drop_none({
        "uuid": observation_uuid,
        "title": one_line(entry.title, limit=300),
        "description": text_block(entry.description),
        "props": prop_dicts(prop_dict("source", entry.source), prop_dict("severity", entry.severity)),
        "methods": ["TEST"] if entry.kind == "vulnerability" else ["EXAMINE"],
        "types": ["finding"],
        "relevant-evidence": relevant_evidence_dicts(report, entry.evidence) if evidence else None,
        "collected": oscal_datetime(entry.detected or report.assessed_at),
    })


def _deadline(day: date | None) -> str | None:
    return oscal_datetime(datetime(day.year, day.month, day.day, tzinfo=UTC)) if day is not None else None


def _risk(report: Report, entry: PoamEntry, risk_uuid: str, related: list[Node]) -> Node:
    deadline = _deadline(entry.deadline)
    milestone = [{"uuid": item_uuid(report, "milestone", entry), "type": "milestone",
                  "title": one_line(f"Remediated by {entry.deadline.isoformat()}"),
                  "timing": {"on-date": {"date": deadline}}}] if entry.deadline and deadline else None
    statement = entry.deadline_basis
    accepted = entry.override if entry.risk_accepted else None
    if accepted is not None:
        statement = (f"Risk accepted by {accepted.approver} until {accepted.expires.isoformat()}: "
                     f"{accepted.justification}")
    return drop_none({
        "uuid": risk_uuid,
        "title": one_line(entry.title, limit=300),
        "description": RISK_DESCRIPTION,
        "statement": text_block(statement),
        "props": prop_dicts(prop_dict("deadline-basis", entry.deadline_basis if accepted else ""),
                            prop_dict("approver", accepted.approver if accepted else ""),
                            prop_dict("expires", accepted.expires.isoformat() if accepted else "")),
        "status": "deviation-approved" if entry.risk_accepted else "open",
        "deadline": deadline,
        "remediations": [drop_none({"uuid": item_uuid(report, "remediation", entry), "lifecycle": "planned",
                                    "title": one_line(f"Remediate {entry.weakness}"),
                                    "description": text_block(entry.remediation), "tasks": milestone})],
        "related-observations": related,
    })


def _item(report: Report, entry: PoamEntry, risk_uuid: str, related: list[Node]) -> Node:
    remarks = " ".join(entry.comments)
    return drop_none({
        "uuid": item_uuid(report, "item", entry),
        "title": one_line(entry.title, limit=300),
        "description": _item_description(entry),
        "props": prop_dicts(prop_dict("poam-kind", entry.kind), prop_dict("weakness", entry.weakness),
                            prop_dict("severity", entry.severity), prop_dict("status", entry.status),
                            prop_dict("scheduled-completion", entry.deadline.isoformat() if entry.deadline else ""),
                            prop_dict("deadline-basis", entry.deadline_basis if entry.deadline else ""),
                            *_vulnerability_props(entry),
                            *(prop_dict("control", c) for c in entry.controls),
                            *(prop_dict("srg", ref.version) for ref in entry.srg)),
        "related-observations": related,
        "related-risks": [{"risk-uuid": risk_uuid}],
        "remarks": text_block(remarks) if remarks else None,
    })


def _item_description(entry: PoamEntry) -> str:
    """What the item asks for, in one line; what was found is the related observation's description."""
    if entry.kind == "vulnerability":
        return one_line(f"Remediate {entry.weakness} ({entry.severity}); the related observation describes "
                        "the finding and its evidence.")
    return one_line(f"Correct the open verdict of this {entry.severity or 'unrated'} requirement; the related "
                    "observation states what the assessment found and its evidence.")


def _vulnerability_props(entry: PoamEntry) -> list[dict[str, str] | None]:
    """What the next run's --previous reads back (scc.facts.previous_package): identity and first detection."""
    if entry.kind != "vulnerability" or entry.finding is None:
        return []
    return [prop_dict("finding-identity", entry.identity), prop_dict("package", entry.finding.package),
            prop_dict("first-detected", iso(entry.detected) if entry.detected else "")]


def _nothing_open(report: Report) -> Node:
    """OSCAL requires at least one poam-item: a clean assessment says so in one marked item."""
    return {
        "uuid": report.uuid("poam", "item", "none"),
        "title": "No open items",
        "description": "scc found no open vulnerability finding and no open rule verdict in this assessment.",
        "props": [prop_dict("poam-kind", "none")],
    }


WRITER = PoamWriter()
