"""An image's attestations as one set: every statement must name the image's digest.

Readers see one input at a time, so the comparison happens here, once every input has been read and
before they are merged (``scc.facts.read_inputs``): the image digest is the one the image itself, its
config, a scan or an SBOM file records (an attestation's own subject never sets it, or a foreign
attestation could vouch for itself). A statement none of whose subjects is that digest is about another
artifact: its AttestationRecord stays, marked ``excluded`` with the reason, and a note says so, while
every fact read from inside it (SBOM components, findings, VEX, provenance, XCCDF results, FIPS modules,
test runs, its signature unless that failed verification) is set aside, so no check counts it. The engine's ``attestations_name_image``
check turns an excluded record into a finding. With no digest known the set is kept whole and the check
says the comparison could not be made.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from scc.facts.model import AttestationRecord, Evidence, Finding, FindingState, ImageFacts

#: formats whose identity comes from an attestation's subject, not from the image itself
ATTESTATION_FORMATS = frozenset({"in-toto"})
_TUPLE_LISTS = ("scans", "sboms", "vex", "provenance", "xccdf_results", "secrets",
                "misconfigurations", "attested_fips_modules", "test_results")


def image_digest(parts: list[ImageFacts]) -> str:
    """The digest the first input that is not an attestation file records for the image ('' when none)."""
    for part in parts:
        formats = {record.format for record in part.inputs}
        if part.identity.digest and not formats & ATTESTATION_FORMATS:
            return part.identity.digest
    return ""


def names_image(record: AttestationRecord, digest: str) -> bool:
    """Whether one of the statement's subjects carries the digest (algorithm and hex, case-insensitive)."""
    algorithm, _, hexdigest = digest.lower().partition(":")
    wanted = f"@{algorithm}:{hexdigest}"
    return bool(hexdigest) and any(subject.lower().endswith(wanted) for subject in record.subjects)


def exclude_foreign(parts: list[ImageFacts]) -> list[ImageFacts]:
    """Each part with the facts of statements that do not name the image digest set aside (see module doc)."""
    digest = image_digest(parts)
    if not digest:
        return parts
    return [_exclude(part, digest) for part in parts]


def _exclude(part: ImageFacts, digest: str) -> ImageFacts:
    foreign = [r for r in part.attestations if not names_image(r, digest)]
    if not foreign:
        return part
    scopes = [r.evidence[0] for r in foreign if r.evidence]
    records = []
    for record in part.attestations:
        if record in foreign:
            subjects = ", ".join(record.subjects) or "no subject"
            reason = f"its subjects ({subjects}) do not include the image digest {digest}"
            record = replace(record, excluded=reason)
            part.notes.append(f"{record.evidence[0].cite() if record.evidence else '?'}: attestation "
                              f"{record.predicate_type} set aside: {reason}")
        records.append(record)
    part.attestations = records
    part.notes = [n for n in part.notes if not _about_foreign_digest(n, foreign)]
    for name in _TUPLE_LISTS:
        setattr(part, name, [item for item in getattr(part, name) if not _inside(item.evidence, scopes)])
    # a signature over a foreign statement authenticates nothing of this image, but one that FAILED
    # verification is kept: a broken envelope in the supplied set is always reported (si7-signature-verified)
    part.signatures = [s for s in part.signatures if s.verified is False or not _inside(s.evidence, scopes)]
    part.components = _trimmed(part.components, scopes)
    part.findings = _trimmed(part.findings, scopes)
    for finding in part.findings:
        _undo_foreign_vex(finding, scopes)
    if _inside(part.identity.evidence, scopes):
        part.identity = replace(part.identity, digest="", evidence=())
    return part


def _about_foreign_digest(note: str, foreign: list[AttestationRecord]) -> bool:
    """The in-toto reader's 'inputs disagree on the image digest' note, when the other digest is a foreign
    statement's subject: the set-aside note replaces it."""
    if not note.startswith("inputs disagree on the image digest"):
        return False
    return any(subject.rsplit("@", 1)[-1] in note for record in foreign for subject in record.subjects)


def _undo_foreign_vex(finding: Finding, scopes: list[Evidence]) -> None:
    """A reader that merges its own parts applied the file's VEX already: a foreign statement's verdict is
    taken back (the finding is open again; VEX that names the image is applied once more after merging)."""
    finding.vex_conflicts = [v for v in finding.vex_conflicts if not _inside(v.evidence, scopes)]
    if finding.vex is not None and _inside(finding.vex.evidence, scopes):
        finding.vex = None
        finding.state = FindingState.AFFECTED


def _trimmed(items: list[Any], scopes: list[Evidence]) -> list[Any]:
    """Components / findings without the evidence that came from a foreign statement; those left with none
    came only from there and go."""
    kept = []
    for item in items:
        if not _inside(item.evidence, scopes):
            kept.append(item)
            continue
        item.evidence = [e for e in item.evidence if not _within(e, scopes)]
        if item.evidence:
            kept.append(item)
    return kept


def _inside(evidence: Any, scopes: list[Evidence]) -> bool:
    """Whether any of the evidence lies within one of the foreign statements."""
    return any(_within(e, scopes) for e in evidence or ())


def _within(evidence: Evidence, scopes: list[Evidence]) -> bool:
    return any(lies_within(evidence, scope) for scope in scopes)


def lies_within(evidence: Evidence, scope: Evidence) -> bool:
    """Whether ``evidence`` points at or under the spot ``scope`` names in the same input (an attestation's
    facts all lie within the spot it occupies)."""
    if evidence.source != scope.source or evidence.sha256 != scope.sha256:
        return False
    return not scope.pointer or evidence.pointer == scope.pointer or evidence.pointer.startswith(scope.pointer + "/")


def record_of(evidence: Iterable[Evidence], records: Iterable[AttestationRecord]) -> AttestationRecord | None:
    """The statement a fact was read from, or None when it came from no attestation."""
    records = list(records)
    for ev in evidence:
        for record in records:
            if record.evidence and lies_within(ev, record.evidence[0]):
                return record
    return None
