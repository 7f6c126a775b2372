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

if TYPE_CHECKING:
    from jinja2 import Template

_DEFAULT_STATEMENT = "{{ reason }}"


def evaluate_rules(facts: ImageFacts, rules: list[Rule], context: CheckContext) -> list[RuleResult]:
    """Each rule's result. A check is a pure function of (facts, params, context), so rules naming the same
    check with equal parameters share one run of it (at 100k components a check costs up to half a second);
    each rule gets its own copy of the outcome's details."""
    checks = registry()
    decided: dict[str, list[tuple[Any, CheckOutcome]]] = {}
    results = []
    for rule in rules:
        earlier = decided.setdefault(rule.check, [])
        outcome = next((done for params, done in earlier if params == rule.params), None)
        if outcome is None:
            outcome = checks[rule.check].function(facts, rule.params, context)
            earlier.append((rule.params, outcome))
        else:
            outcome = replace(outcome, details=deepcopy(outcome.details))
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
