"""Optional official content as the writers see it: the catalog, baselines and DISA benchmarks, or None.

Writers work without content (the catalog/benchmarks are a separate download); these accessors turn
"no content cached" and "content package without that publication" into None, never an exception.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scc.assessment import Assessment


def content_store(assessment: Assessment) -> Any | None:
    try:
        return assessment.content
    except ImportError:       # the content store is not part of this installation
        return None


def official_control(assessment: Assessment, control_id: str) -> Any | None:
    """The catalog control (title, statement_text, family_title, label) or None."""
    if content_store(assessment) is None:
        return None
    return assessment.control(control_id)


def baseline(assessment: Assessment, name: str | None) -> Any | None:
    """The official baseline (control_ids, title) named by settings.baseline, or None."""
    store = content_store(assessment)
    getter = getattr(store, "baseline", None)
    return getter(name) if name and getter is not None else None


def benchmark(assessment: Assessment, name: str) -> Any | None:
    """The official DISA benchmark (id, version, rules) cached under ``name`` (gpos-srg, ctr-srg...), or None."""
    store = content_store(assessment)
    getter = getattr(store, "benchmark", None)
    return getter(name) if getter is not None else None
