"""Write the vendor attestation-set fixtures of this folder (run from the repository root).

    python tests/data/attestations/make_fixtures.py

The shapes follow what the vendors publish (see README.md); every digest, name and date is scc's own.
A fresh ECDSA P-256 key signs the envelopes each run; only its public key is kept (vendor-test.pub).
"""
from __future__ import annotations

import base64
import hashlib
import json
import sys
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
from imagebuild import file, layer_tar, write_oci_layout

STATEMENT_V1 = "https://in-toto.io/Statement/v1"
STATEMENT_V01 = "https://in-toto.io/Statement/v0.1"
IN_TOTO = "application/vnd.in-toto+json"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


DHI_DIGEST = sha("scc fixture: dhi.io/python:3.13-fips linux/amd64")
DHI_ARM64 = sha("scc fixture: dhi.io/python:3.13-fips linux/arm64")
CG_DIGEST = sha("scc fixture: cgr.dev/chainguard/static linux/amd64")
DHI_PURL = "pkg:docker/dhi.io/python@3.13-fips?platform=linux%2Famd64"
XCCDF = """<?xml version="1.0" encoding="UTF-8"?>
<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_com.docker.dhi_benchmark_DHI-GPOS-STIG" resolved="1">
  <status>draft</status>
  <title>DHI STIG-based profile (scc test fixture)</title>
  <version>0.1</version>
  <Profile id="xccdf_com.docker.dhi_profile_stig_gpos"><title>GPOS SRG based container profile</title></Profile>
  <Group id="xccdf_com.docker.dhi_group_auth">
    <Rule id="xccdf_org.ssgproject.content_rule_no_empty_passwords_etc_shadow" severity="high">
      <version>SRG-OS-000480-GPOS-00227</version>
      <title>Ensure no accounts have empty passwords</title>
      <ident system="http://cyber.mil/cci">CCI-000366</ident>
    </Rule>
    <Rule id="xccdf_org.ssgproject.content_rule_file_permissions_etc_shadow" severity="medium">
      <version>SRG-OS-000480-GPOS-00227</version>
      <title>Verify permissions on /etc/shadow</title>
      <ident system="http://cyber.mil/cci">CCI-000366</ident>
    </Rule>
    <Rule id="xccdf_org.ssgproject.content_rule_sshd_disable_empty_passwords" severity="high">
      <version>SRG-OS-000480-GPOS-00229</version>
      <title>Disable SSH access via empty passwords</title>
      <ident system="http://cyber.mil/cci">CCI-000366</ident>
    </Rule>
  </Group>
  <TestResult id="xccdf_org.open-scap_testresult_xccdf_com.docker.dhi_profile_stig_gpos" start-time="2026-11-20T09:15:02+00:00" end-time="2026-11-20T09:15:09+00:00" test-system="cpe:/a:redhat:openscap:1.3.10">
    <benchmark href="#dhi-stig" id="xccdf_com.docker.dhi_benchmark_DHI-GPOS-STIG"/>
    <profile idref="xccdf_com.docker.dhi_profile_stig_gpos"/>
    <target>dhi.io/python:3.13-fips</target>
    <rule-result idref="xccdf_org.ssgproject.content_rule_no_empty_passwords_etc_shadow" severity="high"><result>pass</result><ident system="http://cyber.mil/cci">CCI-000366</ident></rule-result>
    <rule-result idref="xccdf_org.ssgproject.content_rule_file_permissions_etc_shadow" severity="medium"><result>pass</result><ident system="http://cyber.mil/cci">CCI-000366</ident></rule-result>
    <rule-result idref="xccdf_org.ssgproject.content_rule_sshd_disable_empty_passwords" severity="high"><result>notapplicable</result><ident system="http://cyber.mil/cci">CCI-000366</ident></rule-result>
  </TestResult>
</Benchmark>
"""


def b64(data: bytes | str) -> str:
    return base64.b64encode(data.encode() if isinstance(data, str) else data).decode()


def statement(predicate_type: str, predicate: object, digest: str = DHI_DIGEST, name: str = DHI_PURL,
              kind: str = STATEMENT_V1) -> dict:
    return {"_type": kind, "subject": [{"name": name, "digest": {"sha256": digest}}],
            "predicateType": predicate_type, "predicate": predicate}


def envelope(key: ec.EllipticCurvePrivateKey, body: dict, keyid: str = "") -> dict:
    payload = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
    pae = b"DSSEv1 %d %s %d %s" % (len(IN_TOTO), IN_TOTO.encode(), len(payload), payload)
    signature = key.sign(pae, ec.ECDSA(hashes.SHA256()))
    return {"payloadType": IN_TOTO, "payload": b64(payload), "signatures": [{"keyid": keyid, "sig": b64(signature)}]}


