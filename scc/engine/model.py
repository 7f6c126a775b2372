"""Rules, verdicts and results: what the engine produces and every writer reads.

A writer renders these; it never re-decides a verdict.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from scc.engine.params import CheckParams
from scc.facts.model import Evidence


class Verdict(str, Enum):
    """What a rule decided about its requirement; the OSCAL, XCCDF and CKL vocabularies are derived from it."""

    SATISFIED = "satisfied"
    NOT_SATISFIED = "not-satisfied"
    PARTIAL = "partial"
    NOT_APPLICABLE = "not-applicable"
    MANUAL = "manual"          # cannot be decided from facts: the statement says what to look at

    @property
    def xccdf_result(self) -> str:
        """The XCCDF 1.2 result word (pass, fail, notapplicable, notchecked); partial reads fail."""
        return _XCCDF[self]

    @property
    def ckl_status(self) -> str:
        """The STIG Viewer checklist status (NotAFinding, Open, Not_Applicable, Not_Reviewed)."""
        return _CKL[self]

    @property
    def is_open(self) -> bool:
        """An open item for a POA&M / checklist (a finding)."""
        return self in (Verdict.NOT_SATISFIED, Verdict.PARTIAL)


_XCCDF = {
    Verdict.SATISFIED: "pass", Verdict.NOT_SATISFIED: "fail", Verdict.PARTIAL: "fail",
    Verdict.NOT_APPLICABLE: "notapplicable", Verdict.MANUAL: "notchecked",
}
_CKL = {
    Verdict.SATISFIED: "NotAFinding", Verdict.NOT_SATISFIED: "Open", Verdict.PARTIAL: "Open",
    Verdict.NOT_APPLICABLE: "Not_Applicable", Verdict.MANUAL: "Not_Reviewed",
}


@dataclass(frozen=True)
class SrgRef:
    """An official DISA requirement a rule evidences, with the ids exactly as DISA publishes them."""

    benchmark: str            # content name, e.g. "gpos-srg", "ctr-srg"
    version: str              # SRG-OS-000480-GPOS-00227 (the Rule/version element)
    group_id: str = ""        # V-203591 (Group/Vuln id)
    rule_id: str = ""         # SV-203591r557031_rule
    ccis: tuple[str, ...] = ()
    severity: str = "medium"  # high | medium | low  (CAT I | II | III)
    title: str = ""

    @property
    def category(self) -> str:
        """The DISA category of the severity: CAT I (high), CAT II (medium), CAT III (low)."""
        return {"high": "CAT I", "medium": "CAT II", "low": "CAT III"}.get(self.severity, "CAT II")


@dataclass(frozen=True)
class Rule:
    """One authored rule of a pack: the controls and SRG requirements it evidences, its check and typed
    params, statements."""

    id: str
    title: str
    controls: tuple[str, ...]                 # lower-case OSCAL ids: cm-7, ac-6.10
    check: str                                # a name from the check vocabulary
    params: CheckParams = field(default_factory=CheckParams, hash=False)   # the check's own params class
    statements: dict[str, str] = field(default_factory=dict, hash=False)   # verdict value -> Jinja template
    description: str = ""
    manual: str = ""                          # what an assessor must look at when facts cannot decide
    srg: tuple[SrgRef, ...] = ()
    check_text: str = ""                      # the official check text (for manual/Not_Reviewed results)
    fix_text: str = ""
    pack: str = ""                            # controls | stig
    source: str = ""                          # the YAML file it came from


@dataclass(frozen=True)
class CheckOutcome:
    """What a named check decided, why (one sentence an assessor would accept), and on what evidence."""

    verdict: Verdict
    reason: str
    evidence: tuple[Evidence, ...] = ()
    details: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Override:
    """An organisation's decision on a rule: not-applicable, an accepted risk, or a severity override."""

    rule: str
    action: str                 # not-applicable | accept-risk | severity
    justification: str
    approver: str
    expires: date
    severity: str = ""
    source: str = ""
    entry: str = ""             # where in the source, e.g. "overrides[2]"


@dataclass(frozen=True)
class Attestation:
    """A person's recorded judgment on a check the facts could not decide (MITRE SAF's ``attest``).

    It closes a manual rule only: passed reads satisfied, failed reads not-satisfied, until it expires.
    """

    target: str                 # a rule id (any alias) or an 800-53 control id, as written
    kind: str                   # rule | control | id (SAF's control_id: a rule alias, else a control)
    status: str                 # passed | failed
    explanation: str
    updated_by: str
    updated: date
    expires: date               # the last day it applies: updated + frequency, or the explicit expiry
    frequency: str = ""         # as written (monthly, 3m, 1y ...); empty when an expiry date was given
    evidence: tuple[Evidence, ...] = ()   # the attestation entry itself, then any evidence file
    source: str = ""
    entry: str = ""             # where in the source, e.g. "attestations[2]" or "row 5"

    @property
    def verdict(self) -> Verdict:
        """The verdict the attestation gives a manual rule: passed reads satisfied, failed not-satisfied."""
        return Verdict.SATISFIED if self.status == "passed" else Verdict.NOT_SATISFIED

    def sentence(self) -> str:
        """How every view states it: a human judgment, who, when, until when, and why."""
        return (f"Attested {self.status} by {self.updated_by} on {self.updated.isoformat()} "
                f"(human judgment, valid until {self.expires.isoformat()}): {self.explanation}")


@dataclass
class RuleResult:
    """A rule's result: verdict, statement, reason and evidence, plus what replaced the fact-based verdict."""

    rule: Rule
    verdict: Verdict
    statement: str
    reason: str
    evidence: list[Evidence] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    origin: str = "facts"             # facts | xccdf-scan | override | attestation
    override: Override | None = None
    attestation: Attestation | None = None   # set when a person's attestation decided a manual rule
    severity_override: str = ""
    scan_disagreement: str = ""       # set when an existing STIG scan and scc's facts disagree
    computed_verdict: Verdict | None = None   # the fact-based verdict before an override/scan replaced it

    @property
    def is_scan_result(self) -> bool:
        """A requirement decided by an existing scan alone: scc has no rule for it (engine/scan_requirements)."""
        return self.rule.pack == "xccdf-scan"

    @property
    def label(self) -> str:
        """How views name what decided this result: "scc rule <id>" or "scan result of <scanner>"."""
        if self.is_scan_result:
            return f"scan result of {self.details.get('scanner') or 'an XCCDF scan'} ({self.rule.srg[0].rule_id})"
        return f"scc rule {self.rule.id}"

    @property
    def severity(self) -> str:
        """The result's severity: an override's when one was applied, else the first SRG's (medium when
        none)."""
        if self.severity_override:
            return self.severity_override
        return self.rule.srg[0].severity if self.rule.srg else "medium"


@dataclass
class ControlResult:
    """One 800-53 control's verdict, aggregated from the results of the rules that cite it."""

    control_id: str
    verdict: Verdict
    rule_results: list[RuleResult] = field(default_factory=list)
    title: str = ""             # official control title when content is loaded
    statement_text: str = ""    # official control statement (parameters substituted) when content is loaded

    @property
    def evidence(self) -> list[Evidence]:
        """The evidence of all its rule results, each piece once, in first-seen order."""
        seen: dict[Evidence, None] = {}
        for result in self.rule_results:
            for item in result.evidence:
                seen.setdefault(item, None)
        return list(seen)
