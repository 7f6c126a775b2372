"""NIST SSDF tasks and CISA attestation form items as scc evidences them: the mapping and its results.

The mapping (``frameworks/ssdf.yaml``, loaded by scc.engine.ssdf) names, for each SSDF v1.1 task and each
item of the CISA Secure Software Development Attestation Form, the scc rules whose results evidence it and
what a person must check. The engine rolls the mapped rule results up into a :class:`PracticeResult` per
task and item, kept in ``Report.ssdf``; the writers (ssdf.json, the CISA form evidence appendix) read
those results and never re-decide them. Nothing here decides a verdict.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scc.facts.model import Evidence

if TYPE_CHECKING:
    from scc.report import Attestation, RuleResult, Verdict

__all__ = ["EVIDENCE_LEVELS", "MappedPractice", "PracticeResult", "SsdfMapping", "SsdfResults"]

#: how far a practice's mapped rules can evidence it: full (satisfied is possible), partial, none (manual)
EVIDENCE_LEVELS = ("full", "partial", "none")


@dataclass(frozen=True)
class MappedPractice:
    """One SSDF task or CISA form item of the mapping: the rules that evidence it and what a person checks."""

    kind: str                       # ssdf-task | cisa-item
    id: str                         # PO.5.1 | 1a
    title: str                      # scc's short paraphrase (never the publication's text)
    evidence: str                   # full | partial | none
    rules: tuple[str, ...]          # scc rule ids
    person_check: str
    pointer: str                    # where in the mapping file: /tasks/12, /cisa_items/0
    ssdf: tuple[str, ...] = ()      # a CISA item: the SSDF tasks the form's appendix relates it to

    @property
    def practice(self) -> str:
        """The SSDF practice of a task (PO.5 for PO.5.1); '' for a CISA item."""
        return self.id.rsplit(".", 1)[0] if self.kind == "ssdf-task" else ""

    @property
    def group(self) -> str:
        """The SSDF group of a task (PO, PS, PW, RV); '' for a CISA item."""
        return self.id.split(".", 1)[0] if self.kind == "ssdf-task" else ""


@dataclass(frozen=True)
class SsdfMapping:
    """The loaded mapping file: the frameworks it cites, the SSDF tasks and the CISA form items."""

    source: str                                  # frameworks/ssdf.yaml
    sha256: str
    version: int
    ssdf: dict[str, str] = field(default_factory=dict, hash=False)        # publication, title, version, url
    cisa_form: dict[str, str] = field(default_factory=dict, hash=False)   # title, omb_control_number, version, url
    groups: dict[str, str] = field(default_factory=dict, hash=False)      # PO -> Prepare the Organization
    practices: dict[str, str] = field(default_factory=dict, hash=False)   # PO.1 -> short title
    tasks: tuple[MappedPractice, ...] = ()
    cisa_items: tuple[MappedPractice, ...] = ()

    @property
    def evidence(self) -> Evidence:
        """The mapping file itself, as every result cites it."""
        return Evidence(self.source, self.sha256)

    def rule_ids(self) -> list[str]:
        """Every rule id the mapping names, each once, in first-seen order."""
        return list(dict.fromkeys(r for entry in (*self.tasks, *self.cisa_items) for r in entry.rules))


@dataclass(frozen=True)
class PracticeResult:
    """One SSDF task's or CISA item's result: a roll-up of its mapped rules' results, and a person's
    attestation recorded next to it (never instead of it).

    ``origin`` says what the verdict rests on: ``rules`` (the roll-up; a task with no rule is manual) or
    ``attestation`` (a person attested a task the rules left manual, or attested it failed).
    ``computed_verdict`` is the roll-up's verdict when the attestation changed it.
    """

    practice: MappedPractice
    verdict: Verdict
    reason: str                                   # one sentence: why this verdict, from the rule verdicts
    rule_results: tuple[RuleResult, ...] = ()     # the mapped rules' results, in the mapping's order
    missing_rules: tuple[str, ...] = ()           # mapped rule ids this assessment did not run
    origin: str = "rules"                         # rules | attestation
    attestation: Attestation | None = None        # the live attestation recorded on it
    computed_verdict: Verdict | None = None       # the roll-up's verdict, when the attestation changed it
    attestation_note: str = ""                    # why an attestation naming it does not apply (expired ...)

    @property
    def automated_verdict(self) -> Verdict:
        """What the mapped rules alone show (the roll-up), whatever a person attested."""
        return self.computed_verdict or self.verdict

    @property
    def needs_person(self) -> bool:
        """True unless the evidence decided it (satisfied) or a person's attestation is recorded on it."""
        from scc.report import Verdict

        return self.verdict is not Verdict.SATISFIED and self.attestation is None

    @property
    def evidence(self) -> list[Evidence]:
        """The evidence of the mapped rule results, then the attestation's, each piece once."""
        from scc.report import unique_evidence

        cited = unique_evidence(self.rule_results)
        extra = self.attestation.evidence if self.attestation is not None else ()
        return [*cited, *(e for e in extra if e not in cited)]


@dataclass(frozen=True)
class SsdfResults:
    """Every SSDF task's and CISA item's result for one assessment, with the mapping they came from."""

    mapping: SsdfMapping
    tasks: tuple[PracticeResult, ...]
    cisa_items: tuple[PracticeResult, ...]
    notes: tuple[str, ...] = ()     # attestations naming a task or item that did not apply, and why

    def task(self, task_id: str) -> PracticeResult | None:
        return next((r for r in self.tasks if r.practice.id == task_id), None)

    def item(self, item_id: str) -> PracticeResult | None:
        return next((r for r in self.cisa_items if r.practice.id == item_id), None)

    @staticmethod
    def counts(results: tuple[PracticeResult, ...]) -> dict[str, int]:
        """Verdict value -> how many results have it (every verdict listed, zero included)."""
        from scc.report import Verdict

        counts = {v.value: 0 for v in Verdict}
        for result in results:
            counts[result.verdict.value] += 1
        return counts

    @staticmethod
    def attested_counts(results: tuple[PracticeResult, ...]) -> dict[str, int]:
        """Verdict value -> how many results carry a person's attestation (verdicts present only)."""
        counts: dict[str, int] = {}
        for result in results:
            if result.attestation is not None:
                counts[result.verdict.value] = counts.get(result.verdict.value, 0) + 1
        return counts
