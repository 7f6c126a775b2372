"""The PDF SSP's POA&M summary, read from an OSCAL plan-of-action-and-milestones document only.

Each POA&M item is listed with its id (FedRAMP's POAM-ID prop where present), title, the controls its
risks impact, severity, risk status and deadline; the counts are tallies of those rows, computed once.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from scc.writers._ssp_text import clip, prop_values, text

ABSENT = "(not in the POA&M)"

SEVERITY_ORDER = ("critical", "high", "moderate", "medium", "low", "negligible", "unknown")


def poam_view(poam: dict[str, Any]) -> dict[str, Any]:
    plan = poam.get("plan-of-action-and-milestones", poam)
    risks = {r.get("uuid"): r for r in plan.get("risks") or []}
    items = [_item(item, risks) for item in plan.get("poam-items") or []]
    metadata = plan.get("metadata") or {}
    return {
        "title": text(metadata.get("title"), 300, ABSENT), "uuid": text(plan.get("uuid"), 100, ABSENT),
        "last_modified": text(metadata.get("last-modified"), 100, ABSENT),
        "rows": items, "total": len(items),
        "by_status": sorted(Counter(i["status"] for i in items).items()),
        "by_severity": sorted(Counter(i["severity"] for i in items).items(), key=lambda kv: _severity_rank(kv[0])),
    }


def _severity_rank(severity: str) -> tuple[int, str]:
    lowered = severity.lower()
    return (SEVERITY_ORDER.index(lowered) if lowered in SEVERITY_ORDER else len(SEVERITY_ORDER), lowered)


def _item(item: dict[str, Any], risks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    related = [risks[r["risk-uuid"]] for r in item.get("related-risks") or [] if r.get("risk-uuid") in risks]
    controls = [*prop_values(item, "impacted-control-id"),
                *(v for r in related for v in prop_values(r, "impacted-control-id"))]
    if not controls:
        controls = prop_values(item, "control")
    deadlines = sorted({str(r["deadline"])[:10] for r in related if r.get("deadline")})
    severity = (prop_values(item, "severity") or [v for r in related for v in prop_values(r, "severity")] or [ABSENT])[0]
    return {
        "id": (prop_values(item, "POAM-ID") or [clip(item.get("uuid"), 36)])[0],
        "title": text(item.get("title"), 300, ABSENT),
        "controls": ", ".join(dict.fromkeys(c.upper() for c in controls)) or ABSENT,
        "severity": severity,
        "status": ", ".join(sorted({text(r.get("status"), 40, ABSENT) for r in related})) or
                  (prop_values(item, "status") or [ABSENT])[0],
        "deadline": ", ".join(deadlines) or ABSENT,
    }
