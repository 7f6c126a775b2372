"""The foundation readers (CycloneDX JSON, Grype, Trivy, image config) on the real sample files.

Every expected count below was taken from the raw JSON with an independent python/jq look
(len(matches), recursive component walks, Results[*].Vulnerabilities), not from scc's output.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from conftest import FIXTURE_IMAGE

from scc.errors import InputError
from scc.facts import detect_reader, read_input, read_inputs
from scc.facts.model import FindingState, Severity
from scc.facts.source import InputDocument

CYCLONEDX_COMPONENTS = {
    "cyclonedx/alpine.syft.cdx-1.5.json": 15,
    "cyclonedx/alpine.syft.cdx-1.6.json": 16,
    "cyclonedx/centos-7.trivy.cdx-1.5.json": 3,
    "cyclonedx/saf-cli.npm.cdx-1.4.json": 1558,   # 946 top-level + 612 nested
    "cyclonedx-vex/bom.json": 3,
}
GRYPE_MATCHES = {
    "chainguard-ruby-3.0.grype.json": (3, 2),     # (matches, findings after merge: GHSA-hv5j = CVE-2023-28755)
    "cloudwatch_to_s3.grype.json": (16, 16),
    "golang-1.12-alpine.grype.json": (89, 89),
    "keycloak-21.0.2.grype.json": (6, 6),
}
TRIVY_VULNERABILITIES = {"alpine-3.10.trivy.json": 4, "debian-buster.trivy.json": 2, "ubi-7.trivy.json": 1}


def _read(path):
    return read_input(str(path))


# -- CycloneDX -------------------------------------------------------------------------------
@pytest.mark.parametrize("name,count", CYCLONEDX_COMPONENTS.items())
def test_cyclonedx_component_counts_include_nested_components(samples, name, count):
    record, facts = _read(samples / name)
    assert record.format == "cyclonedx-json"
    assert len(facts.components) == count
    distro_records = sum(1 for c in facts.components if c.type == "operating-system")   # the subject, not software
    assert facts.sboms[0].component_count == count - distro_records
    assert all(c.evidence[0].pointer.startswith("/components/") for c in facts.components)


@pytest.mark.slow
def test_cyclonedx_nested_component_cites_its_nested_pointer(samples):
    _, facts = _read(samples / "cyclonedx/saf-cli.npm.cdx-1.4.json")
    pointers = {c.evidence[0].pointer for c in facts.components}
    assert any("/components/" in p[len("/components/0"):] for p in pointers)
    raw = json.loads((samples / "cyclonedx/saf-cli.npm.cdx-1.4.json").read_text())
    nested = next(c for c in facts.components if c.evidence[0].pointer.count("/components/") == 2)
    _, top, _, inner = nested.evidence[0].pointer.strip("/").split("/")
    assert raw["components"][int(top)]["components"][int(inner)]["name"] == nested.name


def test_cyclonedx_syft_15_tools_object_identity_and_component_fields(samples):
    record, facts = _read(samples / "cyclonedx/alpine.syft.cdx-1.5.json")
    sbom = facts.sboms[0]
    assert (sbom.format, sbom.spec_version, sbom.tool) == ("cyclonedx", "1.5", "syft 1.5.0")
    assert sbom.serial == "urn:uuid:49ad54fa-7793-4d71-ae85-ba41721dc4d0"
    assert facts.identity.name == "alpine"
    assert facts.identity.digest == "sha256:1c3b93ed450e26eac89b471d6d140e2f99488f489739b8b8ea5e8202dd086f82"
    assert facts.identity.created is None   # metadata.timestamp is the SBOM's time, not the image's
    first = facts.components[0]
    assert first.name == "alpine-baselayout" and first.version == "3.6.5-r0"
    assert first.licenses == ("GPL-2.0-only",)
    assert first.supplier == "Natanael Copa <ncopa@alpinelinux.org>"  # publisher, no supplier object
    assert first.cpes[0].startswith("cpe:2.3:a:alpine-baselayout:alpine-baselayout:")
    assert len(first.cpes) == 6   # the cpe field + 5 syft:cpe23 properties
    assert record.tool == "syft 1.5.0"


def test_cyclonedx_14_tools_array_and_hashes_lower_cased(samples):
    _, facts = _read(samples / "cyclonedx-vex/bom.json")
    assert facts.sboms[0].tool == "CycloneDX Maven plugin 2.5.3"
    jackson = next(c for c in facts.components if c.name == "jackson-databind")
    assert jackson.hashes["sha-256"] == "8e6c566c67fc61a96c5dfc4a71d430f2565765778ec9a6ef216c5460a9911b60"
    assert jackson.bom_ref == "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar"
    assert facts.identity.name == ""   # metadata.component is a library, not an image


def test_cyclonedx_trivy_container_properties_give_tag_and_digest(samples):
    _, facts = _read(samples / "cyclonedx/centos-7.trivy.cdx-1.5.json")
    assert facts.identity.name == "ghcr.io/aquasecurity/trivy-test-images"
    assert facts.identity.tag == "centos-7"
    assert facts.identity.digest == "sha256:f1cb7c7d58b73eac859c395882eec49d50651244e342cd6c68a5c7809785f427"
    assert facts.sboms[0].tool == "trivy dev"
    assert {c.licenses for c in facts.components if c.name == "bash"} == {("GPLv3+",)}


def test_cyclonedx_pure_vex_makes_statements_not_findings(samples):
    _, facts = _read(samples / "cyclonedx-vex/cisa-case-2.vex.json")
    assert facts.findings == []
    assert len(facts.vex) == 19
    statement = facts.vex[0]
    assert statement.vulnerability == "CVE-2020-11896"
    assert statement.status is FindingState.NOT_AFFECTED
    assert statement.justification == "code_not_reachable"
    assert statement.products == ()      # affects the document's own product: the whole image
    assert statement.timestamp == datetime(2022, 3, 3, tzinfo=UTC)
    assert statement.evidence[0].pointer == "/vulnerabilities/0/analysis"


def test_cyclonedx_vex_bom_link_ref_resolves_to_purl(samples):
    _, facts = _read(samples / "cyclonedx-vex/vex.json")
    assert facts.findings == []
    (statement,) = facts.vex
    assert statement.products == ("pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar",)
    assert statement.action_statement == "will_not_fix, update"
    assert statement.aliases == ("SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302",)
    assert statement.format == "cyclonedx-vex"


def test_cyclonedx_vdr_without_analysis_gives_findings(samples):
    path = samples / "cyclonedx-vex/dropwizard.dependency-track.vex-1.5.json"
    _, facts = _read(path)
    assert len(facts.findings) == 87 and facts.vex == []
    first = facts.findings[0]
    assert (first.id, first.severity, first.sources) == ("GHSA-5mg8-w23w-74h3", Severity.LOW, {"dependency-track"})
    assert first.package == "test 9"     # the ref names the project (metadata.component)
    assert len(read_inputs([str(path)]).findings) == 85   # two advisories are listed twice


def test_cyclonedx_ratings_give_cvss_and_highest_severity(tmp_path):
    doc = {
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "components": [{"type": "library", "name": "lodash", "version": "4.17.20", "bom-ref": "c1",
                        "purl": "pkg:npm/lodash@4.17.20"}],
        "vulnerabilities": [{
            "id": "CVE-2021-23337", "ratings": [
                {"score": 7.2, "severity": "high", "method": "CVSSv31",
                 "vector": "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", "source": {"name": "NVD"}},
                {"severity": "medium", "method": "other"}],
            "affects": [{"ref": "c1", "versions": [{"version": "4.17.21", "status": "unaffected"}]}],
        }],
    }
    path = tmp_path / "vdr.json"
    path.write_text(json.dumps(doc))
    _, facts = _read(path)
    (finding,) = facts.findings
    assert finding.purl == "pkg:npm/lodash@4.17.20" and finding.package == "lodash"
    assert finding.severity is Severity.HIGH
    assert [(c.version, c.score, c.source) for c in finding.cvss] == [("3.1", 7.2, "NVD")]
    assert finding.fixed_versions == ["4.17.21"]
    assert finding.evidence[0].pointer == "/vulnerabilities/0"


def test_cyclonedx_wrong_type_names_the_field(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5",
                                "components": [{"name": "a"}, {"name": "b"}, {"name": ["x"]}]}))
    with pytest.raises(InputError, match=r"components\[2\]\.name: expected a string"):
        read_input(str(path))


# -- Grype -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name,counts", GRYPE_MATCHES.items())
def test_grype_one_finding_per_match_and_merged_count(samples, name, counts):
    record, facts = _read(samples / "grype" / name)
    assert record.format == "grype-json"
    assert len(facts.findings) == counts[0]
    assert facts.scans[0].finding_count == counts[0]
    assert [f.evidence[0].pointer for f in facts.findings] == [f"/matches/{i}" for i in range(counts[0])]
    assert facts.components == []       # grype lists vulnerable packages, not an inventory
    assert len(read_inputs([str(samples / "grype" / name)]).findings) == counts[1]


def test_grype_scan_record_and_identity(samples):
    _, facts = _read(samples / "grype/chainguard-ruby-3.0.grype.json")
    scan = facts.scans[0]
    assert (scan.scanner, scan.scanner_version) == ("grype", "0.61.1")
    assert scan.timestamp == datetime(2023, 5, 17, 21, 0, 56, 783213, tzinfo=timezone(timedelta(hours=-4)))
    assert scan.db_built == datetime(2023, 5, 17, 1, 32, 43, tzinfo=UTC)
    assert scan.target == "cgr.dev/chainguard/ruby:latest-3.0"
    ident = facts.identity
    assert (ident.name, ident.tag, ident.architecture, ident.os) == ("cgr.dev/chainguard/ruby", "latest-3.0",
                                                                     "arm64", "linux")
    assert ident.digest == "sha256:3c9afb4f188827ea1062ec3b8acea32893236a0d7df31e0498df93486cff0978"


def test_grype_finding_fields(samples):
    _, facts = _read(samples / "grype/cloudwatch_to_s3.grype.json")
    alas = facts.findings[0]
    assert alas.id == "ALAS-2024-2607" and alas.aliases == {"CVE-2024-39689"}
    assert alas.severity is Severity.LOW
    assert alas.fixed_versions == ["2023.2.68-1.amzn2.0.1"]
    assert alas.package == "ca-certificates" and alas.installed_version == "2023.2.64-1.amzn2.0.1"
    assert alas.cvss and alas.cvss[0].score == 7.5 and alas.cvss[0].version == "3.1"
    assert alas.state is FindingState.AFFECTED


def test_grype_unknown_severity_falls_back_to_cvss(tmp_path):
    match = {"vulnerability": {"id": "CVE-2024-0001", "severity": "Unknown", "fix": {"versions": [], "state": "unknown"},
                               "cvss": [{"version": "3.1", "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                                         "metrics": {"baseScore": 9.8}}]},
             "artifact": {"name": "x", "version": "1"}}
    path = tmp_path / "g.json"
    path.write_text(json.dumps({"matches": [match], "descriptor": {"name": "grype", "version": "0.90.0",
                                                                   "db": {"status": {"built": "2025-01-02T03:04:05Z"}}}}))
    _, facts = _read(path)
    assert facts.findings[0].severity is Severity.CRITICAL
    assert facts.scans[0].db_built == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)   # v6 db.status layout


def test_grype_wont_fix_state_stays_open(samples):
    _, facts = _read(samples / "grype/keycloak-21.0.2.grype.json")
    assert all(f.is_open and not f.fixed_versions for f in facts.findings)
    assert {f.severity for f in facts.findings} == {Severity.LOW}


# -- Trivy -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name,count", TRIVY_VULNERABILITIES.items())
def test_trivy_findings_per_result_vulnerability(samples, name, count):
    record, facts = _read(samples / "trivy" / name)
    assert record.format == "trivy-json"
    assert len(facts.findings) == count
    assert facts.findings[-1].evidence[0].pointer == f"/Results/0/Vulnerabilities/{count - 1}"


def test_trivy_fields_identity_and_config(samples):
    _, facts = _read(samples / "trivy/alpine-3.10.trivy.json")
    first = facts.findings[0]
    assert (first.id, first.package, first.installed_version) == ("CVE-2019-1549", "libcrypto1.1", "1.1.1c-r0")
    assert first.purl == "pkg:apk/alpine/libcrypto1.1@1.1.1c-r0?arch=x86_64&distro=3.10.2"
    assert first.severity is Severity.MEDIUM and first.fixed_versions == ["1.1.1d-r0"]
    assert ("3.1", 5.3, "nvd") in [(c.version, c.score, c.source) for c in first.cvss]
    assert ("2.0", 5.0, "nvd") in [(c.version, c.score, c.source) for c in first.cvss]
    assert first.title == "openssl: information disclosure in fork()"
    assert first.urls[0] == "https://avd.aquasec.com/nvd/cve-2019-1549"
    assert facts.identity.name == "ghcr.io/aquasecurity/trivy-test-images" and facts.identity.tag == "alpine-310"
    assert facts.identity.digest == "sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4"
    assert facts.scans[0].scanner == "trivy" and facts.scans[0].target.endswith("alpine-310.tar.gz")
    assert facts.config.cmd == ("/bin/sh",) and facts.config.env_names == ("PATH",)
    assert facts.config.field_evidence["cmd"].pointer == "/Metadata/ImageConfig/config/Cmd"


def test_trivy_comma_separated_fixed_versions_and_packages(tmp_path):
    report = {
        "SchemaVersion": 2, "ArtifactName": "app:1", "ArtifactType": "container_image",
        "Results": [
            {"Target": "app (debian 12)", "Class": "os-pkgs", "Type": "debian",
             "Packages": [{"ID": "zlib1g@1.2.13", "Name": "zlib1g", "Version": "1.2.13"}]},
            {"Target": "Python", "Class": "lang-pkgs", "Type": "python-pkg",
             "Vulnerabilities": [{"VulnerabilityID": "GHSA-xxxx-yyyy-zzzz", "PkgName": "requests",
                                  "InstalledVersion": "2.25.0", "FixedVersion": "2.31.0, 3.0.1",
                                  "Severity": "MODERATE", "Status": "fixed"}]},
        ],
    }
    path = tmp_path / "trivy.json"
    path.write_text(json.dumps(report))
    _, facts = _read(path)
    (finding,) = facts.findings
    assert finding.fixed_versions == ["2.31.0", "3.0.1"]
    assert finding.purl == "pkg:pypi/requests@2.25.0"     # built from the Result Type
    assert finding.severity is Severity.MEDIUM and finding.state is FindingState.AFFECTED
    assert finding.evidence[0].pointer == "/Results/1/Vulnerabilities/0"
    (package,) = facts.components
    assert package.purl == "pkg:deb/debian/zlib1g@1.2.13" and package.evidence[0].pointer == "/Results/0/Packages/0"


# -- image config ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["oci1-config.json", "docker-schema2-config.json"])
def test_oci_config_fields(samples, name):
    record, facts = _read(samples / "image-config" / name)
    assert record.format == "oci-image-config"
    config = facts.config
    assert config.cmd == ("httpd-foreground",) and config.entrypoint == ()
    assert config.exposed_ports == ("80/tcp",) and config.workdir == "/usr/local/apache2"
    assert config.env_names == ("PATH", "HTTPD_PREFIX", "HTTPD_VERSION", "HTTPD_SHA1", "HTTPD_BZ2_URL",
                                "HTTPD_ASC_URL")
    assert config.healthcheck is None and config.user == ""
    assert config.field_evidence["user"].pointer == "/config/User"
    assert facts.identity.architecture == "amd64" and facts.identity.os == "linux"
    assert facts.identity.created == datetime(2016, 9, 23, 23, 20, 45, 789764, tzinfo=UTC)
    assert "2.4.23" not in repr(facts)   # HTTPD_VERSION's value is not kept


def test_docker_inspect_identity_and_config(samples):
    record, facts = _read(samples / "image-config/go-stream-client.docker-inspect.json")
    assert record.format == "docker-inspect"
    assert (facts.identity.name, facts.identity.tag) == ("gsantomaggio/go-stream-client", "latest")
    assert facts.identity.digest == "sha256:1ee5934abde98bde8d1a11878afd05b637ebed272f2bb2bfe14a717757ef8fff"
    assert facts.config.entrypoint == ("perTest",) and facts.config.cmd == ()
    assert facts.config.field_evidence["entrypoint"].pointer == "/0/Config/Entrypoint"


def test_healthcheck_none_disabled_and_declared(tmp_path):
    def config_with(health):
        path = tmp_path / f"c{len(list(tmp_path.iterdir()))}.json"
        config = {"User": "app"} | ({"Healthcheck": health} if health is not None else {})
        path.write_text(json.dumps({"architecture": "arm64", "os": "linux", "config": config,
                                    "rootfs": {"type": "layers", "diff_ids": []}}))
        return _read(path)[1].config

    assert config_with(None).healthcheck is None
    assert config_with({"Test": ["NONE"]}).healthcheck == ("NONE",)
    assert config_with({"Test": ["CMD", "curl", "-f", "http://localhost/"]}).healthcheck[0] == "CMD"
    assert config_with(None).user == "app"


# -- sniffing --------------------------------------------------------------------------------
# tests/data/fixture-image; the reference samples above go through the same sniffing in read_input
@pytest.mark.parametrize("name,fmt", [
    ("sbom.cdx-1.5.json", "cyclonedx-json"),
    ("scan.grype.json", "grype-json"),
    ("scan.trivy.json", "trivy-json"),
    ("config.oci.json", "image-config"),
    ("config.docker-inspect.json", "image-config"),
])
def test_formats_are_recognised_by_content(tmp_path, name, fmt):
    renamed = tmp_path / "input.dat"      # the file name says nothing
    renamed.write_bytes((FIXTURE_IMAGE / name).read_bytes())
    assert detect_reader(InputDocument(renamed)).format == fmt


def test_trivy_legacy_bare_results_array(tmp_path):
    path = tmp_path / "old-trivy.json"
    path.write_text(json.dumps([{"Target": "nginx:1.19 (debian 10.8)", "Type": "debian", "Vulnerabilities": [
        {"VulnerabilityID": "CVE-2021-3449", "PkgName": "openssl", "InstalledVersion": "1.1.1d-0+deb10u4",
         "FixedVersion": "1.1.1d-0+deb10u6", "Severity": "MEDIUM"}]}]))
    record, facts = _read(path)
    assert record.format == "trivy-json"
    (finding,) = facts.findings
    assert finding.purl == "pkg:deb/debian/openssl@1.1.1d-0%2Bdeb10u4"
    assert finding.evidence[0].pointer == "/0/Vulnerabilities/0"


def test_cyclonedx_oci_purl_gives_registry_name_digest_and_arch(tmp_path):
    digest = "sha256:" + "9f" * 32
    path = tmp_path / "image.cdx.json"
    path.write_text(json.dumps({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": [],
        "metadata": {"timestamp": "2025-01-01T00:00:00Z", "component": {
            "type": "container", "name": "alpine:3.19", "bom-ref": "img",
            "purl": f"pkg:oci/alpine@{digest.replace(':', '%3A')}?arch=arm64"
                    "&repository_url=index.docker.io%2Flibrary%2Falpine"}}}))
    _, facts = _read(path)
    ident = facts.identity
    assert (ident.name, ident.tag, ident.digest, ident.architecture) == (
        "index.docker.io/library/alpine", "3.19", digest, "arm64")
    assert facts.sboms[0].component_count == 0
