"""The readers on authored fixtures (tests/data/readers, tests/data/fixture-image): the twins of the
tests of test_readers_core.py and test_vex.py that need the real samples in ../shared, so a run
without ../shared still proves each behaviour.

The fixtures are small documents written for scc in the exact shape each tool writes (syft and
Trivy CycloneDX 1.5/1.6, the CycloneDX Maven plugin's 1.3, a CycloneDX 1.4 VEX, a Dependency-Track
VDR, OpenVEX v0.2.0 and its early form, CSAF 2.0 VEX, Grype, Trivy, an OCI and a Docker schema 2
image config and docker inspect; tests/data/readers/README.md); names, versions and ids are fake (CVE-2099-*).
Expected values are read off the fixture files by eye, not from scc's output.
"""
from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import FIXTURE_IMAGE, REPO

from scc.facts import read_input, read_inputs
from scc.facts.model import FindingState, Severity

READERS = REPO / "tests" / "data" / "readers"
SYFT_16 = READERS / "cyclonedx-1.6.syft-nested.cdx.json"
TRIVY_CDX = READERS / "cyclonedx-1.5.trivy-container.cdx.json"
CDX_VEX = READERS / "cyclonedx-1.4.vex.cdx.json"
VDR = READERS / "cyclonedx-1.5.vdr.dependency-track.cdx.json"
OPENVEX = READERS / "openvex-0.2.0.fixture.openvex.json"
OPENVEX_EARLY = READERS / "openvex-early.fixture.vex.json"
CSAF = READERS / "csaf-2.0.fixture.csaf.json"
MAVEN_13 = READERS / "cyclonedx-1.3.maven-plugin.cdx.json"
TRIVY_IMAGE = READERS / "trivy-0.99.alpine-image.trivy.json"
OCI_CONFIG = READERS / "oci-1.1.buildkit.config.json"
DOCKER_CONFIG = READERS / "docker-schema2.fixture.config.json"
GRYPE_AMAZON = READERS / "grype-0.99.amazonlinux-image.grype.json"


def _read(path: Path):
    return read_input(str(path))


# -- recognised by content, whatever the file is called -------------------------------------------
@pytest.mark.parametrize("path,fmt", [
    (SYFT_16, "cyclonedx-json"), (TRIVY_CDX, "cyclonedx-json"), (CDX_VEX, "cyclonedx-json"), (VDR, "cyclonedx-json"),
    (OPENVEX, "openvex"), (OPENVEX_EARLY, "openvex"), (CSAF, "csaf-vex"),
    (FIXTURE_IMAGE / "scan.grype.json", "grype-json"), (FIXTURE_IMAGE / "scan.trivy.json", "trivy-json"),
    (FIXTURE_IMAGE / "config.docker-inspect.json", "docker-inspect"),
    (MAVEN_13, "cyclonedx-json"), (TRIVY_IMAGE, "trivy-json"), (GRYPE_AMAZON, "grype-json"),
    (OCI_CONFIG, "oci-image-config"), (DOCKER_CONFIG, "oci-image-config"),
], ids=lambda v: v.name if isinstance(v, Path) else v)
def test_each_authored_fixture_is_recognised_by_its_content(tmp_path: Path, path: Path, fmt: str) -> None:
    renamed = tmp_path / "input.json"
    shutil.copyfile(path, renamed)
    assert _read(renamed)[0].format == fmt


# -- CycloneDX ----------------------------------------------------------------------------------
@pytest.mark.parametrize("path,count,subject", [(SYFT_16, 5, 1), (TRIVY_CDX, 3, 1)], ids=["syft-1.6", "trivy-1.5"])
def test_cyclonedx_component_counts_include_nested_components(path: Path, count: int, subject: int) -> None:
    record, facts = _read(path)
    assert record.format == "cyclonedx-json"
    assert len(facts.components) == count
    assert sum(1 for c in facts.components if c.type == "operating-system") == subject
    assert facts.sboms[0].component_count == count - subject      # the distro record is the subject, not software
    assert all(c.evidence[0].pointer.startswith("/components/") for c in facts.components)


def test_cyclonedx_nested_component_cites_its_nested_pointer() -> None:
    _, facts = _read(SYFT_16)
    raw = json.loads(SYFT_16.read_text())
    nested = [c for c in facts.components if c.evidence[0].pointer.count("/components/") == 2]
    assert [c.name for c in nested] == ["left-pad-fixture", "util"]
    for component in nested:
        _, top, _, inner = component.evidence[0].pointer.strip("/").split("/")
        assert raw["components"][int(top)]["components"][int(inner)]["name"] == component.name


