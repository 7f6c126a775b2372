"""Loading one ``scc package`` folder into a :class:`~scc.posture.snapshot.PostureSnapshot`.

Every file read is checked against the sha256 the package's manifest.json records for it; a file that
differs (the package was altered after it was written), a missing manifest or a document that is not
what scc writes is an :class:`scc.errors.InputError` (exit 2). What is read, and from where:

* controls: the component definition's implemented requirements (``verdict`` prop; the controls of
  the baseline it claims against) and the assessment results' control findings (every open control);
  a reviewed control in neither is ``closed`` (not open; its closed verdict is not stated).
* rules: the assessment results' rule observations (rule-id, verdict, severity, origin, srg props;
  attestation props); an override's action, approver and expiry from the sentence the engine appends
  to the statement ("Override (<action>) approved by <who> until <date>: ...").
* checklist: the STIG Viewer checklist (checklist.cklb): one row per DISA requirement, its status.
* findings: the OSCAL POA&M's vulnerability items (finding-identity, weakness, package, severity,
  scheduled-completion props), the identity ``--previous`` reads back.
* components: a package holds no component inventory, so the SBOM inputs its manifest lists are read
  where they are found (the recorded path, from the working directory or the package's parent folder)
  and only when their sha256 is the recorded one; otherwise components are not compared (a note says so).
* content: the manifest's provenance record (scc version, settings, rule-pack and content hashes).
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from scc.errors import InputError
from scc.facts.source import InputDocument
from scc.posture.snapshot import (
    CKLB_VERDICT,
    CLOSED,
    ComponentState,
    Decision,
    FindingState,
    PostureSnapshot,
    RowState,
    RuleState,
    components_of,
    row_key,
)

SCC_NS = "https://scc.dev/ns/oscal"
MANIFEST = "manifest.json"
ASSESSMENT_RESULTS = "oscal-assessment-results.json"
POAM = "oscal-poam.json"
COMPONENT_DEFINITION = "component-definition.json"
CHECKLIST = "checklist.cklb"
SBOM_FORMATS = ("cyclonedx", "spdx", "syft")
_OVERRIDE = re.compile(r"Override \((not-applicable|accept-risk|severity)\) approved by (.+?) until "
                       r"(\d{4}-\d{2}-\d{2}): ")


class PackageReader:
    """One package folder whose files are verified against its manifest before they are parsed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        if not root.is_dir() or not (root / MANIFEST).is_file():
            raise InputError(root, f"not an scc package (no {MANIFEST}; give a folder `scc package` wrote)")
        self.manifest = _object(InputDocument(root / MANIFEST).json, root / MANIFEST, "not an scc package manifest")
        outputs = self.manifest.get("outputs")
        if not isinstance(outputs, list):
            raise InputError(root / MANIFEST, "not an scc package manifest (no outputs list)")
        self.recorded = {o["path"]: o.get("sha256") for o in outputs if isinstance(o, dict) and isinstance(o.get("path"), str)}

    def document(self, name: str) -> dict[str, Any]:
        """The JSON object of one output, after its sha256 is checked against the manifest."""
        path = self.root / name
        if name not in self.recorded:
            raise InputError(self.root / MANIFEST, f"lists no {name}; not a package written by `scc package`")
        if not path.is_file():
            raise InputError(path, f"missing, although {MANIFEST} lists it: the package is incomplete")
        source = InputDocument(path)
        if source.sha256 != self.recorded[name]:
            raise InputError(path, f"sha256 {source.sha256} is not the {self.recorded[name]} that {MANIFEST} "
                                   "records: the package was altered after it was written")
        return _object(source.json, path, "not a JSON object")


def _object(data: Any, path: Path, problem: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InputError(path, problem)
    return data


def _props(node: Any) -> list[tuple[str, str]]:
    if not isinstance(node, dict) or not isinstance(node.get("props", []), list):
        return []
    return [(str(p.get("name")), p["value"]) for p in node.get("props", [])
            if isinstance(p, dict) and p.get("ns") == SCC_NS and isinstance(p.get("value"), str)]


def _first(props: list[tuple[str, str]], name: str, default: str = "") -> str:
    return next((value for key, value in props if key == name), default)


def _list(node: Any, *keys: str) -> list[Any]:
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, list) else []


def _result(reader: PackageReader) -> dict[str, Any]:
    results = _list(reader.document(ASSESSMENT_RESULTS), "assessment-results", "results")
    if not results or not isinstance(results[0], dict):
        raise InputError(reader.root / ASSESSMENT_RESULTS, "not an OSCAL assessment-results (no result)")
    return results[0]


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _rules_and_decisions(result: dict[str, Any]) -> tuple[dict[str, RuleState], list[Decision]]:
    rules: dict[str, RuleState] = {}
    decisions: list[Decision] = []
    for observation in _list(result, "observations"):
        props = _props(observation)
        rule_id = _first(props, "rule-id")
        if not rule_id:
            continue          # a vulnerability observation
        title = str(observation.get("title", "")).removeprefix(f"{rule_id}: ")
        rules[rule_id] = RuleState(rule_id, title, _first(props, "verdict"), _first(props, "severity", "medium"),
                                   tuple(v for k, v in props if k == "srg"), _first(props, "origin", "facts"))
        overrides = _OVERRIDE.findall(str(observation.get("description", "")))
        if overrides:
            action, approver, expires = overrides[-1]
            decisions.append(Decision("override", rule_id, action, _day(expires), approver))
        if _first(props, "judgment") == "human-attestation":
            decisions.append(Decision("attestation", rule_id, _first(props, "attested-status"),
                                      _day(_first(props, "attestation-valid-until")), _first(props, "attested-by")))
    return rules, decisions


