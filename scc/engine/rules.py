"""Loading rule packs: YAML files in controls/ and stig/, validated against the check vocabulary.

A pack file is a mapping with a ``rules:`` list. Each rule names one check and its parameters;
an unknown check, an unknown parameter or a statement for an unknown verdict is an error that
names the file and the rule. No YAML text is ever evaluated as code.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scc.engine.model import Rule, SrgRef, Verdict
from scc.engine.params import parse_params
from scc.errors import RulePackError
from scc.resources import pack_dir
from scc.yamlsafe import YamlRefused, load_file

if TYPE_CHECKING:
    from scc.engine.checks import CheckSpec

_VERDICTS = {v.value for v in Verdict}
_RULE_KEYS = {
    "id", "title", "controls", "check", "params", "statements", "description", "manual",
    "srg", "check_text", "fix_text",
}
_SRG_KEYS = {"benchmark", "version", "group_id", "rule_id", "ccis", "severity", "title"}
_SEVERITIES = {"high", "medium", "low"}


def load_rule_packs(directories: Iterable[Path] | None = None) -> list[Rule]:
    """Every rule in the shipped packs (controls/ and stig/), or in the given directories."""
    from scc.engine.checks import registry

    checks = registry()
    dirs = list(directories) if directories is not None else [pack_dir("controls"), pack_dir("stig")]
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for directory in dirs:
        for path in sorted(Path(directory).glob("*.yaml")):
            for rule in load_pack_file(path, checks):
                if rule.id in seen:
                    raise RulePackError(f"{path}: rule {rule.id} is also defined in {seen[rule.id]}")
                seen[rule.id] = str(path)
                rules.append(rule)
    return rules


def load_pack_file(path: Path, checks: dict[str, CheckSpec]) -> list[Rule]:
    try:
        document = load_file(path)
    except YamlRefused as exc:
        raise RulePackError(f"{path}: cannot read rule pack: {exc}") from exc
    if not isinstance(document, dict) or "rules" not in document:
        return []  # a data table (e.g. fips-modules.yaml, slsa-builders.yaml), not a rule pack
    entries = document["rules"]
    if not isinstance(entries, list):
        raise RulePackError(f"{path}: 'rules' must be a list")
    pack = path.parent.name
    return [_parse_rule(path, pack, index, entry, checks) for index, entry in enumerate(entries)]


def _parse_rule(path: Path, pack: str, index: int, entry: Any, checks: dict[str, CheckSpec]) -> Rule:
    where = f"{path}: rules[{index}]"
    if not isinstance(entry, dict):
        raise RulePackError(f"{where}: must be a mapping")
    rule_id = _text(entry, "id", where)
    where = f"{path}: rule {rule_id}"
    unknown = set(entry) - _RULE_KEYS
    if unknown:
        raise RulePackError(f"{where}: unknown keys {sorted(unknown)}")
    check_name = _text(entry, "check", where)
    if check_name not in checks:
        raise RulePackError(f"{where}: unknown check {check_name!r} (known: {', '.join(sorted(checks))})")
    params = parse_params(checks[check_name].params, entry.get("params") or {}, where)
    statements = entry.get("statements") or {}
    if not isinstance(statements, dict) or set(statements) - _VERDICTS:
        raise RulePackError(f"{where}: statements must map verdicts {sorted(_VERDICTS)} to text")
    controls = entry.get("controls") or []
    if not isinstance(controls, list) or not all(isinstance(c, str) for c in controls):
        raise RulePackError(f"{where}: controls must be a list of OSCAL control ids")
    return Rule(
        id=rule_id,
        title=_text(entry, "title", where),
        controls=tuple(c.strip().lower() for c in controls),
        check=check_name,
        params=params,
        statements={k: str(v).strip() for k, v in statements.items()},
        description=str(entry.get("description") or "").strip(),
        manual=str(entry.get("manual") or "").strip(),
        srg=tuple(_srg(ref, where) for ref in entry.get("srg") or []),
        check_text=str(entry.get("check_text") or "").strip(),
        fix_text=str(entry.get("fix_text") or "").strip(),
        pack=pack,
        source=f"{pack}/{path.name}",
    )


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RulePackError(f"{where}: '{key}' is required and must be text")
    return value.strip()


def _srg(ref: Any, where: str) -> SrgRef:
    if not isinstance(ref, dict) or set(ref) - _SRG_KEYS or "version" not in ref or "benchmark" not in ref:
        raise RulePackError(f"{where}: each srg entry needs benchmark and version (keys {sorted(_SRG_KEYS)})")
    severity = str(ref.get("severity", "medium")).lower()
    if severity not in _SEVERITIES:
        raise RulePackError(f"{where}: srg severity must be one of {sorted(_SEVERITIES)}")
    return SrgRef(
        benchmark=str(ref["benchmark"]),
        version=str(ref["version"]),
        group_id=str(ref.get("group_id", "")),
        rule_id=str(ref.get("rule_id", "")),
        ccis=tuple(str(c) for c in ref.get("ccis", [])),
        severity=severity,
        title=str(ref.get("title", "")),
    )
