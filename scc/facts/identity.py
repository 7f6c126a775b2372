"""How scc decides that two records from different inputs are the same component."""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scc.facts.model import Component


# One image has one OS, and scanners name its vendor differently (Grype pkg:rpm/rhel, Trivy
# pkg:rpm/redhat), so OS package purls meet without their namespace.
_OS_PACKAGE_TYPES = {"rpm", "deb", "apk", "alpm"}


# Pure functions of one string, called for every component and finding (several times each): parsing a
# purl costs ~25 µs, so each distinct purl is parsed once. Bounded, and never changes a result.
PURL_CACHE_SIZE = 1 << 18


@lru_cache(maxsize=PURL_CACHE_SIZE)
def normalise_purl(purl: str) -> str:
    """The purl in canonical form without qualifiers or subpath ('' when it does not parse)."""
    if not purl:
        return ""
    try:
        from packageurl import PackageURL

        parsed = PackageURL.from_string(purl)
    except ValueError:
        return ""
    namespace = None if parsed.type in _OS_PACKAGE_TYPES else parsed.namespace
    # from_string's parts are already normalised: building a new PackageURL would normalise them again (a
    # no-op costing a fifth of the time); _replace keeps them and to_string encodes them as before.
    return parsed._replace(namespace=namespace, qualifiers={}, subpath=None).to_string()


def component_key(component: Component) -> str:
    canonical = normalise_purl(component.purl)
    if canonical:
        return canonical
    return f"{component.type or 'unknown'}/{component.name}@{component.version}".lower()


def package_key(name: str, version: str, purl: str = "") -> str:
    """Key for the package a finding affects: canonical purl, else name@version."""
    return normalise_purl(purl) or f"{name}@{version}".lower()
