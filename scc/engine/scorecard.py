"""Which OpenSSF Scorecard result describes which component, and the image's own source.

A Scorecard result names a source repository (``github.com/ORG/REPO``); a component names its source
in three ways, tried in this order and recorded as the route that linked them:

1. its purl: ``pkg:github/ORG/REPO`` and ``pkg:golang/github.com/ORG/REPO/...`` name the repository;
2. its SBOM links of the types the rule accepts (CycloneDX ``vcs`` / ``website``, SPDX
   ``downloadLocation`` / ``homepage``): a package registry's purl (npm, PyPI ...) says nothing about the
   repository, so only an explicit link counts;
3. for the image itself, the provenance source repository and the materials that are git sources.

Repository URLs are compared in one form (``normalise_repository``): scheme, ``git+`` and user dropped,
``git@host:path`` read as ``host/path``, ``.git`` and any ref or sub-path after the repository dropped,
and the host and path lower-cased (GitHub and GitLab names are case-insensitive). Pure: no I/O.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

from scc.facts.counting import is_software
from scc.facts.model import Component, Evidence, ImageFacts, ScorecardResult
from scc.report import ComponentScorecard, Rule

#: hosts whose repositories are HOST/OWNER/NAME (anything deeper is a path inside the repository)
_TWO_PART_HOSTS = frozenset({"github.com", "bitbucket.org"})
_CASE_INSENSITIVE_HOSTS = frozenset({"github.com", "gitlab.com", "bitbucket.org"})
_SCP_LIKE = re.compile(r"^(?:[^@/\s]+@)?([\w.-]+\.[a-z]{2,}):(?!//)(?!\d+/)(.+)$", re.IGNORECASE)
_GITLAB_TAIL = re.compile(r"/-/.*$")


def normalise_repository(url: str) -> str:
    """One comparable form of a repository URL: ``host/owner/name`` ('' when it names no repository).

    >>> normalise_repository("git+ssh://git@GitHub.com/OSSF/Scorecard.git#v5")
    'github.com/ossf/scorecard'
    """
    text = unquote(url.strip())
    for prefix in ("scm:git:", "git+", "scm:"):
        if text.lower().startswith(prefix):
            text = text[len(prefix):]
    scp = _SCP_LIKE.match(text)
    if scp and "://" not in text:
        text = f"{scp.group(1)}/{scp.group(2)}"
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text, flags=re.IGNORECASE)
    text = re.split(r"[?#]", text, maxsplit=1)[0]
    host, _, path = text.partition("/")
    host = host.rpartition("@")[2].split(":", 1)[0].lower().removeprefix("www.")
    if "." not in host or not path:
        return ""
    path = _GITLAB_TAIL.sub("", path).strip("/")
    parts = [p for p in path.split("/") if p]
    if host in _TWO_PART_HOSTS:
        parts = parts[:2]
    if len(parts) < 2:
        return ""
    parts[-1] = parts[-1].split("@", 1)[0].removesuffix(".git")   # SPDX: git+https://host/o/r.git@v1.2
    if not parts[-1]:
        return ""
    repository = "/".join([host, *parts])
    return repository.lower() if host in _CASE_INSENSITIVE_HOSTS else repository


@dataclass(frozen=True)
class SourceLink:
    """One way a component (or the image) names a source repository: the repository, the route, the field."""

    repository: str                   # normalised: github.com/org/repo
    route: str                        # purl | sbom-reference | provenance-source | provenance-material
    field: str                        # what linked them, as written: the purl, "vcs https://...", the URI
    evidence: tuple[Evidence, ...] = ()


#: how a purl that names its repository starts, lower-cased (with the "pkg:" scheme or, as purl_repository
#: reads it, without); a purl of one of these types without a "/" names none ("github.com/" normalises to "")
_LINKING_PURL_HEADS = tuple(f"{scheme}{kind}/" for scheme in ("pkg:", "") for kind in ("github", "bitbucket", "golang"))


def purl_repository(purl: str) -> str:
    """The repository a purl itself names: pkg:github/ORG/REPO, pkg:bitbucket/ORG/REPO, or a Go module under
    github.com ('' for any other purl: a registry name says nothing about the source)."""
    if not purl[:14].lower().startswith(_LINKING_PURL_HEADS):   # most purls: no partition, no split
        return ""
    head, _, rest = purl.partition("/")
    kind = head.lower().removeprefix("pkg:")
    path = rest.split("?", 1)[0].split("#", 1)[0].split("@", 1)[0]
    if kind in ("github", "bitbucket"):
        return normalise_repository(f"{kind}.{'com' if kind == 'github' else 'org'}/{path}")
    if kind == "golang" and path.lower().startswith("github.com/"):
        return normalise_repository(path)
    return ""


def component_links(component: Component, reference_types: Iterable[str]) -> list[SourceLink]:
    """Every repository ``component`` names, purl first, then its SBOM links of ``reference_types``."""
    links: list[SourceLink] = []
    from_purl = purl_repository(component.purl) if component.purl else ""
    if from_purl:
        links.append(SourceLink(from_purl, "purl", component.purl, tuple(component.evidence[:1])))
    if not component.external_references:
        return links
    accepted = {t.lower() for t in reference_types}
    for ref in component.external_references:
        if ref.type.lower() in accepted:
            repository = normalise_repository(ref.url)
            if repository:
                links.append(SourceLink(repository, "sbom-reference", f"{ref.type} {ref.url}", ref.evidence))
    return _unique(links)


def image_source_links(facts: ImageFacts) -> list[SourceLink]:
    """The image's own source: each provenance's source repository, then its git materials."""
    links: list[SourceLink] = []
    for provenance in facts.provenance:
        evidence = tuple(provenance.evidence[:1])
        if provenance.source_repository:
            repository = normalise_repository(provenance.source_repository)
            if repository:
                links.append(SourceLink(repository, "provenance-source", provenance.source_repository, evidence))
        for material in provenance.materials:
            uri = material.split(" ", 1)[0]
            if uri.lower().startswith(("git+", "git@", "ssh://")) or ".git@" in uri:
                repository = normalise_repository(uri)
                if repository:
                    links.append(SourceLink(repository, "provenance-material", uri, evidence))
    return _unique(links)


def _unique(links: list[SourceLink]) -> list[SourceLink]:
    seen: dict[str, SourceLink] = {}
    for link in links:
        seen.setdefault(link.repository, link)
    return list(seen.values())


def results_by_repository(results: Iterable[ScorecardResult]) -> dict[str, list[ScorecardResult]]:
    """Normalised repository -> its results, newest first (results without a date last)."""
    index: dict[str, list[ScorecardResult]] = {}
    for result in results:
        repository = normalise_repository(result.repository)
        if repository:
            index.setdefault(repository, []).append(result)
    for found in index.values():
        found.sort(key=lambda r: (r.date is not None, r.date.isoformat() if r.date else ""), reverse=True)
    return index


def component_scorecards(facts: ImageFacts, rules: Iterable[Rule]) -> tuple[ComponentScorecard, ...]:
    """The result matched to each software component, the way the component rules match them (the SBOM link
    types of every ``scorecard_repositories`` rule on components), for the views; () when no rule uses them."""
    rules = tuple(rules)
    types = list(dict.fromkeys(t for rule in rules if rule.check == "scorecard_repositories"
                               and getattr(rule.params, "subject", "") == "components"
                               for t in getattr(rule.params, "reference_types", ())))
    if not facts.scorecards or not any(r.check == "scorecard_repositories" for r in rules):
        return ()
    index = results_by_repository(facts.scorecards)
    found = []
    for component in facts.components:
        if not is_software(component):
            continue
        hit = next((link for link in component_links(component, types) if link.repository in index), None)
        if hit is not None:
            result = index[hit.repository][0]
            found.append(ComponentScorecard(component.key, result.repository, hit.route, hit.field, result.score,
                                            result.date, result.evidence + hit.evidence))
    return tuple(found)
