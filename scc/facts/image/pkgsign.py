"""Package signature verification facts from an image filesystem (CM-14, SI-7(15), SRG-OS-000366).

For each package manager the image carries, how its configuration decides signature checking and
which trusted keys it has:

- apt: ``[trusted=yes]`` / ``Trusted: yes`` in sources.list(.d) (a bypass), APT::Get::AllowUnauthenticated,
  Acquire::AllowInsecureRepositories and Acquire::AllowDowngradeToInsecureRepositories set true in
  apt.conf(.d) (bypasses); keys: /etc/apt/trusted.gpg, /etc/apt/trusted.gpg.d/*, and every
  ``signed-by`` keyring (a missing one is a gap). apt checks signatures unless told not to.
- dnf / yum: ``gpgcheck`` in [main] of dnf.conf / yum.conf and in every enabled repository of
  yum.repos.d (``0`` is a bypass; unset everywhere is a gap: dnf's default is no check);
  ``localpkg_gpgcheck`` not 1 is a gap (DISA RHEL 9 STIG); keys: /etc/pki/rpm-gpg/*.
- apk: keys in /etc/apk/keys; ``allow-untrusted`` in /etc/apk/config or /etc/apk/repositories is a bypass.

A key counts only when the file exists in the image and is not empty.
"""
from __future__ import annotations

import re

from scc.facts.image.vfs import VirtualFS
from scc.facts.model import ConfigSetting, PackageSigning
from scc.facts.source import InputDocument

_TRUE = {"1", "yes", "true", "on"}
_APT_BYPASS = re.compile(
    r"(?i)\b(APT::Get::AllowUnauthenticated|Acquire::AllowInsecureRepositories|"
    r"Acquire::AllowDowngradeToInsecureRepositories|AllowUnauthenticated|AllowInsecureRepositories)"
    r"\s+\"?(\w+)\"?")


_APT_MARKERS = ("etc/apt", "usr/bin/apt-get", "usr/bin/apt")
_APK_MARKERS = ("etc/apk", "sbin/apk", "lib/apk/db/installed")
_DNF_MARKERS = ("usr/bin/dnf", "usr/bin/yum", "usr/bin/microdnf", "usr/bin/dnf5", "usr/bin/tdnf")


def package_signing(fs: VirtualFS, doc: InputDocument) -> list[PackageSigning]:
    """One PackageSigning per package manager whose configuration or tool the image carries."""
    found = []
    for collect in (_apt, _dnf, _apk):
        record = collect(fs, doc)
        if record is not None:
            found.append(record)
    return found


def _present(fs: VirtualFS, *paths: str) -> bool:
    return any(fs.lookup(p) is not None for p in paths)


def _key_files(fs: VirtualFS, directory: str, suffixes: tuple[str, ...] = ()) -> list[str]:
    keys = []
    for name in fs.listdir(directory):
        node = fs.lookup(f"{directory}/{name}")
        if node is not None and node.kind == "file" and node.size > 0 and (not suffixes or name.endswith(suffixes)):
            keys.append(f"/{directory}/{name}")
    return keys


def _lines(fs: VirtualFS, path: str) -> list[tuple[int, str]]:
    text = fs.text(path)
    if text is None:
        return []
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)
            if line.strip() and not line.strip().startswith(("#", "//", ";"))]


def _record(manager: str, fs: VirtualFS, doc: InputDocument, keys: list[str], bypasses: list[ConfigSetting],
            gaps: list[ConfigSetting], sources: list[str], markers: tuple[str, ...]) -> PackageSigning:
    """The manager's record; its evidence is the configuration read, else the files that show the manager is
    there (a statement that it has no key or no configuration must still cite where the image says so)."""
    cited = [s for s in sources if fs.lookup(s) is not None]
    shown = cited or [m for m in markers if fs.lookup(m) is not None]
    return PackageSigning(manager, tuple(dict.fromkeys(keys)), tuple(bypasses), tuple(gaps),
                          tuple("/" + s for s in cited),
                          tuple(doc.evidence(f"rootfs:/{p}") for p in dict.fromkeys(shown)))


# -- apt -------------------------------------------------------------------------------------
def _apt(fs: VirtualFS, doc: InputDocument) -> PackageSigning | None:
    if not _present(fs, *_APT_MARKERS):
        return None
    sources = ["etc/apt/sources.list"] + [f"etc/apt/sources.list.d/{n}" for n in fs.listdir("etc/apt/sources.list.d")
                                          if n.endswith((".list", ".sources"))]
    configs = ["etc/apt/apt.conf"] + [f"etc/apt/apt.conf.d/{n}" for n in fs.listdir("etc/apt/apt.conf.d")]
    bypasses: list[ConfigSetting] = []
    gaps: list[ConfigSetting] = []
    keys = _key_files(fs, "etc/apt/trusted.gpg.d", (".gpg", ".asc"))
    legacy = fs.lookup("etc/apt/trusted.gpg")
    if legacy is not None and legacy.kind == "file" and legacy.size > 0:
        keys.append("/etc/apt/trusted.gpg")
    for path in sources:
        entries = _deb822(fs, path) if path.endswith(".sources") else _one_line(fs, path)
        for number, options in entries:
            if options.get("trusted", "").lower() in _TRUE:
                bypasses.append(ConfigSetting("/" + path, number, "trusted", options["trusted"]))
            signed_by = options.get("signed-by", "")
            if signed_by.startswith("-----BEGIN"):
                keys.append(f"/{path} line {number} (inline Signed-By key)")
            elif signed_by:
                for keyring in signed_by.split(","):
                    node = fs.lookup(keyring.strip().lstrip("/"))
                    if node is not None and node.kind == "file" and node.size > 0:
                        keys.append("/" + keyring.strip().lstrip("/"))
                    else:
                        gaps.append(ConfigSetting("/" + path, number, "signed-by (keyring missing)", keyring.strip()))
    for path in configs:
        for number, line in _lines(fs, path):
            for match in _APT_BYPASS.finditer(line):
                if match.group(2).lower() in _TRUE:
                    bypasses.append(ConfigSetting("/" + path, number, match.group(1), match.group(2)))
    return _record("apt", fs, doc, keys, bypasses, gaps, sources + configs, _APT_MARKERS)


