"""Output variants real tools write today, read as scc must read them.

Each file under tests/data/variants/ copies the shape (fields, nesting, value styles) of a real
document from the tool's own repository or documentation, named in tests/data/variants/README.md;
arrays are shortened. Expected values below were read off the files by hand, not from scc.
"""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from scc.facts import read_input
from scc.facts.model import FindingState, Severity

VARIANTS = Path(__file__).parent / "data" / "variants"


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
