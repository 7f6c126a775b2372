"""Per-organisation overrides: mark a rule not-applicable, accept a risk, or override a severity.

    overrides:
      - rule: SRG-OS-000480-GPOS-00227      # a rule id, SRG version, V- group id or SV- rule id
        action: accept-risk                 # not-applicable | accept-risk | severity
        severity: low                       # only with action: severity
        justification: Compensated by the platform's admission controller.
        approver: J. Smith, ISSM
        expires: 2027-03-31

Every override needs a justification, an approver and an expiry date. An expired override no
longer applies and is reported, so a stale risk acceptance cannot hide an open finding.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from scc.engine.model import Override, RuleResult, Verdict
from scc.errors import InputError

ACTIONS = ("not-applicable", "accept-risk", "severity")
_SEVERITIES = ("high", "medium", "low")


def load_overrides(path: Path) -> list[Override]:
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(path, f"cannot read overrides: {str(exc).splitlines()[0]}") from exc
    entries = document.get("overrides") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise InputError(path, "overrides file must be a mapping with an 'overrides:' list")
    return [_parse_override(path, index, entry) for index, entry in enumerate(entries)]


def _parse_override(path: Path, index: int, entry: Any) -> Override:
    where = f"overrides[{index}]"
    if not isinstance(entry, dict):
        raise InputError(path, f"{where}: must be a mapping")
    for key in ("rule", "action", "justification", "approver", "expires"):
        if not entry.get(key):
            raise InputError(path, f"{where}: '{key}' is required")
    action = str(entry["action"]).strip().lower()
    if action not in ACTIONS:
        raise InputError(path, f"{where}: action must be one of {', '.join(ACTIONS)}, not {action!r}")
    severity = str(entry.get("severity", "")).strip().lower()
    if action == "severity" and severity not in _SEVERITIES:
        raise InputError(path, f"{where}: action 'severity' needs severity: high, medium or low")
    return Override(
        rule=str(entry["rule"]).strip(),
        action=action,
        justification=str(entry["justification"]).strip(),
        approver=str(entry["approver"]).strip(),
        expires=_expiry(path, where, entry["expires"]),
        severity=severity,
        source=str(path),
    )


def _expiry(path: Path, where: str, value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise InputError(path, f"{where}: expires must be a date (YYYY-MM-DD), not {value!r}") from exc


def rule_aliases(result: RuleResult) -> set[str]:
    """Every id an organisation might use to name this rule."""
    names = {result.rule.id}
    for ref in result.rule.srg:
        names.update(n for n in (ref.version, ref.group_id, ref.rule_id) if n)
    return names


def apply_overrides(results: list[RuleResult], overrides: list[Override], today: date) -> list[str]:
    """Apply the live overrides in place; return one note per expired or unmatched override."""
    notes: list[str] = []
    for override in overrides:
        matched = [r for r in results if override.rule in rule_aliases(r)]
        if not matched:
            notes.append(f"override for {override.rule} ({override.source}) matches no rule; ignored")
            continue
        if override.expires < today:
            notes.append(
                f"override {override.action} for {override.rule} expired on {override.expires.isoformat()} "
                f"(approver {override.approver}); it no longer applies"
            )
            continue
        for result in matched:
            _apply(result, override)
    return notes


def _apply(result: RuleResult, override: Override) -> None:
    result.override = override
    suffix = (f"Override ({override.action}) approved by {override.approver} until "
              f"{override.expires.isoformat()}: {override.justification}")
    if override.action == "not-applicable":
        result.verdict = Verdict.NOT_APPLICABLE
        result.origin = "override"
    elif override.action == "severity":
        result.severity_override = override.severity
    result.statement = f"{result.statement} {suffix}"
