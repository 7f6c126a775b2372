"""Version-aware VEX: does a statement's affects[].versions cover the finding's installed version?

CycloneDX affects[].versions[] give, per version ("=1.2.3") or purl-spec range ("vers:pypi/>=2.0|<2.2.5"),
whether that version is affected, unaffected or unknown. A statement with such entries speaks only about
the versions they name:
  - the installed version matches an "affected" entry: the statement applies as written;
  - it matches an "unaffected" entry: the finding is not affected (the statement is cited, status not_affected);
  - it matches an "unknown" entry: the statement applies, but cannot close the finding (under investigation);
  - it matches no entry: the statement does not apply to this finding.
An exact version entry outranks a range; among matches of equal rank affected > unknown > unaffected.
A range or version that cannot be evaluated makes the statement apply as written, with a note.
"""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from scc.facts.model import Finding, FindingState, VexStatement
from scc.facts.versions import compare, purl_type

_RANK = {"affected": 2, "unknown": 1, "unaffected": 0}
_CLOSING = (FindingState.NOT_AFFECTED, FindingState.FIXED)


def statement_for(statement: VexStatement, finding: Finding) -> tuple[VexStatement | None, str]:
    """The statement as it applies to this finding's installed version (None: it does not apply),
    and a note when the versions could not be evaluated."""
    installed = finding.installed_version.strip()
    if not statement.version_ranges or not installed or not finding.purl:
        return statement, ""
    matches: list[tuple[int, int, str, str]] = []
    for entry, status in statement.version_ranges:
        covered = _covers(entry, installed, purl_type(finding.purl))
        if covered is None:
            return statement, _unparsable_note(statement, finding, entry)
        if covered:
            matches.append((entry.startswith("="), _RANK.get(status, 1), entry, status))
    if not matches:
        return None, ""
    _, _, entry, status = max(matches)
    return _as_status(statement, finding, entry, status), ""


def _as_status(statement: VexStatement, finding: Finding, entry: str, status: str) -> VexStatement:
    if status == "affected":
        return statement
    if status == "unknown":
        if statement.status not in _CLOSING:
            return statement
        return replace(statement, status=FindingState.UNDER_INVESTIGATION,
                       impact_statement=_why(finding, entry, "of unknown affectedness", statement))
    return replace(statement, status=FindingState.NOT_AFFECTED,
                   impact_statement=_why(finding, entry, "unaffected", statement))


def _why(finding: Finding, entry: str, what: str, statement: VexStatement) -> str:
    named = f"version {entry[1:]}" if entry.startswith("=") else f"range {entry}"
    text = f"Installed version {finding.installed_version} is within {named}, listed as {what}."
    return f"{text} {statement.impact_statement}".strip()


def _covers(entry: str, installed: str, ecosystem: str) -> bool | None:
    """True / False; None when the entry or the installed version cannot be evaluated."""
    if entry.startswith("="):
        version = entry[1:].strip()
        if version == installed:
            return True
        order = compare(ecosystem, version, installed)
        return None if order is None else order == 0
    version_range = _parse_range(entry)
    if version_range is None:
        return None
    try:
        return version_range.version_class(installed) in version_range
    except Exception:  # noqa: BLE001 - univers raises many types for unparsable versions
        return None


@lru_cache(maxsize=4096)   # a bounded memo of a pure parse: hostile inputs cannot grow it without limit
def _parse_range(vers: str):
    from univers.version_range import VersionRange

    try:
        return VersionRange.from_string(vers.strip())
    except Exception:  # noqa: BLE001 - univers raises many types for malformed ranges
        return None


def _unparsable_note(statement: VexStatement, finding: Finding, entry: str) -> str:
    where = statement.evidence[0].cite() if statement.evidence else statement.document or statement.format
    return (
        f"VEX {statement.vulnerability} ({where}): cannot tell whether installed version "
        f"{finding.installed_version[:60]} of {finding.package or finding.purl} is within {entry[:120]!r}; "
        f"the statement is applied whatever the version"
    )
