"""OSCAL 1.2 assessment-results: one result for this assessment run, built with trestle's models.

* import-ap: OSCAL requires a link to the assessment plan. scc has no separate plan document (its
  rule packs are the plan), so import-ap points at a back-matter resource ("#uuid") that says so and
  names the rule packs; this validates against the NIST schema and trestle without inventing a file.
* reviewed-controls: include-controls of every control a rule assessed.
* observations: one per rule result (its statement, every evidence item as relevant-evidence with the
  input's back-matter resource and the pointer inside it) and one per open vulnerability finding.
* findings: one per not-satisfied/partial control (target <control>_smt, state not-satisfied) and one
  per open rule result, each with its related observations. A finding names what is open and points at
  its observations by uuid; the statements themselves are the observations' (each written once).
* back-matter: one resource per input with its SHA-256 (rlink hashes).

The document is built as the plain dicts trestle would serialise (scc.writers._oscal_common), not as
one validated pydantic model per observation; the tests validate it with trestle and the NIST schemas.
"""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from scc.facts.model import Evidence, Finding
from scc.gcpause import collector_paused
from scc.report import ControlResult, RuleResult, Verdict
from scc.writers._oscal_common import (
    drop_none,
    dump_document,
    input_resources,
    metadata,
    model_dict,
    one_line,
    oscal_datetime,
    prop,
    prop_dict,
    prop_dicts,
    props,
    provenance_resources,
    resource_uuid,
    text_block,
)
from scc.writers.interface import Writer

if TYPE_CHECKING:
    from trestle.oscal.common import Resource

    from scc.report import Report

Node = dict[str, Any]


class AssessmentResultsWriter(Writer):
    name = "oscal-assessment-results"
    filename = "oscal-assessment-results.json"
    media_type = "application/oscal.assessment-results+json"
    order = 20
    format = "oscal-ar"
    cost = 2

    def render(self, report: Report) -> bytes:
        with collector_paused():
            return self._render(report)

    def _render(self, report: Report) -> bytes:
        plan = plan_resource(report)
        root = {
            "uuid": report.uuid("assessment-results"),
            "metadata": model_dict(metadata(report, f"scc assessment results: {report.facts.identity.reference}")),
            "import-ap": {"href": f"#{plan.uuid}", "remarks": "scc's rule packs are the assessment plan; "
                                                              "see the back-matter resource."},
            "results": [_result(report)],
            "back-matter": {"resources": [model_dict(r) for r in (plan, *input_resources(report),
                                                                  *provenance_resources(report))]},
        }
        return dump_document({"assessment-results": root}, report)


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


def _result(report: Report) -> Node:
    controls = report.control_results
    observation_uuids = {id(r): _rule_observation_uuid(report, r) for r in report.rule_results}
    observations = [_rule_observation(report, r, observation_uuids[id(r)]) for r in report.rule_results]
    observations += [_finding_observation(report, f) for f in report.open_findings]
    selection: Node
    if controls:
        selection = {"description": "Every control at least one scc rule assessed.",
                     "include-controls": [{"control-id": c.control_id} for c in controls]}
    else:   # OSCAL needs a selection; the description says nothing was assessed
        selection = {"description": "No rule produced a result: no control was assessed, so none is satisfied.",
                     "include-all": {}}
    findings = [_control_finding(report, c, observation_uuids) for c in controls if c.verdict.is_open]
    findings += [_rule_finding(report, r, observation_uuids[id(r)])
                 for r in report.rule_results if r.verdict.is_open]
    counts = report.verdict_counts()
    attested = report.attested_counts()["rules"]
    attested_text = (f" {sum(attested.values())} rule verdicts rest on people's attestations (human judgment, "
                     "not image facts): " + ", ".join(f"{n} {v}" for v, n in attested.items() if n) + "."
                     if any(attested.values()) else "")
    return drop_none({
        "uuid": report.uuid("result"),
        "title": one_line(f"scc assessment of {report.facts.identity.reference}"),
        "description": text_block(
            f"{len(report.rule_results)} rules over {len(controls)} controls; control verdicts: "
            + ", ".join(f"{n} {v}" for v, n in counts.items() if n) + "." + attested_text),
        "start": oscal_datetime(report.assessed_at),
        "end": oscal_datetime(report.assessed_at),
        "reviewed-controls": {"control-selections": [selection]},
        "observations": observations or None,
        "findings": findings or None,
    })


def relevant_evidence_dicts(report: Report, evidence: list[Evidence]) -> list[Node] | None:
    """relevant-evidence entries: a link to each input's back-matter resource and the pointer inside it."""
    items = [drop_none({
        "href": f"#{resource_uuid(report, e.source, e.sha256)}",
        "description": one_line(f"{e.source} at {e.pointer}" if e.pointer else e.source),
        "props": prop_dicts(prop_dict("pointer", e.pointer), prop_dict("sha256", e.sha256)),
    }) for e in sorted(set(evidence))]
    return items or None


def _rule_observation_uuid(report: Report, result: RuleResult) -> str:
    return report.uuid("observation", "rule", result.rule.id)


