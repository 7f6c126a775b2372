"""Vendor attestation sets (issue #14 part 3): DHI and Chainguard sets read as one bundle whose statements must
all name the image digest; the FIPS, STIG-scan, test and verification-summary predicates as raw facts; the
rules of controls/attestation-sets.yaml on them."""
from __future__ import annotations

import base64
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scc.engine.checks import CheckContext
from scc.engine.evaluate import evaluate_rules
from scc.engine.rules import load_rule_packs
from scc.errors import InputError
from scc.facts import ReadContext, load_verification_keys, read_inputs
from scc.facts.model import ImageFacts

DATA = Path(__file__).parent / "data" / "attestations"
DHI = DATA / "dhi-python-3.13-fips.attestations.jsonl"
DHI_INSPECT = DATA / "dhi-python-3.13-fips.inspect.json"
CHAINGUARD = DATA / "chainguard-static.attestations.jsonl"
CHAINGUARD_INSPECT = DATA / "chainguard-static.inspect.json"
SCOUT = DATA / "dhi-python-3.13-fips.scout-attest-get.json"
LAYOUT = DATA / "app-with-referrers.oci"
KEY = DATA / "vendor-test.pub"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
RULES = {"sr4-attestations-name-image", "sa11-vendor-tests-attested", "cm6-vendor-stig-scan-attested",
         "sc13-vendor-fips-attestation"}


def facts(*paths: Path, key: bool = True) -> ImageFacts:
    keys = load_verification_keys([KEY]) if key else ()
    return read_inputs([str(p) for p in paths], context=ReadContext.from_env(keys=keys))


def verdicts(image: ImageFacts) -> dict[str, tuple[str, str]]:
    rules = [r for r in load_rule_packs() if r.id in RULES]
    assert {r.id for r in rules} == RULES
    return {r.rule.id: (r.verdict.value, r.reason) for r in evaluate_rules(image, rules, CheckContext(now=NOW))}


def dhi_statement(line: int) -> dict:
    envelope = json.loads(DHI.read_text().splitlines()[line - 1])
    return json.loads(base64.b64decode(envelope["payload"]))


def write_set(path: Path, *statements: dict) -> Path:
    """Plain statements, one per line: what `cosign download attestation` gives, unsigned."""
    path.write_text("".join(json.dumps({"payloadType": "application/vnd.in-toto+json", "signatures": [],
                                        "payload": base64.b64encode(json.dumps(s).encode()).decode()}) + "\n"
                            for s in statements))
    return path


# -- the DHI set: JSON lines of DSSE envelopes -------------------------------------------------------
def test_dhi_set_is_read_as_one_bundle_with_every_predicate():
    image = facts(DHI, DHI_INSPECT)
    kinds = [(a.kind, bool(a.excluded)) for a in image.attestations]
    assert kinds == [("provenance", False), ("verification-summary", False), ("sbom", False), ("vex", False),
                     ("fips", False), ("stig", False), ("test", False), ("sbom", True)]
    assert all(a.signature_verified is True for a in image.attestations)
    assert [a.evidence[0].pointer for a in image.attestations] == [f"line {n}" for n in range(1, 9)]
    vsa = next(p for p in image.provenance if p.verification_result)
    assert vsa.verification_result == "PASSED" and "SLSA_BUILD_LEVEL_3" in vsa.verification_claim


def test_the_statement_about_another_digest_is_set_aside_with_all_it_said():
    image = facts(DHI, DHI_INSPECT)
    foreign = image.attestations[-1]
    assert image.identity.digest.endswith(dhi_statement(3)["subject"][0]["digest"]["sha256"])
    assert "do not include the image digest" in foreign.excluded and "arm64" in foreign.excluded
    assert "arm64-only-lib" not in {c.name for c in image.components}
    assert {c.name for c in image.components} >= {"python", "openssl", "openssl-provider-fips"}
    assert not any(e.pointer.startswith("line 8") for c in image.components for e in c.evidence)
    assert len(image.signatures) == 7                # the foreign envelope's signature is not counted either
    assert any("line 8: attestation https://cyclonedx.org/bom/v1.6 set aside" in n for n in image.notes)
    assert not any(n.startswith("inputs disagree on the image digest") for n in image.notes)