def _one_line(fs: VirtualFS, path: str) -> list[tuple[int, dict[str, str]]]:
    """(line, options) of each `deb [opt=value ...] uri suite` line."""
    found = []
    for number, line in _lines(fs, path):
        if not line.startswith(("deb ", "deb-src ", "deb\t")):
            continue
        options: dict[str, str] = {}
        bracket = re.search(r"\[([^\]]*)\]", line)
        for option in (bracket.group(1).split() if bracket else []):
            key, _, value = option.partition("=")
            options[key.strip().lower()] = value.strip()
        found.append((number, options))
    return found


def _deb822(fs: VirtualFS, path: str) -> list[tuple[int, dict[str, str]]]:
    """(first line, fields) of each stanza of a deb822 .sources file (continuation lines joined)."""
    text = fs.text(path) or ""
    found: list[tuple[int, dict[str, str]]] = []
    fields: dict[str, str] = {}
    start, last = 0, ""
    for number, raw in enumerate([*text.splitlines(), ""], 1):
        if not raw.strip():
            if fields:
                found.append((start, fields))
            fields, last = {}, ""
            continue
        if raw.lstrip().startswith("#"):
            continue
        if raw[:1].isspace() and last:
            fields[last] += "\n" + raw.strip()
            continue
        key, sep, value = raw.partition(":")
        if sep:
            start = start if fields else number
            last = key.strip().lower()
            fields[last] = value.strip()
    return found


# -- dnf / yum -------------------------------------------------------------------------------
def _ini_sections(fs: VirtualFS, path: str) -> dict[str, dict[str, tuple[int, str]]]:
    sections: dict[str, dict[str, tuple[int, str]]] = {}
    current = ""
    for number, line in _lines(fs, path):
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            sections.setdefault(current, {})
            continue
        key, sep, value = line.partition("=")
        if sep:
            sections.setdefault(current, {})[key.strip().lower()] = (number, value.strip())
    return sections


def _dnf(fs: VirtualFS, doc: InputDocument) -> PackageSigning | None:
    mains = [p for p in ("etc/dnf/dnf.conf", "etc/yum.conf") if fs.lookup(p) is not None]
    repos = [f"etc/yum.repos.d/{n}" for n in fs.listdir("etc/yum.repos.d") if n.endswith(".repo")]
    if not mains and not repos and not _present(fs, *_DNF_MARKERS):
        return None
    manager = "dnf" if fs.lookup("etc/dnf/dnf.conf") is not None or _present(fs, "usr/bin/dnf", "usr/bin/microdnf") \
        else "yum"
    bypasses: list[ConfigSetting] = []
    gaps: list[ConfigSetting] = []
    main_check: tuple[str, int, str] | None = None
    local_check: tuple[str, int, str] | None = None
    for path in mains:
        main = _ini_sections(fs, path).get("main", {})
        if "gpgcheck" in main and main_check is None:
            main_check = (path, *main["gpgcheck"])
        if "localpkg_gpgcheck" in main and local_check is None:
            local_check = (path, *main["localpkg_gpgcheck"])
    main_on = main_check is not None and main_check[2].lower() in _TRUE
    if main_check is not None and not main_on:
        bypasses.append(ConfigSetting("/" + main_check[0], main_check[1], "[main] gpgcheck", main_check[2]))
    elif main_check is None:
        gaps.append(ConfigSetting("/" + (mains[0] if mains else "etc/dnf/dnf.conf"), 0, "[main] gpgcheck",
                                  "(not set; dnf's default is not to check)"))
    if local_check is None or local_check[2].lower() not in _TRUE:
        where = local_check or ((mains[0] if mains else "etc/dnf/dnf.conf"), 0, "(not set)")
        gaps.append(ConfigSetting("/" + where[0], where[1], "[main] localpkg_gpgcheck", where[2]))
    for path in repos:
        for name, values in _ini_sections(fs, path).items():
            if values.get("enabled", (0, "1"))[1].lower() not in _TRUE:
                continue
            if "gpgcheck" in values:
                number, value = values["gpgcheck"]
                if value.lower() not in _TRUE:
                    bypasses.append(ConfigSetting("/" + path, number, f"[{name}] gpgcheck", value))
            elif not main_on:
                gaps.append(ConfigSetting("/" + path, 0, f"[{name}] gpgcheck", "(not set; [main] does not check)"))
    keys = _key_files(fs, "etc/pki/rpm-gpg")
    return _record(manager, fs, doc, keys, bypasses, gaps, mains + repos, _DNF_MARKERS)


# -- apk -------------------------------------------------------------------------------------
def _apk(fs: VirtualFS, doc: InputDocument) -> PackageSigning | None:
    if not _present(fs, *_APK_MARKERS):
        return None
    keys = _key_files(fs, "etc/apk/keys")
    bypasses = [ConfigSetting("/" + path, number, "allow-untrusted", line)
                for path in ("etc/apk/config", "etc/apk/repositories")
                for number, line in _lines(fs, path) if "allow-untrusted" in line]
    return _record("apk", fs, doc, keys, bypasses, [], ["etc/apk/repositories", "etc/apk/config"], _APK_MARKERS)
