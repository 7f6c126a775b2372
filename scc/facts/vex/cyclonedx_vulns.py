"""CycloneDX vulnerabilities[] (1.4+ VDR / VEX): findings and VEX statements.

Each vulnerability x each affects[].ref is a Finding, the ref resolved through bom-ref to the
component's purl/name/version; an ``analysis`` block is also a VexStatement. A document that has
no components and whose vulnerabilities ALL carry an analysis is a pure VEX: it makes statements
only, never findings (it says what is not exploitable, not what was found).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from scc.clock import parse_time
from scc.facts import jsonfields as jf
from scc.facts.model import Component, CvssScore, Finding, FindingState, ImageFacts, Severity, VexStatement
from scc.facts.scans.vulnparse import cvss_score, is_cvss_method, valid_purl
from scc.facts.source import InputDocument

_STATES = {
    "not_affected": FindingState.NOT_AFFECTED, "false_positive": FindingState.NOT_AFFECTED,
    "resolved": FindingState.FIXED, "resolved_with_pedigree": FindingState.FIXED,
    "exploitable": FindingState.AFFECTED, "in_triage": FindingState.UNDER_INVESTIGATION,
}


def is_vex_only(data: dict[str, Any]) -> bool:
    vulns = data.get("vulnerabilities")
    return (not data.get("components") and isinstance(vulns, list) and bool(vulns)
            and all(isinstance(v, dict) and isinstance(v.get("analysis"), dict) and v["analysis"].get("state")
                    for v in vulns))


def read_vulnerabilities(doc: InputDocument, data: dict[str, Any], facts: ImageFacts,
                         refs: dict[str, Component], tool: str) -> None:
    vex_only = is_vex_only(data)
    metadata = jf.obj(doc, data.get("metadata"), "metadata")
    context: dict[str, Any] = {
        "author": _author(doc, metadata) or tool,
        "timestamp": parse_time(jf.text(doc, metadata.get("timestamp"), "metadata.timestamp")),
        "document": jf.text(doc, data.get("serialNumber"), "serialNumber") or doc.display_path,
        "source": (tool.split(" ")[0].lower() if tool else "") or "cyclonedx",
    }
    for index, vuln in enumerate(jf.objs(doc, data.get("vulnerabilities"), "vulnerabilities")):
        where = f"vulnerabilities[{index}]"
        vuln_id = jf.text(doc, vuln.get("id"), f"{where}.id")
        if not vuln_id:
            raise doc.fail(f"{where}.id: missing")
        affected = _affected(doc, vuln, where, refs)
        if not vex_only:
            for component, fixed in affected:
                facts.findings.append(_finding(doc, vuln, vuln_id, index, component, fixed, context["source"]))
        if isinstance(vuln.get("analysis"), dict) and vuln["analysis"].get("state"):
            facts.vex.append(_statement(doc, vuln, vuln_id, index, affected, context))


def _affected(doc: InputDocument, vuln: dict[str, Any], where: str,
              refs: dict[str, Component]) -> list[tuple[Component, list[str]]]:
    found = []
    for i, affect in enumerate(jf.objs(doc, vuln.get("affects"), f"{where}.affects")):
        ref = jf.text(doc, affect.get("ref"), f"{where}.affects[{i}].ref")
        fixed = [version for version, status in _versions(doc, affect, f"{where}.affects[{i}]")
                 if status == "unaffected" and version.startswith("=")]
        found.append((_resolve(ref, refs), [version[1:] for version in fixed]))
    return found


def _versions(doc: InputDocument, affect: dict[str, Any], where: str) -> list[tuple[str, str]]:
    """affects[].versions as ("vers:..." range or "=version", status); status defaults to affected (spec)."""
    found = []
    for j, entry in enumerate(jf.objs(doc, affect.get("versions"), f"{where}.versions")):
        at = f"{where}.versions[{j}]"
        status = jf.text(doc, entry.get("status"), f"{at}.status") or "affected"
        if status not in ("affected", "unaffected"):
            status = "unknown"   # the spec's third value; anything else says nothing either way
        version = jf.text(doc, entry.get("version"), f"{at}.version")
        vers = jf.text(doc, entry.get("range"), f"{at}.range")
        if version:
            found.append((f"={version}", status))
        elif vers:
            found.append((vers, status))
    return found


def _version_ranges(doc: InputDocument, vuln: dict[str, Any], index: int) -> tuple[tuple[str, str], ...]:
    where = f"vulnerabilities[{index}]"
    pairs = [pair for i, affect in enumerate(jf.objs(doc, vuln.get("affects"), f"{where}.affects"))
             for pair in _versions(doc, affect, f"{where}.affects[{i}]")]
    return tuple(dict.fromkeys(pairs))


def _resolve(ref: str, refs: dict[str, Component]) -> Component:
    """A bom-ref, a BOM-Link (urn:cdx:serial/version#bom-ref) or a purl -> the component it names."""
    if ref in refs:
        return refs[ref]
    if ref.startswith("urn:cdx:") and "#" in ref:
        fragment = unquote(ref.split("#", 1)[1])
        if fragment in refs:
            return refs[fragment]
        ref = fragment
    purl = valid_purl(ref)
    if purl:
        from packageurl import PackageURL

        parsed = PackageURL.from_string(purl)
        return Component(name=parsed.name, version=parsed.version or "", purl=purl, bom_ref=ref)
    return Component(name=ref, bom_ref=ref)


def _finding(doc: InputDocument, vuln: dict[str, Any], vuln_id: str, index: int, component: Component,
             fixed: list[str], source: str) -> Finding:
    where = f"vulnerabilities[{index}]"
    scores, words = _ratings(doc, vuln, where)
    severity = max(words, key=lambda s: s.rank, default=Severity.UNKNOWN)
    if severity is Severity.UNKNOWN and any(s.score is not None for s in scores):
        severity = Severity.from_cvss(max(s.score for s in scores if s.score is not None))
    return Finding(
        id=vuln_id,
        package=component.name,
        installed_version=component.version,
        purl=component.purl,
        aliases=set(_aliases(doc, vuln, where)) - {vuln_id},
        severity=severity,
        cvss=scores,
        fixed_versions=fixed,
        description=_description(doc, vuln, where),
        urls=_urls(doc, vuln, where),
        published=parse_time(jf.text(doc, vuln.get("published"), f"{where}.published")),
        sources={source},
        evidence=[doc.evidence(f"/vulnerabilities/{index}")],
        cwes=list(_cwes(doc, vuln, where)),
        databases=_source_name(doc, vuln, where),
    )


def _cwes(doc: InputDocument, vuln: dict[str, Any], where: str) -> tuple[str, ...]:
    """CycloneDX ``cwes`` (integers, 506) as CWE ids ("CWE-506")."""
    values = vuln.get("cwes")
    if values is None:
        return ()
    if not isinstance(values, list):
        raise doc.fail(f"{where}.cwes: must be a list of CWE numbers")
    numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    return tuple(dict.fromkeys(f"CWE-{n}" for n in numbers))


def _source_name(doc: InputDocument, vuln: dict[str, Any], where: str) -> list[str]:
    """``source.name`` as written ("GITHUB", "OSV", "NVD"): the database the vulnerability record came from."""
    source = jf.obj(doc, vuln.get("source"), f"{where}.source")
    name = jf.text(doc, source.get("name"), f"{where}.source.name")
    return [name] if name else []


def _ratings(doc: InputDocument, vuln: dict[str, Any], where: str) -> tuple[list[CvssScore], list[Severity]]:
    scores: list[CvssScore] = []
    words = []
    for i, rating in enumerate(jf.objs(doc, vuln.get("ratings"), f"{where}.ratings")):
        at = f"{where}.ratings[{i}]"
        words.append(Severity.parse(jf.text(doc, rating.get("severity"), f"{at}.severity")))
        method = jf.text(doc, rating.get("method"), f"{at}.method")
        if method and not is_cvss_method(method):
            continue
        source = jf.obj(doc, rating.get("source"), f"{at}.source")
        score = cvss_score(jf.number(doc, rating.get("score"), f"{at}.score"),
                           jf.text(doc, rating.get("vector"), f"{at}.vector"), method,
                           jf.text(doc, source.get("name"), f"{at}.source.name"))
        if score is not None and score not in scores:
            scores.append(score)
    return scores, [w for w in words if w is not Severity.UNKNOWN]


def _aliases(doc: InputDocument, vuln: dict[str, Any], where: str) -> list[str]:
    refs = jf.objs(doc, vuln.get("references"), f"{where}.references")
    ids = [jf.text(doc, r.get("id"), f"{where}.references[{i}].id") for i, r in enumerate(refs)]
    return [i for i in dict.fromkeys(ids) if i]


def _description(doc: InputDocument, vuln: dict[str, Any], where: str) -> str:
    parts = [jf.text(doc, vuln.get(key), f"{where}.{key}") for key in ("description", "detail")]
    recommendation = jf.text(doc, vuln.get("recommendation"), f"{where}.recommendation")
    if recommendation:
        parts.append(f"Recommendation: {recommendation}")
    return "\n\n".join(p for p in parts if p)


def _urls(doc: InputDocument, vuln: dict[str, Any], where: str) -> list[str]:
    source = jf.obj(doc, vuln.get("source"), f"{where}.source")
    urls = [jf.text(doc, source.get("url"), f"{where}.source.url")]
    for i, advisory in enumerate(jf.objs(doc, vuln.get("advisories"), f"{where}.advisories")):
        urls.append(jf.text(doc, advisory.get("url"), f"{where}.advisories[{i}].url"))
    return [u for u in dict.fromkeys(urls) if u]


def _statement(doc: InputDocument, vuln: dict[str, Any], vuln_id: str, index: int,
               affected: list[tuple[Component, list[str]]], context: dict[str, Any]) -> VexStatement:
    where = f"vulnerabilities[{index}].analysis"
    analysis = vuln["analysis"]
    state = jf.text(doc, analysis.get("state"), f"{where}.state")
    if state not in _STATES:
        raise doc.fail(f"{where}.state: {state[:40]!r} is not a CycloneDX analysis state")
    timestamp = (parse_time(jf.text(doc, analysis.get("lastUpdated"), f"{where}.lastUpdated"))
                 or parse_time(jf.text(doc, analysis.get("firstIssued"), f"{where}.firstIssued"))
                 or context["timestamp"])
    return VexStatement(
        vulnerability=vuln_id,
        status=_STATES[state],
        products=_products(affected),
        justification=jf.text(doc, analysis.get("justification"), f"{where}.justification"),
        impact_statement=jf.text(doc, analysis.get("detail"), f"{where}.detail"),
        action_statement=", ".join(jf.texts(doc, analysis.get("response"), f"{where}.response")),
        author=context["author"],
        timestamp=timestamp,
        document=context["document"],
        format="cyclonedx-vex",
        evidence=(doc.evidence(f"/vulnerabilities/{index}/analysis"),),
        aliases=tuple(a for a in _aliases(doc, vuln, f"vulnerabilities[{index}]") if a != vuln_id),
        version_ranges=_version_ranges(doc, vuln, index),
        cwes=_cwes(doc, vuln, f"vulnerabilities[{index}]"),
    )


def _products(affected: list[tuple[Component, list[str]]]) -> tuple[str, ...]:
    """The purls the statement is about; () when it names the document's own product (the image)."""
    if not affected or any(c.evidence and c.evidence[0].pointer == "/metadata/component" for c, _ in affected):
        return ()
    return tuple(dict.fromkeys(c.purl or c.bom_ref or c.name for c, _ in affected))


def _author(doc: InputDocument, metadata: dict[str, Any]) -> str:
    for key in ("authors", ):
        for i, person in enumerate(jf.objs(doc, metadata.get(key), f"metadata.{key}")):
            name = jf.text(doc, person.get("name"), f"metadata.{key}[{i}].name")
            if name:
                return name
    for key in ("manufacturer", "manufacture", "supplier"):
        name = jf.text(doc, jf.obj(doc, metadata.get(key), f"metadata.{key}").get("name"), f"metadata.{key}.name")
        if name:
            return name
    return ""