def test_without_the_image_the_set_is_kept_but_its_disagreement_is_reported():
    image = facts(DHI)        # the digest comes only from the statements' own subjects
    assert not any(a.excluded for a in image.attestations)
    assert "arm64-only-lib" in {c.name for c in image.components}
    verdict, reason = verdicts(image)["sr4-attestations-name-image"]
    assert verdict == "not-satisfied" and "their facts were kept" in reason


def test_with_no_digest_anywhere_the_comparison_is_manual():
    verdict, reason = verdicts(facts(SCOUT))["sr4-attestations-name-image"]
    assert verdict == "manual" and "image digest is unknown" in reason


def test_fips_predicate_is_recorded_as_written():
    (module,) = facts(DHI, DHI_INSPECT).attested_fips_modules
    written = dhi_statement(5)["predicate"][0]
    assert (module.name, module.version, module.certification, module.standard, module.status, module.sunset_date,
            module.package) == (written["name"], written["version"], written["certification"], written["standard"],
                                written["status"], written["sunsetDate"], written["package"])
    assert module.evidence[0].pointer == "line 5/payload(base64)/predicate/0"


def test_stig_scan_xccdf_results_join_the_scan_results_with_evidence_into_the_attestation():
    image = facts(DHI, DHI_INSPECT)
    results = {r.rule_id: r.result for r in image.xccdf_results}
    assert results == {"xccdf_org.ssgproject.content_rule_no_empty_passwords_etc_shadow": "pass",
                       "xccdf_org.ssgproject.content_rule_file_permissions_etc_shadow": "pass",
                       "xccdf_org.ssgproject.content_rule_sshd_disable_empty_passwords": "notapplicable"}
    pointers = {e.pointer for r in image.xccdf_results for e in r.evidence}
    assert all(p.startswith("line 6/payload(base64)/predicate/output/1/content(base64)") for p in pointers)
    stig = next(a for a in image.attestations if a.kind == "stig")
    assert "3 rule results" in stig.summary and "summary.failed=0" in stig.summary


def test_ctrf_test_report_is_recorded():
    (run,) = facts(DHI, DHI_INSPECT).test_results
    assert (run.total, run.passed, run.failed, run.skipped, run.tool) == (3, 3, 0, 0, "dhi-image-tests")
    assert run.started == datetime.fromtimestamp(1763629833, tz=UTC)


def test_dhi_rules_with_the_vendor_key():
    got = verdicts(facts(DHI, DHI_INSPECT))
    assert got["sr4-attestations-name-image"][0] == "not-satisfied"
    assert "1 of 8 attestations does not name" in got["sr4-attestations-name-image"][1]
    assert got["sa11-vendor-tests-attested"][0] == "partial"          # SA-11 asks for more than test results
    assert got["cm6-vendor-stig-scan-attested"][0] == "partial"       # the vendor's own profile
    assert got["sc13-vendor-fips-attestation"][0] == "partial"        # no filesystem shows the module
    assert "no filesystem was supplied" in got["sc13-vendor-fips-attestation"][1]
    assert "unauthenticated" not in got["sa11-vendor-tests-attested"][1]


def test_unverified_attestations_say_they_are_the_publishers_word():
    got = verdicts(facts(DHI, DHI_INSPECT, key=False))
    for rule in ("sa11-vendor-tests-attested", "cm6-vendor-stig-scan-attested", "sc13-vendor-fips-attestation"):
        assert got[rule][0] == "partial" and "unauthenticated" in got[rule][1], rule


# -- Chainguard's set ---------------------------------------------------------------------------------
def test_chainguard_set_names_the_image_and_verifies():
    image = facts(CHAINGUARD, CHAINGUARD_INSPECT)
    assert [a.predicate_type for a in image.attestations] == [
        "https://spdx.dev/Document", "https://slsa.dev/provenance/v1", "https://apko.dev/image-configuration"]
    assert image.attestations[2].summary == "apko image configuration: 2 package(s) requested"
    assert image.provenance[0].build_type == "https://chainguard.dev/buildtypes/apko/v1"
    assert verdicts(image)["sr4-attestations-name-image"][0] == "satisfied"
    unverified = verdicts(facts(CHAINGUARD, CHAINGUARD_INSPECT, key=False))["sr4-attestations-name-image"]
    assert unverified[0] == "partial" and "not verified with a supplied key" in unverified[1]


