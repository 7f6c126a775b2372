"""SARIF reader on the Trivy and Grype samples and on Snyk / Docker Scout / linter shaped documents.

Expected values are read from the raw SARIF here (message lines, help text, levels), not from the reader.
"""
from __future__ import annotations

import json
import re

import pytest
from conftest import FIXTURE_IMAGE, REPO

from scc.errors import InputError
from scc.facts.model import Severity
from scc.facts.scans import sarif
from scc.facts.source import InputDocument

SAMPLES = ["alpine-3.10.trivy.sarif.json", "nginx.trivy.sarif.json", "nginx.grype.sarif.json"]
#: authored SARIF documents (tests/data) the sample tests also run over, with or without ../shared
AUTHORED = {"fixture-image/scan.trivy.sarif.json": FIXTURE_IMAGE / "scan.trivy.sarif.json",
            "variants/docker-scout-1.16.cves.sarif.json": REPO / "tests/data/variants/docker-scout-1.16.cves.sarif.json",
            "readers/grype-0.99.image.sarif.json": REPO / "tests/data/readers/grype-0.99.image.sarif.json"}


def sarif_file(request: pytest.FixtureRequest, name: str):
    """An authored document by its tests/data name, else the reference sample (skips without ../shared)."""
    return AUTHORED[name] if name in AUTHORED else request.getfixturevalue("samples") / "sarif" / name


def read(path):
    doc = InputDocument(path)
    assert sarif.READER.sniff(doc)
    return sarif.READER.read(doc)


def write(tmp_path, body, name="scan.sarif"):
    path = tmp_path / name
    path.write_text(json.dumps(body))
    return path


def line(text: str, key: str) -> str:
    match = re.search(rf"^{key}[ \t]*:[ \t]*(.*)$", text, re.MULTILINE)
    return match.group(1).strip() if match else ""


@pytest.mark.parametrize("name", [*SAMPLES, *AUTHORED])
def test_every_result_is_one_finding_with_its_evidence_pointer(request, name):
    path = sarif_file(request, name)
    raw = json.loads(path.read_text())
    facts = read(path)
    results = raw["runs"][0]["results"]
    assert len(facts.findings) == len(results)
    assert [f.evidence[0].pointer for f in facts.findings] == [f"/runs/0/results/{j}" for j in range(len(results))]
    tool = raw["runs"][0]["tool"]["driver"]["name"].lower()
    assert all(f.sources == {tool} for f in facts.findings)
    scan = facts.scans[0]
    assert (scan.scanner, scan.scanner_version, scan.finding_count) == (
        tool, raw["runs"][0]["tool"]["driver"]["version"], len(results))


@pytest.mark.parametrize("name", ["alpine-3.10.trivy.sarif.json", "nginx.trivy.sarif.json",
                                  "fixture-image/scan.trivy.sarif.json"])
def test_trivy_package_version_severity_and_fix_come_from_each_result_message(request, name):
    path = sarif_file(request, name)
    raw = json.loads(path.read_text())
    facts = read(path)
    assert facts.findings
    for finding, result in zip(facts.findings, raw["runs"][0]["results"]):
        text = result["message"]["text"]
        assert finding.id == result["ruleId"]
        assert finding.package == line(text, "Package")
        assert finding.installed_version == line(text, "Installed Version")
        assert finding.severity == Severity.parse(line(text, "Severity"))
        fixed = line(text, "Fixed Version")
        assert finding.fixed_versions == ([v.strip() for v in fixed.split(",")] if fixed else [])


@pytest.mark.parametrize("name, image, notes", [
    ("nginx.trivy.sarif.json", "nginx", 75), ("fixture-image/scan.trivy.sarif.json", "registry.example.test/fixture/app", 1),
])
def test_trivy_levels_agree_with_severities_and_the_run_names_the_image(request, name, image, notes):
    path = sarif_file(request, name)
    raw = json.loads(path.read_text())
    facts = read(path)
    levels = [r["level"] for r in raw["runs"][0]["results"]]
    expected = {"error": {Severity.HIGH, Severity.CRITICAL}, "warning": {Severity.MEDIUM}, "note": {Severity.LOW}}
    assert all(f.severity in expected[level] for f, level in zip(facts.findings, levels))
    assert sum(1 for f in facts.findings if f.severity is Severity.LOW) == levels.count("note") == notes
    assert facts.identity.name == image
    assert facts.identity.digest == raw["runs"][0]["properties"]["repoDigests"][0].split("@")[1]
    assert facts.findings[0].cvss == []  # Trivy's security-severity is its word as a number, not a CVSS score


