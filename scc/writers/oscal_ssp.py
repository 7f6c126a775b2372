"""OSCAL 1.2 system-security-plan (ssp.json): the system profile, the assessment and the chosen baseline.

:func:`build_ssp` returns the SSP as a plain OSCAL JSON dict (``{"system-security-plan": {...}}``) so
another writer (the PDF SSP) renders the same model. What the system profile does not give is written
as "not provided", never invented; what scc's rules decided is written as the verdict states it. The
control-implementation (one implemented-requirement per baseline control) is built in
:mod:`scc.writers._ssp_controls`; FedRAMP metadata and props come from :mod:`scc.writers._fedramp`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scc.clock import iso
from scc.profile import NOT_PROVIDED, ROLES
from scc.writers._json import indented_json
from scc.writers._oscal_common import (
    input_resources,
    metadata,
    one_line,
    provenance_resources,
    text_block,
)
from scc.writers._ssp_common import (
    compact,
    fedramp_chosen,
    kept,
    nv,
    party_uuid,
    plain,
    system_name,
    user_role_id,
)
from scc.writers.interface import Writer

if TYPE_CHECKING:
    from scc.profile import SystemProfile
    from scc.report import Report

SP800_60 = "https://doi.org/10.6028/NIST.SP.800-60v2r1"
RFC4122 = "https://ietf.org/rfc/rfc4122"


# -- metadata -------------------------------------------------------------------------------------
def ssp_metadata(assessment: Report) -> dict[str, Any]:
    profile = assessment.profile
    name = system_name(assessment)
    data = plain(metadata(assessment, f"System Security Plan for {name}"))
    props = data.setdefault("props", [])
    props.append({"name": "marking", "value": marking(assessment)})
    props.append(nv("system-profile", profile.source or NOT_PROVIDED))
    parties = data.setdefault("parties", [])
    for party in profile.parties:
        parties.append(compact({"uuid": party_uuid(assessment, party.key), "type": party.type, "name": one_line(party.name),
                                "email-addresses": [one_line(party.email)] if party.email else None}))
    data["roles"] = roles(profile)
    responsible = [{"role-id": ROLES[key][0], "party-uuids": [party_uuid(assessment, p) for p in keys]}
                   for key, keys in profile.roles]
    if responsible:
        data["responsible-parties"] = responsible
    revisions = [compact({"title": one_line(r.description or f"Version {r.version}"),
                          "published": f"{r.date}T00:00:00Z", "version": one_line(r.version),
                          "remarks": text_block(f"Author: {r.author}") if r.author else None})
                 for r in profile.version_history]
    if revisions:
        data["revisions"] = revisions
    if not data["parties"]:
        del data["parties"]
    from scc.writers._ssp_controls import import_profile

    remarks = str(import_profile(assessment)["remarks"])
    if "could not be loaded" in remarks:
        data["remarks"] = text_block(remarks)
    return dict(data)


def marking(assessment: Report) -> str:
    """The classification / CUI marking: the profile's, else the one given on the command line."""
    given = assessment.profile.marking or assessment.settings.marking
    return one_line(given, fallback=NOT_PROVIDED)


def roles(profile: SystemProfile) -> list[dict[str, Any]]:
    """The SP 800-18 roles (always listed; 'not provided' says which the profile leaves unnamed) and users' roles."""
    named = {key for key, keys in profile.roles if keys}
    out = [compact({"id": rid, "title": title,
                    "description": None if key in named else f"{NOT_PROVIDED}: the system profile names no {title}."})
           for key, (rid, title) in ROLES.items()]
    known = {r["id"] for r in out}
    for user in profile.users:
        rid = user_role_id(user.role)
        if rid and rid not in known:
            known.add(rid)
            out.append({"id": rid, "title": one_line(user.role)})
    return out


# -- system-characteristics -----------------------------------------------------------------------


def system_characteristics(assessment: Report) -> dict[str, Any]:
    profile = assessment.profile
    sensitivity = profile.sensitivity()
    image = one_line(assessment.facts.identity.reference)
    node = {
        "system-ids": [system_id(assessment)],
        "system-name": system_name(assessment),
        "system-name-short": one_line(profile.short_name) if profile.short_name else None,
        "description": text_block(profile.description or
                                  f"{NOT_PROVIDED}: the system profile gives no system description. "
                                  f"This plan covers the container image {image} assessed by scc."),
        "props": kept(nv("system-id-source", "system profile" if profile.id else
                         f"{NOT_PROVIDED}: the system profile gives no system.id; scc generated this identifier")),
        "security-sensitivity-level": f"fips-199-{sensitivity}" if sensitivity else None,
        "system-information": {"information-types": information_types(assessment)},
        "security-impact-level": impact_level(profile),
        "status": status(profile),
        "authorization-boundary": {"description": text_block(
            profile.authorization_boundary or f"{NOT_PROVIDED}: the system profile does not describe the "
                                              "authorization boundary.")},
        "network-architecture": {"description": text_block(profile.environment)} if profile.environment else None,
        "data-flow": {"description": text_block(profile.data_flow)} if profile.data_flow else None,
        "remarks": None if sensitivity else text_block(
            f"{NOT_PROVIDED}: the system profile gives no FIPS 199 categorisation (information types), so no "
            "security sensitivity or impact level is stated."),
    }
    return compact(node)


