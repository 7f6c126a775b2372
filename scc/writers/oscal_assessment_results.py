"""OSCAL 1.2 assessment-results: one result for this assessment run, built with trestle's models.

* import-ap: OSCAL requires a link to the assessment plan. scc has no separate plan document (its
  rule packs are the plan), so import-ap points at a back-matter resource ("#uuid") that says so and
  names the rule packs; this validates against the NIST schema and trestle without inventing a file.
* reviewed-controls: include-controls of every control a rule assessed.
* observations: one per rule result (its statement, every evidence item as relevant-evidence with the
  input's back-matter resource and the pointer inside it) and one per open vulnerability finding.
* findings: one per not-satisfied/partial control (target <control>_smt, state not-satisfied) and one
  per open rule result, each with its related observations.
* back-matter: one resource per input with its SHA-256 (rlink hashes).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from scc.facts.model import Evidence, Finding
from scc.report import ControlResult, RuleResult, Verdict
from scc.writers._oscal_common import (
    dump,
    input_resources,
    metadata,
    one_line,
    prop,
    props,
    provenance_resources,
    resource_uuid,
    text_block,
)
from scc.writers.interface import Writer

if TYPE_CHECKING:
    from trestle.oscal.assessment_results import Result
    from trestle.oscal.common import Finding as OscalFinding
    from trestle.oscal.common import Observation, Property, RelevantEvidence, Resource

    from scc.report import Report


class AssessmentResultsWriter(Writer):
    name = "oscal-assessment-results"
    filename = "oscal-assessment-results.json"
    media_type = "application/oscal.assessment-results+json"
    order = 20
    format = "oscal-ar"
    cost = 2

    def render(self, report: Report) -> bytes:
        from trestle.oscal.assessment_results import AssessmentResults, ImportAp
        from trestle.oscal.common import BackMatter

        plan = plan_resource(report)
        model = AssessmentResults(
            uuid=report.uuid("assessment-results"),
            metadata=metadata(report, f"scc assessment results: {report.facts.identity.reference}"),
            import_ap=ImportAp(href=f"#{plan.uuid}", remarks="scc's rule packs are the assessment plan; "
                                                            "see the back-matter resource."),
            results=[_result(report)],
            back_matter=BackMatter(resources=[plan, *input_resources(report),
                                             *provenance_resources(report)]),
        )
        return dump(model, report)


def plan_resource(report: Report) -> Resource:
    from trestle.oscal.common import Resource

    packs = sorted({r.source for r in report.rules if r.source})
    return Resource(
        uuid=report.uuid("assessment-plan"),
        title="Assessment plan: scc rule packs",
        description=text_block(
            "No separate OSCAL assessment plan exists: the plan is scc's rule packs, each rule naming the "
            f"controls it tests and the check it runs ({len(report.rules)} rules)."),
        props=props(*(prop("rule-pack", pack) for pack in packs[:50])),
    )


def _result(report: Report) -> Result:
    from trestle.oscal.assessment_results import Result
    from trestle.oscal.common import (
        ControlSelections,
        ControlSelectionsAll,
        IncludeAll,
        ReviewedControls,
        SelectControlById,
    )

    controls = report.control_results
    observations = {id(r): _rule_observation(report, r) for r in report.rule_results}
    vulnerability_observations = [_finding_observation(report, f) for f in report.open_findings]
    selection: ControlSelections | ControlSelectionsAll
    if controls:
        selection = ControlSelections(
            description="Every control at least one scc rule assessed.",
            include_controls=[SelectControlById(control_id=c.control_id) for c in controls])
    else:   # OSCAL needs a selection; the description says nothing was assessed
        selection = ControlSelectionsAll(include_all=IncludeAll(), description="No rule produced a result: "
                                         "no control was assessed, so none is satisfied.")
    findings = [_control_finding(report, c, observations) for c in controls if c.verdict.is_open]
    findings += [_rule_finding(report, r, observations[id(r)].uuid)
                 for r in report.rule_results if r.verdict.is_open]
    counts = report.verdict_counts()
    attested = report.attested_counts()["rules"]
    attested_text = (f" {sum(attested.values())} rule verdicts rest on people's attestations (human judgment, "
                     "not image facts): " + ", ".join(f"{n} {v}" for v, n in attested.items() if n) + "."
                     if any(attested.values()) else "")
    return Result(
        uuid=report.uuid("result"),
        title=one_line(f"scc assessment of {report.facts.identity.reference}"),
        description=text_block(
            f"{len(report.rule_results)} rules over {len(controls)} controls; control verdicts: "
            + ", ".join(f"{n} {v}" for v, n in counts.items() if n) + "." + attested_text),
        start=report.assessed_at,
        end=report.assessed_at,
        reviewed_controls=ReviewedControls(control_selections=[selection]),
        observations=[*observations.values(), *vulnerability_observations] or None,
        findings=findings or None,
    )


def relevant_evidence(report: Report, evidence: list[Evidence]) -> list[RelevantEvidence] | None:
    from trestle.oscal.common import RelevantEvidence

    items = [RelevantEvidence(
        href=f"#{resource_uuid(report, e.source, e.sha256)}",
        description=one_line(f"{e.source} at {e.pointer}" if e.pointer else e.source),
        props=props(prop("pointer", e.pointer), prop("sha256", e.sha256)),
    ) for e in sorted(set(evidence))]
    return items or None


def _rule_observation(report: Report, result: RuleResult) -> Observation:
    from trestle.oscal.common import Observation

    method = "TEST" if result.origin == "xccdf-scan" else "EXAMINE"
    attestation = result.attestation
    methods = [method]
    if attestation is not None:    # a person's judgment: interviewed, and examined when evidence was attached
        methods = ["INTERVIEW", "EXAMINE"] if len(attestation.evidence) > 1 else ["INTERVIEW"]
    return Observation(
        uuid=report.uuid("observation", "rule", result.rule.id),
        title=one_line(f"{result.rule.id}: {result.rule.title}"),
        description=text_block(result.statement),
        props=props(prop("rule-id", result.rule.id), prop("verdict", result.verdict.value),
                    prop("origin", result.origin), prop("severity", result.severity),
                    *(prop("srg", ref.version) for ref in result.rule.srg), *_attestation_props(result)),
        methods=methods,
        types=["finding" if result.verdict.is_open else "control-objective"],
        relevant_evidence=relevant_evidence(report, result.evidence),
        collected=report.assessed_at,
        remarks=text_block(result.reason) if result.reason else None,
    )


def _attestation_props(result: RuleResult) -> list[Property | None]:
    attestation = result.attestation
    if attestation is None:
        return []
    return [prop("judgment", "human-attestation"), prop("attested-status", attestation.status),
            prop("attested-by", attestation.updated_by), prop("attested-on", attestation.updated.isoformat()),
            prop("attestation-valid-until", attestation.expires.isoformat()),
            prop("attestation-frequency", attestation.frequency)]


def finding_observation_uuid(report: Report, finding: Finding) -> str:
    return report.uuid("observation", "vulnerability", finding.id, finding.package, finding.installed_version)


def _finding_observation(report: Report, finding: Finding) -> Observation:
    from trestle.oscal.common import Observation

    return Observation(
        uuid=finding_observation_uuid(report, finding),
        title=one_line(f"{finding.id} in {finding.package} {finding.installed_version}", limit=300),
        description=text_block(f"{finding.id} ({finding.severity.value}) reported by "
                               f"{', '.join(sorted(finding.sources)) or 'a scanner'} in {finding.package} "
                               f"{finding.installed_version}; state {finding.state.value}."),
        props=props(prop("vulnerability-id", finding.id), prop("severity", finding.severity.value),
                    prop("package-url", finding.purl), prop("fixed-in", ", ".join(finding.fixed_versions))),
        methods=["TEST"],
        types=["finding"],
        relevant_evidence=relevant_evidence(report, finding.evidence),
        collected=finding.first_seen or report.assessed_at,
    )


def _control_finding(report: Report, control: ControlResult, observations: dict[int, Observation]) -> OscalFinding:
    from trestle.oscal.common import Finding, FindingTarget, ObjectiveStatus, RelatedObservation

    reason = "fail" if control.verdict is Verdict.NOT_SATISFIED else "other"
    return Finding(
        uuid=report.uuid("finding", "control", control.control_id),
        title=one_line(f"{control.control_id.upper()} {control.verdict.value}"),
        description=text_block(" ".join(r.statement for r in control.rule_results if r.verdict.is_open)),
        target=FindingTarget(
            type="statement-id", target_id=f"{control.control_id}_smt",
            title=one_line(control.title) if control.title else None,
            status=ObjectiveStatus(state="not-satisfied", reason=reason,
                                   remarks="partial" if control.verdict is Verdict.PARTIAL else None),
        ),
        related_observations=[RelatedObservation(observation_uuid=observations[id(r)].uuid)
                              for r in control.rule_results],
    )


def _rule_finding(report: Report, result: RuleResult, observation_uuid: str) -> OscalFinding:
    from trestle.oscal.common import Finding, FindingTarget, ObjectiveStatus, RelatedObservation

    control = result.rule.controls[0] if result.rule.controls else "unmapped"
    return Finding(
        uuid=report.uuid("finding", "rule", result.rule.id),
        title=one_line(f"{result.rule.id}: {result.rule.title}"),
        description=text_block(result.statement),
        props=props(prop("rule-id", result.rule.id), prop("severity", result.severity),
                    *(prop("control", c) for c in result.rule.controls)),
        target=FindingTarget(
            type="objective-id", target_id=f"{control}_obj",
            status=ObjectiveStatus(state="not-satisfied",
                                   reason="fail" if result.verdict is Verdict.NOT_SATISFIED else "other"),
        ),
        related_observations=[RelatedObservation(observation_uuid=observation_uuid)],
        remarks=text_block(_override_remarks(result))
        if result.override or result.scan_disagreement or result.attestation else None,
    )


def _override_remarks(result: RuleResult) -> str:
    parts = []
    if result.override is not None:
        o = result.override
        parts.append(f"Override {o.action}: {o.justification} Approved by {o.approver}; expires "
                     f"{o.expires.isoformat()}.")
    if result.scan_disagreement:
        parts.append(f"Scan disagreement: {result.scan_disagreement}")
    if result.attestation is not None:
        parts.append(f"{result.attestation.sentence()}.")
    return " ".join(parts)


WRITER = AssessmentResultsWriter()
