"""Output variants real tools write today, read as scc must read them.

Each file under tests/data/variants/ copies the shape (fields, nesting, value styles) of a real
document from the tool's own repository or documentation, named in tests/data/variants/README.md;
arrays are shortened. Expected values below were read off the files by hand, not from scc.
"""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from scc.engine.slsa import assess_level, known_builder
from scc.engine.tables import KnownBuilder, load_tables
from scc.facts import read_input
from scc.facts.model import FindingState, Severity

VARIANTS = Path(__file__).parent / "data" / "variants"


def _level(provenance):
    """The engine's SLSA judgement of a provenance fact, with the shipped builder list."""
    return assess_level(provenance, load_tables().slsa_builders)


def read(name: str):
    return read_input(str(VARIANTS / name))


def by_id(facts) -> dict:
    return {f.id: f for f in facts.findings}


# -- Grype 0.8x with the v6 database ---------------------------------------------------------------
def test_grype_v6_report_reads_fix_state_risk_and_db_status():
    record, facts = read("grype-0.87-v6db.image.grype.json")
    assert record.format == "grype-json" and record.format_version == "0.87.0"
    found = by_id(facts)
    assert sorted(found) == ["CVE-2023-4039", "CVE-2024-3094", "CVE-2024-6119", "GHSA-v778-237x-gjrc"]
    ssl = found["CVE-2024-6119"]
    assert ssl.package == "libssl3" and ssl.installed_version == "3.0.13-1~deb12u1"
    assert ssl.purl.startswith("pkg:deb/debian/libssl3@3.0.13-1~deb12u1?")
    assert ssl.severity is Severity.MEDIUM          # the distro's word, not NVD's High
    assert ssl.fixed_versions == ["3.0.14-1~deb12u2"]
    assert ssl.max_cvss == 7.5                       # from the related NVD record
    assert found["CVE-2023-4039"].fixed_versions == [] and found["CVE-2023-4039"].state is FindingState.AFFECTED
    ghsa = found["GHSA-v778-237x-gjrc"]
    assert ghsa.aliases == {"CVE-2024-45337"} and ghsa.severity is Severity.CRITICAL
    assert ghsa.fixed_versions == ["0.31.0"] and ghsa.purl == "pkg:golang/golang.org/x/crypto@v0.28.0"
    xz = found["CVE-2024-3094"]
    assert xz.severity is Severity.CRITICAL and xz.fixed_versions == [] and xz.is_open
    scan = facts.scans[0]
    assert scan.scanner_version == "0.87.0" and scan.finding_count == 4
    assert scan.db_built == datetime(2025, 2, 24, 4, 52, 17, tzinfo=UTC)
    assert scan.timestamp == datetime(2025, 2, 24, 10, 15, 33, 482915, tzinfo=UTC)


def test_grype_v6_image_identity_from_tags_and_repo_digest():
    _, facts = read("grype-0.87-v6db.image.grype.json")
    identity = facts.identity
    assert (identity.name, identity.tag) == ("ghcr.io/example/app", "1.4.2")
    assert identity.digest == "sha256:a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
    assert (identity.os, identity.architecture) == ("linux", "amd64")


def test_grype_on_a_cyclonedx_sbom_takes_the_manifest_digest_not_the_bom_ref():
    """syft's CycloneDX decoder puts the container component's bom-ref in imageID and its version
    (the manifest digest) in manifestDigest; the bom-ref is no image digest."""
    _, facts = read("grype-0.87.sbom-cyclonedx-image.grype.json")
    assert facts.identity.name == "alpine"
    assert facts.identity.digest == "sha256:c5c5fda71656f28e49ac9c5416b3643eaa6a108a8093151d6d1afc9463be8e33"
    assert [f.id for f in facts.findings] == ["CVE-2024-6119"]


@pytest.mark.parametrize("name, target", [
    ("grype-0.87.sbom-file.grype.json", "/work/sboms/app.spdx.json"),
    ("grype-0.87.directory.grype.json", "/src/app"),
])
def test_grype_sbom_file_and_directory_sources_name_no_image(name, target):
    _, facts = read(name)
    assert facts.identity.name == "" and facts.identity.digest == ""
    assert facts.scans[0].target == target
    assert len(facts.findings) == 1 and facts.findings[0].fixed_versions == ["3.0.14-1~deb12u2"]


