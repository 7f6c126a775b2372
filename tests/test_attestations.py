"""Attestations close manual checks, never automated ones, and every view marks them as human judgments."""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from conftest import run_scc
from lxml import etree

from scc.assessment import assess
from scc.engine.attestation_files import SAF_COLUMNS
from scc.engine.attestations import load_attestations
from scc.engine.model import Verdict

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "demo-image"
EPOCH = "1795700000"            # 2026-11-26, the suite's fixed clock
PASSED = "SRG-OS-000480-GPOS-00228"      # manual in the demo image (no facts decide it)
FAILED = "SRG-APP-000516-CTR-001325"     # manual in the demo image
EXPIRED = "SRG-OS-000096-GPOS-00050"     # manual in the demo image
AUTOMATED = "cm7-no-shell"               # not-satisfied from the image's facts
XCCDF = "{http://checklists.nist.gov/xccdf/1.2}"


def _attestations_yaml(evidence: Path) -> str:
    return f"""
attestations:
  - rule: {PASSED}
    status: passed
    explanation: Reviewed the DoD-approved configuration baseline with the system owner.
    updated_by: J. Smith, ISSO
    updated: 2026-11-15
    frequency: quarterly
    evidence: {evidence.name}
  - rule: {FAILED}
    status: failed
    explanation: Security configuration guidance is not applied by the runtime.
    updated_by: A. Jones, ISSM
    updated: 2026-11-01
    expires: 2027-05-01
  - rule: {EXPIRED}
    status: passed
    explanation: Checked a year ago.
    updated_by: B. Old
    updated: 2025-09-01
    frequency: monthly
  - rule: {AUTOMATED}
    status: passed
    explanation: The shell is needed.
    updated_by: C. Wish
    updated: 2026-11-20
    frequency: annually
  - rule: SRG-NOPE-000000
    status: passed
    explanation: Typo.
    updated_by: D
    updated: 2026-11-20
    frequency: 1y
"""


@pytest.fixture(scope="module")
def attested(tmp_path_factory):
    folder = tmp_path_factory.mktemp("attest")
    evidence = folder / "baseline-review.pdf"
    evidence.write_bytes(b"%PDF-1.7 review minutes\n")
    path = folder / "attestations.yaml"
    path.write_text(_attestations_yaml(evidence))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        assessment = assess([EXAMPLE], keys=[EXAMPLE / "demo-signing.pub"], attestations=path)
    return assessment, path, evidence


def _result(assessment, rule_id):
    return next(r for r in assessment.rule_results if r.rule.id == rule_id)


def _ckl_rows(data: bytes) -> dict[str, dict[str, str]]:
    rows = {}
    for vuln in etree.fromstring(data.split(b"\n", 2)[2]).iter("VULN"):
        attributes = {d.findtext("VULN_ATTRIBUTE"): d.findtext("ATTRIBUTE_DATA") for d in vuln.iter("STIG_DATA")}
        rows[attributes["Rule_Ver"]] = {"status": vuln.findtext("STATUS"), "comments": vuln.findtext("COMMENTS")}
    return rows


def _observation(assessment, rule_id):
    document = json.loads(assessment.render("oscal-assessment-results"))
    observations = document["assessment-results"]["results"][0]["observations"]
    return next(o for o in observations if any(p["name"] == "rule-id" and p["value"] == rule_id
                                                 for p in o["props"]))


@pytest.mark.slow
def test_passed_attestation_closes_a_manual_rule_marked_as_human_judgment_in_every_view(attested):
    assessment, _path, _evidence = attested
    result = _result(assessment, PASSED)
    assert (result.verdict, result.origin, result.computed_verdict) == (Verdict.SATISFIED, "attestation",
                                                                         Verdict.MANUAL)
    observation = _observation(assessment, PASSED)
    props = {p["name"]: p["value"] for p in observation["props"]}
    assert props["origin"] == "attestation" and props["judgment"] == "human-attestation"
    assert props["attested-by"] == "J. Smith, ISSO" and props["attested-on"] == "2026-11-15"
    assert props["attestation-valid-until"] == "2027-02-15"
    assert observation["methods"] == ["INTERVIEW", "EXAMINE"]
    row = _ckl_rows(assessment.render("ckl"))[PASSED]
    assert row["status"] == "NotAFinding"
    assert "Attested by J. Smith, ISSO on 2026-11-15: Reviewed the DoD-approved" in row["comments"]
    cklb = json.loads(assessment.render("cklb"))
    rule = next(r for s in cklb["stigs"] for r in s["rules"] if r["rule_version"] == PASSED)
    assert rule["status"] == "not_a_finding" and "Attested by J. Smith, ISSO on 2026-11-15" in rule["comments"]
    xccdf = etree.fromstring(assessment.render("xccdf-results"))
    node = next(n for n in xccdf.iter(f"{XCCDF}rule-result") if n.get("version") == PASSED)
    assert node.findtext(f"{XCCDF}result") == "pass"
    assert "Attestation (human judgment" in " ".join(m.text for m in node.iter(f"{XCCDF}message"))
    component = assessment.render("oscal-component-definition").decode()
    assert f"{PASSED}: satisfied (attested)" in component


