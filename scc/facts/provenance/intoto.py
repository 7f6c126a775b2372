"""in-toto attestations: SLSA provenance, verification summaries, and predicates other readers know.

Owns routing each statement's predicate: SLSA provenance (v0.1/v0.2/v1) and verification summaries
become Provenance facts; an SBOM (CycloneDX/SPDX), VEX (OpenVEX) or vulnerability scan
(cosign vuln/v1: the scanner's own report in scanner.result) is handed to the reader that knows it,
as an embedded document whose evidence cites this file; the vendor predicates of a hardened-image
attestation set (DHI FIPS / STIG scan / tests, in-toto test-result, apko configuration) are read by
scc.facts.provenance.vendor_predicates; every envelope's signature becomes a SignatureCheck, and every
statement an AttestationRecord scoped to the spot it occupies (the digest rule,
scc.facts.attestation_sets, sets aside what a statement about another digest contributed). The parts are
merged into one ImageFacts.

Signature keys come from the document's ReadContext (``doc.context.keys``, the CLI's repeatable
``--key PEM``); see scc.facts.context.
"""
from __future__ import annotations

import json
from typing import Any

from scc.errors import InputError
from scc.facts.counting import input_record
from scc.facts.interface import Reader, read_with
from scc.facts.model import AttestationRecord, ImageFacts, ImageIdentity, Provenance, SignatureCheck
from scc.facts.provenance import intoto_envelope as envelopes
from scc.facts.provenance import slsa, vendor_predicates
from scc.facts.source import InputDocument

__all__ = ["READER", "InTotoReader"]

VULN_SCAN_PREFIX = "https://cosign.sigstore.dev/attestation/vuln/"
_PREDICATE_KEYS = ("predicate", "slsaProvenance", "slsaProvenanceZeroTwo")   # GCB's protobuf JSON names
_IMAGE_PREDICATES = ("cyclonedx", "spdx", "openvex", VULN_SCAN_PREFIX)


class InTotoReader(Reader):
    format = "in-toto"

    def sniff(self, doc: InputDocument) -> bool:
        data = doc.json
        if data is not None:
            return envelopes.looks_like_attestation(data)
        return envelopes.head_looks_like_json_lines(doc.head)

    def read(self, doc: InputDocument) -> ImageFacts:
        found = envelopes.attestations(doc)
        own = ImageFacts()
        parts = [own]
        for attestation in found:
            if attestation.note:
                own.notes.append(attestation.note)
            if attestation.signing.envelope != "plain":
                own.signatures.append(_signature(doc, attestation))
            if attestation.statement is not None:
                before = len(own.provenance)
                statement_parts, summary = self._statement(doc, attestation, own)
                parts.extend(statement_parts)
                summary = summary or _standard_summary(statement_parts, own.provenance[before:])
                own.attestations.append(_record(doc, attestation, summary))
        own.identity = _gcb_identity(doc) or own.identity
        from scc.facts.merge import merge_facts

        merged = merge_facts(parts)
        merged.inputs = [input_record(doc, self.format, merged, _statement_versions(found), _tools(found))]
        return merged

    def _statement(self, doc: InputDocument, attestation: envelopes.Attestation,
                   own: ImageFacts) -> tuple[list[ImageFacts], str]:
        statement = attestation.statement or {}   # the caller passes only attestations with a statement
        predicate_type = statement["predicateType"].strip()
        key = next((k for k in _PREDICATE_KEYS if k in statement), "predicate")
        predicate = statement.get(key)
        where = f"{attestation.where}/{key}"
        if slsa.is_provenance(predicate_type) or predicate_type.startswith(slsa.VSA_PREFIX):
            if not isinstance(predicate, dict):
                raise doc.fail(f"{where}: the {predicate_type} predicate must be an object")
            build = slsa.provenance if slsa.is_provenance(predicate_type) else slsa.verification_summary
            own.provenance.append(build(statement, predicate, attestation.signing, doc.evidence(where)))
            return [], ""
        vendor = vendor_predicates.read_predicate(doc, predicate_type, predicate, where)
        if vendor is not None:
            return [vendor.facts], vendor.summary
        if predicate_type.startswith(VULN_SCAN_PREFIX):
            scanner = predicate.get("scanner") if isinstance(predicate, dict) else None
            predicate = scanner.get("result") if isinstance(scanner, dict) else None
            where += "/scanner/result"
        elif isinstance(predicate, dict) and "Data" in predicate and set(predicate) <= {"Data", "Timestamp"}:
            data = predicate["Data"]   # cosign's custom-predicate wrapper; a string holds a whole document
            predicate, where = data, f"{where}/Data" + ("(json)" if isinstance(data, str) else "")
        part = self._embedded(doc, predicate, where, predicate_type, own)
        if part is None:
            return [], ""
        if any(marker in predicate_type for marker in _IMAGE_PREDICATES):
            part.identity = _subject_identity(doc, attestation) or part.identity
        return [part], ""

    def _embedded(self, doc: InputDocument, predicate: Any, where: str, predicate_type: str,
                  own: ImageFacts) -> ImageFacts | None:
        """Hand the predicate to the reader that recognises it; note it when none does."""
        from scc.facts import detect_reader

        if isinstance(predicate, str):   # a document carried as a string (cosign 'Data' of SPDX)
            data = predicate.encode("utf-8")
        else:
            data = json.dumps(predicate).encode("utf-8")
        embedded = InputDocument.embedded(doc, data, where)
        try:
            reader = detect_reader(embedded)
        except InputError:
            reader = None
        if reader is None or reader.format == self.format:
            own.notes.append(f"{doc.display_path}#{where}: predicate {predicate_type} is not a format scc reads; "
                             "only its subjects and signature are recorded")
            return None
        return read_with(reader, embedded)