def _rule_observation(report: Report, result: RuleResult, observation_uuid: str) -> Node:
    method = "TEST" if result.origin == "xccdf-scan" else "EXAMINE"
    attestation = result.attestation
    methods = [method]
    if attestation is not None:    # a person's judgment: interviewed, and examined when evidence was attached
        methods = ["INTERVIEW", "EXAMINE"] if len(attestation.evidence) > 1 else ["INTERVIEW"]
    return drop_none({
        "uuid": observation_uuid,
        "title": one_line(f"{result.rule.id}: {result.rule.title}"),
        "description": text_block(result.statement),
        "props": prop_dicts(prop_dict("rule-id", result.rule.id), prop_dict("verdict", result.verdict.value),
                            prop_dict("origin", result.origin), prop_dict("severity", result.severity),
                            *(prop_dict("srg", ref.version) for ref in result.rule.srg),
                            *_attestation_props(result)),
        "methods": methods,
        "types": ["finding" if result.verdict.is_open else "control-objective"],
        "relevant-evidence": relevant_evidence_dicts(report, result.evidence),
        "collected": oscal_datetime(report.assessed_at),
        "remarks": text_block(result.reason) if result.reason else None,
    })


def _attestation_props(result: RuleResult) -> list[dict[str, str] | None]:
    attestation = result.attestation
    if attestation is None:
        return []
    return [prop_dict("judgment", "human-attestation"), prop_dict("attested-status", attestation.status),
            prop_dict("attested-by", attestation.updated_by),
            prop_dict("attested-on", attestation.updated.isoformat()),
            prop_dict("attestation-valid-until", attestation.expires.isoformat()),
            prop_dict("attestation-frequency", attestation.frequency)]


def finding_observation_uuid(report: Report, finding: Finding) -> str:
    return report.uuid("observation", "vulnerability", finding.id, finding.package, finding.installed_version)


def _finding_observation(report: Report, finding: Finding) -> Node:
    return drop_none({
        "uuid": finding_observation_uuid(report, finding),
        "title": one_line(f"{finding.id} in {finding.package} {finding.installed_version}", limit=300),
        "description": text_block(f"{finding.id} ({_severity_words(finding)}) reported by "
                                  f"{', '.join(sorted(finding.sources)) or 'a scanner'} in {finding.package} "
                                  f"{finding.installed_version}; state {finding.state.value}."
                                  + (f" {finding.malicious.sentence}" if finding.malicious is not None else "")),
        "props": prop_dicts(prop_dict("vulnerability-id", finding.id), prop_dict("severity", finding.severity.value),
                            prop_dict("package-url", finding.purl),
                            prop_dict("fixed-in", ", ".join(finding.fixed_versions)),
                            *_malicious_props(finding)),
        "methods": ["TEST"],
        "types": ["finding"],
        "relevant-evidence": relevant_evidence_dicts(report, finding.evidence),
        "collected": oscal_datetime(finding.first_seen or report.assessed_at),
    })


def _severity_words(finding: Finding) -> str:
    return finding.malicious.severity_label if finding.malicious is not None else finding.severity.value


def _malicious_props(finding: Finding) -> list[dict[str, str] | None]:
    """A known malicious package: the flag and its DISA category (the severity prop stays the scanner's)."""
    if finding.malicious is None:
        return []
    return [prop_dict("malicious-package", "true"), prop_dict("category", "CAT I")]


def _control_finding(report: Report, control: ControlResult, observation_uuids: dict[int, str]) -> Node:
    reason = "fail" if control.verdict is Verdict.NOT_SATISFIED else "other"
    return {
        "uuid": report.uuid("finding", "control", control.control_id),
        "title": one_line(f"{control.control_id.upper()} {control.verdict.value}"),
        "description": _control_finding_description(control),
        "target": drop_none({
            "type": "statement-id", "target-id": f"{control.control_id}_smt",
            "title": one_line(control.title) if control.title else None,
            "status": drop_none({"state": "not-satisfied", "reason": reason,
                                 "remarks": "partial" if control.verdict is Verdict.PARTIAL else None}),
        }),
        "related-observations": [{"observation-uuid": observation_uuids[id(r)]} for r in control.rule_results],
    }


def _control_finding_description(control: ControlResult) -> str:
    """The control's verdict and its rules' verdicts, the open ones by id; their statements are the
    related observations' (written once there)."""
    tally = Counter(r.verdict.value for r in control.rule_results)
    open_rules = [r.rule.id for r in control.rule_results if r.verdict.is_open]
    total = len(control.rule_results)
    words = (f"{control.control_id.upper()} is {control.verdict.value}: of the {total} "
             f"{'rule' if total == 1 else 'rules'} assessing it, "
             + ", ".join(f"{n} {verdict}" for verdict, n in sorted(tally.items())))
    words += f" (open: {', '.join(open_rules)})" if open_rules else ""
    return one_line(words + ". The related observations state what each rule found.")


def _rule_finding(report: Report, result: RuleResult, observation_uuid: str) -> Node:
    control = result.rule.controls[0] if result.rule.controls else "unmapped"
    return drop_none({
        "uuid": report.uuid("finding", "rule", result.rule.id),
        "title": one_line(f"{result.rule.id}: {result.rule.title}"),
        "description": one_line(f"Rule {result.rule.id} is {result.verdict.value}; the related observation "
                                "states what the assessment found and its evidence."),
        "props": prop_dicts(prop_dict("rule-id", result.rule.id), prop_dict("severity", result.severity),
                            *(prop_dict("control", c) for c in result.rule.controls)),
        "target": {
            "type": "objective-id", "target-id": f"{control}_obj",
            "status": {"state": "not-satisfied",
                       "reason": "fail" if result.verdict is Verdict.NOT_SATISFIED else "other"},
        },
        "related-observations": [{"observation-uuid": observation_uuid}],
        "remarks": text_block(_override_remarks(result))
        if result.override or result.scan_disagreement or result.attestation else None,
    })


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
