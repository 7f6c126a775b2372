"""One vulnerability in one package is one finding however many ids the tools give it (issue #14).

osv-scanner reports an OpenSSF malicious-packages record under its MAL- id with the GitHub malware
advisory in its aliases; grype reports the same package under the GHSA id alone (namespace
github:language:<language>); Dependency-Track's VDR under the MAL- id with the GHSA as a reference. The
files in tests/data/malicious/ are those shapes for 02-echo 0.0.7 (MAL-2025-191025, GHSA-q2q8-5wg4-g6jq);
the inputs written per test below use the same shapes (osv-scanner 2.x SARIF, grype JSON, CycloneDX VDR)
for the cases those files do not cover.
"""
from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scc.assessment import Settings, assess
from scc.facts import read_inputs
from scc.facts.merge import canonical_vuln_id

DATA = Path(__file__).parent / "data" / "malicious"
GRYPE, TRIVY = DATA / "node-app.grype.json", DATA / "node-app.trivy.json"
SARIF, VDR, OPENVEX = DATA / "node-app.osv-scanner.sarif.json", DATA / "node-app.vdr.cdx.json", DATA / "node-app.openvex.json"
MAL, GHSA = "MAL-2025-191025", "GHSA-q2q8-5wg4-g6jq"


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2025, 12, 2, 8, 0, tzinfo=UTC).timestamp())))


def osv_sarif(path: Path, entries: list[tuple[str, list[str], str, str]]) -> Path:
    """osv-scanner 2.x SARIF: one rule per (id, aliases) and one result per package@version."""
    rules = [{"id": vid, "name": vid, "shortDescription": {"text": f"{vid}: advisory for {name}"},
              "deprecatedIds": [vid, *aliases], "properties": {"security-severity": "7.5", "tags": []}}
             for vid, aliases, name, _version in entries]
    results = [{"ruleId": vid, "ruleIndex": i, "level": "warning",
                "message": {"text": f"Package '{name}@{version}' is vulnerable to '{vid}'."},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": "file:///app/poetry.lock"}}}]}
               for i, (vid, _aliases, name, version) in enumerate(entries)]
    path.write_text(json.dumps({"version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "osv-scanner", "informationUri": "https://github.com/google/osv-scanner",
                            "version": "2.2.4", "rules": rules}},
        "results": results}]}))
    return path


def grype(path: Path, entries: list[tuple[str, list[str], str, str, str]]) -> Path:
    """grype JSON: a GitHub advisory match (namespace github:language:<language>) per entry."""
    matches = []
    for vid, related, name, version, purl in entries:
        language = {"pypi": "python", "npm": "javascript"}[purl[4:].split("/", 1)[0]]
        matches.append({
            "vulnerability": {"id": vid, "dataSource": f"https://github.com/advisories/{vid}",
                              "namespace": f"github:language:{language}", "severity": "High",
                              "urls": [f"https://github.com/advisories/{vid}"], "description": f"Advisory for {name}",
                              "cvss": [], "fix": {"versions": [], "state": "not-fixed"}, "advisories": []},
            "relatedVulnerabilities": [{"id": r, "namespace": "nvd:cpe", "severity": "High", "cvss": []}
                                       for r in related],
            "matchDetails": [],
            "artifact": {"name": name, "version": version, "type": "python" if language == "python" else "npm",
                         "locations": [], "purl": purl}})
    path.write_text(json.dumps({
        "matches": matches,
        "source": {"type": "image", "target": {"userInput": "registry.example.mil/apps/py-app:2.0"}},
        "descriptor": {"name": "grype", "version": "0.87.0", "timestamp": "2025-12-01T09:00:00Z",
                       "db": {"built": "2025-12-01T01:00:00Z"}}}))
    return path


def vdr(path: Path, vid: str, references: list[str], name: str, version: str, purl: str) -> Path:
    """A Dependency-Track CycloneDX VDR with one vulnerability and its references (other ids of it)."""
    path.write_text(json.dumps({
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "metadata": {"timestamp": "2025-12-01T09:30:00Z",
                     "tools": {"components": [{"type": "application", "name": "Dependency-Track", "version": "4.13.2"}]}},
        "components": [{"type": "library", "bom-ref": purl, "name": name, "version": version, "purl": purl}],
        "vulnerabilities": [{"bom-ref": "v-1", "id": vid, "source": {"name": "OSV"},
                             "references": [{"id": r, "source": {"name": "GITHUB"}} for r in references],
                             "ratings": [{"severity": "high"}], "affects": [{"ref": purl}]}]}))
    return path


