"""Findings a scanner suppressed are kept, closed, with the scanner's reason as their VEX statement.

tests/data/suppressed/grype-ignored.grype.json is the chainguard-ruby-3.0 Grype sample with one match
left in ``matches`` and five moved to ``ignoredMatches`` with the ``appliedIgnoreRules`` shapes Grype
writes (presenter/models/ignore.go: vulnerability, reason, namespace, fix-state, package{...},
vex-status, vex-justification, match-type; omitempty): a VEX not_affected, a VEX fixed, a user rule
with a reason, a package + match-type rule without one (like Grype's built-in kernel-header rules) and
a fix-state-only rule (what --only-fixed adds). Counts checked with jq: 1 match, 5 ignored.

tests/data/suppressed/debian-buster-vex.trivy.json is the debian-buster Trivy sample with one
Vulnerability left and three ExperimentalModifiedFindings in the shape of Trivy's
pkg/types/finding.go ModifiedFinding {Type, Status, Statement, Source, Finding}: not_affected (VEX),
fixed (VEX, no Statement) and ignored (.trivyignore). Both libidn2 findings carry the same vendor
advisory (VendorIDs DSA-4613-1), as Trivy writes it for the two CVEs that advisory fixed.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from scc.clock import parse_time
from scc.errors import InputError
from scc.facts import read_input, read_inputs
from scc.facts.model import FindingState

DATA = Path(__file__).parent / "data" / "suppressed"
GRYPE = DATA / "grype-ignored.grype.json"
TRIVY = DATA / "debian-buster-vex.trivy.json"


def by_key(facts):
    return {(f.id, f.package): f for f in facts.findings}


def pointers(finding):
    return [e.pointer for e in finding.evidence]


# --- Grype ignoredMatches ------------------------------------------------------------------------

def test_every_grype_ignored_match_is_a_finding_citing_its_entry():
    _, facts = read_input(str(GRYPE))
    assert len(facts.findings) == 1 + 5
    cited = sorted(p for f in facts.findings for p in pointers(f))
    assert cited == ["/ignoredMatches/0", "/ignoredMatches/1", "/ignoredMatches/2", "/ignoredMatches/3",
                     "/ignoredMatches/4", "/matches/0"]
    assert facts.scans[0].finding_count == 6


def test_grype_vex_and_ignore_rules_close_findings_with_the_rules_reason():
    facts = read_inputs([str(GRYPE)])
    found = by_key(facts)
    expected = {
        ("CVE-2023-28755", "uri"): (FindingState.NOT_AFFECTED, "vulnerable_code_not_in_execute_path", 0),
        ("GHSA-hv5j-3h9f-99c2", "uri"): (FindingState.FIXED, "VEX status fixed", 1),
        ("CVE-2023-36617", "uri"): (FindingState.NOT_AFFECTED, "uri only parses fixed, trusted URLs in this image", 2),
        ("CVE-2023-28756", "ruby-3.0"): (
            FindingState.NOT_AFFECTED,
            "grype ignore rule: match-type exact-indirect-match, package name ruby-3.0, package upstream-name ruby", 3),
    }
    scanned = parse_time("2023-05-17T21:00:56.783213-04:00")
    for key, (state, justification, index) in expected.items():
        finding = found[key]
        assert not finding.is_open and finding.state is state, key
        assert finding.vex is not None and finding.vex.justification == justification, key
        assert finding.vex.format == "grype-ignore" and finding.vex.author == "grype ignore rule"
        assert finding.vex.document.endswith("grype-ignored.grype.json")
        assert finding.vex.timestamp == scanned
        assert [e.pointer for e in finding.vex.evidence] == [f"/ignoredMatches/{index}/appliedIgnoreRules/0"]
        assert finding.vex.products == (finding.purl,) and finding.purl
    assert len(facts.vex) == 4


def test_a_grype_rule_on_fix_state_alone_leaves_the_finding_open():
    facts = read_inputs([str(GRYPE)])
    finding = by_key(facts)[("CVE-2021-33621", "ruby-3.0")]
    assert finding.is_open and finding.vex is None
    assert any("set aside only for their fix state" in note for note in facts.notes)


def test_a_grype_ignore_closes_the_vulnerability_only_in_its_own_package():
    found = by_key(read_inputs([str(GRYPE)]))
    assert found[("CVE-2023-28755", "uri")].state is FindingState.NOT_AFFECTED
    assert found[("CVE-2023-28755", "ruby-3.0")].is_open
    assert found[("CVE-2023-28755", "ruby-3.0")].vex is None


def test_malformed_applied_ignore_rules_are_one_input_error(tmp_path):
    data = json.loads(GRYPE.read_text())
    data["ignoredMatches"][0]["appliedIgnoreRules"] = "vex"
    bad = tmp_path / "bad.grype.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"ignoredMatches\[0\]\.appliedIgnoreRules"):
        read_input(str(bad))


# --- Trivy ExperimentalModifiedFindings -----------------------------------------------------------

def test_every_trivy_modified_vulnerability_is_a_finding_citing_its_entry():
    _, facts = read_input(str(TRIVY))
    assert len(facts.findings) == 1 + 3
    cited = sorted(p for f in facts.findings for p in pointers(f))
    assert cited == [f"/Results/0/ExperimentalModifiedFindings/{i}" for i in range(3)] + [
        "/Results/0/Vulnerabilities/0"]


def test_trivy_vex_and_trivyignore_close_findings_with_the_statement():
    facts = read_inputs([str(TRIVY)])
    found = by_key(facts)
    expected = {
        ("CVE-2019-18224", "libidn2-0"): (FindingState.NOT_AFFECTED, "vulnerable_code_not_in_execute_path",
                                          "OpenVEX (vex/debian-buster.openvex.json)", "trivy-vex", 0),
        ("CVE-2019-12290", "libidn2-0"): (FindingState.FIXED, "fixed per vex/debian-buster.cdx.json",
                                          "vex/debian-buster.cdx.json", "trivy-vex", 1),
        ("CVE-2022-3715", "bash"): (FindingState.NOT_AFFECTED, "accepted until the base image is rebuilt",
                                    ".trivyignore.yaml", "trivy-ignore", 2),
    }
    for key, (state, justification, document, fmt, index) in expected.items():
        finding = found[key]
        assert not finding.is_open and finding.state is state, key
        assert finding.vex.justification == justification and finding.vex.document == document, key
        assert finding.vex.format == fmt and finding.vex.timestamp == parse_time("2021-08-25T12:20:30.000000005Z")
        assert [e.pointer for e in finding.vex.evidence] == [f"/Results/0/ExperimentalModifiedFindings/{index}"]
    assert found[("CVE-2019-18276", "bash")].is_open


def test_a_shared_vendor_advisory_does_not_carry_one_suppression_to_another_cve():
    facts = read_inputs([str(TRIVY)])
    found = by_key(facts)
    assert found[("CVE-2019-18224", "libidn2-0")].state is FindingState.NOT_AFFECTED
    assert found[("CVE-2019-12290", "libidn2-0")].state is FindingState.FIXED
    assert not any("VEX conflict" in note for note in facts.notes)


def test_a_modified_secret_is_not_read_and_a_modified_list_must_be_an_array(tmp_path):
    data = json.loads(TRIVY.read_text())
    data["Results"][0]["ExperimentalModifiedFindings"].append(
        {"Type": "secret", "Status": "ignored", "Source": ".trivyignore",
         "Finding": {"RuleID": "aws-access-key-id", "Match": "AKIA-not-to-be-kept"}})
    extra = tmp_path / "extra.trivy.json"
    extra.write_text(json.dumps(data))
    _, facts = read_input(str(extra))
    assert len(facts.findings) == 4 and not facts.secrets
    data["Results"][0]["ExperimentalModifiedFindings"] = {"Type": "vulnerability"}
    extra.write_text(json.dumps(data))
    with pytest.raises(InputError, match="ExperimentalModifiedFindings"):
        read_input(str(extra))


# --- the package -----------------------------------------------------------------------------------

def _package_texts(report: Path, out: Path) -> dict[str, str]:
    subprocess.run([sys.executable, "-m", "scc.cli", "package", str(report), "--out", str(out)],
                   check=True, capture_output=True)
    pdf = subprocess.run(["pdftotext", "-layout", str(out / "ssp.pdf"), "-"], capture_output=True, text=True,
                         check=True).stdout
    with zipfile.ZipFile(out / "poam.xlsx") as book:
        xlsx = "".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
    return {"pdf": pdf, "poam": (out / "oscal-poam.json").read_text() + xlsx}


def _closed_section(pdf: str) -> str:
    start = pdf.index("Closed by VEX")
    return re.sub(r"\s+", "", pdf[start:start + 6000])


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
@pytest.mark.parametrize(("report", "closed", "reasons", "open_ids"), [
    (GRYPE, ["CVE-2023-36617", "CVE-2023-28756", "GHSA-hv5j-3h9f-99c2"],
     ["vulnerable_code_not_in_execute_path", "uri only parses fixed, trusted URLs in this image"],
     ["CVE-2023-28755", "CVE-2021-33621"]),
    (TRIVY, ["CVE-2019-18224", "CVE-2019-12290", "CVE-2022-3715"],
     ["vulnerable_code_not_in_execute_path", "accepted until the base image is rebuilt"],
     ["CVE-2019-18276"]),
])
@pytest.mark.slow
def test_suppressed_findings_are_vex_closed_in_the_ssp_and_not_poam_items(tmp_path, report, closed, reasons,
                                                                        open_ids):
    texts = _package_texts(report, tmp_path / "ato")
    assert f"Closed by VEX ({len(closed) + (1 if report == GRYPE else 0)})" in texts["pdf"]
    section = _closed_section(texts["pdf"])
    for vuln_id in closed:
        assert vuln_id.split("-", 1)[1] in section   # the table may wrap an id after its first hyphen
        assert vuln_id not in texts["poam"]
    for reason in reasons:
        assert re.sub(r"\s+", "", reason) in section
    for vuln_id in open_ids:
        assert vuln_id in texts["poam"]
