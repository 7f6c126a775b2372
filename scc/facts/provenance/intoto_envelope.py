"""Finding the in-toto statements in an attestation file, and checking the signatures around them.

Owns every wrapping a statement arrives in: a plain Statement (v0.1 / v1), a DSSE envelope, a
Sigstore bundle (v0.1-v0.3, dsseEnvelope + verificationMaterial), a list or JSON-lines file of any of
these (cosign / hardened-image vendors publish one envelope per line), the npm registry's
{"attestations": [{bundle}]} and GitHub's {"bundle": ...} wrappers, and the output of
`gcloud artifacts docker images describe --show-provenance`.

Evidence pointers into a base64 DSSE payload are written ``<envelope>/payload(base64)/predicate/...``:
the part after ``payload(base64)`` is a JSON pointer into the decoded payload.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scc.facts.provenance import signing as sig
from scc.facts.provenance.slsa import Signing
from scc.facts.source import InputDocument

IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
PAYLOAD = "/payload(base64)"


@dataclass
class Attestation:
    """One statement (None for a signature over something that is not a statement) and its signing."""

    statement: dict | None
    where: str                    # pointer prefix of the statement (for /predicate, /subject)
    signing: Signing
    key_id: str = ""
    signature_pointer: str = ""
    note: str = ""


def looks_like_attestation(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value) and looks_like_attestation(value[0])
    if not isinstance(value, dict):
        return False
    return (
        _is_dsse(value) or _is_bundle(value) or _is_statement(value)
        or isinstance(value.get("provenance_summary"), dict)
        or (isinstance(value.get("bundle"), dict) and _is_bundle(value["bundle"]))
        or (isinstance(value.get("attestations"), list) and bool(value["attestations"])
            and all(isinstance(a, dict) and "bundle" in a for a in value["attestations"]))
    )


def head_looks_like_json_lines(head: str) -> bool:
    first = head.lstrip()[:8192]
    return first.startswith("{") and any(
        marker in first for marker in ('"payloadType"', "in-toto.io/Statement", "dev.sigstore.bundle", '"dsseEnvelope"')
    )


def attestations(doc: InputDocument) -> list[Attestation]:
    data = doc.json
    if data is not None:
        return _from_value(doc, data, "")
    return _from_lines(doc)


def _from_lines(doc: InputDocument) -> list[Attestation]:
    found: list[Attestation] = []
    limit = doc.context.max_attestation_line_chars
    for number, line in enumerate(doc.require_text().splitlines(), start=1):
        if not line.strip():
            continue
        if len(line) > limit:
            raise doc.fail(f"line {number}: {len(line)} characters, over the {limit}-character line limit")
        try:
            value = json.loads(line)
        except RecursionError as exc:
            raise doc.fail(f"line {number}: JSON nested too deeply to read safely") from exc
        except ValueError as exc:
            raise doc.fail(f"line {number}: not JSON ({exc})") from exc
        found.extend(_from_value(doc, value, f"line {number}"))
    return found


def _from_value(doc: InputDocument, value: Any, where: str) -> list[Attestation]:
    if isinstance(value, list):
        return [a for index, item in enumerate(value) for a in _from_value(doc, item, f"{where}/{index}")]
    if not isinstance(value, dict):
        raise doc.fail(f"{where or '/'}: expected an in-toto statement, DSSE envelope or Sigstore bundle")
    if _is_dsse(value):
        return [_from_dsse(doc, value, where, None)]
    if _is_bundle(value):
        return [_from_bundle(doc, value, where)]
    if isinstance(value.get("bundle"), dict):
        return _from_value(doc, value["bundle"], f"{where}/bundle")
    if isinstance(value.get("attestations"), list):
        return _from_value(doc, value["attestations"], f"{where}/attestations")
    if isinstance(value.get("provenance_summary"), dict):
        return _from_gcb(doc, value["provenance_summary"], f"{where}/provenance_summary")
    if _is_statement(value):
        return [Attestation(_statement(doc, value, where), where, Signing())]
    raise doc.fail(f"{where or '/'}: expected an in-toto statement, DSSE envelope or Sigstore bundle")


def _is_dsse(value: dict) -> bool:
    return "payloadType" in value and "payload" in value


def _is_bundle(value: dict) -> bool:
    media = value.get("mediaType")
    return isinstance(media, str) and "dev.sigstore.bundle" in media


def _is_statement(value: dict) -> bool:
    kind = value.get("_type")
    return (isinstance(kind, str) and "in-toto.io/Statement" in kind) or ("predicateType" in value and "subject" in value)


def _statement(doc: InputDocument, value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise doc.fail(f"{where or '/'}: the in-toto statement must be a JSON object")
    if not isinstance(value.get("predicateType"), str) or not value["predicateType"].strip():
        raise doc.fail(f"{where}/predicateType: missing from the in-toto statement")
    if not isinstance(value.get("subject", []), list):
        raise doc.fail(f"{where}/subject must be a list")
    return value


def _from_bundle(doc: InputDocument, bundle: dict, where: str) -> Attestation:
    material = bundle.get("verificationMaterial")
    material = material if isinstance(material, dict) else {}
    envelope = bundle.get("dsseEnvelope")
    if isinstance(envelope, dict):
        return _from_dsse(doc, envelope, f"{where}/dsseEnvelope", material)
    if isinstance(bundle.get("messageSignature"), dict):
        detail = ("Sigstore bundle signs an artifact digest (messageSignature), not an attestation; the artifact "
                  "is not among the inputs, so the signature cannot be checked" + _tlog(material))
        return Attestation(None, where, Signing("sigstore-bundle", True, None, detail),
                           signature_pointer=f"{where}/messageSignature")
    raise doc.fail(f"{where}: Sigstore bundle has neither dsseEnvelope nor messageSignature")


def _from_gcb(doc: InputDocument, summary: dict, where: str) -> list[Attestation]:
    """`gcloud ... --show-provenance`: each occurrence has a signed envelope (and the statement unsigned)."""
    found = []
    for index, occurrence in enumerate(summary.get("provenance") or []):
        at = f"{where}/provenance/{index}"
        if isinstance(occurrence, dict) and isinstance(occurrence.get("envelope"), dict):
            found.append(_from_dsse(doc, occurrence["envelope"], f"{at}/envelope", None))
        elif isinstance(occurrence, dict) and isinstance(occurrence.get("build"), dict):
            statement = occurrence["build"].get("intotoStatement")
            found.append(Attestation(_statement(doc, statement, f"{at}/build/intotoStatement"),
                                     f"{at}/build/intotoStatement", Signing()))
        else:
            raise doc.fail(f"{at}: neither an envelope nor build.intotoStatement")
    return found


def _from_dsse(doc: InputDocument, envelope: dict, where: str, material: dict | None) -> Attestation:
    payload_type, encoded = envelope.get("payloadType"), envelope.get("payload")
    if not isinstance(payload_type, str) or not isinstance(encoded, str):
        raise doc.fail(f"{where}: DSSE payloadType and payload must be strings")
    try:
        payload = sig.decode_base64(encoded)
    except ValueError as exc:
        raise doc.fail(f"{where}/payload: malformed base64 in the DSSE payload") from exc
    signing, key_id = _check(doc, envelope, payload_type, payload, where, material)
    pointer = f"{where}/signatures"
    if payload_type != IN_TOTO_PAYLOAD_TYPE:
        note = f"{doc.display_path}#{where}: DSSE payload type {payload_type!r} is not an in-toto statement; not read"
        return Attestation(None, where, signing, key_id, pointer, note)
    try:
        statement = json.loads(payload.decode("utf-8"))
    except RecursionError as exc:
        raise doc.fail(f"{where}/payload: DSSE payload nested too deeply to read safely") from exc
    except ValueError as exc:   # includes UnicodeDecodeError
        raise doc.fail(f"{where}/payload: DSSE payload is not JSON ({exc})") from exc
    return Attestation(_statement(doc, statement, where + PAYLOAD), where + PAYLOAD, signing, key_id, pointer)


def _check(
    doc: InputDocument, envelope: dict, payload_type: str, payload: bytes, where: str, material: dict | None
) -> tuple[Signing, str]:
    kind = "sigstore-bundle" if material is not None else "dsse"
    signatures = _signatures(doc, envelope, where)
    tlog = _tlog(material or {})
    if not signatures:
        return Signing(kind, False, None, "the envelope carries no signature" + tlog), ""
    message = sig.pae(payload_type, payload)
    supplied = doc.context.keys
    for key in supplied:
        for key_id, signature, _ in signatures:
            if sig.verify(key, message, signature):
                detail = f"DSSE signature verified against the supplied key {key.label} ({key.fingerprint})"
                return Signing(kind, True, True, detail + tlog), key_id or key.fingerprint
    embedded = _embedded_certificates(doc, signatures, material or {}, where)
    own = _own_certificate_verifies(embedded, signatures, message)
    first_id = signatures[0][0]
    if supplied:   # the organisation named the keys it trusts: a signature by anything else fails
        names = ", ".join(f"{k.label} ({k.fingerprint})" for k in supplied)
        detail = (f"{_plural_signatures(signatures)} present, but none verifies against the supplied "
                  f"key(s) {names}")
        if own is not None:
            detail += (f"; it verifies only against the attestation's own certificate for {own[1]} "
                       f"({own[0].fingerprint}), which is not a supplied key")
        return Signing(kind, True, False, detail + tlog), first_id
    if own is not None:
        key, identity, key_id = own
        detail = (f"DSSE signature verifies against the attestation's own leaf certificate "
                  f"for {identity} ({key.fingerprint}); {sig.CHAIN_NOT_CHECKED}")
        return Signing(kind, True, True, detail + tlog), key_id or key.fingerprint
    if embedded:
        detail = "the DSSE signature does NOT verify against the attestation's own certificate"
        return Signing(kind, True, False, detail + tlog), first_id
    hint = (material or {}).get("publicKey")
    hint = hint.get("hint", "") if isinstance(hint, dict) else ""
    named = first_id or hint or "not stated"
    detail = (f"{len(signatures)} signature(s) present (key id {named}) but not verified: no key was "
              "supplied (scc --key PEM) and the attestation carries no certificate")
    return Signing(kind, True, None, detail + tlog), first_id or hint


def _plural_signatures(signatures: list) -> str:
    return f"{len(signatures)} signature{'' if len(signatures) == 1 else 's'}"


def _own_certificate_verifies(embedded: list[tuple[sig.VerificationKey, str]],
                              signatures: list[tuple[str, bytes, str]], message: bytes):
    """(key, identity, key id) of the attestation's own certificate that a signature verifies with, else None."""
    for key, identity in embedded:
        for key_id, signature, _ in signatures:
            if sig.verify(key, message, signature):
                return key, identity, key_id
    return None


