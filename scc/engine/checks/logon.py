"""Logon checks (CM-6, AC-7): no unattended or automatic logon, and account lockout after failed logons.

Both read the settings scc.facts.image.logon collects from the image's own configuration files, and decide
as DISA's STIGs implement the SRG requirement:

- SRG-OS-000480-GPOS-00229 (RHEL 9 and Ubuntu 22.04 STIGs): an SSH server must set
  ``PermitEmptyPasswords no`` and ``PermitUserEnvironment no`` explicitly (missing is a finding); gdm
  must set ``AutomaticLoginEnable=false``; no lightdm/sddm/getty autologin. No graphical interface is
  "Not Applicable" in DISA's text, and so is an image with no logon service at all.
- SRG-OS-000021-GPOS-00005: pam_faillock in the auth stack (common-auth, or system-auth and
  password-auth) with ``deny`` 1-3, ``fail_interval`` 1-900 and ``unlock_time = 0`` (Ubuntu 22.04 STIG).
"""

from __future__ import annotations

import re
from typing import Any

from scc.engine.checks import CheckContext, check
from scc.engine.checks.support import cite_files, listing, manual, outcome
from scc.engine.model import CheckOutcome, Verdict
from scc.facts.model import ConfigSetting, FilesystemFacts, ImageFacts

_NO_FS = "No image filesystem was supplied; supply the image to read its logon configuration."
_TRUE = {"1", "yes", "true", "on"}
_DISPLAY_MANAGERS = ("gdm", "lightdm", "sddm")


def _enables_autologin(setting: ConfigSetting) -> bool:
    key, value = setting.key.lower(), setting.value.strip().lower()
    if key.startswith("getty"):
        return True
    if key.startswith("match "):
        return value != "no"
    if "gdm" in setting.file:
        return key.endswith(("automaticloginenable", "timedloginenable")) and value in _TRUE
    if "lightdm" in setting.file:
        return key.endswith(("autologin-user", "autologin-guest")) and value not in ("", "false")
    if "sddm" in setting.file:
        return key.endswith("user") and bool(value)
    return False


def _sshd_problems(fs: FilesystemFacts) -> tuple[list[str], set[str]]:
    problems, files = [], set()
    for key, name in (("permitemptypasswords", "PermitEmptyPasswords"),
                      ("permituserenvironment", "PermitUserEnvironment")):
        setting = fs.sshd_settings.get(key)
        if setting is None:
            problems.append(f"sshd_config does not set {name} (DISA: it must be set to no)")
            continue
        files.add(setting.where())
        if setting.value.lower() != "no":
            problems.append(f"{name} {setting.value} ({setting.where()})")
    return problems, files


@check("no_automatic_logon", consults=("filesystem.logon_services", "filesystem.sshd_settings",
                                       "filesystem.autologin_settings"))
def no_automatic_logon(facts: ImageFacts, params: dict[str, Any], ctx: CheckContext) -> CheckOutcome:
    """No logon service of the image allows an unattended or automatic logon (sshd, gdm, lightdm, sddm,
    getty); not applicable when the image has no logon service at all."""
    fs = facts.filesystem
    if fs is None:
        return manual(_NO_FS)
    services = fs.logon_services
    autologin = [s for s in fs.autologin_settings if _enables_autologin(s)]
    problems = [f"{s.key} {s.value} ({s.where()})".strip() for s in autologin]
    files = {s.where() for s in fs.autologin_settings}
    if "sshd" in services:
        sshd_problems, sshd_files = _sshd_problems(fs)
        problems += sshd_problems
        files |= sshd_files
    if "gdm" in services and not any(s.key.lower().endswith("automaticloginenable")
                                     and s.value.lower() == "false" for s in fs.autologin_settings):
        problems.append("gdm does not set AutomaticLoginEnable=false in /etc/gdm/custom.conf (DISA: a finding)")
    details = {"services": {k: list(v) for k, v in services.items()}, "problems": problems,
               "sshd": {s.key: s.value for s in fs.sshd_settings.values()}}
    evidence = cite_files(fs, sorted(files) + [p for v in services.values() for p in v])
    if problems:
        return outcome(Verdict.NOT_SATISFIED,
                       f"The image allows or does not forbid an automatic logon: {listing(problems, 4)}.",
                       evidence, **details)
    if "dropbear" in services:
        return manual("The image carries the dropbear SSH server, whose blank-password logon (-B) is set on "
                      "its command line; confirm how it is started.", evidence, **details)
    present = [s for s in ("sshd", *_DISPLAY_MANAGERS) if s in services]
    if not present:
        return outcome(Verdict.NOT_APPLICABLE,
                       "The image has no logon service (no SSH server, no display manager, no getty "
                       "autologin), so nothing can log on to it automatically; DISA's STIGs treat a system "
                       "without these as not applicable.", evidence, **details)
    said = []
    if "sshd" in present:
        said.append("sshd sets PermitEmptyPasswords no and PermitUserEnvironment no")
    if "gdm" in present:
        said.append("gdm sets AutomaticLoginEnable=false")
    said += [f"{dm} configures no autologin" for dm in ("lightdm", "sddm") if dm in present]
    return outcome(Verdict.SATISFIED, f"No automatic logon: {'; '.join(said)}.", evidence, **details)


