"""What the PDF SSP shows, read from an OSCAL system-security-plan (and POA&M) and nothing else.

One source of truth: every value here comes from the OSCAL SSP document (JSON shape, OSCAL 1.x), the
OSCAL POA&M document, the input-reading notes and the marking handed in; only the control titles and
statement texts may come from the catalog the SSP's import-profile names (``control_text``), and they
are labelled as the catalog's. A field the SSP does not hold is shown as ``ABSENT``; a value the SSP
states, "not provided" included, is shown as the SSP states it. Nothing is decided here: the counts are
tallies of what the SSP says, computed once (``tally``) and used by every section.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from scc.writers._poam_view import poam_view
from scc.writers._ssp_text import (
    ABSENT,
    clip,
    control_label,
    prop_values,
    props_except,
    resource_titles,
    text,
)

#: the roles NIST SP 800-18 and FedRAMP's template name, in the order the plan lists them
KEY_ROLES = (
    ("system-owner", "System Owner"),
    ("authorizing-official", "Authorizing Official"),
    ("information-system-security-officer", "Information System Security Officer (ISSO)"),
    ("information-system-security-manager", "Information System Security Manager (ISSM)"),
    ("prepared-by", "Prepared By"),
)
STATUS_PROPS = ("implementation-status",)
RESPONSIBILITY_PROPS = ("control-origination", "responsibility")
NO_STATUS = "not stated in the SSP"
MAX_NOTES = 60          # notes shown; the package's manifest.json lists every one
#: (title, statement text) of a control from the catalog the SSP's import-profile names, or None
ControlText = Callable[[str], "tuple[str, str, str] | None"]


def ssp_view(ssp: dict[str, Any], poam: dict[str, Any] | None, notes: Iterable[str], marking: str,
             control_text: ControlText | None = None, findings: dict[str, Any] | None = None,
             poam_summary: dict[str, Any] | None = None) -> dict[str, Any]:
    """The template's data: the SSP's sections, its controls and one tally of them, the POA&M summary
    (with ``findings``, the engine's finding states the POA&M does not hold: scc.writers._poam_view).
    ``poam_summary``, when given, is that summary made already (scc.writers.oscal_poam.poam_summary,
    without the whole POA&M document) and ``poam`` is not read."""
    plan = ssp.get("system-security-plan", ssp)
    all_notes = list(notes)
    metadata = plan.get("metadata") or {}
    characteristics = plan.get("system-characteristics") or {}
    implementation = plan.get("system-implementation") or {}
    resources = resource_titles(plan.get("back-matter") or {})
    components = {str(c.get("uuid")): c for c in implementation.get("components") or []}
    controls = [_control(r, components, resources, control_text)
                for r in (plan.get("control-implementation") or {}).get("implemented-requirements") or []]
    return {
        "marking": clip(marking, 200),
        "document": _document(plan, metadata),
        "system": _system(characteristics),
        "roles": _roles(metadata),
        "users": [_user(u) for u in implementation.get("users") or []],
        "components": [_component(c) for c in components.values() if c.get("type") != "interconnection"],
        "interconnections": [_component(c) for c in components.values() if c.get("type") == "interconnection"],
        "ports": _ports(components.values()),
        "leveraged": _leveraged(implementation, metadata, components.values()),
        "control_description": text((plan.get("control-implementation") or {}).get("description")),
        "controls": controls,
        "tally": tally(controls),
        "poam": poam_summary if poam_summary is not None else poam_view(poam, findings) if poam else None,
        "revisions": [_revision(r) for r in metadata.get("revisions") or []],
        "approvers": _parties_of(metadata, "authorizing-official"),
        "notes": [clip(n, 500) for n in all_notes[:MAX_NOTES]],
        "notes_more": max(0, len(all_notes) - MAX_NOTES),
        "resources": [_resource(r) for r in (plan.get("back-matter") or {}).get("resources") or []],
    }


def _resource(resource: dict[str, Any]) -> dict[str, Any]:
    """A back-matter resource: what a link or citation in the plan points at, with its digests."""
    rlinks = resource.get("rlinks") or []
    return {"title": text(resource.get("title"), 500), "description": text(resource.get("description"), 1000, ""),
            "hrefs": [clip(r.get("href"), 500) for r in rlinks if r.get("href")],
            "hashes": [f"{h.get('algorithm')}: {h.get('value')}" for r in rlinks for h in r.get("hashes") or []]}


def _document(plan: dict[str, Any], metadata: dict[str, Any]) -> dict[str, Any]:
    profile = plan.get("import-profile") or {}
    return {
        "uuid": text(plan.get("uuid")), "title": text(metadata.get("title"), 300),
        "published": text(metadata.get("published")), "last_modified": text(metadata.get("last-modified")),
        "version": text(metadata.get("version")), "oscal_version": text(metadata.get("oscal-version")),
        "profile": text(profile.get("href"), 500), "profile_remarks": text(profile.get("remarks"), 1000, ""),
        "props": props_except(metadata, ("marking",)), "remarks": text(metadata.get("remarks"), 2000, ""),
    }


def _system(sc: dict[str, Any]) -> dict[str, Any]:
    info = sc.get("system-information") or {}
    impact = sc.get("security-impact-level") or {}
    status = sc.get("status") or {}
    return {
        "name": text(sc.get("system-name"), 300), "short_name": text(sc.get("system-name-short"), 100, ""),
        "ids": [(text(i.get("identifier-type"), 300, "(type not stated)"), text(i.get("id"), 300))
                for i in sc.get("system-ids") or []],
        "description": text(sc.get("description")),
        "sensitivity": _fips(sc.get("security-sensitivity-level")),
        "impact": [(objective.title(), _fips(impact.get(f"security-objective-{objective}")))
                   for objective in ("confidentiality", "integrity", "availability")],
        "information_types": [_information_type(t) for t in info.get("information-types") or []],
        "status": text(status.get("state")), "status_remarks": text(status.get("remarks"), 1000, ""),
        "boundary": _described(sc.get("authorization-boundary")),
        "network": _described(sc.get("network-architecture")),
        "data_flow": _described(sc.get("data-flow")),
        "props": props_except(sc, ()),
    }


def _fips(value: object) -> str:
    level = text(value)
    return level.removeprefix("fips-199-").title() if level.startswith("fips-199-") else level


def _described(node: dict[str, Any] | None) -> str:
    return text((node or {}).get("description")) if node is not None else ABSENT


def _information_type(info: dict[str, Any]) -> dict[str, Any]:
    ids = [i for c in info.get("categorizations") or [] for i in c.get("information-type-ids") or []]

    def level(objective: str) -> str:
        node = info.get(f"{objective}-impact") or {}
        selected, base = _fips(node.get("selected")), _fips(node.get("base"))
        return selected if selected == base or base == ABSENT else f"{selected} (base {base})"

    return {"title": text(info.get("title"), 300), "ids": ", ".join(ids) or ABSENT,
            "description": text(info.get("description"), 1000),
            "levels": [level(o) for o in ("confidentiality", "integrity", "availability")]}


def _party_names(metadata: dict[str, Any]) -> dict[str, str]:
    return {p.get("uuid"): text(p.get("name"), 300) + (f" <{p['email-addresses'][0]}>" if p.get("email-addresses") else "")
            for p in metadata.get("parties") or []}


def _parties_of(metadata: dict[str, Any], role_id: str) -> list[str]:
    names = _party_names(metadata)
    return [names.get(uuid, f"party {uuid} (not among the SSP's parties)")
            for rp in metadata.get("responsible-parties") or [] if rp.get("role-id") == role_id
            for uuid in rp.get("party-uuids") or []]


def _roles(metadata: dict[str, Any]) -> list[dict[str, Any]]:
    titles = {r.get("id"): text(r.get("title"), 200) for r in metadata.get("roles") or []}
    rows = [{"role": title, "id": role_id, "parties": _parties_of(metadata, role_id)} for role_id, title in KEY_ROLES]
    named = {role_id for role_id, _ in KEY_ROLES}
    for rp in metadata.get("responsible-parties") or []:
        role_id = rp.get("role-id")
        if role_id not in named:
            named.add(role_id)
            rows.append({"role": titles.get(role_id, role_id), "id": role_id, "parties": _parties_of(metadata, role_id)})
    return rows


def _user(user: dict[str, Any]) -> dict[str, Any]:
    return {"title": text(user.get("title"), 300), "type": ", ".join(prop_values(user, "type")) or ABSENT,
            "privilege": ", ".join(prop_values(user, "privilege-level")) or ABSENT,
            "roles": ", ".join(user.get("role-ids") or []) or ABSENT,
            "privileges": "; ".join(text(p.get("title"), 300) for p in user.get("authorized-privileges") or []) or ABSENT}


def _component(component: dict[str, Any]) -> dict[str, Any]:
    return {"title": text(component.get("title"), 300), "type": text(component.get("type"), 100),
            "description": text(component.get("description")),
            "status": text((component.get("status") or {}).get("state")),
            "props": props_except(component, ())}


def _ports(components: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    rows = []
    for component in components:
        for protocol in component.get("protocols") or []:
            ranges = protocol.get("port-ranges") or [{}]
            for span in ranges:
                start, end = span.get("start"), span.get("end")
                port = ABSENT if start is None else (f"{start}" if end in (None, start) else f"{start}-{end}")
                rows.append({"component": text(component.get("title"), 300), "port": port,
                             "transport": text(span.get("transport"), 20), "service": text(protocol.get("name"), 100),
                             "purpose": text(protocol.get("title"), 500)})
    return rows


def _leveraged(implementation: dict[str, Any], metadata: dict[str, Any],
               components: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    names = _party_names(metadata)
    services: dict[str, list[str]] = {}
    for component in components:
        for uuid in prop_values(component, "leveraged-authorization-uuid"):
            services.setdefault(uuid, []).append(text(component.get("title"), 300))
    return [{"title": text(la.get("title"), 300), "party": names.get(la.get("party-uuid"), text(la.get("party-uuid"))),
             "date": text(la.get("date-authorized")), "props": props_except(la, ()),
             "services": services.get(la.get("uuid"), []), "remarks": text(la.get("remarks"), 1000, "")}
            for la in implementation.get("leveraged-authorizations") or []]


def _revision(revision: dict[str, Any]) -> dict[str, str]:
    return {"version": text(revision.get("version"), 100),
            "date": text(revision.get("published") or revision.get("last-modified"), 40),
            "title": text(revision.get("title"), 300, ""), "remarks": text(revision.get("remarks"), 1000, "")}


# -- controls ---------------------------------------------------------------------------------------


def _control(requirement: dict[str, Any], components: dict[str, dict[str, Any]], resources: dict[str, str],
             control_text: ControlText | None) -> dict[str, Any]:
    control_id = text(requirement.get("control-id"), 40)
    official = control_text(control_id) if control_text else None
    parts = [_part(control_id, s.get("statement-id"), s.get("by-components") or [], components, resources)
             for s in requirement.get("statements") or []]
    if requirement.get("by-components"):
        parts.insert(0, _part(control_id, None, requirement["by-components"], components, resources))
    states = sorted({bc["status"] for p in parts for bc in p["by_components"] if bc["status"] != ABSENT})
    status = ", ".join(prop_values(requirement, *STATUS_PROPS)) or " / ".join(states) or NO_STATUS
    return {
        "id": control_id, "label": official[0] if official else control_label(control_id),
        "title": official[1] if official else "", "statement": official[2] if official else "",
        "status": status,
        "responsibility": ", ".join(prop_values(requirement, *RESPONSIBILITY_PROPS)) or _bc_responsibility(parts),
        "parameters": _parameters(requirement, parts),
        "parts": parts,
        "props": props_except(requirement, (*STATUS_PROPS, *RESPONSIBILITY_PROPS)),
        "links": [_link(link, resources) for link in requirement.get("links") or []],
        "remarks": text(requirement.get("remarks"), 2000, ""),
    }


def _part(control_id: str, statement_id: str | None, by_components: list[dict[str, Any]],
          components: dict[str, dict[str, Any]], resources: dict[str, str]) -> dict[str, Any]:
    label = ""
    if statement_id:
        label = statement_id.split("_smt", 1)[1].lstrip(".") if "_smt" in statement_id else statement_id
    return {"label": label, "heading": f"Part {label}" if label else "The control as a whole",
            "statement_id": text(statement_id, 80, ""),
            "by_components": [_by_component(bc, components, resources) for bc in by_components]}


def _by_component(bc: dict[str, Any], components: dict[str, dict[str, Any]], resources: dict[str, str]) -> dict[str, Any]:
    component = components.get(str(bc.get("component-uuid"))) or {}
    state = (bc.get("implementation-status") or {}).get("state") or ", ".join(prop_values(bc, *STATUS_PROPS))
    responsibility = ", ".join(prop_values(bc, *RESPONSIBILITY_PROPS))
    if not responsibility and bc.get("inherited"):
        responsibility = "inherited"
    if not responsibility and (bc.get("export") or {}).get("responsibilities"):
        responsibility = "shared (customer responsibilities exported)"
    return {
        "component": text(component.get("title"), 300, f"component {bc.get('component-uuid')} (not in the SSP)"),
        "description": text(bc.get("description")), "status": clip(state, 60) or ABSENT,
        "responsibility": clip(responsibility, 100) or ABSENT,
        "remarks": text(bc.get("remarks"), 2000, ""),
        "links": [_link(link, resources) for link in bc.get("links") or []],
        "props": props_except(bc, (*STATUS_PROPS, *RESPONSIBILITY_PROPS)),
    }


def _link(link: dict[str, Any], resources: dict[str, str]) -> str:
    href = str(link.get("href") or "")
    target = resources.get(href[1:], "") if href.startswith("#") else ""
    label = text(link.get("text"), 300, "") or target or clip(href, 400)
    return f"{link['rel']}: {label}" if link.get("rel") else label


def _bc_responsibility(parts: list[dict[str, Any]]) -> str:
    found = sorted({bc["responsibility"] for p in parts for bc in p["by_components"] if bc["responsibility"] != ABSENT})
    return ", ".join(found) or ABSENT


def _parameters(requirement: dict[str, Any], parts: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Every set-parameters entry of the requirement and its by-components, in document order, once each."""
    entries = list(requirement.get("set-parameters") or [])
    for node in [*(requirement.get("by-components") or []),
                 *(bc for s in requirement.get("statements") or [] for bc in s.get("by-components") or [])]:
        entries.extend(node.get("set-parameters") or [])
    seen: dict[tuple[str, str], None] = {}
    for entry in entries:
        values = "; ".join(clip(v, 500) for v in entry.get("values") or []) or ABSENT
        seen.setdefault((text(entry.get("param-id"), 80), values), None)
    return list(seen)


def tally(controls: list[dict[str, Any]]) -> dict[str, Any]:
    """The one count of the plan's controls every section prints: total, by status, responsibility, family."""
    families: dict[str, Counter[str]] = {}
    for c in controls:
        family = c["id"].split("-")[0].upper() or "?"
        families.setdefault(family, Counter())[c["status"]] += 1
    statuses = Counter(c["status"] for c in controls)
    return {
        "total": len(controls),
        "by_status": sorted(statuses.items(), key=lambda kv: (kv[0] == NO_STATUS, kv[0])),
        "by_responsibility": sorted(Counter(c["responsibility"] for c in controls).items()),
        "statuses": [s for s, _ in sorted(statuses.items(), key=lambda kv: (kv[0] == NO_STATUS, kv[0]))],
        "families": [(f, sum(n.values()), n) for f, n in families.items()],
        "with_parameters": sum(1 for c in controls if c["parameters"]),
        "attested": sum(1 for c in controls if any(name == "attested" for name, _ in c["props"])),
    }
