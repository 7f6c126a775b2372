"""Logon facts from an image filesystem: which services accept a logon, their autologin settings, PAM.

- sshd: the effective global settings of /etc/ssh/sshd_config with its ``Include``s (sshd_config.d),
  OpenSSH's rule that the first value obtained wins; settings inside a ``Match`` block are recorded
  as autologin-relevant settings (they apply to some connections) when they are the ones that matter.
- display managers: gdm ([daemon] AutomaticLoginEnable / TimedLoginEnable in custom.conf or
  daemon.conf), lightdm (autologin-user / autologin-guest in lightdm.conf and lightdm.conf.d), sddm
  ([Autologin] User / Session in sddm.conf and sddm.conf.d).
- getty: ``--autologin`` in systemd getty unit overrides or /etc/inittab.
- PAM: the auth and account lines (and includes) of every /etc/pam.d file, and
  /etc/security/faillock.conf.

Every setting is a ConfigSetting naming the file and line it came from.
"""
from __future__ import annotations

import fnmatch
import re

from scc.facts.image.vfs import VirtualFS
from scc.facts.model import ConfigSetting, FilesystemFacts

#: sshd keywords that decide unattended/automatic logon (DISA: PermitEmptyPasswords, PermitUserEnvironment)
SSHD_KEYS = ("permitemptypasswords", "permituserenvironment", "permitrootlogin", "passwordauthentication",
             "hostbasedauthentication", "ciphers", "macs", "usepam")
_SERVICE_PATHS: dict[str, tuple[str, ...]] = {
    "sshd": ("usr/sbin/sshd", "sbin/sshd", "etc/ssh/sshd_config"),
    "dropbear": ("usr/sbin/dropbear", "sbin/dropbear", "etc/default/dropbear"),
    "gdm": ("usr/sbin/gdm", "usr/sbin/gdm3", "etc/gdm/custom.conf", "etc/gdm3/custom.conf",
            "etc/gdm3/daemon.conf"),
    "lightdm": ("usr/sbin/lightdm", "etc/lightdm/lightdm.conf"),
    "sddm": ("usr/bin/sddm", "etc/sddm.conf"),
}
_GDM_FILES = ("etc/gdm/custom.conf", "etc/gdm3/custom.conf", "etc/gdm3/daemon.conf")
_GDM_KEYS = ("automaticloginenable", "automaticlogin", "timedloginenable", "timedlogin")
_LIGHTDM_DIRS = ("usr/share/lightdm/lightdm.conf.d", "etc/lightdm/lightdm.conf.d")
_LIGHTDM_KEYS = ("autologin-user", "autologin-guest", "autologin-session", "autologin-user-timeout")
_SDDM_DIRS = ("usr/lib/sddm/sddm.conf.d", "etc/sddm.conf.d")
_GETTY_UNIT_DIR = "etc/systemd/system"
_PAM_TYPES = ("auth", "-auth", "account", "-account", "@include", "include", "substack")
_MAX_INCLUDE_DEPTH = 8
_SSHD_LINE = re.compile(r"^([A-Za-z]+)(?:\s*=\s*|\s+)(.*)$")


def collect_logon(fs: VirtualFS, facts: FilesystemFacts) -> list[str]:
    """Fill the logon fields of ``facts``; returns the image paths read (for evidence)."""
    read: list[str] = []
    for service, paths in _SERVICE_PATHS.items():
        found = ["/" + p for p in paths if fs.lookup(p) is not None]
        if found:
            facts.logon_services[service] = found
    _sshd(fs, "etc/ssh/sshd_config", facts, read, 0, [False])
    _gdm(fs, facts, read)
    _lightdm(fs, facts, read)
    _sddm(fs, facts, read)
    _getty(fs, facts, read)
    _pam(fs, facts, read)
    return read


def _lines(fs: VirtualFS, path: str, read: list[str]) -> list[tuple[int, str]]:
    text = fs.text(path)
    if text is None:
        return []
    read.append(path)
    return [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1)
            if line.strip() and not line.strip().startswith(("#", ";"))]


