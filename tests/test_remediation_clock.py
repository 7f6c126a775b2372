"""The remediation clock an assessor accepts: due dates count from the earliest trustworthy date (first
detection in a previous package, fix availability, publication), the scan time only as last resort;
the basis is shown beside the due date; POA&M item ids stay the same from run to run."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_cli import run_scc

import scc
from scc.engine.remediation import (
    BASIS_FIX,
    BASIS_PREVIOUS,
    BASIS_PUBLISHED,
    BASIS_SCAN,
    finding_identities,
    finding_identity,
)
from scc.errors import SccError
from scc.facts.model import Finding

SLA_RULE = "si2-fixable-findings-within-sla"
PURL = "pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64&distro=debian-12"


def _trivy(tmp_path: Path, scanned: str, published: str | None, name: str = "trivy.json") -> Path:
    vulnerability = {"VulnerabilityID": "CVE-2023-5678", "PkgName": "openssl", "InstalledVersion": "3.0.11-1~deb12u1",
                     "FixedVersion": "3.0.13-1~deb12u1", "Severity": "CRITICAL", "PkgIdentifier": {"PURL": PURL}}
    if published:
        vulnerability["PublishedDate"] = published
    path = tmp_path / name
    path.write_text(json.dumps({
        "SchemaVersion": 2, "CreatedAt": scanned, "ArtifactName": "registry.example/app:1",
        "ArtifactType": "container_image",
        "Results": [{"Target": "app (debian 12.4)", "Type": "debian", "Vulnerabilities": [vulnerability]}],
    }))
    return path


def _grype(tmp_path: Path, scanned: str, available: list[dict] | None = None, name: str = "grype.json") -> Path:
    fix = {"versions": ["3.0.13-1~deb12u1"], "state": "fixed"}
    if available is not None:
        fix["available"] = available
    path = tmp_path / name
    path.write_text(json.dumps({
        "matches": [{"vulnerability": {"id": "CVE-2023-5678", "severity": "Critical", "fix": fix},
                     "artifact": {"name": "openssl", "version": "3.0.11-1~deb12u1", "purl": PURL}}],
        "source": {"type": "image", "target": {"userInput": "registry.example/app:1"}},
        "descriptor": {"name": "grype", "version": "0.92.0", "timestamp": scanned},
    }))
    return path


def _sla(assessment):
    return next(r for r in assessment.rule_results if r.rule.id == SLA_RULE)


def _clock(assessment):
    (finding,) = assessment.facts.findings
    return assessment.remediation[id(finding)]


def _poam_items(package: Path) -> list[dict]:
    document = json.loads((package / "oscal-poam.json").read_text())["plan-of-action-and-milestones"]
    return [i for i in document["poam-items"]
            if any(p["name"] == "poam-kind" and p["value"] == "vulnerability" for p in i.get("props", []))]


def _props(item: dict) -> dict[str, str]:
    return {p["name"]: p["value"] for p in item.get("props", [])}


@pytest.mark.slow
def test_fresh_scan_of_an_old_fixable_critical_is_overdue(tmp_path):
    # scanned 2026-11-20 (5 days before the assessment), published 2023-11-06: a fresh scan restarts nothing
    assessment = scc.assess([_trivy(tmp_path, "2026-11-20T00:00:00Z", "2023-11-06T16:15:00Z")])
    result = _sla(assessment)
    assert result.verdict.value == "not-satisfied"
    assert "published 2023-11-06 + 15 days" in result.statement
    clock = _clock(assessment)
    assert clock.basis == BASIS_PUBLISHED and clock.due_date.isoformat() == "2023-11-21"


@pytest.mark.slow
def test_the_scan_time_is_only_the_last_resort(tmp_path):
    assessment = scc.assess([_trivy(tmp_path, "2026-11-20T00:00:00Z", None)])
    clock = _clock(assessment)
    assert clock.basis == BASIS_SCAN and clock.due_date.isoformat() == "2026-12-05"
    assert _sla(assessment).verdict.value == "partial"


@pytest.mark.slow
def test_grype_fix_available_date_starts_the_clock(tmp_path):
    available = [{"version": "3.0.13-1~deb12u1", "date": "2024-02-01", "kind": "first-observed"},
                 {"version": "9.9.9", "date": "2020-01-01", "kind": "advisory"}]     # another version: not counted
    assessment = scc.assess([_grype(tmp_path, "2026-11-20T00:00:00Z", available)])
    clock = _clock(assessment)
    assert clock.basis == BASIS_FIX and clock.start == datetime(2024, 2, 1, tzinfo=UTC)
    assert clock.due_date.isoformat() == "2024-02-16"
    assert _sla(assessment).verdict.value == "not-satisfied" and "fix available 2024-02-01" in _sla(assessment).statement


@pytest.mark.slow
def test_a_fix_date_wins_over_publication_when_both_are_given(tmp_path):
    trivy = _trivy(tmp_path, "2026-11-20T00:00:00Z", "2023-11-06T16:15:00Z")
    grype = _grype(tmp_path, "2026-11-20T00:00:00Z", [{"version": "3.0.13-1~deb12u1", "date": "2024-02-01"}])
    clock = _clock(scc.assess([trivy, grype]))
    assert clock.basis == BASIS_FIX and clock.start.date().isoformat() == "2024-02-01"


@pytest.mark.slow
def test_previous_package_carries_first_detection_run_after_run(tmp_path, capsys):
    first = tmp_path / "run1"
    code, _, err = run_scc(capsys, "package", str(_grype(tmp_path, "2026-11-10T00:00:00Z", name="g1.json")),
                           "--out", str(first))
    assert code == 0, err
    (item,) = _poam_items(first)
    assert _props(item)["first-detected"] == "2026-11-10T00:00:00Z"
    assert _props(item)["finding-identity"] == "CVE-2023-5678|pkg:deb/debian/openssl"

    second = tmp_path / "run2"
    code, _, err = run_scc(capsys, "package", str(_grype(tmp_path, "2026-11-20T00:00:00Z", name="g2.json")),
                           "--out", str(second), "--previous", str(first))
    assert code == 0, err
    (item,) = _poam_items(second)
    props = _props(item)
    assert props["first-detected"] == "2026-11-10T00:00:00Z"
    assert props["scheduled-completion"] == "2026-11-25"
    assert props["deadline-basis"].startswith(f"{BASIS_PREVIOUS} 2026-11-10 + 15 days")

    third = tmp_path / "run3"
    code, _, err = run_scc(capsys, "package", str(_grype(tmp_path, "2026-11-24T00:00:00Z", name="g3.json")),
                           "--out", str(third), "--previous", str(second))
    assert code == 0, err
    assert _props(_poam_items(third)[0])["first-detected"] == "2026-11-10T00:00:00Z"   # the chain holds
    manifest = json.loads((third / "manifest.json").read_text())
    assert any(i["path"].endswith("run2/oscal-poam.json") for i in manifest["inputs"])


@pytest.mark.slow
def test_python_api_takes_previous(tmp_path, capsys):
    first = tmp_path / "run1"
    run_scc(capsys, "package", str(_grype(tmp_path, "2026-11-01T00:00:00Z", name="g1.json")), "--out", str(first))
    assessment = scc.assess([_grype(tmp_path, "2026-11-20T00:00:00Z", name="g2.json")], previous=first)
    clock = _clock(assessment)
    assert clock.basis == BASIS_PREVIOUS and clock.start.date().isoformat() == "2026-11-01"
    assert clock.evidence[0].source.endswith("run1/oscal-poam.json")
    assert _sla(assessment).verdict.value == "not-satisfied"      # 2026-11-16 has passed on 2026-11-25


@pytest.mark.slow
def test_poam_item_ids_stay_stable_across_runs_with_different_scan_times(tmp_path, capsys):
    ids = []
    for index, scanned in enumerate(("2026-11-10T00:00:00Z", "2026-11-20T08:30:00Z")):
        out = tmp_path / f"run{index}"
        run_scc(capsys, "package", str(_grype(tmp_path, scanned, name=f"g{index}.json")), "--out", str(out))
        (item,) = _poam_items(out)
        document = json.loads((out / "oscal-poam.json").read_text())["plan-of-action-and-milestones"]
        ids.append((item["uuid"], item["related-risks"][0]["risk-uuid"], document["uuid"]))
    assert ids[0][:2] == ids[1][:2]           # the same finding: the same item and risk
    assert ids[0][2] != ids[1][2]             # the document itself is a new one


def test_gate_takes_previous_and_refuses_what_is_not_a_package(tmp_path, capsys):
    report = _grype(tmp_path, "2026-11-20T00:00:00Z")
    code, _, err = run_scc(capsys, "gate", str(report), "--max-open-critical", "5", "--previous", str(tmp_path))
    assert code == 2 and "--previous" in err and "manifest.json" in err and "Traceback" not in err


@pytest.mark.slow
def test_altered_previous_poam_is_refused(tmp_path, capsys):
    first = tmp_path / "run1"
    run_scc(capsys, "package", str(_grype(tmp_path, "2026-11-10T00:00:00Z", name="g1.json")), "--out", str(first))
    poam = first / "oscal-poam.json"
    poam.write_text(poam.read_text().replace("2026-11-10T00:00:00Z", "2026-11-24T00:00:00Z"))
    with pytest.raises(SccError, match="sha256 .* manifest.json records"):
        scc.assess([_grype(tmp_path, "2026-11-20T00:00:00Z", name="g2.json")], previous=first)


def test_identity_ignores_version_and_qualifiers_but_keeps_two_installs_apart():
    a = Finding("CVE-1", package="log4j-core", installed_version="2.14.0",
                purl="pkg:maven/org.apache.logging.log4j/log4j-core@2.14.0?type=jar")
    b = Finding("CVE-1", package="log4j-core", installed_version="2.15.0",
                purl="pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0")
    assert finding_identity(a) == finding_identity(b) == "CVE-1|pkg:maven/org.apache.logging.log4j/log4j-core"
    assert sorted(finding_identities([a, b]).values()) == [
        "CVE-1|pkg:maven/org.apache.logging.log4j/log4j-core@2.14.0",
        "CVE-1|pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0"]
    assert finding_identity(Finding("CVE-2", package="busybox")) == "CVE-2|busybox"


@pytest.mark.slow
def test_a_stated_date_later_than_the_scan_never_delays_the_clock(tmp_path, capsys):
    """A previous package (or a fix date) dated after this scan proves nothing earlier: the scan time wins."""
    grype = _grype(tmp_path, "2026-11-05T00:00:00Z", [{"version": "3.0.13-1~deb12u1", "date": "2026-11-12"}])
    clock = _clock(scc.assess([grype]))
    assert clock.basis == BASIS_SCAN and clock.start.date().isoformat() == "2026-11-05"
