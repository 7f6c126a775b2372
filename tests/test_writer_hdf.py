"""hdf.json (Heimdall Data Format): MITRE's exec-json schema, the statuses Heimdall derives, evidence in every
result, and MITRE SAF CLI reading it (`saf view summary`, `saf convert hdf2ckl`) in agreement with scc's own
checklist and counts."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from _writer_assessment import ACCEPTED, HOSTILE_NAME, PLAN, SHA_SBOM, SHA_SCAN, SHA_VEX, build_assessment
from conftest import EXAMPLE
from test_writer_ckl import GROUP_OF, FakeContent, _benchmark, parse_ckl, saf, vulns

from scc.engine.model import Rule, Verdict
from scc.report import Attestation, RuleResult
from scc.writers import writer

__all__ = ["saf"]   # the session fixture that installs MITRE SAF CLI (tests/test_writer_ckl.py)

SCHEMA = Path(__file__).parent / "data" / "hdf" / "exec-json.schema.json"
#: CKL status -> the control status Heimdall shows (inspecjs ExecControl.compute_status)
HEIMDALL_OF_CKL = {"NotAFinding": "passed", "Open": "failed", "Not_Applicable": "not applicable",
                   "Not_Reviewed": "not reviewed"}
#: CKL status -> the count `saf view summary` puts it under
SUMMARY_OF_CKL = {"NotAFinding": "passed", "Open": "failed", "Not_Applicable": "no_impact",
                  "Not_Reviewed": "skipped"}


def hdf(assessment) -> dict:
    return json.loads(writer("hdf").render(assessment))


def heimdall_status(control: dict) -> str:
    """What Heimdall shows for a control (inspecjs 2.x compute_status, written out here independently)."""
    statuses = [r.get("status") for r in control["results"]]
    if not statuses or "error" in statuses:
        return "profile error"
    if control["impact"] == 0:
        return "not applicable"
    if "failed" in statuses:
        return "failed"
    if "passed" in statuses:
        return "passed"
    return "not reviewed" if "skipped" in statuses else "profile error"


def controls_by_id(document: dict, profile: str | None = None) -> dict[str, dict]:
    return {c["id"]: c for p in document["profiles"] if profile in (None, p["name"]) for c in p["controls"]}


def official(shared_data: Path) -> FakeContent:
    return FakeContent({"gpos-srg": _benchmark(shared_data / "disa" / "disa-os-srg-v3r2.xml"),
                        "ctr-srg": _benchmark(shared_data / "disa" / "disa-ctr-srg-v1r3.xml")})


def with_judgments():
    """The hand-built assessment plus a person's attestation closing the manual rule 'audit', and a manual
    rule evidencing the same requirement as the satisfied 'no-shell' (so that requirement reads partial)."""
    assessment = build_assessment()
    results = list(assessment.rule_results)
    audit = next(i for i, r in enumerate(results) if r.rule.id == "audit")
    attestation = Attestation(target="audit", kind="rule", status="passed", explanation="Auditd forwards to the SIEM.",
                              updated_by="J. Smith, ISSO", updated=date(2026, 11, 15), expires=date(2027, 2, 15),
                              frequency="3m", source="attestations.yaml", entry="attestations[0]")
    results[audit] = replace(results[audit], verdict=Verdict.SATISFIED, origin="attestation",
                             attestation=attestation, computed_verdict=Verdict.MANUAL)
    shell = next(r for r in results if r.rule.id == "no-shell")
    review = Rule(id="shell-review", title="A person reviews the shell", controls=("cm-7",), check="test",
                  srg=shell.rule.srg, manual="Run the image and confirm no interactive shell is reachable.")
    results.append(RuleResult(rule=review, verdict=Verdict.MANUAL, statement="Cannot be read from the facts.",
                              reason=""))
    assessment.rule_results = results
    return assessment


# -- the schema -----------------------------------------------------------------------------------------
def test_schema_refuses_what_it_should():
    """The vendored schema is live: a control without results, or an unknown status, is refused."""
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))
    document = hdf(build_assessment())
    assert not list(validator.iter_errors(document))
    broken = json.loads(json.dumps(document))
    del broken["profiles"][0]["controls"][0]["results"]
    broken["profiles"][1]["controls"][0]["results"][0]["status"] = "ok"
    assert {e.validator for e in validator.iter_errors(broken)} >= {"required", "anyOf"}


@pytest.mark.slow
@pytest.mark.parametrize("content", [False, True])
def test_hdf_validates_against_mitres_exec_json_schema(shared_data, content):
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))
    for assessment in (build_assessment(content=official(shared_data) if content else None), with_judgments()):
        errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(hdf(assessment))]
        assert errors == []


# -- what the document says -----------------------------------------------------------------------------
def test_one_profile_per_checklist_benchmark_then_rules_then_vulnerabilities():
    assessment = build_assessment()
    document = hdf(assessment)
    assert [p["name"] for p in document["profiles"]] == [
        "General_Purpose_Operating_System", "Container_Platform_SRG", "scc-rules", "scc-vulnerabilities"]
    assert document["platform"] == {"name": "scc", "release": assessment.report.scc_version,
                                    "target_id": "registry.example/team/app:1.4.2@sha256:" + "d" * 64}
    ckl = parse_ckl(writer("ckl").render(assessment))
    for profile, istig in zip(document["profiles"], ckl.iter("iSTIG"), strict=False):
        assert [c["id"] for c in profile["controls"]] == [v.find("STIG_DATA/ATTRIBUTE_DATA").text
                                                         for v in istig.iter("VULN")]
        assert profile["groups"][0]["controls"] == [c["id"] for c in profile["controls"]]
    assert [c["id"] for c in document["profiles"][2]["controls"]] == ["sbom-present"]


def test_requirement_tags_carry_disas_ids_as_the_checklist_does():
    assessment = build_assessment()
    rows = vulns(parse_ckl(writer("ckl").render(assessment)))
    for group, control in controls_by_id(hdf(assessment)).items():
        if group not in rows:
            continue
        row = rows[group]
        tags = control["tags"]
        assert (tags["gid"], tags["rid"], tags["stig_id"], tags["gtitle"], tags["severity"]) == (
            row["Vuln_Num"], row["Rule_ID"], row["Rule_Ver"], row["Group_Title"], row["Severity"])
        assert tags["cci"] == row.get("CCI_REF", [])
        assert control["title"] == row["Rule_Title"] and control["desc"] == row["Vuln_Discuss"]
    audit = controls_by_id(hdf(assessment))["V-203593"]
    assert audit["tags"]["nist"] == ["AU-2"] and audit["tags"]["scc_rules"] == ["audit"]
    root = controls_by_id(hdf(assessment))["V-203695"]
    assert root["tags"]["nist"] == ["AC-6", "AC-6 (10)"]


def test_each_verdict_reads_as_heimdall_should_with_disa_impacts():
    controls = controls_by_id(hdf(build_assessment()))
    shown = {GROUP_OF[g]: (heimdall_status(c), c["impact"]) for g, c in controls.items() if g in GROUP_OF}
    # written out by hand: satisfied passed, not-satisfied and partial failed, not-applicable impact 0, manual
    # not reviewed; CAT I 0.7, CAT II 0.5, the accepted risk's severity override (low) 0.3
    assert shown == {"no-shell": ("passed", 0.5), "non-root-user": ("failed", 0.7), "patched": ("failed", 0.5),
                     "fips": ("not applicable", 0.0), "audit": ("not reviewed", 0.5),
                     ACCEPTED: ("failed", 0.3)}
    accepted = controls["V-233163"]
    assert accepted["tags"]["severity"] == "medium" and accepted["tags"]["severityoverride"] == "low"
    assert "J. Smith (AO)" in accepted["tags"]["severityjustification"]
    assert "Orchestrator probes liveness instead." in accepted["results"][0]["message"]
    assert all(r["status"] in ("passed", "failed", "skipped") for c in controls.values() for r in c["results"])


def test_manual_results_say_what_a_person_must_check():
    controls = controls_by_id(hdf(build_assessment()))
    (audit,) = controls["V-203593"]["results"]
    assert audit["status"] == "skipped" and "message" not in audit
    assert "a person must" in audit["skip_message"]
    (not_applicable,) = controls["V-233016"]["results"]
    assert not_applicable["status"] == "skipped" and "Not applicable" in not_applicable["skip_message"]
    (partial,) = controls["V-233015"]["results"]
    assert partial["status"] == "failed" and "Partial" in partial["message"]


def test_satisfied_beside_manual_reads_failed_as_the_checklist_reads_open():
    assessment = with_judgments()
    row = vulns(parse_ckl(writer("ckl").render(assessment)))["V-203591"]
    control = controls_by_id(hdf(assessment))["V-203591"]
    assert row["STATUS"] == "Open"
    assert [r["status"] for r in control["results"]] == ["passed", "skipped", "failed"]
    assert heimdall_status(control) == "failed"
    assert "Not decided: shell-review" in control["results"][-1]["message"]
    assert "confirm no interactive shell" in control["results"][1]["skip_message"]


def test_attested_verdicts_are_marked_as_human_judgments():
    control = controls_by_id(hdf(with_judgments()))["V-203593"]
    assert control["attestation_data"] == {
        "control_id": "V-203593", "explanation": "Auditd forwards to the SIEM.", "frequency": "3m",
        "status": "passed", "updated": "2026-11-15", "updated_by": "J. Smith, ISSO"}
    (result,) = control["results"]
    assert result["status"] == "passed"
    assert result["code_desc"].startswith("Manually verified status provided through attestation")
    assert "human judgment" in result["message"] and "2027-02-15" in result["message"]
    assert heimdall_status(control) == "passed"


def test_every_result_of_an_scc_rule_cites_its_evidence_file_pointer_and_sha256():
    document = hdf(build_assessment())
    for index, rule_id in enumerate(PLAN):
        control = next(c for c in controls_by_id(document).values() if rule_id in c["tags"].get("scc_rules", ()))
        text = " ".join(r.get("message") or r.get("skip_message") for r in control["results"])
        assert f"sbom/app.cdx.json#/components/{index} (sha256 {SHA_SBOM})" in text, rule_id


def test_profiles_list_the_hashed_inputs_and_carry_their_own_digest():
    for profile in hdf(build_assessment())["profiles"]:
        inputs = {a["options"]["value"]: a["options"]["sha256"] for a in profile["attributes"] if a["name"] == "input"}
        assert inputs == {"sbom/app.cdx.json": SHA_SBOM, "scans/grype.json": SHA_SCAN, "vex/app.openvex.json": SHA_VEX}
        body = {k: v for k, v in profile.items() if k != "sha256"}
        digest = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        assert profile["sha256"] == digest


def test_vulnerabilities_are_one_control_each_as_the_grype_mapper_lays_them_out():
    controls = controls_by_id(hdf(build_assessment()), "scc-vulnerabilities")
    assert list(controls) == ["CVE-2026-0001|pkg:apk/alpine/openssl", f"CVE-2026-0002|{HOSTILE_NAME}",
                              "CVE-2026-0003|zlib", "CVE-2026-0004|busybox"]
    shown = {c["tags"]["cveid"]: (heimdall_status(c), c["impact"], c["tags"]["severity"]) for c in controls.values()}
    assert shown == {"CVE-2026-0001": ("failed", 0.9, "critical"), "CVE-2026-0002": ("failed", 0.7, "high"),
                     "CVE-2026-0003": ("not applicable", 0.0, "medium"), "CVE-2026-0004": ("failed", 0.3, "low")}
    assert all(c["tags"]["nist"] == ["RA-5", "SI-2"] for c in controls.values())
    openssl = controls["CVE-2026-0001|pkg:apk/alpine/openssl"]
    assert openssl["descriptions"] == [{"label": "fix", "data": "Upgrade openssl from 3.0.1 to 3.0.2 and rebuild "
                                                               "the image."}]
    assert f"scans/grype.json#/matches/0 (sha256 {SHA_SCAN})" in openssl["results"][0]["message"]
    assert openssl["results"][0]["start_time"] == "2026-11-10T00:00:00Z"   # when the scan first saw it
    assert openssl["tags"]["due_date"] and openssl["tags"]["due_basis"]
    closed = controls["CVE-2026-0003|zlib"]["results"][0]
    assert closed["status"] == "skipped" and "not proved by scc" in closed["skip_message"]
    assert f"vex/app.openvex.json#/statements/0 (sha256 {SHA_VEX})" in closed["skip_message"]


def test_hdf_is_byte_identical_twice_and_hostile_text_stays_text():
    assessment = build_assessment()
    assessment.rule_results[0].statement = "bad \x00\x1b[31m <script>" + HOSTILE_NAME
    first = writer("hdf").render(assessment)
    assert first == writer("hdf").render(assessment)
    message = controls_by_id(json.loads(first))["V-203591"]["results"][0]["message"]
    assert "<script>" + HOSTILE_NAME in message


# -- MITRE SAF CLI reading it ---------------------------------------------------------------------------
def _saf(saf: list[str], cwd: Path, *args: str) -> str:
    done = subprocess.run([*saf, *args], capture_output=True, text=True, timeout=600, check=False, cwd=cwd,
                          env={**os.environ, "NO_COLOR": "1"})   # saf writes saf-cli.log into its working directory
    assert done.returncode == 0, done.stderr
    return done.stdout


def _heimdall_severity(control: dict) -> str:
    tags = control["tags"]
    return tags.get("severityoverride") or tags["severity"]


def scc_counts(assessment, document: dict) -> dict[str, dict[str, Counter]]:
    """scc's own counts per profile, taken from checklist.ckl, the rule verdicts and the findings."""
    counts: dict[str, dict[str, Counter]] = {}
    ckl = parse_ckl(writer("ckl").render(assessment))
    for istig in ckl.iter("iSTIG"):
        stig_id = next(d.findtext("SID_DATA") for d in istig.iterfind("STIG_INFO/SI_DATA")
                       if d.findtext("SID_NAME") == "stigid")
        per: dict[str, Counter] = {}
        for vuln in istig.iter("VULN"):
            data = {d.findtext("VULN_ATTRIBUTE"): d.findtext("ATTRIBUTE_DATA") for d in vuln.iterfind("STIG_DATA")}
            severity = vuln.findtext("SEVERITY_OVERRIDE") or data["Severity"]
            per.setdefault(SUMMARY_OF_CKL[vuln.findtext("STATUS")], Counter())[severity] += 1
        counts[stig_id] = per
    rules: dict[str, Counter] = {}
    for result in assessment.rule_results:
        if not result.rule.srg:
            rules.setdefault(SUMMARY_OF_CKL[result.verdict.ckl_status], Counter())[result.severity] += 1
    counts["scc-rules"] = rules
    findings: dict[str, Counter] = {}
    for finding in assessment.facts.findings:
        kind = "failed" if finding.is_open else ("no_impact" if "not_affected" in (
            finding.state.value, finding.vex.status.value if finding.vex else "") else "passed")
        findings.setdefault(kind, Counter())[finding.severity.value] += 1
    counts["scc-vulnerabilities"] = findings
    assert set(counts) == {p["name"] for p in document["profiles"]}
    return counts


