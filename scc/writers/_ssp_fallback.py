"""A minimal OSCAL system-security-plan (JSON dict) from an assessment, for the PDF only.

Stand-in until ``scc.writers.oscal_ssp.build_ssp`` exists: ssp_pdf renders whatever SSP dict it is
given and uses this only when that module is absent. It states what the system profile gives and what
scc's rules found, and "not provided" for the rest; it never maps a verdict to more than the verdict
says (satisfied -> implemented, partial -> partial, not-applicable -> not-applicable; not-satisfied and
manual carry no implementation status, and the scc verdict is kept as a prop).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scc.clock import iso
from scc.engine.aggregate import control_sort_key
from scc.writers._content import baseline

if TYPE_CHECKING:
    from scc.assessment import Assessment

NOT_PROVIDED = "not provided"
SCC_NS = "https://scc.dev/ns/oscal"
_STATE = {"satisfied": "implemented", "partial": "partial", "not-applicable": "not-applicable"}
_FIPS = "fips-199-{}"
VEX_CONTROL = "si-2"      # flaw remediation: where a finding a VEX statement closed is accounted for


def _prop(name: str, value: str, ns: str = SCC_NS) -> dict[str, str]:
    return {"name": name, "ns": ns, "value": value}


def fallback_ssp(assessment: Assessment) -> dict[str, Any]:
    profile = assessment.profile
    image = assessment.facts.identity
    name = profile.name or assessment.settings.system_name or image.name or NOT_PROVIDED
    this_system = assessment.uuid("ssp", "component", "this-system")
    image_component = assessment.uuid("ssp", "component", "image")
    return {"system-security-plan": {
        "uuid": assessment.uuid("ssp"),
        "metadata": _metadata(assessment, name),
        "import-profile": _import_profile(assessment),
        "system-characteristics": _characteristics(assessment, name),
        "system-implementation": {
            "users": [{"uuid": assessment.uuid("ssp", "user", u.title), "title": u.title,
                       "props": [{"name": "privilege-level", "value": u.privileges or NOT_PROVIDED}],
                       "role-ids": [u.role] if u.role else []} for u in profile.users],
            "leveraged-authorizations": [{"uuid": assessment.uuid("ssp", "leveraged", la.name), "title": la.name,
                                          "party-uuid": assessment.uuid("ssp", "party", la.party or la.name),
                                          "date-authorized": la.date_authorized or NOT_PROVIDED}
                                         for la in profile.leveraged],
            "components": [
                {"uuid": this_system, "type": "this-system", "title": name,
                 "description": profile.description or NOT_PROVIDED, "status": {"state": profile.status or NOT_PROVIDED},
                 "protocols": [{"name": p.service, "title": p.purpose or NOT_PROVIDED,
                                "port-ranges": [_range(p.port, p.transport)]} for p in profile.ports] or None},
                {"uuid": image_component, "type": "software", "title": image.reference or image.name or "container image",
                 "description": f"Container image {image.reference or image.name}, digest {image.digest or 'not recorded'}.",
                 "status": {"state": "operational"}},
                *({"uuid": assessment.uuid("ssp", "interconnection", i.name), "type": "interconnection",
                   "title": i.name, "description": i.description or NOT_PROVIDED,
                   "props": [{"name": "direction", "value": i.direction or NOT_PROVIDED},
                             {"name": "remote-system", "value": i.remote_system or NOT_PROVIDED}],
                   "status": {"state": "operational"}} for i in profile.interconnections),
            ],
        },
        "control-implementation": {
            "description": _scope(assessment),
            "implemented-requirements": [_requirement(assessment, c, this_system, image_component)
                                         for c in _control_ids(assessment)],
        },
        "back-matter": {"resources": [
            {"uuid": assessment.uuid("ssp", "input", i.path, i.sha256), "title": i.path,
             "description": f"Input read by scc: {i.format}{' ' + i.format_version if i.format_version else ''}"
                            f"{', produced by ' + i.tool if i.tool else ''}; {i.size} bytes.",
             "rlinks": [{"href": i.path, "hashes": [{"algorithm": "sha-256", "value": i.sha256}]}]}
            for i in sorted(assessment.facts.inputs, key=lambda i: (i.path, i.sha256))]},
    }}


def _import_profile(assessment: Assessment) -> dict[str, str]:
    chosen = assessment.settings.baseline
    if not chosen:
        return {"href": NOT_PROVIDED, "remarks": "No baseline was chosen (--baseline)."}
    official = baseline(assessment, chosen)
    remarks = official.title if official is not None else f"The {chosen} baseline could not be loaded."
    return {"href": f"#baseline-{chosen}", "remarks": remarks}


def _scope(assessment: Assessment) -> str:
    """Which controls the plan holds, and, without official content, that it stands on scc's rules alone."""
    if baseline(assessment, assessment.settings.baseline) is not None:
        scope = "Every control of the chosen baseline."
    else:
        scope = "The controls scc's rules address (no baseline was loaded)."
    try:
        from scc.content.required import content_note
    except ImportError:           # the content package is not part of this installation
        return scope
    note = content_note()
    return f"{scope} Note: {note}." if note else scope


