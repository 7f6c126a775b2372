"""A hand-built assessment for the writer tests: one result of every verdict, an accepted risk with a
severity override, a controls-only rule, open and VEX-closed vulnerabilities, and hostile text.

Results go through the engine's own evaluate_rule (statement rendering) and aggregate_controls; only
the check outcome is fixed, so the writers are tested on exactly what the engine hands them.
"""
from __future__ import annotations

from datetime import UTC, date, datetime

from scc.assessment import Assessment, Settings
from scc.engine.aggregate import aggregate_controls
from scc.engine.evaluate import evaluate_rule
from scc.engine.model import CheckOutcome, Override, Rule, SrgRef, Verdict
from scc.facts.model import (
    CvssScore,
    Evidence,
    Finding,
    FindingState,
    ImageFacts,
    ImageIdentity,
    InputFile,
    ScanRecord,
    Severity,
    VexStatement,
)
from scc.report import EMPTY_CONTENT, ContentSource

SHA_SBOM = "a" * 64
SHA_SCAN = "b" * 64
SHA_VEX = "c" * 64
ASSESSED_AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SCAN_AT = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
HOSTILE_NAME = "=HYPERLINK(\"http://evil.example/\",\"click\")"


def _ev(source: str, sha: str, pointer: str) -> Evidence:
    return Evidence(source, sha, pointer)


def _gpos(group: str, rule: str, version: str, severity: str, ccis: tuple[str, ...]) -> SrgRef:
    return SrgRef("gpos-srg", version, group, rule, ccis, severity, "")


def _ctr(group: str, rule: str, version: str, severity: str, ccis: tuple[str, ...]) -> SrgRef:
    return SrgRef("ctr-srg", version, group, rule, ccis, severity, "")


#: rule id -> (verdict, srg ref or None, controls) ; real ids from the GPOS SRG V3R2 and CTR SRG V1R3
PLAN = {
    "no-shell": (Verdict.SATISFIED, _gpos("V-203591", "SV-203591r958362_rule", "SRG-OS-000001-GPOS-00001",
                                         "medium", ("CCI-000015",)), ("cm-7",)),
    "non-root-user": (Verdict.NOT_SATISFIED, _gpos("V-203695", "SV-203695r958726_rule",
                                                  "SRG-OS-000324-GPOS-00125", "high", ("CCI-002235",)),
                      ("ac-6", "ac-6.10")),
    "patched": (Verdict.PARTIAL, _ctr("V-233015", "SV-233015r600534_rule", "SRG-APP-000014-CTR-000035",
                                      "medium", ("CCI-000068",)), ("si-2",)),
    "fips": (Verdict.NOT_APPLICABLE, _ctr("V-233016", "SV-233016r600537_rule", "SRG-APP-000014-CTR-000040",
                                          "medium", ("CCI-000068",)), ("sc-13",)),
    "audit": (Verdict.MANUAL, _gpos("V-203593", "SV-203593r958368_rule", "SRG-OS-000004-GPOS-00004",
                                    "medium", ("CCI-000018", "CCI-001403")), ("au-2",)),
    "healthcheck": (Verdict.NOT_SATISFIED, _ctr("V-233163", "SV-233163r601765_rule",
                                                "SRG-APP-000342-CTR-000775", "medium", ("CCI-002233",)),
                    ("cm-6",)),
    "sbom-present": (Verdict.NOT_SATISFIED, None, ("cm-8",)),
}
ACCEPTED = "healthcheck"


