"""Malicious packages (issue #14 part 1): recognised in every scan and VEX format scc reads, always CAT I,
never closed by the fix SLA or by a VEX statement without an approved override, their own gate threshold
(default 0), rule si3-no-malicious-packages, and every writer shows them.

The fixtures in tests/data/malicious/ are modelled on real output: grype 0.87 JSON (a GitHub malware
advisory under its GHSA id, namespace github:language:javascript, title "Malware in 02-echo"; an ignored
match closed by a VEX-status ignore rule), Trivy JSON (the reviewed GHSA-9x64-5r7x-2q53 flatmap-stream
advisory with CweIDs CWE-506), osv-scanner 2.x SARIF (MAL-2025-191025, deprecatedIds, CWE tag),
a Dependency-Track CycloneDX VDR (MAL id, source OSV, cwes [506]), OpenVEX and CSAF VEX statements.
"""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from scc.assessment import Assessment, Settings, assess
from scc.engine.malicious import MaliciousTable, load_malicious_table, mark_malicious, recognise
from scc.engine.overrides import load_overrides
from scc.errors import InputError
from scc.facts import read_inputs
from scc.facts.model import Finding, Severity
from scc.gate import breaches, gate_result, parse_threshold
from scc.severity import category_label, raw_severity

DATA = Path(__file__).parent / "data" / "malicious"
REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "demo-image"
GRYPE, TRIVY, SARIF = DATA / "node-app.grype.json", DATA / "node-app.trivy.json", DATA / "node-app.osv-scanner.sarif.json"
VDR, OPENVEX, CSAF = DATA / "node-app.vdr.cdx.json", DATA / "node-app.openvex.json", DATA / "node-app.csaf.json"
TABLE = load_malicious_table(REPO / "controls" / "malicious.yaml")
RULE = "si3-no-malicious-packages"


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2025, 12, 2, 8, 0, tzinfo=UTC).timestamp())))


def run(*paths: Path, overrides: Path | None = None) -> Assessment:
    return assess([str(p) for p in paths], Settings(overrides=overrides))


def finding(a: Assessment, package: str) -> Finding:
    return next(f for f in a.facts.findings if f.package == package)


def rule_result(a: Assessment):
    return next(r for r in a.rule_results if r.rule.id == RULE)


def overrides_file(tmp_path: Path, *entries: str) -> Path:
    path = tmp_path / "overrides.yaml"
    path.write_text("overrides:\n" + "".join(entries))
    return path


def finding_override(name: str, expires: str = "2027-06-30", package: str = "") -> str:
    extra = f"    package: {package}\n" if package else ""
    return (f"  - finding: {name}\n{extra}    action: not-affected\n"
            "    justification: The matched 02-echo is our internal fork published to our own registry (SEC-812).\n"
            f"    approver: J. Smith, ISSM\n    expires: {expires}\n")


# -- the readers record raw facts, never the decision ------------------------------------------
def test_readers_record_ids_cwes_and_databases_as_written_and_decide_nothing():
    trivy = read_inputs([str(TRIVY)]).findings
    flat = next(f for f in trivy if f.package == "flatmap-stream")
    assert (flat.cwes, flat.databases, flat.malicious) == (["CWE-506"], ["ghsa"], None)
    grype = {f.package: f for f in read_inputs([str(GRYPE)]).findings}
    assert grype["02-echo"].databases == ["github:language:javascript"]
    assert grype["micromatch"].databases == ["github:language:javascript", "nvd:cpe"]
    sarif = read_inputs([str(SARIF)]).findings[0]
    assert (sarif.id, sarif.package, sarif.installed_version) == ("MAL-2025-191025", "02-echo", "0.0.7")
    assert sarif.aliases == {"GHSA-q2q8-5wg4-g6jq"} and sarif.cwes == ["CWE-506"]
    vdr = read_inputs([str(VDR)]).findings[0]
    assert (vdr.cwes, vdr.databases) == (["CWE-506"], ["OSV"])
    csaf = read_inputs([str(CSAF)]).vex[0]
    assert (csaf.vulnerability, csaf.cwes) == ("MAL-2025-191025", ("CWE-506",))
    assert all(f.malicious is None for f in [*trivy, *grype.values(), sarif, vdr])


