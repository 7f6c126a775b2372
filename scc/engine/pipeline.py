"""The engine's one entry point: facts + settings -> rule results -> control results.

Order matters and is fixed here: fact-based checks first, then evidence from existing STIG scans
(which wins where it exists), then the organisation's overrides, then attestations (they close only what is still manual),
then the per-control roll-up.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scc.engine.aggregate import aggregate_controls
from scc.engine.attestations import apply_attestations, load_attestations
from scc.engine.cci import CciControls, cci_mapping
from scc.engine.checks import CheckContext
from scc.engine.evaluate import evaluate_rules
from scc.engine.model import ControlResult, RuleResult
from scc.engine.overrides import apply_overrides, load_overrides
from scc.engine.scans import apply_existing_scans

if TYPE_CHECKING:
    from scc.assessment import Assessment


@dataclass
class EngineOutput:
    rule_results: list[RuleResult]
    control_results: list[ControlResult]
    notes: list[str] = field(default_factory=list)
    override_notes: list[str] = field(default_factory=list)   # also in notes; `scc gate` prints these


def run_engine(assessment: Assessment) -> EngineOutput:
    settings = assessment.settings
    context = CheckContext(
        now=assessment.assessed_at,
        sla_days=dict(settings.sla_days),
        max_scan_age_days=settings.max_scan_age_days,
    )
    results = evaluate_rules(assessment.facts, assessment.rules, context)
    scans = assessment.facts.xccdf_results
    cci = cci_controls(assessment) if scans else None
    notes = apply_existing_scans(results, scans, lambda: official_benchmarks(assessment), cci)
    override_notes: list[str] = []
    if settings.overrides:
        overrides = load_overrides(settings.overrides)
        override_notes = apply_overrides(results, overrides, assessment.assessed_at.date())
    if settings.attestations:
        attestations, reading_notes = load_attestations(settings.attestations)
        override_notes += reading_notes + apply_attestations(results, attestations, assessment.assessed_at.date())
    return EngineOutput(results, aggregate_controls(results), notes + override_notes, override_notes)


def cci_controls(assessment: Assessment) -> CciControls | None:
    """The CCI -> 800-53 mapping of the cached DISA CCI list, None when it is not in the content store."""
    from scc.errors import ContentError

    try:
        from scc.content import default_store

        cci_list = default_store().cci()
    except (ContentError, OSError, ImportError):  # content unreadable: scan results map to no control, noted
        return None
    return cci_mapping(cci_list) if cci_list is not None else None


def official_benchmarks(assessment: Assessment) -> dict[str, Any]:
    """Cached official benchmarks by registry name, those in settings.benchmarks first (empty without content)."""
    from scc.content.registry import benchmark_names

    try:
        store = assessment.content
    except ImportError:      # the content package is not part of this installation
        return {}
    if store is None:
        return {}
    known = benchmark_names()
    names = [n for n in dict.fromkeys([*assessment.settings.benchmarks, *known]) if n in known]
    return {name: benchmark for name in names if (benchmark := store.benchmark(name)) is not None}
