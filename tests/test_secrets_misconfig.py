"""Embedded secrets and failed misconfigurations: read from Trivy JSON and SARIF without ever keeping the
secret, merged across the two formats, decided by no_embedded_secrets / no_failed_misconfigurations in
every branch, and absent from every output of a real package.

The files under tests/data/trivy/ keep the field sets of Trivy's own outputs: the Secrets entries of
integration/testdata/secrets.json.golden, the Misconfigurations of dockerfile.json.golden (both
aquasecurity/trivy), the image Metadata of alpine-310.json.golden, and the SARIF shape written by
pkg/report/sarif.go (rule name "Secret"/"Misconfiguration", tags [kind, "security", SEVERITY]).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import FIXTURE_IMAGE

from scc.engine.checks import CheckContext, registry
from scc.engine.model import Verdict
from scc.errors import InputError
from scc.facts import read_input, read_inputs
from scc.facts.model import Evidence, ImageFacts, Misconfiguration, ScanRecord, SecretFinding, Severity
from scc.facts.summary import merged_summary, render_facts_report

DATA = Path(__file__).parent / "data" / "trivy"
IMAGE_JSON = DATA / "image-secrets-misconfig.trivy.json"
IMAGE_SARIF = DATA / "image-secrets.trivy.sarif.json"
DOCKERFILE_PASS = DATA / "dockerfile-pass.trivy.json"
CTX = CheckContext(now=datetime(2026, 1, 1, tzinfo=UTC))
S, NS, P, M = Verdict.SATISFIED, Verdict.NOT_SATISFIED, Verdict.PARTIAL, Verdict.MANUAL


def run(name: str, facts: ImageFacts, **params):
    spec = registry()[name]
    return spec.function(facts, spec.params(**params), CTX)


def secret_texts(path: Path) -> list[str]:
    """Every Match and every code line of the raw report (what must never leave it), from the raw JSON."""
    data = json.loads(path.read_text())
    found = []
    for result in data.get("Results", []):
        for secret in result.get("Secrets") or []:
            found.append(secret["Match"])
            found.extend(line["Content"] for line in secret["Code"]["Lines"] if line["Content"])
    return found


def sarif_secret_texts(path: Path) -> list[str]:
    """The fullDescription of Trivy's secret rules: the match."""
    rules = json.loads(path.read_text())["runs"][0]["tool"]["driver"]["rules"]
    return [r["fullDescription"]["text"] for r in rules if r["name"] == "Secret"]


def raw_counts(path: Path) -> tuple[int, int, int]:
    data = json.loads(path.read_text())
    secrets = sum(len(r.get("Secrets") or []) for r in data["Results"])
    misconfs = [m for r in data["Results"] for m in r.get("Misconfigurations") or []]
    return secrets, sum(m["Status"] == "FAIL" for m in misconfs), sum(m["Status"] == "PASS" for m in misconfs)


# -- readers ----------------------------------------------------------------------------------
def test_trivy_json_secrets_and_failed_misconfigurations_counted_from_the_raw_report():
    assert raw_counts(IMAGE_JSON) == (3, 2, 1)
    record, facts = read_input(str(IMAGE_JSON))
    assert len(facts.secrets) == 3 and len(facts.misconfigurations) == 2   # the PASS check is not a finding
    assert dict(record.counts)["secrets"] == 3 and dict(record.counts)["misconfigurations"] == 2
    assert [(s.rule_id, s.category, s.severity, s.path, s.line) for s in facts.secrets] == [
        ("aws-access-key-id", "AWS", Severity.CRITICAL, "app/deploy.sh", 3),
        ("mysecret", "Custom", Severity.HIGH, "app/deploy.sh", 7),
        ("private-key", "AsymmetricPrivateKey", Severity.HIGH, "etc/ssl/private/server.key", 1),
    ]
    assert facts.secrets[1].evidence[0].pointer == "/Results/1/Secrets/1"
    ds002, ds026 = facts.misconfigurations
    assert (ds002.id, ds002.severity, ds002.status, ds002.path) == ("DS002", Severity.HIGH, "FAIL", "Dockerfile")
    assert ds002.resolution == "Add 'USER <non root user name>' line to the Dockerfile"
    assert (ds026.id, ds026.severity) == ("DS026", Severity.LOW)
    assert ds026.evidence[0].pointer == "/Results/3/Misconfigurations/1"
    scan = facts.scans[0]
    assert scan.kinds == ("vuln", "secret", "misconfig") and scan.artifact_type == "container_image"