def test_cyclonedx_syft_16_tools_object_identity_and_component_fields() -> None:
    record, facts = _read(SYFT_16)
    sbom = facts.sboms[0]
    assert (sbom.format, sbom.spec_version, sbom.tool, record.tool) == ("cyclonedx", "1.6", "syft 1.18.1", "syft 1.18.1")
    assert sbom.serial == "urn:uuid:5cc0f1c7-0000-4000-8000-00000000c0d6"
    assert facts.identity.name == "registry.example.test/fixture/nested"
    assert facts.identity.digest == "sha256:" + "5cc0" * 16
    assert facts.identity.created is None       # metadata.timestamp is the SBOM's time, not the image's
    first = facts.components[0]
    assert (first.name, first.version, first.licenses) == ("fixture-base", "9.9.9-r99", ("GPL-2.0-only",))
    assert first.supplier == "Fixture Maintainer <maint@example.test>"   # publisher, no supplier object
    assert len(first.cpes) == 3 and first.cpes[0].startswith("cpe:2.3:a:fixture-base:fixture-base:")
    app = next(c for c in facts.components if c.name == "fixture-app")
    assert app.hashes == {"sha-256": "ab12cd34ef56" * 5 + "ab12"}       # algorithm and digest lower-cased


def test_cyclonedx_13_tools_array_and_hashes_lower_cased() -> None:
    _, facts = _read(MAVEN_13)
    assert facts.sboms[0].tool == "CycloneDX Maven plugin 2.99.1"     # tools[0] name and version, no vendor
    assert len(facts.components) == 3 and facts.sboms[0].component_count == 3
    json_lib = next(c for c in facts.components if c.name == "fixture-json")
    assert json_lib.hashes["sha-256"] == "feedface" * 8
    assert json_lib.bom_ref == "pkg:maven/org.example.fixture/fixture-json@2.10.0?type=jar"
    assert facts.identity.name == ""   # metadata.component is a library, not an image


def test_cyclonedx_trivy_container_properties_give_tag_and_digest() -> None:
    _, facts = _read(TRIVY_CDX)
    assert (facts.identity.name, facts.identity.tag) == ("registry.example.test/fixture/app", "2.0")
    assert facts.identity.digest == "sha256:7c57c57c57c57c57c57c57c57c57c57c57c57c57c57c57c57c57c57c57c57c57c5"
    assert facts.sboms[0].tool == "trivy 0.99.0"
    assert {c.licenses for c in facts.components if c.name == "bash"} == {("GPLv3+",)}


def test_cyclonedx_pure_vex_makes_statements_not_findings() -> None:
    _, facts = _read(CDX_VEX)
    assert facts.findings == [] and facts.components == []
    assert [s.vulnerability for s in facts.vex] == ["CVE-2099-0101", "CVE-2099-0102", "CVE-2099-0103"]
    first, bom_link, exploitable = facts.vex
    assert (first.status, first.justification) == (FindingState.NOT_AFFECTED, "code_not_reachable")
    assert first.products == ()          # affects the document's own product: the whole image
    assert first.timestamp == datetime(2099, 2, 3, tzinfo=UTC)
    assert first.evidence[0].pointer == "/vulnerabilities/0/analysis"
    assert bom_link.products == ("pkg:maven/org.example/fixture-lib@1.0.0?type=jar",)   # bom-link ref -> purl
    assert bom_link.action_statement == "will_not_fix, update"
    assert bom_link.aliases == ("GHSA-fxfx-0102-fxfx",)
    assert {s.format for s in facts.vex} == {"cyclonedx-vex"}
    assert exploitable.status is FindingState.AFFECTED


def test_cyclonedx_vdr_without_analysis_gives_findings() -> None:
    _, facts = _read(VDR)
    assert len(facts.findings) == 3 and facts.vex == []
    first = facts.findings[0]
    assert (first.id, first.severity, first.sources) == ("GHSA-fxfx-aaaa-0001", Severity.LOW, {"dependency-track"})
    assert first.package == "fixture project"       # the ref names the project (metadata.component)
    critical = facts.findings[1]
    assert critical.severity is Severity.CRITICAL and [(s.version, s.score) for s in critical.cvss] == [("3.1", 9.8)]
    assert len(read_inputs([str(VDR)]).findings) == 2     # one advisory is listed twice


# -- Grype, Trivy, docker inspect (tests/data/fixture-image) --------------------------------------
def test_grype_one_finding_per_match_and_the_ghsa_alias_merges() -> None:
    record, facts = _read(FIXTURE_IMAGE / "scan.grype.json")
    assert record.format == "grype-json" and len(facts.findings) == 6
    assert [f.evidence[0].pointer for f in facts.findings] == [f"/matches/{i}" for i in range(6)]
    merged = read_inputs([str(FIXTURE_IMAGE / "scan.grype.json")]).findings
    assert len(merged) == 5
    assert next(f for f in merged if f.id == "CVE-2099-0001").aliases == {"GHSA-fxfx-fxfx-fxfx"}


