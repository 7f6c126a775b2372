"""in-toto attestations on authored statements (tests/data/intoto), signed here at test time: the twins
of the tests of test_provenance.py that need the real samples in ../shared.

Each statement is written for scc in the shape its tool emits (Google Cloud Build's `gcloud ...
--show-provenance`, slsa-github-generator's generic and container-based provenance, npm's publish
and provenance attestations, a Trivy CycloneDX predicate); names, repositories and digests are fake.
The envelopes, Sigstore bundles and certificates around them are built below with the cryptography
library from fresh keys, so every signature is real and nothing secret is stored. Expected values
are read off the statement files by eye, not from scc's output.
"""
from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from test_provenance import _envelope, _keyed, _level, _pem, _write

from scc.facts import read_input

INTOTO = REPO / "tests" / "data" / "intoto"
GCB = INTOTO / "slsa-v0.1.gcb-container-image.statement.json"
GENERIC = INTOTO / "slsa-v0.2.gha-generic.statement.json"
CONTAINER_BASED = INTOTO / "slsa-v1.container-based.statement.json"
NPM_PUBLISH = INTOTO / "npm-publish-v0.1.statement.json"
NPM_PROVENANCE = INTOTO / "slsa-v1.npm-provenance.statement.json"
TRIVY_CDX = REPO / "tests" / "data" / "readers" / "cyclonedx-1.5.trivy-container.cdx.json"
CONTAINER_BASED_IDENTITY = ("https://github.com/slsa-framework/slsa-github-generator/.github/workflows/"
                            "builder_container-based_slsa3.yml@refs/tags/v2.99.0")
NPM_IDENTITY = "https://github.com/fixture-org/fixture-widget/.github/workflows/npm-publish.yml@refs/tags/v2.0.1"
GCB_KEY_ID = "projects/fixture-project/locations/global/keyRings/attestor/cryptoKeys/builtByGCB/cryptoKeyVersions/1"


@pytest.fixture(scope="module")
def signer() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


# -- what the tools write around a statement -------------------------------------------------------
def _jsonl(*envelopes: dict) -> str:
    return "".join(json.dumps(e) + "\n" for e in envelopes)


def _gcloud_show_provenance(statement: bytes, private: Any) -> dict:
    """`gcloud artifacts docker images describe IMAGE --show-provenance --format json`: the occurrence
    carries the signed envelope and, beside it, the statement without its predicate copy."""
    value = json.loads(statement)
    subject = value["subject"][0]
    unsigned = {k: v for k, v in value.items() if k != "predicate"}
    return {
        "image_summary": {
            "digest": "sha256:" + subject["digest"]["sha256"],
            "fully_qualified_digest": subject["name"].removeprefix("https://").rsplit(":", 1)[0]
            + "@sha256:" + subject["digest"]["sha256"],
            "registry": "europe-west9-docker.pkg.dev", "repository": "fixture-repo"},
        "provenance_summary": {"provenance": [{
            "build": {"intotoStatement": unsigned},
            "createTime": "2099-07-08T09:12:20.5Z",
            "envelope": _envelope(statement, private, keyid=GCB_KEY_ID),
            "kind": "BUILD",
            "name": "projects/fixture-project/occurrences/0f1e2d3c-0000-4000-8000-000000000001",
            "noteName": "projects/verified-builder/notes/intoto_0f1e2d3c-4b5a-4968-8776-5c4b3a291807",
            "resourceUri": subject["name"].rsplit(":", 1)[0] + "@sha256:" + subject["digest"]["sha256"],
            "updateTime": "2099-07-08T09:12:20.5Z"}]},
    }


