"""Severity from CVSS: a vector without a numeric score is scored (the `cvss` package), and findings of
unknown severity are counted, gated with --max-open-unknown and never silently passed."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import run_scc

from scc.facts import read_input
from scc.facts.model import Severity
from scc.facts.scans.vulnparse import base_score, cvss_score

V31_CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"     # 9.8


def _grype(tmp_path: Path, *matches: dict) -> Path:
    path = tmp_path / "grype.json"
    path.write_text(json.dumps({
        "matches": list(matches),
        "source": {"type": "image", "target": {"userInput": "registry.example/app:1"}},
        "descriptor": {"name": "grype", "version": "0.90.0", "timestamp": "2026-11-20T00:00:00Z"},
    }))
    return path


def _match(vuln_id: str, cvss: list[dict], severity: str = "Unknown") -> dict:
    return {"vulnerability": {"id": vuln_id, "severity": severity, "fix": {"versions": [], "state": "unknown"},
                              "cvss": cvss},
            "artifact": {"name": "openssl", "version": "3.0.0", "purl": "pkg:deb/debian/openssl@3.0.0"}}


@pytest.mark.parametrize(("vector", "version", "score"), [
    (V31_CRITICAL, "", 9.8),
    ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "", 7.5),
    ("AV:N/AC:L/Au:N/C:P/I:P/A:P", "2.0", 7.5),
    ("(AV:N/AC:L/Au:N/C:P/I:P/A:P)", "", 7.5),
    ("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "3.1", 9.8),            # CycloneDX vector without its prefix
    ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "", 9.3),
])
def test_every_cvss_version_is_scored_from_its_vector(vector, version, score):
    assert base_score(vector, version) == score
    assert cvss_score(None, vector, version).score == score


@pytest.mark.parametrize("vector", ["garbage", "CVSS:3.1/AV:N", "CVSS:9.9/AV:N/AC:L", "AV:N/AC:L/Au:N", "/"])
def test_a_vector_that_does_not_compute_keeps_no_score(vector):
    assert base_score(vector) is None
    assert cvss_score(None, vector).score is None


def test_a_tools_own_score_is_kept_as_stated():
    assert cvss_score(7.0, V31_CRITICAL).score == 7.0
    assert cvss_score(42.0, V31_CRITICAL).score == 9.8     # out of range is no score: the vector decides


def test_grype_vector_without_score_is_critical(tmp_path):
    _, facts = read_input(str(_grype(tmp_path, _match("CVE-2026-0001", [{"version": "3.1", "vector": V31_CRITICAL}]))))
    finding = facts.findings[0]
    assert finding.max_cvss == 9.8 and finding.severity is Severity.CRITICAL


def test_trivy_vector_without_score_is_critical(tmp_path):
    path = tmp_path / "trivy.json"
    path.write_text(json.dumps({
        "SchemaVersion": 2, "CreatedAt": "2026-11-20T00:00:00Z", "ArtifactName": "registry.example/app:1",
        "ArtifactType": "container_image",
        "Results": [{"Target": "app", "Type": "debian", "Vulnerabilities": [{
            "VulnerabilityID": "CVE-2026-0002", "PkgName": "openssl", "InstalledVersion": "3.0.0",
            "Severity": "UNKNOWN", "CVSS": {"nvd": {"V3Vector": V31_CRITICAL}}}]}],
    }))
    finding = read_input(str(path))[1].findings[0]
    assert finding.max_cvss == 9.8 and finding.severity is Severity.CRITICAL


def test_gate_fails_a_scoreless_9_8_vector_on_max_open_critical_0(tmp_path, capsys):
    report = _grype(tmp_path, _match("CVE-2026-0001", [{"version": "3.1", "vector": V31_CRITICAL}]))
    code, _, err = run_scc(capsys, "gate", str(report), "--max-open-critical", "0", "--max-open-high", "0")
    assert code == 1
    assert "gate: critical vulnerabilities: 1 open, at most 0 allowed" in err


def test_unknown_severity_is_listed_and_gated(tmp_path, capsys):
    report = _grype(tmp_path, _match("CVE-2026-0003", [{"version": "3.1", "vector": "not a vector"}]),
                    _match("CVE-2026-0004", []))
    code, out, err = run_scc(capsys, "gate", str(report), "--max-open-critical", "0")
    assert code == 0 and "gate: passed" in out
    assert "2 open vulnerabilities have unknown severity" in err and "--max-open-unknown" in err
    code, _, err = run_scc(capsys, "gate", str(report), "--max-open-unknown", "1")
    assert code == 1
    assert "gate: vulnerabilities of unknown severity: 2 open, at most 1 allowed" in err


def test_package_takes_max_open_unknown(tmp_path, capsys):
    report = _grype(tmp_path, _match("CVE-2026-0004", []))
    code, _, err = run_scc(capsys, "package", str(report), "--out", str(tmp_path / "ato"), "--max-open-unknown", "0")
    assert code == 1 and "vulnerabilities of unknown severity: 1 open" in err


def test_unrated_fixable_finding_never_lets_the_sla_rule_pass(tmp_path):
    import scc

    match = _match("CVE-2026-0005", [{"version": "3.1", "vector": "not a vector"}])
    match["vulnerability"]["fix"] = {"versions": ["3.0.9"], "state": "fixed"}
    assessment = scc.assess([str(_grype(tmp_path, match))])
    result = next(r for r in assessment.rule_results if r.rule.id == "si2-fixable-findings-within-sla")
    assert result.verdict.value == "partial"
    assert "no severity" in result.statement and "CVE-2026-0005 in openssl" in result.statement