# -- account lockout -------------------------------------------------------------------------
_STACKS = (("/etc/pam.d/common-auth",), ("/etc/pam.d/system-auth", "/etc/pam.d/password-auth"))
_ARG = re.compile(r"\b(deny|fail_interval|unlock_time)=(\d+)")


def _stack_files(fs: FilesystemFacts) -> list[str]:
    present = {s.file for s in fs.pam_auth}
    for group in _STACKS:
        found = [f for f in group if f in present]
        if found:
            return found
    return sorted({s.file for s in fs.pam_auth if s.key in ("auth", "-auth")})


def _has_faillock(fs: FilesystemFacts, path: str, seen: set[str]) -> bool:
    if path in seen:
        return False
    seen.add(path)
    for line in (s for s in fs.pam_auth if s.file == path):
        if line.key in ("auth", "-auth") and "pam_faillock.so" in line.value:
            return True
        target = line.value.split()[-1] if line.key in ("@include", "include", "substack") else ""
        if not target and line.key == "auth" and line.value.split()[:1] in (["include"], ["substack"]):
            target = line.value.split()[-1]
        if target and _has_faillock(fs, target if target.startswith("/") else f"/etc/pam.d/{target}", seen):
            return True
    return False


def _lockout_values(fs: FilesystemFacts) -> dict[str, tuple[str, str]]:
    """setting -> (value, where): pam_faillock arguments win over faillock.conf, as in pam_faillock."""
    values = {k: (s.value, s.where()) for k, s in fs.faillock.items() if k in ("deny", "fail_interval", "unlock_time")}
    for line in fs.pam_auth:
        if "pam_faillock.so" in line.value:
            for key, number in _ARG.findall(line.value):
                values[key] = (number, line.where())
    return values


def _lockout_problems(values: dict[str, tuple[str, str]]) -> list[str]:
    rules = {"deny": (1, 3, "1-3"), "fail_interval": (1, 900, "1-900 seconds"), "unlock_time": (0, 0, "0")}
    problems = []
    for key, (low, high, wanted) in rules.items():
        value, where = values.get(key, ("", ""))
        if not value.isdigit():
            problems.append(f"{key} is not set (DISA: {wanted})")
        elif not low <= int(value) <= high:
            problems.append(f"{key} = {value} ({where}; DISA: {wanted})")
    return problems


@check("account_lockout", consults=("filesystem.pam_auth", "filesystem.faillock", "filesystem.logon_services"))
def account_lockout(facts: ImageFacts, params: dict[str, Any], ctx: CheckContext) -> CheckOutcome:
    """PAM locks an account after three consecutive failed logons within 15 minutes (pam_faillock)."""
    fs = facts.filesystem
    if fs is None:
        return manual(_NO_FS)
    stacks = _stack_files(fs)
    values = _lockout_values(fs)
    lines = [s.where() for s in fs.pam_auth if s.file in stacks and "pam_faillock" in s.value]
    evidence = cite_files(fs, [*stacks, *lines, *(s.where() for s in fs.faillock.values())])
    details = {"stacks": stacks, "settings": {k: v for k, (v, _) in values.items()}}
    if not stacks:
        remote = [s for s in ("sshd", "dropbear", *_DISPLAY_MANAGERS) if s in fs.logon_services]
        if remote:
            return manual(f"The image has a logon service ({', '.join(remote)}) but no PAM authentication "
                          "stack; confirm how failed logons lock the account.", evidence, **details)
        return outcome(Verdict.NOT_APPLICABLE,
                       "The image has no PAM authentication stack (/etc/pam.d) and no logon service, so it "
                       "authenticates no logons to lock out.", evidence, **details)
    missing = [f for f in stacks if not _has_faillock(fs, f, set())]
    if missing:
        return outcome(Verdict.NOT_SATISFIED,
                       f"The PAM authentication stack ({', '.join(missing)}) does not use pam_faillock, so "
                       "failed logons never lock an account.", evidence, **details)
    problems = _lockout_problems(values)
    if problems:
        return outcome(Verdict.NOT_SATISFIED,
                       f"pam_faillock is in the auth stack ({', '.join(stacks)}) but {listing(problems, 3)}.",
                       evidence, **details)
    return outcome(Verdict.SATISFIED,
                   f"pam_faillock in {', '.join(stacks)} locks an account after {values['deny'][0]} failed "
                   f"logons within {values['fail_interval'][0]} seconds until an administrator releases it "
                   f"(unlock_time 0; {values['deny'][1]}).", evidence, **details)
