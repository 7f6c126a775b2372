"""Version-aware CycloneDX VEX: affects[].versions (exact versions and purl-spec vers: ranges).

The VEX documents follow CycloneDX bom-examples VEX/Use-Cases/Case-5 (the same CVE stated twice: exploitable
inside a range, not_affected outside it), written in the schema's form (versions[] of {range|version, status})
for requests' CVE-2023-32681 (affected >=2.3.0, fixed in 2.31.0).
"""
from __future__ import annotations

import json
from pathlib import Path

from scc.facts import read_input
from scc.facts.model import Finding, FindingState, ImageFacts
from scc.facts.vex.vex_apply import apply_vex

CVE = "CVE-2023-32681"
AFFECTED_RANGE = "vers:pypi/>=2.3.0|<2.31.0"
UNAFFECTED_RANGE = "vers:pypi/<2.3.0|>=2.31.0"


def _vuln(state: str, versions: list[dict], detail: str = "") -> dict:
    analysis = {"state": state}
    if state == "not_affected":
        analysis.update(justification="code_not_reachable", detail=detail or "The proxy code path is not used.")
    return {
        "id": CVE,
        "source": {"name": "NVD", "url": f"https://nvd.nist.gov/vuln/detail/{CVE}"},
        "ratings": [{"source": {"name": "NVD"}, "score": 6.1, "severity": "medium", "method": "CVSSv31",
                     "vector": "AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N"}],
        "analysis": analysis,
        "affects": [{"ref": "pkg:pypi/requests", "versions": versions}],
    }


def _vex(tmp_path: Path, *vulns: dict) -> list:
    bom = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
           "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
           "metadata": {"timestamp": "2024-01-13T00:00:00Z", "authors": [{"name": "Acme PSIRT"}]},
           "vulnerabilities": list(vulns)}
    path = tmp_path / "requests.vex.json"
    path.write_text(json.dumps(bom), encoding="utf-8")
    _, facts = read_input(str(path))
    return facts.vex


def _apply(statements: list, installed: str) -> tuple[Finding, ImageFacts]:
    finding = Finding(id=CVE, package="requests", installed_version=installed,
                      purl=f"pkg:pypi/requests@{installed}")
    facts = ImageFacts(findings=[finding], vex=list(statements))
    apply_vex(facts)
    return finding, facts


def test_reader_keeps_every_version_and_range_with_its_status(tmp_path):
    statements = _vex(tmp_path, _vuln("exploitable", [
        {"range": AFFECTED_RANGE, "status": "affected"},
        {"version": "2.31.0", "status": "unaffected"},
        {"range": "vers:pypi/>=3.0.0"},   # status defaults to affected (CycloneDX schema)
    ]))
    assert len(statements) == 1
    assert statements[0].version_ranges == (
        (AFFECTED_RANGE, "affected"), ("=2.31.0", "unaffected"), ("vers:pypi/>=3.0.0", "affected"))


def test_installed_inside_an_affected_range_keeps_the_statement(tmp_path):
    statements = _vex(tmp_path, _vuln("exploitable", [{"range": AFFECTED_RANGE, "status": "affected"}]))
    finding, facts = _apply(statements, "2.28.1")
    assert finding.vex is statements[0]
    assert finding.state is FindingState.AFFECTED and finding.is_open
    assert facts.notes == []


def test_not_affected_analysis_inside_its_affected_range_closes_the_finding(tmp_path):
    statements = _vex(tmp_path, _vuln("not_affected", [{"range": AFFECTED_RANGE, "status": "affected"}]))
    finding, _ = _apply(statements, "2.30.0")
    assert finding.state is FindingState.NOT_AFFECTED and finding.vex is statements[0]


