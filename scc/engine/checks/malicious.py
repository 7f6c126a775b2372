"""Malicious packages (SI-3, SI-7, SR-11): no package of the image is a known malicious package.

Which findings are malicious packages was decided once, before the checks ran (scc.engine.malicious sets
Finding.malicious from controls/malicious.yaml). This check only reads that decision, and decides what
"none was found" proves: only a scan whose database holds malicious-package records (the table's
``databases:``) can show it, only for the ecosystems that database covers, and only for records known
when the database was built.
"""
from __future__ import annotations

from scc.engine.checks import CheckContext, check
from scc.engine.checks.support import day, gather, listing, manual, outcome, plural
from scc.engine.checks.vulnerability import vulnerability_scans
from scc.engine.malicious import MaliciousTable
from scc.engine.model import CheckOutcome, Verdict
from scc.engine.params import CheckParams
from scc.facts.model import Component, Evidence, Finding, ImageFacts, ScanRecord

_LIMITS = (
    "This shows only that no inventoried package matched a malicious-package record known when the database "
    "was built; it does not detect unreported or new malicious code, malicious code outside package records "
    "(a copied binary, a build script), or packages the scan did not catalogue."
)


@check("no_malicious_packages", CheckParams, consults=("findings", "vex", "scans", "components", "sboms"))
def no_malicious_packages(facts: ImageFacts, params: CheckParams, ctx: CheckContext) -> CheckOutcome:
    """No open finding is a known malicious package; satisfied only when a scan consulted a malicious-package
    database and an inventory shows the packages it covered."""
    marked = [f for f in facts.findings if f.malicious is not None]
    still_open = [f for f in marked if f.is_open]
    if still_open:
        return _present(still_open)
    accepted = [f for f in marked if not f.is_open]
    scans = vulnerability_scans(facts)
    if not scans:
        return manual("No vulnerability scan was supplied, so nothing shows whether a package of the image is a "
                      "known malicious package; supply a Grype or osv-scanner report of the image.")
    table = ctx.tables.malicious
    consulting = [s for s in scans if table.database_of(s.scanner) is not None]
    if not consulting:
        return _blind(scans, table)
    if not facts.components:
        return outcome(Verdict.PARTIAL,
                       f"No known malicious package was reported by {_scanners(consulting)}, but no inventory (SBOM) "
                       "of the image was supplied to show which packages the scan covered. " + _LIMITS,
                       gather(consulting))
    return _covered(facts, consulting, table, accepted)


def _present(findings: list[Finding]) -> CheckOutcome:
    names = [f"{f.package} {f.installed_version} ({f.id})".replace("  ", " ") for f in findings]
    evidence: list[Evidence] = []
    for finding in findings:
        evidence += finding.evidence[:1]
        evidence += finding.malicious.evidence if finding.malicious is not None else ()
    held = sum(1 for f in findings if f.malicious is not None and f.malicious.held_open)
    kept = (f" ({held} of them despite a VEX or scanner closure, which does not close a malicious package "
            "without an organisation override naming an approver)") if held else ""
    return outcome(Verdict.NOT_SATISFIED,
                   f"{plural(len(findings), 'known malicious package')} in the image{kept}: {listing(names)}. "
                   "Each is a CAT I finding due for removal at once.",
                   evidence, malicious=[f.id for f in findings], packages=names)


def _blind(scans: list[ScanRecord], table: MaliciousTable) -> CheckOutcome:
    reasons = [f"{s.scanner}: {table.blind_reason(s.scanner) or 'not known to consult a malicious-package database'}"
               for s in scans]
    return outcome(Verdict.PARTIAL,
                   "No known malicious package was reported, but no scan consulted a malicious-package database "
                   f"({'; '.join(dict.fromkeys(reasons))}), so the absence shows nothing about malicious packages. "
                   "Scan the image with a scanner the malicious_packages table lists (grype, osv-scanner).",
                   gather(scans))


def _covered(facts: ImageFacts, consulting: list[ScanRecord], table: MaliciousTable,
             accepted: list[Finding]) -> CheckOutcome:
    databases = [(s, d) for s in consulting for d in [table.database_of(s.scanner)] if d is not None]
    ecosystems = sorted({e for _, d in databases for e in d.ecosystems})
    in_scope = [c for c in facts.components if _purl_type(c) in ecosystems]
    holds = "; ".join(dict.fromkeys(f"{s.scanner} {s.scanner_version} (database built {day(s.db_built)}): {d.holds}"
                                    for s, d in databases))
    reason = (f"No package matched a known malicious-package record. {holds}. "
              f"{len(in_scope)} of {plural(len(facts.components), 'inventoried package')} are in the ecosystems "
              f"those databases cover ({', '.join(ecosystems)}); the others (distribution packages) have no "
              f"malicious-package records to match. {_LIMITS}")
    evidence = [*gather(consulting), *gather(facts.sboms)]
    if accepted:
        approvals = listing(f"{f.id} in {f.package}" for f in accepted)
        return outcome(Verdict.PARTIAL,
                       f"{plural(len(accepted), 'known malicious-package finding')} ({approvals}) closed by an "
                       f"organisation override, so their absence rests on that approval, not on the scan. {reason}",
                       [*evidence, *(e for f in accepted for e in f.evidence[:1])])
    return outcome(Verdict.SATISFIED, reason, evidence, in_scope=len(in_scope), ecosystems=ecosystems)


def _purl_type(component: Component) -> str:
    purl = component.purl
    return purl[4:].split("/", 1)[0].lower() if purl.startswith("pkg:") else ""


def _scanners(scans: list[ScanRecord]) -> str:
    return ", ".join(dict.fromkeys(f"{s.scanner} {s.scanner_version}".strip() for s in scans))
