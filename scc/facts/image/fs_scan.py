"""Facts from an image's root filesystem (a VirtualFS): what is installed and how it is configured.

The executables (every file in any bin/ or sbin/ directory, unclassified: which are shells, package
managers or compilers the engine decides from controls/configuration.yaml), setuid/setgid
and world-writable entries, accounts from etc/passwd, os-release, crypto policy, a few short
configuration facts (login.defs, sshd_config, pwquality.conf, audit rules), logon settings (sshd,
display managers, getty, PAM and faillock: scc.facts.image.logon), package-manager signature settings
(scc.facts.image.pkgsign), system-software paths a non-root user or group may change, the OS packages from
the apk, dpkg or rpm database (scc.facts.image.rpmdb) and the installed Python distributions (scc.facts.image.pydist).
COLLECTED_FIELDS and CONFIG_FILE_FACTS declare what it fills, for `scc rules lint`.
Every FileEntry cites ``rootfs:/<path>`` inside the input it came from.
"""
from __future__ import annotations

import re
import stat

from scc.facts.image.logon import collect_logon
from scc.facts.image.pkgsign import package_signing
from scc.facts.image.pydist import python_packages
from scc.facts.image.rpmdb import rpm_packages
from scc.facts.image.vfs import Node, VirtualFS
from scc.facts.model import Component, FileEntry, FilesystemFacts
from scc.facts.source import InputDocument

_NO_LOGIN = frozenset({"nologin", "false", "sync", "shutdown", "halt"})
_BIN_DIR = re.compile(r"(^|/)s?bin$")
#: where system software lives: an entry here not owned by root, or writable by a non-root group, lets
#: that user or group change or add system software (SRG-OS-000362, CM-11(2))
SYSTEM_SOFTWARE_DIRS = ("usr/", "bin/", "sbin/", "lib/", "lib32/", "lib64/", "libx32/", "etc/",
                        "var/lib/dpkg/", "var/lib/rpm/", "var/lib/apt/", "lib/apk/")
SYSTEM_WRITE_CAP = 2000

#: The FilesystemFacts fields this scan fills (what `scc rules lint` accepts a check to consult).
COLLECTED_FIELDS = frozenset({
    "root", "file_count", "os_release", "executables", "setuid", "setgid",
    "world_writable", "login_users", "accounts", "crypto_policy", "fips_markers", "config_files", "evidence",
    "logon_services", "sshd_settings", "autologin_settings", "pam_auth", "faillock", "package_signing",
    "system_write_access",
})
#: The image paths whose settings become ``config_files`` entries (what a config_file_setting rule may cite).
CONFIG_FILE_FACTS = frozenset({
    "/etc/login.defs", "/etc/ssh/sshd_config", "/etc/security/pwquality.conf", "/etc/audit/audit.rules",
    "/etc/audit/auditd.conf",
})


def scan_filesystem(fs: VirtualFS, doc: InputDocument, root: str) -> tuple[FilesystemFacts, list[Component]]:
    """FilesystemFacts and the OS package Components of ``fs`` (``root`` names it in the facts)."""
    facts = FilesystemFacts(root=root, evidence=[doc.evidence("rootfs:/")])
    users, groups = _names(fs, "etc/passwd"), _names(fs, "etc/group")

    def entry(path: str, node: Node) -> FileEntry:
        owner = f"{users.get(node.uid, str(node.uid))}:{groups.get(node.gid, str(node.gid))}"
        return FileEntry("/" + path, node.mode, owner, (doc.evidence(f"rootfs:/{path}"),), node.uid, node.gid)

    sticky: list[str] = []
    for path, node in fs.walk():
        if node.kind != "dir":
            facts.file_count += 1
        _classify(fs, path, node, facts, entry, sticky)
    if sticky:
        facts.config_files["(world-writable sticky directories)"] = (
            "not counted as world-writable (sticky bit set: only owners may delete): "
            + ", ".join("/" + p for p in sticky[:20]))
    facts.os_release = _os_release(fs)
    _accounts(fs, facts)
    _crypto_policy(fs, facts)
    _config_facts(fs, facts)
    read = collect_logon(fs, facts)
    facts.package_signing = package_signing(fs, doc)
    facts.evidence += [doc.evidence(f"rootfs:/{path}") for path in _FACT_FILES if fs.text(path) is not None]
    facts.evidence += [doc.evidence(f"rootfs:/{path}") for path in dict.fromkeys(read) if path not in _FACT_FILES]
    return facts, packages(fs, doc, facts.os_release)