# -- Trivy 0.5x-0.6x -------------------------------------------------------------------------------
def test_trivy_060_image_report_reads_statuses_fix_lists_and_vendor_cvss():
    record, facts = read("trivy-0.60.image.trivy.json")
    assert record.format == "trivy-json"
    found = by_id(facts)
    assert sorted(found) == ["CVE-2011-3374", "CVE-2023-31484", "CVE-2023-45918", "CVE-2024-13176",
                             "CVE-2024-45341", "CVE-2024-56433"]
    assert found["CVE-2024-13176"].fixed_versions == ["3.0.16-1~deb12u1"]
    assert found["CVE-2024-13176"].purl == "pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12.9"
    assert found["CVE-2024-45341"].fixed_versions == ["1.22.11", "1.23.5", "1.24.0-rc.2"]
    # will_not_fix / fix_deferred / end_of_life / affected: no fix in this image, all still open
    for cve in ("CVE-2011-3374", "CVE-2023-31484", "CVE-2024-56433", "CVE-2023-45918"):
        assert found[cve].fixed_versions == [] and found[cve].state is FindingState.AFFECTED
    assert found["CVE-2023-31484"].severity is Severity.HIGH and found["CVE-2023-31484"].max_cvss == 8.1
    assert found["CVE-2023-45918"].severity is Severity.UNKNOWN
    assert found["CVE-2011-3374"].max_cvss == 4.3    # the V2 score beats the V3 3.7
    assert sorted(c.name for c in facts.components) == ["libssl3", "perl-base", "stdlib"]
    assert {c.version for c in facts.components if c.name == "libssl3"} == {"3.0.15-1~deb12u1"}


def test_trivy_060_image_identity_config_and_scan():
    _, facts = read("trivy-0.60.image.trivy.json")
    identity = facts.identity
    assert (identity.name, identity.tag) == ("registry.example.com/team/api", "2.3.1")
    assert identity.digest == "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    assert (identity.os, identity.architecture) == ("linux", "amd64")
    assert facts.config.user == "10001:10001" and facts.config.env_names == ("PATH", "API_TOKEN")
    scan = facts.scans[0]
    assert (scan.scanner_version, scan.artifact_type, scan.kinds) == ("0.60.0", "container_image", ("vuln",))
    assert scan.timestamp == datetime(2025, 3, 12, 9, 41, 7, 512093, tzinfo=UTC)


def test_trivy_sbom_report_reads_findings_and_invents_no_image_config():
    """`trivy sbom` (and fs/rootfs/repo) reports carry Go's zero-valued ImageConfig: no image
    configuration was read, so none may be claimed (an empty User would read as root)."""
    _, facts = read("trivy-0.60.sbom-cyclonedx.trivy.json")
    found = by_id(facts)
    assert sorted(found) == ["CVE-2023-2976", "CVE-2023-45853"]
    assert found["CVE-2023-45853"].purl == "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12"
    assert found["CVE-2023-45853"].severity is Severity.CRITICAL and found["CVE-2023-45853"].fixed_versions == []
    assert found["CVE-2023-2976"].fixed_versions == ["32.0.0-android"]
    assert facts.scans[0].artifact_type == "cyclonedx" and facts.scans[0].target == "sbom/api.cdx.json"
    assert facts.identity.name == "" and facts.identity.digest == ""
    assert facts.config is None


# -- Docker BuildKit attestations ------------------------------------------------------------------
def test_buildkit_v02_provenance_takes_no_base_image_for_the_source_and_stays_at_level_1():
    """BuildKit's min-mode v0.2 provenance of a local-context build: builder.id is empty and the only
    material is the base image (a pkg:docker purl), which is a dependency, not the source repository."""
    _, facts = read("buildkit-0.17.slsa-v0.2.intoto.json")
    [provenance] = facts.provenance
    assert provenance.slsa_version == "0.2" and provenance.build_type == "https://mobyproject.org/buildkit@v1"
    assert provenance.builder_id == "" and _level(provenance).level == 1
    assert provenance.source_repository == "" and provenance.source_digest == ""
    assert provenance.materials == (
        ("pkg:docker/registry.access.redhat.com/ubi9/ubi-minimal@9.4-1227.1725849298?platform=linux%2Famd64 "
        "sha256:1b6d711648229a1c987f39cfdfccaebe2bd92d0b5d8caa5dbaa5234a9278a0b2"),)
    assert provenance.started == datetime(2024, 12, 3, 13, 14, 59, 450237, tzinfo=UTC)
    assert len(provenance.subjects) == 2 and not provenance.signed


