"""The PDF SSP's POA&M summary, read from an OSCAL plan-of-action-and-milestones document (and, where the
POA&M cannot say it, from the engine's finding states handed in with it).

Sized for people: the SSP summarises the items (counts by severity and state, by kind, the packages with
the most open findings) and lists a bounded number in full: the ``MOST_SEVERE`` most severe items and the
overdue ones (up to ``OVERDUE_CAP``, most overdue first), then says how many more the POA&M holds. Its
length does not grow with the number of findings beyond that bound; the POA&M and poam.xlsx hold them all.

Every row is one POA&M item (its id: FedRAMP's POAM-ID prop where present, title, the controls its risks
impact, severity, risk status, deadline); the item OSCAL requires even when nothing is open (poam-kind
"none") is not counted. ``states`` carries what the engine decided that the POA&M does not hold: the
findings no longer open (closed by a VEX statement, or not affected / fixed as the scanner states) and
the items past their due date at the assessment time (scc.writers.ssp_pdf.finding_states). All counts
are one tally of those rows (``tally``); nothing is decided here.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from scc.writers._ssp_text import clip, prop_index, prop_values, text

ABSENT = "(not in the POA&M)"

SEVERITY_ORDER = ("malicious", "critical", "high", "moderate", "medium", "low", "negligible", "unknown")
MOST_SEVERE = 25        # the most severe items listed in full
OVERDUE_CAP = 25        # overdue items listed in full besides them (most overdue first)
TOP_PACKAGES = 10       # packages with the most open findings
#: the item states of the summary, from the risk status the POA&M states
ACCEPTED, CLOSED, OPEN = "risk accepted", "closed", "open"
RISK_STATES = {"deviation-approved": ACCEPTED, "closed": CLOSED}
CLOSURES = (("vex", "closed by VEX"), ("scanner", "not affected / fixed (scanner)"))


def poam_view(poam: dict[str, Any], states: dict[str, Any] | None = None) -> dict[str, Any]:
    """The template's POA&M data: the items, one tally of them and the bounded selection shown in full."""
    plan = poam.get("plan-of-action-and-milestones", poam)
    risks = {r.get("uuid"): r for r in plan.get("risks") or []}
    observations = {o.get("uuid"): o for o in plan.get("observations") or []}
    overdue = dict((states or {}).get("overdue") or {})
    items = [_item(item, risks, observations, overdue) for item in plan.get("poam-items") or []
             if "none" not in prop_values(item, "poam-kind")]
    return _view(plan, items, states)


def weakness_view(plan: dict[str, Any], weaknesses: Iterable[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]],
                  states: dict[str, Any] | None = None) -> dict[str, Any]:
    """:func:`poam_view` of a POA&M given as its plan without its per-weakness arrays and its weaknesses
    (observation, risk, poam-item, each referring only to the other two) one at a time, so the whole
    document is never held: the same view when every weakness has uuids of its own."""
    overdue = dict((states or {}).get("overdue") or {})
    items = [_item(item, {risk["uuid"]: risk}, {observation["uuid"]: observation}, overdue)
             for observation, risk, item in weaknesses if "none" not in prop_values(item, "poam-kind")]
    return _view(plan, items, states)


def _view(plan: dict[str, Any], items: list[dict[str, Any]], states: dict[str, Any] | None) -> dict[str, Any]:
    metadata = plan.get("metadata") or {}
    shown = in_full(items)
    return {
        "title": text(metadata.get("title"), 300, ABSENT), "uuid": text(plan.get("uuid"), 100, ABSENT),
        "last_modified": text(metadata.get("last-modified"), 100, ABSENT),
        "rows": items, "total": len(items),
        "by_status": sorted(Counter(i["status"] for i in items).items()),
        "by_severity": sorted(Counter(i["severity"] for i in items).items(), key=lambda kv: _severity_rank(kv[0])),
        "tally": tally(items, states),
        "shown": shown, "more": len(items) - len(shown),
        "overdue_more": max(0, sum(1 for i in items if i["overdue"]) - OVERDUE_CAP),
        "most_severe_cap": MOST_SEVERE, "overdue_cap": OVERDUE_CAP,
    }


def _severity_rank(severity: str) -> tuple[int, str]:
    lowered = severity.lower()
    return (SEVERITY_ORDER.index(lowered) if lowered in SEVERITY_ORDER else len(SEVERITY_ORDER), lowered)


