"""Merging what the core readers read: one Finding per flaw per package, one Component per package.

The inputs are small but shaped like real Grype / Trivy / CycloneDX output, written per test.
"""
from __future__ import annotations

import json
from datetime import UTC

from conftest import FIXTURE_IMAGE

from scc.facts import read_inputs
from scc.facts.model import FindingState, Severity

OPENSSL_PURL_GRYPE = "pkg:apk/alpine/libssl3@3.1.4-r0?arch=x86_64&distro=alpine-3.19.0"
OPENSSL_PURL_TRIVY = "pkg:apk/alpine/libssl3@3.1.4-r0?arch=x86_64&distro=3.19.0"


def _grype(matches: list[dict]) -> dict:
    return {
        "matches": matches,
        "source": {"type": "image", "target": {"userInput": "shop/api:1.4", "tags": ["shop/api:1.4"],
                                               "repoDigests": ["shop/api@sha256:" + "ab" * 32],
                                               "imageID": "sha256:" + "cd" * 32, "os": "linux",
                                               "architecture": "amd64"}},
        "distro": {"name": "alpine", "version": "3.19.0"},
        "descriptor": {"name": "grype", "version": "0.79.3", "timestamp": "2024-03-01T10:00:00Z",
                       "db": {"built": "2024-03-01T01:00:00Z"}},
    }


def _grype_match(vuln_id: str, related: list[str], name: str, version: str, purl: str, severity: str) -> dict:
    return {
        "vulnerability": {"id": vuln_id, "severity": severity, "namespace": "alpine:distro:alpine:3.19",
                          "fix": {"versions": ["3.1.5-r0"], "state": "fixed"}, "cvss": [],
                          "urls": [f"https://security.alpinelinux.org/vuln/{vuln_id}"]},
        "relatedVulnerabilities": [{"id": r, "namespace": "nvd:cpe", "severity": severity,
                                    "cvss": [{"version": "3.1", "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
                                              "metrics": {"baseScore": 7.5}, "source": "nvd@nist.gov"}]}
                                   for r in related],
        "artifact": {"name": name, "version": version, "type": "apk", "purl": purl},
    }


def _trivy(vulns: list[dict], packages: list[dict] | None = None) -> dict:
    result = {"Target": "shop/api:1.4 (alpine 3.19.0)", "Class": "os-pkgs", "Type": "alpine",
              "Vulnerabilities": vulns}
    if packages is not None:
        result["Packages"] = packages
    return {
        "SchemaVersion": 2, "CreatedAt": "2024-02-28T09:00:00Z", "ArtifactName": "shop/api:1.4",
        "ArtifactType": "container_image", "Trivy": {"Version": "0.50.0"},
        "Metadata": {"OS": {"Family": "alpine", "Name": "3.19.0"}, "ImageID": "sha256:" + "cd" * 32,
                     "RepoTags": ["shop/api:1.4"], "RepoDigests": ["shop/api@sha256:" + "ab" * 32]},
        "Results": [result],
    }