@pytest.mark.parametrize("path, package, signal", [
    (GRYPE, "02-echo", "advisory title 'Malware in 02-echo'"),           # grype: a GHSA id, its title only
    (GRYPE, "flatmap-stream", "advisory title 'Malicious Package in flatmap-stream'"),
    (TRIVY, "flatmap-stream", "CWE-506 named for it"),
    (SARIF, "02-echo", "id MAL-2025-191025 (prefix MAL-)"),
    (VDR, "02-echo", "id MAL-2025-191025 (prefix MAL-)"),
], ids=["grype-ghsa-malware", "grype-ignored", "trivy-cwe", "osv-scanner-sarif", "cyclonedx-vdr"])
def test_recognised_in_every_scan_format(path, package, signal):
    mark = finding(run(path), package).malicious
    assert mark is not None and any(b.startswith(signal) for b in mark.basis), mark


def test_recognised_from_a_vex_statement_that_names_the_mal_id():
    """grype reports the GHSA id; the OpenVEX statement names MAL-2025-191025 with the GHSA id as alias."""
    echo = finding(run(GRYPE, OPENVEX), "02-echo")
    assert "id MAL-2025-191025 (prefix MAL-)" in echo.malicious.basis


def test_recognised_from_a_csaf_cwe():
    echo = finding(run(VDR, CSAF), "02-echo")
    assert "CWE-506 named for it" in echo.malicious.basis


def test_ordinary_findings_and_lookalike_cves_are_not_malicious():
    assert finding(run(GRYPE), "micromatch").malicious is None
    cve = Finding("CVE-2026-0001", package="x", description="Malware in the wild abuses this parser flaw.")
    ghsa = Finding("GHSA-aaaa-bbbb-cccc", package="x", title="Malware in x")
    assert recognise(cve, (), TABLE) == [] and recognise(ghsa, (), TABLE)
    assert recognise(ghsa, (), MaliciousTable()) == []   # an empty table recognises nothing


# -- CAT I, and the clock a fix does not extend --------------------------------------------------
def test_always_cat_i_with_the_scanners_severity_kept():
    a = run(VDR)                                # OSV rates MAL records nothing: the scanner says unknown
    echo = finding(a, "02-echo")
    assert echo.severity is Severity.UNKNOWN and echo.malicious.scanner_severity == "unknown"
    assert echo.malicious.severity_label == "unknown, malicious package (CAT I)"
    item = next(i for i in a.remediation_items if i.finding is echo)
    assert (item.severity, category_label(item.severity), raw_severity(item.severity)) == ("malicious", "CAT I", "I")


def test_due_at_first_detection_whatever_the_fix_or_publication_date(tmp_path):
    data = json.loads(GRYPE.read_text())
    echo = data["matches"][0]["vulnerability"]
    echo["fix"] = {"versions": ["0.0.8"], "state": "fixed", "available": [{"version": "0.0.8", "date": "2025-11-25"}]}
    path = tmp_path / "grype.json"
    path.write_text(json.dumps(data))
    a = run(path)
    clock = a.report.clocks[id(finding(a, "02-echo"))]
    assert clock.basis == "malicious package first detected" and clock.sla_days == 0
    assert clock.start == datetime.fromisoformat("2025-12-01T09:14:07.512331+00:00")   # the scan, not the fix date
    assert clock.due_date.isoformat() == "2025-12-01" and clock.is_overdue(a.report.assessed_at)
    assert "a fix does not extend it" in clock.explanation
    ordinary = a.report.clocks[id(finding(a, "micromatch"))]
    assert ordinary.basis == "fix available" and ordinary.sla_days == 90


