"""Every check in the vocabulary on small ImageFacts built here: each verdict branch, its reason and
its evidence; then the shipped packs end to end on real sample inputs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scc.engine.checks import CheckContext, registry
from scc.engine.model import CheckOutcome, Verdict
from scc.engine.tables import CmvpModule, DataTables, KnownBuilder
from scc.facts.model import (
    AttestationRecord,
    Component,
    Evidence,
    FileEntry,
    FilesystemFacts,
    Finding,
    FindingState,
    FipsModule,
    ImageConfig,
    ImageFacts,
    ImageIdentity,
    Provenance,
    SbomRecord,
    ScanRecord,
    Severity,
    SignatureCheck,
    VexStatement,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)
CTX = CheckContext(
    now=NOW, sla_days={"critical": 15, "high": 30, "medium": 90, "low": 180}, max_scan_age_days=30
)
SBOM_EV = Evidence("sbom.cdx.json", "a" * 64, "/metadata")
SCAN_EV = Evidence("grype.json", "b" * 64, "/descriptor")
CFG_EV = Evidence("config.json", "c" * 64, "/config")
FS_EV = Evidence("rootfs", "d" * 64, "/etc/passwd")
M = Verdict.MANUAL
S, NS, P, NA = Verdict.SATISFIED, Verdict.NOT_SATISFIED, Verdict.PARTIAL, Verdict.NOT_APPLICABLE


def run(name: str, facts: ImageFacts, ctx: CheckContext = CTX, **params) -> CheckOutcome:
    spec = registry()[name]
    return spec.function(facts, spec.params(**params), ctx)


def comp(
    name: str, version: str = "1.0", purl: str | None = None, source: Evidence = SBOM_EV, **kw
) -> Component:
    purl = f"pkg:apk/alpine/{name}@{version}" if purl is None else purl
    return Component(
        name,
        version,
        kw.pop("type", "library"),
        purl,
        evidence=[Evidence(source.source, source.sha256, f"/components/{name}")],
        **kw,
    )


def sbom_facts(*components: Component) -> ImageFacts:
    return ImageFacts(
        components=list(components), sboms=[SbomRecord("cyclonedx", "1.5", evidence=(SBOM_EV,))]
    )


def finding(fid: str, severity: str = "high", fixed: bool = True, age_days: int = 5, **kw) -> Finding:
    return Finding(
        fid,
        package=kw.pop("package", "openssl"),
        installed_version="1.0",
        severity=Severity(severity),
        fixed_versions=["1.1"] if fixed else [],
        first_seen=kw.pop("first_seen", NOW - timedelta(days=age_days)),
        evidence=[Evidence("grype.json", "b" * 64, f"/matches/{fid}")],
        **kw,
    )


def scanned(*findings: Finding, when: datetime | None = NOW - timedelta(days=2)) -> ImageFacts:
    return ImageFacts(findings=list(findings), scans=[ScanRecord("grype", "0.80", when, evidence=(SCAN_EV,))])


def config(**kw) -> ImageFacts:
    return ImageFacts(config=ImageConfig(evidence=[CFG_EV], field_evidence={"user": CFG_EV}, **kw))


def fs(**kw) -> FilesystemFacts:
    return FilesystemFacts(root="rootfs", file_count=120, evidence=[FS_EV], **kw)


def entry(path: str, mode: int = 0o4755) -> FileEntry:
    return FileEntry(path, mode, "root", (Evidence("rootfs", "d" * 64, path),))


def test_every_registered_check_is_exercised_here():
    # the check families with a test module of their own (deployment, registry allow-list, Scorecard, malware)
    here = Path(__file__).parent
    source = "".join((here / name).read_text() for name in (
        "test_checks.py", "test_rule_soundness.py", "test_kubernetes.py", "test_registry_policy.py",
        "test_scorecard.py", "test_malicious_packages.py"))
    assert [name for name in registry() if f'"{name}"' not in source] == []


# -- inventory --------------------------------------------------------------------------------
def test_sbom_present_branches():
    assert run("sbom_present", ImageFacts()).verdict is M
    assert "supply a CycloneDX, SPDX or Syft SBOM" in run("sbom_present", ImageFacts()).reason
    empty = run("sbom_present", sbom_facts())
    assert empty.verdict is NS and "lists 0 components" in empty.reason and SBOM_EV in empty.evidence
    ok = run("sbom_present", sbom_facts(comp("musl"), comp("zlib")))
    assert ok.verdict is S and "inventories 2 components" in ok.reason and ok.details["component_count"] == 2


def test_sbom_fields_complete_branches():
    assert run("sbom_fields_complete", ImageFacts()).verdict is M
    assert run("sbom_fields_complete", sbom_facts(comp("alpine", type="operating-system"))).verdict is NS
    whole = run("sbom_fields_complete", sbom_facts(comp("musl"), comp("zlib")))
    assert whole.verdict is S and "All 2 SBOM package components" in whole.reason
    nine = [comp(f"p{i}") for i in range(9)]
    partial = run(
        "sbom_fields_complete", sbom_facts(*nine, comp("nopurl", purl="")), min_complete_percent=90.0
    )
    assert partial.verdict is P and "1 without purl" in partial.reason
    assert partial.details["missing"]["purl"]["names"] == ["nopurl 1.0"]
    bad = run("sbom_fields_complete", sbom_facts(comp("a", version="", purl=""), comp("b")))
    assert bad.verdict is NS and bad.details["complete_percent"] == 50.0


def test_sbom_covers_scanned_packages_branches():
    assert run("sbom_covers_scanned_packages", ImageFacts()).verdict is M
    nothing_to_compare = run("sbom_covers_scanned_packages", sbom_facts(comp("musl")))
    assert nothing_to_compare.verdict is M and "Trivy" in nothing_to_compare.reason
    facts = sbom_facts(comp("musl", "1.2"), comp("openssl", "1.0"))
    facts.findings = [finding("CVE-1", package="openssl")]
    assert run("sbom_covers_scanned_packages", facts).verdict is S
    facts.components.append(comp("zlib", "1.3", source=SCAN_EV))  # seen by a scanner only
    gap = run("sbom_covers_scanned_packages", facts)
    assert gap.verdict is NS and "zlib 1.3" in gap.reason and gap.details["coverage_percent"] == 50.0
    assert Evidence("grype.json", "b" * 64, "/components/zlib") in gap.evidence
    more = sbom_facts(*[comp(f"p{i}") for i in range(40)])
    more.components += [
        comp(f"p{i}", source=SCAN_EV, purl=f"pkg:apk/alpine/p{i}@1.0?arch=x86") for i in range(40)
    ]
    more.components.append(comp("extra", source=SCAN_EV))
    assert run("sbom_covers_scanned_packages", more, min_coverage_percent=50.0).verdict is P


def test_image_labels_branches():
    assert run("image_labels", ImageFacts()).verdict is M
    assert run("image_labels", config()).verdict is NS
    some = run("image_labels", config(labels={"org.opencontainers.image.source": "https://git"}))
    assert (
        some.verdict is P and "org.opencontainers.image.revision" in some.reason and CFG_EV in some.evidence
    )
    full = {k: "x" for k in registry()["image_labels"].defaults["required"]}
    assert run("image_labels", config(labels=full)).verdict is S


def test_no_superseded_packages_branches():
    assert run("no_superseded_packages", ImageFacts()).verdict is M
    assert run("no_superseded_packages", sbom_facts(comp("lodash", purl="pkg:npm/lodash@4"))).verdict is M
    assert run("no_superseded_packages", sbom_facts(comp("musl", "1"), comp("zlib", "1"))).verdict is S
    doubled = run("no_superseded_packages", sbom_facts(comp("zlib", "1.2"), comp("zlib", "1.3")))
    assert (
        doubled.verdict is NS and "zlib (1.2, 1.3)" in doubled.reason and "1 OS package is" in doubled.reason
    )


# -- vulnerabilities --------------------------------------------------------------------------
def test_vulnerability_scan_current_branches():
    assert run("vulnerability_scan_current", ImageFacts()).verdict is M
    assert "no timestamp" in run("vulnerability_scan_current", scanned(when=None)).reason
    future = run("vulnerability_scan_current", scanned(when=NOW + timedelta(days=5)))
    assert future.verdict is M and "after the assessment time" in future.reason
    old = run("vulnerability_scan_current", scanned(when=NOW - timedelta(days=45)))
    assert old.verdict is NS and "45 days old" in old.reason and SCAN_EV in old.evidence
    assert (
        run("vulnerability_scan_current", scanned(when=NOW - timedelta(days=45)), max_age_days=60).verdict
        is S
    )
    stale_db = ImageFacts(
        scans=[
            ScanRecord(
                "grype",
                timestamp=NOW - timedelta(days=1),
                db_built=NOW - timedelta(days=40),
                evidence=(SCAN_EV,),
            )
        ]
    )
    result = run("vulnerability_scan_current", stale_db)
    assert result.verdict is P and "database" in result.reason and result.details["db_age_days"] == 40
    fresh = run("vulnerability_scan_current", scanned())
    assert fresh.verdict is S and "2 days ago" in fresh.reason


def test_sla_overdue_within_and_clock_named():
    assert run("findings_remediated_within_sla", ImageFacts()).verdict is M
    overdue = run(
        "findings_remediated_within_sla",
        scanned(finding("CVE-OLD", "critical", age_days=20), finding("CVE-NEW", "high", age_days=3)),
    )
    assert overdue.verdict is NS and "CVE-OLD in openssl" in overdue.reason and "scan time" in overdue.reason
    assert overdue.details["overdue"][0]["days_overdue"] == 5 and overdue.details["within_sla_count"] == 1
    assert Evidence("grype.json", "b" * 64, "/matches/CVE-OLD") in overdue.evidence
    within = run("findings_remediated_within_sla", scanned(finding("CVE-NEW", "high", age_days=3)))
    assert within.verdict is P and f"due {(NOW + timedelta(days=27)).date()}" in within.reason
    assert (
        run(
            "findings_remediated_within_sla",
            scanned(finding("CVE-NEW", age_days=3)),
            within_sla_verdict="satisfied",
        ).verdict
        is S
    )


def test_sla_clock_falls_back_to_published_then_scan_time():
    published = finding("CVE-P", first_seen=None, published=NOW - timedelta(days=100))
    result = run("findings_remediated_within_sla", scanned(published))
    assert result.verdict is NS and "published for 1" in result.reason
    by_scan = finding("CVE-S", first_seen=None)
    result = run("findings_remediated_within_sla", scanned(by_scan, when=NOW - timedelta(days=31)))
    assert "scan time for 1" in result.reason and result.verdict is NS
    undated = run("findings_remediated_within_sla", scanned(finding("CVE-U", first_seen=None), when=None))
    assert undated.verdict is P and "cannot be aged" in undated.reason


def test_sla_ignores_vex_resolved_unfixable_and_other_severities():
    vexed = finding("CVE-V", age_days=90, state=FindingState.NOT_AFFECTED)
    fixed = finding("CVE-F", age_days=90, state=FindingState.FIXED)
    low = finding("CVE-L", "low", age_days=900)
    nofix = finding("CVE-N", fixed=False, age_days=900)
    result = run("findings_remediated_within_sla", scanned(vexed, fixed, low, nofix))
    assert result.verdict is S and "No open critical/high finding has a fix" in result.reason
    assert run("findings_remediated_within_sla", scanned(low), severities=["low"]).verdict is NS


def test_findings_without_fix_branches():
    assert run("findings_without_fix", ImageFacts()).verdict is M
    assert run("findings_without_fix", scanned(finding("CVE-1"))).verdict is S
    result = run("findings_without_fix", scanned(finding("CVE-2", "critical", fixed=False)))
    assert (
        result.verdict is P
        and "CVE-2 in openssl" in result.reason
        and result.details["unfixed"]["count"] == 1
    )


def test_findings_vex_triaged_branches():
    assert run("findings_vex_triaged", ImageFacts()).verdict is M
    assert run("findings_vex_triaged", scanned(finding("CVE-1", "low"))).verdict is S
    no_vex = run("findings_vex_triaged", scanned(finding("CVE-1")))
    assert no_vex.verdict is M and "no VEX document" in no_vex.reason
    statement = VexStatement(
        "CVE-1", FindingState.UNDER_INVESTIGATION, evidence=(Evidence("vex.json", "e" * 64),)
    )
    triaged = scanned(finding("CVE-1", vex=statement), finding("CVE-2"))
    triaged.vex = [statement]
    partial = run("findings_vex_triaged", triaged)
    assert (
        partial.verdict is P
        and "CVE-2" in partial.reason
        and Evidence("vex.json", "e" * 64) in partial.evidence
    )
    triaged.findings.pop()
    assert run("findings_vex_triaged", triaged).verdict is S
    untriaged = scanned(finding("CVE-3"))
    untriaged.vex = [statement]
    assert run("findings_vex_triaged", untriaged).verdict is NS


# -- privilege --------------------------------------------------------------------------------
@pytest.mark.parametrize("user", ["", "root", "0", "0:0", "root:wheel"])
def test_non_root_user_rejects_root(user):
    result = run("non_root_user", config(user=user))
    assert result.verdict is NS and CFG_EV in result.evidence and "root" in result.reason


def test_non_root_user_accepts_uids_and_cross_checks_passwd():
    assert run("non_root_user", ImageFacts()).verdict is M
    numeric = run("non_root_user", config(user="65532:65532"))
    assert numeric.verdict is S and "uid 65532" in numeric.reason
    named = run("non_root_user", config(user="app"))
    assert named.verdict is M and "can map to uid 0" in named.reason   # a name is not a uid
    facts = config(user="app")
    facts.filesystem = fs(
        accounts=[("root", 0, "/bin/sh"), ("app", 1000, "/sbin/nologin"), ("toor", 0, "/bin/sh")]
    )
    checked = run("non_root_user", facts)
    assert checked.verdict is S and "uid 1000" in checked.reason and FS_EV in checked.evidence
    facts.config.user = "toor"
    assert run("non_root_user", facts).verdict is NS
    facts.config.user = "ghost"
    assert run("non_root_user", facts).verdict is P


def test_setuid_and_world_writable_files():
    assert run("no_setuid_files", ImageFacts()).verdict is M
    assert run("no_world_writable_files", ImageFacts()).verdict is M
    clean = ImageFacts(filesystem=fs())
    assert run("no_setuid_files", clean).verdict is S and "120 files" in run("no_setuid_files", clean).reason
    facts = ImageFacts(filesystem=fs(setuid=[entry("/bin/su")], setgid=[entry("/usr/bin/wall", 0o2755)]))
    result = run("no_setuid_files", facts)
    assert result.verdict is NS and "/bin/su" in result.reason and result.details["files"]["count"] == 2
    assert Evidence("rootfs", "d" * 64, "/bin/su") in result.evidence
    assert run("no_setuid_files", facts, allow=["/bin/su", "/usr/bin/wall"]).verdict is S
    writable = ImageFacts(
        filesystem=fs(world_writable=[entry("/tmp", 0o41777), entry("/app/conf", 0o100666)])
    )
    result = run("no_world_writable_files", writable)
    assert result.verdict is NS and result.details["files"]["names"] == ["/app/conf"]


def test_service_accounts_no_login_shell():
    assert run("service_accounts_no_login_shell", ImageFacts()).verdict is M
    assert run("service_accounts_no_login_shell", ImageFacts(filesystem=fs())).verdict is S
    accounts = [("root", 0, "/bin/ash"), ("nobody", 65534, "/sbin/nologin"), ("daemon", 2, "/bin/sh")]
    result = run("service_accounts_no_login_shell", ImageFacts(filesystem=fs(accounts=accounts)))
    assert result.verdict is NS and "daemon (/bin/sh)" in result.reason and "root" not in result.reason
    assert (
        run("service_accounts_no_login_shell", ImageFacts(filesystem=fs(accounts=accounts[:2]))).verdict is S
    )


# -- least functionality ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "name,tool,package",
    [
        ("no_shell", "/usr/bin/bash", "busybox"),
        ("no_package_manager", "/usr/bin/apt-get", "apk-tools"),
        ("no_compiler", "/usr/bin/x86_64-linux-gnu-gcc-12", "gcc-12"),
    ],
)
def test_tool_checks_prefer_the_filesystem_over_the_sbom(name, tool, package):
    assert run(name, ImageFacts()).verdict is M
    from_sbom = run(name, sbom_facts(comp(package), comp("musl")))
    assert from_sbom.verdict is NS and "no image filesystem was supplied" in from_sbom.reason
    assert from_sbom.details["evidence_kind"] == "sbom"
    inferred = run(name, sbom_facts(comp("musl")))
    assert inferred.verdict is M and "lists packages, not files" in inferred.reason
    facts = sbom_facts(comp(package))
    facts.filesystem = fs()  # the filesystem shows none: it wins over the SBOM
    clean = run(name, facts)
    assert clean.verdict is S and clean.details["evidence_kind"] == "filesystem"
    facts.filesystem = fs(executables=[entry("/usr/bin/ls", 0o755)])   # an executable of no listed kind
    assert run(name, facts).verdict is S
    facts.filesystem = fs(executables=[entry("/usr/bin/ls", 0o755), entry(tool, 0o755)])
    found = run(name, facts)
    assert found.verdict is NS and tool in found.reason and "/usr/bin/ls" not in found.reason
    assert "filesystem" in found.reason


def test_components_absent():
    params = {"packages": ["telnet*", "openssh-server"], "what": "an insecure service"}
    assert run("components_absent", ImageFacts(), **params).verdict is M
    assert run("components_absent", sbom_facts(comp("musl")), **params).verdict is S
    found = run("components_absent", sbom_facts(comp("openssh-server", "9.6")), **params)
    assert found.verdict is NS and "openssh-server 9.6" in found.reason


# -- FIPS -------------------------------------------------------------------------------------
#: a CMVP table of one row (the check looks certificates up by exact name and version)
FIPS_CTX = replace(CTX, tables=replace(CTX.tables, fips_modules=(
    CmvpModule("openssl-fips-provider", "OpenSSL FIPS Provider", "3.0.9", "4282", "FIPS 140-3"),)))


def _module(
    activated, kind="openssl-fips-provider", version="3.0.9", detail="openssl.cnf activates fips",
    integrity="/etc/ssl/fipsmodule.cnf: module-mac",
) -> FipsModule:
    return FipsModule(
        "OpenSSL FIPS Provider",
        version,
        kind,
        "/usr/lib/ossl-modules/fips.so",
        activated,
        detail,
        (Evidence("rootfs", "d" * 64, "/usr/lib/ossl-modules/fips.so"),),
        integrity=integrity,
    )


def test_fips_activated_module_with_certificate_wins():
    facts = sbom_facts(comp("openssl-provider-fips"))
    facts.fips_modules = [_module(True), _module(None, kind="package")]
    result = run("fips_module_active", facts, FIPS_CTX)
    assert result.verdict is S and "CMVP #4282" in result.reason and "activated" in result.reason
    assert "FIPS 140-3" in result.reason
    assert run("fips_module_active", facts, replace(CTX, tables=DataTables())).verdict is P   # no table, no cert
    assert Evidence("rootfs", "d" * 64, "/usr/lib/ossl-modules/fips.so") in result.evidence
    no_cert = ImageFacts(fips_modules=[_module(True, version="3.0.10")])   # a version the table does not list
    assert run("fips_module_active", no_cert, FIPS_CTX).verdict is P
    assert run("fips_module_active", no_cert, FIPS_CTX, require_certificate=False).verdict is P   # unshown
    no_mac = ImageFacts(fips_modules=[_module(True, integrity="")], components=[comp("libssl3", "3.3.0")])
    broken = run("fips_module_active", no_mac, FIPS_CTX)
    assert broken.verdict is NS and "integrity" in broken.reason


def test_fips_present_not_activated_package_only_and_absent():
    inactive = run("fips_module_active", ImageFacts(fips_modules=[_module(False, detail="no fips section")]))
    assert inactive.verdict is P and "no fips section" in inactive.reason
    packaged = run("fips_module_active", sbom_facts(comp("openssl-provider-fips", "3.1")))
    assert packaged.verdict is M and "openssl-provider-fips 3.1" in packaged.reason
    assert run("fips_module_active", ImageFacts()).verdict is M
    crypto = run("fips_module_active", sbom_facts(comp("libssl3", "3.3.0")))
    assert crypto.verdict is NS and "libssl3 3.3.0" in crypto.reason
    no_crypto = run("fips_module_active", sbom_facts(comp("musl")))
    assert no_crypto.verdict is M and "no cryptography" in no_crypto.reason


# -- configuration ----------------------------------------------------------------------------
def test_secret_env_names_are_judged_by_name_only():
    assert run("no_secret_env_names", ImageFacts()).verdict is M
    clean = run("no_secret_env_names", config(env_names=("PATH", "DB_PASSWORD_FILE", "GPG_KEY")))
    assert clean.verdict is S
    result = run("no_secret_env_names", config(env_names=("PATH", "AWS_SECRET_ACCESS_KEY", "DB_PASSWORD")))
    assert result.verdict is NS and result.details["suspicious"]["names"] == [
        "AWS_SECRET_ACCESS_KEY",
        "DB_PASSWORD",
    ]


def test_healthcheck_declared():
    assert run("healthcheck_declared", ImageFacts()).verdict is M
    assert run("healthcheck_declared", config()).verdict is NS
    assert "disables" in run("healthcheck_declared", config(healthcheck=("NONE",))).reason
    declared = run("healthcheck_declared", config(healthcheck=("CMD", "curl", "-f", "http://localhost/")))
    assert declared.verdict is S and "curl -f http://localhost/" in declared.reason


def test_no_privileged_ports():
    assert run("no_privileged_ports", ImageFacts()).verdict is M
    assert run("no_privileged_ports", config()).verdict is S
    assert run("no_privileged_ports", config(exposed_ports=("8080/tcp", "9000-9010/udp"))).verdict is S
    low = run("no_privileged_ports", config(exposed_ports=("80/tcp", "8443/tcp")))
    assert low.verdict is NS and low.details["privileged"] == ["80/tcp"]
    assert run("no_privileged_ports", config(exposed_ports=("http",))).verdict is M


def test_config_file_setting():
    params = {"paths": ["/etc/ssh/sshd_config"], "absent_reason": "No SSH server in the image."}
    assert run("config_file_setting", ImageFacts(), **params).verdict is M
    absent = run("config_file_setting", ImageFacts(filesystem=fs()), **params)
    assert absent.verdict is NA and absent.reason == "No SSH server in the image."
    assert (
        run("config_file_setting", ImageFacts(filesystem=fs()), absent_verdict="manual", **params).verdict
        is M
    )
    present = ImageFacts(
        filesystem=fs(config_files={"/etc/ssh/sshd_config": "Ciphers aes256-gcm@openssh.com"})
    )
    assert run("config_file_setting", present, **params).verdict is M
    assert run("config_file_setting", present, expect="aes256", **params).verdict is S
    assert run("config_file_setting", present, expect="chacha", **params).verdict is NS


# -- supply chain -----------------------------------------------------------------------------
DIGEST = "sha256:" + "f" * 64
PROV_EV = Evidence("prov.intoto.jsonl", "9" * 64, "/predicate")


def prov(**kw) -> Provenance:
    base = {
        "predicate_type": "https://slsa.dev/provenance/v1",
        "slsa_version": "1.0",
        "builder_id": "https://github.com/actions/runner",
        "source_repository": "git+https://github.com/o/r",
        "subjects": (f"ghcr.io/o/r@{DIGEST}",),
        "evidence": (PROV_EV,),
    }
    return Provenance(**{**base, **kw})


def test_provenance_present_and_covering_the_image():
    for name in ("provenance_present", "provenance_covers_image", "slsa_build_level"):
        assert "in-toto/SLSA" in run(name, ImageFacts()).reason
    ok = run("provenance_present", ImageFacts(provenance=[prov()]))
    assert ok.verdict is S and "github.com/actions/runner" in ok.reason and PROV_EV in ok.evidence
    assert run("provenance_present", ImageFacts(provenance=[prov(source_repository="")])).verdict is P
    assert run("provenance_covers_image", ImageFacts(provenance=[prov()])).verdict is M
    match = ImageFacts(provenance=[prov()], identity=ImageIdentity(name="r", digest=DIGEST))
    assert run("provenance_covers_image", match).verdict is S
    other = ImageFacts(provenance=[prov()], identity=ImageIdentity(digest="sha256:" + "0" * 64))
    assert run("provenance_covers_image", other).verdict is NS


#: a builder list of two: the runner is a hosted platform (L2), the example builder hardened (L3)
SLSA_CTX = replace(CTX, tables=replace(CTX.tables, slsa_builders=(
    KnownBuilder("https://github.com/actions/runner", "GitHub-hosted runner", 2),
    KnownBuilder("https://builder.example/hardened", "hardened builder", 3, "https://builder.example/slsa"))))


def test_slsa_build_level():
    signed = {"envelope": "dsse", "signed": True, "signature_verified": True, "signature_detail": "verified"}
    hardened = prov(builder_id="https://builder.example/hardened@v2", **signed)
    assert run("slsa_build_level", ImageFacts(provenance=[hardened]), SLSA_CTX).verdict is S
    assert run("slsa_build_level", ImageFacts(provenance=[prov(**signed)]), SLSA_CTX).details["level"] == 2
    assert run("slsa_build_level", ImageFacts(provenance=[hardened]), CTX).details["level"] == 1   # not listed
    low = run("slsa_build_level", ImageFacts(provenance=[prov()]), SLSA_CTX)   # hosted, but unsigned: L1
    assert low.verdict is P and "provenance authenticity (signed)" in low.reason and "not signed" in low.reason
    summary = prov(predicate_type="https://slsa.dev/verification_summary/v1", builder_id="",
                   verification_result="PASSED", verification_claim="verifier says PASSED")
    assert run("slsa_build_level", ImageFacts(provenance=[summary]), SLSA_CTX).verdict is NS   # a VSA is L0


def test_signature_verified_branches():
    assert run("signature_verified", ImageFacts()).verdict is M
    assert run("signature_verified", ImageFacts(provenance=[prov()])).verdict is NS  # unsigned attestation
    sig_ev = Evidence("sig.bundle", "8" * 64, "/dsseEnvelope/signatures/0")
    unverified = ImageFacts(
        signatures=[SignatureCheck("cosign-bundle", "image", verified=None, evidence=(sig_ev,))]
    )
    result = run("signature_verified", unverified)
    assert result.verdict is P and "no public key" in result.reason and sig_ev in result.evidence
    verified = ImageFacts(
        provenance=[
            prov(signed=True, envelope="dsse", signature_verified=True, signature_detail="ecdsa key abc")
        ]
    )
    assert run("signature_verified", verified).verdict is S
    failed = ImageFacts(
        signatures=[SignatureCheck("dsse", "att", verified=False, detail="bad signature")],
        provenance=verified.provenance,
    )
    result = run("signature_verified", failed)
    assert result.verdict is NS and "bad signature" in result.reason


def test_a_signature_checked_only_against_its_own_certificate_is_partial():
    from scc.facts.provenance.signing import CHAIN_NOT_CHECKED

    own_cert = (
        f"DSSE signature verifies against the attestation's own leaf certificate for x; {CHAIN_NOT_CHECKED}"
    )
    facts = ImageFacts(
        provenance=[
            prov(signed=True, envelope="sigstore-bundle", signature_verified=True, signature_detail=own_cert)
        ],
        identity=ImageIdentity(digest=DIGEST),
    )
    result = run("signature_verified", facts)
    assert result.verdict is P and "supply the organisation's public key" in result.reason
    assert run("component_authenticity", facts).verdict is M


def test_component_authenticity():
    unsigned = sbom_facts(comp("musl", supplier="Alpine"), comp("zlib"))
    result = run("component_authenticity", unsigned)
    assert result.verdict is M and "supplier for 1" in result.reason
    trusted = ImageFacts(
        provenance=[prov(signed=True, signature_verified=True)], identity=ImageIdentity(digest=DIGEST)
    )
    result = run("component_authenticity", trusted)
    assert result.verdict is S and DIGEST in result.reason


def test_review_checks():
    na = run("not_applicable_to_images", ImageFacts(), reason="Host kernel setting.")
    assert na.verdict is NA and na.reason == "Host kernel setting."
    manual = run("manual_review", ImageFacts(), reason="Check TLS settings.")
    assert manual.verdict is M and manual.reason == "Check TLS settings."


# -- the shipped packs end to end ------------------------------------------------------------
@pytest.mark.slow
def test_every_shipped_rule_renders_on_empty_and_on_rich_facts():
    from scc.assessment import Assessment

    rich = sbom_facts(comp("busybox"), comp("libssl3"), comp("zlib", "1"), comp("zlib", "2"))
    rich.findings = [finding("CVE-1", age_days=40), finding("CVE-2", "critical", fixed=False)]
    rich.scans = [ScanRecord("grype", timestamp=NOW, evidence=(SCAN_EV,))]
    rich.config = ImageConfig(user="root", exposed_ports=("80/tcp",), env_names=("API_TOKEN",))
    rich.filesystem = fs(executables=[entry("/bin/sh", 0o755)], setuid=[entry("/bin/su")])
    rich.provenance = [prov()]
    for facts in (ImageFacts(), rich):
        assessment = Assessment(facts, assessed_at=NOW)
        assert len(assessment.rule_results) >= 40
        for result in assessment.rule_results:
            assert result.statement, result.rule.id
            if result.verdict is M and result.rule.manual:
                assert "Assessor:" in result.statement and result.rule.manual in result.statement


@pytest.mark.slow
def test_real_samples_end_to_end(samples):
    from scc.assessment import Assessment
    from scc.facts import read_inputs

    facts = read_inputs(
        [
            str(samples / "grype" / "golang-1.12-alpine.grype.json"),
            str(samples / "cyclonedx" / "alpine.syft.cdx-1.5.json"),
            str(samples / "image-config" / "oci1-config.json"),
        ]
    )
    results = {r.rule.id: r for r in Assessment(facts, assessed_at=NOW).rule_results}
    # the OCI config sets no User, exposes 80/tcp, declares no Healthcheck and no labels
    assert results["ac6-non-root-user"].verdict is NS
    assert "80/tcp" in results["cm6-no-privileged-ports"].reason
    assert results["cm6-healthcheck-declared"].verdict is NS
    assert results["cm8-image-metadata-labels"].verdict is NS
    # the syft SBOM: 15 components (14 apk packages + the alpine OS), busybox and apk-tools among them
    assert results["cm8-sbom-present"].details["component_count"] == 15
    assert "busybox 1.36.1-r28" in results["cm7-no-shell"].reason
    assert "apk-tools 2.14.4-r0" in results["cm7-no-package-manager"].reason
    assert results["sc13-fips-module-active"].verdict is NS
    # grype (2024-07-23): 33 critical/high matches with a fix, 24 without, 10 medium with a fix
    sla = results["si2-fixable-findings-within-sla"]
    assert sla.verdict is NS and sla.details["overdue_count"] == 33
    assert results["si2-findings-without-fix"].details["unfixed"]["count"] == 24
    assert results["si2-medium-findings-within-sla"].details["overdue_count"] == 10
    assert results["ra5-scan-current"].verdict is NS and "2024-07-23" in results["ra5-scan-current"].reason
    # the grype report is of golang:1.12-alpine (alpine 3.10 packages), the SBOM of alpine 3.20: no overlap
    coverage = results["cm8-sbom-covers-scanned-packages"]
    assert (
        coverage.verdict is NS
        and coverage.details["seen"] == 8
        and coverage.details["coverage_percent"] == 0.0
    )
    assert results["SRG-APP-000342-CTR-000775"].verdict is NS
    assert results["SRG-OS-000033-GPOS-00014"].verdict is M  # no filesystem: cannot see sshd_config


def test_secret_and_misconfiguration_checks_need_a_scan():
    """Every branch of these two is proven in tests/test_secrets_misconfig.py."""
    assert "Trivy" in run("no_embedded_secrets", ImageFacts()).reason
    assert run("no_embedded_secrets", ImageFacts()).verdict is M
    assert run("no_failed_misconfigurations", ImageFacts()).verdict is M


def test_secret_env_names_on_the_hostile_docker_inspect(hostile):
    from scc.facts import read_inputs

    facts = read_inputs([str(hostile / "secret-env.docker-inspect.json")])
    result = run("no_secret_env_names", facts)
    assert result.verdict is NS
    assert result.details["suspicious"]["names"] == ["AWS_SECRET_ACCESS_KEY", "DB_PASSWORD"]
    assert "=" not in result.reason  # names only: no value ever reaches a reason


# -- vendor attestation sets (controls/attestation-sets.yaml) -----------------------------------------
def _attested(kind: str = "fips", verified: bool | None = True, subjects: tuple[str, ...] = ("img@sha256:" + "1" * 64,),
              excluded: str = "") -> AttestationRecord:
    detail = "DSSE signature verified against the supplied key k.pub" if verified else "not verified"
    return AttestationRecord(f"https://docker.com/dhi/{kind}/v0.1", kind, subjects, "dsse", True, verified, detail,
                             excluded=excluded, evidence=(Evidence("set.jsonl", "e" * 64, "line 1"),))


def test_attestations_name_image_branches():
    digest = ImageIdentity(digest="sha256:" + "1" * 64)
    assert run("attestations_name_image", ImageFacts()).verdict is M
    assert run("attestations_name_image", ImageFacts(attestations=[_attested()])).verdict is M   # digest unknown
    assert run("attestations_name_image", ImageFacts(identity=digest, attestations=[_attested()])).verdict is S
    assert run("attestations_name_image", ImageFacts(identity=digest, attestations=[_attested(verified=None)])).verdict is P
    other = _attested(subjects=("img@sha256:" + "2" * 64,), excluded="another digest")
    got = run("attestations_name_image", ImageFacts(identity=digest, attestations=[_attested(), other]))
    assert got.verdict is NS and "were not used" in got.reason


def test_vendor_tests_passed_branches():
    from scc.facts.model import VendorTestRun

    ev = (Evidence("set.jsonl", "e" * 64, "line 1/payload(base64)/predicate"),)
    record = _attested("test")
    assert run("vendor_tests_passed", ImageFacts()).verdict is M
    passed = VendorTestRun("https://in-toto.io/attestation/test-result/v0.1", "PASSED", passed=4, failed=0, evidence=ev)
    assert run("vendor_tests_passed", ImageFacts(attestations=[record], test_results=[passed])).verdict is P  # never S
    failed = replace(passed, result="FAILED", failed=1, failed_tests=("boots",))
    assert run("vendor_tests_passed", ImageFacts(attestations=[record], test_results=[failed])).verdict is NS
    silent = VendorTestRun("https://scout.docker.com/tests/v0.1", evidence=ev)
    assert run("vendor_tests_passed", ImageFacts(attestations=[record], test_results=[silent])).verdict is M


def test_stig_scan_attested_branches():
    from scc.facts.model import XccdfRuleResult

    record = _attested("stig")
    ev = (Evidence("set.jsonl", "e" * 64, "line 1/payload(base64)/predicate/output/0/content(base64)/x"),)
    assert run("stig_scan_attested", ImageFacts()).verdict is NA          # optional evidence, not supplied
    assert run("stig_scan_attested", ImageFacts(attestations=[record])).verdict is M          # no XCCDF inside
    ok = XccdfRuleResult("xccdf_rule_a", "pass", evidence=ev)
    assert run("stig_scan_attested", ImageFacts(attestations=[record], xccdf_results=[ok])).verdict is P
    bad = replace(ok, rule_id="xccdf_rule_b", result="fail")
    assert run("stig_scan_attested", ImageFacts(attestations=[record], xccdf_results=[ok, bad])).verdict is NS
    elsewhere = replace(bad, evidence=(Evidence("other-scan.xml", "f" * 64, "/x"),))   # a scan of its own
    assert run("stig_scan_attested", ImageFacts(attestations=[record], xccdf_results=[ok, elsewhere])).verdict is P


def test_fips_attestation_consistent_branches():
    from scc.facts.model import AttestedFipsModule

    table = replace(CTX, tables=DataTables(fips_modules=(
        CmvpModule("openssl-fips-provider", "OpenSSL FIPS Provider", "3.1.2", "4985", "FIPS 140-3"),)))
    ev = (Evidence("set.jsonl", "e" * 64, "line 1/payload(base64)/predicate/0"),)
    attested = AttestedFipsModule("OpenSSL FIPS Provider", "3.1.2", certification="CMVP #4985", status="active",
                                  evidence=ev)
    found = FipsModule("OpenSSL FIPS Provider", "3.1.2", "openssl-fips-provider", activated=True,
                       integrity="fipsmodule.cnf module-mac", evidence=(FS_EV,))
    record = _attested("fips")
    assert run("fips_attestation_consistent", ImageFacts(), table).verdict is NA
    base = ImageFacts(identity=ImageIdentity(digest="sha256:" + "1" * 64), attestations=[record],
                      attested_fips_modules=[attested], filesystem=FilesystemFacts())
    assert run("fips_attestation_consistent", base, table).verdict is P                       # not seen in the image
    seen = replace(base, fips_modules=[found])
    assert run("fips_attestation_consistent", seen, table).verdict is S
    unsigned = replace(seen, attestations=[_attested("fips", verified=None)])
    assert run("fips_attestation_consistent", unsigned, table).verdict is P
    wrong = replace(seen, attested_fips_modules=[replace(attested, certification="CMVP #4282")])
    assert run("fips_attestation_consistent", wrong, table).verdict is NS
    assert run("fips_attestation_consistent", seen, replace(CTX, tables=DataTables())).verdict is P   # not in the table
    assert run("fips_attestation_consistent", replace(seen, identity=ImageIdentity()), table).verdict is P  # no digest
