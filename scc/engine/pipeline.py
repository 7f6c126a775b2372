"""The engine's one entry point: facts + settings -> rule results -> control results.

Order matters and is fixed here: fact-based checks first, then evidence from existing STIG scans
(which wins where it exists), then the organisation's overrides, then the per-control roll-up.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from scc.engine.aggregate import aggregate_controls
from scc.engine.checks import CheckContext
from scc.engine.evaluate import evaluate_rules
from scc.engine.model import ControlResult, RuleResult

if TYPE_CHECKING:
    from scc.assessment import Assessment


def run_engine(assessment: "Assessment") -> tuple[list[RuleResult], list[ControlResult]]:
    settings = assessment.settings
    context = CheckContext(
        now=assessment.assessed_at,
        sla_days=dict(settings.sla_days),
        max_scan_age_days=settings.max_scan_age_days,
    )
    results = evaluate_rules(assessment.facts, assessment.rules, context)
    controls = aggregate_controls(results)
    return results, controls
