"""Posture diffs between two runs: ``scc diff OLD NEW`` and ``scc.diff(a, b)`` (this package's :func:`diff`).

    import scc
    d = scc.diff("ato-2026-10/", scc.assess([...]))   # packages (folders) or Assessments
    d.regressed, d.rules, d.findings_opened
    print(d.to_markdown())

Loading (scc.posture.package for package folders, scc.posture.snapshot for in-memory assessments) is kept
apart from comparing (scc.posture.compare, a pure function of two snapshots); scc.posture.render prints a
:class:`PostureDiff` as text, markdown or HTML. What "worse" means is defined in scc.posture.model.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from scc.posture.compare import DEFAULT_FAIL_SEVERITY, compare
from scc.posture.model import (
    ComponentChange,
    ContentChange,
    DecisionChange,
    FindingChange,
    PostureDiff,
    StatusChange,
    status_direction,
)
from scc.posture.snapshot import PostureSnapshot

if TYPE_CHECKING:
    from scc.assessment import Assessment
    from scc.report import Report

__all__ = ["DEFAULT_FAIL_SEVERITY", "ComponentChange", "ContentChange", "DecisionChange", "FindingChange",
           "PostureDiff", "PostureSnapshot", "StatusChange", "compare", "diff", "snapshot", "status_direction"]


def snapshot(side: str | Path | Assessment | Report | PostureSnapshot) -> PostureSnapshot:
    """One run as a :class:`PostureSnapshot`: a package folder (verified against its manifest), an
    :class:`scc.Assessment`, a :class:`scc.report.Report`, or a snapshot already taken."""
    if isinstance(side, PostureSnapshot):
        return side
    if isinstance(side, (str, Path)):
        from scc.posture.package import load_package

        return load_package(side)
    from scc.posture.snapshot import snapshot_of_report
    from scc.report import Report

    report: Any = side if isinstance(side, Report) else getattr(side, "report", None)
    if not isinstance(report, Report):
        raise TypeError(f"scc.diff: expected a package folder or an Assessment, not {type(side).__name__}")
    return snapshot_of_report(report)


def diff(a: str | Path | Assessment | Report | PostureSnapshot, b: str | Path | Assessment | Report | PostureSnapshot,
         fail_severity: str = DEFAULT_FAIL_SEVERITY) -> PostureDiff:
    """The posture change from run ``a`` (old) to run ``b`` (new): package folders or Assessments.

    ``fail_severity``: a new open finding at or above it makes the diff ``regressed``. A package whose
    files differ from its manifest's sha256 raises :class:`scc.errors.InputError`.
    """
    return compare(snapshot(a), snapshot(b), fail_severity)
