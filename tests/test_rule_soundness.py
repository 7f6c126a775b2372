"""Issue #10 item 2: rules reach `satisfied` only on facts that prove the requirement as DISA states it.

Every case is a real-looking root filesystem tree (tests/rootfs_trees.py) read by scc's own reader,
then the shipped rule evaluated on it.
"""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rootfs_trees import (
    COMMON_AUTH_FAILLOCK,
    FAILLOCK_DISA,
    GDM_CUSTOM,
    SSHD_CONFIG_DEBIAN,
    SSHD_HARDENED,
    debian_files,
    facts_of,
    tree,
)

from scc.engine.checks import CheckContext
from scc.engine.evaluate import evaluate_rules
from scc.engine.rules import load_rule_packs
from scc.facts.model import ImageFacts

ELF = (b"\x7fELF" + b"\x00" * 80, 0o755)
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def verdict(rule_id: str, facts: ImageFacts) -> tuple[str, str]:
    rule = next(r for r in load_rule_packs() if r.id == rule_id)
    result = evaluate_rules(facts, [rule], CheckContext(now=NOW))[0]
    return result.verdict.value, result.reason


AUTOLOGIN = "SRG-OS-000480-GPOS-00229"
LOCKOUT = "SRG-OS-000021-GPOS-00005"


def test_login_package_alone_does_not_fail_autologin(tmp_path):
    got, reason = verdict(AUTOLOGIN, facts_of(tree(tmp_path, debian_files())))
    assert got == "not-applicable", reason
    assert "no logon service" in reason


@pytest.mark.parametrize("changes, expected, phrase", [
    ({"usr/sbin/sshd": ELF, "etc/ssh/sshd_config": SSHD_CONFIG_DEBIAN}, "not-satisfied",
     "does not set PermitEmptyPasswords"),
    ({"usr/sbin/sshd": ELF, "etc/ssh/sshd_config": SSHD_CONFIG_DEBIAN,
      "etc/ssh/sshd_config.d/50-stig.conf": SSHD_HARDENED}, "satisfied", "PermitUserEnvironment no"),
    ({"usr/sbin/sshd": ELF, "etc/ssh/sshd_config": SSHD_CONFIG_DEBIAN,
      "etc/ssh/sshd_config.d/10-lab.conf": b"PermitEmptyPasswords yes\n",
      "etc/ssh/sshd_config.d/50-stig.conf": SSHD_HARDENED}, "not-satisfied", "PermitEmptyPasswords yes"),
    ({"usr/sbin/sshd": ELF, "etc/ssh/sshd_config": SSHD_CONFIG_DEBIAN + b"Match User ci\n  PermitUserEnvironment yes\n",
      "etc/ssh/sshd_config.d/50-stig.conf": SSHD_HARDENED}, "not-satisfied", "Match PermitUserEnvironment"),
    ({"usr/sbin/gdm3": ELF, "etc/gdm3/custom.conf": GDM_CUSTOM.replace(b"=false", b"=true")
      + b"AutomaticLogin=kiosk\n"}, "not-satisfied", "AutomaticLoginEnable true"),
    ({"usr/sbin/gdm3": ELF, "etc/gdm3/custom.conf": GDM_CUSTOM}, "satisfied", "AutomaticLoginEnable=false"),
    ({"usr/sbin/lightdm": ELF, "etc/lightdm/lightdm.conf": b"[Seat:*]\nautologin-user=kiosk\n"},
     "not-satisfied", "autologin-user kiosk"),
    ({"usr/bin/sddm": ELF, "etc/sddm.conf.d/kde_settings.conf": b"[Autologin]\nRelogin=false\nUser=kiosk\n"},
     "not-satisfied", "[Autologin] User kiosk"),
    ({"etc/systemd/system/getty@tty1.service.d/override.conf":
      b"[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin root --noclear %I $TERM\n"},
     "not-satisfied", "getty --autologin"),
])
@pytest.mark.slow
def test_autologin_decided_from_real_settings(tmp_path, changes, expected, phrase):
    got, reason = verdict(AUTOLOGIN, facts_of(tree(tmp_path, debian_files(), changes)))
    assert (got, phrase in reason) == (expected, True), reason


