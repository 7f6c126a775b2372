"""A hand-built Assessment for writer tests: facts, rules and verdicts constructed directly.

Writers only render what the engine decided, so these tests give them known rule results (built
here, independent of the shipped rule packs and readers) and check the documents against them.
Inputs are real files (tests/data/fixture-image) so the back-matter hashes are the files' true SHA-256.
"""
from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from conftest import FIXTURE_IMAGE

from scc.assessment import Assessment, Settings
from scc.engine.aggregate import aggregate_controls
from scc.engine.model import Override, Rule, RuleResult, SrgRef, Verdict
from scc.facts.model import (
    Component,
    CvssScore,
    Evidence,
    Finding,
    FindingState,
    ImageConfig,
    ImageFacts,
    ImageIdentity,
    InputFile,
    Severity,
    VexStatement,
)

ASSESSED_AT = datetime(2026, 11, 18, 10, 0, 0, tzinfo=UTC)
DIGEST = "sha256:" + "ab" * 32


def input_file(path: Path, fmt: str) -> InputFile:
    data = path.read_bytes()
    return InputFile(str(path), hashlib.sha256(data).hexdigest(), len(data), fmt, "1.5", "syft")


SBOM, SCAN, CONFIG = "sbom.cdx-1.5.json", "scan.grype.json", "config.oci.json"   # in FIXTURE_IMAGE


def build_facts(inputs: Path = FIXTURE_IMAGE, component_names: list[str] | None = None) -> ImageFacts:
    sbom = input_file(inputs / SBOM, "cyclonedx")
    scan = input_file(inputs / SCAN, "grype")
    config = input_file(inputs / CONFIG, "image-config")
    ev_sbom = Evidence(sbom.path, sbom.sha256, "/components/0")
    ev_scan = Evidence(scan.path, scan.sha256, "/matches/3/vulnerability")
    ev_cfg = Evidence(config.path, config.sha256, "/config/User")
    names = component_names or ["musl", "busybox", "zlib"]
    components = [Component(name=n, version="1.0", type="library", purl=f"pkg:generic/x{i}@1.0",
                            evidence=[ev_sbom]) for i, n in enumerate(names)]
    vex = VexStatement("CVE-2024-0002", FindingState.NOT_AFFECTED, justification="vulnerable_code_not_present",
                       impact_statement="the vulnerable function is never called", format="openvex")
    findings = [
        Finding("CVE-2024-0001", package=names[0], installed_version="1.2.3", fixed_versions=["1.2.4"],
                severity=Severity.CRITICAL, cvss=[CvssScore("3.1", 9.8)], sources={"grype", "trivy"},
                evidence=[ev_scan], published=datetime(2026, 10, 17, tzinfo=UTC)),   # due 2026-11-01
        Finding("CVE-2024-0003", package=names[-1], installed_version="0.9", severity=Severity.MEDIUM,
                sources={"grype"}, evidence=[ev_scan]),
        Finding("CVE-2024-0002", package=names[1 % len(names)], installed_version="2.0",
                severity=Severity.HIGH, state=FindingState.NOT_AFFECTED, sources={"grype"}, vex=vex,
                evidence=[ev_scan]),
    ]
    return ImageFacts(
        identity=ImageIdentity(name="registry.example.mil/app/api", tag="1.4.2", digest=DIGEST, os="linux",
                               architecture="amd64", evidence=(ev_cfg,)),
        components=components, findings=findings, vex=[vex],
        config=ImageConfig(user="65532", env_names=("PATH", "API_TOKEN"), exposed_ports=("8443/tcp",),
                           healthcheck=("CMD", "/healthz"), evidence=[ev_cfg]),
        inputs=[sbom, scan, config],
    ), (ev_sbom, ev_scan, ev_cfg)


# real requirements of the reference SRGs (GPOS SRG V3R2, Container Platform SRG V1R3)
GPOS_NONROOT = SrgRef("gpos-srg", "SRG-OS-000480-GPOS-00227", "V-203780", "SV-203780r991589_rule",
                      ("CCI-000366",), "medium", "The operating system must be configured per guidance.")
CTR_PATCH = SrgRef("ctr-srg", "SRG-APP-000456-CTR-001125", "V-233233", "SV-233233r601828_rule",
                   ("CCI-002605",), "medium", "The registry must contain the latest images with updates.")