def system_id(assessment: Report) -> dict[str, str]:
    profile = assessment.profile
    if profile.id:
        default_type = "https://fedramp.gov" if fedramp_chosen(assessment) else RFC4122
        return {"identifier-type": profile.id_type or default_type, "id": one_line(profile.id)}
    return {"identifier-type": RFC4122, "id": assessment.uuid("system-id")}


def information_types(assessment: Report) -> list[dict[str, Any]]:
    profile = assessment.profile
    if not profile.information_types:
        return [{"uuid": assessment.uuid("information-type", NOT_PROVIDED), "title": NOT_PROVIDED,
                 "description": f"{NOT_PROVIDED}: the system profile lists no SP 800-60 information types."}]
    out = []
    for info in profile.information_types:
        out.append({
            "uuid": assessment.uuid("information-type", info.id, info.title),
            "title": one_line(info.title),
            "description": text_block(info.description or f"SP 800-60 information type {info.id}."),
            "categorizations": [{"system": SP800_60, "information-type-ids": [info.id]}],
            **{f"{o}-impact": {"base": f"fips-199-{getattr(info, o)}", "selected": f"fips-199-{getattr(info, o)}"}
               for o in ("confidentiality", "integrity", "availability")},
        })
    return out


def impact_level(profile: SystemProfile) -> dict[str, str] | None:
    levels = {o: profile.impact(o) for o in ("confidentiality", "integrity", "availability")}
    if not all(levels.values()):
        return None
    return {f"security-objective-{o}": f"fips-199-{level}" for o, level in levels.items()}


def status(profile: SystemProfile) -> dict[str, str]:
    if profile.status:
        return {"state": profile.status}
    return {"state": "other", "remarks": f"{NOT_PROVIDED}: the system profile gives no operational status."}


# -- system-implementation ------------------------------------------------------------------------
def system_implementation(assessment: Report) -> dict[str, Any]:
    from scc.writers._ssp_parts import components, leveraged_authorizations, users

    profile = assessment.profile
    missing = [what for what, given in (("users", profile.users), ("interconnections", profile.interconnections),
                                        ("ports, protocols and services", profile.ports),
                                        ("leveraged authorizations", profile.leveraged)) if not given]
    return compact({
        "leveraged-authorizations": leveraged_authorizations(assessment),
        "users": users(assessment),
        "components": components(assessment),
        "remarks": text_block(f"{NOT_PROVIDED} in the system profile: {', '.join(missing)}.") if missing else None,
    })


# -- the document ---------------------------------------------------------------------------------
def build_ssp(assessment: Report) -> dict[str, Any]:
    """The OSCAL system-security-plan as a JSON-ready dict (``{"system-security-plan": {...}}``).

    Deterministic: every uuid comes from ``assessment.uuid`` and every time from ``assessed_at``.
    """
    from scc.writers._fedramp import apply_fedramp
    from scc.writers._ssp_controls import baseline_resource, control_implementation, import_profile

    resources = [plain(r) for r in (*input_resources(assessment), *provenance_resources(assessment))]
    resources.append(baseline_resource(assessment))
    root: dict[str, Any] = {
        "uuid": assessment.uuid("system-security-plan"),
        "metadata": ssp_metadata(assessment),
        "import-profile": import_profile(assessment),
        "system-characteristics": system_characteristics(assessment),
        "system-implementation": system_implementation(assessment),
        "control-implementation": control_implementation(assessment),
        "back-matter": {"resources": resources},
    }
    root["metadata"]["last-modified"] = iso(assessment.assessed_at)
    document = {"system-security-plan": root}
    apply_fedramp(document, assessment)
    return document


class OscalSspWriter(Writer):
    name = "oscal-ssp"
    filename = "ssp.json"
    media_type = "application/oscal.ssp+json"
    order = 13
    format = "oscal-ssp"

    def render(self, assessment: Report) -> bytes:
        return indented_json(build_ssp(assessment))


WRITER = OscalSspWriter()
