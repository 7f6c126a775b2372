"""What the PDF SSP shows, as plain data for templates/ssp.html.j2 (no markup here, no verdict decided).

Every value is passed to an autoescaping Jinja template as data: names from inputs can never become
markup or template code. Long unbroken strings are left to the stylesheet (overflow-wrap: anywhere).
"""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from scc.clock import iso
from scc.facts.counting import software_count
from scc.facts.model import FindingState, InputFile, Severity
from scc.report import category_label, control_sort_key
from scc.writers._stig_rows import checklist_sections

if TYPE_CHECKING:
    from scc.facts.model import Finding
    from scc.report import ControlResult, Report, RuleResult

SEVERITIES = [s.value for s in Severity]
STATUS_LABEL = {
    "satisfied": "Satisfied", "not-satisfied": "Not satisfied", "partial": "Partially satisfied",
    "not-applicable": "Not applicable", "manual": "Manual review",
}
MAX_EVIDENCE = 15   # evidence rows per control in the PDF (the OSCAL and XCCDF files carry every one)
MAX_TEXT = 2000     # a cell never carries more than this many characters of one input value


def clip(value: object, limit: int = MAX_TEXT) -> str:
    text = str(value or "")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def ssp_context(report: Report) -> dict[str, Any]:
    facts = report.facts
    identity = facts.identity
    return {
        "scc_version": report.scc_version,
        "assessed_at": iso(report.assessed_at),
        "assessed_date": report.assessed_at.strftime("%d %B %Y"),
        "system_name": clip(report.settings.system_name or identity.name or "Container image", 300),
        "organization": clip(report.settings.organization, 300),
        "image": {"reference": clip(identity.reference, 400), "name": clip(identity.name, 400),
                  "tag": clip(identity.tag, 200),
                  "digest": identity.digest, "os": identity.os, "architecture": identity.architecture},
        "config": _config(report),
        "component_count": software_count(facts.components),
        "inputs": [_input(i) for i in sorted(facts.inputs, key=lambda i: i.path)],
        "verdict_counts": [(STATUS_LABEL[v], v, n) for v, n in report.verdict_counts().items()],
        "attested_counts": [(STATUS_LABEL[v].lower(), n) for v, n in report.attested_counts()["controls"].items()],
        "severity_table": _severity_table(facts.findings),
        "controls": [_control(report, c) for c in report.control_results],
        "coverage": _coverage(report),
        "open_findings": _open_findings(report),
        "closed_findings": _closed_findings(facts.findings),
        "stig": _stig(report),
        "notes": [clip(n, 500) for n in report.notes],
    }


def _config(report: Report) -> dict[str, Any] | None:
    config = report.facts.config
    if config is None:
        return None
    if config.healthcheck is None:
        health = "not declared"
    elif tuple(config.healthcheck[:1]) == ("NONE",):
        health = "disabled (NONE)"
    else:
        health = "declared"
    return {
        "user": clip(config.user or "(not set: runs as root)", 200),
        "ports": ", ".join(config.exposed_ports) or "none",
        "healthcheck": health,
        "env_names": [clip(n, 200) for n in config.env_names],
        "workdir": clip(config.workdir, 300),
    }


def _input(item: InputFile) -> dict[str, Any]:
    version = f" {item.format_version}" if item.format_version else ""
    return {"path": clip(item.path, 500), "sha256": item.sha256, "size": item.size,
            "format": f"{item.format}{version}", "tool": clip(item.tool, 100)}


def _severity_table(findings: list[Finding]) -> dict[str, Any]:
    states = [s.value for s in FindingState]
    counts = Counter((f.severity.value, f.state.value) for f in findings)
    rows = [(sev, [counts[(sev, st)] for st in states], sum(counts[(sev, st)] for st in states))
            for sev in SEVERITIES]
    return {"states": states, "rows": [r for r in rows if r[2]], "total": len(findings)}


def _short(sha256: str) -> str:
    return sha256[:12] if sha256 else "—"


def _rule(result: RuleResult) -> dict[str, Any]:
    override = result.override
    return {
        "id": result.rule.id, "title": clip(result.rule.title, 300), "verdict": result.verdict.value,
        "label": STATUS_LABEL[result.verdict.value], "statement": clip(result.statement),
        "origin": result.origin,
        "override": (f"{override.action} approved by {override.approver}, expires {override.expires.isoformat()}: "
                     f"{clip(override.justification, 500)}") if override else "",
        "computed": result.computed_verdict.value if result.computed_verdict and
        result.computed_verdict is not result.verdict else "",
        "scan_disagreement": clip(result.scan_disagreement, 500),
        "attestation": (f"by {result.attestation.updated_by} on {result.attestation.updated.isoformat()} "
                        f"({result.attestation.status}, valid until {result.attestation.expires.isoformat()}): "
                        f"{clip(result.attestation.explanation, 500)}") if result.attestation else "",
        "srg": ", ".join(s.version for s in result.rule.srg),
    }