def test_buildkit_v1_provenance_reads_the_git_config_source():
    _, facts = read("buildkit-0.18.slsa-v1.intoto.json")
    [provenance] = facts.provenance
    assert provenance.slsa_version == "1.0"
    assert provenance.builder_id == "https://github.com/docker/buildx/actions/runs/3709599520"
    assert provenance.source_repository == "https://github.com/moby/buildkit.git#refs/tags/v0.11.0"
    assert provenance.source_digest == "sha1:4b220de5058abfd01ff619c9d2ff6b09a049bea0"
    assert _level(provenance).level == 1                # a buildx CI run URL is no listed hosted builder
    assert len(provenance.materials) == 2


def test_buildkit_sbom_attestation_names_the_image_from_its_pkg_docker_subject():
    record, facts = read("buildkit-0.17.spdx.intoto.json")
    assert record.format == "in-toto"
    assert sorted(c.name for c in facts.components) == ["@colors/colors", "busybox", "node"]
    assert {c.purl for c in facts.components} >= {"pkg:npm/%40colors/colors@1.6.0"}
    [sbom] = facts.sboms
    assert sbom.format == "spdx" and sbom.spec_version == "2.3" and sbom.component_count == 3
    identity = facts.identity
    assert (identity.name, identity.tag) == ("quay.io/microcks/microcks-postman-runtime", "nightly")
    assert identity.digest == "sha256:11c951599ed1bf649abbc2b23ae2730a4e1ef6ad9537a7f10df39b6546bf8429"
    assert identity.architecture == "amd64"


def test_buildx_imagetools_provenance_is_read_as_unsigned_slsa_provenance():
    record, facts = read("buildx-imagetools.provenance.json")
    assert record.format == "buildx-imagetools"
    [provenance] = facts.provenance
    assert provenance.predicate_type == "https://slsa.dev/provenance/v0.2"
    assert provenance.build_type == "https://mobyproject.org/buildkit@v1"
    assert provenance.builder_id == "" and provenance.source_repository == ""
    assert not provenance.signed and _level(provenance).level == 1
    assert provenance.evidence[0].pointer == "/SLSA"


def test_buildx_imagetools_multi_platform_provenance_gives_one_record_per_platform():
    _, facts = read("buildx-imagetools.provenance.multi-platform.json")
    assert [p.evidence[0].pointer for p in facts.provenance] == ["/linux~1amd64/SLSA", "/linux~1arm64/SLSA"]
    assert {p.slsa_version for p in facts.provenance} == {"1.0"}
    assert {p.source_digest for p in facts.provenance} == {"sha1:4b220de5058abfd01ff619c9d2ff6b09a049bea0"}
    assert {_level(p).level for p in facts.provenance} == {1}


def test_buildx_imagetools_sbom_single_and_multi_platform():
    _, single = read("buildx-imagetools.sbom.json")
    assert sorted(c.name for c in single.components) == ["@colors/colors", "busybox", "node"]
    assert single.sboms[0].evidence[0].pointer == "/SPDX/creationInfo"
    _, multi = read("buildx-imagetools.sbom.multi-platform.json")
    assert len(multi.sboms) == 2
    # busybox of both platforms is one component (the arch qualifier is not part of its key), cited twice
    [busybox] = [c for c in multi.components if c.name == "busybox"]
    assert [e.pointer.split("/packages")[0] for e in busybox.evidence] == ["/linux~1amd64/SPDX", "/linux~1arm64/SPDX"]
    assert sorted(c.name for c in multi.components) == ["@colors/colors", "busybox", "node"]


def test_buildx_imagetools_stub_with_a_non_spdx_document_is_refused(tmp_path):
    from scc.errors import InputError

    path = tmp_path / "sbom.json"
    path.write_text('{"SPDX": {"hello": "world"}}')
    with pytest.raises(InputError, match="/SPDX: not an SPDX document"):
        read_input(str(path))


def test_an_empty_builder_id_never_matches_a_listed_builder():
    """BuildKit writes builder.id "" unless told otherwise; even a builder list entry left blank by
    mistake must not lift such provenance to a hosted-platform level."""
    blank = (KnownBuilder("", "blank entry", 3),)
    assert known_builder("", blank) is None
    assert known_builder("   ", blank) is None


