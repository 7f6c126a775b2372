"""A person's attestation of an SSDF task (``ssdf: PO.1.1``) or CISA form item (``cisa: 1b``): recorded on
the task or item next to what the evidence shows, never instead of it, in ssdf.json and the CISA appendix."""
from __future__ import annotations

import hashlib
import html
import json
from pathlib import Path

import jsonschema
import pytest
from conftest import EXAMPLE, REPO, run_scc

from scc import assess
from scc.engine.attestations import load_attestations
from scc.errors import InputError
from scc.writers import writer

EPOCH = "1795700000"            # 2026-11-26, the suite's fixed clock
KEY = EXAMPLE / "demo-signing.pub"
SCHEMA = REPO / "frameworks" / "ssdf-evidence.schema.json"
PARTIAL = "PW.9.2"              # partial in the demo image: its secure-default rules are satisfied, not the whole task

ENTRIES = """
attestations:
  - ssdf: PO.1.1
    status: passed
    explanation: Security requirements for development are kept in the SDLC policy (rev. 7), reviewed with the CISO.
    updated_by: R. Patel, Product Security Lead
    updated: 2026-11-10
    frequency: annually
    evidence: sdlc-policy-rev7.pdf
  - ssdf: po.2.1
    status: failed
    explanation: No security training records exist for the build team hired this year.
    updated_by: R. Patel, Product Security Lead
    updated: 2026-11-12
    expires: 2027-05-12
  - ssdf: PO.1.2
    status: passed
    explanation: Reviewed the third-party requirements last year.
    updated_by: B. Old
    updated: 2025-06-01
    frequency: 6m
  - ssdf: PO.1.3
    status: passed
    explanation: Will be reviewed next month.
    updated_by: C. Early
    updated: 2026-12-20
    frequency: annually
  - ssdf: PW.9.2
    status: passed
    explanation: The administrator guide documents every secure default of the release.
    updated_by: R. Patel, Product Security Lead
    updated: 2026-11-10
    frequency: annually
  - ssdf: PW.4.1
    status: passed
    explanation: Third-party components are vetted by the supplier review board.
    updated_by: R. Patel, Product Security Lead
    updated: 2026-11-10
    frequency: annually
  - cisa: 1(b)
    status: passed
    explanation: Build system audit logs are forwarded to the SIEM and reviewed weekly.
    updated_by: R. Patel, Product Security Lead
    updated: 2026-11-10
    frequency: quarterly
"""


def _assess(attestations: Path | None):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return assess([EXAMPLE], keys=[KEY], attestations=attestations)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ssdf-attest")
    (folder / "sdlc-policy-rev7.pdf").write_bytes(b"%PDF-1.7 SDLC policy rev 7\n")
    path = folder / "attestations.yaml"
    path.write_text(ENTRIES)
    after = _assess(path)
    return _assess(None).report, after.report, path, after


@pytest.fixture(scope="module")
def document(runs) -> dict:
    return json.loads(writer("ssdf-json").render(runs[1]))


@pytest.fixture(scope="module")
def appendix(runs) -> str:
    return html.unescape(writer("ssdf-cisa").render(runs[1]).decode())


def _task(document: dict, task_id: str) -> dict:
    return next(t for t in document["ssdf_tasks"] if t["id"] == task_id)


def test_a_task_with_no_rule_takes_the_attested_status_as_a_human_judgment(runs, document):
    before = runs[0]
    assert before.ssdf.task("PO.1.1").verdict.value == "manual"
    task = _task(document, "PO.1.1")
    assert (task["result"], task["origin"], task["automated_result"], task["needs_person"]) == (
        "satisfied", "attestation", "manual", False)
    attestation = task["attestation"]
    assert (attestation["attested_by"], attestation["attested_on"], attestation["valid_until"], attestation["role"]) == (
        "R. Patel, Product Security Lead", "2026-11-10", "2027-11-10", "decides")
    assert "SDLC policy (rev. 7)" in attestation["explanation"] and "human judgment" in task["reason"]