# -- VEX and scanner closures: open without an approved override ------------------------------------
@pytest.mark.parametrize("paths, package, closure", [
    ((GRYPE, OPENVEX), "02-echo", "openvex statement by Node App Product Team"),
    ((GRYPE,), "flatmap-stream", "grype-ignore statement"),
    ((VDR, CSAF), "02-echo", "csaf-vex statement by Example Command AppSec"),
], ids=["openvex", "grype-ignore-rule", "csaf"])
def test_a_vex_statement_alone_leaves_it_open_and_says_why(paths, package, closure):
    a = run(*paths)
    mal = finding(a, package)
    assert mal.vex is not None and not mal.vex.status.is_open       # the statement did say not_affected
    assert mal.is_open and mal.malicious.closure_set_aside.startswith(closure)
    assert "does not close it" in mal.malicious.sentence
    assert mal in a.report.open_findings
    assert "despite a VEX or scanner closure" in rule_result(a).statement


def test_an_override_naming_an_approver_lets_the_closure_stand(tmp_path):
    a = run(GRYPE, OPENVEX, overrides=overrides_file(tmp_path, finding_override("MAL-2025-191025",
                                                                                package="pkg:npm/02-echo")))
    echo = finding(a, "02-echo")
    assert not echo.is_open and echo.malicious.accepted_by.startswith("approved by J. Smith, ISSM until 2027-06-30")
    assert echo not in a.report.open_findings
    assert "accepted by override" in echo.malicious.sentence
    assert finding(a, "flatmap-stream").is_open                   # the override names one finding only


def test_an_expired_override_closes_nothing_and_says_so(tmp_path):
    a = run(GRYPE, OPENVEX, overrides=overrides_file(tmp_path, finding_override("GHSA-q2q8-5wg4-g6jq", "2025-01-31")))
    assert finding(a, "02-echo").is_open
    assert any("expired on 2025-01-31" in n and "02-echo stays open" in n for n in a.override_notes)


def test_an_override_without_a_closure_does_not_close_a_malicious_package(tmp_path):
    a = run(GRYPE, overrides=overrides_file(tmp_path, finding_override("GHSA-q2q8-5wg4-g6jq")))
    assert finding(a, "02-echo").is_open          # nothing said not_affected: the override has nothing to accept


def test_an_override_for_no_malicious_finding_is_reported(tmp_path):
    a = run(GRYPE, overrides=overrides_file(tmp_path, finding_override("MAL-2099-1")))
    assert any("finding MAL-2099-1" in n and "matches no malicious-package finding" in n for n in a.override_notes)


@pytest.mark.parametrize("entry, message", [
    (("  - rule: x\n    finding: MAL-1\n    action: not-affected\n    justification: j\n    approver: a\n"
     "    expires: 2027-01-01\n"), "exactly one of 'rule'"),
    ("  - finding: MAL-1\n    action: accept-risk\n    justification: j\n    approver: a\n    expires: 2027-01-01\n",
     "takes action not-affected"),
    ("  - finding: MAL-1\n    action: not-affected\n    justification: j\n    expires: 2027-01-01\n", "'approver' is required"),
])
def test_a_malformed_finding_override_is_a_one_line_error(tmp_path, entry, message):
    with pytest.raises(InputError, match=message):
        load_overrides(overrides_file(tmp_path, entry))


# -- the gate -------------------------------------------------------------------------------------
def test_gate_default_zero_when_not_given_and_explicit_when_given():
    a = run(GRYPE)
    lines = breaches(a, [parse_threshold("critical", "99")])
    assert lines == [("gate: known malicious packages (CAT I): 2 open, at most 0 allowed "
                     "(the default; --max-malicious N to change it)")]
    assert breaches(a, [parse_threshold("critical", "99"), parse_threshold("malicious", "2")]) == []
    result = gate_result(a, [parse_threshold("critical", "99")])
    assert result["passed"] is False and result["open"]["malicious"] == 2
    assert result["thresholds"][-1] == {"name": "malicious", "option": "--max-malicious", "maximum": 0, "open": 2,
                                        "breached": True, "default": True}