@pytest.mark.parametrize("changes, expected, phrase", [
    ({}, "not-satisfied", "does not use pam_faillock"),
    ({"etc/pam.d/common-auth": COMMON_AUTH_FAILLOCK, "etc/security/faillock.conf": FAILLOCK_DISA},
     "satisfied", "after 3 failed logons within 900 seconds"),
    ({"etc/pam.d/common-auth": COMMON_AUTH_FAILLOCK,
      "etc/security/faillock.conf": FAILLOCK_DISA.replace(b"deny = 3", b"deny = 5")}, "not-satisfied", "deny = 5"),
    ({"etc/pam.d/common-auth": COMMON_AUTH_FAILLOCK,
      "etc/security/faillock.conf": FAILLOCK_DISA.replace(b"unlock_time = 0", b"unlock_time = 600")},
     "not-satisfied", "unlock_time = 600"),
    ({"etc/pam.d/common-auth": COMMON_AUTH_FAILLOCK}, "not-satisfied", "deny is not set"),
    ({"etc/pam.d/common-auth": None, "etc/pam.d/login": None}, "not-applicable", "no PAM authentication stack"),
])
@pytest.mark.slow
def test_account_lockout_reads_pam_and_faillock(tmp_path, changes, expected, phrase):
    got, reason = verdict(LOCKOUT, facts_of(tree(tmp_path, debian_files(), changes)))
    assert (got, phrase in reason) == (expected, True), reason


@pytest.mark.slow
def test_rhel_stack_needs_faillock_in_system_and_password_auth(tmp_path):
    stack = b"auth required pam_faillock.so preauth\nauth sufficient pam_unix.so\nauth [default=die] pam_faillock.so authfail\n"
    changes = {"etc/pam.d/common-auth": None, "etc/pam.d/system-auth": stack,
               "etc/pam.d/password-auth": b"auth sufficient pam_unix.so\n", "etc/security/faillock.conf": FAILLOCK_DISA}
    got, reason = verdict(LOCKOUT, facts_of(tree(tmp_path, debian_files(), changes)))
    assert got == "not-satisfied" and "/etc/pam.d/password-auth" in reason


def test_new_checks_are_registered():
    from scc.engine.checks import registry

    assert {"no_automatic_logon", "account_lockout", "package_signatures_enforced", "no_nonessential_tools",
            "non_root_without_escalation", "system_software_root_owned",
            "software_install_requires_privilege"} <= set(registry())


# -- SRG-OS-000366: package signature verification, not an image signature ----------------------
SIGNED = "SRG-OS-000366-GPOS-00153"


@pytest.mark.parametrize("builder, changes, expected, phrase", [
    ("debian", {}, "satisfied", "apt verifies signatures with 2 trusted keys"),
    ("debian", {"etc/apt/sources.list": b"deb [trusted=yes] http://repo.example/debian bookworm main\n"},
     "not-satisfied", "trusted yes (/etc/apt/sources.list line 1)"),
    ("debian", {"etc/apt/apt.conf.d/99insecure": b'APT::Get::AllowUnauthenticated "true";\n'},
     "not-satisfied", "APT::Get::AllowUnauthenticated true"),
    ("debian", {"etc/apt/sources.list.d/debian.sources": None, "usr/share/keyrings/debian-archive-keyring.gpg": None,
                "etc/apt/trusted.gpg.d/debian-archive-bookworm-automatic.asc": None,
                "etc/apt/sources.list": b"deb http://deb.debian.org/debian bookworm main\n"},
     "not-satisfied", "apt has no trusted signing key"),
    ("alpine", {}, "satisfied", "apk verifies signatures with 1 trusted key"),
    ("alpine", {"etc/apk/keys/alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub": None}, "not-satisfied",
     "apk has no trusted signing key"),
    ("alpine", {"etc/apk/config": b"--allow-untrusted\n"}, "not-satisfied", "allow-untrusted"),
    ("ubi", {}, "satisfied", "dnf verifies signatures"),
    ("ubi", {"etc/yum.repos.d/epel.repo": b"[epel]\nbaseurl=https://mirror.example/epel/9\nenabled=1\ngpgcheck=0\n"},
     "not-satisfied", "[epel] gpgcheck 0"),
    ("ubi", {"etc/dnf/dnf.conf": b"[main]\ngpgcheck=1\ninstallonly_limit=3\n"}, "partial", "localpkg_gpgcheck"),
])
@pytest.mark.slow
def test_package_signature_verification_from_package_manager_config(tmp_path, builder, changes, expected, phrase):
    from rootfs_trees import alpine_files, ubi_files

    base = {"debian": debian_files, "alpine": alpine_files, "ubi": ubi_files}[builder]()
    got, reason = verdict(SIGNED, facts_of(tree(tmp_path, base, changes)))
    assert (got, phrase in reason) == (expected, True), reason