def test_no_secret_text_in_the_facts_or_their_summary():
    texts = secret_texts(IMAGE_JSON)
    assert any("ghp_" in t for t in texts)       # Trivy's context lines can hold an unmasked secret
    facts = read_inputs([str(IMAGE_JSON), str(IMAGE_SARIF)])
    summary = json.dumps(merged_summary(facts))
    rendered = render_facts_report({"inputs": [], "merged": merged_summary(facts)})
    for text in texts + sarif_secret_texts(IMAGE_SARIF):
        assert text not in repr(facts) and text not in summary and text not in rendered, text
    assert "aws-access-key-id (critical) in app/deploy.sh:3" in rendered


def test_trivy_config_report_with_only_passed_checks_is_a_clean_misconfiguration_scan():
    assert raw_counts(DOCKERFILE_PASS) == (0, 0, 1)
    _, facts = read_input(str(DOCKERFILE_PASS))
    assert facts.misconfigurations == [] and facts.secrets == []
    assert facts.scans[0].kinds == ("misconfig",) and facts.scans[0].artifact_type == "repository"


def test_a_plain_trivy_image_report_is_a_vulnerability_scan_without_secrets():
    _, facts = read_input(str(FIXTURE_IMAGE / "scan.trivy.json"))
    assert [f.id for f in facts.findings] == ["CVE-2099-0002"]
    assert facts.secrets == [] and facts.misconfigurations == []
    assert facts.scans[0].kinds == ("vuln",) and facts.scans[0].artifact_type == "container_image"


def test_trivy_sarif_secret_and_misconfiguration_results_are_not_vulnerabilities():
    rules = json.loads(IMAGE_SARIF.read_text())["runs"][0]["tool"]["driver"]["rules"]
    assert [r["name"] for r in rules] == ["OsPackageVulnerability", "Secret", "Secret", "Misconfiguration"]
    _, facts = read_input(str(IMAGE_SARIF))
    assert [f.id for f in facts.findings] == ["CVE-2024-5535"]
    assert [(s.rule_id, s.severity, s.path, s.line, s.title) for s in facts.secrets] == [
        ("aws-access-key-id", Severity.CRITICAL, "app/deploy.sh", 3, "AWS Access Key ID"),
        ("private-key", Severity.HIGH, "etc/ssl/private/server.key", 1, "Asymmetric Private Key"),
    ]
    (ds002,) = facts.misconfigurations
    assert (ds002.id, ds002.severity, ds002.path, ds002.title) == (
        "DS002", Severity.HIGH, "Dockerfile", "Image user should not be 'root'")
    assert ds002.message == "Specify at least 1 USER command in Dockerfile with non-root user as argument"
    scan = facts.scans[0]
    assert scan.finding_count == 1 and scan.kinds == ("vuln", "secret", "misconfig")
    assert scan.artifact_type == "container_image"


def test_json_and_sarif_of_one_scan_give_one_secret_per_spot_with_both_evidences():
    facts = read_inputs([str(IMAGE_JSON), str(IMAGE_SARIF)])
    assert [s.rule_id for s in facts.secrets] == ["aws-access-key-id", "mysecret", "private-key"]
    assert {e.source.rsplit("/", 1)[-1] for e in facts.secrets[0].evidence} == {IMAGE_JSON.name, IMAGE_SARIF.name}
    assert [m.id for m in facts.misconfigurations] == ["DS002", "DS026"]
    assert len(facts.misconfigurations[0].evidence) == 2