def test_a_signature_by_another_key_does_not_count(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    other = tmp_path / "other.pub"
    other.write_bytes(ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    image = read_inputs([str(CHAINGUARD), str(CHAINGUARD_INSPECT)],
                        context=ReadContext.from_env(keys=load_verification_keys([other])))
    assert all(a.signature_verified is False for a in image.attestations)
    assert verdicts(image)["sr4-attestations-name-image"][0] == "partial"


# -- docker scout attest get (a plain statement) ------------------------------------------------------
def test_scout_attest_get_statement_is_unsigned_evidence():
    image = facts(SCOUT, DHI_INSPECT)
    (record,) = image.attestations
    assert (record.kind, record.envelope, record.signed) == ("test", "plain", False)
    assert image.test_results[0].result == "PASSED" and image.test_results[0].passed == 2
    assert verdicts(image)["sr4-attestations-name-image"][0] == "partial"


# -- an OCI layout and its referrers -----------------------------------------------------------------
def test_oci_layout_referrers_are_the_images_set():
    image = facts(LAYOUT)
    assert [(a.kind, a.envelope, bool(a.excluded)) for a in image.attestations] == [
        ("test", "sigstore-bundle", False), ("test", "sigstore-bundle", True), ("provenance", "plain", False)]
    assert image.attestations[0].evidence[0].pointer.startswith("blobs/sha256/")
    assert image.attestations[0].evidence[0].pointer.endswith("#/dsseEnvelope")
    assert any("is an attestation of sha256:" in n and "not read" in n for n in image.notes)
    assert [t.result for t in image.test_results] == ["PASSED"]       # the FAILED run names another digest
    assert image.filesystem is not None and image.config is not None
    got = verdicts(image)
    assert got["sr4-attestations-name-image"][0] == "not-satisfied"
    assert got["sa11-vendor-tests-attested"][0] == "partial"


def test_a_tampered_referrer_blob_is_refused(tmp_path):
    layout = tmp_path / "layout"
    shutil.copytree(LAYOUT, layout)
    index = json.loads((layout / "index.json").read_text())
    referrer = next(d for d in index["manifests"] if d.get("artifactType"))
    manifest = json.loads((layout / "blobs" / "sha256" / referrer["digest"].split(":")[1]).read_text())
    blob = layout / "blobs" / "sha256" / manifest["layers"][0]["digest"].split(":")[1]
    blob.write_text(blob.read_text().replace("vendor-test", "someone-else"))
    with pytest.raises(InputError, match="does not match its digest"):
        facts(layout)


# -- failures the rules must report -----------------------------------------------------------------
def _stig_statement(result: str) -> dict:
    statement = dhi_statement(6)
    output = statement["predicate"]["output"][1]
    xml = base64.b64decode(output["content"]).decode().replace("<result>notapplicable</result>", f"<result>{result}</result>")
    output["content"] = base64.b64encode(xml.encode()).decode()
    return statement


def test_a_failing_attested_stig_rule_fails_cm6(tmp_path):
    image = facts(write_set(tmp_path / "set.jsonl", _stig_statement("fail")), DHI_INSPECT)
    verdict, reason = verdicts(image)["cm6-vendor-stig-scan-attested"]
    assert verdict == "not-satisfied" and "sshd_disable_empty_passwords" in reason


def test_failed_tests_fail_sa11(tmp_path):
    statement = dhi_statement(7)
    statement["predicateType"] = "https://in-toto.io/attestation/test-result/v0.1"
    statement["predicate"] = {"result": "FAILED", "configuration": [], "passedTests": ["starts"],
                              "failedTests": ["ssl module uses the FIPS provider"]}
    verdict, reason = verdicts(facts(write_set(tmp_path / "t.jsonl", statement), DHI_INSPECT))["sa11-vendor-tests-attested"]
    assert verdict == "not-satisfied" and "ssl module uses the FIPS provider" in reason


@pytest.mark.parametrize("change, phrase", [
    ({"certification": "CMVP #4282"}, "names certificate #4282, but CMVP certificate #4985"),
    ({"status": "historical"}, "status 'historical'"),
    ({"certification": "", "certificationUrl": ""}, "names no CMVP certificate"),
])
def test_a_fips_attestation_that_does_not_hold_up(tmp_path, change, phrase):
    statement = dhi_statement(5)
    statement["predicate"][0].update(change)
    verdict, reason = verdicts(facts(write_set(tmp_path / "f.jsonl", statement), DHI_INSPECT))["sc13-vendor-fips-attestation"]
    assert verdict == "not-satisfied" and phrase in reason


def test_a_module_the_cmvp_table_does_not_list_stays_partial(tmp_path):
    statement = dhi_statement(5)
    statement["predicate"][0].update({"name": "Vendor Crypto Module", "version": "9.9", "certification": "CMVP #9999"})
    verdict, reason = verdicts(facts(write_set(tmp_path / "f.jsonl", statement), DHI_INSPECT))["sc13-vendor-fips-attestation"]
    assert verdict == "partial" and "does not list Vendor Crypto Module 9.9" in reason


@pytest.mark.parametrize("predicate_type, predicate, problem", [
    ("https://docker.com/dhi/stig/v0.1", {"output": [{"format": "xccdf", "content": "%%%"}]}, "malformed base64"),
    ("https://docker.com/dhi/stig/v0.1", {"output": [{"format": "xccdf", "content": base64.b64encode(b"<a/>").decode()}]},
     "holds no XCCDF TestResult"),
    ("https://docker.com/dhi/fips/v0.1", {"modules": "none"}, "lists no cryptographic module"),
    ("https://scout.docker.com/tests/v0.1", {"reportFormat": "CTRF"}, "results/summary: missing"),
])
def test_malformed_vendor_predicates_are_one_line_errors(tmp_path, predicate_type, predicate, problem):
    statement = {**dhi_statement(7), "predicateType": predicate_type, "predicate": predicate}
    with pytest.raises(InputError, match=problem) as caught:
        facts(write_set(tmp_path / "bad.jsonl", statement), DHI_INSPECT)
    assert "\n" not in str(caught.value) and "bad.jsonl" in str(caught.value)


def test_reading_the_set_twice_gives_the_same_facts():
    first, second = facts(DHI, DHI_INSPECT), facts(DHI, DHI_INSPECT)
    assert first.attestations == second.attestations and first.notes == second.notes


DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo-image"
DEMO_DIGEST = "13999cd3aa55da2aedcc598aeacde8d219b4a9f5b1a554929c20f3e2a543651d"


@pytest.mark.parametrize("vex_digest, closed", [(DEMO_DIGEST, True), ("ab" * 32, False)])
def test_a_foreign_vex_statement_closes_no_finding(tmp_path, vex_digest, closed):
    name = "registry.example.mil/platform/demo-api"
    scan = {"_type": "https://in-toto.io/Statement/v0.1", "predicateType": "https://cosign.sigstore.dev/attestation/vuln/v1",
            "subject": [{"name": name, "digest": {"sha256": DEMO_DIGEST}}],
            "predicate": {"scanner": {"uri": "pkg:github/anchore/grype", "version": "0.87.0",
                                      "result": json.loads((DEMO / "grype.json").read_text())}}}
    vex = {"_type": "https://in-toto.io/Statement/v0.1", "predicateType": "https://openvex.dev/ns/v0.2.0",
           "subject": [{"name": name, "digest": {"sha256": vex_digest}}],
           "predicate": json.loads((DEMO / "vex.openvex.json").read_text())}
    image = facts(write_set(tmp_path / "set.jsonl", scan, vex), DEMO / "image", key=False)   # the image gives the digest
    assert image.identity.digest == f"sha256:{DEMO_DIGEST}"
    assert any(f.vex is not None for f in image.findings) is closed
    assert len(image.vex) == (len(json.loads((DEMO / "vex.openvex.json").read_text())["statements"]) if closed else 0)
