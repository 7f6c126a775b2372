"""`scc facts`: what each input contributed, and the merged ImageFacts in brief."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from scc.facts.context import ReadContext
from scc.facts.counting import software_count
from scc.facts.model import AttestationRecord, ImageFacts, Provenance, SecretFinding


def facts_report(paths: list[str], context: ReadContext | None = None,
                 slsa_level: Callable[[Provenance], int] | None = None) -> dict[str, Any]:
    """What each input contributed and the merged facts in brief (``context``: keys and caps)."""
    from scc.facts import expand_inputs, read_input
    from scc.facts.attestation_sets import exclude_foreign
    from scc.facts.merge import merge_facts
    from scc.gcpause import collector_paused

    context = context if context is not None else ReadContext.from_env()
    inputs, notes = expand_inputs(paths, context=context)
    with collector_paused():
        parts = [read_input(p, context) for p in inputs]
        merged = merge_facts(exclude_foreign([facts for _record, facts in parts]))
    merged.notes.extend(notes)
    return {
        "inputs": [
            {"path": r.path, "format": r.format, "version": r.format_version, "tool": r.tool,
             "sha256": r.sha256, "counts": dict(r.counts)}
            for r, _facts in parts
        ],
        "merged": merged_summary(merged, slsa_level),
    }


def _provenance_line(provenance: Provenance, slsa_level: Callable[[Provenance], int] | None) -> str:
    builder = provenance.builder_id or "?"
    if slsa_level is None:
        return f"SLSA provenance v{provenance.slsa_version or '?'} by {builder}"
    return f"SLSA L{slsa_level(provenance)} by {builder}"


def merged_summary(facts: ImageFacts, slsa_level: Callable[[Provenance], int] | None = None) -> dict[str, Any]:
    """The merged facts in brief; ``slsa_level`` (the engine's judgement, given by the CLI) labels provenance."""
    identity = facts.identity
    severities = Counter(f.severity.value for f in facts.open_findings)
    return {
        "image": identity.reference,
        "digest": identity.digest,
        "os": identity.os,
        "architecture": identity.architecture,
        "components": software_count(facts.components),
        "findings": len(facts.findings),
        "open_findings": len(facts.open_findings),
        "open_by_severity": dict(sorted(severities.items())),
        "closed_by_vex": sum(1 for f in facts.findings if f.vex and not f.is_open),
        "vex_statements": len(facts.vex),
        "scans": [s.scanner for s in facts.scans],
        "sboms": [s.format for s in facts.sboms],
        "provenance": [_provenance_line(p, slsa_level) for p in facts.provenance],
        "signatures": [f"{s.kind}: {_verified(s.verified)}" for s in facts.signatures],
        "fips_modules": [f"{m.name} {m.version} ({m.kind}, activated={m.activated})" for m in facts.fips_modules],
        "xccdf_results": len(facts.xccdf_results),
        "secrets": [_secret(s) for s in facts.secrets],
        "misconfigurations": [f"{m.id} ({m.severity.value}) in {m.path or '?'}: {m.title}"
                              for m in facts.misconfigurations],
        "attestations": [_attestation(a) for a in facts.attestations],
        "scorecards": [f"{r.repository} score {'?' if r.score is None else f'{r.score:g}'} "
                       f"({r.date.date().isoformat() if r.date else 'undated'}, scorecard {r.scorecard_version or '?'})"
                       for r in facts.scorecards],
        "user": facts.config.user if facts.config else None,
        "filesystem": facts.filesystem.root if facts.filesystem else None,
        "notes": facts.notes,
    }


def _attestation(record: AttestationRecord) -> str:
    """'<predicate type> (<kind>, <signature>)', and why it was set aside when it was."""
    line = f"{record.predicate_type} ({record.kind}, {_verified(record.signature_verified) if record.signed else 'unsigned'})"
    return f"{line} SET ASIDE: {record.excluded}" if record.excluded else line


def _secret(secret: SecretFinding) -> str:
    """Rule, file and line only: the matched text is never kept."""
    where = f"{secret.path or '?'}:{secret.line}" if secret.line else (secret.path or "?")
    return f"{secret.rule_id} ({secret.severity.value}) in {where}"


def _verified(value: bool | None) -> str:
    return {True: "verified", False: "FAILED verification", None: "not verified (no key)"}[value]


def render_facts_report(report: dict[str, Any]) -> str:
    lines = []
    for item in report["inputs"]:
        counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in item["counts"].items()) or "nothing"
        detail = " ".join(x for x in (item["version"], item["tool"] and f"by {item['tool']}") if x)
        lines.append(f"{item['path']}: {item['format']}{' ' + detail if detail else ''} -> {counts}")
    merged = report["merged"]
    lines.append("")
    lines.append(f"image {merged['image']} ({merged['os'] or 'os unknown'}/{merged['architecture'] or '?'})")
    for key in ("components", "findings", "open_findings", "closed_by_vex", "vex_statements", "xccdf_results"):
        lines.append(f"  {key.replace('_', ' ')}: {merged[key]}")
    if merged["open_by_severity"]:
        lines.append("  open by severity: " + ", ".join(f"{k} {v}" for k, v in merged["open_by_severity"].items()))
    for key in ("scans", "sboms", "provenance", "signatures", "fips_modules", "secrets", "misconfigurations",
                "attestations", "scorecards"):
        if merged.get(key):
            lines.append(f"  {key.replace('_', ' ')}: " + "; ".join(merged[key]))
    if merged["user"] is not None:
        lines.append(f"  user: {merged['user'] or '(not set: root)'}")
    lines.extend(f"  note: {n}" for n in merged["notes"])
    return "\n".join(lines)
