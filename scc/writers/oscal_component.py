"""OSCAL 1.2 component-definition: the image as one software component and the controls it evidences.

One defined component (type "software") carries the image identity as props. Its single
control-implementation points at the NIST SP 800-53B rev5 baseline profile (settings.baseline,
MODERATE when none is chosen) and holds one implemented-requirement per control the rules reached:
the description is the rules' combined statements, the verdicts are props in scc's namespace, and
every piece of evidence is a rel="evidence" link to a back-matter resource that carries the input's
path and SHA-256. Built with trestle's OSCAL models (imported only when rendering).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from scc.facts.counting import software_count
from scc.report import DEFAULT_BASELINE
from scc.writers._content import baseline as official_baseline
from scc.writers._content import official_control
from scc.writers._oscal_common import (
    IMPLEMENTATION_STATUS,
    dump,
    evidence_links,
    input_resources,
    metadata,
    one_line,
    prop,
    props,
    provenance_resources,
    text_block,
)
from scc.writers.interface import Writer

if TYPE_CHECKING:
    from trestle.oscal.common import Property
    from trestle.oscal.component import (
        ComponentDefinition,
        ControlImplementation,
        DefinedComponent,
        ImplementedRequirement,
    )

    from scc.report import ControlResult, Report, RuleResult



def profile_url(baseline: str | None) -> str:
    """The published NIST rev5 baseline profile the control-implementation claims against."""
    from scc.content.registry import baseline_source

    source = baseline_source(baseline or DEFAULT_BASELINE) or baseline_source(DEFAULT_BASELINE)
    if source is None:
        raise LookupError(f"the content registry names no {DEFAULT_BASELINE} baseline")
    return source.url


def rule_line(result: RuleResult) -> str:
    """One rule's contribution to a control narrative."""
    line = f"[{result.rule.id}: {result.verdict.value}] {result.statement}"
    if result.override is not None and result.override.justification not in result.statement:
        # the engine already appends the decision to the statement; say it only when it is missing
        line += (f" (organisation decision: {result.override.action} by {result.override.approver},"
                 f" expires {result.override.expires.isoformat()}: {result.override.justification})")
    if result.scan_disagreement:
        line += f" (scan disagreement: {result.scan_disagreement})"
    if result.attestation is not None and result.attestation.explanation not in result.statement:
        line += f" ({result.attestation.sentence()})"
    return line


def control_title(report: Report, control: ControlResult) -> str:
    official = official_control(report, control.control_id)
    return (official.title if official else "") or control.title


def implemented_requirement(report: Report, control: ControlResult) -> ImplementedRequirement:
    from trestle.oscal.component import ImplementedRequirement

    title = control_title(report, control)
    verdict = control.verdict.value
    return ImplementedRequirement(
        uuid=report.uuid("implemented-requirement", control.control_id),
        control_id=control.control_id,
        description=text_block("\n\n".join(rule_line(r) for r in control.rule_results),
                               fallback="No rule reached a statement for this control."),
        props=props(
            prop("verdict", verdict),
            prop("implementation-status", IMPLEMENTATION_STATUS.get(verdict)),
            prop("control-title", title),
            *(prop("rule-result", f"{r.rule.id}: {r.verdict.value}" + (" (attested)" if r.attestation else ""))
              for r in control.rule_results),
            *(prop("attested-rule", f"{r.rule.id}: {r.attestation.status} by {r.attestation.updated_by} on "
                                    f"{r.attestation.updated.isoformat()}")
              for r in control.rule_results if r.attestation is not None),
        ),
        links=evidence_links(report, control.evidence),
        remarks=f"{control.control_id.upper()} {one_line(title)}" if title else None,
    )


def control_implementation(report: Report) -> ControlImplementation | None:
    from trestle.oscal.component import ControlImplementation

    baseline = report.settings.baseline or DEFAULT_BASELINE
    selected = official_baseline(report, baseline)
    # only the profile's controls: trestle's ssp-generate warns on (and drops) any other
    controls = [c for c in report.control_results if selected is None or c.control_id in selected]
    if not controls:
        return None
    return ControlImplementation(
        uuid=report.uuid("control-implementation", baseline),
        source=profile_url(baseline),
        description=(f"NIST SP 800-53 rev5 controls ({baseline.upper()} baseline) that the facts of this container "
                     "image evidence, as decided by scc's rules. Each verdict is rendered as the rules reached it."),
        props=props(prop("baseline", baseline)),
        implemented_requirements=[implemented_requirement(report, c) for c in controls],
    )


def image_props(report: Report) -> list[Property] | None:
    identity = report.facts.identity
    facts = report.facts
    open_findings = report.open_findings
    return props(
        prop("image-reference", identity.reference),
        prop("image-name", identity.name),
        prop("image-tag", identity.tag),
        prop("image-digest", identity.digest),
        prop("os", identity.os),
        prop("architecture", identity.architecture),
        prop("component-count", software_count(facts.components)),
        prop("finding-count", len(facts.findings)),
        prop("open-finding-count", len(open_findings)),
        prop("input-count", len(facts.inputs)),
    )


def defined_component(report: Report) -> DefinedComponent:
    from trestle.oscal.component import DefinedComponent

    identity = report.facts.identity
    implementation = control_implementation(report)
    counts = ", ".join(f"{n} {v}" for v, n in report.verdict_counts().items() if n) or "no controls"
    return DefinedComponent(
        uuid=report.uuid("component", identity.reference),
        type="software",
        title=one_line(identity.reference, limit=500),
        description=text_block(
            f"Container image {one_line(identity.reference)}, assessed by scc from "
            f"{len(report.facts.inputs)} input document(s) at the assessment time recorded in metadata. "
            f"Control verdicts: {counts}."),
        purpose="Container image evaluated for NIST SP 800-53 rev5 control evidence.",
        props=image_props(report),
        control_implementations=[implementation] if implementation is not None else None,
    )


def component_definition(report: Report) -> ComponentDefinition:
    from trestle.oscal.common import BackMatter
    from trestle.oscal.component import ComponentDefinition

    resources = [*input_resources(report), *provenance_resources(report)]
    title = f"Component definition for {one_line(report.facts.identity.reference, limit=200)}"
    return ComponentDefinition(
        uuid=report.uuid("component-definition"),
        metadata=metadata(report, title),
        components=[defined_component(report)],
        back_matter=BackMatter(resources=resources) if resources else None,
    )


class OscalComponentWriter(Writer):
    name = "oscal-component-definition"
    filename = "component-definition.json"
    media_type = "application/oscal.component-definition+json"
    order = 10
    format = "oscal-component"

    def render(self, report: Report) -> bytes:
        return dump(component_definition(report), report)


WRITER = OscalComponentWriter()
