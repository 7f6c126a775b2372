"""Supply-chain checks (SR-3, SR-4, SR-11, SA-10, SI-7, SI-7(15), CM-14): SLSA provenance, its build
level, whether it covers this image, signatures and their verification, component authenticity.

With no attestation or signature input at all these are MANUAL: scc cannot tell "unsigned" from
"signature not supplied".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scc.engine.checks import CheckContext, check
from scc.engine.checks.support import capped, gather, listing, manual, outcome, plural, sbom_components
from scc.engine.model import CheckOutcome, Verdict
from scc.engine.params import CheckParams
from scc.engine.slsa import assess_level
from scc.facts.model import Evidence, ImageFacts, Provenance
from scc.facts.provenance.signing import CHAIN_NOT_CHECKED

_NO_PROVENANCE = (
    "No provenance was supplied; supply an in-toto/SLSA provenance attestation of the image "
    "(e.g. from `cosign download attestation` or the build system) to decide this."
)


def _no_provenance(facts: ImageFacts) -> str:
    """Why no provenance is there to judge: none supplied, or what was supplied names another digest."""
    aside = [r for r in facts.attestations if r.excluded and r.kind == "provenance"]
    if not aside:
        return _NO_PROVENANCE
    return (f"The supplied provenance ({plural(len(aside), 'attestation')}) names another digest and was set aside "
            f"({listing([s for r in aside for s in r.subjects], 3)}); supply the provenance of this image.")


def _digest_hex(digest: str) -> str:
    return digest.split(":", 1)[-1].lower() if digest else ""


def _key_verified(verified: bool | None, detail: str) -> bool:
    """Verified with a key the organisation supplied, not merely with a certificate the artifact carries."""
    return verified is True and CHAIN_NOT_CHECKED not in detail


def _covers(provenance: Provenance, digest: str) -> bool:
    wanted = _digest_hex(digest)
    return bool(wanted) and any(wanted in subject.lower() for subject in provenance.subjects)


@check("provenance_present", CheckParams)
def provenance_present(facts: ImageFacts, params: CheckParams, ctx: CheckContext) -> CheckOutcome:
    """SLSA provenance exists and names its builder and the source it was built from."""
    if not facts.provenance:
        return manual(_no_provenance(facts), gather(facts.attestations))
    complete = [p for p in facts.provenance if p.builder_id and p.source_repository]
    rows = [
        {
            "builder": p.builder_id,
            "source": p.source_repository,
            "digest": p.source_digest,
            "slsa_version": p.slsa_version,
        }
        for p in facts.provenance
    ]
    details = {"provenance": rows[:20], "count": len(rows)}
    if complete:
        best = complete[0]
        revision = f" at {best.source_digest}" if best.source_digest else ""
        return outcome(
            Verdict.SATISFIED,
            f"SLSA provenance (v{best.slsa_version or '?'}) records builder {best.builder_id} and source "
            f"{best.source_repository}{revision}.",
            gather(complete),
            **details,
        )
    missing = sorted(
        {"builder" for p in facts.provenance if not p.builder_id}
        | {"source repository" for p in facts.provenance if not p.source_repository}
    )
    return outcome(
        Verdict.PARTIAL,
        f"{plural(len(facts.provenance), 'provenance attestation')} supplied, but none records both a "
        f"builder and a source (missing: {', '.join(missing)}).",
        gather(facts.provenance),
        **details,
    )


@check("provenance_covers_image", CheckParams)
def provenance_covers_image(facts: ImageFacts, params: CheckParams, ctx: CheckContext) -> CheckOutcome:
    """A provenance subject is this image's digest (the attestation is about this image)."""
    aside = [r for r in facts.attestations if r.excluded and r.kind == "provenance"]
    if not facts.provenance and aside and facts.identity.digest:
        return outcome(
            Verdict.NOT_SATISFIED,
            f"No provenance subject matches the image digest {facts.identity.digest} (subjects: "
            f"{listing([s for r in aside for s in r.subjects])}); the attestation describes another artifact "
            "and was set aside.",
            gather(aside) + list(facts.identity.evidence[:2]),
            digest=facts.identity.digest, subjects=capped(s for r in aside for s in r.subjects))
    if not facts.provenance:
        return manual(_NO_PROVENANCE)
    digest = facts.identity.digest
    subjects = [s for p in facts.provenance for s in p.subjects]
    details = {"digest": digest, "subjects": capped(subjects)}
    if not digest:
        return manual(
            "The image digest is unknown (no input named it); supply the image config, a scan or an SBOM "
            f"that records the digest, to compare with the provenance subjects ({listing(subjects)}).",
            gather(facts.provenance),
            **details,
        )
    covering = [p for p in facts.provenance if _covers(p, digest)]
    if covering:
        return outcome(
            Verdict.SATISFIED,
            f"The provenance subject matches the image digest {digest}.",
            gather(covering) + list(facts.identity.evidence[:2]),
            **details,
        )
    return outcome(
        Verdict.NOT_SATISFIED,
        f"No provenance subject matches the image digest {digest} (subjects: {listing(subjects)}); "
        "the attestation describes another artifact.",
        gather(facts.provenance) + list(facts.identity.evidence[:2]),
        **details,
    )