def summary_counts(entry: dict) -> dict[str, Counter]:
    return {kind: Counter({s: n for s, n in entry[kind].items() if s != "total" and n})
            for kind in ("passed", "failed", "skipped", "error", "no_impact") if entry[kind]["total"]}


def assert_saf_summary_agrees(saf: list[str], assessment, tmp_path: Path) -> None:
    """`saf view summary` summarises the first profile of a file: each profile is given as its own file."""
    document = hdf(assessment)
    files = []
    for index, profile in enumerate(document["profiles"]):
        files.append(tmp_path / f"profile-{index}.json")
        files[-1].write_text(json.dumps({**document, "profiles": [profile]}))
    whole = tmp_path / "hdf.json"
    whole.write_text(json.dumps(document))
    summary = json.loads(_saf(saf, tmp_path, "view", "summary", "-i", *map(str, files), "-f", "json",
                              "--no-print-pretty"))
    ours = scc_counts(assessment, document)
    by_file = {tuple(entry["resultSets"]): entry for entry in summary}   # saf adds up files of one profile name
    for path, profile in zip(files, document["profiles"], strict=True):
        entry = by_file[(path.name,)]
        assert entry["profileName"] == profile["name"]
        assert summary_counts(entry) == ours[profile["name"]], profile["name"]
        assert sum(entry[k]["total"] for k in ("passed", "failed", "skipped", "no_impact")) == len(profile["controls"])
    (first,) = json.loads(_saf(saf, tmp_path, "view", "summary", "-i", str(whole), "-f", "json", "--no-print-pretty"))
    assert summary_counts(first) == ours[document["profiles"][0]["name"]]


