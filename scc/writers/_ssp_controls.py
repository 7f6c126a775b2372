"""The SSP's import-profile and control-implementation: one implemented-requirement per baseline control.

Each requirement has by-component statements: this image's (the rules' statements, cited evidence and
an implementation-status read from the verdict, never more) where scc reached a verdict; this system's
(the system profile's narrative, or an explicit "not provided"); and, for a control the profile says is
inherited, the leveraged system's. Responsibility, parameter values and per-part (a, b, c ...) statements
come from the system profile. Without the baseline (no official content) the plan covers the controls
the rules address and says so.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scc.profile import NOT_PROVIDED
from scc.report import control_sort_key
from scc.writers._content import baseline as official_baseline
from scc.writers._content import official_control
from scc.writers._oscal_common import IMPLEMENTATION_STATUS, evidence_links, one_line, text_block
from scc.writers._ssp_common import FEDRAMP_NS, compact, component_uuid, fedramp_chosen, kept, nv, plain
from scc.writers._ssp_parts import leveraged_uuid

if TYPE_CHECKING:
    from scc.profile import ControlEntry
    from scc.report import ControlResult, Report

DEFAULT_BASELINE = "moderate"
#: profile responsibility -> FedRAMP control-origination values (FedRAMP has no "shared": it lists both origins)
ORIGINATION = {"provided": ("sp-system",), "inherited": ("inherited",), "shared": ("sp-system", "customer-configured"),
               "customer": ("customer-provided",)}


def chosen_baseline(assessment: Report) -> str:
    return (assessment.settings.baseline or DEFAULT_BASELINE).strip().lower()


def baseline_controls(assessment: Report) -> tuple[list[str], bool]:
    """(control ids the plan covers, whether the baseline was loaded). Without the baseline: the controls
    the rules address and those the system profile states."""
    selected = official_baseline(assessment, chosen_baseline(assessment))
    if selected is not None:
        return sorted(selected.control_ids, key=control_sort_key), True
    addressed = {c.control_id for c in assessment.control_results} | {c.control_id for c in assessment.profile.controls}
    return sorted(addressed, key=control_sort_key), False


def baseline_href(assessment: Report) -> str:
    """The published profile (NIST) or resolved-profile catalog (FedRAMP, as its SSP template) of the baseline."""
    from scc.content.registry import baseline_source

    name = chosen_baseline(assessment)
    source = baseline_source(name) or baseline_source(DEFAULT_BASELINE)
    if source is None:
        return ""
    if fedramp_chosen(assessment):
        return source.url.replace("-baseline_profile.json", "-baseline-resolved-profile_catalog.json")
    return source.url


def import_profile(assessment: Report) -> dict[str, Any]:
    _, loaded = baseline_controls(assessment)
    name = chosen_baseline(assessment).upper()
    remarks = (f"The {name} baseline as scc's content cache holds it." if loaded else
               f"The {name} baseline could not be loaded (no official content cached: run `scc content fetch`); "
               "this plan covers only the controls scc's rules address or the system profile states.")
    return {"href": baseline_href(assessment), "remarks": remarks}


def baseline_resource(assessment: Report) -> dict[str, Any]:
    _, loaded = baseline_controls(assessment)
    return {"uuid": assessment.uuid("ssp-baseline", chosen_baseline(assessment)),
            "title": f"Baseline: {chosen_baseline(assessment).upper()}",
            "props": [nv("baseline-loaded", "yes" if loaded else "no")],
            "rlinks": [{"href": baseline_href(assessment)}]}


def control_implementation(assessment: Report) -> dict[str, Any]:
    ids, loaded = baseline_controls(assessment)
    name = chosen_baseline(assessment).upper()
    results = {c.control_id: c for c in assessment.control_results}
    if loaded:
        description = (f"Every control of the {name} baseline ({len(ids)} controls). This image's statements are "
                       "scc's verdicts with the evidence they cite; the system's statements are the system "
                       f"profile's, or '{NOT_PROVIDED}' where it gives none.")
    else:
        description = (f"The {name} baseline could not be loaded (no official content cached), so this plan is not "
                       f"complete for any baseline: it covers only the {len(ids)} controls scc's rules address "
                       "or the system profile states.")
    requirements = [implemented_requirement(assessment, cid, results.get(cid)) for cid in ids]
    return {"description": text_block(description), "implemented-requirements": requirements or [
        _placeholder(assessment)]}


def _placeholder(assessment: Report) -> dict[str, Any]:
    """OSCAL needs one requirement; with no baseline and no verdicts there is nothing to claim."""
    return {"uuid": assessment.uuid("ssp-requirement", "none"), "control-id": "pl-2",
            "remarks": f"{NOT_PROVIDED}: no baseline could be loaded and scc's rules reached no control."}


def responsibility(assessment: Report, control_id: str, entry: ControlEntry | None) -> tuple[str | None, str]:
    """(responsibility, leveraged authorization it comes from) per the system profile."""
    source = entry.inherited_from if entry is not None else None
    if source is None:
        source = next((x.name for x in assessment.profile.leveraged if control_id in x.controls), "")
    given = entry.responsibility if entry is not None else None
    return (given or ("inherited" if source else None)), source or ""


def implemented_requirement(assessment: Report, control_id: str, result: ControlResult | None) -> dict[str, Any]:
    entry = assessment.profile.control(control_id)
    official = official_control(assessment, control_id)
    label = getattr(official, "label", "") or control_id.upper()
    duty, source = responsibility(assessment, control_id, entry)
    has_text = entry is not None and bool(entry.implementation or entry.statements)
    sources = [s for s, on in (("image-evidence", result is not None), ("system-profile", has_text),
                               ("leveraged-authorization", duty == "inherited" and bool(source))) if on]
    by_components = [c for c in (image_statement(assessment, result),
                                 system_statement(assessment, label, entry, duty),
                                 leveraged_statement(assessment, control_id, source) if duty == "inherited" else None)
                     if c]
    set_parameters, remarks = parameters(control_id, entry, official)
    statements, part_remarks = part_statements(assessment, control_id, entry, official)
    return compact({
        "uuid": assessment.uuid("ssp-requirement", control_id),
        "control-id": control_id,
        "props": kept(nv("responsibility", duty or NOT_PROVIDED),
                      *(nv("statement-source", s) for s in sources or [NOT_PROVIDED]),
                      nv("verdict", result.verdict.value if result else ""),
                      nv("attested", "human judgment" if result is not None and any(
                          r.attestation is not None for r in result.rule_results) else ""),
                      *({"name": "control-origination", "ns": FEDRAMP_NS, "value": origin}
                        for origin in (ORIGINATION[duty] if duty and fedramp_chosen(assessment) else ())),
                      {"name": "leveraged-authorization-uuid", "ns": FEDRAMP_NS, "value": leveraged_uuid(assessment, source)}
                      if duty == "inherited" and fedramp_chosen(assessment) and authorized(assessment, source) else None),
        "set-parameters": set_parameters,
        "statements": statements,
        "by-components": by_components,
        "remarks": text_block("\n".join([*remarks, *part_remarks])) if remarks or part_remarks else None,
    })


def image_statement(assessment: Report, result: ControlResult | None) -> dict[str, Any] | None:
    """This image's part: the rules' statements and evidence; implementation-status only as the verdict states."""
    if result is None:
        return None
    from scc.writers.oscal_component import rule_line

    verdict = result.verdict.value
    state = IMPLEMENTATION_STATUS.get(verdict)
    image = component_uuid(assessment, "image", assessment.facts.identity.reference)
    links = evidence_links(assessment, result.evidence)
    return compact({
        "component-uuid": image,
        "uuid": assessment.uuid("ssp-by-component", result.control_id, "image"),
        "description": text_block("\n\n".join([*(rule_line(r) for r in result.rule_results),
                                              *vex_closures(assessment, result.control_id)]),
                                  fallback="No rule reached a statement for this control."),
        "props": kept(nv("verdict", verdict)),
        "links": [plain(link) for link in links] if links else None,
        "implementation-status": {"state": state, "remarks": text_block(
            f"scc verdict: {verdict}, for what the rules above check in this image only; the rest of the "
            "control is stated by the system (its own statement).")} if state else None,
        "remarks": None if state else text_block(
            f"scc verdict: {verdict}. The facts could not decide this; a person must check it "
            "(see the rule statements above)."),
    })


VEX_CONTROL = "si-2"      # flaw remediation: where the findings a VEX statement closed are accounted for


def vex_closures(assessment: Report, control_id: str) -> list[str]:
    """Under SI-2, the findings a VEX statement closed (each one, and the statement's reason)."""
    if control_id != VEX_CONTROL:
        return []
    closed = sorted((f for f in assessment.facts.findings if f.vex is not None and not f.is_open),
                    key=lambda f: (f.id, f.package, f.installed_version))
    if not closed:
        return []
    lines = []
    for finding in closed:
        vex = finding.vex
        if vex is None:
            continue
        why = "; ".join(x for x in (vex.justification, vex.impact_statement or vex.action_statement) if x)
        lines.append(f"- {finding.id} in {finding.package} ({finding.severity.value}): {finding.state.value}"
                     f"{', ' + why if why else ''} [{vex.format}]")
    return [f"Closed by VEX ({len(closed)}):\n" + "\n".join(lines)]


def system_statement(assessment: Report, label: str, entry: ControlEntry | None,
                     duty: str | None) -> dict[str, Any]:
    """This system's part: the profile's narrative, or 'not provided'."""
    text = entry.implementation if entry is not None else None
    return compact({
        "component-uuid": component_uuid(assessment, "this-system"),
        "uuid": assessment.uuid("ssp-by-component", label, "this-system"),
        "description": text_block(text or f"{NOT_PROVIDED}: the system profile gives no implementation "
                                           f"statement for {label}."),
        "props": kept(nv("responsibility", duty or NOT_PROVIDED)),
    })


def authorized(assessment: Report, source: str) -> bool:
    """The named leveraged authorization is in leveraged-authorizations (it has a party and a date)."""
    return any(x.name == source and x.party and x.date_authorized for x in assessment.profile.leveraged)


def inherited_text(assessment: Report, control_id: str, source: str) -> str:
    item = next((x for x in assessment.profile.leveraged if x.name == source), None)
    party = assessment.profile.party(item.party) if item is not None and item.party else None
    return (f"{control_id.upper()} is inherited from the leveraged authorization {source}, operated by "
            f"{party.name if party else NOT_PROVIDED} and authorized on "
            f"{item.date_authorized if item and item.date_authorized else NOT_PROVIDED}, as the system profile "
            f"states. {item.description if item and item.description else ''} The provider's own implementation "
            "statement for this control is not part of this plan; see the provider's customer responsibility "
            "matrix.")


def leveraged_statement(assessment: Report, control_id: str, source: str) -> dict[str, Any] | None:
    if not source:
        return None
    return {
        "component-uuid": component_uuid(assessment, "leveraged", source),
        "uuid": assessment.uuid("ssp-by-component", control_id, "leveraged", source),
        "description": text_block(inherited_text(assessment, control_id, source)),
        "inherited": [{"uuid": assessment.uuid("ssp-inherited", control_id, source),
                       "description": text_block(inherited_text(assessment, control_id, source))}],
    }


def parameters(control_id: str, entry: ControlEntry | None, official: Any) -> tuple[list[dict[str, Any]] | None, list[str]]:
    """The profile's parameter values; an id the catalog does not know for this control is reported, not used."""
    if entry is None or not entry.parameters:
        return None, []
    known = {p.id for p in getattr(official, "params", ())} if official is not None else None
    out, remarks = [], []
    for param_id, values in entry.parameters:
        if known is not None and param_id not in known:
            remarks.append(f"Parameter {param_id} from the system profile is not a parameter of "
                           f"{control_id.upper()} in the catalog: not used.")
            continue
        out.append({"param-id": param_id, "values": [one_line(v) for v in values]})
    return out or None, remarks


def part_statements(assessment: Report, control_id: str, entry: ControlEntry | None,
                    official: Any) -> tuple[list[dict[str, Any]] | None, list[str]]:
    """Per-part statements (a, b, a.1 ...) from the profile, as the catalog's statement part ids."""
    if entry is None or not entry.statements:
        return None, []
    known = set(getattr(official, "statement_parts", ()) or ()) if official is not None else None
    system = component_uuid(assessment, "this-system")
    out, remarks = [], []
    for label, text in entry.statements:
        part_id = f"{control_id}_smt.{label}"
        if known is not None and part_id not in known:
            remarks.append(f"Statement part {label} from the system profile is not a part of {control_id.upper()} "
                           "in the catalog: not used.")
            continue
        out.append({"statement-id": part_id, "uuid": assessment.uuid("ssp-statement", part_id),
                    "by-components": [{"component-uuid": system,
                                       "uuid": assessment.uuid("ssp-by-component", part_id, "this-system"),
                                       "description": text_block(text)}]})
    return out or None, remarks


def statement_source_counts(document: dict[str, Any]) -> dict[str, int]:
    """How many requirements carry image evidence, profile text, a leveraged authorization, or none of
    them ('not provided'); one requirement can carry several."""
    counts = {"image-evidence": 0, "system-profile": 0, "leveraged-authorization": 0, NOT_PROVIDED: 0}
    for requirement in document["system-security-plan"]["control-implementation"]["implemented-requirements"]:
        for item in requirement.get("props") or []:
            if item["name"] == "statement-source":
                counts[item["value"]] += 1
    return counts