def test_the_evidence_file_is_cited_by_its_sha256(runs, document):
    files = _task(document, "PO.1.1")["attestation"]["evidence"]
    assert [(Path(e["source"]).name, e["sha256"]) for e in files] == [
        ("sdlc-policy-rev7.pdf", hashlib.sha256(b"%PDF-1.7 SDLC policy rev 7\n").hexdigest())]
    entry = _task(document, "PO.1.1")["attestation"]["entry"]
    assert entry["source"] == str(runs[2]) and entry["pointer"] == "/attestations/0"
    assert entry["sha256"] == hashlib.sha256(runs[2].read_bytes()).hexdigest()


def test_a_partial_task_keeps_its_verdict_and_shows_the_persons_statement(runs, document):
    before = runs[0]
    assert before.ssdf.task(PARTIAL).verdict.value == "partial"
    task = _task(document, PARTIAL)
    assert (task["result"], task["origin"], task["automated_result"]) == ("partial", "rules", "partial")
    assert task["attestation"]["role"] == "statement" and "administrator guide" in task["attestation"]["explanation"]


def test_a_failed_attestation_makes_the_task_not_satisfied_with_its_explanation(document):
    task = _task(document, "PO.2.1")
    assert (task["result"], task["origin"], task["automated_result"]) == ("not-satisfied", "attestation", "manual")
    assert "No security training records" in task["reason"]


def test_expired_and_future_dated_attestations_do_not_apply_and_give_a_note(runs, document):
    after, path = runs[1:3]
    for task_id in ("PO.1.2", "PO.1.3"):
        task = _task(document, task_id)
        assert (task["result"], task["attestation"], task["needs_person"]) == ("manual", None, True)
    assert "expired on 2025-12-01" in _task(document, "PO.1.2")["attestation_note"]
    notes = "\n".join(after.override_notes)
    assert f"SSDF task PO.1.2 ({path} attestations[2])" in notes and "expired on 2025-12-01" in notes
    assert "SSDF task PO.1.3" in notes and "after the assessment day 2026-11-26" in notes


def test_a_passed_attestation_never_lifts_a_task_the_evidence_contradicts(runs, document):
    task = _task(document, "PW.4.1")
    assert (task["result"], task["origin"], task["attestation"], task["needs_person"]) == (
        "not-satisfied", "rules", None, True)
    assert "does not apply" in task["attestation_note"]
    assert any("SSDF task PW.4.1" in n and "never replaces" in n for n in runs[1].override_notes)


def test_a_cisa_item_is_attested_and_the_appendix_shows_the_person_not_the_person_check(runs, document, appendix):
    item = next(i for i in document["cisa_items"] if i["id"] == "1b")
    assert (item["result"], item["origin"]) == ("satisfied", "attestation")
    block = appendix.split("Item 1(b):", 1)[1].split('<div class="item">', 1)[0]
    assert "Attested passed by R. Patel, Product Security Lead on 2026-11-10" in block
    assert "forwarded to the SIEM" in block and "A person must check" not in block
    assert "Supported by the evidence" not in block and "Attested by a person (human judgment" in block
    assert hashlib.sha256(b"%PDF-1.7 SDLC policy rev 7\n").hexdigest() in appendix   # PO.1.1 in the task table


def test_automated_results_never_change(runs):
    before, after = runs[:2]
    def rules(report):
        return [(r.rule.id, r.verdict, r.origin, r.statement, tuple(r.evidence)) for r in report.rule_results]
    assert rules(before) == rules(after)
    assert [(c.control_id, c.verdict) for c in before.control_results] == [
        (c.control_id, c.verdict) for c in after.control_results]
    changed = {t.practice.id for t, u in zip(before.ssdf.tasks, after.ssdf.tasks, strict=True) if t.verdict != u.verdict}
    assert changed == {"PO.1.1", "PO.2.1"}
    assert all(u.automated_verdict == t.verdict for t, u in zip(before.ssdf.tasks, after.ssdf.tasks, strict=True))