# Files whose content becomes facts: cited by path so an assessor can open exactly what was read.
_FACT_FILES = ("etc/passwd", "etc/group", "etc/os-release", "usr/lib/os-release", "etc/login.defs",
               "etc/crypto-policies/config")


def _classify(fs: VirtualFS, path: str, node: Node, facts: FilesystemFacts, entry, sticky: list[str]) -> None:
    if node.kind == "file":
        if node.mode & stat.S_ISUID:
            facts.setuid.append(entry(path, node))
        if node.mode & stat.S_ISGID:
            facts.setgid.append(entry(path, node))
    if node.kind != "symlink" and node.mode & stat.S_IWOTH:
        if node.kind == "dir" and node.mode & stat.S_ISVTX:
            sticky.append(path)
        else:
            facts.world_writable.append(entry(path, node))
    if _system_write_access(path, node) and len(facts.system_write_access) < SYSTEM_WRITE_CAP:
        facts.system_write_access.append(entry(path, node))
    parent = path.rpartition("/")[0]
    if not _BIN_DIR.search(parent):
        return
    if node.kind == "symlink" and fs.lookup(path) is None:
        return  # a dangling link runs nothing
    if node.kind == "dir":
        return
    facts.executables.append(entry(path, node))


def _system_write_access(path: str, node: Node) -> bool:
    """A system-software entry that a non-root user or group owns or may write."""
    if node.kind == "symlink" or not (path + "/").startswith(SYSTEM_SOFTWARE_DIRS):
        return False
    return node.uid != 0 or bool(node.mode & stat.S_IWGRP and node.gid != 0) or bool(
        node.mode & stat.S_IWOTH and not (node.kind == "dir" and node.mode & stat.S_ISVTX))


def _names(fs: VirtualFS, path: str) -> dict[int, str]:
    names: dict[int, str] = {}
    for line in (fs.text(path) or "").splitlines():
        fields = line.split(":")
        if len(fields) >= 3 and fields[2].strip().isdigit():
            names.setdefault(int(fields[2]), fields[0])
    return names


def _os_release(fs: VirtualFS) -> dict[str, str]:
    text = fs.text("etc/os-release") or fs.text("usr/lib/os-release") or ""
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            values[key.strip()] = value
    return values


def _accounts(fs: VirtualFS, facts: FilesystemFacts) -> None:
    for line in (fs.text("etc/passwd") or "").splitlines():
        fields = line.strip().split(":")
        if len(fields) < 7 or not fields[0] or fields[0].startswith(("#", "+", "-")):
            continue
        shell = fields[6].strip() or "/bin/sh"   # an empty shell field means /bin/sh
        uid = int(fields[2]) if fields[2].strip().isdigit() else -1
        facts.accounts.append((fields[0], uid, shell))
        if shell.rsplit("/", 1)[-1] not in _NO_LOGIN:
            facts.login_users.append((fields[0], shell))


def _crypto_policy(fs: VirtualFS, facts: FilesystemFacts) -> None:
    text = fs.text("etc/crypto-policies/config")
    if text is None:
        return
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    facts.crypto_policy = lines[0] if lines else ""
    if facts.crypto_policy.upper().startswith("FIPS"):
        facts.fips_markers["/etc/crypto-policies/config"] = f"system crypto policy {facts.crypto_policy}"


def _settings(text: str, keys: tuple[str, ...], separator: str | None = None) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.strip().split(separator, 1)
        if len(parts) == 2 and parts[0] in keys and parts[0] not in found:
            found[parts[0]] = parts[1].strip()
    return found


def _config_facts(fs: VirtualFS, facts: FilesystemFacts) -> None:
    login = fs.text("etc/login.defs")
    if login is not None:
        values = _settings(login, ("PASS_MAX_DAYS", "PASS_MIN_DAYS", "ENCRYPT_METHOD", "UMASK"))
        facts.config_files["/etc/login.defs"] = "; ".join(f"{k} {v}" for k, v in values.items()) or "present"
    quality = fs.text("etc/security/pwquality.conf")
    if quality is not None:
        values = _settings(quality.replace("=", " "), ("minlen", "minclass", "dcredit", "ucredit", "lcredit", "ocredit"))
        facts.config_files["/etc/security/pwquality.conf"] = "; ".join(f"{k} = {v}" for k, v in values.items()) or "present"
    sshd = fs.text("etc/ssh/sshd_config")
    if sshd is not None:
        values = _settings(sshd, ("PermitRootLogin", "PasswordAuthentication", "Ciphers", "MACs"))
        facts.config_files["/etc/ssh/sshd_config"] = "; ".join(f"{k} {v}" for k, v in values.items()) or "present"
    rule_files = [f"etc/audit/rules.d/{n}" for n in fs.listdir("etc/audit/rules.d") if n.endswith(".rules")]
    for path in ["etc/audit/audit.rules", *rule_files]:
        text = fs.text(path)
        if text is not None:
            rules = [ln for ln in text.splitlines() if ln.strip().startswith(("-a", "-w"))]
            facts.config_files["/" + path] = f"audit rules: {len(rules)}"
    if fs.lookup("etc/audit/auditd.conf") is not None:
        facts.config_files["/etc/audit/auditd.conf"] = "present"