@pytest.mark.slow
def test_saf_view_summary_agrees_with_scc_counts(saf, tmp_path):
    assert_saf_summary_agrees(saf, with_judgments(), tmp_path)


@pytest.mark.slow
def test_saf_view_summary_agrees_on_the_shipped_example(saf, tmp_path, with_content):
    import scc

    assessment = scc.assess([EXAMPLE], keys=[EXAMPLE / "demo-signing.pub"], overrides=EXAMPLE / "overrides.yaml",
                            baseline="moderate")
    assert_saf_summary_agrees(saf, assessment, tmp_path)


def assert_hdf2ckl_agrees(saf: list[str], assessment, tmp_path: Path) -> None:
    """saf's checklist from hdf.json has scc's checklist.ckl status for every requirement of every benchmark."""
    source = tmp_path / "hdf.json"
    source.write_bytes(writer("hdf").render(assessment))
    _saf(saf, tmp_path, "convert", "hdf2ckl", "-i", str(source), "-o", str(tmp_path / "from-hdf.ckl"))
    theirs = parse_ckl((tmp_path / "from-hdf.ckl").read_bytes())
    ours = parse_ckl(writer("ckl").render(assessment))

    def per_benchmark(root) -> dict[str, dict[str, str]]:
        found = {}
        for istig in root.iter("iSTIG"):
            stig_id = next(d.findtext("SID_DATA") for d in istig.iterfind("STIG_INFO/SI_DATA")
                           if d.findtext("SID_NAME") == "stigid")
            found[stig_id] = {v.find("STIG_DATA/ATTRIBUTE_DATA").text: v.findtext("STATUS") for v in istig.iter("VULN")}
        return found

    expected, got = per_benchmark(ours), per_benchmark(theirs)
    assert {name: got[name] for name in expected} == expected
    rules = {r.rule.id: r.verdict.ckl_status for r in assessment.rule_results if not r.rule.srg}
    assert got.get("scc-rules", {}) == rules
    rows = vulns(theirs)
    for group, row in vulns(ours).items():   # ids and severities survive the round trip
        assert (rows[group]["Rule_ID"], rows[group]["Rule_Ver"], rows[group]["Severity"]) == (
            row["Rule_ID"], row["Rule_Ver"], row["Severity"])


