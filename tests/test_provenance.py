"""in-toto attestations: SLSA provenance facts and level, DSSE signature verification, predicate routing.

Expected counts come from the raw sample files (decoded by hand with base64/json, see each test),
never from scc's own output.
"""
from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from scc.engine.slsa import assess_level, known_builder
from scc.engine.tables import load_tables
from scc.errors import InputError
from scc.facts import ReadContext, read_input
from scc.facts.model import FindingState
from scc.facts.provenance import signing

DATA = Path(__file__).parent / "data" / "intoto"
CONTAINER_STATEMENT = DATA / "slsa-v1.container-image.statement.json"
IMAGE_DIGEST = "7d5a4c2b9e0f3a1c8b6d2e4f5a7c9b1d3e5f7a9c2b4d6e8f0a1c3e5b7d9f1a2c"
SHIPPED_TABLES = load_tables()


def _level(provenance):
    """The engine's SLSA judgement of a provenance fact, with the shipped builder list."""
    return assess_level(provenance, SHIPPED_TABLES.slsa_builders)


# -- helpers -------------------------------------------------------------------------------------
def _keyed(*paths: Path) -> ReadContext:
    """A read context verifying against the PEM files at ``paths`` (what --key does)."""
    return ReadContext(keys=signing.load_verification_keys(paths))


def _pem(private) -> bytes:
    return private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _sign(private, message: bytes) -> bytes:
    if isinstance(private, ec.EllipticCurvePrivateKey):
        algorithm = hashes.SHA384() if private.curve.key_size == 384 else hashes.SHA256()
        return private.sign(message, ec.ECDSA(algorithm))
    if isinstance(private, rsa.RSAPrivateKey):
        return private.sign(message, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    return private.sign(message)


def _envelope(payload: bytes, private, keyid: str = "test-key") -> dict:
    signature = _sign(private, signing.pae("application/vnd.in-toto+json", payload))
    return {
        "payloadType": "application/vnd.in-toto+json",
        "payload": base64.b64encode(payload).decode(),
        "signatures": [{"keyid": keyid, "sig": base64.b64encode(signature).decode()}],
    }


def _write(tmp_path: Path, name: str, value) -> Path:
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
    return path


def _statement(predicate_type: str, predicate, name: str = "ghcr.io/example-org/payments-api") -> bytes:
    return json.dumps({
        "_type": "https://in-toto.io/Statement/v0.1", "predicateType": predicate_type,
        "subject": [{"name": name, "digest": {"sha256": IMAGE_DIGEST}}], "predicate": predicate,
    }).encode()


@pytest.fixture(scope="module")
def p256():
    return ec.generate_private_key(ec.SECP256R1())


# -- every sample is read -------------------------------------------------------------------------
# (file, provenance records, signature checks, slsa version, SLSA level the facts support)
# Counted from the raw files: one DSSE line per .jsonl; one provenance occurrence in the gcloud output;
# data["attestations"] has 2 bundles in the npm file (publish predicate + SLSA v1 provenance).
SAMPLES = [
    ("centos-7.cyclonedx.dsse.intoto.jsonl", 0, 1, None, None),
    ("slsa-v0.1.gcb-container-image.json", 1, 1, "0.1", 3),
    ("slsa-v0.2.gha-generic.dsse.intoto.jsonl", 1, 1, "0.2", 3),
    ("slsa-v0.2.gha-generic.statement.json", 1, 0, "0.2", 1),
    ("slsa-v1.bazel.dsse.json", 1, 1, "1.0", 3),
    ("slsa-v1.gha-container-based.sigstore-bundle.json", 1, 1, "1.0", 3),
    ("slsa-v1.gha-container-based.statement.json", 1, 0, "1.0", 1),
    ("slsa-v1.statement-v1.npm-attestations.json", 1, 2, "1.0", 2),
    ("slsa-v1.statement-v1.npm.statement.json", 1, 0, "1.0", 1),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "provenance", "signatures", "version", "level"), SAMPLES)
