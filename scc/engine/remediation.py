"""The remediation clock (SI-2, RA-5): when each finding's remediation SLA starts, why, and when it is due.

This is the one definition of the clock. The SI-2 check (findings_remediated_within_sla) and every
writer (OSCAL POA&M, POA&M spreadsheet, SSP) read what :func:`remediation_schedule` computes and never
recompute it. The clock starts at the earliest trustworthy date among

* the first detection an earlier scc package recorded for the same finding (``--previous DIR``),
* the date a fix became available, where a scanner states it (grype ``fix.available[].date``),
* the vulnerability's publication date, when no fix date is stated,

and the time of the scan that reported it only when none of these is known (or each is later than
that scan, which no trustworthy date is): a scan run afresh in every CI job must not restart the
clock. Due = start + sla_days[severity].

A known malicious package (Finding.malicious, scc.engine.malicious) is not a flaw awaiting a fix: it
is removed at once. Its clock starts at its first detection (a previous package's, else the scan's;
never the fix or publication date, which say nothing about when this system received it), its
severity is "malicious" (CAT I) and it is due ``malicious_due_days`` (controls/malicious.yaml
due_days, 0) after that: an available fix never extends it.

A finding's identity (vulnerability id + the package's purl without version and qualifiers, else its
name) does not depend on the run, so POA&M items keep their ids and their first detection from run
to run.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import lru_cache

from scc.engine.malicious import MALICIOUS_SEVERITY
from scc.facts.identity import PURL_CACHE_SIZE
from scc.facts.model import Evidence, Finding, ImageFacts, PriorDetection
from scc.report import (
    BASIS_ASSESSMENT,
    BASIS_FIX,
    BASIS_MALICIOUS,
    BASIS_NONE,
    BASIS_PREVIOUS,
    BASIS_PUBLISHED,
    BASIS_SCAN,
    RemediationClock,
    RemediationItem,
    RuleResult,
)

__all__ = ["BASIS_ASSESSMENT", "BASIS_FIX", "BASIS_MALICIOUS", "BASIS_NONE", "BASIS_PREVIOUS", "BASIS_PUBLISHED", "BASIS_SCAN",
           "RemediationClock", "RemediationItem", "finding_identities", "finding_identity", "open_findings",
           "remediation_items", "remediation_schedule"]
_RANK = {BASIS_PREVIOUS: 0, BASIS_FIX: 1, BASIS_PUBLISHED: 2, BASIS_SCAN: 3}

def finding_identity(finding: Finding) -> str:
    """'CVE-2023-1234|pkg:deb/debian/openssl': the vulnerability and the package, not its version."""
    return f"{finding.id}|{_package_identity(finding)}"


def _package_identity(finding: Finding) -> str:
    return _versionless_purl(finding.purl) or finding.package if finding.purl else finding.package


@lru_cache(maxsize=PURL_CACHE_SIZE)
def _versionless_purl(purl: str) -> str:
    """The purl's type, namespace and name ('' when it does not parse): pure, so each distinct purl is parsed once."""
    try:
        from packageurl import PackageURL

        parsed = PackageURL.from_string(purl)
        return PackageURL(type=parsed.type, namespace=parsed.namespace, name=parsed.name).to_string()
    except ValueError:
        return ""


def finding_identities(findings: Iterable[Finding]) -> dict[int, str]:
    """id(finding) -> identity; findings that share one (two installed versions of a package) get
    '@version' appended so that every identity in one assessment is unique."""
    findings = list(findings)
    base = {id(f): finding_identity(f) for f in findings}
    shared = Counter(base.values())
    return {id(f): base[id(f)] + (f"@{f.installed_version}" if shared[base[id(f)]] > 1 else "")
            for f in findings}


def remediation_schedule(facts: ImageFacts, sla_days: Mapping[str, int], now: datetime,
                         malicious_due_days: int = 0) -> dict[int, RemediationClock]:
    """id(finding) -> its remediation clock, for every finding of the facts (a malicious package's is
    due ``malicious_due_days`` after its first detection)."""
    identities = finding_identities(facts.findings)
    prior = _prior_index(facts.prior_detections)
    scan_time = _earliest_scan_time(facts)
    return {id(f): _malicious_clock(f, identities[id(f)], prior, scan_time, malicious_due_days, now)
            if f.malicious is not None else _clock(f, identities[id(f)], prior, scan_time, sla_days, now)
            for f in facts.findings}