def test_attested_verdicts_are_counted_apart_from_automated_ones(attested):
    assessment, _path, _evidence = attested
    assert assessment.attested_counts()["rules"] == {"satisfied": 1, "not-satisfied": 1}
    from scc.package import manifest

    document = json.loads(manifest(assessment, {}))
    assert document["attested-verdicts"]["rules"] == {"satisfied": 1, "not-satisfied": 1}
    from scc.writers.ssp_pdf import render_html

    html = " ".join(render_html(assessment).split())
    assert re.search(r"1 of these \d+ controls rest in part on people's attestations", html)
    attested = next(r for r in assessment.rule_results if r.attestation is not None and r.verdict is Verdict.SATISFIED)
    assert attested.attestation.explanation in html and "attested: human judgment" in html


def test_failed_attestation_reads_not_satisfied_and_open_in_the_checklist(attested):
    assessment, _path, _evidence = attested
    result = _result(assessment, FAILED)
    assert (result.verdict, result.origin) == (Verdict.NOT_SATISFIED, "attestation")
    assert _ckl_rows(assessment.render("ckl"))[FAILED]["status"] == "Open"


def test_expired_attestation_returns_the_check_to_manual_with_a_note(attested):
    assessment, _path, _evidence = attested
    result = _result(assessment, EXPIRED)
    assert (result.verdict, result.origin, result.attestation) == (Verdict.MANUAL, "facts", None)
    assert any(f"{EXPIRED}" in n and "expired on 2025-10-01" in n for n in assessment.notes)


def test_attestation_never_overrides_an_automated_verdict(attested):
    assessment, _path, _evidence = attested
    result = _result(assessment, AUTOMATED)
    assert (result.verdict, result.origin, result.attestation) == (Verdict.NOT_SATISFIED, "facts", None)
    assert any(f"not applied to rule {AUTOMATED}" in n and "never an automated verdict" in n
               for n in assessment.notes)


def test_unknown_rule_id_is_a_note(attested):
    assessment, _path, _evidence = attested
    assert any("SRG-NOPE-000000" in n and "matches no rule" in n for n in assessment.notes)


def test_evidence_file_is_hashed_and_cited(attested):
    assessment, path, evidence = attested
    digest = hashlib.sha256(evidence.read_bytes()).hexdigest()
    cited = {(e.source, e.sha256) for e in _result(assessment, PASSED).evidence}
    assert (str(evidence), digest) in cited
    assert any(e.source == str(path) and e.pointer == "/attestations/0" for e in _result(assessment, PASSED).evidence)
    back_matter = json.loads(assessment.render("oscal-assessment-results"))["assessment-results"]["back-matter"]
    hashes = {h["value"] for r in back_matter["resources"] for link in r.get("rlinks", []) for h in link.get("hashes", [])}
    assert digest in hashes


def test_saf_xlsx_template_shape_is_read(tmp_path, shared_data):
    import openpyxl

    template = openpyxl.load_workbook(shared_data / "emass" / "SAF-Attestation-Template.xlsx")
    header = [c.value for c in next(template["attestations"].iter_rows(max_row=1))]
    assert [h.lower() for h in header] == list(SAF_COLUMNS)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "attestations"
    sheet.append(header)
    sheet.append([PASSED, "Reviewed with the owner.", "3m", "passed", "2026-11-15T10:00:00.000Z", "J. Smith"])
    sheet.append([None] * 6)
    sheet.append(["V-203591", "Checked.", "annually", "failed", None, "K. Lee"])
    sheet["E4"].value = __import__("datetime").datetime(2026, 10, 1)
    target = tmp_path / "saf.xlsx"
    workbook.save(target)
    attestations, _notes = load_attestations(target)
    assert [(a.target, a.kind, a.status, a.updated.isoformat(), a.expires.isoformat()) for a in attestations] == [
        (PASSED, "id", "passed", "2026-11-15", "2027-02-15"), ("V-203591", "id", "failed", "2026-10-01", "2027-10-01")]
    assert attestations[1].evidence[0].pointer == "attestations!A4"