def _signatures(doc: InputDocument, envelope: dict, where: str) -> list[tuple[str, bytes, str]]:
    entries = envelope.get("signatures") or []
    if not isinstance(entries, list):
        raise doc.fail(f"{where}/signatures must be a list")
    found = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("sig"), str):
            raise doc.fail(f"{where}/signatures/{index}/sig must be a base64 string")
        try:
            signature = sig.decode_base64(entry["sig"])
        except ValueError as exc:
            raise doc.fail(f"{where}/signatures/{index}/sig: malformed base64") from exc
        cert = entry.get("cert") if isinstance(entry.get("cert"), str) else ""
        found.append((entry.get("keyid") if isinstance(entry.get("keyid"), str) else "", signature, cert))
    return found


def _embedded_certificates(
    doc: InputDocument, signatures: list[tuple[str, bytes, str]], material: dict, where: str
) -> list[tuple[sig.VerificationKey, str]]:
    """The leaf certificate of a Sigstore bundle, or the PEM 'cert' slsa-github-generator puts in a signature."""
    found = []
    try:
        for _, _, pem in signatures:
            if pem.strip():
                key = sig.key_from_pem(pem.encode("utf-8"), "embedded certificate")
                from cryptography import x509

                found.append((key, sig.certificate_identity(x509.load_pem_x509_certificate(pem.encode()))))
        chain = material.get("x509CertificateChain")
        certificates = chain.get("certificates") if isinstance(chain, dict) else None
        leaf = certificates[0] if isinstance(certificates, list) and certificates else material.get("certificate")
        if isinstance(leaf, dict) and isinstance(leaf.get("rawBytes"), str):
            key, cert = sig.key_from_der_certificate(sig.decode_base64(leaf["rawBytes"]), "bundle certificate")
            found.append((key, sig.certificate_identity(cert)))
    except ValueError as exc:
        raise doc.fail(f"{where}: the attestation's certificate is not a readable X.509 certificate ({exc})") from exc
    return found


def _tlog(material: dict) -> str:
    entries = [e for e in material.get("tlogEntries") or [] if isinstance(e, dict)]
    if not entries:
        return ""
    described = []
    for entry in entries:
        when = ""
        try:
            when = datetime.fromtimestamp(int(entry.get("integratedTime", "")), tz=UTC).strftime(" at %Y-%m-%dT%H:%M:%SZ")
        except (TypeError, ValueError, OverflowError, OSError):
            pass
        described.append(f"logIndex {entry.get('logIndex', '?')}{when}")
    return (f"; the bundle records {len(entries)} Rekor transparency-log entr{'y' if len(entries) == 1 else 'ies'} "
            f"({', '.join(described)}) whose inclusion was NOT verified offline")