def _record(doc: InputDocument, attestation: envelopes.Attestation, summary: str) -> AttestationRecord:
    """The statement as one member of the image's attestation set, scoped to the spot it occupies."""
    statement = attestation.statement or {}
    predicate_type = statement["predicateType"].strip()
    scope = attestation.where.removesuffix(envelopes.PAYLOAD)
    return AttestationRecord(
        predicate_type=predicate_type, kind=_kind(predicate_type), subjects=slsa.subjects(statement),
        envelope=attestation.signing.envelope, signed=attestation.signing.signed,
        signature_verified=attestation.signing.verified, signature_detail=attestation.signing.detail,
        summary=summary, evidence=(doc.evidence(scope),))


def _kind(predicate_type: str) -> str:
    if slsa.is_provenance(predicate_type):
        return "provenance"
    if predicate_type.startswith(slsa.VSA_PREFIX):
        return "verification-summary"
    vendor = vendor_predicates.kind_of(predicate_type)
    if vendor:
        return vendor
    for marker, kind in (("cyclonedx", "sbom"), ("spdx", "sbom"), ("openvex", "vex"), (VULN_SCAN_PREFIX, "vulnerability-scan"),
                         ("in-toto.io/attestation/vulns", "vulnerability-scan")):
        if marker in predicate_type:
            return kind
    return "other"


def _standard_summary(parts: list[ImageFacts], provenance: list[Provenance]) -> str:
    """What an SBOM / VEX / scan / provenance statement contributed, counted."""
    counts = [(sum(len(p.components) for p in parts), "components"), (sum(len(p.findings) for p in parts), "findings"),
              (sum(len(p.vex) for p in parts), "VEX statements"),
              (sum(len(p.xccdf_results) for p in parts), "rule results")]
    said = ", ".join(f"{n} {label}" for n, label in counts if n)
    if said:
        return said
    latest = provenance[-1] if provenance else None
    if latest is not None and latest.verification_claim:
        return latest.verification_claim
    if latest is not None and latest.builder_id:
        return f"builder {latest.builder_id}"
    return ""


def _signature(doc: InputDocument, attestation: envelopes.Attestation) -> SignatureCheck:
    statement = attestation.statement or {}
    subjects = slsa.subjects(statement) if statement else ()
    return SignatureCheck(
        kind=attestation.signing.envelope,
        subject=", ".join(subjects),
        key_id=attestation.key_id,
        verified=attestation.signing.verified,
        detail=attestation.signing.detail,
        evidence=(doc.evidence(attestation.signature_pointer or attestation.where),),
        signed=attestation.signing.signed,
    )


def _subject_identity(doc: InputDocument, attestation: envelopes.Attestation) -> ImageIdentity | None:
    """The image an SBOM/VEX/scan attestation is about: its single subject, when that is an image."""
    subjects = (attestation.statement or {}).get("subject") or []
    if len(subjects) != 1 or not isinstance(subjects[0], dict):
        return None
    name, digest = subjects[0].get("name"), subjects[0].get("digest")
    if not isinstance(name, str) or not isinstance(digest, dict) or not isinstance(digest.get("sha256"), str):
        return None
    if name.startswith("pkg:"):
        return _purl_subject_identity(doc, attestation, name, digest["sha256"])
    repository, tag = name, ""
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        repository, tag = name[: len(name) - len(last)] + last.split(":", 1)[0], last.split(":", 1)[1]
    return ImageIdentity(name=repository, tag=tag, digest=f"sha256:{digest['sha256']}",
                         evidence=(doc.evidence(f"{attestation.where}/subject/0"),))


def _purl_subject_identity(doc: InputDocument, attestation: envelopes.Attestation, purl: str,
                           sha256: str) -> ImageIdentity | None:
    """BuildKit names its subject 'pkg:docker/<registry>/<repo>@<tag>?platform=linux%2Famd64'."""
    from packageurl import PackageURL

    try:
        parsed = PackageURL.from_string(purl)
    except ValueError:
        return None
    if parsed.type not in ("docker", "oci"):
        return None
    qualifiers = parsed.qualifiers if isinstance(parsed.qualifiers, dict) else {}
    repository = qualifiers.get("repository_url") or "/".join(p for p in (parsed.namespace, parsed.name) if p)
    tag = qualifiers.get("tag") or ("" if (parsed.version or "").startswith("sha256:") else parsed.version or "")
    platform = qualifiers.get("platform", "").split("/")
    return ImageIdentity(name=repository, tag=tag, digest=f"sha256:{sha256}",
                         architecture=platform[1] if len(platform) > 1 else qualifiers.get("arch", ""),
                         evidence=(doc.evidence(f"{attestation.where}/subject/0"),))


def _gcb_identity(doc: InputDocument) -> ImageIdentity | None:
    data = doc.json
    summary = data.get("image_summary") if isinstance(data, dict) else None
    if not isinstance(summary, dict) or not isinstance(summary.get("digest"), str):
        return None
    reference = summary.get("fully_qualified_digest")
    name = reference.split("@", 1)[0] if isinstance(reference, str) else ""
    return ImageIdentity(name=name, digest=summary["digest"], evidence=(doc.evidence("/image_summary"),))


def _statement_versions(found: list[envelopes.Attestation]) -> str:
    """'Statement/v0.1, Statement/v1': the in-toto statement versions the file carries."""
    kinds = {str(a.statement.get("_type", "")).split("in-toto.io/", 1)[-1] for a in found if a.statement}
    return ", ".join(sorted(k for k in kinds if k))


def _tools(found: list[envelopes.Attestation]) -> str:
    types = sorted({a.statement["predicateType"].strip() for a in found if a.statement is not None})
    return "predicates: " + ", ".join(types) if types else ""


READER = InTotoReader()