# -- sshd ------------------------------------------------------------------------------------
def _sshd(fs: VirtualFS, path: str, facts: FilesystemFacts, read: list[str], depth: int,
          in_match: list[bool]) -> None:
    if depth > _MAX_INCLUDE_DEPTH or path in read:
        return
    for number, line in _lines(fs, path, read):
        match = _SSHD_LINE.match(line)
        if match is None:
            continue
        keyword, value = match.group(1), match.group(2).strip().strip('"')
        key = keyword.lower()
        if key == "include":
            for pattern in value.split():
                for target in _glob(fs, pattern if pattern.startswith("/") else f"/etc/ssh/{pattern}"):
                    _sshd(fs, target, facts, read, depth + 1, in_match)
            continue
        if key == "match":
            in_match[0] = value.lower() != "all"
            continue
        if key not in SSHD_KEYS:
            continue
        setting = ConfigSetting("/" + path, number, keyword, value)
        if in_match[0]:
            if key in ("permitemptypasswords", "permituserenvironment"):
                facts.autologin_settings.append(ConfigSetting("/" + path, number, f"Match {keyword}", value))
        else:
            facts.sshd_settings.setdefault(key, setting)


def _glob(fs: VirtualFS, pattern: str) -> list[str]:
    """Image paths matching an absolute glob whose wildcards are in the last component only."""
    directory, _, name = pattern.lstrip("/").rpartition("/")
    if not any(c in name for c in "*?["):
        return [f"{directory}/{name}"]
    return [f"{directory}/{n}" for n in fs.listdir(directory) if fnmatch.fnmatchcase(n, name)]


# -- display managers and getty --------------------------------------------------------------
def _ini(fs: VirtualFS, path: str, read: list[str]) -> list[tuple[str, int, str, str]]:
    """(section, line, key, value) of an INI-style file."""
    section = ""
    found = []
    for number, line in _lines(fs, path, read):
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        key, sep, value = line.partition("=")
        if sep:
            found.append((section, number, key.strip(), value.strip()))
    return found


def _gdm(fs: VirtualFS, facts: FilesystemFacts, read: list[str]) -> None:
    for path in _GDM_FILES:
        for section, number, key, value in _ini(fs, path, read):
            if section.lower() == "daemon" and key.lower() in _GDM_KEYS:
                facts.autologin_settings.append(ConfigSetting("/" + path, number, f"[daemon] {key}", value))


def _lightdm(fs: VirtualFS, facts: FilesystemFacts, read: list[str]) -> None:
    paths = [f"{d}/{n}" for d in _LIGHTDM_DIRS for n in fs.listdir(d) if n.endswith(".conf")]
    for path in [*paths, "etc/lightdm/lightdm.conf"]:
        for section, number, key, value in _ini(fs, path, read):
            if section.lower().startswith(("seat", "seatdefaults")) and key.lower() in _LIGHTDM_KEYS:
                facts.autologin_settings.append(ConfigSetting("/" + path, number, f"[{section}] {key}", value))


def _sddm(fs: VirtualFS, facts: FilesystemFacts, read: list[str]) -> None:
    paths = [f"{d}/{n}" for d in _SDDM_DIRS for n in fs.listdir(d) if n.endswith(".conf")]
    for path in [*paths, "etc/sddm.conf"]:
        for section, number, key, value in _ini(fs, path, read):
            if section.lower() == "autologin" and key.lower() in ("user", "session"):
                facts.autologin_settings.append(ConfigSetting("/" + path, number, f"[Autologin] {key}", value))


_AUTOLOGIN_ARG = re.compile(r"(^|\s)(--autologin|-a)(\s|=|$)")


def _getty(fs: VirtualFS, facts: FilesystemFacts, read: list[str]) -> None:
    units = [n for n in fs.listdir(_GETTY_UNIT_DIR) if "getty" in n]
    paths = []
    for name in units:
        unit = f"{_GETTY_UNIT_DIR}/{name}"
        paths += [f"{unit}/{n}" for n in fs.listdir(unit) if n.endswith(".conf")] if name.endswith(".d") else [unit]
    for path in [*paths, "etc/inittab"]:
        for number, line in _lines(fs, path, read):
            if "getty" in line and _AUTOLOGIN_ARG.search(line):
                facts.autologin_settings.append(ConfigSetting("/" + path, number, "getty --autologin", line))


# -- PAM -------------------------------------------------------------------------------------
def _pam(fs: VirtualFS, facts: FilesystemFacts, read: list[str]) -> None:
    for name in fs.listdir("etc/pam.d"):
        path = f"etc/pam.d/{name}"
        for number, line in _lines(fs, path, read):
            kind, _, rest = line.replace("\t", " ").partition(" ")
            if kind.lower() in _PAM_TYPES:
                facts.pam_auth.append(ConfigSetting("/" + path, number, kind.lower(), " ".join(rest.split())))
    for number, line in _lines(fs, "etc/security/faillock.conf", read):
        key, sep, value = line.partition("=")
        facts.faillock.setdefault(key.strip().lower(),
                                  ConfigSetting("/etc/security/faillock.conf", number, key.strip(),
                                                value.strip() if sep else ""))
