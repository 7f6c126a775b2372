"""From rule results to one verdict per 800-53 control."""
from __future__ import annotations

from scc.engine.model import ControlResult, RuleResult
from scc.report import combine_verdicts, control_sort_key

__all__ = ["aggregate_controls", "combine_verdicts", "control_sort_key"]

def aggregate_controls(results: list[RuleResult]) -> list[ControlResult]:
    """One ControlResult per control a rule names, its verdict the rules' combined verdict, in catalog order."""
    by_control: dict[str, list[RuleResult]] = {}
    for result in results:
        for control_id in result.rule.controls:
            by_control.setdefault(control_id, []).append(result)
    return [
        ControlResult(control_id, combine_verdicts([r.verdict for r in rule_results]), rule_results)
        for control_id, rule_results in sorted(by_control.items(), key=lambda kv: control_sort_key(kv[0]))
    ]
