"""FIPS 140 crypto modules in an image filesystem (SC-13), and in an SBOM's package list.

Filesystem evidence: the OpenSSL 3 FIPS provider (``fips.so`` with its name and version read
from the module's own bytes, activation read from every openssl.cnf with its ``.include``s
followed inside the image only), libgcrypt (FIPS mode forced by /etc/gcrypt/fips_enabled), NSS
(softokn/freebl ``.chk`` integrity files), and Go binaries built with BoringCrypto, with the Go
FIPS 140-3 module (GOFIPS140) or with an OpenSSL backend, read from their Go build info.
The reader records each module's name, version, path, activation and integrity only: whether a CMVP
certificate covers it is decided by the engine's fips check (scc/engine/checks/fips.py) from
controls/fips-modules.yaml (exact name + version), never guessed.
"""
from __future__ import annotations

import re

from scc.facts.image.gobuildinfo import GoBuildInfo, parse_buildinfo
from scc.facts.image.openssl_conf import fips_activation
from scc.facts.image.vfs import Node, VirtualFS
from scc.facts.model import Component, FipsModule
from scc.facts.source import InputDocument

_PRINTABLE = re.compile(rb"[\x20-\x7e]{4,}")
_OPENSSL_VERSION = re.compile(r"3\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?")
_PACKAGE_HINTS = re.compile(r"fips|^libgcrypt|^nss$|^libnss3|^nss-softokn|^golang-fips")


def _module(kind: str, name: str, version: str, path: str, activated: bool | None, detail: str,
            evidence: tuple, integrity: str = "") -> FipsModule:
    return FipsModule(name=name, version=version, kind=kind, path=path, activated=activated,
                      activation_detail=detail, evidence=evidence, integrity=integrity)


def fips_modules(fs: VirtualFS, doc: InputDocument, components: list[Component]) -> tuple[
        list[FipsModule], dict[str, str]]:
    """The FIPS modules found in ``fs`` and the file markers seen (path -> what it says)."""
    markers: dict[str, str] = {}
    found: list[FipsModule] = []
    files: dict[str, list[tuple[str, Node]]] = {}
    for path, node in fs.walk():
        if node.kind == "file":
            files.setdefault(path.rpartition("/")[2], []).append((path, node))
            if node.buildinfo is not None or node.markers:
                found.extend(_go_modules(doc, path, node))
    for marker, meaning in (("etc/system-fips", "RHEL system FIPS marker present"),
                            ("etc/gcrypt/fips_enabled", "libgcrypt FIPS mode forced")):
        if fs.lookup(marker) is not None:
            markers["/" + marker] = meaning
    found.extend(_openssl_providers(fs, doc, files, components, markers))
    found.extend(_libgcrypt(fs, doc, files, components))
    found.extend(_nss(doc, files, components))
    return found, markers


def _ev(doc: InputDocument, *paths: str) -> tuple:
    return tuple(doc.evidence(f"rootfs:/{p}") for p in dict.fromkeys(paths) if p)


def _package_version(components: list[Component], pattern: str) -> str:
    regex = re.compile(pattern)
    return next((c.version for c in components if regex.search(c.name.lower()) and c.version), "")


# -- OpenSSL 3 FIPS provider -----------------------------------------------------------------
def provider_identity(module: bytes) -> tuple[str, str]:
    """(name, version) of an OpenSSL FIPS provider from the strings in its bytes."""
    strings = [m.group().decode("ascii") for m in _PRINTABLE.finditer(module)]
    label = next((s for s in strings if "FIPS Provider" in s and len(s) < 120), "")
    name_match = re.search(r"[^:]*FIPS Provider", label)
    name = name_match.group().strip() if name_match else ""
    versions = [s for s in strings if _OPENSSL_VERSION.fullmatch(s)]
    if not versions:   # "OpenSSL FIPS Provider 3.0.9" in one string, or "OpenSSL 3.0.9 30 May 2023"
        versions = [m.group(1) for s in [label, *strings]
                    if (m := re.search(r"(?:FIPS Provider v?|^OpenSSL )(3\.\d+\.\d+)\b", s))]
    return name, (versions[0] if versions else "")


def _openssl_providers(fs: VirtualFS, doc: InputDocument, files: dict[str, list[tuple[str, Node]]],
                       components: list[Component], markers: dict[str, str]) -> list[FipsModule]:
    modules = [(p, n) for p, n in files.get("fips.so", []) + files.get("fips.dylib", [])]
    configs = sorted({p for p, _ in files.get("openssl.cnf", [])})
    module_configs = sorted(p for p, _ in files.get("fipsmodule.cnf", []))
    for path in module_configs:
        markers["/" + path] = "OpenSSL FIPS module configuration (self-test MAC)"
    activation = [(path, *fips_activation(fs, path)) for path in configs]
    for path, active, detail, _ in activation:
        markers["/" + path] = detail
    result = []
    for path, node in modules:
        name, version = provider_identity(node.content or b"")
        if not version:
            version = _package_version(components, r"openssl.*fips|fips.*provider")
        active_cfgs = [a for a in activation if a[1]]
        chosen = active_cfgs[0] if active_cfgs else (activation[0] if activation else None)
        if chosen is None:
            activated, detail, used = None, "no openssl.cnf found in the image", []
        else:
            activated, detail, used = chosen[1], f"/{chosen[0]}: {chosen[2]}", chosen[3]
        markers["/" + path] = f"OpenSSL FIPS provider module {version}".strip()
        integrity = _module_mac(fs, [*used, *module_configs])
        result.append(_module("openssl-fips-provider", name or "OpenSSL FIPS Provider", version, "/" + path,
                              activated, detail, _ev(doc, path, *used, *module_configs), integrity=integrity))
    return result