@dataclass(frozen=True)
class SlsaBuildLevelParams(CheckParams):
    """Parameters of `slsa_build_level` (rule packs set them under ``params:``)."""

    required_level: int = 2


@check("slsa_build_level", SlsaBuildLevelParams)
def slsa_build_level(facts: ImageFacts, params: SlsaBuildLevelParams, ctx: CheckContext) -> CheckOutcome:
    """The SLSA build level the provenance evidences reaches `required_level`."""
    if not facts.provenance:
        return manual(_no_provenance(facts), gather(facts.attestations))
    required = params.required_level
    assessed = [(p, assess_level(p, ctx.tables.slsa_builders)) for p in facts.provenance]
    best, judged = max(assessed, key=lambda pair: pair[1].level)
    unmet = [f"{name} ({why})" if why else name for name, ok, why in judged.requirements if not ok]
    details = {
        "level": judged.level,
        "required_level": required,
        "builder": best.builder_id,
        "unmet": unmet[:20],
    }
    evidence = gather([best])
    if judged.level >= required:
        return outcome(
            Verdict.SATISFIED,
            f"The provenance evidences SLSA Build L{judged.level} (builder {best.builder_id or '?'}), "
            f"meeting the required L{required}.",
            evidence,
            **details,
        )
    gap = f"; unmet: {listing(unmet, 3)}" if unmet else ""
    verdict = Verdict.PARTIAL if judged.level > 0 else Verdict.NOT_SATISFIED
    return outcome(
        verdict,
        f"The provenance evidences SLSA Build L{judged.level}, below the required L{required}{gap}.",
        evidence,
        **details,
    )


@dataclass(frozen=True)
class _Signature:
    """One signature (or envelope) as the SI-7 check weighs it."""

    kind: str
    subject: str
    signed: bool
    verified: bool | None
    detail: str
    evidence: tuple[Evidence, ...]


def _signatures(facts: ImageFacts) -> list[_Signature]:
    """Every signature check, and the signing of provenance no signature check already records
    (the in-toto reader records each envelope once as a SignatureCheck, with its provenance beside it)."""
    found = [_Signature(s.kind, s.subject or s.kind, s.signed, s.verified, s.detail, s.evidence)
             for s in facts.signatures]
    recorded = {e.source for s in facts.signatures for e in s.evidence}
    found += [_Signature(p.envelope, f"{p.envelope} provenance", True, p.signature_verified,
                         p.signature_detail, p.evidence)
              for p in facts.provenance if p.signed and not {e.source for e in p.evidence} & recorded]
    return found