def test_grype_scan_record_and_identity() -> None:
    _, facts = _read(FIXTURE_IMAGE / "scan.grype.json")
    (scan,) = facts.scans
    assert (scan.scanner, scan.scanner_version, scan.target) == ("grype", "0.99.0", "registry.example.test/fixture/app:1.0")
    assert scan.timestamp == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert scan.db_built == datetime(2026, 1, 1, tzinfo=UTC)
    assert (facts.identity.name, facts.identity.tag) == ("registry.example.test/fixture/app", "1.0")
    assert facts.identity.digest == "sha256:" + "c0" * 32


def test_grype_finding_fields_and_wont_fix_stays_open() -> None:
    _, facts = _read(FIXTURE_IMAGE / "scan.grype.json")
    by_id = {f.id: f for f in facts.findings}
    first = by_id["CVE-2099-0001"]
    assert (first.package, first.installed_version, first.fixed_versions) == ("libcrypto3", "3.3.1-r99", ["3.3.2-r0"])
    assert first.severity is Severity.CRITICAL and first.sources == {"grype"}
    wont_fix = by_id["CVE-2099-0005"]           # fix.state wont-fix: no fix, still a finding to remediate
    assert wont_fix.state is FindingState.AFFECTED and wont_fix.fixed_versions == [] and not wont_fix.fix_available


def test_grype_distro_advisory_takes_the_related_cve_as_alias_and_its_cvss() -> None:
    _, facts = _read(GRYPE_AMAZON)
    (alas,) = facts.findings
    assert alas.id == "ALAS-2099-0801" and alas.aliases == {"CVE-2099-0801"}
    assert alas.severity is Severity.LOW                     # the distro's word, not the related NVD High
    assert alas.fixed_versions == ["2099.1.2-1.amzn2.0.1"]
    assert alas.package == "fixture-certs" and alas.installed_version == "2099.1.1-1.amzn2.0.1"
    assert alas.cvss and alas.cvss[0].score == 7.5 and alas.cvss[0].version == "3.1"
    assert alas.state is FindingState.AFFECTED
    assert facts.components == []       # grype lists vulnerable packages, not an inventory
    scan = facts.scans[0]
    assert (scan.scanner, scan.scanner_version, scan.finding_count) == ("grype", "0.99.0", 1)
    assert scan.timestamp == datetime(2099, 2, 3, 21, 0, 56, 783213, tzinfo=timezone(timedelta(hours=-4)))
    assert scan.db_built == datetime(2099, 2, 3, 1, 2, 3, tzinfo=UTC)
    ident = facts.identity
    assert (ident.name, ident.tag, ident.architecture, ident.os) == (
        "registry.example.test/fixture/lambda", "2099.1", "arm64", "linux")
    assert ident.digest == "sha256:" + "d0d1" * 16           # no repoDigests: the manifest digest


def test_trivy_findings_per_result_vulnerability_and_identity() -> None:
    record, facts = _read(FIXTURE_IMAGE / "scan.trivy.json")
    assert record.format == "trivy-json" and record.tool == "trivy"
    assert [(f.id, f.package, f.fixed_versions, f.severity) for f in facts.findings] == [
        ("CVE-2099-0002", "busybox", ["1.36.1-r100"], Severity.HIGH)]
    assert facts.findings[0].evidence[0].pointer == "/Results/0/Vulnerabilities/0"
    assert (facts.identity.name, facts.identity.tag) == ("registry.example.test/fixture/app", "1.0")