def _module_mac(fs: VirtualFS, configs: list[str]) -> str:
    """Where the provider's self-test MAC (``module-mac``, written by `openssl fipsinstall`) is, or ''."""
    for path in dict.fromkeys(configs):
        text = fs.text(path) or ""
        if re.search(r"(?m)^\s*module-mac\s*=\s*\S", text):
            return f"/{path}: module-mac (openssl fipsinstall)"
    return ""


# -- libgcrypt and NSS -----------------------------------------------------------------------
def _libgcrypt(fs: VirtualFS, doc: InputDocument, files: dict[str, list[tuple[str, Node]]],
               components: list[Component]) -> list[FipsModule]:
    libraries = sorted(p for name, entries in files.items() if name.startswith("libgcrypt.so.20")
                       for p, _ in entries)
    hmacs = sorted(p for name, entries in files.items() if name.startswith(".libgcrypt.so.20") and
                   name.endswith(".hmac") for p, _ in entries)
    if not libraries or not hmacs:
        return []   # without its .hmac integrity file libgcrypt cannot pass its FIPS self-test
    forced = fs.lookup("etc/gcrypt/fips_enabled") is not None
    detail = ("FIPS mode forced by /etc/gcrypt/fips_enabled" if forced else
              "enters FIPS mode only when the host kernel runs in FIPS mode (/proc/sys/crypto/fips_enabled)")
    version = _package_version(components, r"^libgcrypt")
    return [_module("libgcrypt", "libgcrypt", version, "/" + libraries[0], True if forced else None, detail,
                    _ev(doc, libraries[0], hmacs[0], "etc/gcrypt/fips_enabled" if forced else ""),
                    integrity=f"/{hmacs[0]} (HMAC-SHA256 of the library)")]


def _nss(doc: InputDocument, files: dict[str, list[tuple[str, Node]]], components: list[Component]) -> list[
        FipsModule]:
    softokn = sorted(p for p, _ in files.get("libsoftokn3.so", []))
    checks = sorted(p for name in ("libsoftokn3.chk", "libfreeblpriv3.chk") for p, _ in files.get(name, []))
    if not softokn or not checks:
        return []
    version = _package_version(components, r"^(nss-softokn|nss|libnss3)$")
    return [_module("nss", "NSS softoken", version, "/" + softokn[0], None,
                    "FIPS-capable build (.chk integrity files present); FIPS mode is set by the NSS "
                    "database or the system FIPS setting", _ev(doc, softokn[0], *checks),
                    integrity=", ".join("/" + c for c in checks))]


# -- Go --------------------------------------------------------------------------------------
def _go_modules(doc: InputDocument, path: str, node: Node) -> list[FipsModule]:
    info = parse_buildinfo(node.buildinfo) if node.buildinfo else None
    info = info or GoBuildInfo()
    settings = info.settings
    experiment = settings.get("GOEXPERIMENT", "")
    evidence = _ev(doc, path)
    result = []
    if "X:boringcrypto" in info.go_version or "boringcrypto" in experiment or (
            "go-boringcrypto-symbol" in node.markers):
        result.append(_module("go-boringcrypto", "Go BoringCrypto", info.go_version, "/" + path, True,
                              "built with GOEXPERIMENT=boringcrypto: crypto goes through BoringSSL's module",
                              evidence, integrity="built into the module (BoringCrypto self-check at start-up)"))
    gofips = settings.get("GOFIPS140", "")
    if (gofips and gofips != "off") or "go-fips140-v1.0.0" in node.markers:
        version = gofips if re.fullmatch(r"v\d+\.\d+\.\d+", gofips) else ""
        if not version and "go-fips140-v1.0.0" in node.markers:
            version = "v1.0.0"
        debug = settings.get("DefaultGODEBUG", "")
        if "fips140=off" in debug:
            activated, detail = False, "DefaultGODEBUG sets fips140=off"
        elif gofips and gofips != "off":
            activated, detail = True, f"built with GOFIPS140={gofips}: FIPS 140-3 mode on by default"
        else:
            activated, detail = None, "frozen module compiled in; build settings not readable"
        result.append(_module("go-fips140", "Go Cryptographic Module", version, "/" + path, activated, detail,
                              evidence, integrity="built into the module (self-check at start-up)"))
    if re.search(r"\b(opensslcrypto|systemcrypto|cngcrypto)\b", experiment):
        result.append(_module("go-openssl", "Go OpenSSL backend", info.go_version, "/" + path, None,
                              f"built with GOEXPERIMENT={experiment}: uses the system OpenSSL (its FIPS "
                              "provider decides)", evidence,
                              integrity="delegated to the system OpenSSL's FIPS provider"))
    return result


# -- SBOM-only -------------------------------------------------------------------------------
def fips_modules_from_components(components: list[Component]) -> list[FipsModule]:
    """Crypto-module packages an SBOM names (no filesystem): kind 'package', activation unknown."""
    result = []
    for component in components:
        lowered = component.name.lower()
        if not _PACKAGE_HINTS.search(lowered):
            continue
        result.append(FipsModule(name=component.name, version=component.version, kind="package",
                                 path=component.purl, activated=None,
                                 activation_detail="named by the SBOM; activation needs the image filesystem",
                                 evidence=tuple(component.evidence[:1])))
    return result