def test_attested_tasks_are_counted_apart_and_the_document_validates(runs, document):
    before, after = runs[:2]
    assert "ssdf_tasks" not in before.attested_counts()
    counts = after.attested_counts()
    assert counts["ssdf_tasks"] == {"satisfied": 1, "not-satisfied": 1, "partial": 1}
    assert counts["cisa_items"] == {"satisfied": 1}
    assert counts["rules"] == before.attested_counts()["rules"]
    from scc.package import manifest

    assert json.loads(manifest(runs[3], {}))["attested-verdicts"]["ssdf_tasks"] == counts["ssdf_tasks"]
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(document)


@pytest.mark.parametrize(("entry", "problem"), [
    ("ssdf: PO.9.9", "ssdf 'PO.9.9' is not an SSDF task of frameworks/ssdf.yaml"),
    ("cisa: 5z", "cisa '5z' is not a CISA form item of frameworks/ssdf.yaml"),
    ("ssdf: PO.1.1\n    rule: cm7-no-shell", "give exactly one of rule, control, control_id, ssdf or cisa"),
])
def test_an_unknown_task_or_item_is_an_input_error_naming_the_file_and_entry(tmp_path, entry, problem):
    path = tmp_path / "attestations.yaml"
    path.write_text(f"attestations:\n  - {entry}\n    status: passed\n    explanation: e\n    updated_by: u\n"
                    "    updated: 2026-11-01\n    frequency: monthly\n")
    with pytest.raises(InputError) as raised:
        load_attestations(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: attestations[0] (") and problem in message and "\n" not in message


@pytest.mark.slow
def test_an_unknown_task_in_a_package_run_is_one_line_exit_2(capsys, tmp_path):
    path = tmp_path / "attestations.yaml"
    path.write_text("attestations:\n  - ssdf: PO.7.1\n    status: passed\n    explanation: e\n    updated_by: u\n"
                    "    updated: 2026-11-01\n    frequency: monthly\n")
    out = tmp_path / "ato"
    code, _out, err = run_scc(capsys, "package", str(EXAMPLE), "--key", str(KEY), "--attestations", str(path),
                              "--out", str(out))
    lines = [line for line in err.splitlines() if not line.startswith("note:")]
    assert code == 2 and not out.exists()
    assert len(lines) == 1 and str(path) in lines[0] and "attestations[0] (PO.7.1)" in lines[0]


def test_scc_attest_ssdf_and_cisa_append_entries_that_load_back(capsys, tmp_path):
    path = tmp_path / "attestations.yaml"
    evidence = tmp_path / "isolation-review.pdf"
    evidence.write_bytes(b"review")
    code, out, err = run_scc(capsys, "attest", "--file", str(path), "--ssdf", "po.5.1", "--status", "passed",
                             "--explanation", "Build runners are ephemeral and isolated per job.", "--by", "R. Patel",
                             "--date", "2026-11-10", "--frequency", "quarterly", "--evidence", str(evidence))
    assert (code, err) == (0, "") and "attested passed for PO.5.1, valid until 2027-02-10" in out
    code, out, err = run_scc(capsys, "attest", "--file", str(path), "--cisa", "4(c)", "--status", "failed",
                             "--explanation", "No disclosure policy is published.", "--by", "R. Patel",
                             "--date", "2026-11-10", "--expires", "2027-01-31")
    assert (code, err) == (0, "") and "for 4c" in out
    attestations, _ = load_attestations(path)
    assert [(a.kind, a.target, a.status) for a in attestations] == [("ssdf", "PO.5.1", "passed"),
                                                                   ("cisa", "4c", "failed")]
    assert attestations[0].evidence[1].sha256 == hashlib.sha256(b"review").hexdigest()


def test_scc_attest_refuses_an_unknown_task_and_writes_nothing(capsys, tmp_path):
    path = tmp_path / "attestations.yaml"
    code, _out, err = run_scc(capsys, "attest", "--file", str(path), "--ssdf", "PO.6.1", "--status", "passed",
                              "--explanation", "x", "--by", "Y", "--frequency", "monthly")
    assert code == 2 and not path.exists()
    assert err.count("\n") == 1 and "ssdf 'PO.6.1' is not an SSDF task" in err
