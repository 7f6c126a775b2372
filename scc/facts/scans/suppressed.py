"""Findings a scanner suppressed: kept as closed findings, the scanner's reason as their VEX statement.

Grype moves matches that VEX (``--vex``) or an ignore rule set aside to ``ignoredMatches``; Trivy
0.49+ lists VEX- and .trivyignore-suppressed findings as ``ExperimentalModifiedFindings``. Dropping
them would make a suppression look like a clean scan, so each becomes a Finding *and* a VexStatement
scoped to the finding's package (purl, else package name). The reader sets the finding's state and
``vex`` itself; scc's VEX application then treats the statement like any other (latest wins).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from scc.facts import jsonfields as jf
from scc.facts.model import Evidence, Finding, FindingState, ImageFacts, VexStatement
from scc.facts.source import InputDocument

#: VEX status words scanners write for a suppression -> the state it gives the finding
CLOSING_STATUSES = {
    "not_affected": FindingState.NOT_AFFECTED,
    "fixed": FindingState.FIXED,
}


def close_suppressed(finding: Finding, status: FindingState, *, justification: str, document: str,
                     author: str, timestamp: datetime | None, fmt: str, evidence: Evidence) -> VexStatement | None:
    """The statement that closes ``finding`` as the scanner did; the finding carries it from now on.
    None (the finding is still closed) when the finding names no package: an unscoped statement
    would close that vulnerability in every package of the image. The finding's aliases are not
    carried: a vendor advisory id (DLA-, RHSA-) groups several CVEs, and would close them all."""
    products = (finding.purl,) if finding.purl else ((finding.package,) if finding.package else ())
    statement = VexStatement(
        vulnerability=finding.id,
        status=status,
        products=products,
        justification=justification,
        author=author,
        timestamp=timestamp,
        document=document,
        format=fmt,
        evidence=(evidence,),
    )
    finding.vex = statement
    finding.state = status
    return statement if products else None


def read_trivy_modified(doc: InputDocument, result: dict[str, Any], where: str, at: str,
                        build: Callable[[dict[str, Any], str], Finding], facts: ImageFacts,
                        created: datetime | None) -> None:
    """A Trivy Result's ExperimentalModifiedFindings of Type vulnerability (``build`` reads the Finding
    object as the Trivy reader reads Vulnerabilities[]); other types are not read (a secret's carries
    the match). Status not_affected / fixed (VEX) and ignored (.trivyignore, format "trivy-ignore")
    close the finding; any other status leaves it as the scanner rated it."""
    for m_index, item in enumerate(jf.objs(doc, result.get("ExperimentalModifiedFindings"),
                                           f"{where}.ExperimentalModifiedFindings")):
        m_where, m_at = f"{where}.ExperimentalModifiedFindings[{m_index}]", f"{at}/ExperimentalModifiedFindings/{m_index}"
        if jf.text(doc, item.get("Type"), f"{m_where}.Type") != "vulnerability":
            continue
        finding = build(jf.obj(doc, item.get("Finding"), f"{m_where}.Finding"), f"{m_where}.Finding")
        finding.evidence, finding.first_seen = [doc.evidence(m_at)], created
        facts.findings.append(finding)
        status = jf.text(doc, item.get("Status"), f"{m_where}.Status")
        state = CLOSING_STATUSES.get(status) or (FindingState.NOT_AFFECTED if status == "ignored" else None)
        if state is None:
            continue
        source = jf.text(doc, item.get("Source"), f"{m_where}.Source")
        statement = close_suppressed(
            finding, state, document=source, author="trivy", timestamp=created, evidence=doc.evidence(m_at),
            justification=jf.text(doc, item.get("Statement"), f"{m_where}.Statement") or f"{status} per {source}",
            fmt="trivy-ignore" if status == "ignored" else "trivy-vex")
        if statement is not None:
            facts.vex.append(statement)
