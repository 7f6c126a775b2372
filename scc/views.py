"""Tabular views of a frozen Report: one list of plain rows per thing a reviewer looks at.

Controls, baseline coverage, rules, findings, components, evidence and POA&M items, each row a dict
with the columns named in ``COLUMNS`` (rows that cite evidence also carry ``citations``, the Evidence
objects themselves, for views that link to them). The notebook DataFrames (scc.frames), the plots and the HTML
report all read these rows, so a number means the same in every view. Rows only restate what the
engine decided (verdicts, due dates and their basis); nothing here decides anything.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from scc.severity import category_label

if TYPE_CHECKING:
    from scc.facts.model import Evidence
    from scc.report import Report

Row = dict[str, Any]

COLUMNS: dict[str, tuple[str, ...]] = {
    "controls": ("control", "family", "title", "status", "rules", "attested", "statement", "evidence"),
    "baseline": ("control", "family", "title", "in_baseline", "evidenced", "status"),
    "rules": ("rule", "title", "verdict", "cat", "severity", "controls", "srg", "origin", "attested", "statement",
              "manual", "evidence"),
    "findings": ("id", "aliases", "package", "installed", "purl", "fixed", "fix_available", "severity", "cvss",
                 "state", "open", "vex", "vex_justification", "published", "first_seen", "due", "due_basis",
                 "overdue", "sources", "evidence"),
    "components": ("name", "version", "type", "purl", "licenses", "supplier", "open_findings", "evidence",
                   "scorecard"),
    "evidence": ("source", "sha256", "pointer", "citation", "cited_by"),
    "poam": ("key", "kind", "item", "severity", "cat", "start", "basis", "due", "overdue", "days_overdue",
             "risk_accepted", "explanation"),
}
SEVERITY_ORDER = ("critical", "high", "medium", "low", "negligible", "unknown")
VERDICT_ORDER = ("not-satisfied", "partial", "manual", "satisfied", "not-applicable")


def family(control_id: str) -> str:
    """The 800-53 family of a control id: 'ac-6.10' -> 'AC'."""
    return control_id.split("-", 1)[0].upper()


def _cites(evidence: Iterable[Evidence]) -> str:
    return "; ".join(e.cite() for e in evidence)


def _day(value: datetime | date | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def control_rows(report: Report) -> list[Row]:
    """One row per control a rule reached: its verdict, rules, whether a person attested, evidence."""
    return [{
        "control": c.control_id, "family": family(c.control_id), "title": c.title, "status": c.verdict.value,
        "rules": ", ".join(r.rule.id for r in c.rule_results),
        "attested": any(r.attestation is not None for r in c.rule_results),
        "statement": " ".join(r.statement for r in c.rule_results), "evidence": _cites(c.evidence),
        "citations": tuple(c.evidence),
    } for c in report.control_results]


def baseline_rows(report: Report) -> list[Row]:
    """One row per control of the chosen baseline (when its content is loaded), then every other control
    a rule reached: whether this image evidences it and with which verdict."""
    baseline = report.content.baseline(report.settings.baseline) if report.settings.baseline else None
    results = {c.control_id: c for c in report.control_results}
    ids = list(baseline.control_ids) if baseline else []
    ids += [control_id for control_id in results if control_id not in set(ids)]
    rows = []
    for control_id in ids:
        result = results.get(control_id)
        official = report.control(control_id)
        rows.append({
            "control": control_id, "family": family(control_id),
            "title": (official.title if official else "") or (result.title if result else ""),
            "in_baseline": bool(baseline and control_id in baseline), "evidenced": result is not None,
            "status": result.verdict.value if result else "not evidenced by this image",
        })
    return rows


def rule_rows(report: Report) -> list[Row]:
    """One row per rule result, with its DISA category and what decided it (facts, scan, override, person)."""
    return [{
        "rule": r.rule.id, "title": r.rule.title, "verdict": r.verdict.value,
        "cat": category_label(r.severity) if r.rule.srg else "", "severity": r.severity,
        "controls": ", ".join(r.rule.controls), "srg": ", ".join(s.version for s in r.rule.srg),
        "origin": r.origin, "attested": r.attestation is not None, "statement": r.statement,
        "manual": r.rule.manual if r.verdict.value == "manual" else "", "evidence": _cites(r.evidence),
        "citations": tuple(r.evidence),
    } for r in report.rule_results]


def finding_rows(report: Report) -> list[Row]:
    """One row per vulnerability finding, open or closed, with its remediation due date and the basis of it."""
    now = report.assessed_at
    rows = []
    for f in report.facts.findings:
        clock = report.clocks.get(id(f))
        is_open = f.state.is_open or f.is_open   # a malicious package stays open whatever closed it
        rows.append({
            "id": f.id, "aliases": ", ".join(sorted(f.aliases)), "package": f.package,
            "installed": f.installed_version, "purl": f.purl, "fixed": ", ".join(f.fixed_versions),
            "fix_available": _day(f.fix_available_since), "severity": f.severity.value, "cvss": f.max_cvss,
            "state": f.state.value, "open": is_open, "vex": f.vex.status.value if f.vex else "",
            "vex_justification": f.vex.justification if f.vex else "",
            "published": _day(f.published), "first_seen": _day(clock.first_detected if clock else f.first_seen),
            "due": clock.due_date if clock and is_open else None,
            "due_basis": clock.explanation if clock and is_open else "",
            "overdue": bool(clock and is_open and clock.is_overdue(now)),
            "sources": ", ".join(sorted(f.sources)), "evidence": _cites(f.evidence), "citations": tuple(f.evidence),
            "malicious": f.malicious.sentence if f.malicious is not None else "",
            "severity_label": f.malicious.severity_label if f.malicious is not None else f.severity.value,
        })
    return rows


def component_rows(report: Report) -> list[Row]:
    """One row per component, with how many open findings name it."""
    open_by_purl: dict[str, int] = defaultdict(int)
    for f in report.open_findings:
        open_by_purl[f.purl or f.package] += 1
    scorecards = {s.component: s for s in report.component_scorecards}
    rows = []
    for c in report.facts.components:
        scorecard = scorecards.get(c.key) if scorecards else None
        rows.append({
            "name": c.name, "version": c.version, "type": c.type, "purl": c.purl, "licenses": ", ".join(c.licenses),
            "supplier": c.supplier, "open_findings": open_by_purl.get(c.purl or c.name, 0),
            "evidence": _cites(c.evidence), "citations": tuple(c.evidence),
            "scorecard": scorecard.summary() if scorecard is not None else "",
            "scorecard_citations": scorecard.evidence if scorecard is not None else (),
        })
    return rows


def evidence_rows(report: Report) -> list[Row]:
    """One row per piece of evidence a rule result cites, with the rules citing it: the audit trail."""
    cited_by: dict[Evidence, list[str]] = {}
    for result in report.rule_results:
        for item in result.evidence:
            cited_by.setdefault(item, []).append(result.rule.id)
    return [{"source": e.source, "sha256": e.sha256, "pointer": e.pointer, "citation": e.cite(),
             "cited_by": ", ".join(dict.fromkeys(rules))} for e, rules in cited_by.items()]


def poam_rows(report: Report) -> list[Row]:
    """One row per remediation item (what the POA&M lists): open findings and open rules with due dates."""
    now = report.assessed_at
    rows = []
    for item in report.remediation_items:
        clock = item.clock
        rows.append({
            "key": item.key, "kind": item.kind, "item": _item_name(item), "severity": item.severity,
            "cat": category_label(item.severity), "start": _day(item.start), "basis": item.basis,
            "due": item.due_date, "overdue": clock.is_overdue(now), "days_overdue": clock.days_overdue(now),
            "risk_accepted": item.risk_accepted, "explanation": item.explanation,
        })
    return rows


def _item_name(item: Any) -> str:
    if item.finding is not None:
        return f"{item.finding.id} in {item.finding.package} {item.finding.installed_version}".strip()
    return item.result.rule.id if item.result is not None else item.key


def verdicts_by_family(controls: list[Row]) -> dict[str, Counter[str]]:
    """Control rows counted per 800-53 family and verdict (the posture charts of every view)."""
    counts: dict[str, Counter[str]] = {}
    for row in controls:
        counts.setdefault(row["family"], Counter())[row["status"]] += 1
    return counts


def severity_counts(findings: list[Row]) -> tuple[Counter[str], Counter[str]]:
    """Finding rows counted per severity: (open, closed)."""
    return (Counter(r["severity"] for r in findings if r["open"]),
            Counter(r["severity"] for r in findings if not r["open"]))


VIEWS = {"controls": control_rows, "baseline": baseline_rows, "rules": rule_rows, "findings": finding_rows,
         "components": component_rows, "evidence": evidence_rows, "poam": poam_rows}


def rows(report: Report, view: str) -> list[Row]:
    """The rows of one named view (a key of ``VIEWS``)."""
    try:
        return VIEWS[view](report)
    except KeyError:
        raise KeyError(f"no view named {view!r}; views: {', '.join(VIEWS)}") from None