def shape(findings) -> list[tuple]:
    """Everything the order of the inputs could change."""
    return [(f.id, sorted(f.aliases), f.package, f.installed_version, f.purl, sorted(f.sources),
             [(e.source, e.pointer) for e in f.evidence], f.title, f.description, f.severity, f.state,
             f.cwes, f.databases, f.urls, f.published) for f in findings]


# -- the malicious package from osv-scanner, grype and Dependency-Track -------------------------------------
def test_mal_record_and_its_ghsa_twin_are_one_finding_under_the_mal_id():
    echo = [f for f in read_inputs([str(GRYPE), str(SARIF), str(VDR)]).findings if f.package == "02-echo"]
    assert len(echo) == 1
    assert (echo[0].id, echo[0].aliases) == (MAL, {GHSA})
    assert echo[0].sources == {"grype", "osv-scanner", "dependency-track"}
    assert {e.source for e in echo[0].evidence} == {str(GRYPE), str(SARIF), str(VDR)}
    # the reports under the chosen id are cited first
    assert echo[0].evidence[0].source == str(SARIF)


def test_the_merged_finding_is_one_malicious_package_and_one_poam_item():
    a = assess([str(GRYPE), str(SARIF), str(VDR), str(TRIVY)], Settings())
    malicious = [f for f in a.facts.findings if f.malicious is not None]
    assert sorted((f.package, f.id) for f in malicious) == [("02-echo", MAL), ("flatmap-stream", "GHSA-9x64-5r7x-2q53")]
    echo = next(f for f in malicious if f.package == "02-echo")
    assert echo.malicious.basis == (f"id {MAL} (prefix MAL-)", "CWE-506 named for it")
    assert echo.malicious.scanner_severity == "critical"   # grype's word for the GHSA twin, the higher
    assert sum(1 for f in a.facts.findings if f.package == "02-echo") == 1


def test_an_override_naming_the_ghsa_alias_reaches_the_merged_finding(tmp_path):
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text(f"overrides:\n  - finding: {GHSA}\n    package: pkg:npm/02-echo\n    action: not-affected\n"
                         "    justification: Our internal fork on our own registry (SEC-812).\n"
                         "    approver: J. Smith, ISSM\n    expires: 2027-06-30\n")
    a = assess([str(GRYPE), str(SARIF), str(OPENVEX)], Settings(overrides=overrides))
    echo = next(f for f in a.facts.findings if f.package == "02-echo")
    assert echo.id == MAL
    assert echo.malicious.accepted_by.startswith("approved by J. Smith, ISSM")
    assert not echo.is_open
    assert not any("matches no malicious-package finding" in n for n in [*a.notes, *a.override_notes])


def test_the_result_does_not_depend_on_the_order_of_the_inputs():
    paths = [str(p) for p in (GRYPE, SARIF, VDR, TRIVY)]
    first = shape(read_inputs(paths).findings)
    assert len(first) == 3
    for order in itertools.permutations(paths):
        assert shape(read_inputs(list(order)).findings) == first, order


# -- ecosystem ids with no CVE ---------------------------------------------------------------------------
def test_pysec_and_ghsa_reports_without_a_cve_are_one_finding_under_the_ghsa(tmp_path):
    sarif = osv_sarif(tmp_path / "osv.sarif.json", [("PYSEC-2024-187", ["GHSA-7gcw-2vx4-p3fr"], "pyjwt-ext", "2.1.0")])
    scan = grype(tmp_path / "grype.json", [("GHSA-7gcw-2vx4-p3fr", [], "pyjwt-ext", "2.1.0", "pkg:pypi/pyjwt-ext@2.1.0")])
    for order in ([sarif, scan], [scan, sarif]):
        findings = read_inputs([str(p) for p in order]).findings
        assert [(f.id, f.aliases, f.sources) for f in findings] == [
            ("GHSA-7gcw-2vx4-p3fr", {"PYSEC-2024-187"}, {"grype", "osv-scanner"})]
        assert findings[0].purl == "pkg:pypi/pyjwt-ext@2.1.0"


def test_ids_that_meet_only_through_a_third_report_are_one_finding(tmp_path):
    """MAL~GHSA in osv-scanner's report, GHSA~PYSEC in Dependency-Track's, PYSEC alone in another osv-scanner
    run: the first and the last share no id, and are still one finding."""
    purl = "pkg:pypi/requests-darwin-lite@2.27.1"
    inputs = [osv_sarif(tmp_path / "a.sarif.json", [("MAL-2024-7781", ["GHSA-5rr8-ph5m-4xhg"], "requests-darwin-lite", "2.27.1")]),
              vdr(tmp_path / "b.cdx.json", "GHSA-5rr8-ph5m-4xhg", ["PYSEC-2024-60"], "requests-darwin-lite", "2.27.1", purl),
              osv_sarif(tmp_path / "c.sarif.json", [("PYSEC-2024-60", [], "requests-darwin-lite", "2.27.1")])]
    results = [shape(read_inputs([str(p) for p in order]).findings) for order in itertools.permutations(inputs)]
    assert all(r == results[0] for r in results)
    (only,) = read_inputs([str(p) for p in inputs]).findings
    assert (only.id, only.aliases) == ("MAL-2024-7781", {"GHSA-5rr8-ph5m-4xhg", "PYSEC-2024-60"})
    assert len(only.evidence) == 3 and only.purl == purl


