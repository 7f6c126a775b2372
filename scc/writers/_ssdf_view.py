"""The SSDF task and CISA form item results as plain records, shared by ssdf.json and the CISA appendix.

Both documents say the same thing in the same words: the result the engine rolled up
(``Report.ssdf``), its reason, the mapped rules' verdicts, statements and evidence (source, sha256,
pointer), the mapping row it came from, and what a person must check, or the person's attestation
recorded on it (who, when, until when, why, and the evidence file with its sha256). Nothing here decides
a verdict.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scc.errors import SccError

if TYPE_CHECKING:
    from scc.facts.model import Evidence
    from scc.report import Attestation, Report, RuleResult
    from scc.ssdf import PracticeResult, SsdfResults

#: how the CISA appendix words each result for a signatory
RESULT_WORDS = {
    "satisfied": "Supported by the evidence",
    "partial": "Partly supported: a person must check the rest",
    "not-satisfied": "Contradicted by the evidence: resolve before attesting",
    "manual": "Needs a person: the evidence scc reads cannot decide it",
    "not-applicable": "Not applicable",
}
#: the words for a result a person's attestation decided or completes (origin attestation): never "evidence"
ATTESTED_WORDS = {
    "satisfied": "Attested by a person (human judgment; the evidence scc reads cannot show it)",
    "not-satisfied": "Attested as not met by a person: resolve before attesting",
    "partial": "Partly supported by the evidence; a person attests the rest",
}


def result_words(record: dict[str, Any]) -> str:
    """How the CISA appendix words one task's or item's result (``practice_record``)."""
    attestation = record["attestation"]
    if attestation is None:
        return RESULT_WORDS[record["result"]]
    if record["origin"] == "attestation":
        return ATTESTED_WORDS[record["result"]]
    if record["result"] == "partial":
        return ATTESTED_WORDS["partial"]
    return RESULT_WORDS[record["result"]]


def results_of(report: Report) -> SsdfResults:
    """The report's SSDF results (an SccError when the report was made without them)."""
    if report.ssdf is None:
        raise SccError("this assessment carries no SSDF results (the report was made without the SSDF mapping)")
    return report.ssdf


def citation(evidence: Evidence) -> dict[str, str]:
    """One piece of evidence as both documents cite it."""
    return {"source": evidence.source, "sha256": evidence.sha256, "pointer": evidence.pointer}


def rule_record(result: RuleResult) -> dict[str, Any]:
    """A mapped rule's result: id, title, verdict, what decided it, its statement and evidence."""
    record: dict[str, Any] = {
        "id": result.rule.id,
        "title": result.rule.title,
        "verdict": result.verdict.value,
        "origin": result.origin,
        "statement": result.statement,
        "evidence": [citation(e) for e in result.evidence],
        "attestation": result.attestation.sentence() if result.attestation is not None else None,
        "override": _override(result),
    }
    return record


def _override(result: RuleResult) -> str | None:
    override = result.override
    if override is None:
        return None
    return f"{override.action} approved by {override.approver}: {override.justification}"


def attestation_record(attestation: Attestation, origin: str) -> dict[str, Any]:
    """A person's attestation of a task or item: who, when, until when, why, the entry and evidence cited.

    ``role``: ``decides`` when the result rests on it (origin attestation), ``statement`` when the rules'
    result stands and the attestation is the person's statement for the part they do not cover.
    """
    entry, *files = attestation.evidence
    return {
        "status": attestation.status,
        "role": "decides" if origin == "attestation" else "statement",
        "attested_by": attestation.updated_by,
        "attested_on": attestation.updated.isoformat(),
        "valid_until": attestation.expires.isoformat(),
        "frequency": attestation.frequency or None,
        "explanation": attestation.explanation,
        "statement": attestation.sentence(),
        "entry": citation(entry),
        "evidence": [citation(e) for e in files],
    }


def practice_record(result: PracticeResult, mapping_source: str, mapping_sha256: str) -> dict[str, Any]:
    """One task's or item's result with everything that supports it."""
    practice = result.practice
    record: dict[str, Any] = {"id": practice.id, "title": practice.title}
    if practice.kind == "ssdf-task":
        record |= {"practice": practice.practice, "group": practice.group}
    else:
        record["ssdf_tasks"] = list(practice.ssdf)
    record |= {
        "result": result.verdict.value,
        "origin": result.origin,
        "automated_result": result.automated_verdict.value,
        "attestation": attestation_record(result.attestation, result.origin) if result.attestation else None,
        "attestation_note": result.attestation_note or None,
        "evidence_level": practice.evidence,
        "reason": result.reason,
        "needs_person": result.needs_person,
        "person_check": practice.person_check,
        "mapping": {"source": mapping_source, "sha256": mapping_sha256, "pointer": practice.pointer},
        "rules": [rule_record(r) for r in result.rule_results],
        "rules_not_run": list(result.missing_rules),
    }
    return record