def test_every_intoto_sample_is_read_as_an_attestation(samples, name, provenance, signatures, version, level):
    record, facts = read_input(str(samples / "intoto" / name))
    assert record.format == "in-toto"
    assert len(facts.provenance) == provenance
    assert len(facts.signatures) == signatures
    for item in facts.provenance:
        assert item.slsa_version == version
        assert _level(item).level == level
        assert item.evidence[0].sha256 == record.sha256 and item.evidence[0].pointer.endswith("/predicate")


def test_intoto_sample_set_is_complete(samples):
    assert sorted(p.name for p in (samples / "intoto").iterdir()) == sorted(s[0] for s in SAMPLES)


def test_dsse_jsonl_with_cyclonedx_predicate_yields_its_components(samples):
    path = samples / "intoto" / "centos-7.cyclonedx.dsse.intoto.jsonl"
    envelope = json.loads(path.read_text().splitlines()[0])
    bom = json.loads(base64.b64decode(envelope["payload"]))["predicate"]
    _record, facts = read_input(str(path))
    assert len(facts.components) == len(bom["components"]) == 3
    assert facts.sboms and facts.sboms[0].format == "cyclonedx"
    assert facts.components[0].evidence[0].pointer.startswith("/payload(base64)/predicate/components/")
    assert facts.identity.digest == "sha256:be65f488b7764ad3638f236b7b515b3678369a5124c47b8d32916d6487418ea4"
    assert facts.signatures[0].verified is None and "no key was supplied" in facts.signatures[0].detail


def test_gcb_slsa_v01_provenance_fields(samples):
    _, facts = read_input(str(samples / "intoto" / "slsa-v0.1.gcb-container-image.json"))
    prov = facts.provenance[0]
    assert prov.builder_id == "https://cloudbuild.googleapis.com/GoogleHostedWorker@v0.2"
    assert prov.source_repository.startswith("https://github.com/laurentsimon/gcb-tests/commit/")
    assert prov.source_digest == "sha1:fbbb98765e85ad464302dc5977968104d36e455e"
    assert prov.started.isoformat().startswith("2022-08-15T22:43:18")
    assert prov.subjects[0].endswith("@sha256:1a033b002f89ed2b8ea733162497fb70f1a4049a7f8602d6a33682b4ad9921fd")
    assert prov.signed and prov.signature_verified is None   # the GCB KMS key is not supplied
    assert facts.identity.digest == "sha256:1a033b002f89ed2b8ea733162497fb70f1a4049a7f8602d6a33682b4ad9921fd"


def test_dsse_envelope_and_its_decoded_statement_give_the_same_provenance(samples):
    _, signed = read_input(str(samples / "intoto" / "slsa-v0.2.gha-generic.dsse.intoto.jsonl"))
    _, plain = read_input(str(samples / "intoto" / "slsa-v0.2.gha-generic.statement.json"))
    a, b = signed.provenance[0], plain.provenance[0]
    for name in ("builder_id", "build_type", "source_repository", "source_digest", "materials", "subjects"):
        assert getattr(a, name) == getattr(b, name)
    assert a.source_digest == "sha1:d37a7f740ee7404914456f24dcd90e865a0509e8"
    assert (a.envelope, a.signed, b.envelope, b.signed) == ("dsse", True, "plain", False)
    assert (_level(a).level, _level(b).level) == (3, 1)
    unsigned = {r[0]: r[1] for r in _level(b).requirements}
    assert unsigned["SLSA Build L2: provenance authenticity (signed)"] is False


def test_real_sigstore_bundle_verifies_against_its_own_certificate_with_honest_detail(samples):
    _, facts = read_input(str(samples / "intoto" / "slsa-v1.gha-container-based.sigstore-bundle.json"))
    check = facts.signatures[0]
    assert check.kind == "sigstore-bundle" and check.verified is True
    assert "NOT verified offline" in check.detail and "Rekor" in check.detail
    assert "builder_container-based_slsa3.yml" in check.detail   # the certificate's identity (SAN)