@pytest.mark.slow
def test_image_signature_does_not_satisfy_package_signature_rules(tmp_path):
    from scc.facts.model import SignatureCheck

    facts = facts_of(tree(tmp_path, debian_files(), {"etc/apt/sources.list": b"deb [trusted=yes] http://r/ x main\n"}))
    facts.signatures = [SignatureCheck(kind="dsse", subject="image", verified=True, detail="key ok")]
    assert verdict(SIGNED, facts)[0] == "not-satisfied"
    assert verdict("SRG-APP-000610-CTR-001385", facts)[0] == "manual"


@pytest.mark.slow
def test_distroless_has_no_package_manager_to_verify(tmp_path):
    files = {k: v for k, v in debian_files().items() if not k.startswith(("etc/apt", "usr/bin/apt", "usr/bin/dpkg"))}
    got, reason = verdict(SIGNED, facts_of(tree(tmp_path, files)))
    assert got == "not-applicable", reason


# -- SRG-OS-000362: installation needs privilege, a package manager alone is no finding ----------
PRIVILEGE = "SRG-OS-000362-GPOS-00149"


@pytest.mark.parametrize("config, owners, changes, expected, phrase", [
    ({"User": "10001:10001"}, {}, {}, "satisfied", "usr/bin/apt-get"),
    ({"User": "app"}, {}, {}, "satisfied", "uid 10001, not root"),
    ({"User": ""}, {}, {}, "not-satisfied", "runs as root"),
    ({"User": "0"}, {}, {}, "not-satisfied", "install system software with"),
    ({"User": "10001"}, {"var/lib/dpkg/status": 10001}, {}, "not-satisfied", "/var/lib/dpkg/status"),
    ({"User": "10001"}, {}, {"usr/lib/x86_64-linux-gnu/libgcrypt.so.20.4.1": (b"\x7fELF" + b"\0" * 80, 0o666)},
     "not-satisfied", "libgcrypt"),
    ({"User": "ghost"}, {}, {}, "manual", "does not resolve"),
])
@pytest.mark.slow
def test_install_privilege_from_user_and_ownership(tmp_path, config, owners, changes, expected, phrase):
    from rootfs_trees import image

    facts = facts_of(image(tmp_path, debian_files(), changes, config=config, owners=owners))
    got, reason = verdict(PRIVILEGE, facts)
    assert (got, phrase in reason) == (expected, True), reason


# -- SRG-OS-000095: a compiler's absence does not prove only essential capabilities ---------------
NONESSENTIAL = "SRG-OS-000095-GPOS-00049"


@pytest.mark.slow
def test_shell_and_package_manager_fail_nonessential_capabilities(tmp_path):
    got, reason = verdict(NONESSENTIAL, facts_of(tree(tmp_path, debian_files())))
    assert got == "not-satisfied" and "/bin/bash" in reason and "/usr/bin/apt-get" in reason, reason


@pytest.mark.slow
def test_no_tools_is_left_to_the_mission_decision(tmp_path):
    files = {k: v for k, v in debian_files().items() if k not in ("bin/bash", "usr/bin/dpkg", "usr/bin/apt-get")}
    got, reason = verdict(NONESSENTIAL, facts_of(tree(tmp_path, files)))
    assert got == "manual" and "essential" in reason, reason