def _fulcio_like_certificate(private: Any, identity: str) -> tuple[bytes, bytes]:
    """(leaf DER, issuer DER): a short-lived leaf naming the workflow in its SAN URI, as Fulcio issues,
    signed by a throwaway intermediate (scc never checks the chain offline, and says so)."""
    issuer_key = ec.generate_private_key(ec.SECP384R1())
    issuer = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "fixture-sigstore.example.test"),
                        x509.NameAttribute(NameOID.COMMON_NAME, "fixture-sigstore-intermediate")])
    start = datetime(2099, 8, 1, 12, 0, tzinfo=UTC)
    intermediate = (x509.CertificateBuilder().subject_name(issuer).issuer_name(issuer)
                    .public_key(issuer_key.public_key()).serial_number(x509.random_serial_number())
                    .not_valid_before(start).not_valid_after(start + timedelta(days=365))
                    .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                    .sign(issuer_key, hashes.SHA384()))
    leaf = (x509.CertificateBuilder().subject_name(x509.Name([])).issuer_name(issuer)
            .public_key(private.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + timedelta(minutes=10))
            .add_extension(x509.SubjectAlternativeName([x509.UniformResourceIdentifier(identity)]), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
            .sign(issuer_key, hashes.SHA384()))
    return leaf.public_bytes(serialization.Encoding.DER), intermediate.public_bytes(serialization.Encoding.DER)


def _tlog_entry(index: str) -> dict:
    return {"logIndex": index, "logId": {"keyId": base64.b64encode(b"fixture-rekor-log-id").decode()},
            "kindVersion": {"kind": "dsse", "version": "0.0.1"}, "integratedTime": "4089196800",
            "inclusionPromise": {"signedEntryTimestamp": base64.b64encode(b"fixture-set").decode()},
            "canonicalizedBody": base64.b64encode(b'{"kind":"dsse"}').decode()}


def _bundle(statement: bytes, private: Any, identity: str | None, layout: str = "v0.2") -> dict:
    """A Sigstore bundle: keyless (the leaf certificate, as a v0.2 chain or the v0.3 single certificate)
    when ``identity`` is given, else keyed (a public-key hint only)."""
    material: dict[str, Any] = {"tlogEntries": [_tlog_entry("4242420")],
                                "timestampVerificationData": {"rfc3161Timestamps": []}}
    if identity is None:
        material = {"publicKey": {"hint": "SHA256:fixture-npm-registry-key"}} | material
    else:
        leaf, intermediate = _fulcio_like_certificate(private, identity)
        if layout == "v0.3":
            material = {"certificate": {"rawBytes": base64.b64encode(leaf).decode()}} | material
        else:
            chain = [{"rawBytes": base64.b64encode(der).decode()} for der in (leaf, intermediate)]
            material = {"x509CertificateChain": {"certificates": chain}} | material
    media = "application/vnd.dev.sigstore.bundle.v0.3+json" if layout == "v0.3" else \
        "application/vnd.dev.sigstore.bundle+json;version=0.2"
    return {"mediaType": media, "verificationMaterial": material,
            "dsseEnvelope": _envelope(statement, private, keyid="")}


# -- a DSSE line with a CycloneDX predicate --------------------------------------------------------
def test_dsse_jsonl_with_cyclonedx_predicate_yields_its_components(tmp_path: Path, signer) -> None:
    bom = json.loads(TRIVY_CDX.read_text())
    statement = json.dumps({
        "_type": "https://in-toto.io/Statement/v0.1", "predicateType": "https://cyclonedx.org/bom",
        "subject": [{"name": "registry.example.test/fixture/app", "digest": {"sha256": "7c57" * 16}}],
        "predicate": bom}).encode()
    path = _write(tmp_path, "app.cyclonedx.dsse.intoto.jsonl", _jsonl(_envelope(statement, signer)))
    record, facts = read_input(str(path))
    assert record.format == "in-toto"
    assert len(facts.components) == len(bom["components"]) == 3
    assert facts.sboms and facts.sboms[0].format == "cyclonedx"
    assert facts.components[0].evidence[0].pointer.startswith("/payload(base64)/predicate/components/")
    assert facts.identity.digest == "sha256:" + "7c57" * 16
    assert facts.provenance == [] and len(facts.signatures) == 1
    assert facts.signatures[0].verified is None and "no key was supplied" in facts.signatures[0].detail


# -- Google Cloud Build ----------------------------------------------------------------------------
def test_gcb_slsa_v01_provenance_fields(tmp_path: Path, signer) -> None:
    path = _write(tmp_path, "gcb.json", _gcloud_show_provenance(GCB.read_bytes(), signer))
    record, facts = read_input(str(path))
    (prov,) = facts.provenance
    assert prov.slsa_version == "0.1" and len(facts.signatures) == 1
    assert prov.builder_id == "https://cloudbuild.googleapis.com/GoogleHostedWorker@v0.3"
    assert prov.source_repository.startswith("https://github.com/fixture-org/fixture-image/commit/")
    assert prov.source_digest == "sha1:aa11bb22cc33dd44ee55ff6677889900aabbccdd"
    assert prov.started.isoformat().startswith("2099-07-08T09:10:11")
    assert prov.subjects[0].endswith("@sha256:" + "9c1d" * 16)
    assert prov.signed and prov.signature_verified is None   # the GCB KMS key is not supplied
    assert GCB_KEY_ID in facts.signatures[0].detail
    assert facts.identity.digest == "sha256:" + "9c1d" * 16
    assert _level(prov).level == 3
    assert prov.evidence[0].sha256 == record.sha256
    assert prov.evidence[0].pointer == "/provenance_summary/provenance/0/envelope/payload(base64)/predicate"
    _, keyed = read_input(str(path), _keyed(_write(tmp_path, "gcb.pub", _pem(signer).decode())))
    assert keyed.provenance[0].signature_verified is True


# -- slsa-github-generator, generic: signed envelope vs the same statement unsigned ---------------
def test_dsse_envelope_and_its_decoded_statement_give_the_same_provenance(tmp_path: Path, signer) -> None:
    signed_path = _write(tmp_path, "generic.dsse.intoto.jsonl", _jsonl(_envelope(GENERIC.read_bytes(), signer)))
    _, signed = read_input(str(signed_path))
    _, plain = read_input(str(GENERIC))
    a, b = signed.provenance[0], plain.provenance[0]
    for name in ("builder_id", "build_type", "source_repository", "source_digest", "materials", "subjects"):
        assert getattr(a, name) == getattr(b, name)
    assert a.source_digest == "sha1:0123abcd0123abcd0123abcd0123abcd0123abcd"
    assert a.slsa_version == b.slsa_version == "0.2"
    assert (a.envelope, a.signed, b.envelope, b.signed) == ("dsse", True, "plain", False)
    assert (len(signed.signatures), len(plain.signatures)) == (1, 0)
    assert (_level(a).level, _level(b).level) == (3, 1)
    unsigned = {r[0]: r[1] for r in _level(b).requirements}
    assert unsigned["SLSA Build L2: provenance authenticity (signed)"] is False


# -- a keyless Sigstore bundle (slsa-github-generator, container-based builder) --------------------
@pytest.mark.parametrize("layout", ["v0.2", "v0.3"])
def test_sigstore_bundle_verifies_against_its_own_certificate_with_honest_detail(tmp_path: Path, signer,
                                                                                 layout: str) -> None:
    bundle = _bundle(CONTAINER_BASED.read_bytes(), signer, CONTAINER_BASED_IDENTITY, layout)
    _, facts = read_input(str(_write(tmp_path, "prov.sigstore.json", bundle)))
    check = facts.signatures[0]
    assert check.kind == "sigstore-bundle" and check.verified is True
    assert "NOT verified offline" in check.detail and "Rekor" in check.detail and "logIndex 4242420" in check.detail
    assert CONTAINER_BASED_IDENTITY in check.detail        # the certificate's identity (SAN)
    prov = facts.provenance[0]
    assert prov.slsa_version == "1.0" and _level(prov).level == 3
    assert prov.source_digest == "sha1:4c4d4c4d4c4d4c4d4c4d4c4d4c4d4c4d4c4d4c4d"


def test_tampered_payload_of_a_sigstore_bundle_no_longer_verifies(tmp_path: Path, signer) -> None:
    bundle = _bundle(CONTAINER_BASED.read_bytes(), signer, CONTAINER_BASED_IDENTITY)
    payload = base64.b64decode(bundle["dsseEnvelope"]["payload"]).replace(b"fixture-package", b"evil-package")
    bundle["dsseEnvelope"]["payload"] = base64.b64encode(payload).decode()
    _, facts = read_input(str(_write(tmp_path, "tampered.json", bundle)))
    assert facts.signatures[0].verified is False
    assert facts.provenance[0].signature_verified is False and _level(facts.provenance[0]).level == 1


# -- npm: `npm audit signatures` / registry attestations (publish + SLSA v1) -----------------------
def test_npm_attestations_bundle_records_both_signatures_and_notes_the_publish_predicate(tmp_path: Path,
                                                                                         signer) -> None:
    registry_key = ec.generate_private_key(ec.SECP256R1())
    document = {"attestations": [
        {"predicateType": "https://github.com/npm/attestation/tree/main/specs/publish/v0.1",
         "bundle": _bundle(NPM_PUBLISH.read_bytes(), registry_key, None)},
        {"predicateType": "https://slsa.dev/provenance/v1",
         "bundle": _bundle(NPM_PROVENANCE.read_bytes(), signer, NPM_IDENTITY)},
    ]}
    _, facts = read_input(str(_write(tmp_path, "fixture-widget.attestations.json", document)))
    (prov,) = facts.provenance
    assert prov.builder_id == "https://github.com/actions/runner/github-hosted"
    assert prov.source_repository == "https://github.com/fixture-org/fixture-widget"
    assert prov.source_digest == "gitCommit:8a9b8a9b8a9b8a9b8a9b8a9b8a9b8a9b8a9b8a9b"
    assert prov.evidence[0].pointer == "/attestations/1/bundle/dsseEnvelope/payload(base64)/predicate"
    levels = {r[0]: r[1] for r in _level(prov).requirements}
    assert levels["SLSA Build L2: hosted build platform"] is True
    assert levels["SLSA Build L3: hardened build platform (isolated, non-falsifiable provenance)"] is False
    assert _level(prov).level == 2
    assert any("npm/attestation" in note and "not a format scc reads" in note for note in facts.notes)
    # the publish attestation names only a key hint: nothing to verify with offline
    assert sorted(str(s.verified) for s in facts.signatures) == ["None", "True"]
    assert any("SHA256:fixture-npm-registry-key" in s.detail for s in facts.signatures if s.verified is None)


# -- every authored attestation is read (the twin of the real-sample table in test_provenance.py) ----
def _authored_attestations(signer: Any) -> dict[str, tuple[Any, int, int, str | None, int | None]]:
    """name -> (document, provenance records, signature checks, slsa version, SLSA level the facts support)."""
    cyclonedx = json.dumps({"_type": "https://in-toto.io/Statement/v0.1", "predicateType": "https://cyclonedx.org/bom",
                            "subject": [{"name": "registry.example.test/fixture/app", "digest": {"sha256": "7c57" * 16}}],
                            "predicate": json.loads(TRIVY_CDX.read_text())}).encode()
    npm = {"attestations": [
        {"predicateType": "https://github.com/npm/attestation/tree/main/specs/publish/v0.1",
         "bundle": _bundle(NPM_PUBLISH.read_bytes(), signer, None)},
        {"predicateType": "https://slsa.dev/provenance/v1", "bundle": _bundle(NPM_PROVENANCE.read_bytes(), signer, NPM_IDENTITY)}]}
    return {
        "cyclonedx.dsse.intoto.jsonl": (_jsonl(_envelope(cyclonedx, signer)), 0, 1, None, None),
        "gcb-show-provenance.json": (_gcloud_show_provenance(GCB.read_bytes(), signer), 1, 1, "0.1", 3),
        "generic.dsse.intoto.jsonl": (_jsonl(_envelope(GENERIC.read_bytes(), signer)), 1, 1, "0.2", 3),
        "generic.statement.json": (GENERIC.read_text(), 1, 0, "0.2", 1),
        "container-based.sigstore-bundle.json": (_bundle(CONTAINER_BASED.read_bytes(), signer, CONTAINER_BASED_IDENTITY),
                                                 1, 1, "1.0", 3),
        "container-based.statement.json": (CONTAINER_BASED.read_text(), 1, 0, "1.0", 1),
        "npm-attestations.json": (npm, 1, 2, "1.0", 2),
        "npm-provenance.statement.json": (NPM_PROVENANCE.read_text(), 1, 0, "1.0", 1),
    }


AUTHORED_NAMES = ["cyclonedx.dsse.intoto.jsonl", "gcb-show-provenance.json", "generic.dsse.intoto.jsonl",
                  "generic.statement.json", "container-based.sigstore-bundle.json", "container-based.statement.json",
                  "npm-attestations.json", "npm-provenance.statement.json"]


@pytest.mark.parametrize("name", AUTHORED_NAMES)
def test_every_authored_attestation_is_read_as_an_attestation(tmp_path: Path, signer, name: str) -> None:
    table = _authored_attestations(signer)
    assert sorted(table) == sorted(AUTHORED_NAMES)
    document, provenance, signatures, version, level = table[name]
    record, facts = read_input(str(_write(tmp_path, name, document)))
    assert record.format == "in-toto"
    assert len(facts.provenance) == provenance
    assert len(facts.signatures) == signatures
    for item in facts.provenance:
        assert item.slsa_version == version
        assert _level(item).level == level
        assert item.evidence[0].sha256 == record.sha256 and item.evidence[0].pointer.endswith("/predicate")