def test_tampered_payload_of_real_bundle_no_longer_verifies(samples, tmp_path):
    bundle = json.loads((samples / "intoto" / "slsa-v1.gha-container-based.sigstore-bundle.json").read_text())
    payload = base64.b64decode(bundle["dsseEnvelope"]["payload"]).replace(b"example-package", b"evil-package")
    bundle["dsseEnvelope"]["payload"] = base64.b64encode(payload).decode()
    _, facts = read_input(str(_write(tmp_path, "tampered.json", bundle)))
    assert facts.signatures[0].verified is False
    assert facts.provenance[0].signature_verified is False and _level(facts.provenance[0]).level == 1


def test_npm_attestations_bundle_records_both_signatures_and_notes_the_publish_predicate(samples):
    path = samples / "intoto" / "slsa-v1.statement-v1.npm-attestations.json"
    assert len(json.loads(path.read_text())["attestations"]) == 2
    _, facts = read_input(str(path))
    prov = facts.provenance[0]
    assert prov.builder_id == "https://github.com/actions/runner/github-hosted"
    assert prov.source_repository == "https://github.com/ramonpetgrave64/gundam-visor"
    assert prov.source_digest == "gitCommit:599500821344b070902a7a5666064bfdaba715df"
    levels = {r[0]: r[1] for r in _level(prov).requirements}
    assert levels["SLSA Build L2: hosted build platform"] is True
    assert levels["SLSA Build L3: hardened build platform (isolated, non-falsifiable provenance)"] is False
    assert any("npm/attestation" in note and "not a format scc reads" in note for note in facts.notes)
    # the publish attestation names only a key hint: nothing to verify with offline
    assert sorted(str(s.verified) for s in facts.signatures) == ["None", "True"]


# -- DSSE verification against a key the user supplies ------------------------------------------
@pytest.mark.parametrize("kind", ["p256", "p384", "rsa-pss", "ed25519"])
def test_signed_container_provenance_verifies_with_the_supplied_key(tmp_path, kind):
    private = {
        "p256": lambda: ec.generate_private_key(ec.SECP256R1()),
        "p384": lambda: ec.generate_private_key(ec.SECP384R1()),
        "rsa-pss": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ed25519": ed25519.Ed25519PrivateKey.generate,
    }[kind]()
    key = _write(tmp_path, "signer.pub", _pem(private).decode())
    envelope = _envelope(CONTAINER_STATEMENT.read_bytes(), private)
    _, facts = read_input(str(_write(tmp_path, "prov.dsse.json", envelope)), _keyed(key))
    prov = facts.provenance[0]
    assert prov.signature_verified is True and "signer.pub" in prov.signature_detail
    assert prov.subjects == (f"ghcr.io/example-org/payments-api@sha256:{IMAGE_DIGEST}",)
    assert prov.source_repository == "https://github.com/example-org/payments-api"
    assert prov.source_digest == "gitCommit:3f1c2a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a"
    assert prov.started.isoformat() == "2026-10-02T14:03:11+00:00"
    assert _level(prov).level == 2   # GitHub-hosted runner: hosted and signed, no L3 hardening claim


def test_rsa_pkcs1v15_and_p1363_ecdsa_signatures_verify(tmp_path):
    message = signing.pae("application/vnd.in-toto+json", b"{}")
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key = signing.VerificationKey("rsa", "", private.public_key())
    assert signing.verify(key, message, private.sign(message, padding.PKCS1v15(), hashes.SHA256()))
    ecdsa = ec.generate_private_key(ec.SECP256R1())
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    r, s = decode_dss_signature(ecdsa.sign(message, ec.ECDSA(hashes.SHA256())))
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert signing.verify(signing.VerificationKey("ec", "", ecdsa.public_key()), message, raw)