@pytest.mark.parametrize("name, low, tracker", [
    ("nginx.grype.sarif.json", "CVE-2005-2541", "https://security-tracker.debian.org/tracker/"),
    ("readers/grype-0.99.image.sarif.json", "CVE-2099-0701", "https://security-tracker.example.test/tracker/"),
])
def test_grype_uses_its_own_severity_word_not_the_highest_cvss(request, name, low, tracker):
    path = sarif_file(request, name)
    raw = json.loads(path.read_text())
    rules = {r["id"]: r for r in raw["runs"][0]["tool"]["driver"]["rules"]}
    facts = read(path)
    assert facts.findings
    for finding, result in zip(facts.findings, raw["runs"][0]["results"]):
        help_text = rules[result["ruleId"]]["help"]["text"]
        assert result["ruleId"].startswith(finding.id + "-")
        assert finding.package == line(help_text, "Package")
        assert finding.installed_version == line(help_text, "Version")
        assert finding.severity == Severity.parse(line(help_text, "Severity"))
        assert finding.fixed_versions == ([line(help_text, "Fix Version")] if line(help_text, "Fix Version") else [])
    tar = next(f for f in facts.findings if f.id == low)
    assert tar.severity is Severity.LOW            # security-severity says 10.0, Debian rates it low
    assert next(r for r in rules.values() if r["id"].startswith(low))["properties"]["security-severity"] == "10.0"
    assert tracker + low in tar.urls


# Shape of snyk/cli src/lib/formatters/sarif-output.ts + get-sarif-result.ts (container SARIF)
SNYK = {
    "$schema": "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json",
    "version": "2.1.0",
    "runs": [{
        "tool": {"driver": {"name": "Snyk Container", "properties": {"artifactsScanned": 15}, "rules": [{
            "id": "SNYK-ALPINE318-OPENSSL-6032386",
            "shortDescription": {"text": "High severity - Out-of-bounds Write vulnerability in openssl"},
            "fullDescription": {"text": "(CVE-2023-5363) openssl/libcrypto3@3.1.3-r0"},
            "help": {"text": "", "markdown": "## NVD Description ..."},
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["security", "CWE-787", "apk"], "cvssv3_baseScore": 7.5,
                           "security-severity": "7.5"},
        }]}},
        "results": [{
            "ruleId": "SNYK-ALPINE318-OPENSSL-6032386", "level": "error",
            "message": {"text": "This file introduces a vulnerable openssl package with a high severity vulnerability."},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": "alpine_3.18.4"}, "region": {"startLine": 1}},
                           "logicalLocations": [{"fullyQualifiedName": "openssl@3.1.3-r0"}]}],
        }],
    }],
}


def test_snyk_container_sarif_package_and_cve_from_rule_and_logical_location(tmp_path):
    finding = read(write(tmp_path, SNYK)).findings[0]
    assert finding.id == "CVE-2023-5363" and "SNYK-ALPINE318-OPENSSL-6032386" in finding.aliases
    assert (finding.package, finding.installed_version) == ("openssl", "3.1.3-r0")
    assert finding.severity is Severity.HIGH and finding.sources == {"snyk container"}
    assert [(c.version, c.score) for c in finding.cvss] == [("3.0", 7.5)]