def dhi_set(key: ec.EllipticCurvePrivateKey) -> list[dict]:
    cyclonedx = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
                 "serialNumber": "urn:uuid:2f6c1a40-5b1e-4d39-9e0a-0c3f1d7c8a11",
                 "metadata": {"timestamp": "2026-11-20T09:12:40Z",
                              "component": {"type": "container", "name": "dhi.io/python", "version": "3.13-fips"}},
                 "components": [
                     {"type": "library", "name": "python", "version": "3.13.9", "purl": "pkg:dhi/python@3.13.9"},
                     {"type": "library", "name": "openssl", "version": "3.5.4", "purl": "pkg:dhi/openssl@3.5.4"},
                     {"type": "library", "name": "openssl-provider-fips", "version": "3.1.2",
                      "purl": "pkg:dhi/openssl-provider-fips@3.1.2"}]}
    foreign_sbom = {**cyclonedx, "serialNumber": "urn:uuid:9a1d9f2e-0c4b-4f55-8a37-6b2e0d4c1f90",
                    "components": [{"type": "library", "name": "arm64-only-lib", "version": "1.0.0",
                                    "purl": "pkg:dhi/arm64-only-lib@1.0.0"}]}
    openvex = {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://dhi.io/vex/python-3.13-fips-2026-11-20",
               "author": "Docker Hardened Images", "timestamp": "2026-11-20T09:13:00Z", "version": 1,
               "statements": [{"vulnerability": {"name": "CVE-2026-10001"},
                               "products": [{"@id": "pkg:dhi/python@3.13.9"}], "status": "not_affected",
                               "justification": "vulnerable_code_not_present"}]}
    provenance = {"builder": {"id": "https://dhi.io/builder/buildkit"},
                  "buildType": "https://mobyproject.org/buildkit@v1",
                  "invocation": {"configSource": {"uri": "https://github.com/docker-hardened-images/catalog.git#main",
                                                  "digest": {"sha1": "5d0c9a8e51f4b0c7a3c2e9f8d1b6a4e7c0f3b2a1"},
                                                  "entryPoint": "python/3.13-fips"}},
                  "metadata": {"buildStartedOn": "2026-11-20T09:01:11Z", "buildFinishedOn": "2026-11-20T09:11:52Z"},
                  "materials": [{"uri": "pkg:docker/dhi/debian-base@trixie", "digest": {"sha256": sha("debian base")}}]}
    vsa = {"verifier": {"id": "https://dhi.io/verifier"}, "timeVerified": "2026-11-20T09:14:30Z",
           "resourceUri": DHI_PURL, "policy": {"uri": "https://dhi.io/policy/slsa-build-l3"},
           "inputAttestations": [{"uri": "https://dhi.io/attestations/provenance", "digest": {"sha256": sha("prov")}}],
           "verificationResult": "PASSED", "verifiedLevels": ["SLSA_BUILD_LEVEL_3"], "slsaVersion": "1.0"}
    fips = [{"certification": "CMVP #4985",
             "certificationUrl": "https://csrc.nist.gov/projects/cryptographic-module-validation-program/certificate/4985",
             "name": "OpenSSL FIPS Provider", "package": "pkg:dhi/openssl-provider-fips@3.1.2",
             "standard": "FIPS 140-3", "status": "active", "sunsetDate": "2030-03-10", "version": "3.1.2"}]
    stig = {"name": "DHI GPOS STIG-based profile", "profile": "xccdf_com.docker.dhi_profile_stig_gpos",
            "version": "0.1", "summary": {"passed": 2, "failed": 0, "notapplicable": 1},
            "output": [{"format": "html", "mediaType": "text/html", "content": b64("<html><body>STIG report</body></html>")},
                       {"format": "xccdf", "mediaType": "application/xml", "content": b64(XCCDF)}]}
    tests = {"reportFormat": "CTRF", "results": {
        "tool": {"name": "dhi-image-tests"},
        "summary": {"tests": 3, "passed": 3, "failed": 0, "skipped": 0, "pending": 0, "other": 0,
                    "start": 1763629833, "stop": 1763629874},
        "tests": [{"name": "python starts and reports 3.13", "status": "passed", "duration": 812},
                  {"name": "ssl module uses the FIPS provider", "status": "passed", "duration": 1406},
                  {"name": "runs as nonroot", "status": "passed", "duration": 95}]}}
    return [envelope(key, statement("https://slsa.dev/provenance/v0.2", provenance, kind=STATEMENT_V01)),
            envelope(key, statement("https://slsa.dev/verification_summary/v1", vsa)),
            envelope(key, statement("https://cyclonedx.org/bom/v1.6", cyclonedx)),
            envelope(key, statement("https://openvex.dev/ns/v0.2.0", openvex)),
            envelope(key, statement("https://docker.com/dhi/fips/v0.1", fips)),
            envelope(key, statement("https://docker.com/dhi/stig/v0.1", stig)),
            envelope(key, statement("https://scout.docker.com/tests/v0.1", tests)),
            # published for the arm64 image: its subject is another digest, so the set must not use it
            envelope(key, statement("https://cyclonedx.org/bom/v1.6", foreign_sbom, DHI_ARM64,
                                    DHI_PURL.replace("amd64", "arm64")))]