def test_installed_outside_every_range_ignores_the_statement(tmp_path):
    statements = _vex(tmp_path, _vuln("not_affected", [{"range": AFFECTED_RANGE, "status": "affected"}]))
    finding, facts = _apply(statements, "2.31.0")   # the range stops before 2.31.0
    assert finding.vex is None
    assert finding.state is FindingState.AFFECTED and finding.is_open
    assert facts.notes == []


def test_installed_inside_an_unaffected_range_closes_the_finding_citing_the_statement(tmp_path):
    statements = _vex(tmp_path,
                      _vuln("exploitable", [{"range": AFFECTED_RANGE, "status": "affected"}]),
                      _vuln("not_affected", [{"range": UNAFFECTED_RANGE, "status": "unaffected"}]))
    finding, _ = _apply(statements, "2.31.0")
    assert finding.state is FindingState.NOT_AFFECTED and not finding.is_open
    assert finding.vex.evidence[0].pointer == "/vulnerabilities/1/analysis"
    assert finding.vex_conflicts == []   # the exploitable statement does not cover 2.31.0
    older, _ = _apply(statements, "2.2.0")
    assert older.state is FindingState.NOT_AFFECTED
    inside, _ = _apply(statements, "2.25.1")
    assert inside.state is FindingState.AFFECTED
    assert inside.vex.evidence[0].pointer == "/vulnerabilities/0/analysis"


def test_an_unaffected_version_closes_even_an_exploitable_analysis(tmp_path):
    statements = _vex(tmp_path, _vuln("exploitable", [
        {"range": AFFECTED_RANGE, "status": "affected"}, {"version": "2.31.0", "status": "unaffected"}]))
    finding, _ = _apply(statements, "2.31.0")
    assert finding.state is FindingState.NOT_AFFECTED
    assert finding.vex.evidence == statements[0].evidence
    assert "2.31.0" in finding.vex.impact_statement and "unaffected" in finding.vex.impact_statement


def test_an_exact_version_outranks_a_range(tmp_path):
    statements = _vex(tmp_path, _vuln("not_affected", [
        {"range": UNAFFECTED_RANGE, "status": "unaffected"}, {"version": "2.31.0", "status": "affected"}]))
    finding, _ = _apply(statements, "2.31.0")
    assert finding.vex is statements[0] and finding.state is FindingState.NOT_AFFECTED
    finding, _ = _apply(statements, "2.32.0")   # only the unaffected range covers it
    assert finding.state is FindingState.NOT_AFFECTED
    assert "vers:pypi/<2.3.0|>=2.31.0" in finding.vex.impact_statement


def test_unparsable_range_falls_back_to_the_statement_with_one_note(tmp_path):
    statements = _vex(tmp_path, _vuln("not_affected", [{"range": "vers:nosuchscheme/>=2.3.0", "status": "affected"}]))
    finding, facts = _apply(statements, "9.9.9")
    assert finding.vex is statements[0] and finding.state is FindingState.NOT_AFFECTED
    assert len(facts.notes) == 1 and "vers:nosuchscheme/>=2.3.0" in facts.notes[0]
    apply_vex(facts)   # re-applying adds no second note
    assert len(facts.notes) == 1


def test_unparsable_installed_version_falls_back_with_a_note(tmp_path):
    statements = _vex(tmp_path, _vuln("not_affected", [{"range": AFFECTED_RANGE, "status": "affected"}]))
    finding, facts = _apply(statements, "not/a version")
    assert finding.state is FindingState.NOT_AFFECTED
    assert len(facts.notes) == 1 and "not/a version" in facts.notes[0]


def test_a_finding_without_installed_version_gets_todays_behaviour(tmp_path):
    statements = _vex(tmp_path, _vuln("not_affected", [{"range": AFFECTED_RANGE, "status": "affected"}]))
    finding = Finding(id=CVE, package="requests", purl="pkg:pypi/requests")
    facts = ImageFacts(findings=[finding], vex=statements)
    apply_vex(facts)
    assert finding.state is FindingState.NOT_AFFECTED and facts.notes == []