def test_trivy_fields_identity_and_config() -> None:
    record, facts = _read(TRIVY_IMAGE)
    assert len(facts.findings) == 3
    assert facts.findings[-1].evidence[0].pointer == "/Results/0/Vulnerabilities/2"
    first = facts.findings[0]
    assert (first.id, first.package, first.installed_version) == ("CVE-2099-0601", "libfixture-tls", "2.0.1-r0")
    assert first.purl == "pkg:apk/alpine/libfixture-tls@2.0.1-r0?arch=x86_64&distro=3.99.1"
    assert first.severity is Severity.MEDIUM and first.fixed_versions == ["2.0.2-r0"]
    assert ("3.1", 5.3, "nvd") in [(c.version, c.score, c.source) for c in first.cvss]
    assert ("2.0", 5.0, "nvd") in [(c.version, c.score, c.source) for c in first.cvss]
    assert first.title == "libfixture-tls: session key reuse after fork()"
    assert first.urls[0] == "https://avd.example.test/nvd/cve-2099-0601"
    assert (facts.identity.name, facts.identity.tag) == ("registry.example.test/fixture/trivy-alpine", "3.99")
    assert facts.identity.digest == "sha256:" + "d1" * 32      # no RepoDigests: the ImageID
    assert facts.scans[0].scanner == "trivy" and facts.scans[0].target.endswith("fixture-alpine.tar.gz")
    assert facts.config.cmd == ("/bin/ash", "-l") and facts.config.env_names == ("PATH", "FIXTURE_CHANNEL")
    assert facts.config.field_evidence["cmd"].pointer == "/Metadata/ImageConfig/config/Cmd"
    assert record.format == "trivy-json"


