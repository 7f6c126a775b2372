"""Loading rule packs: YAML files in controls/ and stig/, validated against the check vocabulary.

A pack file is a mapping with a ``rules:`` list. Each rule names one check and its parameters;
an unknown check, an unknown parameter or a statement for an unknown verdict is an error that
names the file and the rule. No YAML text is ever evaluated as code.

A pack holds only what scc authors. A rule that cites an SRG/STIG requirement carries DISA's ids,
CCIs and severity (references ``scc rules lint`` checks against the content) but none of DISA's
prose: ``with_official_text`` fills in the official title, discussion, check and fix text from the
benchmarks given (the content store's), once, when rules are loaded for an assessment. Without the
benchmark the rule keeps its authored short title and says that the official text was not available.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scc.engine.model import Rule, SrgRef, Verdict
from scc.errors import RulePackError
from scc.resources import pack_dir
from scc.yamlsafe import YamlRefused, load_file

if TYPE_CHECKING:
    from scc.content.model import Benchmark, BenchmarkRule

_VERDICTS = {v.value for v in Verdict}
_RULE_KEYS = {
    "id", "title", "controls", "check", "params", "statements", "description", "manual",
    "srg", "check_text", "fix_text",
}
_SRG_KEYS = {"benchmark", "version", "group_id", "rule_id", "ccis", "severity"}
_SEVERITIES = {"high", "medium", "low"}
_OFFICIAL_PROSE = ("description", "check_text", "fix_text")   # read from the content, never copied into a pack
OFFICIAL_TEXT_UNAVAILABLE = (
    "The official DISA text of {requirement} ({benchmark}) was not available to scc: its title, discussion, "
    "check and fix text are read from the official content; import it with `scc content import BUNDLE` "
    "(or `scc content fetch` online)."
)


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


def load_pack_file(path: Path, checks: dict[str, Any]) -> list[Rule]:
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


def _parse_rule(path: Path, pack: str, index: int, entry: Any, checks: dict[str, Any]) -> Rule:
    where = f"{path}: rules[{index}]"
    if not isinstance(entry, dict):
        raise RulePackError(f"{where}: must be a mapping")
    rule_id = _text(entry, "id", where)
    where = f"{path}: rule {rule_id}"
    unknown = set(entry) - _RULE_KEYS
    if unknown:
        raise RulePackError(f"{where}: unknown keys {sorted(unknown)}")
    copied = [key for key in _OFFICIAL_PROSE if key in entry] if entry.get("srg") else []
    if copied:
        raise RulePackError(f"{where}: {', '.join(copied)} of an SRG/STIG requirement come from the official "
                            "content at run time; remove them from the pack")
    check_name = _text(entry, "check", where)
    if check_name not in checks:
        raise RulePackError(f"{where}: unknown check {check_name!r} (known: {', '.join(sorted(checks))})")
    params = _params(entry.get("params") or {}, checks[check_name].defaults, where)
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


def _params(given: Any, defaults: dict[str, Any], where: str) -> dict[str, Any]:
    if not isinstance(given, dict):
        raise RulePackError(f"{where}: params must be a mapping")
    unknown = set(given) - set(defaults)
    if unknown:
        raise RulePackError(f"{where}: unknown params {sorted(unknown)} (this check takes {sorted(defaults)})")
    params = dict(defaults)
    for key, value in given.items():
        default = defaults[key]
        if default is not None and not isinstance(value, type(default)) and not (
            isinstance(default, float) and isinstance(value, int)
        ):
            raise RulePackError(f"{where}: param {key} must be {type(default).__name__}, got {value!r}")
        params[key] = value
    return params


def _srg(ref: Any, where: str) -> SrgRef:
    if isinstance(ref, dict) and "title" in ref:
        raise RulePackError(f"{where}: an srg entry's title comes from the official content at run time; "
                            "remove it from the pack")
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
    )


def with_official_text(rules: Iterable[Rule], benchmarks: Mapping[str, Benchmark]) -> list[Rule]:
    """The rules with DISA's title, discussion, check and fix text filled in from the given benchmarks.

    Each SRG reference gets its requirement's official title; the rule's title, description, check
    and fix text come from the requirement its first reference names. A rule whose requirement is not
    in ``benchmarks`` keeps its authored short title and its description says the official text was
    not available (``OFFICIAL_TEXT_UNAVAILABLE``); rules citing no requirement are returned unchanged.
    Line-end whitespace of the official text is dropped (as in the packs before the prose left them).
    """
    return [_with_official_text(rule, benchmarks) for rule in rules]


def _with_official_text(rule: Rule, benchmarks: Mapping[str, Benchmark]) -> Rule:
    if not rule.srg:
        return rule
    officials = [_official_requirement(ref, benchmarks) for ref in rule.srg]
    srg = tuple(dataclasses.replace(ref, title=_plain(official.title)) if official is not None else ref
                for ref, official in zip(rule.srg, officials))
    first = officials[0]
    if first is None:
        unavailable = OFFICIAL_TEXT_UNAVAILABLE.format(requirement=rule.srg[0].version, benchmark=rule.srg[0].benchmark)
        return dataclasses.replace(rule, srg=srg, description=rule.description or unavailable)
    return dataclasses.replace(
        rule, srg=srg, title=_plain(first.title), description=_plain(first.description),
        check_text=_plain(first.check_text), fix_text=_plain(first.fix_text),
    )


def _official_requirement(ref: SrgRef, benchmarks: Mapping[str, Benchmark]) -> BenchmarkRule | None:
    benchmark = benchmarks.get(ref.benchmark)
    return benchmark.rule_by_version(ref.version) if benchmark is not None else None


def _plain(text: str) -> str:
    """The official text without trailing whitespace on its lines (DISA's files carry stray trailing spaces)."""
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))
