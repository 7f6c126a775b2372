"""Checks that decide nothing from facts, on purpose: a requirement an image cannot evidence
(not-applicable, with the reason) or one a person must examine (manual, with what to look at).
"""

from __future__ import annotations

from dataclasses import dataclass

from scc.engine.checks import CheckContext, check
from scc.engine.checks.support import manual, outcome
from scc.engine.model import CheckOutcome, Verdict
from scc.engine.params import CheckParams
from scc.facts.model import ImageFacts


@dataclass(frozen=True)
class NotApplicableToImagesParams(CheckParams):
    """Parameters of `not_applicable_to_images` (rule packs set them under ``params:``)."""

    reason: str = ""


@check("not_applicable_to_images", NotApplicableToImagesParams, consults=())
def not_applicable_to_images(
    facts: ImageFacts, params: NotApplicableToImagesParams, ctx: CheckContext
) -> CheckOutcome:
    """Not applicable: the requirement concerns the host, platform or organisation, not a container image."""
    reason = (
        params.reason
        or "This requirement is met by the platform or organisation, not by a container image."
    )
    return outcome(Verdict.NOT_APPLICABLE, reason)


@dataclass(frozen=True)
class ManualReviewParams(CheckParams):
    """Parameters of `manual_review` (rule packs set them under ``params:``)."""

    reason: str = ""


@check("manual_review", ManualReviewParams, consults=())
def manual_review(facts: ImageFacts, params: ManualReviewParams, ctx: CheckContext) -> CheckOutcome:
    """Manual: image facts cannot decide; the reason (and the rule's `manual:` text) says what to examine."""
    return manual(
        params.reason or "Image facts cannot decide this requirement; an assessor must review it."
    )
