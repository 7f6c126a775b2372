"""How scc decides that two records from different inputs are the same component.

`normalise_purl` reads a purl the way packageurl-python does (`PackageURL.from_string`, then `to_string`
without qualifiers and subpath) but, for the common well-formed purl, without calling it: packageurl
costs ~20 µs per purl (urlsplit and three normalisation passes, each quoting every part), which for a
100k-component SBOM was more than `json.loads` of the whole file (issue #12). `_fast_canonical` is a strict
parser for a subset of purls on which every step of packageurl's parse is provably a simple one (the
argument is in its comments); it answers None for anything else, which packageurl then reads. The result
is the same string either way: `tests/test_purl_fast_path.py` checks it property by property against
packageurl-python, on generated purls and on every purl of the real samples.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import unquote

if TYPE_CHECKING:
    from scc.facts.model import Component


# One image has one OS, and scanners name its vendor differently (Grype pkg:rpm/rhel, Trivy
# pkg:rpm/redhat), so OS package purls meet without their namespace.
_OS_PACKAGE_TYPES = {"rpm", "deb", "apk", "alpm"}


# Pure functions of one string, called for every component and finding (several times each): each
# distinct purl is parsed once. Bounded, and never changes a result.
PURL_CACHE_SIZE = 1 << 18


@lru_cache(maxsize=PURL_CACHE_SIZE)
def normalise_purl(purl: str) -> str:
    """The purl in canonical form without qualifiers or subpath ('' when it does not parse)."""
    if not purl:
        return ""
    fast = _fast_canonical(purl)
    if fast is not None:
        return fast
    return _library_canonical(purl)


def _library_canonical(purl: str) -> str:
    """What packageurl-python makes of the purl: the reference `_fast_canonical` must agree with."""
    try:
        from packageurl import PackageURL

        parsed = PackageURL.from_string(purl)
    except ValueError:
        return ""
    namespace = None if parsed.type in _OS_PACKAGE_TYPES else parsed.namespace
    # from_string's parts are already normalised: building a new PackageURL would normalise them again (a
    # no-op costing a fifth of the time); _replace keeps them and to_string encodes them as before.
    return parsed._replace(namespace=namespace, qualifiers={}, subpath=None).to_string()


# The subset the fast path reads, in packageurl-python 0.15-0.17's terms (packageurl/__init__.py):
# - only ASCII 0x21-0x7E anywhere: no whitespace, so every .strip() of from_string, normalize and urlsplit
#   is a no-op, and urlsplit removes nothing (it drops only tab, CR, LF and leading C0/space);
# - a segment (namespace part or name) is unreserved characters, '+', and %XX escapes of a printable ASCII
#   byte other than '/' (0x21-0x2E, 0x30-0x7E): unquoting it gives non-empty printable ASCII without '/' or
#   whitespace, so no later strip, strip('/') or split('/') changes it and no part becomes empty;
# - no raw ':' before the version: urlsplit takes a scheme only when everything before the first ':' is
#   letters, digits, '+', '-' and '.', and here an '@' (or '?', '#') always comes first; the path never
#   starts with '/', so there is no netloc either; '?' then '#' split exactly as urlsplit splits them;
# - no raw '@' in a segment, so the version is what rpartition('@') takes; an npm '@scope/' prefix is the
#   namespace from_string partitions off, with exactly one segment (the name) after it;
# - types whose rules are listed below (no mlflow, cpan, pub, hackage: their rules differ or depend on the
#   qualifiers), so the case rules are known.
_FAST_PURL = re.compile(
    r"pkg:(?P<type>[A-Za-z][A-Za-z0-9._-]*)/(?P<scope>@[\w.~+%-]+/)?(?P<namespace>(?:[\w.~+%-]+/)*)"
    r"(?P<name>[\w.~+%-]+)(?:@(?P<version>[\w.~+%:-]+))?(?:\?(?P<qualifiers>[!-\"$-~]*))?(?:#[!-~]*)?",
    re.ASCII,
)
# Where the path has a '%', each one must begin an escape of the kind above.
_NOT_AN_ESCAPE = re.compile(r"%(?!2[1-9A-Ea-e]|[3-6][0-9A-Fa-f]|7[0-9A-Ea-e])")
# A qualifier string normalize_qualifiers accepts: every pair has an '=', and a pair it keeps (key and value
# both non-empty) has a valid key (ASCII letters, digits, '.', '-', '_', not starting with a digit).
_PAIR = r"(?:[A-Za-z._-][A-Za-z0-9._-]*=[^&]*|=[^&]*|[^&=]*=(?=&|\Z))"
_QUALIFIERS = re.compile(rf"{_PAIR}(?:&{_PAIR})*")

# normalize_namespace lower-cases the namespace of these types; normalize_name the name of the second set.
_NAMESPACE_LOWER = {"bitbucket", "github", "pypi", "gitlab", "composer", "luarocks", "qpkg", "alpm", "apk", "hex"}
_NAME_LOWER = {"bitbucket", "github", "pypi", "gitlab", "composer", "luarocks", "oci", "npm", "alpm", "apk",
               "bitnami", "hex"}
_VERSION_LOWER = {"oci", "huggingface"}
_FAST_TYPES = _NAMESPACE_LOWER | _NAME_LOWER | _VERSION_LOWER | {
    "deb", "rpm", "maven", "golang", "gem", "cargo", "nuget", "docker", "generic", "conan", "conda",
    "cocoapods", "swift", "cran", "swid", "julia", "otp", "vscode-extension"}

# packageurl's quote (urllib.parse.quote, '/' safe, then '%3A' back to ':') of each printable ASCII character;
# quoting is per byte, so translating a string of them quotes it. Of the raw characters the pattern lets into
# the path only '+', '%' (escapes) and '@' (npm scope) are not left as they are.
_QUOTE = {code: f"%{code:02X}" for code in range(0x21, 0x7F)}
_QUOTE.update({ord(c): c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/:"})


def _fast_canonical(purl: str) -> str | None:
    """normalise_purl of a purl in the subset above, None when the purl is outside it."""
    match = _FAST_PURL.fullmatch(purl)
    if match is None:
        return None
    purl_type = match["type"].lower()
    if purl_type not in _FAST_TYPES:
        return None
    qualifiers = match["qualifiers"]
    if qualifiers and _QUALIFIERS.fullmatch(qualifiers) is None:
        return None                        # packageurl refuses them; let it say so
    scope, namespace, name, version = match.group("scope", "namespace", "name", "version")
    if scope and (purl_type != "npm" or namespace):
        return None                        # from_string finds no name after an npm scope and two segments
    path = purl[match.start("scope" if scope else "namespace"):match.end("version" if version else "name")]
    if "%" in path and _NOT_AN_ESCAPE.search(path):
        return None
    name = _quoted(name, purl_type in _NAME_LOWER)
    if purl_type in _NAME_LOWER:
        if purl_type == "pypi":
            name = name.replace("_", "-")
        name = name.lower()                # to_string lower-cases after quoting: '%2b', not '%2B'
    if version:
        version = "@" + _quoted(version, False)
        if purl_type in _VERSION_LOWER:
            version = version.lower()      # after quoting, as to_string does: '%2b'
    else:
        version = ""
    if purl_type in _OS_PACKAGE_TYPES:
        return f"pkg:{purl_type}/{name}{version}"
    if scope:
        namespace = _quoted(scope[:-1], False) + "/"
    elif "%" in namespace or "+" in namespace:
        lower = purl_type in _NAMESPACE_LOWER
        namespace = "".join(_quoted(segment, lower) + "/" for segment in namespace.split("/")[:-1])
    elif purl_type in _NAMESPACE_LOWER:
        namespace = namespace.lower()
    return f"pkg:{purl_type}/{namespace}{name}{version}"


def _quoted(raw: str, lower: bool) -> str:
    """packageurl's quote(unquote(raw)), lower-cased in between when lower (raw is one path part)."""
    text = unquote(raw) if "%" in raw else raw
    if lower:
        text = text.lower()
    return text.translate(_QUOTE) if "%" in raw or "+" in raw or "@" in raw else text


def component_key(component: Component) -> str:
    canonical = normalise_purl(component.purl)
    if canonical:
        return canonical
    return f"{component.type or 'unknown'}/{component.name}@{component.version}".lower()


def package_key(name: str, version: str, purl: str = "") -> str:
    """Key for the package a finding affects: canonical purl, else name@version."""
    return normalise_purl(purl) or f"{name}@{version}".lower()