def test_tampered_payload_fails_verification(tmp_path, p256):
    key = _write(tmp_path, "signer.pub", _pem(p256).decode())
    envelope = _envelope(CONTAINER_STATEMENT.read_bytes(), p256)
    tampered = CONTAINER_STATEMENT.read_bytes().replace(b"payments-api", b"payments-evil")
    envelope["payload"] = base64.b64encode(tampered).decode()
    _, facts = read_input(str(_write(tmp_path, "prov.dsse.json", envelope)), _keyed(key))
    assert facts.signatures[0].verified is False
    assert _level(facts.provenance[0]).level == 1


def test_wrong_key_fails_verification(tmp_path, p256):
    other = _write(tmp_path, "other.pub", _pem(ec.generate_private_key(ec.SECP256R1())).decode())
    envelope = _envelope(CONTAINER_STATEMENT.read_bytes(), p256)
    _, facts = read_input(str(_write(tmp_path, "prov.dsse.json", envelope)), _keyed(other))
    assert facts.signatures[0].verified is False and "other.pub" in facts.signatures[0].detail


def test_no_key_leaves_verification_open_and_says_why(tmp_path, p256):
    envelope = _envelope(CONTAINER_STATEMENT.read_bytes(), p256)
    _, facts = read_input(str(_write(tmp_path, "prov.dsse.json", envelope)))
    check = facts.signatures[0]
    assert check.verified is None and "no key was supplied" in check.detail and check.key_id == "test-key"
    assert facts.provenance[0].signed is True and _level(facts.provenance[0]).level == 2


def test_sigstore_bundle_with_public_key_hint_verifies_with_supplied_key(tmp_path, p256):
    bundle = {
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"publicKey": {"hint": "payments-release"}, "tlogEntries": []},
        "dsseEnvelope": _envelope(CONTAINER_STATEMENT.read_bytes(), p256, keyid=""),
    }
    path = _write(tmp_path, "prov.sigstore.json", bundle)
    _, unverified = read_input(str(path))
    assert unverified.signatures[0].verified is None and "payments-release" in unverified.signatures[0].detail
    _, verified = read_input(str(path), _keyed(_write(tmp_path, "release.pub", _pem(p256).decode())))
    assert verified.signatures[0].kind == "sigstore-bundle" and verified.signatures[0].verified is True


def test_unreadable_key_file_is_an_input_error_naming_it(tmp_path):
    with pytest.raises(InputError, match="not-a-key.pem: not a PEM public key"):
        signing.load_verification_keys([_write(tmp_path, "not-a-key.pem", "hello")])
    garbled = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
    with pytest.raises(InputError, match="garbled.pem: not a PEM public key or certificate"):
        signing.load_verification_keys([_write(tmp_path, "garbled.pem", garbled)])
    with pytest.raises(InputError, match="absent.pem: cannot read public key"):
        signing.load_verification_keys([tmp_path / "absent.pem"])


# -- a hardened-image vendor's attestation file: one envelope per line, many predicates ----------
# (the real Trivy samples in ../shared, or scc's authored Trivy CycloneDX BOM and Trivy report; vulnerability
# count of the report, counted in its Results[*].Vulnerabilities)
MANY_PREDICATE_INPUTS = {
    "samples": ("cyclonedx/centos-7.trivy.cdx-1.5.json", "trivy/alpine-3.10.trivy.json", 4),
    "authored": ("cyclonedx-1.5.trivy-container.cdx.json", "trivy-0.99.alpine-image.trivy.json", 3),
}