def test_gate_cli_fails_on_malware_and_passes_with_an_explicit_allowance():
    from scc.cli.app import cli

    runner = CliRunner()
    failed = runner.invoke(cli, ["gate", "--quiet", "--max-open-critical", "99", str(GRYPE)])
    assert failed.exit_code == 1 and "known malicious packages" in failed.output
    passed = runner.invoke(cli, ["gate", "--quiet", "--max-malicious", "2", "--max-open-critical", "99", str(GRYPE)])
    assert passed.exit_code == 0, passed.output
    as_json = runner.invoke(cli, ["gate", "--json", "--max-cat1", "99", str(GRYPE)])
    document = json.loads(as_json.stdout)
    gate = document.get("gate", document)
    assert as_json.exit_code == 1 and any(t.get("default") for t in gate["thresholds"])


# -- the rule -------------------------------------------------------------------------------------
def test_rule_not_satisfied_cites_each_malicious_finding():
    a = run(GRYPE)
    result = rule_result(a)
    assert result.verdict.value == "not-satisfied"
    assert "02-echo 0.0.7 (GHSA-q2q8-5wg4-g6jq)" in result.statement and "flatmap-stream" in result.statement
    cited = {e.pointer for e in result.evidence if e.source.endswith("node-app.grype.json")}
    assert {"/matches/0", "/ignoredMatches/0"} <= cited
    assert all(len(e.sha256) == 64 for e in result.evidence)
    control = {c.control_id: c.verdict.value for c in a.control_results}
    assert control["si-3"] == control["si-7"] == "not-satisfied"


def test_rule_satisfied_only_with_a_malware_database_and_an_inventory():
    clean = run(DEMO / "grype.json", DEMO / "sbom.cdx.json")
    result = rule_result(clean)
    assert result.verdict.value == "satisfied", result.statement
    assert "does not detect unreported or new malicious code" in result.statement
    assert any(e.source.endswith("sbom.cdx.json") for e in result.evidence)
    no_inventory = rule_result(run(DEMO / "grype.json"))
    assert no_inventory.verdict.value == "partial" and "no inventory" in no_inventory.statement


def test_rule_partial_when_the_scanner_consults_no_malware_database(tmp_path):
    data = json.loads(TRIVY.read_text())
    data["Results"][0]["Vulnerabilities"] = data["Results"][0]["Vulnerabilities"][1:]   # micromatch only
    path = tmp_path / "clean.trivy.json"
    path.write_text(json.dumps(data))
    result = rule_result(run(path))
    assert result.verdict.value == "partial" and "trivy-db imports GitHub advisories" in result.statement


def test_rule_manual_without_a_scan_and_partial_when_closed_only_by_override(tmp_path):
    assert rule_result(run(DEMO / "sbom.cdx.json")).verdict.value == "manual"
    data = json.loads(GRYPE.read_text())
    data["ignoredMatches"] = []
    path = tmp_path / "grype.json"
    path.write_text(json.dumps(data))
    a = run(path, OPENVEX, DEMO / "sbom.cdx.json",
            overrides=overrides_file(tmp_path, finding_override("GHSA-q2q8-5wg4-g6jq")))
    result = rule_result(a)
    assert result.verdict.value == "partial" and "closed by an organisation override" in result.statement


def test_marking_is_recomputed_on_every_run_and_leaves_the_facts_alone():
    facts = read_inputs([str(GRYPE)])
    today = datetime(2025, 12, 2, tzinfo=UTC).date()
    marked, _ = mark_malicious(facts, TABLE, (), today)
    assert sum(f.malicious is not None for f in marked.findings) == 2
    assert all(f.malicious is None for f in facts.findings)          # the engine's input is not changed
    again, _ = mark_malicious(marked, replace(TABLE, summary_patterns=()), (), today)
    assert all(f.malicious is None for f in again.findings)


# -- every writer shows it -------------------------------------------------------------------------
def rendered(a: Assessment, name: str) -> bytes:
    from scc.writers import writer

    return writer(name).render(a.report)