def _controls(reader: PackageReader, result: dict[str, Any]) -> dict[str, str]:
    reviewed = [c.get("control-id") for selection in _list(result, "reviewed-controls", "control-selections")
                for c in _list(selection, "include-controls") if isinstance(c, dict)]
    controls = {c: CLOSED for c in reviewed if isinstance(c, str)}
    definition = reader.document(COMPONENT_DEFINITION)
    for component in _list(definition, "component-definition", "components"):
        for implementation in _list(component, "control-implementations"):
            for requirement in _list(implementation, "implemented-requirements"):
                verdict = _first(_props(requirement), "verdict")
                if verdict and isinstance(requirement.get("control-id"), str):
                    controls[requirement["control-id"]] = verdict
    for finding in _list(result, "findings"):
        target = finding.get("target") if isinstance(finding, dict) else None
        if not isinstance(target, dict) or target.get("type") != "statement-id":
            continue
        control = str(target.get("target-id", "")).removesuffix("_smt")
        status = target.get("status")
        status = status if isinstance(status, dict) else {}
        controls[control] = "partial" if status.get("remarks") == "partial" else "not-satisfied"
    return dict(sorted(controls.items()))


def _checklist(reader: PackageReader) -> dict[str, RowState]:
    rows: dict[str, RowState] = {}
    for stig in _list(reader.document(CHECKLIST), "stigs"):
        benchmark = str(stig.get("stig_id", "")) if isinstance(stig, dict) else ""
        for rule in _list(stig, "rules"):
            if not isinstance(rule, dict):
                continue
            status = CKLB_VERDICT.get(str(rule.get("status", "")))
            if status is None:
                raise InputError(reader.root / CHECKLIST, f"rule {rule.get('group_id')!r} has status "
                                                          f"{rule.get('status')!r}, not a CKLB status")
            override = rule.get("overrides", {}).get("severity") if isinstance(rule.get("overrides"), dict) else None
            severity = override.get("severity") if isinstance(override, dict) else rule.get("severity")
            group, version = str(rule.get("group_id", "")), str(rule.get("rule_version", ""))
            key = row_key(benchmark, group, version)
            rows[key] = RowState(key, benchmark, group, version, str(rule.get("rule_title", "")), status,
                                 str(severity or ""))
    return dict(sorted(rows.items()))


def _findings(reader: PackageReader) -> dict[str, FindingState]:
    from scc.facts.model import Severity

    found: dict[str, FindingState] = {}
    for item in _list(reader.document(POAM), "plan-of-action-and-milestones", "poam-items"):
        props = _props(item)
        identity = _first(props, "finding-identity")
        if _first(props, "poam-kind") != "vulnerability" or not identity:
            continue
        state = FindingState(identity, _first(props, "weakness"), _first(props, "package"),
                             _first(props, "severity", "unknown"), _first(props, "scheduled-completion"))
        known = found.get(identity)
        if known is None or Severity.parse(state.severity).rank > Severity.parse(known.severity).rank:
            found[identity] = state
    return dict(sorted(found.items()))


def _sbom_file(reader: PackageReader, entry: dict[str, Any]) -> Path | None:
    recorded = Path(str(entry.get("path", "")))
    candidates = [recorded] if recorded.is_absolute() else [recorded, reader.root.parent / recorded]
    for candidate in candidates:
        if candidate.is_file() and InputDocument(candidate).sha256 == entry.get("sha256"):
            return candidate
    return None


def _components(reader: PackageReader) -> tuple[dict[str, ComponentState] | None, list[str]]:
    from scc.facts import read_inputs

    entries = [e for e in _list(reader.manifest, "inputs")
               if isinstance(e, dict) and str(e.get("format", "")).startswith(SBOM_FORMATS)]
    if not entries:
        return None, [f"{reader.root}: its inputs include no SBOM, so components are not compared"]
    found = [_sbom_file(reader, e) for e in entries]
    missing = [str(e.get("path")) for e, path in zip(entries, found, strict=True) if path is None]
    if missing:
        return None, [(f"{reader.root}: SBOM input {', '.join(missing)} not found with the sha256 the manifest "
                      "records (a package carries no component list of its own), so components are not compared")]
    facts = read_inputs([str(p) for p in found if p is not None])
    return components_of(list(facts.components)), []


def load_package(directory: str | Path) -> PostureSnapshot:
    """The snapshot of one ``scc package`` folder; :class:`scc.errors.InputError` when it is not one or a
    file differs from the sha256 its manifest records."""
    reader = PackageReader(Path(directory))
    result = _result(reader)
    rules, decisions = _rules_and_decisions(result)
    components, notes = _components(reader)
    image = reader.manifest.get("image")
    image = image if isinstance(image, dict) else {}
    provenance = reader.manifest.get("provenance")
    return PostureSnapshot(
        source=str(directory),
        image=str(image.get("reference", "")),
        digest=str(image.get("digest", "") or ""),
        assessed_at=str(reader.manifest.get("assessed-at", "")),
        controls=MappingProxyType(_controls(reader, result)),
        rules=MappingProxyType(rules),
        findings=MappingProxyType(_findings(reader)),
        components=MappingProxyType(components) if components is not None else None,
        checklist=MappingProxyType(_checklist(reader)),
        decisions=tuple(sorted(decisions, key=lambda d: (d.kind, d.rule))),
        provenance=MappingProxyType(provenance if isinstance(provenance, dict) else {}),
        notes=tuple(notes),
    )