@pytest.mark.slow
@pytest.mark.parametrize("content", [False, True])
def test_saf_hdf2ckl_gives_scc_checklist_statuses(saf, tmp_path, shared_data, content):
    assessment = build_assessment(content=official(shared_data) if content else None)
    assert_hdf2ckl_agrees(saf, assessment, tmp_path)


@pytest.mark.slow
def test_saf_hdf2ckl_agrees_with_judgments(saf, tmp_path):
    assert_hdf2ckl_agrees(saf, with_judgments(), tmp_path)


# -- Heimdall itself: Heimdall Lite (it comes with SAF CLI) in Debian's headless chromium -------------------
@pytest.fixture
def heimdall_lite(saf: list[str]):
    """http://127.0.0.1:PORT/ served by the Heimdall Lite that SAF CLI installs (its own server.js)."""
    import shutil
    import socket
    import time
    import urllib.request

    server = Path(saf[0]).parent.parent / "@mitre" / "heimdall-lite" / "src" / "server.js"   # node_modules/.bin/saf
    if not server.is_file() or shutil.which("node") is None:
        pytest.skip(f"Heimdall Lite is not installed with SAF CLI ({server})")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(["node", str(server), str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(60):
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.slow
def test_heimdall_lite_opens_hdf_json_and_shows_scc_counts(heimdall_lite, tmp_path):
    import shutil

    playwright = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed")
    assessment = with_judgments()
    document = hdf(assessment)
    source = tmp_path / "hdf.json"
    source.write_text(json.dumps(document))
    expected = Counter()
    for counts in scc_counts(assessment, document).values():
        expected.update({kind: sum(c.values()) for kind, c in counts.items()})
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(heimdall_lite, timeout=120_000)
        page.locator("input[type=file]").first.set_input_files(str(source))
        page.get_by_text("Not Reviewed:").first.wait_for(timeout=120_000)
        page.screenshot(path=str(tmp_path / "heimdall.png"))
        shown = {label: int(page.get_by_text(f"{label}:").first.inner_text().split(":")[1])
                 for label in ("Passed", "Failed", "Not Applicable", "Not Reviewed")}
        browser.close()
    assert shown == {"Passed": expected["passed"], "Failed": expected["failed"],
                     "Not Applicable": expected["no_impact"], "Not Reviewed": expected["skipped"]}