# -- cosign download attestation / Chainguard (apko SPDX, cosign vuln/v1) ---------------------------
def test_cosign_download_attestation_lines_give_sbom_scan_and_unverified_signatures():
    record, facts = read("cosign-download-attestation.chainguard.jsonl")
    assert record.format == "in-toto"
    assert facts.identity.name == "cgr.dev/chainguard/static"
    assert facts.identity.digest == "sha256:0f3a7ff4f2b6bde2f1c8ad3ad0ac4f1bc4a3d3d4b5f2ea1c5a1b0e1f2d3c4b5a"
    assert [s.verified for s in facts.signatures] == [None, None]     # keyless: no certificate in the line
    assert [e.pointer for s in facts.signatures for e in s.evidence] == ["line 1/signatures", "line 2/signatures"]
    [scan] = facts.scans
    assert (scan.scanner, scan.scanner_version, scan.finding_count) == ("grype", "0.87.0", 1)
    [finding] = facts.findings
    assert finding.purl == "pkg:golang/golang.org/x/crypto@v0.28.0" and finding.fixed_versions == ["0.31.0"]
    assert finding.evidence[0].pointer == "line 2/payload(base64)/predicate/scanner/result/matches/0"


def test_apko_spdx_lists_packages_and_the_os_but_no_image_layer():
    """apko's SPDX describes the image (pkg:oci, CONTAINER), which CONTAINS its layer (a pkg:oci purl with
    a layer mediaType) which CONTAINS the apk packages: the layer is no software component."""
    _, facts = read("cosign-download-attestation.chainguard.jsonl")
    assert sorted(c.name for c in facts.components) == [
        "ca-certificates-bundle", "glibc-locale-posix", "wolfi", "wolfi-baselayout"]
    assert facts.sboms[0].tool == "apko" and facts.sboms[0].component_count == 4


# -- Microsoft sbom-tool ---------------------------------------------------------------------------
def test_sbom_tool_spdx_22_with_files_first_is_recognised_and_read():
    """sbom-tool writes files, packages and relationships before spdxVersion: with a real build drop,
    spdxVersion lies far beyond the first 64 KiB."""
    record, facts = read("sbom-tool-3.0.manifest.spdx.json")
    assert record.format == "spdx-json" and record.format_version == "2.2"
    assert sorted(c.name for c in facts.components) == [
        "Dapper", "Microsoft.IdentityModel.JsonWebTokens", "contoso-api", "libc6"]
    assert {c.purl for c in facts.components} >= {"pkg:nuget/Dapper@2.1.35"}
    [sbom] = facts.sboms
    assert sbom.tool == "Microsoft.SBOMTool-3.0.1" and sbom.component_count == 4
    assert sbom.timestamp == datetime(2025, 2, 11, 18, 22, 41, tzinfo=UTC)


# -- Docker Scout and Snyk Container SARIF ---------------------------------------------------------
def test_docker_scout_sarif_reads_purls_fixes_and_not_fixed():
    record, facts = read("docker-scout-1.16.cves.sarif.json")
    assert record.format == "sarif" and record.tool == "docker scout 1.16.1"
    found = by_id(facts)
    ssl = found["CVE-2024-6119"]
    assert (ssl.package, ssl.installed_version) == ("openssl", "3.0.13-1~deb12u1")
    assert ssl.purl.startswith("pkg:deb/debian/openssl@3.0.13-1~deb12u1?")
    assert ssl.severity is Severity.HIGH and ssl.fixed_versions == ["3.0.14-1~deb12u2"]
    xstream = found["GMS-2022-9109"]
    assert xstream.purl == "pkg:maven/com.thoughtworks.xstream/xstream@1.4.5" and xstream.installed_version == "1.4.5"
    assert xstream.fixed_versions == []                  # "not fixed"
    assert xstream.severity is Severity.LOW              # UNSPECIFIED: security-severity 3.1 decides
    assert facts.scans[0].finding_count == 2 and facts.scans[0].kinds == ("vuln",)


def test_snyk_container_sarif_reads_cve_package_and_severity():
    record, facts = read("snyk-container.sarif.json")
    assert record.format == "sarif"
    found = by_id(facts)
    assert sorted(found) == ["CVE-2010-4756", "CVE-2024-6119"]
    ssl = found["CVE-2024-6119"]
    assert ssl.aliases == {"SNYK-DEBIAN12-OPENSSL-7886342"}
    assert (ssl.package, ssl.installed_version) == ("libssl3", "3.0.13-1~deb12u1")
    assert ssl.severity is Severity.HIGH and ssl.max_cvss == 7.5
    assert found["CVE-2010-4756"].severity is Severity.LOW and found["CVE-2010-4756"].installed_version == "2.36-9+deb12u7"
