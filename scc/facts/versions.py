"""Ecosystem-aware version comparison (univers), never string compare.

"Is a fix available?" means: some fixed version is newer than the installed one under the rules of
the package's own ecosystem (Debian epochs and tildes, RPM releases, Alpine -rN, PEP 440, semver...).
"""
from __future__ import annotations

from functools import cache, lru_cache

_CLASS_FOR_PURL_TYPE = {
    "apk": "AlpineLinuxVersion", "deb": "DebianVersion", "rpm": "RpmVersion", "alpm": "ArchLinuxVersion",
    "pypi": "PypiVersion", "npm": "SemverVersion", "cargo": "SemverVersion", "golang": "GolangVersion",
    "maven": "MavenVersion", "gem": "RubygemsVersion", "nuget": "NugetVersion", "composer": "ComposerVersion",
    "conan": "ConanVersion",
}


def purl_type(purl: str) -> str:
    return purl[4:].split("/", 1)[0].lower() if purl.startswith("pkg:") else ""


@cache
def _version_class(ecosystem: str):
    from univers import versions

    return getattr(versions, _CLASS_FOR_PURL_TYPE.get(ecosystem, ""), None)


@lru_cache(maxsize=1 << 17)   # pure; univers parses slowly and findings repeat (fixed, installed) pairs
def compare(ecosystem: str, left: str, right: str) -> int | None:
    """-1, 0 or 1 under the ecosystem's rules; None when the ecosystem is unknown or a version does not parse."""
    version_class = _version_class(ecosystem)
    if version_class is None or not left or not right:
        return None
    try:
        a, b = version_class(left.strip()), version_class(right.strip())
        return (a > b) - (a < b)
    except Exception:  # noqa: BLE001 - univers raises many types for unparsable versions
        return None


def newer_fix_exists(purl: str, installed: str, fixed_versions: list[str]) -> bool | None:
    """True when a fixed version is newer than ``installed``; False when every one is not newer;
    None when the versions cannot be compared (unknown ecosystem, unparsable versions)."""
    ecosystem = purl_type(purl)
    results = [compare(ecosystem, fixed, installed) for fixed in fixed_versions]
    if any(r == 1 for r in results):
        return True
    if results and all(r is not None for r in results):
        return False
    return None
