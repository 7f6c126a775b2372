"""From rule results to one verdict per 800-53 control."""
from __future__ import annotations

import re

from scc.engine.model import ControlResult, RuleResult, Verdict

_CONTROL_ID = re.compile(r"^([a-z]{2})-(\d+)(?:\.(\d+))?$")


def control_sort_key(control_id: str) -> tuple[str, int, int]:
    """ac-2 < ac-2.1 < ac-3 < ac-10 (catalog order, not string order)."""
    match = _CONTROL_ID.match(control_id)
    if not match:
        return (control_id, 0, 0)
    return (match.group(1), int(match.group(2)), int(match.group(3) or 0))


def combine_verdicts(verdicts: list[Verdict]) -> Verdict:
    """Any failure fails; all satisfied satisfies; satisfied mixed with undecided is partial."""
    kinds = set(verdicts)
    if not kinds:
        return Verdict.MANUAL
    if Verdict.NOT_SATISFIED in kinds:
        return Verdict.NOT_SATISFIED
    decided = kinds - {Verdict.NOT_APPLICABLE}
    if not decided:
        return Verdict.NOT_APPLICABLE
    if decided == {Verdict.SATISFIED}:
        return Verdict.SATISFIED
    if decided == {Verdict.MANUAL}:
        return Verdict.MANUAL
    return Verdict.PARTIAL


def aggregate_controls(results: list[RuleResult]) -> list[ControlResult]:
    by_control: dict[str, list[RuleResult]] = {}
    for result in results:
        for control_id in result.rule.controls:
            by_control.setdefault(control_id, []).append(result)
    return [
        ControlResult(control_id, combine_verdicts([r.verdict for r in rule_results]), rule_results)
        for control_id, rule_results in sorted(by_control.items(), key=lambda kv: control_sort_key(kv[0]))
    ]
