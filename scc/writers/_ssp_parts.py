"""The SSP's system-implementation: users, this system, this image, leveraged systems, interconnections
and the profile's ports/protocols/services (as service components carrying OSCAL protocols)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scc.profile import NOT_PROVIDED
from scc.writers._oscal_common import one_line, text_block
from scc.writers._ssp_common import (
    COMPONENT_STATES,
    FEDRAMP_NS,
    compact,
    component_uuid,
    fedramp_chosen,
    kept,
    nv,
    party_uuid,
    system_name,
    user_role_id,
)

if TYPE_CHECKING:
    from scc.profile import Interconnection, LeveragedAuthorization
    from scc.report import Report


def leveraged_uuid(assessment: Report, name: str) -> str:
    return assessment.uuid("ssp-leveraged-authorization", name)


def leveraged_authorizations(assessment: Report) -> list[dict[str, Any]] | None:
    """OSCAL requires a party and a date for each; an entry without them is kept only as a component."""
    out = [{"uuid": leveraged_uuid(assessment, x.name), "title": one_line(x.name),
            "party-uuid": party_uuid(assessment, x.party), "date-authorized": x.date_authorized}
           for x in assessment.profile.leveraged if x.party and x.date_authorized]
    return out or None


def users(assessment: Report) -> list[dict[str, Any]] | None:
    out = []
    for user in assessment.profile.users:
        rid = user_role_id(user.role)
        out.append(compact({
            "uuid": assessment.uuid("ssp-user", user.title, user.role or ""),
            "title": one_line(user.title),
            "role-ids": [rid] if rid else None,
            "authorized-privileges": [{"title": one_line(user.privileges, limit=200),
                                       "functions-performed": [one_line(user.privileges)]}]
            if user.privileges else None,
            "remarks": None if user.privileges else f"Privileges: {NOT_PROVIDED}.",
        }))
    return out or None


def component_state(assessment: Report) -> str:
    state = assessment.profile.status
    return state if state in COMPONENT_STATES else "other"


def this_system(assessment: Report) -> dict[str, Any]:
    profile = assessment.profile
    return compact({
        "uuid": component_uuid(assessment, "this-system"),
        "type": "this-system",
        "title": system_name(assessment),
        "description": text_block(profile.description or f"The entire system within the authorization boundary "
                                                          f"({NOT_PROVIDED}: no system description in the profile)."),
        "status": {"state": component_state(assessment)},
    })


def image_component(assessment: Report) -> dict[str, Any]:
    """This image as a software component, with the image identity and input counts as props."""
    from scc.writers.oscal_component import image_props

    identity = assessment.facts.identity
    image_props_list = [p.model_dump(by_alias=True, exclude_none=True, mode="json")
                        for p in image_props(assessment) or []]
    if fedramp_chosen(assessment):
        image_props_list.append({"name": "asset-type", "value": "container-image"})
    ports = assessment.facts.config.exposed_ports if assessment.facts.config is not None else ()
    return compact({
        "uuid": component_uuid(assessment, "image", identity.reference),
        "type": "software",
        "title": one_line(identity.reference, limit=500),
        "description": text_block(
            f"Container image {one_line(identity.reference)} assessed by scc from {len(assessment.facts.inputs)} "
            "input document(s). Its evidence and verdicts are stated per control in the control-implementation; "
            "every cited input is a back-matter resource with its SHA-256."),
        "purpose": "Container image whose facts evidence NIST SP 800-53 rev5 controls.",
        "props": image_props_list or None,
        "status": {"state": component_state(assessment)},
        "protocols": [protocol(assessment, p, "image") for p in ports] or None,
        "remarks": "Exposed ports are those the image configuration declares (EXPOSE); they say nothing about "
                   "what the deployment allows." if ports else None,
    })


def protocol(assessment: Report, exposed: str, owner: str) -> dict[str, Any]:
    """An image EXPOSE entry ('8443/tcp') as an OSCAL protocol."""
    port, _, transport = exposed.partition("/")
    number = int(port) if port.isdigit() else 0
    return {"uuid": assessment.uuid("ssp-protocol", owner, exposed), "name": one_line(transport or "tcp").lower(),
            "title": f"Exposed port {one_line(exposed)}",
            "port-ranges": [{"start": number, "end": number, "transport": (transport or "tcp").upper()}]}


def service_components(assessment: Report) -> list[dict[str, Any]]:
    """The profile's ports/protocols/services, one service component each (FedRAMP's template shape)."""
    system = component_uuid(assessment, "this-system")
    out = []
    for item in assessment.profile.ports:
        start, _, end = item.port.partition("-")
        key = f"{item.port}/{item.transport}/{item.service}"
        out.append(compact({
            "uuid": component_uuid(assessment, "service", key),
            "type": "service",
            "title": one_line(f"{item.service} ({item.port}/{item.transport})"),
            "description": text_block(item.purpose or f"Purpose: {NOT_PROVIDED}."),
            "purpose": one_line(item.purpose) if item.purpose else None,
            "props": kept({"name": "asset-type", "value": "service"} if fedramp_chosen(assessment) else None),
            "links": [{"href": system, "rel": "used-by"}],       # a component uuid, as FedRAMP's template
            "status": {"state": component_state(assessment)},
            "protocols": [{"uuid": assessment.uuid("ssp-protocol", key), "name": one_line(item.service).lower(),
                           "title": one_line(item.service),
                           "port-ranges": [{"start": int(start), "end": int(end or start),
                                            "transport": item.transport}]}],
        }))
    return out


def leveraged_component(assessment: Report, item: LeveragedAuthorization) -> dict[str, Any]:
    authorized = bool(item.party and item.date_authorized)
    missing = [w for w, v in (("party", item.party), ("date authorized", item.date_authorized)) if not v]
    controls = ", ".join(c.upper() for c in item.controls) or NOT_PROVIDED
    return compact({
        "uuid": component_uuid(assessment, "leveraged", item.name),
        "type": "leveraged-system",
        "title": one_line(item.name),
        "description": text_block(f"{item.description or 'Leveraged authorization.'}\n\n"
                                  f"Controls it provides (system profile): {controls}."),
        "props": kept({"name": "leveraged-authorization-uuid", "value": leveraged_uuid(assessment, item.name)}
                      if authorized else None,
                      {"name": "asset-type", "value": "leveraged-system"} if fedramp_chosen(assessment) else None,
                      {"name": "implementation-point", "value": "external"}),
        "status": {"state": "operational"},
        "remarks": f"{NOT_PROVIDED} in the system profile: {', '.join(missing)}." if missing else None,
    })


def interconnection_component(assessment: Report, item: Interconnection) -> dict[str, Any]:
    return compact({
        "uuid": component_uuid(assessment, "interconnection", item.name),
        "type": "interconnection",
        "title": one_line(item.name),
        "description": text_block(item.description or f"Description: {NOT_PROVIDED}."),
        "props": kept({"name": "direction", "value": item.direction} if item.direction else None,
                      {"name": "interconnection-direction", "ns": FEDRAMP_NS, "value": item.direction}
                      if item.direction and fedramp_chosen(assessment) else None,
                      nv("remote-system", item.remote_system),
                      {"name": "asset-type", "value": "interconnection"} if fedramp_chosen(assessment) else None),
        "status": {"state": component_state(assessment)},
        "remarks": "; ".join(f"{w}: {NOT_PROVIDED}" for w, v in (
            ("direction", item.direction), ("remote system", item.remote_system)) if not v) or None,
    })


def components(assessment: Report) -> list[dict[str, Any]]:
    profile = assessment.profile
    system = this_system(assessment)
    if fedramp_chosen(assessment):
        system["props"] = [{"name": "asset-type", "value": "system"}]
    return [system, image_component(assessment),
            *(leveraged_component(assessment, x) for x in profile.leveraged),
            *(interconnection_component(assessment, x) for x in profile.interconnections),
            *service_components(assessment)]


__all__ = ["FEDRAMP_NS", "components", "leveraged_authorizations", "users"]