def chainguard_set(key: ec.EllipticCurvePrivateKey) -> list[dict]:
    name = "cgr.dev/chainguard/static"
    spdx = {"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
            "name": f"sbom-sha256:{CG_DIGEST}", "documentNamespace": f"https://spdx.org/spdxdocs/apko/{CG_DIGEST}",
            "creationInfo": {"created": "2026-11-19T00:31:05Z", "creators": ["Tool: apko (v0.30.9)", "Organization: Chainguard, Inc"],
                             "licenseListVersion": "3.22"},
            "packages": [{"SPDXID": "SPDXRef-Package-wolfi-baselayout", "name": "wolfi-baselayout", "versionInfo": "20230201-r24",
                          "downloadLocation": "NOASSERTION", "licenseConcluded": "MIT", "supplier": "Organization: Wolfi",
                          "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                                            "referenceLocator": "pkg:apk/wolfi/wolfi-baselayout@20230201-r24?arch=x86_64"}]},
                         {"SPDXID": "SPDXRef-Package-ca-certificates-bundle", "name": "ca-certificates-bundle",
                          "versionInfo": "20250911-r0", "downloadLocation": "NOASSERTION", "licenseConcluded": "MPL-2.0",
                          "supplier": "Organization: Wolfi",
                          "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                                            "referenceLocator": "pkg:apk/wolfi/ca-certificates-bundle@20250911-r0?arch=x86_64"}]}]}
    provenance = {"buildDefinition": {"buildType": "https://chainguard.dev/buildtypes/apko/v1",
                                      "externalParameters": {"image-configuration": {"contents": {"packages": ["wolfi-baselayout", "ca-certificates-bundle"]}}},
                                      "resolvedDependencies": [{"uri": "git+https://github.com/chainguard-images/images",
                                                                "digest": {"gitCommit": "0e2b6c4d8f1a3e5c7b9d0f2a4c6e8b1d3f5a7c9e"}}]},
                  "runDetails": {"builder": {"id": "https://github.com/chainguard-images/images/.github/workflows/release.yaml@refs/heads/main"},
                                 "metadata": {"invocationId": "https://github.com/chainguard-images/images/actions/runs/19400000000",
                                              "startedOn": "2026-11-19T00:29:41Z", "finishedOn": "2026-11-19T00:31:20Z"}}}
    apko = {"contents": {"repositories": ["https://packages.wolfi.dev/os"], "packages": ["wolfi-baselayout", "ca-certificates-bundle"]},
            "accounts": {"run-as": "65532", "users": [{"username": "nonroot", "uid": 65532, "gid": 65532}]},
            "archs": ["x86_64"]}
    subject = f"{name}"
    return [envelope(key, statement("https://spdx.dev/Document", spdx, CG_DIGEST, subject)),
            envelope(key, statement("https://slsa.dev/provenance/v1", provenance, CG_DIGEST, subject)),
            envelope(key, statement("https://apko.dev/image-configuration", apko, CG_DIGEST, subject))]


def write_jsonl(path: Path, envelopes: list[dict]) -> None:
    path.write_text("".join(json.dumps(e, separators=(",", ":")) + "\n" for e in envelopes))


def write_layout(key: ec.EllipticCurvePrivateKey, root: Path) -> None:
    """An OCI layout of a tiny image with three referrers: a Sigstore bundle, a BuildKit attestation manifest,
    and a bundle whose statement names another digest; plus one referrer of another manifest."""
    layer = layer_tar([file("etc/os-release", b"ID=debian\nVERSION_ID=13\n"),
                       file("etc/passwd", b"root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n")])
    digest = write_oci_layout(root, [layer], config={"User": "65532"})
    hexdigest = digest.split(":", 1)[1]
    blobs = root / "blobs" / "sha256"

    def put(data: bytes) -> tuple[str, int]:
        h = hashlib.sha256(data).hexdigest()
        (blobs / h).write_bytes(data)
        return f"sha256:{h}", len(data)

    empty, empty_size = put(b"{}")
    index = json.loads((root / "index.json").read_text())
    image_descriptor = index["manifests"][0]
    name = "registry.example/team/app"

    def referrer(artifact_type: str, layer_type: str, blob: bytes, about: str) -> dict:
        layer_digest, layer_size = put(blob)
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "artifactType": artifact_type,
                    "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": empty, "size": empty_size},
                    "layers": [{"mediaType": layer_type, "digest": layer_digest, "size": layer_size}],
                    "subject": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": about,
                                "size": image_descriptor["size"]}}
        manifest_digest, manifest_size = put(json.dumps(manifest, indent=2).encode())
        return {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest,
                "size": manifest_size, "artifactType": artifact_type}

    bundle_type = "application/vnd.dev.sigstore.bundle.v0.3+json"
    tests = {"result": "PASSED", "configuration": [{"name": ".github/workflows/image-tests.yml",
                                                    "digest": {"gitBlob": "3c1f0e9d7b5a3c1e9f7d5b3a1c9e7f5d3b1a9c7e"}}],
             "url": "https://github.com/example/app/actions/runs/19400000001",
             "passedTests": ["starts", "serves /healthz", "runs as uid 65532"], "warnedTests": [], "failedTests": []}
    good = statement("https://in-toto.io/attestation/test-result/v0.1", tests, hexdigest, name)
    bad = statement("https://in-toto.io/attestation/test-result/v0.1",
                    {**tests, "result": "FAILED", "passedTests": [], "failedTests": ["starts"]}, sha("another image"), name)

    def bundle(body: dict) -> bytes:
        return json.dumps({"mediaType": bundle_type, "verificationMaterial": {"publicKey": {"hint": "vendor-test"}},
                           "dsseEnvelope": envelope(key, body)}, indent=2).encode()

    provenance = statement("https://slsa.dev/provenance/v0.2", {
        "builder": {"id": "https://github.com/docker/buildx"}, "buildType": "https://mobyproject.org/buildkit@v1",
        "invocation": {"configSource": {"uri": "https://github.com/example/app.git#refs/heads/main",
                                        "digest": {"sha1": "7b3d9f1a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d"}}}},
        hexdigest, f"pkg:docker/{name}@1.0?platform=linux%2Famd64", STATEMENT_V01)
    prov_digest, prov_size = put(json.dumps(provenance, indent=2).encode())
    buildkit = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": empty, "size": empty_size},
                "layers": [{"mediaType": IN_TOTO, "digest": prov_digest, "size": prov_size,
                            "annotations": {"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"}}]}
    bk_digest, bk_size = put(json.dumps(buildkit, indent=2).encode())
    index["manifests"] += [
        referrer(bundle_type, bundle_type, bundle(good), digest),
        referrer(bundle_type, bundle_type, bundle(bad), digest),
        referrer(bundle_type, bundle_type, bundle(statement("https://in-toto.io/attestation/test-result/v0.1", tests,
                                                            sha("arm64 manifest"), name)), "sha256:" + sha("arm64 manifest")),
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": bk_digest, "size": bk_size,
         "annotations": {"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": digest},
         "platform": {"architecture": "unknown", "os": "unknown"}}]
    (root / "index.json").write_text(json.dumps(index, indent=2))