@pytest.mark.parametrize("path", [OCI_CONFIG, DOCKER_CONFIG], ids=["oci-buildkit", "docker-schema2"])
def test_oci_and_docker_config_fields(path: Path) -> None:
    record, facts = _read(path)
    assert record.format == "oci-image-config"
    config = facts.config
    assert config.cmd == ("fixture-server", "--foreground") and config.entrypoint == ()
    assert config.exposed_ports == ("8080/tcp",) and config.workdir == "/usr/local/fixture"
    assert config.env_names == ("PATH", "FIXTURE_HOME", "FIXTURE_VERSION", "FIXTURE_SHA256")
    assert config.healthcheck is None and config.user == ""
    assert config.field_evidence["user"].pointer == "/config/User"
    assert config.field_evidence["cmd"].pointer == "/config/Cmd"        # config, never container_config
    assert facts.identity.architecture == "amd64" and facts.identity.os == "linux"
    assert facts.identity.created == datetime(2099, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    assert "9.8.7-fixture" not in repr(facts) and "c0ffee" not in repr(facts)   # Env values are not kept


def test_docker_inspect_identity_and_config() -> None:
    record, facts = _read(FIXTURE_IMAGE / "config.docker-inspect.json")
    assert record.format == "docker-inspect"
    assert facts.identity.digest == "sha256:" + "c0" * 32
    assert facts.identity.created == datetime(2026, 1, 1, tzinfo=UTC)
    assert (facts.config.user, facts.config.exposed_ports, facts.config.env_names) == ("65532", ("8443/tcp",), ("PATH",))
    assert (facts.identity.name, facts.identity.tag) == ("registry.example.test/fixture/app", "1.0")
    assert facts.config.entrypoint == ("/usr/bin/fixture-app",) and facts.config.cmd == ()     # "Cmd": null
    assert facts.config.field_evidence["entrypoint"].pointer == "/0/Config/Entrypoint"


# -- OpenVEX and CSAF ----------------------------------------------------------------------------
def test_openvex_v020_object_vulnerability_keeps_aliases_justification_and_subcomponents() -> None:
    record, facts = _read(OPENVEX)
    assert (record.format, facts.inputs[0].format_version) == ("openvex", "v0.2.0")
    first, affected, investigating = facts.vex
    assert first.vulnerability == "CVE-2099-0301" and first.aliases == ("GHSA-fxfx-0301-fxfx",)
    assert (first.status, first.justification) == (FindingState.NOT_AFFECTED, "component_not_present")
    assert first.products == ("pkg:apk/alpine/fixture-base@9.9.9-r99",)    # the subcomponent, not the image
    assert first.impact_statement == "The vulnerable module is not built into the fixture image."
    assert first.timestamp == datetime(2099, 4, 1, 11, tzinfo=UTC)        # the statement's own time
    assert affected.timestamp == datetime(2099, 4, 2, 10, tzinfo=UTC)     # else the document's last_updated
    assert affected.action_statement == "Upgrade fixture-base to 9.9.10-r0."
    assert investigating.status is FindingState.UNDER_INVESTIGATION
    assert {(s.document, s.author) for s in facts.vex} == {
        ("https://vex.example.test/public/vex-5cc0-0001", "Fixture Security Team <security@example.test>")}
    assert [s.evidence[0].pointer for s in facts.vex] == ["/statements/0", "/statements/1", "/statements/2"]


def test_early_openvex_string_vulnerability_and_products() -> None:
    _, facts = _read(OPENVEX_EARLY)
    assert facts.inputs[0].format_version == "pre-v0.2.0"
    assert [(s.vulnerability, s.products, s.status) for s in facts.vex] == [
        ("CVE-2099-0401", ("fixture-nginx",), FindingState.NOT_AFFECTED),
        ("CVE-2099-0401", ("fixture-proxy",), FindingState.FIXED)]


def test_csaf_product_ids_become_purls_else_names() -> None:
    record, facts = _read(CSAF)
    assert record.format == "csaf-vex"
    not_affected, affected = facts.vex
    assert not_affected.products == ("pkg:generic/fixture-lib@1.3.4",)
    assert not_affected.justification == "vulnerable_code_not_present"
    assert not_affected.impact_statement == "The class with the vulnerable code was removed before release."
    assert affected.products == ("Fixture Vendor fixture-tool 2.0",)      # no purl helper: the product's name
    assert affected.status is FindingState.AFFECTED
    assert affected.action_statement == "vendor_fix: Update fixture-tool to 2.1."
    for statement in facts.vex:
        assert (statement.author, statement.document) == ("Fixture Vendor", "FIXTURE-VEX-2099-0501")
        assert statement.timestamp == datetime(2099, 6, 1, 8, tzinfo=UTC)


# -- XCCDF 1.2 results (DISA SCC's prefixed layout and OpenSCAP's default namespace) --------------
SCC_RESULTS = READERS / "fixtureos.disa-scc.xccdf-1.2-results.xml"
OSCAP_RESULTS = READERS / "fixtureos.openscap.xccdf-1.2-results.xml"


@pytest.mark.parametrize("path,last", [(SCC_RESULTS, "notapplicable"), (OSCAP_RESULTS, "error")],
                         ids=["disa-scc", "openscap"])
def test_stig_rule_results_carry_version_group_srg_ccis_and_benchmark(no_content, path: Path, last: str) -> None:
    record, facts = _read(path)
    assert (record.format, facts.inputs[0].format_version) == ("xccdf-results", "1.2")
    assert [r.result for r in facts.xccdf_results] == ["fail", "pass", last]
    first = facts.xccdf_results[0]
    assert first.rule_id == "xccdf_mil.disa.stig_rule_SV-990001r1_rule"
    assert (first.version, first.group_id, first.srg_id, first.severity) == (
        "FXOS-01-000010", "V-990001", "SRG-OS-000480-GPOS-00227", "high")
    assert first.title == "Fixture OS must be a supported release."
    assert [r.ccis for r in facts.xccdf_results] == [("CCI-000366",), ("CCI-001682",), ("CCI-000068",)]
    assert {r.benchmark for r in facts.xccdf_results} == {"xccdf_mil.disa.stig_benchmark_FIXTURE_OS_STIG"}
    assert {r.timestamp for r in facts.xccdf_results} == {datetime(2099, 1, 2, 3, 9, 10, tzinfo=UTC)}   # end-time
    assert not facts.notes                    # the reader never consults content


def test_disa_scc_and_openscap_tools_and_xpaths() -> None:
    _, scc = _read(SCC_RESULTS)
    assert scc.xccdf_results[1].tool == "cpe:/a:spawar:scc:5.99"
    assert scc.xccdf_results[1].evidence[0].pointer == "/cdf:Benchmark/cdf:TestResult/cdf:rule-result[2]"
    _, oscap = _read(OSCAP_RESULTS)
    assert oscap.xccdf_results[0].tool == "cpe:/a:redhat:openscap:1.99.0"
    assert oscap.xccdf_results[-1].evidence[0].pointer == "/Benchmark/TestResult/rule-result[3]"


def test_the_engine_maps_scan_ccis_with_the_installed_list_and_the_reader_does_not(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    from conftest import MINI_CONTENT

    from scc.content.bundle import import_content
    from scc.content.disa import control_ids_from_index
    from scc.content.store import ContentStore
    from scc.engine.cci import cci_mapping, controls_for_ccis

    monkeypatch.setenv("SCC_CONTENT_DIR", str(tmp_path / "none"))
    without = _read(SCC_RESULTS)[1]
    store = ContentStore(tmp_path / "content")
    import_content(store, [MINI_CONTENT / "U_CCI_List.xml"], accept_new=True)
    monkeypatch.setenv("SCC_CONTENT_DIR", str(tmp_path / "content"))
    facts = _read(SCC_RESULTS)[1]
    assert facts == without                    # installing the CCI list changes no fact
    text = (MINI_CONTENT / "U_CCI_List.xml").read_text()
    index = re.search(r'<cci_item id="CCI-000366">.*?index="([^"]+)"', text, re.DOTALL).group(1)
    mapping = cci_mapping(store.cci())
    assert controls_for_ccis(facts.xccdf_results[0].ccis, mapping) == control_ids_from_index(index)
    assert controls_for_ccis(facts.xccdf_results[0].ccis, None) == ()