def _range(port: str, transport: str) -> dict[str, Any]:
    start, _, end = port.partition("-")
    return {"start": int(start), "end": int(end or start), "transport": transport}


def _metadata(assessment: Assessment, name: str) -> dict[str, Any]:
    import scc
    from scc.profile import ROLES

    profile = assessment.profile
    parties = [{"uuid": assessment.uuid("ssp", "party", p.key), "type": p.type, "name": p.name,
                **({"email-addresses": [p.email]} if p.email else {})} for p in profile.parties]
    responsible = [{"role-id": ROLES[key][0], "party-uuids": [assessment.uuid("ssp", "party", k) for k in keys]}
                   for key, keys in profile.roles if key in ROLES and keys]
    revisions = [{"version": r.version, "published": r.date, "title": r.description or "",
                  "remarks": f"Author: {r.author}" if r.author else ""} for r in profile.version_history]
    return {
        "title": f"System Security Plan: {name}", "published": iso(assessment.assessed_at),
        "last-modified": iso(assessment.assessed_at),
        "version": profile.version_history[-1].version if profile.version_history else f"scc {scc.__version__}",
        "oscal-version": "1.2.1", "revisions": revisions,
        "roles": [{"id": role_id, "title": title} for role_id, title in ROLES.values()],
        "parties": parties, "responsible-parties": responsible,
    }


def _characteristics(assessment: Assessment, name: str) -> dict[str, Any]:
    profile = assessment.profile

    def level(value: str | None) -> str:
        return _FIPS.format(value) if value else NOT_PROVIDED

    return {
        "system-ids": [{"identifier-type": profile.id_type or NOT_PROVIDED, "id": profile.id or NOT_PROVIDED}],
        "system-name": name, "system-name-short": profile.short_name or "",
        "description": profile.description or NOT_PROVIDED,
        "security-sensitivity-level": level(profile.sensitivity()),
        "system-information": {"information-types": [{
            "title": t.title, "description": t.description or NOT_PROVIDED,
            "categorizations": [{"system": "https://doi.org/10.6028/NIST.SP.800-60v2r1", "information-type-ids": [t.id]}],
            **{f"{o}-impact": {"base": level(getattr(t, o)), "selected": level(getattr(t, o))}
               for o in ("confidentiality", "integrity", "availability")}} for t in profile.information_types]},
        "security-impact-level": {f"security-objective-{o}": level(profile.impact(o))
                                  for o in ("confidentiality", "integrity", "availability")},
        "status": {"state": profile.status or NOT_PROVIDED},
        "authorization-boundary": {"description": profile.authorization_boundary or NOT_PROVIDED},
        "network-architecture": {"description": profile.environment or NOT_PROVIDED},
        "data-flow": {"description": profile.data_flow or NOT_PROVIDED},
    }


