"""Overview charts of a Report for notebooks, as matplotlib figures (the caller shows or saves them).

Each chart counts rows of scc.views (or the gate's open counts), so it shows exactly what the tables
and the package say. Figures are built without pyplot (no global figure state, no GUI backend);
Jupyter displays a returned Figure, and ``fig.savefig(path)`` writes it. matplotlib is imported only
when a chart is asked for (the ``notebook`` extra installs it).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scc.views import (
    SEVERITY_ORDER,
    VERDICT_ORDER,
    control_rows,
    finding_rows,
    severity_counts,
    verdicts_by_family,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from scc.report import Report

_VERDICT_COLOURS = {"not-satisfied": "#b2182b", "partial": "#ef8a62", "manual": "#bababa",
                    "satisfied": "#1a9850", "not-applicable": "#d9d9d9"}
_CAT_COLOURS = ("#b2182b", "#ef8a62", "#fddbc7")


def _figure(width: float = 7.0, height: float = 4.0) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _whole_numbers(axis: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def posture_by_family(report: Report) -> Figure:
    """Controls per 800-53 family, stacked by verdict (worst first)."""
    counts = verdicts_by_family(control_rows(report))
    families = sorted(counts)
    fig = _figure(7.0, max(2.5, 0.35 * len(families) + 1))
    ax = fig.add_subplot()
    left = [0] * len(families)
    for verdict in VERDICT_ORDER:
        values = [counts[f][verdict] for f in families]
        ax.barh(families, values, left=left, label=verdict, color=_VERDICT_COLOURS[verdict])
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel("controls")
    _whole_numbers(ax.xaxis)
    ax.set_title("Control posture by family")
    ax.legend(loc="lower right", fontsize="small")
    return fig


def findings_by_severity(report: Report) -> Figure:
    """Vulnerability findings per severity, open versus closed (by VEX or a fix in this image)."""
    open_counts, closed_counts = severity_counts(finding_rows(report))
    fig = _figure()
    ax = fig.add_subplot()
    opened = [open_counts[s] for s in SEVERITY_ORDER]
    ax.bar(SEVERITY_ORDER, opened, label="open", color="#b2182b")
    ax.bar(SEVERITY_ORDER, [closed_counts[s] for s in SEVERITY_ORDER], bottom=opened, label="closed",
           color="#9ecae1")
    ax.set_ylabel("findings")
    _whole_numbers(ax.yaxis)
    ax.set_title("Vulnerability findings by severity and state")
    ax.legend()
    return fig


def open_categories(report: Report) -> Figure:
    """Open STIG/SRG results by DISA category (the counts `scc gate --max-cat1/2/3` checks)."""
    from scc.gate import open_counts

    counts = open_counts(report)
    labels = ["CAT I", "CAT II", "CAT III"]
    fig = _figure(5.0, 3.5)
    ax = fig.add_subplot()
    bars = ax.bar(labels, [counts["cat1"], counts["cat2"], counts["cat3"]], color=_CAT_COLOURS)
    ax.bar_label(bars)
    ax.set_ylabel("open SRG/STIG results")
    _whole_numbers(ax.yaxis)
    ax.set_title("Open findings by category")
    return fig