def _malicious_clock(finding: Finding, identity: str, prior: dict[str, PriorDetection], scan_time: datetime | None,
                     due_days: int, now: datetime) -> RemediationClock:
    """From the first detection (a previous package's, else the scan's, else this assessment), due_days later."""
    earlier = prior.get(identity) or prior.get(_loose_key(finding.id, finding.package))
    if earlier is not None and earlier.first_detected > now:
        earlier = None
    scanned = finding.first_seen or scan_time
    dated = [(d, e) for d, e in ((earlier.first_detected if earlier else None, earlier.evidence if earlier else ()),
                                  (scanned, tuple(finding.evidence[:1]))) if d is not None]
    start, cited = min(dated, key=lambda pair: pair[0]) if dated else (now, ())
    return RemediationClock(identity=identity, start=start, basis=BASIS_MALICIOUS, severity=MALICIOUS_SEVERITY,
                            sla_days=due_days, first_detected=start, evidence=cited)


def _clock(finding: Finding, identity: str, prior: dict[str, PriorDetection], scan_time: datetime | None,
           sla_days: Mapping[str, int], now: datetime) -> RemediationClock:
    earlier = prior.get(identity) or prior.get(_loose_key(finding.id, finding.package))
    if earlier is not None and earlier.first_detected > now:
        earlier = None     # a previous package dated after this assessment proves nothing about the past
    evidence = tuple(finding.evidence[:1])
    candidates: list[tuple[datetime, str, tuple[Evidence, ...]]] = []
    if earlier is not None:
        candidates.append((earlier.first_detected, BASIS_PREVIOUS, earlier.evidence))
    if finding.fix_available_since is not None:
        candidates.append((finding.fix_available_since, BASIS_FIX, evidence))
    elif finding.published is not None:
        candidates.append((finding.published, BASIS_PUBLISHED, evidence))
    scanned = finding.first_seen or scan_time
    if scanned is not None:   # wins only when it is earlier than every stated date (or none is stated)
        candidates.append((scanned, BASIS_SCAN, evidence))
    if candidates:
        start, basis, cited = min(candidates, key=lambda c: (c[0], _RANK[c[1]]))
    else:
        start, basis, cited = None, BASIS_NONE, ()
    detections = [d for d in (earlier.first_detected if earlier else None, scanned) if d is not None]
    severity = finding.severity.value
    return RemediationClock(identity=identity, start=start, basis=basis, severity=severity,
                            sla_days=sla_days.get(severity), first_detected=min(detections, default=now),
                            evidence=cited)


def _prior_index(detections: Iterable[PriorDetection]) -> dict[str, PriorDetection]:
    """By identity, and by vulnerability id + package name (a scanner that gives no purl this time)."""
    index: dict[str, PriorDetection] = {}
    for detection in sorted(detections, key=lambda d: d.first_detected):
        index.setdefault(detection.identity, detection)
        index.setdefault(_loose_key(detection.weakness, detection.package), detection)
    return index


def _loose_key(vulnerability: str, package: str) -> str:
    return f"\0{vulnerability}\0{package}"


def _earliest_scan_time(facts: ImageFacts) -> datetime | None:
    """The clock of last resort: the earliest vulnerability scan."""
    times = [s.timestamp for s in facts.scans if (not s.kinds or "vuln" in s.kinds) and s.timestamp is not None]
    return min(times) if times else None


def open_findings(facts: ImageFacts) -> list[Finding]:
    """Open findings (Finding.is_open: no VEX statement closed them), known malicious packages first, then
    most severe first, in a stable order."""
    return sorted(facts.open_findings,
                  key=lambda f: (f.malicious is None, -f.severity.rank, f.id, f.package, f.installed_version))


def remediation_items(facts: ImageFacts, results: Iterable[RuleResult], schedule: Mapping[int, RemediationClock],
                      sla_days: Mapping[str, int], now: datetime) -> tuple[RemediationItem, ...]:
    """Every open weakness with its due date: each open finding (its clock from ``schedule``), then each
    open rule result, due sla_days[rule severity] after the assessment (a risk the organisation accepted:
    when the acceptance expires)."""
    items = [RemediationItem("vulnerability", f"vuln/{schedule[id(f)].identity}", schedule[id(f)], finding=f)
             for f in open_findings(facts)]
    for result in results:
        if result.verdict.is_open:
            clock = RemediationClock(identity=result.rule.id, start=now, basis=BASIS_ASSESSMENT,
                                     severity=result.severity, sla_days=sla_days.get(result.severity),
                                     first_detected=now)
            items.append(RemediationItem("rule", f"rule/{result.rule.id}", clock, result=result))
    return tuple(items)