def test_oscal_assessment_results_and_poam_show_it():
    a = run(GRYPE, OPENVEX)
    ar = json.loads(rendered(a, "oscal-assessment-results"))
    observations = ar["assessment-results"]["results"][0]["observations"]
    echo = next(o for o in observations if "02-echo" in o["title"])
    props = {p["name"]: p["value"] for p in echo["props"]}
    assert props["malicious-package"] == "true" and props["category"] == "CAT I" and props["severity"] == "critical"
    assert "critical, malicious package (CAT I)" in echo["description"] and "does not close it" in echo["description"]
    poam = json.loads(rendered(a, "oscal-poam"))["plan-of-action-and-milestones"]
    first = poam["poam-items"][0]                                  # malicious packages come first
    assert "02-echo" in first["title"] or "flatmap-stream" in first["title"]
    assert {"name": "severity", "ns": first["props"][1]["ns"], "value": "malicious"} in first["props"]
    assert "(malicious)" in first["description"]
    observations = {o["uuid"]: o for o in poam["observations"]}
    related = [observations[r["observation-uuid"]] for r in first["related-observations"]]
    assert any("Known malicious package" in o["description"] for o in related)
    assert any("Remove" in r["remediations"][0]["description"] for r in poam["risks"] if "malicious" in r["title"]
               or "02-echo" in r["title"] or "flatmap" in r["title"])


def test_poam_spreadsheet_rates_it_cat_i_and_says_remove_now(tmp_path):
    from openpyxl import load_workbook

    a = run(GRYPE)
    path = tmp_path / "poam.xlsx"
    path.write_bytes(rendered(a, "poam-xlsx"))
    sheet = load_workbook(path).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    echo = next(r for r in rows if any(isinstance(v, str) and "02-echo" in v and "Known malicious" in v for v in r))
    assert "I" in echo and "Very High" in echo
    assert any(isinstance(v, str) and v.startswith("Remove 02-echo 0.0.7 from the image now") for v in echo)


def test_hdf_report_html_and_pdf_view_show_it():
    a = run(GRYPE, OPENVEX)
    hdf = json.loads(rendered(a, "hdf"))
    controls = [c for p in hdf["profiles"] for c in p["controls"]]
    echo = next(c for c in controls if c.get("tags", {}).get("cveid") == "GHSA-q2q8-5wg4-g6jq")
    assert echo["impact"] == 0.7 and echo["tags"]["category"] == "CAT I" and "si-3" in echo["tags"]["nist"][2].lower()
    assert echo["results"][0]["status"] == "failed" and "does not close it" in echo["results"][0]["message"]
    html = rendered(a, "html-report").decode()
    assert "malicious package (CAT I)" in html and "Known malicious package" in html
    from scc.writers._poam_view import poam_view

    view = poam_view(json.loads(rendered(a, "oscal-poam")))
    assert view["by_severity"][0][0] == "malicious"
    assert any("Known malicious package" in row["description"] for row in view["rows"])


def test_a_cyclonedx_cwes_that_is_not_a_list_is_a_one_line_input_error(tmp_path):
    data = json.loads(VDR.read_text())
    data["vulnerabilities"][0]["cwes"] = "CWE-506"
    path = tmp_path / "bad.cdx.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"vulnerabilities\[0\]\.cwes: must be a list"):
        read_inputs([str(path)])


def test_the_scanners_own_not_affected_state_does_not_close_it(tmp_path):
    data = json.loads(TRIVY.read_text())
    data["Results"][0]["Vulnerabilities"][0]["Status"] = "not_affected"
    path = tmp_path / "trivy.json"
    path.write_text(json.dumps(data))
    flat = finding(run(path), "flatmap-stream")
    assert flat.is_open and flat.malicious.closure_set_aside == "the scanner's own state not_affected"


def test_the_rule_is_decided_by_the_no_malicious_packages_check():
    from scc.engine.rules import load_rule_packs

    rule = next(r for r in load_rule_packs() if r.id == RULE)
    assert rule.check == "no_malicious_packages" and {"si-3", "si-7", "sr-11"} <= set(rule.controls)