def _control_ids(assessment: Assessment) -> list[str]:
    official = baseline(assessment, assessment.settings.baseline)
    ids = set(official.control_ids) if official is not None else {c.control_id for c in assessment.control_results}
    if _vex_closed(assessment):
        ids.add(VEX_CONTROL)
    return sorted(ids, key=control_sort_key)


def _vex_closed(assessment: Assessment) -> list[Any]:
    findings = (f for f in assessment.facts.findings if f.vex is not None and not f.is_open)
    return sorted(findings, key=lambda f: (f.id, f.package))


def _vex_by_component(assessment: Assessment, image: str) -> dict[str, Any] | None:
    """Flaw remediation not needed because a VEX statement closed the finding: each one, and why."""
    closed = _vex_closed(assessment)
    if not closed:
        return None
    lines = [f"Closed by VEX ({len(closed)}):"]
    for f in closed:
        why = "; ".join(x for x in (f.vex.justification, f.vex.impact_statement or f.vex.action_statement) if x)
        lines.append(f"- {f.id} in {f.package} ({f.severity.value}): {f.state.value}"
                     f"{', ' + why if why else ''} [{f.vex.format}]")
    return {"component-uuid": image, "uuid": assessment.uuid("ssp", VEX_CONTROL, "vex"), "description": "\n".join(lines)}


def _requirement(assessment: Assessment, control_id: str, this_system: str, image: str) -> dict[str, Any]:
    entry = assessment.profile.control(control_id)
    result = next((c for c in assessment.control_results if c.control_id == control_id), None)
    props = [_prop("responsibility", (entry.responsibility if entry and entry.responsibility else NOT_PROVIDED))]
    by_components = [{"component-uuid": this_system, "uuid": assessment.uuid("ssp", control_id, "system"),
                      "description": (entry.implementation if entry and entry.implementation else NOT_PROVIDED)}]
    if result is not None:
        props.append(_prop("assessment-verdict", result.verdict.value))
        if any(r.attestation is not None for r in result.rule_results):
            props.append(_prop("attested", "human judgment"))
        evidence = "; ".join(e.cite() for e in result.evidence[:15])
        image_bc: dict[str, Any] = {
            "component-uuid": image, "uuid": assessment.uuid("ssp", control_id, "image"),
            "description": "\n".join(_rule_lines(r) for r in result.rule_results) or NOT_PROVIDED,
            "remarks": f"Evidence: {evidence}" if evidence else "No evidence cited."}
        if result.verdict.value in _STATE:
            image_bc["implementation-status"] = {"state": _STATE[result.verdict.value]}
        by_components.append(image_bc)
    vex = _vex_by_component(assessment, image) if control_id == VEX_CONTROL else None
    if vex is not None:
        by_components.append(vex)
    requirement: dict[str, Any] = {"uuid": assessment.uuid("ssp", control_id), "control-id": control_id,
                                   "props": props, "by-components": by_components}
    if entry and entry.parameters:
        requirement["set-parameters"] = [{"param-id": p, "values": list(v)} for p, v in entry.parameters]
    if entry and entry.statements:
        requirement["statements"] = [{"statement-id": f"{control_id}_smt.{label}",
                                      "uuid": assessment.uuid("ssp", control_id, label),
                                      "by-components": [{"component-uuid": this_system,
                                                         "uuid": assessment.uuid("ssp", control_id, label, "bc"),
                                                         "description": body}]}
                                     for label, body in entry.statements]
    return requirement


def _rule_lines(result: Any) -> str:
    """One rule's statement, with the organisation decision or attestation it rests on, as the engine recorded."""
    lines = [f"{result.rule.id}: {result.statement}"]
    if result.override is not None:
        o = result.override
        lines.append(f"Organisation decision: {o.action} approved by {o.approver}, expires {o.expires.isoformat()}: "
                     f"{o.justification}")
    if result.attestation is not None:
        a = result.attestation
        lines.append(f"Attested (human judgment) by {a.updated_by} on {a.updated.isoformat()} ({a.status}, "
                     f"valid until {a.expires.isoformat()}): {a.explanation}")
    return "\n".join(lines)