def _control(report: Report, control: ControlResult) -> dict[str, Any]:
    official = report.control(control.control_id)
    return {
        "id": control.control_id,
        "label": (official.label if official else "") or control.control_id.upper(),
        "title": (official.title if official else "") or control.title,
        "statement": (official.statement_text if official else "") or control.statement_text,
        "verdict": control.verdict.value, "status": STATUS_LABEL[control.verdict.value],
        "rules": [_rule(r) for r in control.rule_results],
        "evidence": [{"cite": clip(e.cite(), 600), "sha": _short(e.sha256)} for e in control.evidence[:MAX_EVIDENCE]],
        "evidence_more": max(0, len(control.evidence) - MAX_EVIDENCE),
    }


def _coverage(report: Report) -> dict[str, Any] | None:
    chosen = report.settings.baseline
    official = report.content.baseline(chosen)
    if chosen is None or official is None:
        return None
    verdicts = {c.control_id: c.verdict.value for c in report.control_results}
    families: dict[str, dict[str, int]] = {}
    rows = []
    for control_id in sorted(official.control_ids, key=control_sort_key):
        control = report.control(control_id)
        family = (control.family_title if control else "") or control_id.split("-")[0].upper()
        counts = families.setdefault(family, {"total": 0, "assessed": 0, "satisfied": 0, "open": 0})
        counts["total"] += 1
        verdict = verdicts.get(control_id)
        if verdict:
            counts["assessed"] += 1
            counts["satisfied"] += verdict == "satisfied"
            counts["open"] += verdict in ("not-satisfied", "partial")
        rows.append({"id": control_id, "label": (control.label if control else "") or control_id.upper(),
                     "title": control.title if control else "", "verdict": verdict or "",
                     "status": f"assessed by scc: {STATUS_LABEL[verdict]}" if verdict
                     else "inherited / not evidenced by this component"})
    assessed = Counter(r["verdict"] for r in rows if r["verdict"])
    outside = sorted(set(verdicts) - set(official.control_ids), key=control_sort_key)
    return {"name": chosen.upper(), "title": official.title, "rows": rows,
            "families": sorted(families.items()), "assessed": sum(assessed.values()), "total": len(rows),
            "breakdown": [(STATUS_LABEL[v].lower(), assessed[v]) for v in STATUS_LABEL if assessed[v]],
            "outside": [_label(report, c) for c in outside]}


def _label(report: Report, control_id: str) -> str:
    """The catalog label (AC-6(8)), else the id written the same way."""
    official = report.control(control_id)
    base, _, enhancement = control_id.partition(".")
    return (official.label if official else "") or base.upper() + (f"({enhancement})" if enhancement else "")


def _open_findings(report: Report) -> list[dict[str, Any]]:
    """The POA&M's open findings with the POA&M's own due dates (one computation for every view)."""
    pairs = sorted(((i, i.finding) for i in report.remediation_items if i.finding is not None),
                   key=lambda pair: _finding_order(pair[1]))
    rows = []
    for item, f in pairs:
        due = item.due_date
        rows.append({
            "id": clip(f.id, 200), "package": clip(f.package, 300), "installed": clip(f.installed_version, 200),
            "fixed": clip(", ".join(f.fixed_versions), 300) or "no fix", "severity": f.severity.value,
            "cvss": f"{f.max_cvss:.1f}" if f.max_cvss is not None else "—", "state": f.state.value,
            "due": due.isoformat() if due else "", "due_basis": clip(item.basis, 60),
            "sources": ", ".join(sorted(f.sources)),
        })
    return rows


def _finding_order(finding: Finding) -> tuple[int, float, str, str]:
    return (-finding.severity.rank, -(finding.max_cvss or 0), finding.id, finding.package)


def _closed_findings(findings: list[Finding]) -> list[dict[str, Any]]:
    closed = sorted(((f, f.vex) for f in findings if f.vex is not None and not f.is_open),
                    key=lambda pair: (pair[0].id, pair[0].package))
    return [{
        "id": clip(f.id, 200), "package": clip(f.package, 300), "severity": f.severity.value,
        "state": f.state.value, "justification": clip(vex.justification, 300) or "—",
        "impact": clip(vex.impact_statement or vex.action_statement, 600), "format": vex.format,
    } for f, vex in closed]


def _stig(report: Report) -> list[dict[str, Any]]:
    """The SRG/STIG requirements scc's rules evidence (the full lists are in the XCCDF and CKL files)."""
    sections = []
    for section in checklist_sections(report):
        rows = [{"rule": r.rule_id or r.version, "group": r.group_id, "version": r.version,
                 "category": category_label(r.effective_severity, unrated="—"),
                 "status": r.status, "rules": ", ".join(x.rule.id for x in r.results), "title": clip(r.title, 300)}
                for r in section.rows if r.results]
        sections.append({"title": section.title, "version": section.version, "official": section.official,
                         "total": len(section.rows), "rows": rows})
    return [s for s in sections if s["rows"]]
