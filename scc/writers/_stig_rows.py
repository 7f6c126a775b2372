"""The checklist view shared by the CKL and CKLB writers: one section per benchmark, one row per requirement.

A row is one DISA requirement (a Group/Vuln of an SRG or STIG). When the official benchmark is in
the content store every requirement of it is listed: scc's results where a rule evidences it, and
Not_Reviewed ("not evaluated by scc") for the rest. Without official content only the requirements
scc's rules cite are listed, with the ids and severities the rule packs carry.

Several scc rules may evidence one requirement; the row's verdict is then the engine's own
``combine_verdicts`` of theirs (the writers never decide a verdict of their own).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scc.report import Override, RuleResult, SrgRef, Verdict, combine_verdicts

if TYPE_CHECKING:
    from scc.content.model import Benchmark, BenchmarkRule
    from scc.content.registry import Source
    from scc.report import Report

_SRG_STEM = re.compile(r"^(SRG-[A-Z]+-\d+)-[A-Z]+-\d+$")
NOT_EVALUATED = "Not evaluated by scc: no scc rule evidences this requirement; an assessor must review it."
CKLB_STATUS = {
    "NotAFinding": "not_a_finding", "Open": "open",
    "Not_Applicable": "not_applicable", "Not_Reviewed": "not_reviewed",
}


@dataclass
class ChecklistRow:
    """One requirement as a checklist shows it."""

    group_id: str                 # V-203591 (Vuln_Num)
    rule_id: str                  # SV-203591r557031_rule
    version: str                  # SRG-OS-000480-GPOS-00227 / RHEL-09-211010 (Rule_Ver)
    group_title: str              # the SRG id for STIG rules, the requirement id for SRGs
    severity: str                 # official severity: high | medium | low
    title: str
    discussion: str = ""
    check_text: str = ""
    fix_text: str = ""
    ccis: tuple[str, ...] = ()
    results: list[RuleResult] = field(default_factory=list)

    @property
    def verdict(self) -> Verdict | None:
        """None when scc has no rule for this requirement."""
        return combine_verdicts([r.verdict for r in self.results]) if self.results else None

    @property
    def status(self) -> str:
        """CKL status: NotAFinding | Open | Not_Applicable | Not_Reviewed."""
        verdict = self.verdict
        return verdict.ckl_status if verdict is not None else "Not_Reviewed"

    @property
    def cklb_status(self) -> str:
        return CKLB_STATUS[self.status]

    @property
    def severity_override(self) -> str:
        overrides = {r.severity_override for r in self.results if r.severity_override}
        return max(overrides, key=_severity_rank) if overrides else ""

    @property
    def severity_justification(self) -> str:
        if not self.severity_override:
            return ""
        parts = []
        for result in self.results:
            if result.severity_override and result.override is not None:
                parts.append(_override_sentence(result.override))
            elif result.severity_override:
                parts.append(f"scc rule {result.rule.id} sets severity {result.severity_override}.")
        return " ".join(parts)

    @property
    def effective_severity(self) -> str:
        return self.severity_override or self.severity

    @property
    def finding_details(self) -> str:
        return "\n\n".join(result_details(r) for r in self.results)

    @property
    def comments(self) -> str:
        if not self.results:
            return NOT_EVALUATED
        return "\n".join(line for r in self.results for line in _comment_lines(r))


@dataclass
class ChecklistSection:
    """One benchmark (one iSTIG / one cklb stig)."""

    name: str                     # content name, e.g. gpos-srg
    benchmark_id: str             # XCCDF Benchmark/@id, e.g. General_Purpose_Operating_System
    title: str
    version: str
    release_info: str
    filename: str
    official: bool                # True when the official benchmark was in the content store
    rows: list[ChecklistRow]
    description: str = ""


def benchmark_names(report: Report) -> list[str]:
    """Every benchmark named in the settings, plus any other benchmark a rule or a carried scan result cites."""
    return report.benchmark_names()


def checklist_sections(report: Report) -> list[ChecklistSection]:
    """Every benchmark named in the settings, plus any other benchmark scc's rules or the scans cite."""
    sections = [_section(report, name) for name in benchmark_names(report)]
    return [s for s in sections if s.rows]


