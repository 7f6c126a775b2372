"""Running rules over ImageFacts: each rule's named check decides, its Jinja template explains."""
from __future__ import annotations

from copy import deepcopy
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING, Any

from scc.engine.checks import CheckContext, registry
from scc.engine.model import CheckOutcome, Rule, RuleResult, Verdict
from scc.errors import RulePackError
from scc.facts.model import ImageFacts
from scc.forking import PARALLEL_SIZE, forked_map

if TYPE_CHECKING:
    from jinja2 import Template

_DEFAULT_STATEMENT = "{{ reason }}"


def evaluate_rules(facts: ImageFacts, rules: list[Rule], context: CheckContext, *, jobs: int = 1) -> list[RuleResult]:
    """Each rule's result. A check is a pure function of (facts, params, context), so rules naming the same
    check with equal parameters share one run of it (at 100k components a check costs up to half a second);
    each rule gets its own copy of the outcome's details. With ``jobs`` > 1 and facts large enough to be
    worth it (``PARALLEL_SIZE``) the check runs are shared with forked workers (scc.forking.forked_map):
    the same outcomes, sooner."""
    checks = registry()
    runs: list[tuple[str, Any]] = []          # each distinct (check, params), in the order rules first name it
    run_of_rule: list[int] = []
    for rule in rules:
        index = next((n for n, (check, params) in enumerate(runs) if check == rule.check and params == rule.params),
                     None)
        if index is None:
            index = len(runs)
            runs.append((rule.check, rule.params))
        run_of_rule.append(index)

    def decide(index: int) -> CheckOutcome:
        check, params = runs[index]
        return checks[check].function(facts, params, context)

    size = len(facts.components) + len(facts.findings)
    outcomes = forked_map(decide, len(runs), jobs=jobs if size >= PARALLEL_SIZE else 1)
    results, given = [], set()
    for rule, index in zip(rules, run_of_rule):
        outcome = outcomes[index]
        if index in given:
            outcome = replace(outcome, details=deepcopy(outcome.details))
        given.add(index)
        results.append(evaluate_rule(facts, rule, outcome))
    return results


def evaluate_rule(facts: ImageFacts, rule: Rule, outcome: CheckOutcome) -> RuleResult:
    statement = render_statement(rule, outcome, facts)
    if outcome.verdict is Verdict.MANUAL and rule.manual and rule.manual not in statement:
        statement = f"{statement} Assessor: {rule.manual}"
    return RuleResult(
        rule=rule,
        verdict=outcome.verdict,
        statement=statement,
        reason=outcome.reason,
        evidence=sorted(set(outcome.evidence)),
        details=dict(outcome.details),
        computed_verdict=outcome.verdict,
    )


def render_statement(rule: Rule, outcome: CheckOutcome, facts: ImageFacts) -> str:
    source = rule.statements.get(outcome.verdict.value, _DEFAULT_STATEMENT)
    template = _compile(source, rule.id, rule.source)
    context: dict[str, Any] = {
        "reason": outcome.reason,
        "details": outcome.details,
        "params": rule.params,
        "image": facts.identity,
        "verdict": outcome.verdict.value,
        "evidence_count": len(outcome.evidence),
    }
    try:
        text = template.render(context)
    except Exception as exc:  # jinja2 undefined / sandbox errors are rule-pack authoring mistakes
        raise RulePackError(f"{rule.source}: rule {rule.id}: statement template failed: {exc}") from exc
    return " ".join(text.split())


@cache
def _compile(source: str, rule_id: str, pack: str) -> Template:
    from jinja2 import StrictUndefined, TemplateSyntaxError
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    try:
        return env.from_string(source)
    except TemplateSyntaxError as exc:
        raise RulePackError(f"{pack}: rule {rule_id}: statement template: {exc}") from exc