def main() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (HERE / "vendor-test.pub").write_bytes(pem)
    write_jsonl(HERE / "dhi-python-3.13-fips.attestations.jsonl", dhi_set(key))
    write_jsonl(HERE / "chainguard-static.attestations.jsonl", chainguard_set(key))
    inspect = [{"Id": "sha256:" + sha("dhi config"), "RepoTags": ["dhi.io/python:3.13-fips"],
                "RepoDigests": [f"dhi.io/python@sha256:{DHI_DIGEST}"], "Architecture": "amd64", "Os": "linux",
                "Created": "2026-11-20T09:11:52Z",
                "Config": {"User": "nonroot", "Env": ["PATH=/usr/local/bin:/usr/bin:/bin"], "Cmd": ["python3"]}}]
    (HERE / "dhi-python-3.13-fips.inspect.json").write_text(json.dumps(inspect, indent=2) + "\n")
    cg_inspect = [{"Id": "sha256:" + sha("cg config"), "RepoTags": ["cgr.dev/chainguard/static:latest"],
                   "RepoDigests": [f"cgr.dev/chainguard/static@sha256:{CG_DIGEST}"], "Architecture": "amd64",
                   "Os": "linux", "Created": "2026-11-19T00:31:20Z", "Config": {"User": "65532"}}]
    (HERE / "chainguard-static.inspect.json").write_text(json.dumps(cg_inspect, indent=2) + "\n")
    scout = statement("https://in-toto.io/attestation/test-result/v0.1", {
        "result": "PASSED", "configuration": [{"name": "dhi-image-tests", "digest": {"sha256": sha("suite")}}],
        "passedTests": ["python starts and reports 3.13", "ssl module uses the FIPS provider"], "failedTests": []})
    (HERE / "dhi-python-3.13-fips.scout-attest-get.json").write_text(json.dumps(scout, indent=2) + "\n")
    layout = HERE / "app-with-referrers.oci"
    if layout.exists():
        import shutil

        shutil.rmtree(layout)
    write_layout(key, layout)


if __name__ == "__main__":
    main()
