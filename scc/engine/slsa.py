"""The SLSA Build level a provenance record supports, judged from its facts and controls/slsa-builders.yaml.

L1 provenance exists; L2 a hosted build platform signed it (a builder listed at level 2 or more, and
a signature that does not fail); L3 the builder is one listed as running hardened, isolated builds
with non-falsifiable provenance. A verification summary (VSA) is a verifier's claim: recorded as
such, it raises no level by itself. Which builders count is data (DataTables.slsa_builders), never code.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scc.engine.tables import KnownBuilder
from scc.facts.model import Provenance
from scc.facts.provenance.slsa import VSA_PREFIX

#: (requirement, evidenced, why), as the slsa_build_level check lists the unmet ones
Requirement = tuple[str, bool, str]


@dataclass(frozen=True)
class SlsaAssessment:
    """The level a provenance record evidences and each requirement with whether the facts show it."""

    level: int
    requirements: tuple[Requirement, ...]


def known_builder(builder_id: str, builders: Sequence[KnownBuilder]) -> KnownBuilder | None:
    """The listed builder ``builder_id`` is, or one of its pins ('@tag', '?ref', '#...'); None otherwise."""
    if not builder_id.strip():
        return None    # BuildKit's default "": no builder named, never a hosted platform
    for builder in builders:
        if builder_id == builder.id or (builder_id.startswith(builder.id) and builder_id[len(builder.id)] in "@?#"):
            return builder
    return None


def assess_level(record: Provenance, builders: Sequence[KnownBuilder]) -> SlsaAssessment:
    """The SLSA Build level ``record`` supports (0 for a verification summary) and why."""
    if record.predicate_type.startswith(VSA_PREFIX):
        passed = record.verification_result.upper() == "PASSED"
        return SlsaAssessment(0, (("verification summary from a verifier", passed, record.verification_claim),))
    builder = known_builder(record.builder_id, builders)
    l1 = ("SLSA Build L1: provenance exists", True,
          f"SLSA provenance v{record.slsa_version} from builder {record.builder_id or '(unnamed)'}")
    hosted = builder is not None and builder.level >= 2
    l2_hosted = ("SLSA Build L2: hosted build platform", hosted,
                 f"builder id is {builder.name} (controls/slsa-builders.yaml)" if builder is not None and hosted
                 else f"builder id {record.builder_id or '(none)'} is not a hosted build platform listed "
                      "in controls/slsa-builders.yaml")
    l2_signed = ("SLSA Build L2: provenance authenticity (signed)", _authentic(record), _signature_why(record))
    hardened = builder is not None and builder.level >= 3
    l3 = ("SLSA Build L3: hardened build platform (isolated, non-falsifiable provenance)", hardened,
          f"{builder.name} is listed as meeting L3 ({builder.reference})" if builder is not None and hardened
          else "no evidence: only a builder listed at level 3 in controls/slsa-builders.yaml shows "
               "isolated builds and provenance the tenant cannot forge")
    level = 1
    if l2_hosted[1] and l2_signed[1]:
        level = 3 if hardened else 2
    return SlsaAssessment(level, (l1, l2_hosted, l2_signed, l3))


def _authentic(record: Provenance) -> bool:
    return record.signed and record.signature_verified is not False


def _signature_why(record: Provenance) -> str:
    if not record.signed:
        return f"the provenance is not signed ({record.envelope} statement)"
    if record.signature_verified is False:
        return f"the signature does NOT verify: {record.signature_detail}"
    if record.signature_verified is None:
        return f"signed ({record.envelope}); {record.signature_detail}"
    return f"signed ({record.envelope}) and verified: {record.signature_detail}"
