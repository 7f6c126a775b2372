"""The SSDF / CISA attestation form mapping (frameworks/ssdf.yaml): loading, linting, and the roll-up.

``load_ssdf_mapping`` reads and checks the mapping file (RulePackError naming the file and entry when it
is malformed). ``lint_ssdf_mapping`` is the part of ``scc rules lint`` that checks it against the rule
packs: every rule id it names must be a rule that exists. ``ssdf_results`` is the pure roll-up the engine
runs after every rule is decided:

* no mapped rule (``evidence: none``) -> manual: only a person can check it;
* any mapped rule not-satisfied -> not-satisfied: the evidence contradicts the statement;
* every mapped rule satisfied and the mapping says the rules evidence it in full -> satisfied;
* no mapped rule satisfied or partial (all manual / not applicable / not run) -> manual;
* otherwise -> partial: the evidence supports a part, a person checks the rest.

A person's attestation naming a task (``ssdf: PO.1.1``) or item (``cisa: 1a``) is then recorded next to
that result, never instead of it (the mapped rules' results are never touched):

* roll-up manual (no mapped rule, or none could decide) -> the attested verdict (passed satisfied,
  failed not-satisfied), origin ``attestation``;
* roll-up partial or satisfied -> kept; a passed attestation is the person's statement for the part the
  rules do not cover; a failed one makes it not-satisfied;
* roll-up not-satisfied -> kept; a passed attestation does not apply (a note says so);
* future-dated or expired -> does not apply, with a note (as for rules); the latest one counts.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from scc.engine.attestation_files import latest_of_history
from scc.errors import RulePackError
from scc.report import Attestation, Rule, RuleResult, Verdict
from scc.ssdf import EVIDENCE_LEVELS, MappedPractice, PracticeResult, SsdfMapping, SsdfResults
from scc.yamlsafe import YamlRefused, load_file

__all__ = ["MAPPING_FILE", "lint_ssdf_mapping", "load_ssdf_mapping", "roll_up", "ssdf_results"]

MAPPING_FILE = "ssdf.yaml"
_FORMAT = "scc-ssdf-mapping"
_TOP_KEYS = {"format", "version", "ssdf", "cisa_form", "groups", "practices", "tasks", "cisa_items"}
_TASK_KEYS = {"id", "title", "evidence", "rules", "person_check"}
_ITEM_KEYS = _TASK_KEYS | {"ssdf"}


def load_ssdf_mapping(path: Path | None = None) -> SsdfMapping:
    """The mapping at ``path`` (default: the shipped frameworks/ssdf.yaml), checked for shape."""
    if path is None:
        from scc.resources import pack_dir

        path = pack_dir("frameworks") / MAPPING_FILE
    try:
        document = load_file(path)            # size and depth guarded, no aliases
        raw = path.read_bytes()
    except (OSError, YamlRefused) as exc:
        raise RulePackError(f"{path}: cannot read the SSDF mapping: {exc}") from exc
    name = f"{path.parent.name}/{path.name}"
    if not isinstance(document, dict) or document.get("format") != _FORMAT or set(document) - _TOP_KEYS:
        raise RulePackError(f"{path}: not an SSDF mapping (format: {_FORMAT}, keys {sorted(_TOP_KEYS)})")
    tasks = tuple(_entry(path, "tasks", i, e, "ssdf-task") for i, e in enumerate(_list(path, document, "tasks")))
    items = tuple(_entry(path, "cisa_items", i, e, "cisa-item")
                  for i, e in enumerate(_list(path, document, "cisa_items")))
    _check_ids(path, tasks, items)
    return SsdfMapping(
        source=name, sha256=hashlib.sha256(raw).hexdigest(), version=_int(path, document.get("version")),
        ssdf=_texts(path, document, "ssdf"), cisa_form=_texts(path, document, "cisa_form"),
        groups=_texts(path, document, "groups"), practices=_texts(path, document, "practices"),
        tasks=tasks, cisa_items=items,
    )


def _list(path: Path, document: dict[str, Any], key: str) -> list[Any]:
    value = document.get(key)
    if not isinstance(value, list) or not value:
        raise RulePackError(f"{path}: '{key}' must be a non-empty list")
    return value


def _int(path: Path, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise RulePackError(f"{path}: 'version' must be an integer")
    return value


def _texts(path: Path, document: dict[str, Any], key: str) -> dict[str, str]:
    value = document.get(key)
    if not isinstance(value, dict) or not all(isinstance(v, (str, int, float)) for v in value.values()):
        raise RulePackError(f"{path}: '{key}' must map names to text")
    return {str(k): str(v) for k, v in value.items()}


def _entry(path: Path, key: str, index: int, entry: Any, kind: str) -> MappedPractice:
    where = f"{path}: {key}[{index}]"
    allowed = _ITEM_KEYS if kind == "cisa-item" else _TASK_KEYS
    if not isinstance(entry, dict) or set(entry) - allowed or not {"id", "title", "person_check"} <= set(entry):
        raise RulePackError(f"{where}: each entry needs id, title and person_check (keys {sorted(allowed)})")
    practice_id = str(entry["id"]).strip()
    where = f"{path}: {key} {practice_id}"
    evidence = entry.get("evidence", "none")
    rules = _names(where, "rules", entry.get("rules") or [])
    if evidence not in EVIDENCE_LEVELS:
        raise RulePackError(f"{where}: evidence must be one of {', '.join(EVIDENCE_LEVELS)}")
    if (evidence == "none") != (not rules):
        raise RulePackError(f"{where}: evidence none goes with no rules, full or partial with at least one rule")
    text = {k: str(entry[k]).strip() for k in ("title", "person_check")}
    if not all(text.values()):
        raise RulePackError(f"{where}: title and person_check must be text")
    return MappedPractice(kind=kind, id=practice_id, title=text["title"], evidence=evidence, rules=rules,
                          person_check=text["person_check"], pointer=f"/{key}/{index}",
                          ssdf=_names(where, "ssdf", entry.get("ssdf") or []))


def _names(where: str, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RulePackError(f"{where}: '{key}' must be a list of ids")
    names = tuple(v.strip() for v in value)
    if len(set(names)) != len(names):
        raise RulePackError(f"{where}: '{key}' names an id twice")
    return names


def _check_ids(path: Path, tasks: tuple[MappedPractice, ...], items: tuple[MappedPractice, ...]) -> None:
    for kind, entries in (("task", tasks), ("CISA item", items)):
        ids = [e.id for e in entries]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise RulePackError(f"{path}: {kind} ids defined twice: {', '.join(twice)}")
    known = {t.id for t in tasks}
    for item in items:
        unknown = [t for t in item.ssdf if t not in known]
        if unknown:
            raise RulePackError(f"{path}: CISA item {item.id} cites SSDF tasks that are not in tasks: {', '.join(unknown)}")


def lint_ssdf_mapping(mapping: SsdfMapping, rules: Iterable[Rule]) -> list[tuple[str, str]]:
    """(practice id, problem) for every mapped rule id that no rule pack defines (empty list = clean)."""
    known = {rule.id for rule in rules}
    return [(entry.id, f"maps to rule {rule_id}, which no rule pack defines")
            for entry in (*mapping.tasks, *mapping.cisa_items) for rule_id in entry.rules if rule_id not in known]


def ssdf_results(mapping: SsdfMapping, results: Iterable[RuleResult], attestations: Iterable[Attestation] = (),
                 today: date | None = None) -> SsdfResults:
    """Every task's and item's result from the decided rule results (pure; nothing is re-evaluated), with
    the ``ssdf:`` / ``cisa:`` attestations live on ``today`` recorded on the tasks and items they name."""
    by_id: Mapping[str, RuleResult] = {r.rule.id: r for r in results}
    named = [a for a in attestations if a.kind in ("ssdf", "cisa")]
    if named and today is None:
        raise ValueError("attestations of SSDF tasks or CISA items need the assessment day")
    notes: list[str] = []
    tasks = tuple(_attested(roll_up(t, by_id), _naming(named, "ssdf", t.id), today, notes) for t in mapping.tasks)
    items = tuple(_attested(roll_up(i, by_id), _naming(named, "cisa", i.id), today, notes)
                  for i in mapping.cisa_items)
    known = {("ssdf", t.id) for t in mapping.tasks} | {("cisa", i.id) for i in mapping.cisa_items}
    notes += [f"{_label(a)} names nothing in {mapping.source}; ignored" for a in named if (a.kind, a.target) not in known]
    return SsdfResults(mapping=mapping, tasks=tasks, cisa_items=items, notes=tuple(notes))


def _naming(attestations: list[Attestation], kind: str, practice_id: str) -> list[Attestation]:
    return [a for a in attestations if a.kind == kind and a.target == practice_id]


def _label(attestation: Attestation) -> str:
    what = "SSDF task" if attestation.kind == "ssdf" else "CISA form item"
    return f"attestation for {what} {attestation.target} ({attestation.source} {attestation.entry})"


def _attested(result: PracticeResult, candidates: list[Attestation], today: date | None,
              notes: list[str]) -> PracticeResult:
    """``result`` with the latest attestation naming it recorded, when it applies (module docstring)."""
    if not candidates or today is None:
        return result
    attestation = latest_of_history(candidates, result.practice.id)
    label, automated = _label(attestation), result.verdict
    if attestation.updated > today:
        notes.append(f"{label} not applied: dated {attestation.updated.isoformat()}, after the assessment day "
                     f"{today.isoformat()}")
        return result
    if attestation.expires < today:
        note = (f"An attestation by {attestation.updated_by} on {attestation.updated.isoformat()} expired on "
                f"{attestation.expires.isoformat()}; the result is what the evidence shows ({automated.value}).")
        notes.append(f"{label} expired on {attestation.expires.isoformat()} (by {attestation.updated_by}, "
                     f"{attestation.updated.isoformat()}); it is {automated.value} again, as the evidence shows")
        return replace(result, attestation_note=note)
    if attestation.status == "passed" and automated in (Verdict.NOT_SATISFIED, Verdict.NOT_APPLICABLE):
        note = (f"An attestation by {attestation.updated_by} on {attestation.updated.isoformat()} does not apply: "
                f"the result {automated.value} comes from the mapped rules, which an attestation never replaces.")
        notes.append(f"{label} not applied: the mapped rules' result is {automated.value}, which an attestation "
                     "never replaces")
        return replace(result, attestation_note=note)
    decides = automated is Verdict.MANUAL or (attestation.status == "failed" and automated is not Verdict.NOT_SATISFIED)
    verdict = attestation.verdict if decides else automated
    return replace(result, verdict=verdict, origin="attestation" if decides else result.origin,
                   reason=f"{result.reason} {attestation.sentence()}",
                   attestation=attestation, computed_verdict=automated if verdict is not automated else None)


def roll_up(practice: MappedPractice, results: Mapping[str, RuleResult]) -> PracticeResult:
    """One task's or item's verdict and reason from its mapped rules' results (see the module docstring)."""
    found = tuple(results[r] for r in practice.rules if r in results)
    missing = tuple(r for r in practice.rules if r not in results)
    verdict, reason = _decide(practice, found, missing)
    return PracticeResult(practice=practice, verdict=verdict, reason=reason, rule_results=found, missing_rules=missing)


