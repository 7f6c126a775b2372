"""Shared vocabulary for vulnerability and package readers: CVSS, severity, fix lists, purls, image refs.

Every scanner/SBOM reader (Grype, Trivy, CycloneDX, SARIF, SPDX...) uses these so that the same
CVSS vector or the same image reference means the same thing whichever tool wrote it.
"""
from __future__ import annotations

import re
from functools import lru_cache

from scc.facts.identity import PURL_CACHE_SIZE
from scc.facts.model import CvssScore, FindingState, Severity

_CVSS_PREFIX = re.compile(r"^CVSS:(\d\.\d)/")
_CYCLONEDX_METHODS = {"cvssv2": "2.0", "cvssv3": "3.0", "cvssv31": "3.1", "cvssv4": "4.0"}
_DIGEST = re.compile(r"^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$")


# -- CVSS and severity -----------------------------------------------------------------------
def cvss_version(vector: str, hint: str = "") -> str:
    """The CVSS version of a vector ('CVSS:3.1/...' -> '3.1'; a v2 vector with Au: -> '2.0').

    ``hint`` is what the tool said ('3.1', 'V3', 'CVSSv31'); the vector prefix wins when present.
    """
    match = _CVSS_PREFIX.match(vector or "")
    if match:
        return match.group(1)
    word = (hint or "").strip().lower()
    if word in _CYCLONEDX_METHODS:
        return _CYCLONEDX_METHODS[word]
    word = word.removeprefix("cvss").removeprefix("v")
    if re.fullmatch(r"\d(\.\d)?", word):
        return word if "." in word else f"{word}.0"
    if "Au:" in (vector or ""):
        return "2.0"
    return ""


def cvss_score(score: float | None, vector: str = "", version: str = "", source: str = "") -> CvssScore | None:
    """A CvssScore, or None when there is neither a score nor a vector to record.

    A vector without a usable numeric score gets the base score the vector computes to (the ``cvss``
    package, CVSS 2.0 / 3.0 / 3.1 / 4.0); a tool's own score in range is kept as the tool stated it.
    """
    if score is None and not vector:
        return None
    if score is not None and not 0.0 <= score <= 10.0:
        score = None  # out of range is not a CVSS base score; compute it from the vector instead
    detected = cvss_version(vector, version)
    if score is None and vector:
        score = base_score(vector, detected)
    return CvssScore(detected, score, vector or "", source or "")


def base_score(vector: str, version: str = "") -> float | None:
    """The base score a CVSS vector computes to, or None when the vector is not a valid one."""
    from cvss import CVSS2, CVSS3, CVSS4
    from cvss.exceptions import CVSSError

    text = (vector or "").strip().strip("()")
    version = cvss_version(text, version)
    try:
        if version.startswith("4"):
            return float(CVSS4(text if text.startswith("CVSS:") else f"CVSS:4.0/{text}").base_score)
        if version.startswith("3"):
            return float(CVSS3(text if text.startswith("CVSS:") else f"CVSS:{version}/{text}").base_score)
        if version.startswith("2"):
            return float(CVSS2(text).base_score)
    except (CVSSError, ValueError, KeyError, IndexError):
        return None
    return None


def is_cvss_method(method: str) -> bool:
    """CycloneDX rating methods that are CVSS (OWASP, SSVC and 'other' are not)."""
    return method.strip().lower() in _CYCLONEDX_METHODS


def severity(word: object, scores: list[CvssScore] | None = None) -> Severity:
    """The tool's severity word; when it says nothing usable, the highest CVSS score decides."""
    parsed = Severity.parse(word)
    if parsed is not Severity.UNKNOWN or not scores:
        return parsed
    numbers = [s.score for s in scores if s.score is not None]
    return Severity.from_cvss(max(numbers)) if numbers else Severity.UNKNOWN


# -- fixes and states ------------------------------------------------------------------------
def split_versions(text: str) -> list[str]:
    """'1.2.3, 1.3.0' -> ['1.2.3', '1.3.0'] (Trivy's FixedVersion is a comma separated list)."""
    return list(dict.fromkeys(v.strip() for v in (text or "").split(",") if v.strip()))


_SCANNER_STATES = {
    "not_affected": FindingState.NOT_AFFECTED,
    "under_investigation": FindingState.UNDER_INVESTIGATION,
}


def scanner_state(status: str) -> FindingState:
    """A scanner's per-finding status -> FindingState.

    'fixed' from a scanner means a fix exists upstream, not that this image has it, so it stays
    AFFECTED like every other status except an explicit not_affected / under_investigation.
    """
    return _SCANNER_STATES.get((status or "").strip().lower().replace("-", "_"), FindingState.AFFECTED)


# -- package urls ----------------------------------------------------------------------------
def build_purl(ptype: str, name: str, version: str = "", namespace: str = "",
               qualifiers: dict[str, str] | None = None) -> str:
    """A purl string built with packageurl-python, '' when the parts do not make a valid purl."""
    if not ptype or not name:
        return ""
    try:
        from packageurl import PackageURL

        return PackageURL(type=ptype, namespace=namespace or None, name=name, version=version or None,
                          qualifiers=qualifiers or None).to_string()
    except ValueError:
        return ""


@lru_cache(maxsize=PURL_CACHE_SIZE)
def valid_purl(purl: str) -> str:
    """The purl when it parses, else ''."""
    if not purl or not purl.startswith("pkg:"):
        return ""
    try:
        from packageurl import PackageURL

        PackageURL.from_string(purl)
    except ValueError:
        return ""
    return purl


# -- image references ------------------------------------------------------------------------
def is_digest(text: str) -> bool:
    """'sha256:<hex>' (any algorithm name, at least 32 hex digits)."""
    return bool(_DIGEST.match(text or ""))


def split_image_reference(ref: str) -> tuple[str, str, str]:
    """'registry:5000/ns/app:1.2@sha256:ab..' -> ('registry:5000/ns/app', '1.2', 'sha256:ab..')."""
    ref = (ref or "").strip()
    name, _, digest = ref.partition("@")
    if digest and not is_digest(digest):
        digest = ""
    tag = ""
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1:]
    return name, tag, digest


def digest_from_repo_digests(repo_digests: list[str], prefer_name: str = "") -> str:
    """The digest of the repo digest naming ``prefer_name``, else of the first one."""
    parsed = [split_image_reference(r) for r in repo_digests if "@" in r]
    for name, _, digest in parsed:
        if digest and prefer_name and name == prefer_name:
            return digest
    return next((digest for _, _, digest in parsed if digest), "")