# Shape of `docker scout cves --format sarif`: package facts in rule properties and message lines
SCOUT = {
    "version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
    "runs": [{
        "tool": {"driver": {"fullName": "Docker Scout", "name": "docker scout", "version": "1.13.0", "rules": [{
            "id": "CVE-2023-44487", "name": "OsPackageVulnerability",
            "shortDescription": {"text": "CVE-2023-44487"}, "helpUri": "https://scout.docker.com/v/CVE-2023-44487",
            "properties": {"affected_version": "<1.52.0-1+deb12u1", "cvssV3_severity": "HIGH",
                           "fixed_version": "1.52.0-1+deb12u1", "security-severity": "7.5",
                           "purls": ["pkg:deb/debian/nghttp2@1.52.0-1?os_distro=bookworm&os_name=debian&os_version=12",
                                     "pkg:deb/debian/nginx@1.25.2-1~bookworm?os_distro=bookworm"],
                           "tags": ["HIGH"]},
        }]}},
        "results": [
            {"ruleId": "CVE-2023-44487", "ruleIndex": 0, "kind": "fail", "level": "error",
             "message": {"text": "  Vulnerability   : CVE-2023-44487\n  Severity        : HIGH\n"
                                 "  Package         : pkg:deb/debian/nginx@1.25.2-1~bookworm?os_distro=bookworm\n"
                                 "  Affected range  : >=1.25.2-1~bookworm\n  Fixed version   : not fixed\n"},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": "/usr/share/doc/nginx/copyright"}}}]},
            {"ruleId": "CVE-2023-44487", "ruleIndex": 0, "level": "error", "message": {"text": "no details"}},
        ],
    }],
}


def test_docker_scout_result_message_wins_over_the_rule_properties(tmp_path):
    facts = read(write(tmp_path, SCOUT))
    nginx, fallback = facts.findings
    assert (nginx.package, nginx.installed_version) == ("nginx", "1.25.2-1~bookworm")
    assert nginx.purl.startswith("pkg:deb/debian/nginx@") and nginx.fixed_versions == []
    assert (fallback.package, fallback.installed_version) == ("nghttp2", "1.52.0-1")
    assert fallback.fixed_versions == ["1.52.0-1+deb12u1"]
    assert {f.severity for f in facts.findings} == {Severity.HIGH}
    assert facts.scans[0].scanner == "docker scout" and nginx.urls == ["https://scout.docker.com/v/CVE-2023-44487"]


def test_non_vulnerability_sarif_keeps_rule_ids_and_levels(tmp_path):
    lint = {"version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "ESLint", "rules": [{"id": "no-unused-vars"}]}},
        "invocations": [{"endTimeUtc": "2024-02-01T10:00:00Z", "executionSuccessful": True}],
        "results": [{"ruleId": "no-unused-vars", "level": "warning", "message": {"text": "'x' is unused."}},
                    {"ruleId": "no-eval", "level": "error", "message": {"text": "eval is evil"}},
                    {"message": {"text": "no rule at all"}}],
    }]}
    facts = read(write(tmp_path, lint))
    assert [f.id for f in facts.findings] == ["no-unused-vars", "no-eval", "unknown"]
    assert [f.severity for f in facts.findings] == [Severity.MEDIUM, Severity.HIGH, Severity.UNKNOWN]
    assert facts.scans[0].timestamp.isoformat() == "2024-02-01T10:00:00+00:00"


def test_sniff_needs_a_sarif_schema_or_version_with_runs(tmp_path):
    assert not sarif.READER.sniff(InputDocument(write(tmp_path, {"runs": []}, "a.json")))
    assert sarif.READER.sniff(InputDocument(write(tmp_path, {"version": "2.1.0", "runs": []}, "b.json")))
    assert sarif.READER.sniff(InputDocument(write(tmp_path, {"$schema": "https://x/sarif-2.1.0.json", "runs": []},
                                                  "c.json")))


@pytest.mark.parametrize("body, where", [
    ({"version": "2.1.0", "runs": {"tool": {}}}, "runs"),
    ({"version": "2.1.0", "runs": [{"tool": {"driver": {"rules": "x"}}}]}, "rules"),
    ({"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": [7]}]}, r"results\[0\]"),
])
def test_malformed_sarif_is_one_input_error_naming_the_field(tmp_path, body, where):
    with pytest.raises(InputError, match=where):
        sarif.READER.read(InputDocument(write(tmp_path, body)))
