"""DSSE signature verification against public keys the user supplies (or a bundle's own certificate).

    keys = load_verification_keys([Path("cosign.pub")])        # what `scc ... --key PEM` does
    facts = scc.facts.read_inputs([...], context=ReadContext(keys=keys))

Readers verify against ``doc.context.keys`` (scc.facts.context.ReadContext); no key is kept here.

Keys are PEM public keys (ECDSA P-256/P-384/P-521, RSA with PSS or PKCS#1 v1.5, Ed25519) or PEM
certificates (their public key is used). The signed bytes are the DSSE pre-authentication encoding
PAE(payloadType, payload). A certificate found in an attestation is only a key: its chain to a CA
(Fulcio) and any transparency-log (Rekor) inclusion are never checked here, and the detail says so.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scc.errors import InputError

# cryptography (30 ms to import) is imported by the functions that use it: every scc command imports this
# module through the readers, and most never see a key or a signature.
if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

CHAIN_NOT_CHECKED = (
    "the certificate chain to Fulcio/a CA, the certificate's identity and validity period, and Rekor "
    "transparency-log inclusion were NOT verified offline"
)


@dataclass(frozen=True)
class VerificationKey:
    """A public key and how to name it in evidence (file name and SHA-256 of its DER SubjectPublicKeyInfo)."""

    label: str
    fingerprint: str
    key: Any


def load_verification_keys(paths: Iterable[str | Path]) -> tuple[VerificationKey, ...]:
    """The user's PEM public keys or certificates (``--key``), each read and parsed now.

    Raises InputError naming the file when one cannot be read or is not a PEM key or certificate.
    The result goes into a ReadContext (scc.facts.context); nothing is kept here.
    """
    return tuple(load_key(Path(p)) for p in paths)


def load_key(path: Path) -> VerificationKey:
    """One PEM public key or certificate file as a VerificationKey named by its file name."""
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read public key: {exc.strerror}") from exc
    if b"-----BEGIN" not in pem:
        raise InputError(path, "not a PEM public key")
    from cryptography.exceptions import UnsupportedAlgorithm

    try:
        key = _public_key_from_pem(pem)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise InputError(path, f"not a PEM public key or certificate ({exc})") from exc
    return VerificationKey(path.name, fingerprint(key), key)


def key_from_pem(pem: bytes, label: str) -> VerificationKey:
    """A key or certificate carried inside an attestation (raises ValueError when unreadable)."""
    key = _public_key_from_pem(pem)
    return VerificationKey(label, fingerprint(key), key)


def key_from_der_certificate(der: bytes, label: str) -> tuple[VerificationKey, x509.Certificate]:
    from cryptography import x509

    cert = x509.load_der_x509_certificate(der)
    key = cert.public_key()
    return VerificationKey(label, fingerprint(key), key), cert


def _public_key_from_pem(pem: bytes) -> Any:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    if b"-----BEGIN CERTIFICATE-----" in pem:
        return x509.load_pem_x509_certificate(pem).public_key()
    return serialization.load_pem_public_key(pem)


def fingerprint(key: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return "sha256:" + hashlib.sha256(der).hexdigest()


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding: the exact bytes a DSSE signature covers."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


def decode_base64(text: str) -> bytes:
    """Standard or URL-safe base64, padding optional (cosign, GCB and npm all differ); ValueError if neither."""
    cleaned = "".join(text.split())
    padded = cleaned + "=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        pass
    try:
        return base64.b64decode(padded, altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not valid base64") from exc


def verify(key: VerificationKey, message: bytes, signature: bytes) -> bool:
    """True when ``signature`` over ``message`` verifies with ``key`` under any scheme that key allows."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    public = key.key
    try:
        if isinstance(public, ed25519.Ed25519PublicKey):
            public.verify(signature, message)
            return True
        if isinstance(public, ec.EllipticCurvePublicKey):
            return _verify_ecdsa(public, message, signature)
        if isinstance(public, rsa.RSAPublicKey):
            return _verify_rsa(public, message, signature)
    except InvalidSignature:
        return False
    return False


def _verify_ecdsa(public: ec.EllipticCurvePublicKey, message: bytes, signature: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    size = (public.curve.key_size + 7) // 8
    candidates = [signature]
    if len(signature) == 2 * size:   # IEEE P1363 r||s, as some KMS signers write it
        r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
        candidates.append(encode_dss_signature(r, s))
    for algorithm in _hashes_for_curve(public.curve.key_size):
        for candidate in candidates:
            try:
                public.verify(candidate, message, ec.ECDSA(algorithm))
                return True
            except (InvalidSignature, ValueError):
                continue
    return False


def _hashes_for_curve(bits: int) -> list[hashes.HashAlgorithm]:
    from cryptography.hazmat.primitives import hashes

    first: hashes.HashAlgorithm = hashes.SHA256() if bits <= 256 else hashes.SHA384() if bits <= 384 else hashes.SHA512()
    candidates: tuple[hashes.HashAlgorithm, ...] = (hashes.SHA256(), hashes.SHA384(), hashes.SHA512())
    return [first] + [h for h in candidates if h.name != first.name]


def _verify_rsa(public: rsa.RSAPublicKey, message: bytes, signature: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    for algorithm in (hashes.SHA256(), hashes.SHA384(), hashes.SHA512()):
        schemes = (
            padding.PSS(mgf=padding.MGF1(algorithm), salt_length=padding.PSS.AUTO),
            padding.PKCS1v15(),
        )
        for scheme in schemes:
            try:
                public.verify(signature, message, scheme, algorithm)
                return True
            except (InvalidSignature, ValueError):
                continue
    return False


def certificate_identity(cert: x509.Certificate) -> str:
    """Who a (Fulcio) certificate was issued to: its SAN URI/e-mail, else its subject."""
    from cryptography import x509

    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = san.get_values_for_type(x509.UniformResourceIdentifier) + san.get_values_for_type(x509.RFC822Name)
        if names:
            return ", ".join(names)
    except x509.ExtensionNotFound:
        pass
    return cert.subject.rfc4514_string()