def _trivy_vuln(vuln_id: str, name: str, version: str, purl: str, severity: str) -> dict:
    return {"VulnerabilityID": vuln_id, "PkgName": name, "InstalledVersion": version,
            "PkgIdentifier": {"PURL": purl}, "FixedVersion": "3.1.5-r0", "Status": "fixed",
            "Severity": severity, "Title": "openssl: excessive time spent checking DH keys",
            "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "V3Score": 5.3}}}


def _write(tmp_path, name: str, data: dict | list) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return str(path)


def test_same_vulnerability_from_grype_and_trivy_is_one_finding(tmp_path):
    grype = _write(tmp_path, "grype.json", _grype([
        _grype_match("CVE-2023-5678", ["CVE-2023-5678"], "libssl3", "3.1.4-r0", OPENSSL_PURL_GRYPE, "Medium")]))
    trivy = _write(tmp_path, "trivy.json", _trivy([
        _trivy_vuln("CVE-2023-5678", "libssl3", "3.1.4-r0", OPENSSL_PURL_TRIVY, "HIGH")]))
    facts = read_inputs([grype, trivy])
    (finding,) = facts.findings
    assert finding.sources == {"grype", "trivy"}
    assert {(e.source, e.pointer) for e in finding.evidence} == {(grype, "/matches/0"),
                                                                  (trivy, "/Results/0/Vulnerabilities/0")}
    assert finding.severity is Severity.HIGH            # the more severe rating is kept
    assert finding.title == "openssl: excessive time spent checking DH keys"   # only Trivy has a title
    assert {c.score for c in finding.cvss} == {7.5, 5.3}
    assert finding.fixed_versions == ["3.1.5-r0"]
    assert [s.scanner for s in facts.scans] == ["grype", "trivy"]
    assert facts.identity.digest == "sha256:" + "ab" * 32 and facts.notes == []


def test_different_packages_with_the_same_cve_stay_apart(tmp_path):
    grype = _write(tmp_path, "grype.json", _grype([
        _grype_match("CVE-2023-5678", [], "libssl3", "3.1.4-r0", OPENSSL_PURL_GRYPE, "Medium"),
        _grype_match("CVE-2023-5678", [], "libcrypto3", "3.1.4-r0",
                     "pkg:apk/alpine/libcrypto3@3.1.4-r0?arch=x86_64", "Medium")]))
    facts = read_inputs([grype])
    assert sorted(f.package for f in facts.findings) == ["libcrypto3", "libssl3"]


def test_ghsa_and_cve_reports_of_one_flaw_merge_under_the_cve(tmp_path):
    purl = "pkg:pypi/requests@2.25.0"
    grype = _write(tmp_path, "grype.json", _grype([
        _grype_match("GHSA-j8r2-6x86-q33q", ["CVE-2023-32681"], "requests", "2.25.0", purl, "Medium")]))
    trivy = _write(tmp_path, "trivy.json", _trivy([
        _trivy_vuln("CVE-2023-32681", "requests", "2.25.0", purl, "MEDIUM")]))
    facts = read_inputs([grype, trivy])
    (finding,) = facts.findings
    assert finding.id == "CVE-2023-32681"
    assert "GHSA-j8r2-6x86-q33q" in finding.aliases
    assert finding.sources == {"grype", "trivy"}


def test_grype_ghsa_match_merges_with_its_cve():
    # grype lists the gem twice: once under the CVE, once under the GHSA advisory whose related id it is
    facts = read_inputs([str(FIXTURE_IMAGE / "vex-target.grype.json")])
    gem = [f for f in facts.findings if f.package == "fixture-gem"]
    assert len(gem) == 1 and gem[0].id == "CVE-2099-2001"
    assert gem[0].aliases == {"GHSA-fxfx-vex0-0001"} and len(gem[0].evidence) == 2
    assert len(facts.findings) == 2      # the same CVE in the other package stays its own finding


def test_component_dedup_across_cyclonedx_and_trivy_packages(tmp_path):
    cdx = _write(tmp_path, "sbom.cdx.json", {
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "metadata": {"tools": {"components": [{"type": "application", "name": "syft", "version": "1.11.0"}]},
                     "component": {"type": "container", "name": "shop/api", "version": "sha256:" + "ab" * 32}},
        "components": [
            {"type": "library", "name": "libssl3", "version": "3.1.4-r0", "purl": OPENSSL_PURL_GRYPE,
             "licenses": [{"license": {"id": "Apache-2.0"}}], "bom-ref": "libssl3"},
            {"type": "library", "name": "musl", "version": "1.2.4-r2",
             "purl": "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.0"},
        ],
    })
    trivy = _write(tmp_path, "trivy.json", _trivy([], packages=[
        {"ID": "libssl3@3.1.4-r0", "Name": "libssl3", "Version": "3.1.4-r0",
         "Identifier": {"PURL": OPENSSL_PURL_TRIVY}, "Licenses": ["Apache-2.0"]},
        {"ID": "zlib@1.3-r2", "Name": "zlib", "Version": "1.3-r2"},
    ]))
    facts = read_inputs([cdx, trivy])
    assert sorted(c.name for c in facts.components) == ["libssl3", "musl", "zlib"]
    libssl = next(c for c in facts.components if c.name == "libssl3")
    assert {e.source for e in libssl.evidence} == {cdx, trivy}
    assert libssl.licenses == ("Apache-2.0",)
    assert [s.format for s in facts.sboms] == ["cyclonedx"]


def test_cyclonedx_vex_statement_closes_the_grype_finding(tmp_path):
    grype = _write(tmp_path, "grype.json", _grype([
        _grype_match("CVE-2023-5678", [], "libssl3", "3.1.4-r0", OPENSSL_PURL_GRYPE, "Medium")]))
    vex = _write(tmp_path, "vex.cdx.json", {
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "metadata": {"timestamp": "2024-03-02T00:00:00Z", "authors": [{"name": "Shop security team"}]},
        "vulnerabilities": [{"id": "CVE-2023-5678",
                             "analysis": {"state": "not_affected", "justification": "code_not_reachable",
                                          "detail": "DH is not used"},
                             "affects": [{"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#"
                                                 "pkg:apk/alpine/libssl3@3.1.4-r0"}]}],
    })
    facts = read_inputs([grype, vex])
    (finding,) = facts.findings
    assert finding.state is FindingState.NOT_AFFECTED and not finding.is_open
    assert finding.vex.author == "Shop security team"
    assert finding.vex.impact_statement == "DH is not used"
    assert finding.vex.document == "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"


def test_sarif_result_without_purl_merges_with_its_trivy_json_twin(samples):
    from scc.facts import read_inputs

    json_only = read_inputs([samples / "trivy/alpine-3.10.trivy.json"])
    both = read_inputs([samples / "trivy/alpine-3.10.trivy.json", samples / "sarif/alpine-3.10.trivy.sarif.json"])
    assert len(both.findings) == len(json_only.findings) == 4
    for finding in both.findings:
        assert finding.purl.startswith("pkg:apk/")
        assert {e.source.rsplit("/", 1)[-1] for e in finding.evidence} == {
            "alpine-3.10.trivy.json", "alpine-3.10.trivy.sarif.json"}


def test_published_date_does_not_depend_on_input_order():
    from datetime import datetime

    from scc.facts.merge import merge_facts
    from scc.facts.model import Finding, ImageFacts

    def part(year: int) -> ImageFacts:
        return ImageFacts(findings=[Finding("CVE-2024-1", package="x", installed_version="1",
                                            published=datetime(year, 1, 1, tzinfo=UTC))])

    assert merge_facts([part(2024), part(2023)]).findings[0].published.year == 2023
    assert merge_facts([part(2023), part(2024)]).findings[0].published.year == 2023