@pytest.mark.parametrize("source", sorted(MANY_PREDICATE_INPUTS))
def test_jsonl_of_many_predicates_routes_each_to_its_reader(request, source, tmp_path, p256):
    root = request.getfixturevalue("samples") if source == "samples" else DATA.parent / "readers"
    bom_name, scan_name, vulnerability_count = MANY_PREDICATE_INPUTS[source]
    bom = json.loads((root / bom_name).read_text())
    scan = json.loads((root / scan_name).read_text())
    vulns = {(v["VulnerabilityID"], v["PkgName"]) for r in scan["Results"] for v in r.get("Vulnerabilities") or []}
    closed = min(vulns)
    vex = {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://vendor.example/vex/1",
           "author": "Vendor PSIRT", "timestamp": "2026-10-03T00:00:00Z",
           "statements": [{"vulnerability": {"name": closed[0]}, "status": "not_affected",
                           "justification": "vulnerable_code_not_present"}]}
    vsa = {"verifier": {"id": "https://vendor.example/verifier"}, "timeVerified": "2026-10-03T01:00:00Z",
           "resourceUri": "ghcr.io/example-org/payments-api", "policy": {"uri": "https://vendor.example/policy"},
           "verificationResult": "PASSED", "verifiedLevels": ["SLSA_BUILD_LEVEL_2"], "slsaVersion": "1.0"}
    vuln = {"scanner": {"uri": "pkg:github/aquasecurity/trivy@0.50.0", "version": "0.50.0", "result": scan},
            "metadata": {"scanStartedOn": "2026-10-03T00:00:00Z", "scanFinishedOn": "2026-10-03T00:01:00Z"}}
    lines = [
        _statement("https://cyclonedx.org/bom", bom),
        _statement("https://openvex.dev/ns/v0.2.0", vex),
        CONTAINER_STATEMENT.read_bytes(),
        _statement("https://slsa.dev/verification_summary/v1", vsa),
        _statement("https://cosign.sigstore.dev/attestation/vuln/v1", vuln),
    ]
    text = "\n".join(json.dumps(_envelope(line, p256)) for line in lines) + "\n"
    _, facts = read_input(str(_write(tmp_path, "attestations.intoto.jsonl", text)))
    assert len(facts.signatures) == 5
    assert len(facts.components) == len(bom["components"]) == 3
    assert facts.components[0].evidence[0].pointer.startswith("line 1/payload(base64)/predicate/components/")
    assert len(facts.vex) == 1 and facts.vex[0].evidence[0].pointer == "line 2/payload(base64)/predicate/statements/0"
    assert sorted(p.predicate_type for p in facts.provenance) == [
        "https://slsa.dev/provenance/v1", "https://slsa.dev/verification_summary/v1"]
    summary = next(p for p in facts.provenance if "verification_summary" in p.predicate_type)
    assert _level(summary).requirements[0][1] is True and "did not repeat" in _level(summary).requirements[0][2]
    assert len(facts.findings) == len(vulns) == vulnerability_count
    assert facts.findings[0].evidence[0].pointer.startswith("line 5/payload(base64)/predicate/scanner/result")
    target = next(f for f in facts.findings if (f.id, f.package) == closed)
    assert target.state is FindingState.NOT_AFFECTED and target not in facts.open_findings
    # a statement without products covers the vulnerability in every package of the attested image
    same_cve = [v for v in vulns if v[0] == closed[0]]
    assert len(same_cve) == 2 and len(facts.open_findings) == len(vulns) - len(same_cve)


# -- hostile attestation files ------------------------------------------------------------------
def test_malformed_base64_payload_names_the_file(tmp_path):
    path = _write(tmp_path, "bad.dsse.json", {"payloadType": "application/vnd.in-toto+json",
                                               "payload": "not base64 at all!!", "signatures": []})
    with pytest.raises(InputError, match=r"bad\.dsse\.json.*/payload: malformed base64"):
        read_input(str(path))


def test_malformed_base64_signature_names_the_field(tmp_path):
    envelope = {"payloadType": "application/vnd.in-toto+json",
                "payload": base64.b64encode(CONTAINER_STATEMENT.read_bytes()).decode(),
                "signatures": [{"keyid": "", "sig": "%%%"}]}
    with pytest.raises(InputError, match=r"/signatures/0/sig: malformed base64"):
        read_input(str(_write(tmp_path, "bad-sig.json", envelope)))


