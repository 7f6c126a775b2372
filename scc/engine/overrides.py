"""Per-organisation overrides: mark a rule not-applicable, accept a risk, or override a severity.

    overrides:
      - rule: SRG-OS-000480-GPOS-00227      # a rule id, SRG version, V- group id or SV- rule id
        action: severity                    # not-applicable | accept-risk | severity
        severity: low                       # only with action: severity
        justification: Compensated by the platform's admission controller.
        approver: J. Smith, ISSM
        expires: 2027-03-31
      - finding: MAL-2025-191025            # a malicious-package finding: its id or an alias
        package: pkg:npm/02-echo            # optional: the package's purl (with or without version) or name
        action: not-affected                # let the VEX / scanner closure of this finding stand
        justification: The matched package is our internal 02-echo, not the npm one (see ticket SEC-12).
        approver: J. Smith, ISSM
        expires: 2027-03-31

A finding override is the only way a known malicious package is closed (scc.engine.malicious): a
VEX not_affected or fixed statement alone leaves it open. It takes action not-affected only.

Every override needs a justification, an approver and an expiry date. An expired override no
longer applies and is reported, so a stale risk acceptance cannot hide an open finding.

The file is read with scc.yamlsafe (1 MiB, no anchors or aliases, bounded nesting). An unknown key,
a missing field, an impossible date, or two entries that reach one rule is an error naming the entry.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from scc.engine.model import Override, RuleResult, Verdict
from scc.errors import InputError
from scc.yamlsafe import YamlRefused, load_file
from scc.yamlsafe import entry_text as _text

ACTIONS = ("not-applicable", "accept-risk", "severity")
FINDING_ACTIONS = ("not-affected",)
_SEVERITIES = ("high", "medium", "low")
_REQUIRED = ("action", "justification", "approver", "expires")
_KEYS = frozenset((*_REQUIRED, "rule", "severity", "finding", "package"))
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def load_overrides(path: Path) -> list[Override]:
    """The overrides in ``path``; any malformed entry is an InputError naming the entry."""
    try:
        document = load_file(path)
    except YamlRefused as exc:
        raise InputError(path, f"cannot read overrides: {exc}") from exc
    entries = document.get("overrides") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise InputError(path, "overrides file must be a mapping with an 'overrides:' list")
    extra = sorted(map(str, set(document) - {"overrides"}))
    if extra:
        raise InputError(path, f"unknown top-level key {', '.join(map(repr, extra))}; only 'overrides:' is read")
    overrides = [_parse_override(path, index, entry) for index, entry in enumerate(entries)]
    _refuse_repeated_rules(path, overrides)
    return overrides


def _parse_override(path: Path, index: int, entry: Any) -> Override:
    where = _where(index, entry)
    if not isinstance(entry, dict):
        raise InputError(path, f"{where}: must be a mapping")
    unknown = sorted(map(str, set(entry) - _KEYS))
    if unknown:
        raise InputError(path, f"{where}: unknown key {', '.join(map(repr, unknown))} "
                               f"(known: {', '.join(sorted(_KEYS))})")
    text = {key: _text(path, where, key, entry.get(key)) for key in _KEYS}
    if bool(text["rule"]) == bool(text["finding"]):
        raise InputError(path, f"{where}: give exactly one of 'rule' (a rule override) or 'finding' "
                               "(a malicious-package finding override)")
    missing = [key for key in _REQUIRED if not text[key]]
    if missing:
        raise InputError(path, f"{where}: {', '.join(map(repr, missing))} "
                               f"{'is' if len(missing) == 1 else 'are'} required")
    action = text["action"].lower()
    if text["finding"]:
        return _finding_override(path, index, where, text, action)
    if text["package"]:
        raise InputError(path, f"{where}: package is only read with finding:, not with rule:")
    if action not in ACTIONS:
        raise InputError(path, f"{where}: action must be one of {', '.join(ACTIONS)}, not {action!r}")
    severity = text["severity"].lower()
    if action == "severity" and severity not in _SEVERITIES:
        raise InputError(path, f"{where}: action 'severity' needs severity: high, medium or low")
    if action != "severity" and severity:
        raise InputError(path, f"{where}: severity is only read with action: severity, not {action!r}")
    return Override(rule=text["rule"], action=action, justification=text["justification"],
                    approver=text["approver"], expires=_expiry(path, where, text["expires"]),
                    severity=severity, source=str(path), entry=f"overrides[{index}]")


def _finding_override(path: Path, index: int, where: str, text: dict[str, str], action: str) -> Override:
    if action not in FINDING_ACTIONS:
        raise InputError(path, f"{where}: a finding override takes action {', '.join(FINDING_ACTIONS)}, "
                               f"not {action!r}")
    if text["severity"]:
        raise InputError(path, f"{where}: severity is not read with finding: (a malicious package is CAT I)")
    return Override(rule="", action=action, justification=text["justification"], approver=text["approver"],
                    expires=_expiry(path, where, text["expires"]), source=str(path), entry=f"overrides[{index}]",
                    finding=text["finding"], package=text["package"])


def _where(index: int, entry: Any) -> str:
    for key in ("rule", "finding"):
        value = entry.get(key) if isinstance(entry, dict) else None
        if isinstance(value, (str, int)) and str(value).strip():
            return f"overrides[{index}] ({key} {value})"
    return f"overrides[{index}]"



def _expiry(path: Path, where: str, value: str) -> date:
    if not _ISO_DAY.fullmatch(value):
        raise InputError(path, f"{where}: expires must be a date (YYYY-MM-DD), not {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(path, f"{where}: expires {value} is not a real date ({exc})") from exc


def _refuse_repeated_rules(path: Path, overrides: list[Override]) -> None:
    first: dict[tuple[str, str, str], Override] = {}
    for override in overrides:
        earlier = first.setdefault((override.rule, override.finding.upper(), override.package), override)
        if earlier is not override:
            what = f"rule {override.rule}" if override.rule else f"finding {override.finding}"
            raise InputError(path, f"{earlier.entry} and {override.entry} both name {what}; "
                                   "keep one entry per rule or finding")


def rule_aliases(result: RuleResult) -> set[str]:
    """Every id an organisation might use to name this rule."""
    names = {result.rule.id}
    for ref in result.rule.srg:
        names.update(n for n in (ref.version, ref.group_id, ref.rule_id) if n)
    return names


def apply_overrides(results: list[RuleResult], overrides: list[Override], today: date) -> list[str]:
    """Apply the live rule overrides in place; return one note per expired or unmatched override.
    Finding overrides are scc.engine.malicious's."""
    overrides = [o for o in overrides if not o.finding]
    _refuse_overlaps(results, overrides)
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


def _refuse_overlaps(results: list[RuleResult], overrides: list[Override]) -> None:
    """Two overrides reaching one rule (say by its SRG id and its V- id) would contradict each other."""
    for result in results:
        names = rule_aliases(result)
        reaching = [o for o in overrides if o.rule in names]
        if len(reaching) > 1:
            first, second = reaching[:2]
            raise InputError(first.source or "overrides",
                             f"{_label(first)} and {_label(second)} both apply to rule {result.rule.id}; "
                             "keep one entry per rule")


def _label(override: Override) -> str:
    return f"{override.entry} (rule {override.rule})" if override.entry else f"the override for {override.rule}"


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
