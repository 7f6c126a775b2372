"""FedRAMP metadata and props for every OSCAL document scc writes when a FedRAMP baseline is chosen.

One function, :func:`apply_fedramp`, works on the serialised OSCAL dict (``{"<model>": {...}}``), so
any writer (component definition, assessment results, POA&M, the SSP writer) gets the same FedRAMP
additions by calling it on its document before dumping; ``_oscal_common.dump`` already does. It
follows FedRAMP's own OSCAL templates (GSA/fedramp-automation, FedRAMP-POAM/SAR/SSP-OSCAL-Template):

* metadata: ``fedramp-version`` (ns FedRAMP, the release the chosen FedRAMP profile states), a
  ``marking`` prop, ``published`` (the assessment time), the roles the templates name
  (prepared-by, prepared-for, cloud-service-provider, information-system-security-officer) with
  responsible-parties pointing at the organisation scc was told of, else at a party literally named
  "not provided" — never an invented name;
* POA&M items: ``POAM-ID`` (ns FedRAMP, ``V-`` and the first hex digits of the item's uuid, which
  scc derives from the finding or weakness and the image name, not the run: the same item keeps its
  POAM-ID from run to run, and a fixed item's id is never given to another);
* risks: ``impacted-control-id`` (ns FedRAMP) for each control the risk's item names;
* observations: ``collected`` kept as the original detection date scc recorded;
* observations and risks: scc itself as the origin actor (``type: tool``), a software component in
  the document's local-definitions, as FedRAMP's POA&M template names its scanning tool.

Nothing is added for NIST baselines: :func:`apply_fedramp` returns the document unchanged.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scc.report import Report

FEDRAMP_NS = "https://fedramp.gov/ns/oscal"
NOT_PROVIDED = "not provided"
#: the roles FedRAMP's POA&M / SAR / SSP templates name in metadata
ROLES = (
    ("prepared-by", "Prepared By"),
    ("prepared-for", "Prepared For"),
    ("cloud-service-provider", "Cloud Service Provider"),
    ("information-system-security-officer", "System Information System Security Officer (or Equivalent)"),
)


def fedramp_version(report: Report) -> str:
    """The release the chosen FedRAMP profile states (e.g. 'fedramp2.1.0-oscal1.0.4'), or 'not provided'."""
    baseline = report.content.baseline(report.settings.baseline)
    return (baseline.version or NOT_PROVIDED) if baseline is not None else NOT_PROVIDED


def apply_fedramp(document: dict[str, Any], report: Report) -> dict[str, Any]:
    """Add FedRAMP metadata/props to one serialised OSCAL document when the baseline is FedRAMP's."""
    from scc.content.registry import is_fedramp

    if not is_fedramp(report.settings.baseline):
        return document
    root = next(iter(document.values()))
    _metadata(root["metadata"], report)
    risks = {risk["uuid"]: risk for risk in root.get("risks") or []}
    observations = {obs["uuid"]: obs for obs in root.get("observations") or []}
    _tool_origins(root, report)
    for item in root.get("poam-items") or []:
        _item_additions(item, risks, observations)
    return document


def apply_fedramp_weakness(observation: dict[str, Any], risk: dict[str, Any], item: dict[str, Any],
                           tool_uuid: str) -> None:
    """What :func:`apply_fedramp` adds to one weakness of a POA&M (its observation, risk and poam-item, which
    refer to each other only), for a writer that builds the weaknesses one at a time; the document's own
    additions are :func:`apply_fedramp` on it without them and :func:`add_tool_component`."""
    for node in (observation, risk):
        _add_origin(node, tool_uuid)
    _item_additions(item, {risk["uuid"]: risk}, {observation["uuid"]: observation})


def _item_additions(item: dict[str, Any], risks: dict[str, dict[str, Any]],
                    observations: dict[str, dict[str, Any]]) -> None:
    """A poam-item's POAM-ID, its controls on its risks, its first detection on its observations."""
    _add_prop(item, "POAM-ID", poam_id(item["uuid"]))
    for related in item.get("related-risks") or []:
        risk = risks.get(related.get("risk-uuid"))
        if risk is None:
            continue
        for control_id in _controls_of(item):
            _add_prop(risk, "impacted-control-id", control_id)
    first = _scc_prop(item, "first-detected")
    for related in item.get("related-observations") or []:
        observation = observations.get(related.get("observation-uuid"))
        if observation is not None and first:
            observation["collected"] = first    # FedRAMP: collected = the original detection date