def _item(item: dict[str, Any], risks: dict[str, dict[str, Any]], observations: dict[str, dict[str, Any]],
          overdue: dict[str, int]) -> dict[str, Any]:
    props = prop_index(item)
    related = [risks[r["risk-uuid"]] for r in item.get("related-risks") or [] if r.get("risk-uuid") in risks]
    found = [observations[o["observation-uuid"]] for o in item.get("related-observations") or []
             if o.get("observation-uuid") in observations]
    controls = [*props.get("impacted-control-id", ()),
                *(v for r in related for v in prop_values(r, "impacted-control-id"))]
    if not controls:
        controls = props.get("control", [])
    deadlines = sorted({str(r["deadline"])[:10] for r in related if r.get("deadline")})
    severity = (props.get("severity") or [v for r in related for v in prop_values(r, "severity")] or [ABSENT])[0]
    statuses = sorted({text(r.get("status"), 40, ABSENT) for r in related})
    days = overdue.get(_key(props))
    return {
        "id": (props.get("POAM-ID") or [clip(item.get("uuid"), 36)])[0],
        "title": text(item.get("title"), 300, ABSENT),
        "kind": _first(props, "poam-kind", ""),
        "package": _first(props, "package", ""),
        "controls": ", ".join(dict.fromkeys(c.upper() for c in controls)) or ABSENT,
        "severity": severity,
        "status": ", ".join(statuses) or _first(props, "status", ABSENT),
        "state": _state(statuses, props.get("status", [])),
        "deadline": ", ".join(deadlines) or _first(props, "scheduled-completion", ABSENT),
        "basis": _first(props, "deadline-basis", ""),
        # what was found is the related observation's (the POA&M writes it once, there); the item's own
        # description is what it asks for
        "description": text(found[0].get("description") if found else item.get("description"), 600, ""),
        "remediation": "; ".join(dict.fromkeys(text(m.get("description"), 400, "") for r in related
                                               for m in r.get("remediations") or [] if m.get("description"))),
        "overdue": days is not None, "days_overdue": days,
    }


def _first(props: dict[str, list[str]], name: str, absent: str) -> str:
    values = props.get(name)
    return values[0] if values else absent


def _key(props: dict[str, list[str]]) -> str:
    """How the engine names an item's weakness (``kind/identity``), from the item's props: a vulnerability's
    finding-identity, a rule's id (the weakness prop); the key ``states["overdue"]`` is given by."""
    identity = props.get("finding-identity") or props.get("weakness") or [""]
    return f"{_first(props, 'poam-kind', '')}/{identity[0]}"


def _state(risk_statuses: list[str], item_status: list[str]) -> str:
    """open unless every related risk is deviation-approved (risk accepted) or closed, as the POA&M states;
    an item without risks by its own status prop ("Risk Accepted")."""
    found = {RISK_STATES.get(s, OPEN) for s in risk_statuses}
    if not risk_statuses and any(s.lower() == ACCEPTED for s in item_status):
        found = {ACCEPTED}
    if not found or OPEN in found:
        return OPEN
    return ACCEPTED if ACCEPTED in found else CLOSED


def in_full(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items listed in full: the MOST_SEVERE most severe (POA&M order within a severity) and up to
    OVERDUE_CAP overdue ones (most overdue first), shown most severe first."""
    by_severity = sorted(range(len(items)), key=lambda n: _severity_rank(items[n]["severity"]))
    overdue = sorted((n for n, i in enumerate(items) if i["overdue"]), key=lambda n: -items[n]["days_overdue"])
    chosen = set(by_severity[:MOST_SEVERE]) | set(overdue[:OVERDUE_CAP])
    return [items[n] for n in by_severity if n in chosen]


def tally(items: list[dict[str, Any]], states: dict[str, Any] | None) -> dict[str, Any]:
    """The one count of the summary: items by severity and state, by kind, packages by open findings, and
    the closed findings the engine's states list (``None`` for them when no states were given)."""
    closed = list((states or {}).get("closed") or [])
    severities = sorted({*(i["severity"] for i in items), *(c["severity"] for c in closed)}, key=_severity_rank)
    rows = []
    for severity in severities:
        mine = [i for i in items if i["severity"] == severity]
        rows.append({"severity": severity, "total": len(mine), **_state_counts(mine),
                     **{key: sum(1 for c in closed if c["severity"] == severity and c["closure"] == key)
                        for key, _ in CLOSURES}})
    totals: dict[str, Any] = {"severity": "Total", "total": len(items), **_state_counts(items),
              **{key: sum(1 for c in closed if c["closure"] == key) for key, _ in CLOSURES}}
    open_vulnerabilities = [i for i in items if i["kind"] == "vulnerability" and i["state"] == OPEN]
    packages = _packages(open_vulnerabilities)
    return {
        "rows": rows, "totals": totals, "with_states": states is not None,
        "closures": CLOSURES, "has_closed_items": totals[CLOSED] > 0,
        "by_kind": sorted(Counter(i["kind"] or ABSENT for i in items).items()),
        "open_findings": len(open_vulnerabilities),
        "packages": packages[:TOP_PACKAGES],
        "packages_total": len(packages),
        "packages_more": len(packages) - min(len(packages), TOP_PACKAGES),
        "findings_more": sum(p["open"] for p in packages[TOP_PACKAGES:]),
    }


def _state_counts(items: list[dict[str, Any]]) -> dict[str, int]:
    counts = Counter(i["state"] for i in items)
    return {OPEN: counts[OPEN], ACCEPTED: counts[ACCEPTED], CLOSED: counts[CLOSED],
            "overdue": sum(1 for i in items if i["overdue"])}


def _packages(open_vulnerabilities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Packages by their number of open findings (most first, then by name), with their severities."""
    by_package: dict[str, list[dict[str, Any]]] = {}
    for item in open_vulnerabilities:
        by_package.setdefault(item["package"] or ABSENT, []).append(item)
    rows = [{"package": clip(name, 200), "open": len(found),
             "severities": sorted(Counter(i["severity"] for i in found).items(), key=lambda kv: _severity_rank(kv[0])),
             "overdue": sum(1 for i in found if i["overdue"])}
            for name, found in by_package.items()]
    return sorted(rows, key=lambda r: (-r["open"], r["package"]))