@check("signature_verified", CheckParams)
def signature_verified(facts: ImageFacts, params: CheckParams, ctx: CheckContext) -> CheckOutcome:
    """A signature over the image or its attestation verifies with a supplied key.

    No signature present (unsigned provenance, an envelope with no signatures) -> not-satisfied; a signature
    that does not verify with the supplied key(s) -> not-satisfied naming them; present and no key -> partial.
    """
    every = _signatures(facts)
    checks = [c for c in every if c.signed]
    unsigned = [c for c in every if not c.signed]
    details = {
        "signatures": [{"kind": c.kind, "subject": c.subject, "signed": c.signed, "verified": c.verified,
                        "detail": c.detail} for c in every][:20],
    }
    evidence = [e for c in every for e in c.evidence][:30]
    if not checks:
        return _no_signature(facts, unsigned, details)
    failed = [c for c in checks if c.verified is False]
    passed = [c for c in checks if _key_verified(c.verified, c.detail)]
    intact = [c for c in checks if c.verified is True and c not in passed]
    if failed:
        which = listing([f"{c.subject}: {c.detail}" for c in failed], 3)
        return outcome(
            Verdict.NOT_SATISFIED,
            f"{plural(len(failed), 'signature')} FAILED verification ({which}).",
            evidence,
            **details,
        )
    if passed:
        first = passed[0]
        return outcome(
            Verdict.SATISFIED,
            f"The {first.kind} signature over {first.subject} verifies"
            f"{' (' + first.detail + ')' if first.detail else ''}.",
            evidence,
            **details,
        )
    if intact:
        first = intact[0]
        return outcome(
            Verdict.PARTIAL,
            f"The {first.kind} signature over {first.subject} verifies only against the certificate it carries; "
            "its signer identity and certificate chain were not checked, so supply the organisation's public "
            "key (--key) to verify who signed it.",
            evidence,
            **details,
        )
    return outcome(
        Verdict.PARTIAL,
        f"{plural(len(checks), 'signature')} present but not verified: no public key was supplied "
        "(pass the signer's key with --key to verify).",
        evidence,
        **details,
    )


def _no_signature(facts: ImageFacts, unsigned: list[_Signature], details: dict[str, Any]) -> CheckOutcome:
    if unsigned:
        where = listing([e.cite() for c in unsigned for e in c.evidence], 3)
        return outcome(
            Verdict.NOT_SATISFIED,
            f"No signature is present: {plural(len(unsigned), 'signature envelope')} "
            f"({unsigned[0].kind}) carr{'ies' if len(unsigned) == 1 else 'y'} no signature ({where}).",
            [e for c in unsigned for e in c.evidence][:30] + gather(facts.provenance),
            **details,
        )
    if facts.provenance:
        return outcome(
            Verdict.NOT_SATISFIED,
            f"The supplied provenance ({plural(len(facts.provenance), 'attestation')}) is unsigned and "
            "no other signature was supplied.",
            gather(facts.provenance),
            **details,
        )
    return manual(
        "No signature or signed attestation was supplied; supply the cosign signature bundle or DSSE "
        "attestation and the signer's public key to decide this.",
        **details,
    )


@check("component_authenticity", CheckParams)
def component_authenticity(facts: ImageFacts, params: CheckParams, ctx: CheckContext) -> CheckOutcome:
    """Verified provenance covers the image digest; otherwise an assessor judges authenticity, helped by the
    SBOM's supplier and license coverage (reported, never decisive)."""
    listed = sbom_components(facts)
    with_supplier = sum(1 for c in listed if c.supplier)
    with_license = sum(1 for c in listed if c.licenses)
    details = {
        "components": len(listed),
        "with_supplier": with_supplier,
        "with_license": with_license,
        "digest": facts.identity.digest,
    }
    trusted = [
        p
        for p in facts.provenance
        if _key_verified(p.signature_verified, p.signature_detail) and _covers(p, facts.identity.digest)
    ]
    if trusted:
        return outcome(
            Verdict.SATISFIED,
            f"Provenance signed by a verified key covers the image digest {facts.identity.digest} "
            f"(builder {trusted[0].builder_id or '?'}).",
            gather(trusted),
            **details,
        )
    stats = (
        (
            f"the SBOM names a supplier for {with_supplier} and a license for {with_license} of "
            f"{plural(len(listed), 'component')}"
        )
        if listed
        else "no SBOM was supplied"
    )
    return manual(
        f"No verified, signed provenance covers the image digest; {stats}. Confirm components come from "
        "authorised sources (trusted registries, signed packages).",
        gather(facts.provenance),
        **details,
    )