def test_dsse_payload_that_is_not_json_is_refused(tmp_path):
    envelope = {"payloadType": "application/vnd.in-toto+json",
                "payload": base64.b64encode(b"\x00\x01 definitely not json").decode(), "signatures": []}
    with pytest.raises(InputError, match=r"not-json\.dsse\.json: /payload: DSSE payload is not JSON"):
        read_input(str(_write(tmp_path, "not-json.dsse.json", envelope)))


def test_bad_line_in_jsonl_names_the_line(tmp_path, p256):
    good = json.dumps(_envelope(CONTAINER_STATEMENT.read_bytes(), p256))
    path = _write(tmp_path, "mixed.intoto.jsonl", good + "\n{\"payloadType\": truncated\n")
    with pytest.raises(InputError, match=r"mixed\.intoto\.jsonl: line 2: not JSON"):
        read_input(str(path))


def test_huge_line_is_refused_naming_file_and_line(tmp_path, p256, monkeypatch):
    good = json.dumps(_envelope(CONTAINER_STATEMENT.read_bytes(), p256))
    path = _write(tmp_path, "huge.intoto.jsonl", good + "\n" + good + "\n" + "{" + " " * 5000 + "}\n")
    monkeypatch.setenv("SCC_MAX_ATTESTATION_LINE_CHARS", str(len(good) + 10))
    with pytest.raises(InputError, match=r"huge\.intoto\.jsonl: line 3: \d+ characters, over the"):
        read_input(str(path))
    small = ReadContext(max_attestation_line_chars=len(good) + 10)   # the same cap, passed in
    with pytest.raises(InputError, match=r"huge\.intoto\.jsonl: line 3: \d+ characters, over the"):
        read_input(str(path), small)


def test_statement_without_predicate_type_is_refused(tmp_path, p256):
    payload = json.dumps({"_type": "https://in-toto.io/Statement/v1", "subject": []}).encode()
    with pytest.raises(InputError, match=r"predicateType: missing"):
        read_input(str(_write(tmp_path, "no-type.json", _envelope(payload, p256))))


# -- the builder list is data ---------------------------------------------------------------------
def test_builder_list_matches_pinned_ids_but_not_lookalikes():
    generic = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml"
    assert known_builder(generic + "@refs/tags/v2.0.0", SHIPPED_TABLES.slsa_builders).level == 3
    assert known_builder(generic + "-fork.yml@refs/tags/v2.0.0", SHIPPED_TABLES.slsa_builders) is None
    assert known_builder("https://github.com/actions/runner/self-hosted", SHIPPED_TABLES.slsa_builders) is None
    assert known_builder("https://github.com/actions/runner/github-hosted", SHIPPED_TABLES.slsa_builders).level == 2


# -- the read context: keys and caps passed in, never kept between reads --------------------------
def test_a_key_given_for_one_read_is_not_used_by_the_next(tmp_path, p256):
    key = _write(tmp_path, "signer.pub", _pem(p256).decode())
    path = str(_write(tmp_path, "prov.dsse.json", _envelope(CONTAINER_STATEMENT.read_bytes(), p256)))
    _, keyed = read_input(path, _keyed(key))
    _, plain = read_input(path)
    assert keyed.signatures[0].verified is True
    assert plain.signatures[0].verified is None and "no key was supplied" in plain.signatures[0].detail


def test_read_context_from_env_reads_the_environment_when_called(monkeypatch, tmp_path):
    monkeypatch.setenv("SCC_MAX_INPUT_BYTES", "1234")
    monkeypatch.setenv("SCC_PLATFORM", " linux/arm64 ")
    monkeypatch.setenv("SCC_WORKDIR", str(tmp_path))
    monkeypatch.setenv("SCC_MAX_IMAGE_FILES", "ten")      # not a number: the default stays
    context = ReadContext.from_env()
    assert (context.max_input_bytes, context.platform, context.workdir) == (1234, "linux/arm64", str(tmp_path))
    assert context.image_limits.max_files == 500_000 and context.keys == ()
    monkeypatch.delenv("SCC_MAX_INPUT_BYTES")
    assert ReadContext.from_env().max_input_bytes == 512 * 1024 * 1024
