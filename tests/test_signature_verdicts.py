"""SI-7 signature verdicts on real DSSE envelopes: no signature present -> not-satisfied; a signature that
fails with the supplied key -> not-satisfied naming the key; a signature and no key -> partial."""
from __future__ import annotations

import json
from pathlib import Path

from conftest import EXAMPLE
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

import scc
from scc.engine.model import Verdict
from scc.facts.provenance import signing

PROVENANCE = EXAMPLE / "provenance.intoto.jsonl"
DEMO_KEY = EXAMPLE / "demo-signing.pub"
RULE = "si7-signature-verified"


def _verdict(inputs: list[Path], keys: list[Path] = ()):
    assessment = scc.assess([str(p) for p in inputs], keys=list(keys))
    result = next(r for r in assessment.rule_results if r.rule.id == RULE)
    return result.verdict, result.statement


def _envelope_lines() -> list[dict]:
    return [json.loads(line) for line in PROVENANCE.read_text().splitlines() if line.strip()]


def _other_key(tmp_path: Path) -> Path:
    private = ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / "release-2027.pub"
    path.write_bytes(private.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo))
    return path


def test_demo_provenance_verifies_with_its_key():
    verdict, statement = _verdict([PROVENANCE], [DEMO_KEY])
    assert verdict is Verdict.SATISFIED and "demo-signing.pub" in statement


def test_envelope_with_no_signatures_is_not_satisfied_even_with_a_key(tmp_path):
    stripped = tmp_path / "unsigned.intoto.jsonl"
    stripped.write_text("".join(json.dumps({**e, "signatures": []}) + "\n" for e in _envelope_lines()))
    verdict, statement = _verdict([stripped], [DEMO_KEY])
    assert verdict is Verdict.NOT_SATISFIED
    assert "No signature is present" in statement and "carries no signature" in statement
    assert "not verified: no public key" not in statement


def test_signature_failing_with_the_supplied_key_is_not_satisfied_naming_the_key(tmp_path):
    other = _other_key(tmp_path)
    fingerprint = signing.load_key(other).fingerprint
    verdict, statement = _verdict([PROVENANCE], [other])
    assert verdict is Verdict.NOT_SATISFIED
    assert "FAILED verification" in statement and "release-2027.pub" in statement and fingerprint in statement


def test_signature_without_a_key_is_partial():
    verdict, statement = _verdict([PROVENANCE])
    assert verdict is Verdict.PARTIAL and "no public key was supplied" in statement


def test_keys_of_one_assessment_do_not_leak_into_the_next():
    """Issue #9: assess(ex, keys=[k]) then assess(ex) reported the second signature as verified."""
    with_key, _ = _verdict([PROVENANCE], [DEMO_KEY])
    verdict, statement = _verdict([PROVENANCE])
    assert with_key is Verdict.SATISFIED
    assert verdict is Verdict.PARTIAL and "no public key was supplied" in statement
    assert "demo-signing.pub" not in statement


def test_keyless_bundle_that_fails_the_supplied_key_is_not_satisfied(samples, tmp_path):
    """A Sigstore bundle verifying only against its own certificate does not pass for the organisation's key."""
    bundle = samples / "intoto" / "slsa-v1.gha-container-based.sigstore-bundle.json"
    verdict, statement = _verdict([bundle])
    assert verdict is Verdict.PARTIAL                      # own certificate only, no key: partial
    verdict, statement = _verdict([bundle], [_other_key(tmp_path)])
    assert verdict is Verdict.NOT_SATISFIED
    assert "release-2027.pub" in statement and "not a supplied key" in statement


def test_signature_is_counted_once_per_envelope():
    assessment = scc.assess([str(PROVENANCE)])
    result = next(r for r in assessment.rule_results if r.rule.id == RULE)
    assert len(result.details["signatures"]) == len(_envelope_lines())
