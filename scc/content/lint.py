"""`scc rules lint`: every id a rule pack cites must exist in the official content and agree with it.

Controls must be in the 800-53 catalog (and not withdrawn); every SRG/STIG reference must name a
requirement of the loaded benchmark with the same group, rule id and severity (none of them left out:
the pack carries DISA's ids, the official prose is read from the content); every CCI must exist
in the CCI list, belong to that requirement, and map to a control the rule cites. Every rule's check must
declare the facts it consults, and each must be one a reader collects (scc.facts.collected), as must
every image path a config_file_setting rule reads.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from scc.content.disa import controls_for_cci
from scc.content.model import Benchmark, Catalog, CciList
from scc.content.registry import BY_NAME, CATALOG, CCI
from scc.content.store import ContentStore


@dataclass(frozen=True)
class LintProblem:
    rule: str
    source: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        return f"{where}rule {self.rule}: {self.message}"


def lint_rules(rules: Iterable, store: ContentStore) -> list[LintProblem]:
    """One problem per mismatch between the rule packs and the official content (empty list = clean)."""
    rules = list(rules)
    catalog, ccis = store.catalog(), store.cci()
    problems: list[LintProblem] = lint_facts(rules)
    needed = _needed_content(rules, catalog, ccis, store)
    problems.extend(LintProblem("-", "", f"cannot check: {name} is not loaded (`scc content import`)")
                    for name in needed)
    benchmarks: dict[str, Benchmark | None] = {}
    for rule in rules:
        problems.extend(_lint_rule(rule, catalog, ccis, benchmarks, store))
    return problems


def lint_ssdf(rules: Iterable, mapping_path: Path | None = None) -> list[LintProblem]:
    """One problem per rule id the SSDF / CISA form mapping (frameworks/ssdf.yaml) names that no rule in
    ``rules`` defines. A malformed mapping raises RulePackError naming the file and the entry."""
    from scc.engine.ssdf import lint_ssdf_mapping, load_ssdf_mapping

    mapping = load_ssdf_mapping(mapping_path)
    return [LintProblem(practice, mapping.source, message) for practice, message in lint_ssdf_mapping(mapping, rules)]


def lint_facts(rules: Iterable) -> list[LintProblem]:
    """One problem per fact or file a rule's check consults that no reader collects."""
    from scc.engine.checks import registry
    from scc.facts.collected import collected, collected_config_file, config_file_paths

    checks = registry()
    problems: list[LintProblem] = []
    for rule in rules:
        spec = checks.get(rule.check)
        if spec is None:
            continue
        if spec.consults is None:
            problems.append(LintProblem(rule.id, rule.source, f"check {rule.check} does not declare the facts "
                                        "it consults (@check(..., consults=(...)))"))
            continue
        problems.extend(LintProblem(rule.id, rule.source, f"check {rule.check} consults {name}, which no "
                                    "reader collects") for name in spec.consults if not collected(name))
        for path in getattr(rule.params, "paths", []) if rule.check == "config_file_setting" else []:
            if not collected_config_file(path):
                problems.append(LintProblem(rule.id, rule.source, (
                    f"consults {path}, which no reader collects (the filesystem reader records "
                    f"{', '.join(config_file_paths())})")))
    return problems


def _needed_content(rules: list, catalog: Catalog | None, ccis: CciList | None, store: ContentStore) -> list[str]:
    missing = [] if catalog is not None else [CATALOG]
    if ccis is None and any(ref.ccis for rule in rules for ref in rule.srg):
        missing.append(CCI)
    for name in sorted({ref.benchmark for rule in rules for ref in rule.srg}):
        source = BY_NAME.get(name)
        if source is not None and source.kind == "benchmark" and store.benchmark(name) is None:
            missing.append(name)
    return missing


def _lint_rule(rule, catalog: Catalog | None, ccis: CciList | None,
               benchmarks: dict[str, Benchmark | None], store: ContentStore) -> list[LintProblem]:
    out: list[str] = []
    if catalog is not None:
        for control_id in rule.controls:
            control = catalog.control(control_id)
            if control is None:
                out.append(f"control {control_id} is not in the {catalog.title or 'catalog'}")
            elif control.withdrawn:
                out.append(f"control {control_id} is withdrawn in the catalog")
    for ref in rule.srg:
        source = BY_NAME.get(ref.benchmark)
        if source is None or source.kind != "benchmark":
            out.append(f"srg {ref.version}: unknown benchmark {ref.benchmark!r}")
            continue
        if ref.benchmark not in benchmarks:
            benchmarks[ref.benchmark] = store.benchmark(ref.benchmark)
        benchmark = benchmarks[ref.benchmark]
        if benchmark is not None:
            out.extend(_lint_ref(rule, ref, benchmark, ccis))
    return [LintProblem(rule.id, rule.source, message) for message in out]


def _lint_ref(rule, ref, benchmark: Benchmark, ccis: CciList | None) -> list[str]:
    where = f"{ref.benchmark} {ref.version}"
    official = benchmark.rule_by_version(ref.version)
    if official is None and ref.group_id:
        official = benchmark.rule_by_group(ref.group_id)
        if official is not None:
            return [(f"{where}: not in {benchmark.title} {benchmark.release}; "
                    f"{ref.group_id} there is {official.version}")]
    if official is None:
        return [f"{where}: no such requirement in {benchmark.title} {benchmark.release}"]
    out = [f"{where}: no {label} (the benchmark's is {value}); a pack cites every id DISA publishes"
           for label, given, value in (("group id", ref.group_id, official.group_id),
                                       ("rule id", ref.rule_id, official.rule_id),
                                       ("CCI", ref.ccis, ", ".join(official.ccis)))
           if not given and value]
    if ref.group_id and ref.group_id != official.group_id:
        out.append(f"{where}: group {ref.group_id} differs from the benchmark's {official.group_id}")
    if ref.rule_id and ref.rule_id != official.rule_id:
        out.append(f"{where}: rule id {ref.rule_id} differs from the benchmark's {official.rule_id}")
    if ref.severity != official.severity:
        out.append(f"{where}: severity {ref.severity} differs from the benchmark's {official.severity} "
                   f"({official.category})")
    for cci_id in ref.ccis:
        if cci_id not in official.ccis:
            out.append(f"{where}: {cci_id} is not one of the requirement's CCIs ({', '.join(official.ccis)})")
    if ccis is not None:
        for cci_id in ref.ccis or official.ccis:
            out.extend(_lint_cci(rule, where, cci_id, ccis))
    return out


def _lint_cci(rule, where: str, cci_id: str, ccis: CciList) -> list[str]:
    cci = ccis.get(cci_id)
    if cci is None:
        return [f"{where}: {cci_id} is not in the CCI list {ccis.version}"]
    mapped = controls_for_cci(cci)
    if mapped and not mapped & set(rule.controls):
        return [(f"{where}: {cci_id} maps to {', '.join(sorted(mapped))}, which the rule does not cite "
                f"(cites {', '.join(rule.controls) or 'no controls'})")]
    return []
