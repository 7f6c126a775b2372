"""The compact summary a notebook shows for an Assessment (``_repr_html_``): the image, the assessment time,
verdict counts, open findings by severity and CAT, and the worst items in full. Counts come from the
Report and scc.views, as in every other view."""
from __future__ import annotations

from typing import TYPE_CHECKING

from scc.templating import render_html
from scc.views import SEVERITY_ORDER, finding_rows, poam_rows, severity_counts

if TYPE_CHECKING:
    from scc.report import Report

WORST_ITEMS = 5


def assessment_summary(report: Report) -> str:
    """HTML: image, time, verdicts, open findings by severity, open CAT I/II/III, the worst POA&M items."""
    from scc.gate import open_counts

    open_by_severity, _closed = severity_counts(finding_rows(report))
    items = sorted(poam_rows(report), key=_worst_first)[:WORST_ITEMS]
    gate = open_counts(report)
    return render_html(
        "assessment-summary.html.j2", image=report.facts.identity.reference,
        assessed_at=report.assessed_at.isoformat(), verdicts=report.verdict_counts(),
        attested=sum(report.attested_counts()["rules"].values()),
        severities=[(s, open_by_severity[s]) for s in SEVERITY_ORDER if open_by_severity[s]],
        categories=[("CAT I", gate["cat1"]), ("CAT II", gate["cat2"]), ("CAT III", gate["cat3"])],
        items=items, more=len(report.remediation_items) - len(items), notes=len(report.notes),
    )


def _worst_first(row: dict) -> tuple:
    severity = row["severity"] if row["severity"] in SEVERITY_ORDER else "unknown"
    return (not row["overdue"], SEVERITY_ORDER.index(severity), -(row["days_overdue"] or 0), row["key"])