GPOS_SHELLS = SrgRef("gpos-srg", "SRG-OS-000095-GPOS-00049", "V-203637", "SV-203637r958478_rule",
                     ("CCI-000381",), "medium", "Non-essential capabilities must be disabled.")


def build_rules() -> list[Rule]:
    return [
        Rule("ac-6-non-root", "Runs as a non-root user", ("ac-6", "ac-6.10"), "config_user",
             srg=(GPOS_NONROOT,), check_text="Verify the image USER is not root.", fix_text="Set USER.",
             pack="controls"),
        Rule("si-2-flaw-remediation", "Open vulnerabilities within SLA", ("si-2", "ra-5"), "findings_remediated_within_sla",
             srg=(CTR_PATCH,), check_text="Review open findings.", fix_text="Patch.", pack="controls"),
        Rule("cm-7-no-shells", "No interactive shells", ("cm-7",), "no_shells", srg=(GPOS_SHELLS,),
             pack="stig"),
        Rule("cm-8-inventory", "An SBOM inventories the image", ("cm-8",), "sbom_present", pack="controls"),
        Rule("sc-13-fips", "FIPS-validated cryptography", ("sc-13",), "fips", pack="controls",
             manual="Confirm the CMVP certificate of the crypto module."),
    ]


def build_results(rules: list[Rule], evidence: tuple[Evidence, ...]) -> list[RuleResult]:
    ev_sbom, ev_scan, ev_cfg = evidence
    by_id = {r.id: r for r in rules}
    override = Override("cm-7-no-shells", "accept-risk", "busybox is required by the entrypoint script",
                        "ISSM J. Doe", date(2027, 1, 31))
    return [
        RuleResult(by_id["ac-6-non-root"], Verdict.SATISFIED, "The image runs as UID 65532, not root.",
                   "user is 65532", [ev_cfg]),
        RuleResult(by_id["si-2-flaw-remediation"], Verdict.NOT_SATISFIED,
                   "1 critical finding is past its 15-day remediation SLA.", "1 overdue", [ev_scan],
                   details={"overdue": [{"id": "CVE-2024-0001", "package": "musl", "due": "2026-11-01",
                                        "days_overdue": 17}], "overdue_count": 1}, severity_override="high"),
        RuleResult(by_id["cm-7-no-shells"], Verdict.SATISFIED, "Accepted risk: busybox shell present.",
                   "override", [ev_sbom], origin="override", override=override,
                   computed_verdict=Verdict.NOT_SATISFIED),
        RuleResult(by_id["cm-8-inventory"], Verdict.SATISFIED, "A CycloneDX 1.5 SBOM lists 3 components.",
                   "sbom", [ev_sbom]),
        RuleResult(by_id["sc-13-fips"], Verdict.MANUAL, "No FIPS module could be identified from the facts.",
                   "unknown", []),
    ]


def build_assessment(inputs: Path = FIXTURE_IMAGE, settings: Settings | None = None,
                     component_names: list[str] | None = None, image_name: str | None = None) -> Assessment:
    facts, evidence = build_facts(inputs, component_names)
    if image_name is not None:
        facts.identity = replace(facts.identity, name=image_name)
    assessment = Assessment(facts, settings or Settings(system_name="API service", organization="DISA PEO"),
                            rules=[], assessed_at=ASSESSED_AT)
    rules = build_rules()
    assessment.rules = rules
    assessment.rule_results = build_results(rules, evidence)
    assessment.control_results = aggregate_controls(assessment.rule_results)
    return assessment


REFERENCE_CONTENT = (
    "disa/disa-os-srg-v3r2.xml", "disa/disa-ctr-srg-v1r3.xml",
    "nist/NIST_SP-800-53_rev5_catalog.json", "nist/NIST_SP-800-53_rev5_MODERATE-baseline_profile.json",
)


def import_reference_content(shared_data: Path, directory: Path) -> Path:
    """A content store holding the reference GPOS/CTR SRGs, the rev5 catalog and the MODERATE baseline."""
    from scc.content.bundle import import_content
    from scc.content.store import ContentStore

    import_content(ContentStore(directory), [shared_data / name for name in REFERENCE_CONTENT])
    return directory