@pytest.mark.parametrize("edit, field", [
    (lambda d: d["Results"][1].__setitem__("Secrets", {"RuleID": "x"}), "Results[1].Secrets"),
    (lambda d: d["Results"][1]["Secrets"][0].pop("RuleID"), "Results[1].Secrets[0].RuleID"),
    (lambda d: d["Results"][1]["Secrets"][0].__setitem__("StartLine", "three"), "Secrets[0].StartLine"),
    (lambda d: d["Results"][3]["Misconfigurations"][0].__setitem__("Severity", ["HIGH"]),
     "Misconfigurations[0].Severity"),
])
def test_malformed_secret_or_misconfiguration_is_one_input_error(tmp_path, edit, field):
    data = json.loads(IMAGE_JSON.read_text())
    edit(data)
    path = tmp_path / "bad.trivy.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as error:
        read_input(str(path))
    assert field in str(error.value)
    for text in secret_texts(IMAGE_JSON):
        assert text not in str(error.value)


# -- checks -----------------------------------------------------------------------------------
EV = Evidence("trivy.json", "e" * 64, "")


def trivy_scan(version: str = "0.58.1", artifact_type: str = "container_image", kinds=("vuln",)) -> ScanRecord:
    return ScanRecord("trivy", version, target="example/app:1", evidence=(EV,), kinds=kinds,
                      artifact_type=artifact_type)


def secret(rule: str, path: str, line: int, severity: str = "critical") -> SecretFinding:
    return SecretFinding(rule, "AWS", Severity(severity), "title", path, line, "trivy",
                         (Evidence("trivy.json", "e" * 64, f"/Results/1/Secrets/{line}"),))


def misconf(check_id: str, severity: str, status: str = "FAIL") -> Misconfiguration:
    return Misconfiguration(check_id, f"{check_id} title", Severity(severity), status, "Dockerfile", "msg",
                            "fix", "trivy", (Evidence("trivy.json", "e" * 64, f"/Results/3/{check_id}"),))


def test_secrets_found_are_not_satisfied_naming_rules_and_files_only():
    facts = ImageFacts(scans=[trivy_scan(kinds=("vuln", "secret"))],
                       secrets=[secret("private-key", "etc/key.pem", 1, "high"), secret("aws-access-key-id", "app/x", 3)])
    result = run("no_embedded_secrets", facts)
    assert result.verdict is NS
    assert "2 embedded secrets found in 2 files" in result.reason
    assert result.reason.index("aws-access-key-id in app/x:3") < result.reason.index("private-key in etc/key.pem:1")
    assert result.details["by_severity"] == {"critical": 1, "high": 1}
    assert [r["rule_id"] for r in result.details["secrets"]] == ["aws-access-key-id", "private-key"]
    assert len(result.evidence) == 2


def test_clean_trivy_image_scan_without_proof_the_secret_scanner_ran_is_manual():
    result = run("no_embedded_secrets", ImageFacts(scans=[trivy_scan()]))
    assert result.verdict is M and result.details["assumed"] is True
    assert "does not record which scanners ran" in result.reason and "trivy.json" in result.reason
    assert "--scanners vuln" in result.reason and result.evidence == (EV,)
    shown = run("no_embedded_secrets", ImageFacts(scans=[trivy_scan(kinds=("vuln", "secret"))]))
    assert shown.verdict is S and "shows its secret scanner ran" in shown.reason


@pytest.mark.parametrize("scans, hint", [
    ([], ""),
    ([ScanRecord("grype", "0.80", evidence=(Evidence("grype.json", "b" * 64),))], "grype (grype.json)"),
    ([trivy_scan(version="0.26.0")], "trivy (trivy.json)"),               # before Trivy had a secret scanner
    ([trivy_scan(artifact_type="repository", kinds=("misconfig",))], "trivy (trivy.json)"),   # trivy config
    ([trivy_scan(artifact_type="cyclonedx")], "trivy (trivy.json)"),      # trivy sbom: no files to scan
])
def test_no_secret_capable_scan_is_manual(scans, hint):
    result = run("no_embedded_secrets", ImageFacts(scans=scans))
    assert result.verdict is M and "supply a Trivy scan of the image" in result.reason
    assert hint in result.reason