# -- FIPS: a module counts only with its integrity check, validated only with its certificate -------
FIPS = "SRG-OS-000478-GPOS-00223"


@pytest.mark.slow
def test_debian_libgcrypt_without_hmac_is_not_a_fips_module(tmp_path):
    facts = facts_of(tree(tmp_path, debian_files(), {"etc/gcrypt/fips_enabled": b"1\n"}))
    got, reason = verdict(FIPS, facts)
    assert got == "not-satisfied" and "libgcrypt20" in reason, reason
    assert facts.fips_modules == []


@pytest.mark.slow
def test_libgcrypt_with_hmac_but_no_certificate_is_partial(tmp_path):
    changes = {"etc/gcrypt/fips_enabled": b"1\n", "usr/lib/x86_64-linux-gnu/.libgcrypt.so.20.hmac": b"3f" * 32}
    got, reason = verdict(FIPS, facts_of(tree(tmp_path, debian_files(), changes)))
    assert got == "partial" and "no CMVP certificate" in reason, reason


@pytest.mark.slow
def test_openssl_provider_needs_its_module_mac(tmp_path):
    from imagebuild import fake_elf

    cnf = (b"openssl_conf = openssl_init\n.include /usr/lib/ssl/fipsmodule.cnf\n[openssl_init]\n"
           b"providers = provider_sect\n[provider_sect]\nfips = fips_sect\nbase = base_sect\n[base_sect]\nactivate = 1\n")
    module = b"[fips_sect]\nactivate = 1\ninstall-version = 1\nmodule-mac = 5B:3C:8E:AA\n"
    base = {**debian_files(), "usr/lib/x86_64-linux-gnu/ossl-modules/fips.so":
            fake_elf(b"OpenSSL FIPS Provider", b"3.1.2", b"OpenSSL 3.1.2 1 Aug 2023"), "usr/lib/ssl/openssl.cnf": cnf}
    with_mac = verdict(FIPS, facts_of(tree(tmp_path, base, {"usr/lib/ssl/fipsmodule.cnf": module}, "a")))
    assert with_mac[0] == "satisfied" and "CMVP #4985" in with_mac[1] and "module-mac" in with_mac[1], with_mac
    without = verdict(FIPS, facts_of(tree(tmp_path, base, {"usr/lib/ssl/fipsmodule.cnf":
                                                           module.replace(b"module-mac = 5B:3C:8E:AA\n", b"")}, "b")))
    assert without[0] == "not-satisfied" and "integrity" in without[1], without


# -- the audit's downgrades ------------------------------------------------------------------------
@pytest.mark.slow
def test_non_root_with_a_setuid_program_is_only_partial(tmp_path):
    from rootfs_trees import image

    base = debian_files()
    clean = facts_of(image(tmp_path, base, config={"User": "10001"}, name="clean"))
    assert verdict("SRG-OS-000324-GPOS-00125", clean)[0] == "satisfied"      # check non_root_without_escalation
    raised = facts_of(image(tmp_path, base, {"usr/bin/su": (b"\x7fELF" + b"\0" * 80, 0o4755)},
                            config={"User": "10001"}, name="raised"))
    got, reason = verdict("SRG-OS-000324-GPOS-00125", raised)
    assert got == "partial" and "/usr/bin/su" in reason, reason
    assert verdict("SRG-APP-000342-CTR-000775", clean)[0] == "manual"        # the platform's admission is unseen
    assert verdict("SRG-OS-000324-GPOS-00125", facts_of(image(tmp_path, base, config={"User": ""},
                                                               name="root")))[0] == "not-satisfied"


