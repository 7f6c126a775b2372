"""Checks that decide nothing from facts, on purpose: a requirement an image cannot evidence
(not-applicable, with the reason) or one a person must examine (manual, with what to look at).
"""

from __future__ import annotations

from typing import Any

from scc.engine.checks import CheckContext, check
from scc.engine.checks.support import manual, outcome
from scc.engine.model import CheckOutcome, Verdict
from scc.facts.model import ImageFacts


@check("not_applicable_to_images", consults=(), reason="")
def not_applicable_to_images(facts: ImageFacts, params: dict[str, Any], ctx: CheckContext) -> CheckOutcome:
    """Not applicable: the requirement concerns the host, platform or organisation, not a container image."""
    reason = (
        params["reason"]
        or "This requirement is met by the platform or organisation, not by a container image."
    )
    return outcome(Verdict.NOT_APPLICABLE, reason)


@check("manual_review", consults=(), reason="")
def manual_review(facts: ImageFacts, params: dict[str, Any], ctx: CheckContext) -> CheckOutcome:
    """Manual: image facts cannot decide; the reason (and the rule's `manual:` text) says what to examine."""
    return manual(
        params["reason"] or "Image facts cannot decide this requirement; an assessor must review it."
    )