def test_failed_high_misconfiguration_is_not_satisfied_and_pass_never_counts():
    facts = ImageFacts(scans=[trivy_scan(kinds=("misconfig",))],
                       misconfigurations=[misconf("DS026", "low"), misconf("DS002", "high"), misconf("DS001", "medium", "PASS")])
    result = run("no_failed_misconfigurations", facts)
    assert result.verdict is NS
    assert result.details["failed_count"] == 2 and result.details["serious_count"] == 1
    assert "DS002 (high) in Dockerfile" in result.reason and "DS001" not in result.reason


def test_only_lower_severity_failures_are_partial():
    facts = ImageFacts(scans=[trivy_scan(kinds=("misconfig",))], misconfigurations=[misconf("DS026", "low")])
    result = run("no_failed_misconfigurations", facts)
    assert result.verdict is P and "none critical/high" in result.reason and "CM-6 c" in result.reason
    assert run("no_failed_misconfigurations", facts, severities=["low"]).verdict is NS


def test_clean_misconfiguration_scan_is_satisfied_and_no_scan_is_manual():
    clean = run("no_failed_misconfigurations", ImageFacts(scans=[trivy_scan(kinds=("misconfig",))]))
    assert clean.verdict is S and "trivy.json" in clean.reason
    missing = run("no_failed_misconfigurations", ImageFacts(scans=[trivy_scan()]))
    assert missing.verdict is M and "--scanners misconfig" in missing.reason


@pytest.mark.slow
def test_rules_on_the_real_shaped_reports():
    from scc.assessment import Assessment

    facts = read_inputs([str(IMAGE_JSON)])
    results = {r.rule.id: r for r in Assessment(facts, assessed_at=CTX.now).rule_results}
    assert results["ia5-no-embedded-secrets"].verdict is NS
    assert results["ia5-no-embedded-secrets"].rule.controls == ("ia-5.7", "ia-5")
    assert results["cm6-no-failed-misconfigurations"].verdict is NS
    clean = read_inputs([str(DOCKERFILE_PASS)])
    results = {r.rule.id: r for r in Assessment(clean, assessed_at=CTX.now).rule_results}
    assert results["cm6-no-failed-misconfigurations"].verdict is S
    assert results["ia5-no-embedded-secrets"].verdict is M     # a `trivy config` report scans no image files


# -- outputs ----------------------------------------------------------------------------------
def _output_texts(out: Path) -> dict[str, str]:
    texts = {}
    for path in sorted(out.iterdir()):
        if path.suffix == ".pdf":
            texts[path.name] = subprocess.run(["pdftotext", str(path), "-"], check=True,
                                              capture_output=True, text=True).stdout
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                texts[path.name] = "".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
        else:
            texts[path.name] = path.read_text(encoding="utf-8")
    return texts


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_no_secret_text_in_any_package_output(tmp_path):
    out = tmp_path / "ato"
    subprocess.run([sys.executable, "-m", "scc.cli", "package", str(IMAGE_JSON), str(IMAGE_SARIF),
                    "--out", str(out)], check=True, capture_output=True)
    texts = _output_texts(out)
    assert {"ssp.pdf", "poam.xlsx", "checklist.ckl", "oscal-assessment-results.json"} <= set(texts)
    assert "aws-access-key-id" in texts["oscal-assessment-results.json"]   # the finding is reported ...
    assert "aws-access-key" in texts["ssp.pdf"]     # pdftotext joins a line broken after "key-" as "keyid"
    leaks = [text for text in secret_texts(IMAGE_JSON) + sarif_secret_texts(IMAGE_SARIF) if len(text) > 10]
    assert leaks
    for name, body in texts.items():                                        # ... never the secret
        for text in leaks:
            assert text not in body, (name, text)
        assert "ghp_" not in body and "AWS_ACCESS_KEY_ID=" not in body, name


def test_a_config_only_trivy_report_is_not_a_vulnerability_scan():
    import scc
    from scc.engine.model import Verdict

    assessment = scc.assess([Path(__file__).parent / "data" / "trivy" / "dockerfile-pass.trivy.json"])
    by_check = {r.rule.check: r for r in assessment.rule_results}
    for name in ("vulnerability_scan_current", "findings_remediated_within_sla"):
        assert by_check[name].verdict is Verdict.MANUAL
        assert "No vulnerability scan" in by_check[name].reason