# -- what does not merge ----------------------------------------------------------------------------------
def test_two_packages_under_one_ghsa_stay_two_findings(tmp_path):
    """One GitHub advisory can cover several packages; each package is its own finding."""
    scan = grype(tmp_path / "grype.json", [("GHSA-g2q5-5433-rhrf", [], "colorsv2", "1.0.1", "pkg:npm/colorsv2@1.0.1"),
                                           ("GHSA-g2q5-5433-rhrf", [], "colors-v2", "1.0.1", "pkg:npm/colors-v2@1.0.1")])
    sarif = osv_sarif(tmp_path / "osv.sarif.json", [("MAL-2022-1021", ["GHSA-g2q5-5433-rhrf"], "colorsv2", "1.0.1")])
    findings = read_inputs([str(scan), str(sarif)]).findings
    assert sorted((f.package, f.id, sorted(f.aliases)) for f in findings) == [
        ("colors-v2", "GHSA-g2q5-5433-rhrf", []), ("colorsv2", "MAL-2022-1021", ["GHSA-g2q5-5433-rhrf"])]


def test_two_cves_one_advisory_lists_together_stay_two_findings(tmp_path):
    """A GHSA naming CVE-A and CVE-B joins the lowest; a report of CVE-B alone is not folded into CVE-A."""
    purl = "pkg:pypi/aiohttp@3.9.1"
    scan = grype(tmp_path / "grype.json", [("GHSA-5m98-qgg9-wh84", ["CVE-2024-23334", "CVE-2024-23829"],
                                            "aiohttp", "3.9.1", purl)])
    sarif = osv_sarif(tmp_path / "osv.sarif.json", [("CVE-2024-23829", [], "aiohttp", "3.9.1"),
                                                    ("PYSEC-2024-26", ["GHSA-5m98-qgg9-wh84"], "aiohttp", "3.9.1")])
    for order in ([scan, sarif], [sarif, scan]):
        findings = read_inputs([str(p) for p in order]).findings
        assert sorted((f.id, sorted(f.aliases)) for f in findings) == [
            ("CVE-2024-23334", ["CVE-2024-23829", "GHSA-5m98-qgg9-wh84", "PYSEC-2024-26"]),
            ("CVE-2024-23829", [])]


@pytest.mark.parametrize("ids, chosen", [
    (["GHSA-q2q8-5wg4-g6jq", "MAL-2025-191025", "cve-2025-1"], "CVE-2025-1"),
    (["GHSA-q2q8-5wg4-g6jq", "MAL-2025-191025", "PYSEC-2025-1"], "MAL-2025-191025"),
    (["PYSEC-2024-187", "GHSA-7gcw-2vx4-p3fr", "GO-2024-1"], "GHSA-7gcw-2vx4-p3fr"),
    (["RUSTSEC-2024-0003", "GO-2024-2"], "GO-2024-2"),
    (["MAL-2025-9", "MAL-2025-10"], "MAL-2025-10"),
])
def test_canonical_id_preference(ids, chosen):
    for rotation in range(len(ids)):
        rotated = ids[rotation:] + ids[:rotation]
        assert canonical_vuln_id(rotated[0], set(rotated[1:])) == chosen


def test_one_files_reports_keep_the_files_order_in_the_merged_finding(tmp_path):
    """grype lists one advisory twice for one package (two locations): /matches/9 comes before /matches/10."""
    entries = [(f"GHSA-aaaa-bbbb-{i:04d}", [], f"pkg{i}", "1.0.0", f"pkg:npm/pkg{i}@1.0.0") for i in range(9)]
    twin = ("GHSA-g2q5-5433-rhrf", [], "colorsv2", "1.0.1", "pkg:npm/colorsv2@1.0.1")
    scan = grype(tmp_path / "grype.json", [*entries, twin, twin])
    (merged,) = [f for f in read_inputs([str(scan)]).findings if f.package == "colorsv2"]
    pointers = [e.pointer for e in merged.evidence]
    assert pointers.index(next(p for p in pointers if p.startswith("/matches/9"))) < \
        pointers.index(next(p for p in pointers if p.startswith("/matches/10")))