# -- OS packages -----------------------------------------------------------------------------
def packages(fs: VirtualFS, doc: InputDocument, os_release: dict[str, str]) -> list[Component]:
    """Installed OS packages (apk, dpkg and rpm databases) and Python distributions."""
    distro = os_release.get("ID", "").lower()
    release = distro_qualifier(os_release)
    found = _apk(fs, doc, distro or "alpine", release)
    found += _dpkg(fs, doc, distro or "debian", "var/lib/dpkg/status", True, release)
    for name in fs.listdir("var/lib/dpkg/status.d"):
        if not name.endswith(".md5sums"):
            found += _dpkg(fs, doc, distro or "debian", f"var/lib/dpkg/status.d/{name}", False, release)
    found += rpm_packages(fs, doc, os_release)
    found += python_packages(fs, doc)
    return found


def _stanzas(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks with the 1-based line number each starts at."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 1
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def distro_qualifier(os_release: dict[str, str]) -> str:
    """syft's purl ``distro`` qualifier: <ID>-<VERSION_ID> from os-release ("debian-12", "alpine-3.19.1")."""
    distro, version = os_release.get("ID", "").strip().lower(), os_release.get("VERSION_ID", "").strip()
    return f"{distro}-{version}" if distro and version else ""


def _apk(fs: VirtualFS, doc: InputDocument, distro: str, release: str = "") -> list[Component]:
    text = fs.text("lib/apk/db/installed")
    result = []
    for start, lines in _stanzas(text or ""):
        fields = {ln[:1]: ln[2:].strip() for ln in lines if len(ln) > 2 and ln[1] == ":"}
        name, version, arch = fields.get("P", ""), fields.get("V", ""), fields.get("A", "")
        if name:
            # syft writes the origin package as upstream for every apk package
            purl = _purl("apk", distro, name, version, arch, release, fields.get("o", ""))
            result.append(Component(name, version, "apk", purl, licenses=_licenses(fields.get("L", "")),
                                    evidence=[doc.evidence(f"rootfs:/lib/apk/db/installed line {start}")]))
    return result


def _dpkg(fs: VirtualFS, doc: InputDocument, distro: str, path: str, installed_only: bool,
          release: str = "") -> list[Component]:
    result = []
    for start, lines in _stanzas(fs.text(path) or ""):
        fields: dict[str, str] = {}
        for line in lines:
            key, sep, value = line.partition(":")
            if sep and not line[:1].isspace():
                fields[key.strip()] = value.strip()
        name, version, arch = fields.get("Package", ""), fields.get("Version", ""), fields.get("Architecture", "")
        status = fields.get("Status", "install ok installed")
        if not name or (installed_only and not status.endswith(" installed")):
            continue
        purl = _purl("deb", distro, name, version, arch, release, _deb_upstream(fields.get("Source", "")))
        result.append(Component(name, version, "deb", purl,
                                evidence=[doc.evidence(f"rootfs:/{path} line {start}")]))
    return result


def _licenses(text: str) -> tuple[str, ...]:
    return (text,) if text else ()


def _deb_upstream(source: str) -> str:
    """dpkg's "Source: bash (5.2.15-2)" -> "bash@5.2.15-2", "Source: apt" -> "apt" (syft's upstream form)."""
    name, _, version = source.strip().partition(" ")
    version = version.strip().removeprefix("(").removesuffix(")").strip()
    return f"{name}@{version}" if name and version else name


def _purl(kind: str, namespace: str, name: str, version: str, arch: str, release: str = "",
          upstream: str = "") -> str:
    from packageurl import PackageURL

    qualifiers = {"arch": arch} if arch else {}
    if release:
        qualifiers["distro"] = release
    if upstream:
        qualifiers["upstream"] = upstream
    return PackageURL(type=kind, namespace=namespace, name=name, version=version or None,
                      qualifiers=qualifiers).to_string()