def facts() -> ImageFacts:
    scan_ev = _ev("scans/grype.json", SHA_SCAN, "/matches/0")
    findings = [
        Finding("CVE-2026-0001", "openssl", "3.0.1", "pkg:apk/alpine/openssl@3.0.1", severity=Severity.CRITICAL,
                cvss=[CvssScore("3.1", 9.8, "CVSS:3.1/AV:N", "nvd")], fixed_versions=["3.0.2"],
                title="openssl overflow", first_seen=datetime(2026, 11, 10, tzinfo=UTC),
                sources={"grype"}, evidence=[scan_ev]),
        Finding("CVE-2026-0002", HOSTILE_NAME, "1.0", severity=Severity.HIGH, sources={"grype"},
                published=datetime(2026, 10, 1, tzinfo=UTC),
                evidence=[_ev("scans/grype.json", SHA_SCAN, "/matches/1")]),
        Finding("CVE-2026-0003", "zlib", "1.2", severity=Severity.MEDIUM, state=FindingState.NOT_AFFECTED,
                sources={"grype"}, evidence=[_ev("scans/grype.json", SHA_SCAN, "/matches/2")],
                vex=VexStatement("CVE-2026-0003", FindingState.NOT_AFFECTED,
                                 justification="vulnerable_code_not_in_execute_path",
                                 evidence=(_ev("vex/app.openvex.json", SHA_VEX, "/statements/0"),))),
        Finding("CVE-2026-0004", "busybox", "1.36", severity=Severity.LOW, sources={"grype"},
                evidence=[_ev("scans/grype.json", SHA_SCAN, "/matches/3")]),
    ]
    return ImageFacts(
        identity=ImageIdentity(name="registry.example/team/app", tag="1.4.2", digest="sha256:" + "d" * 64),
        findings=findings,
        scans=[ScanRecord("grype", "0.80.0", SCAN_AT, finding_count=4, evidence=(scan_ev,))],
        inputs=[InputFile("sbom/app.cdx.json", SHA_SBOM, 1200, "cyclonedx-json", "1.5", "syft"),
                InputFile("scans/grype.json", SHA_SCAN, 5400, "grype-json", "", "grype"),
                InputFile("vex/app.openvex.json", SHA_VEX, 300, "openvex", "0.2.0", "")],
    )


def _rule(rule_id: str, ref: SrgRef | None, controls: tuple[str, ...]) -> Rule:
    return Rule(
        id=rule_id, title=f"Rule {rule_id} title", controls=controls, check="test",
        description=f"Why {rule_id} matters.", srg=(ref,) if ref else (),
        check_text=f"Check that {rule_id} holds.", fix_text=f"Fix {rule_id} by rebuilding the image.",
        statements={"not-satisfied": "{{ reason }} ({{ evidence_count }} evidence)"},
    )


def build_assessment(settings: Settings | None = None, content: ContentSource | None = None) -> Assessment:
    """The assessment every writer test renders; ``content`` stands in for the official content store."""
    image = facts()
    assessment = Assessment(image, settings or Settings(), rules=[], assessed_at=ASSESSED_AT,
                            content=EMPTY_CONTENT if content is None else content)
    results = []
    for index, (rule_id, (verdict, ref, controls)) in enumerate(PLAN.items()):
        rule = _rule(rule_id, ref, controls)
        evidence = (_ev("sbom/app.cdx.json", SHA_SBOM, f"/components/{index}"),)
        outcome = CheckOutcome(verdict, f"{rule_id} is {verdict.value} on the facts", evidence)
        results.append(evaluate_rule(image, rule, outcome))
    accepted = next(r for r in results if r.rule.id == ACCEPTED)
    accepted.override = Override(ACCEPTED, "accept-risk", "Orchestrator probes liveness instead.",
                                 "J. Smith (AO)", date(2027, 6, 30), source="overrides.yaml")
    accepted.origin = "override"
    accepted.severity_override = "low"
    assessment.rules = [r.rule for r in results]
    assessment.rule_results = results
    assessment.control_results = aggregate_controls(results)
    return assessment


def expected_ckl_status() -> dict[str, str]:
    """scc rule id -> CKL status, written out by hand (not computed by the code under test)."""
    return {"no-shell": "NotAFinding", "non-root-user": "Open", "patched": "Open", "fips": "Not_Applicable",
            "audit": "Not_Reviewed", "healthcheck": "Open"}