@pytest.mark.slow
def test_libraries_writable_by_a_non_root_owner_fail_software_library_privileges(tmp_path):
    from rootfs_trees import image

    rule = "SRG-OS-000259-GPOS-00100"      # check system_software_root_owned
    assert verdict(rule, facts_of(image(tmp_path, debian_files(), name="ok")))[0] == "satisfied"
    owned = facts_of(image(tmp_path, debian_files(), owners={"usr/lib/x86_64-linux-gnu/libgcrypt.so.20.4.1": 10001},
                           name="owned"))
    got, reason = verdict(rule, owned)
    assert got == "not-satisfied" and "libgcrypt.so.20.4.1" in reason, reason
    assert verdict("SRG-APP-000133-CTR-000305", facts_of(image(tmp_path, debian_files(), name="p")))[0] == "manual"


@pytest.mark.slow
def test_sbom_absence_of_a_shell_is_not_proof(tmp_path):
    from scc.facts.model import Component, Evidence, SbomRecord

    ev = Evidence("sbom.cdx.json", "a" * 64, "/components/0")
    facts = ImageFacts(components=[Component("musl", "1.2.4-r2", "apk", "pkg:apk/alpine/musl@1.2.4-r2", evidence=[ev])],
                       sboms=[SbomRecord("cyclonedx", "1.6", evidence=(ev,))])
    assert verdict("cm7-no-shell", facts)[0] == "manual"


@pytest.mark.slow
def test_absent_insecure_services_do_not_prove_ppsm_conformance(tmp_path):
    facts = facts_of(tree(tmp_path, debian_files()))
    assert verdict("SRG-OS-000096-GPOS-00050", facts)[0] == "manual"
    assert verdict("cm7-no-insecure-services", facts)[0] == "satisfied"   # the rule's own, narrower claim
    telnet = facts_of(tree(tmp_path, debian_files(), {"var/lib/dpkg/status": debian_files()["var/lib/dpkg/status"]
                           + b"Package: telnetd\nStatus: install ok installed\nVersion: 0.17+2.4-2\n\n"}, "t"))
    assert verdict("SRG-OS-000096-GPOS-00050", telnet)[0] == "not-satisfied"


@pytest.mark.slow
def test_install_privilege_is_manual_when_ownership_records_overflow(tmp_path):
    from rootfs_trees import image

    from scc.facts.image.fs_scan import SYSTEM_WRITE_CAP

    man_pages = {f"usr/share/man/man1/tool{i}.1": b".TH TOOL 1\n" for i in range(SYSTEM_WRITE_CAP + 1)}
    facts = facts_of(image(tmp_path, debian_files(), man_pages, config={"User": "10001"},
                           owners=dict.fromkeys(man_pages, 6)))
    got, reason = verdict(PRIVILEGE, facts)
    assert got == "manual" and f"More than {SYSTEM_WRITE_CAP}" in reason, reason


@pytest.mark.slow
def test_world_writable_data_outside_system_software_is_not_a_system_software_path(tmp_path):
    from rootfs_trees import image

    facts = facts_of(image(tmp_path, debian_files(), {"srv/app/cache/state.db": (b"SQLite format 3\0", 0o666)},
                           config={"User": "10001"}))
    assert verdict("SRG-OS-000259-GPOS-00100", facts)[0] == "satisfied"
    assert verdict(PRIVILEGE, facts)[0] == "satisfied"
    assert verdict("ac3-no-world-writable-files", facts)[0] == "not-satisfied"   # still a finding there


@pytest.mark.slow
@pytest.mark.parametrize("inputs", [
    ["examples/demo-image"], ["tests/data/fixture-image"],
    ["tests/data/fixture-image/sbom.spdx-2.3.json"],   # no filesystem: most rules manual, none uncited
], ids=["example", "fixture-image", "sbom-only"])
def test_every_decided_verdict_cites_evidence(no_content, inputs):
    """A satisfied, partial or not-satisfied statement names the input and spot it stands on (the
    package manager with no trusted key once cited nothing: its record now cites the files showing apk)."""
    from conftest import EXAMPLE, REPO

    import scc

    assessment = scc.assess([str(REPO / i) for i in inputs], keys=[str(EXAMPLE / "demo-signing.pub")])
    uncited = [(r.rule.id, r.verdict.value) for r in assessment.report.rule_results
               if r.verdict.value in ("satisfied", "partial", "not-satisfied") and not r.evidence]
    assert uncited == []