def _section(report: Report, name: str) -> ChecklistSection:
    from scc.content.registry import BY_NAME

    source = BY_NAME.get(name)
    benchmark = official_benchmark(report, name)
    refs = _refs_by_requirement(report.srg_results, name)
    if benchmark is not None:
        rows = [_official_row(rule, refs) for rule in benchmark.rules]
        known = {row.version for row in rows} | {row.group_id for row in rows}
        rows += [_own_row(ref, results) for key, (ref, results) in refs.items()
                 if ref.version not in known and (ref.group_id or key) not in known]
        return ChecklistSection(
            name=name, benchmark_id=benchmark.id or (source.benchmark_id if source else name),
            title=benchmark.title, version=str(benchmark.version or ""),
            release_info=benchmark.release_info or "", filename=_filename(source, benchmark),
            official=True, rows=rows,
        )
    rows = [_own_row(ref, results) for ref, results in refs.values()]
    return ChecklistSection(
        name=name, benchmark_id=source.benchmark_id if source and source.benchmark_id else name,
        title=source.title.removeprefix("DISA ") if source else name, version="", release_info="",
        filename=source.filename if source else "", official=False, rows=rows,
        description="Official benchmark content was not available; only the requirements scc's rules "
                    "evidence or an existing scan reported are listed.",
    )


def official_benchmark(report: Report, name: str) -> Benchmark | None:
    """The official benchmark the assessment's content holds under ``name``, or None."""
    return report.content.benchmark(name)


def _refs_by_requirement(results: list[RuleResult], name: str) -> dict[str, tuple[SrgRef, list[RuleResult]]]:
    """Requirement key (group id, else version) -> (the first SrgRef naming it, the results citing it)."""
    found: dict[str, tuple[SrgRef, list[RuleResult]]] = {}
    for result in results:
        for ref in result.rule.srg:
            if ref.benchmark != name:
                continue
            key = ref.group_id or ref.version
            entry = found.setdefault(key, (ref, []))
            if result not in entry[1]:
                entry[1].append(result)
    return found


def _official_row(rule: BenchmarkRule, refs: dict[str, tuple[SrgRef, list[RuleResult]]]) -> ChecklistRow:
    results: list[RuleResult] = []
    for key in (rule.group_id, rule.version):
        for result in refs.get(key, (None, []))[1]:
            if result not in results:
                results.append(result)
    return ChecklistRow(
        group_id=rule.group_id, rule_id=rule.rule_id, version=rule.version,
        group_title=rule.group_title or rule.version, severity=rule.severity,
        title=rule.title, discussion=rule.description, check_text=rule.check_text, fix_text=rule.fix_text,
        ccis=tuple(rule.ccis), results=results,
    )


def _own_row(ref: SrgRef, results: list[RuleResult]) -> ChecklistRow:
    rule = results[0].rule
    return ChecklistRow(
        group_id=ref.group_id or ref.version, rule_id=ref.rule_id, version=ref.version,
        group_title=_srg_group_title(ref.version), severity=ref.severity, title=ref.title or rule.title,
        discussion=rule.description, check_text=rule.check_text or rule.manual, fix_text=rule.fix_text,
        ccis=ref.ccis, results=list(results),
    )


def _srg_group_title(version: str) -> str:
    """DISA titles an SRG's Group with the requirement's stem: SRG-OS-000001-GPOS-00001 -> SRG-OS-000001."""
    match = _SRG_STEM.match(version)
    return match.group(1) if match else version


def _filename(source: Source | None, benchmark: Benchmark) -> str:
    path = benchmark.source or ""
    return path.rsplit("/", 1)[-1] if path else (source.filename if source else "")


def result_details(result: RuleResult) -> str:
    """One result as FINDING_DETAILS words it: what decided it, its verdict and statement, each evidence cited."""
    lines = [f"{result.label} ({result.verdict.value}): {result.statement}"]
    if result.evidence:
        lines.append("Evidence:")
        lines += [f"- {item.cite()} (sha256 {item.sha256})" for item in result.evidence]
    return "\n".join(lines)


def _comment_lines(result: RuleResult) -> list[str]:
    lines = [f"{result.rule.id}: origin {result.origin}"
             + (", the scanner's own result (scc has no rule for this requirement)." if result.is_scan_result else ".")]
    if result.override is not None:
        lines.append(_override_sentence(result.override))
    if result.computed_verdict is not None and result.computed_verdict is not result.verdict:
        lines.append(f"scc's facts alone gave {result.computed_verdict.value}.")
    if result.scan_disagreement:
        lines.append(f"Scan disagreement: {result.scan_disagreement}")
    if result.attestation is not None:
        a = result.attestation
        lines.append(f"Attested by {a.updated_by} on {a.updated.isoformat()}: {a.explanation} "
                     f"(status {a.status}; human judgment, valid until {a.expires.isoformat()}).")
    return lines


def _override_sentence(override: Override) -> str:
    return (f"Override {override.action}: {override.justification} Approved by {override.approver}; "
            f"expires {override.expires.isoformat()}.")


def _severity_rank(severity: str) -> int:
    return {"low": 1, "medium": 2, "high": 3}.get(severity, 0)
