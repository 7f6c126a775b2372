"""The engine's one entry point: ``run(facts, rules, policy, clock) -> Report``, a pure function.

Order matters and is fixed here: fact-based checks first, then evidence from existing STIG scans
(which wins where it exists), then the organisation's overrides, then attestations (they close only
what is still manual), then the per-control roll-up and the remediation items. Nothing here reads a
file, the content cache or the wall clock: the policy carries what was loaded, ``clock`` is the
assessment time.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from types import MappingProxyType

from scc.engine.aggregate import aggregate_controls
from scc.engine.attestations import apply_attestations
from scc.engine.cci import cci_mapping
from scc.engine.checks import CheckContext
from scc.engine.evaluate import evaluate_rules
from scc.engine.malicious import mark_malicious
from scc.engine.overrides import apply_overrides
from scc.engine.remediation import remediation_items, remediation_schedule
from scc.engine.scans import apply_existing_scans
from scc.engine.scorecard import component_scorecards
from scc.engine.ssdf import load_ssdf_mapping, ssdf_results
from scc.engine.tables import load_tables
from scc.facts.model import ImageFacts
from scc.gcpause import collector_paused
from scc.report import Policy, RemediationClock, Report, Rule, RuleResult

__all__ = ["conclude", "run"]


def run(facts: ImageFacts, rules: Iterable[Rule], policy: Policy, clock: datetime, *, jobs: int = 1) -> Report:
    """Facts + rules + policy at the assessment time ``clock`` -> the Report every writer renders; ``jobs`` > 1
    shares the checks of large facts with worker processes (the same Report)."""
    # The checks pass over every component and finding; each full collection their allocations trigger
    # would traverse all the facts (millions of objects at 100k components) for no garbage.
    with collector_paused():
        return _run(facts, rules, policy, clock, jobs)


def _run(facts: ImageFacts, rules: Iterable[Rule], policy: Policy, clock: datetime, jobs: int) -> Report:
    rules = tuple(rules)
    tables = policy.tables if policy.tables is not None else load_tables()
    # first: which findings are malicious packages decides what is open, their CAT and their due dates
    facts, malicious_notes = mark_malicious(facts, tables.malicious, policy.overrides, clock.date())
    schedule = remediation_schedule(facts, policy.sla_days, clock,   # once: the SLA checks and the roll-up share it
                                    malicious_due_days=tables.malicious.due_days)
    context = CheckContext(now=clock, sla_days=dict(policy.sla_days), max_scan_age_days=policy.max_scan_age_days,
                           tables=tables, remediation=MappingProxyType(schedule),
                           registry_policy=policy.registry_policy)
    results = evaluate_rules(facts, list(rules), context, jobs=jobs)
    scans = facts.xccdf_results
    cci_list = policy.content.cci() if scans else None
    notes = apply_existing_scans(results, scans, policy.content, cci_mapping(cci_list) if cci_list is not None else None)
    today = clock.date()
    override_notes = apply_overrides(results, list(policy.overrides), today) if policy.overrides else []
    override_notes += malicious_notes
    override_notes += [*policy.attestation_notes, *apply_attestations(results, list(policy.attestations), today)]
    return conclude(facts, rules, results, policy, clock, (*facts.notes, *notes, *override_notes),
                    tuple(override_notes), schedule)


def conclude(facts: ImageFacts, rules: Iterable[Rule], results: list[RuleResult], policy: Policy,
             clock: datetime, notes: Iterable[str] = (), override_notes: Iterable[str] = (),
             schedule: dict[int, RemediationClock] | None = None) -> Report:
    """The Report of decided rule results: the per-control roll-up, the remediation items, the notes
    (``notes`` then the content note). ``schedule``: the facts' remediation clocks, when already computed."""
    rules = tuple(rules)
    if schedule is None:
        due_days = (policy.tables if policy.tables is not None else load_tables()).malicious.due_days
        schedule = remediation_schedule(facts, policy.sla_days, clock, malicious_due_days=due_days)
    content_notes = [policy.content.missing_note] if policy.content.missing_note else []
    ssdf = ssdf_results(policy.ssdf if policy.ssdf is not None else load_ssdf_mapping(), results,
                        policy.attestations, clock.date())
    notes = tuple(notes)
    override_notes = tuple(override_notes)
    ssdf_notes = tuple(n for n in ssdf.notes if n not in notes)
    return Report(
        facts=facts,
        rules=tuple(rules),
        rule_results=tuple(results),
        control_results=tuple(aggregate_controls(results)),
        remediation_items=remediation_items(facts, results, schedule, policy.sla_days, clock),
        clocks=MappingProxyType(schedule),
        notes=(*notes, *ssdf_notes, *(n for n in content_notes if n not in notes)),
        override_notes=(*override_notes, *(n for n in ssdf.notes if n not in override_notes)),
        policy=policy,
        assessed_at=clock,
        ssdf=ssdf,
        component_scorecards=component_scorecards(facts, rules),
    )
