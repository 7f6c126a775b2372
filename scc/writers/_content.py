"""Optional official content as the writers see it: the catalog, baselines and DISA benchmarks, or None.

Writers work without content (the catalog/benchmarks are a separate download). The Report carries the
content the assessment used (scc.report.ContentSnapshot, loaded before the engine ran); these are
its reads, kept under the names writers always called.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scc.content.model import Baseline, Benchmark, Control
    from scc.report import Report


def official_control(report: Report, control_id: str) -> Control | None:
    """The catalog control (title, statement_text, family_title, label) or None."""
    return report.content.control(control_id)


def baseline(report: Report, name: str | None) -> Baseline | None:
    """The official baseline (control_ids, title) named ``name`` (settings.baseline), or None."""
    return report.content.baseline(name)


def benchmark(report: Report, name: str) -> Benchmark | None:
    """The official DISA benchmark (id, version, rules) named ``name`` (gpos-srg, ctr-srg...), or None."""
    return report.content.benchmark(name)