def test_saf_json_list_is_read(tmp_path):
    path = tmp_path / "saf.json"
    path.write_text(json.dumps([{"control_id": "SV-230223", "explanation": "ok", "frequency": "1wk",
                                 "status": "passed", "updated": "2026-11-20T08:00:00.000Z", "updated_by": "Z"}]))
    (attestation,), _ = load_attestations(path)
    assert (attestation.target, attestation.expires.isoformat()) == ("SV-230223", "2026-11-27")



def test_scc_attest_appends_an_entry_that_loads_back_and_keeps_comments(capsys, tmp_path):
    path = tmp_path / "attestations.yaml"
    path.write_text("# reviewed monthly by the ISSO\nattestations:\n  - rule: a-rule\n    status: failed\n"
                    "    explanation: old\n    updated_by: X\n    updated: 2026-01-01\n    frequency: monthly\n")
    evidence = tmp_path / "minutes.txt"
    evidence.write_text("minutes")
    code, out, err = run_scc(capsys, "attest", "--file", str(path), "--rule", PASSED, "--status", "passed",
                             "--explanation", "Reviewed.", "--by", "J. Smith", "--frequency", "quarterly",
                             "--evidence", str(evidence))
    assert (code, err) == (0, "")
    assert "valid until 2027-02-26" in out
    assert path.read_text().startswith("# reviewed monthly by the ISSO\n")
    attestations, _ = load_attestations(path)
    latest = attestations[-1]
    assert (latest.target, latest.status, latest.updated_by, latest.updated.isoformat()) == (
        PASSED, "passed", "J. Smith", "2026-11-26")
    assert latest.evidence[1].sha256 == hashlib.sha256(b"minutes").hexdigest()


def test_scc_attest_refuses_a_bad_entry_with_exit_2_and_writes_nothing(capsys, tmp_path):
    path = tmp_path / "attestations.yaml"
    code, _out, err = run_scc(capsys, "attest", "--file", str(path), "--rule", PASSED, "--status", "passed",
                              "--explanation", "x", "--by", "Y", "--frequency", "sometimes")
    assert code == 2 and not path.exists()
    assert err.count("\n") == 1 and str(path) in err and "frequency 'sometimes'" in err


@pytest.mark.parametrize(("entry", "problem"), [
    ("    status: maybe\n", "status must be passed or failed"),
    ("    status: passed\n    frequency: monthly\n    expires: 2027-01-01\n", "not both"),
    ("    status: passed\n    frequency: monthly\n    colour: red\n", "unknown key 'colour'"),
])
@pytest.mark.slow
def test_malformed_attestation_is_one_line_exit_2_naming_file_and_entry(capsys, tmp_path, entry, problem):
    path = tmp_path / "bad.yaml"
    path.write_text(f"attestations:\n  - rule: {PASSED}\n    explanation: e\n    updated_by: u\n"
                    f"    updated: 2026-11-01\n{entry}")
    out = tmp_path / "ato"
    code, _out, err = run_scc(capsys, "package", str(EXAMPLE), "--key", str(EXAMPLE / "demo-signing.pub"),
                              "--attestations", str(path), "--out", str(out))
    assert code == 2 and not out.exists()
    lines = [line for line in err.splitlines() if not line.startswith("note:")]
    assert len(lines) == 1 and str(path) in lines[0] and f"attestations[0] ({PASSED})" in lines[0]
    assert problem in lines[0]
    assert os.environ["SOURCE_DATE_EPOCH"]


@pytest.mark.slow
def test_unreadable_workbook_is_one_line_exit_2(capsys, tmp_path):
    path = tmp_path / "attestations.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    code, _out, err = run_scc(capsys, "gate", str(EXAMPLE), "--attestations", str(path), "--max-cat1", "99")
    lines = [line for line in err.splitlines() if not line.startswith("note:")]
    assert code == 2 and len(lines) == 1 and str(path) in lines[0] and "not a readable xlsx workbook" in lines[0]


@pytest.mark.slow
def test_attested_outputs_still_validate_against_the_oscal_and_xccdf_schemas(attested, tmp_path):
    from validators import oscal_schema_errors, xmllint_xsd

    assessment, _path, _evidence = attested
    for writer_name, model in (("oscal-assessment-results", "assessment-results"),
                               ("oscal-component-definition", "component")):
        assert oscal_schema_errors(json.loads(assessment.render(writer_name)), model) == []
    xccdf = assessment.write("xccdf-results", tmp_path / "xccdf.xml")
    assert xmllint_xsd(xccdf).returncode == 0