def poam_id(item_uuid: str) -> str:
    """A FedRAMP POAM-ID from the item's run-independent uuid: 'V-' and its first 10 hex digits."""
    return "V-" + item_uuid.replace("-", "")[:10].upper()


def tool_uuid(report: Report) -> str:
    """The uuid of scc as the tool component that originated a document's observations and risks."""
    return report.uuid("component", "scc-tool")


def _tool_origins(root: dict[str, Any], report: Report) -> None:
    """scc as the tool that originated every observation and risk (POA&M root, AR results)."""
    tool = tool_uuid(report)
    holders = [root, *(root.get("results") or [])] if "results" in root else [root]
    for holder in holders:
        observed = [*(holder.get("observations") or []), *(holder.get("risks") or [])]
        if not observed or holder is root and "results" in root:
            continue
        add_tool_component(holder, report)
        for node in observed:
            _add_origin(node, tool)


def add_tool_component(holder: dict[str, Any], report: Report) -> None:
    """scc as a software component in ``holder``'s local-definitions (once)."""
    tool = tool_uuid(report)
    components = holder.setdefault("local-definitions", {}).setdefault("components", [])
    if not any(c.get("uuid") == tool for c in components):
        components.append({
            "uuid": tool, "type": "software", "title": f"scc {report.scc_version}",
            "description": "The tool that read the image's evidence and wrote this document's observations and risks.",
            "props": [{"name": "name", "ns": FEDRAMP_NS, "value": "scc"},
                      {"name": "version", "value": report.scc_version}],
            "status": {"state": "operational"}})


def _add_origin(node: dict[str, Any], tool: str) -> None:
    origins = node.setdefault("origins", [])
    if not any(a.get("actor-uuid") == tool for o in origins for a in o.get("actors", [])):
        origins.append({"actors": [{"type": "tool", "actor-uuid": tool}]})


def _scc_prop(node: dict[str, Any], name: str) -> str:
    return next((str(p["value"]) for p in node.get("props") or [] if p.get("name") == name
                 and p.get("ns") != FEDRAMP_NS), "")


def _add_prop(node: dict[str, Any], name: str, value: str) -> None:
    if "props" not in node:
        _insert_props(node)
    node["props"].append({"name": name, "ns": FEDRAMP_NS, "value": value})


#: the members OSCAL places before props in the objects FedRAMP props are added to (items, risks)
_BEFORE_PROPS = ("uuid", "title", "description", "statement")


def _insert_props(node: dict[str, Any]) -> None:
    """Give ``node`` an empty props array where OSCAL's member order puts it (after title, description,
    statement), in place: other objects hold references to this dict."""
    members = list(node.items())
    cut = 0
    while cut < len(members) and members[cut][0] in _BEFORE_PROPS:
        cut += 1
    node.clear()
    node.update(members[:cut])
    node["props"] = []
    node.update(members[cut:])


def _controls_of(risk: dict[str, Any]) -> list[str]:
    """Control ids scc already recorded on the item (its scc 'control' props), lower case, in order."""
    seen: dict[str, None] = {}
    for item in risk.get("props") or []:
        if item.get("name") in ("control", "control-id") and item.get("ns") != FEDRAMP_NS:
            seen.setdefault(str(item["value"]).lower(), None)
    return list(seen)


def _metadata(metadata: dict[str, Any], report: Report) -> None:
    from scc.clock import iso

    metadata["published"] = iso(report.assessed_at)
    props = metadata.setdefault("props", [])
    props.append({"name": "fedramp-version", "ns": FEDRAMP_NS, "value": fedramp_version(report)})
    marking = " ".join(report.settings.marking.split()) or NOT_PROVIDED
    if not any(p.get("name") == "marking" for p in props):      # the SSP states its own (system profile)
        props.append({"name": "marking", "value": marking})
    organization = " ".join(report.settings.organization.split())
    party_uuid = report.uuid("party", organization or NOT_PROVIDED)
    parties = metadata.setdefault("parties", [])
    if not any(p.get("uuid") == party_uuid for p in parties):
        parties.append({"uuid": party_uuid, "type": "organization", "name": organization or NOT_PROVIDED})
    roles = metadata.setdefault("roles", [])
    known = {role["id"] for role in roles}
    roles.extend({"id": rid, "title": title} for rid, title in ROLES if rid not in known)
    responsible = metadata.setdefault("responsible-parties", [])
    named = {r["role-id"] for r in responsible}                 # roles the system profile already fills
    responsible.extend({"role-id": rid, "party-uuids": [party_uuid]} for rid, _ in ROLES if rid not in named)
