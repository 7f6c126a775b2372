"""Rules, verdicts and results: the engine's vocabulary.

The result types live in scc.report (writers import them from there, never from the engine); they are
re-exported here for the engine's modules and for callers that always imported them from here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scc.facts.model import Evidence
from scc.report import (
    Attestation,
    ControlResult,
    Override,
    Rule,
    RuleResult,
    SrgRef,
    Verdict,
)

__all__ = ["Attestation", "CheckOutcome", "ControlResult", "Override", "Rule", "RuleResult", "SrgRef", "Verdict"]


@dataclass(frozen=True)
class CheckOutcome:
    """What a named check decided, why (one sentence an assessor would accept), and on what evidence."""

    verdict: Verdict
    reason: str
    evidence: tuple[Evidence, ...] = ()
    details: dict[str, Any] = field(default_factory=dict, hash=False)