def _decide(practice: MappedPractice, found: tuple[RuleResult, ...],
            missing: tuple[str, ...]) -> tuple[Verdict, str]:
    if not practice.rules:
        return Verdict.MANUAL, "No fact scc reads evidences this; a person must check it."
    verdicts = {r.verdict for r in found}
    listed = _listing(found, missing)
    if Verdict.NOT_SATISFIED in verdicts:
        failed = ", ".join(r.rule.id for r in found if r.verdict is Verdict.NOT_SATISFIED)
        return Verdict.NOT_SATISFIED, (f"The evidence contradicts this: {failed} not satisfied ({listed}); "
                                       "resolve it before attesting.")
    if verdicts == {Verdict.SATISFIED} and not missing:
        if practice.evidence == "full":
            return Verdict.SATISFIED, f"Every mapped rule is satisfied ({listed}) and together they evidence this in full."
        return Verdict.PARTIAL, (f"Every mapped rule is satisfied ({listed}), but they evidence only part of this; "
                                 "a person must check the rest.")
    if not verdicts & {Verdict.SATISFIED, Verdict.PARTIAL}:
        return Verdict.MANUAL, f"The mapped rules could not decide it ({listed}); a person must check it."
    return Verdict.PARTIAL, f"The mapped rules evidence it in part ({listed}); a person must check the rest."


def _listing(found: tuple[RuleResult, ...], missing: tuple[str, ...]) -> str:
    said = [f"{r.rule.id}: {r.verdict.value}" for r in found]
    said += [f"{rule_id}: not run in this assessment" for rule_id in missing]
    return "; ".join(said)
