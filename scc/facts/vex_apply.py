"""Applying VEX statements to findings: the latest statement wins, a disagreement is reported.

A finding marked not_affected or fixed keeps its record (and the statement that closed it) but
no longer counts as open.
"""
from __future__ import annotations

from datetime import datetime, timezone

from scc.facts.identity import normalise_purl
from scc.facts.model import Finding, ImageFacts, VexStatement

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def apply_vex(facts: ImageFacts) -> None:
    if not facts.vex:
        return
    image_refs = _image_references(facts)
    for finding in facts.findings:
        statements = [s for s in facts.vex if _applies(s, finding, image_refs)]
        if not statements:
            continue
        statements.sort(key=lambda s: (s.timestamp or _EPOCH, s.document))
        winner = statements[-1]
        finding.vex = winner
        finding.state = winner.status
        others = {s.status for s in statements[:-1]} - {winner.status}
        if others:
            finding.vex_conflicts = [s for s in statements[:-1] if s.status != winner.status]
            facts.notes.append(
                f"VEX conflict on {finding.id} in {finding.package or finding.purl}: "
                f"{', '.join(sorted(o.value for o in others))} earlier, "
                f"{winner.status.value} in {winner.document or winner.format} "
                f"({_when(winner)}) wins as the latest"
            )


def _when(statement: VexStatement) -> str:
    return statement.timestamp.isoformat() if statement.timestamp else "undated"


def _image_references(facts: ImageFacts) -> set[str]:
    refs = {facts.identity.digest, facts.identity.name}
    if facts.identity.digest:
        refs.add(facts.identity.digest.split(":")[-1])
    return {r for r in refs if r}


def _applies(statement: VexStatement, finding: Finding, image_refs: set[str]) -> bool:
    ids = {finding.id.upper(), *(a.upper() for a in finding.aliases)}
    if statement.vulnerability.upper() not in ids:
        return False
    if not statement.products:
        return True
    finding_purl = normalise_purl(finding.purl)
    for product in statement.products:
        if finding_purl and normalise_purl(product) == finding_purl:
            return True
        if _names_package_without_version(product, finding):
            return True
        if any(ref and ref in product for ref in image_refs):
            return True  # a statement about the whole image covers every package in it
    return False


def _names_package_without_version(product: str, finding: Finding) -> bool:
    canonical = normalise_purl(product)
    if not canonical or "@" in canonical.split("/")[-1]:
        return False
    return bool(finding.purl) and normalise_purl(finding.purl).split("@")[0] == canonical
