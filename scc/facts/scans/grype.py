"""Grype JSON reports (`grype -o json`): one Finding per match, the scan record and the scanned image.

Grype lists only vulnerable packages, so it contributes findings, never the component inventory.
Matches that VEX or an ignore rule set aside (``ignoredMatches[]``, each with ``appliedIgnoreRules[]``)
are findings too, closed by a "grype-ignore" VexStatement carrying the rule's VEX justification or
reason (scc.facts.scans.suppressed); matches set aside only for their fix state (``--only-fixed``,
``--ignore-states``) say nothing about exposure and stay open.
The report layout varies by Grype version (descriptor.db.built up to 0.8x, descriptor.db.status.built
from the v6 database on); both are read.
"""
from __future__ import annotations

from typing import Any

from scc.clock import parse_time
from scc.facts import jsonfields as jf
from scc.facts.counting import input_record
from scc.facts.interface import Reader
from scc.facts.model import CvssScore, Finding, FindingState, ImageFacts, ImageIdentity, ScanRecord
from scc.facts.scans.suppressed import CLOSING_STATUSES, close_suppressed
from scc.facts.scans.vulnparse import (
    cvss_score,
    digest_from_repo_digests,
    is_digest,
    scanner_state,
    severity,
    split_image_reference,
    valid_purl,
)
from scc.facts.source import InputDocument


class GrypeReader(Reader):
    format = "grype-json"

    def sniff(self, doc: InputDocument) -> bool:
        data = doc.json
        if not isinstance(data, dict) or not isinstance(data.get("matches"), list):
            return False
        descriptor = data.get("descriptor")
        if isinstance(descriptor, dict) and descriptor.get("name") == "grype":
            return True
        first = data["matches"][0] if data["matches"] else None
        return isinstance(first, dict) and "vulnerability" in first and "artifact" in first

    def read(self, doc: InputDocument) -> ImageFacts:
        data = jf.obj(doc, doc.json, "document")
        descriptor = jf.obj(doc, data.get("descriptor"), "descriptor")
        scanned_at = parse_time(jf.text(doc, descriptor.get("timestamp"), "descriptor.timestamp"))
        facts = ImageFacts()
        matches = jf.arr(doc, data.get("matches"), "matches")
        for index, match in enumerate(matches):
            finding = _finding(doc, jf.obj(doc, match, f"matches[{index}]"), index)
            finding.first_seen = scanned_at
            facts.findings.append(finding)
        _read_ignored(doc, data, facts, scanned_at)
        facts.identity, target = _identity(doc, jf.obj(doc, data.get("source"), "source"))
        facts.scans.append(ScanRecord(
            scanner="grype",
            scanner_version=jf.text(doc, descriptor.get("version"), "descriptor.version"),
            timestamp=scanned_at,
            db_built=_db_built(doc, descriptor),
            target=target,
            finding_count=len(facts.findings),
            evidence=(doc.evidence("/descriptor"),),
        ))
        facts.inputs = [input_record(doc, self.format, facts, facts.scans[0].scanner_version, "grype")]
        return facts


def _read_ignored(doc: InputDocument, data: dict[str, Any], facts: ImageFacts, scanned_at) -> None:
    """ignoredMatches[]: a Finding each, closed by the first applied rule that says why it was set aside."""
    fix_state_only = 0
    for index, match in enumerate(jf.arr(doc, data.get("ignoredMatches"), "ignoredMatches")):
        where = f"ignoredMatches[{index}]"
        match = jf.obj(doc, match, where)
        finding = _finding(doc, match, index, "ignoredMatches")
        finding.first_seen = scanned_at
        facts.findings.append(finding)
        rules = jf.objs(doc, match.get("appliedIgnoreRules"), f"{where}.appliedIgnoreRules")
        closing = _closing_rule(doc, rules, where)
        if closing is None:
            fix_state_only += 1
            continue
        r_index, status, justification = closing
        statement = close_suppressed(
            finding, status, justification=justification, document=doc.display_path,
            author="grype ignore rule", timestamp=scanned_at, fmt="grype-ignore",
            evidence=doc.evidence(f"/ignoredMatches/{index}/appliedIgnoreRules/{r_index}"))
        if statement is not None:
            facts.vex.append(statement)
    if fix_state_only:
        facts.notes.append(
            f"{doc.display_path}: {fix_state_only} ignored match(es) were set aside only for their fix state "
            "(grype --only-fixed / --ignore-states); they are kept as open findings")


def _closing_rule(doc: InputDocument, rules: list[dict[str, Any]],
                  where: str) -> tuple[int, FindingState, str] | None:
    """The applied rule that closes the match: a VEX status first, then any rule that names a
    vulnerability, package, namespace, match type or reason. A rule on fix state alone closes nothing."""
    plain = None
    for r_index, rule in enumerate(rules):
        at = f"{where}.appliedIgnoreRules[{r_index}]"
        vex_status = jf.text(doc, rule.get("vex-status"), f"{at}.vex-status")
        reason = jf.text(doc, rule.get("reason"), f"{at}.reason")
        if vex_status in CLOSING_STATUSES:
            justification = jf.text(doc, rule.get("vex-justification"), f"{at}.vex-justification") or reason
            return r_index, CLOSING_STATUSES[vex_status], justification or f"VEX status {vex_status}"
        if plain is None and not vex_status and _names_what_it_ignores(doc, rule, at):
            plain = (r_index, FindingState.NOT_AFFECTED, reason or _describe_rule(doc, rule, at))
    return plain


def _names_what_it_ignores(doc: InputDocument, rule: dict[str, Any], at: str) -> bool:
    package = jf.obj(doc, rule.get("package"), f"{at}.package")
    keys = ("vulnerability", "reason", "namespace", "match-type")
    return any(jf.text(doc, rule.get(k), f"{at}.{k}") for k in keys) or any(
        jf.text(doc, v, f"{at}.package.{k}") for k, v in package.items() if not isinstance(v, bool))


def _describe_rule(doc: InputDocument, rule: dict[str, Any], at: str) -> str:
    """A rule without a reason (grype's built-in kernel-header rules have none), in words."""
    package = jf.obj(doc, rule.get("package"), f"{at}.package")
    parts = [f"{k} {jf.text(doc, rule.get(k), f'{at}.{k}')}" for k in
             ("vulnerability", "namespace", "fix-state", "match-type") if rule.get(k)]
    parts += [f"package {k} {jf.text(doc, v, f'{at}.package.{k}')}" for k, v in package.items()
              if v and not isinstance(v, bool)]
    return "grype ignore rule: " + (", ".join(parts) or "no conditions")


def _finding(doc: InputDocument, match: dict[str, Any], index: int, key: str = "matches") -> Finding:
    where = f"{key}[{index}]"
    vuln = jf.obj(doc, match.get("vulnerability"), f"{where}.vulnerability")
    artifact = jf.obj(doc, match.get("artifact"), f"{where}.artifact")
    related = jf.objs(doc, match.get("relatedVulnerabilities"), f"{where}.relatedVulnerabilities")
    vuln_id = jf.text(doc, vuln.get("id"), f"{where}.vulnerability.id")
    if not vuln_id:
        raise doc.fail(f"{where}.vulnerability.id: missing")
    scores = _cvss(doc, vuln, f"{where}.vulnerability")
    for r_index, rel in enumerate(related):
        scores += [s for s in _cvss(doc, rel, f"{where}.relatedVulnerabilities[{r_index}]") if s not in scores]
    fix = jf.obj(doc, vuln.get("fix"), f"{where}.vulnerability.fix")
    fixed = jf.texts(doc, fix.get("versions"), f"{where}.vulnerability.fix.versions")
    legacy_fix = jf.text(doc, vuln.get("fixedInVersion"), f"{where}.vulnerability.fixedInVersion")
    word = jf.text(doc, vuln.get("severity"), f"{where}.vulnerability.severity")
    return Finding(
        id=vuln_id,
        package=jf.text(doc, artifact.get("name"), f"{where}.artifact.name"),
        installed_version=jf.text(doc, artifact.get("version"), f"{where}.artifact.version"),
        purl=valid_purl(jf.text(doc, artifact.get("purl"), f"{where}.artifact.purl")),
        aliases={jf.text(doc, r.get("id"), f"{where}.relatedVulnerabilities[].id") for r in related} - {vuln_id, ""},
        severity=severity(word, scores),
        cvss=scores,
        fixed_versions=fixed or ([legacy_fix] if legacy_fix else []),
        fix_available_since=_fix_available_since(doc, fix, fixed, f"{where}.vulnerability.fix"),
        state=scanner_state(jf.text(doc, fix.get("state"), f"{where}.vulnerability.fix.state")),
        description=_description(doc, vuln, related, where),
        urls=_urls(doc, vuln, related, where),
        sources={"grype"},
        evidence=[doc.evidence(f"/{key}/{index}")],
        databases=_namespaces(doc, [vuln, *related], where),
    )


def _namespaces(doc: InputDocument, records: list[dict[str, Any]], where: str) -> list[str]:
    """The namespace of the vulnerability record and of each related one, as grype writes them
    ("github:language:javascript", "nvd:cpe"): which advisory database each came from."""
    names = [jf.text(doc, r.get("namespace"), f"{where}.vulnerability.namespace") for r in records]
    return [n for n in dict.fromkeys(names) if n]


def _fix_available_since(doc: InputDocument, fix: dict[str, Any], fixed: list[str], where: str):
    """The earliest date grype states a fix became available (``fix.available[].date``, newer schemas),
    counting only entries for a version in ``fix.versions`` when any entry names one."""
    dated = []
    for index, entry in enumerate(jf.objs(doc, fix.get("available"), f"{where}.available")):
        when = parse_time(jf.text(doc, entry.get("date"), f"{where}.available[{index}].date"))
        if when is not None:
            dated.append((jf.text(doc, entry.get("version"), f"{where}.available[{index}].version"), when))
    relevant = [when for version, when in dated if version in fixed] or [when for _, when in dated]
    return min(relevant) if relevant else None


def _cvss(doc: InputDocument, vuln: dict[str, Any], where: str) -> list[CvssScore]:
    namespace = jf.text(doc, vuln.get("namespace"), f"{where}.namespace").split(":")[0]
    scores = []
    for i, entry in enumerate(jf.objs(doc, vuln.get("cvss"), f"{where}.cvss")):
        metrics = jf.obj(doc, entry.get("metrics"), f"{where}.cvss[{i}].metrics")
        score = cvss_score(
            jf.number(doc, metrics.get("baseScore"), f"{where}.cvss[{i}].metrics.baseScore"),
            jf.text(doc, entry.get("vector"), f"{where}.cvss[{i}].vector"),
            jf.text(doc, entry.get("version"), f"{where}.cvss[{i}].version"),
            jf.text(doc, entry.get("source"), f"{where}.cvss[{i}].source") or namespace,
        )
        if score is not None and score not in scores:
            scores.append(score)
    return scores


def _description(doc: InputDocument, vuln: dict[str, Any], related: list[dict[str, Any]], where: str) -> str:
    for item in [vuln, *related]:
        text = jf.text(doc, item.get("description"), f"{where}.description")
        if text:
            return text
    return ""


def _urls(doc: InputDocument, vuln: dict[str, Any], related: list[dict[str, Any]], where: str) -> list[str]:
    urls = [jf.text(doc, vuln.get("dataSource"), f"{where}.vulnerability.dataSource")]
    urls += jf.texts(doc, vuln.get("urls"), f"{where}.vulnerability.urls")
    urls += [jf.text(doc, r.get("dataSource"), f"{where}.relatedVulnerabilities[].dataSource") for r in related]
    return [u for u in dict.fromkeys(urls) if u]


def _db_built(doc: InputDocument, descriptor: dict[str, Any]):
    db = jf.obj(doc, descriptor.get("db"), "descriptor.db")
    status = jf.obj(doc, db.get("status"), "descriptor.db.status")
    built = db.get("built") or status.get("built")
    return parse_time(jf.text(doc, built, "descriptor.db.built"))


def _identity(doc: InputDocument, source: dict[str, Any]) -> tuple[ImageIdentity, str]:
    """The scanned image (source.type image) and the scan target as the user gave it."""
    target = source.get("target")
    if isinstance(target, str) or target is None:
        return ImageIdentity(), target or ""
    target = jf.obj(doc, target, "source.target")
    user_input = jf.text(doc, target.get("userInput"), "source.target.userInput")
    if jf.text(doc, source.get("type"), "source.type") not in ("image", ""):
        return ImageIdentity(), user_input
    tags = jf.texts(doc, target.get("tags"), "source.target.tags")
    name, tag, digest = split_image_reference(tags[0] if tags else user_input)
    _, _, input_digest = split_image_reference(user_input)
    repo_digests = jf.texts(doc, target.get("repoDigests"), "source.target.repoDigests")
    # grype on a syft CycloneDX SBOM: imageID is the container component's bom-ref, not a digest
    image_id = jf.text(doc, target.get("imageID"), "source.target.imageID")
    digest = (input_digest or digest or digest_from_repo_digests(repo_digests, name)
              or jf.text(doc, target.get("manifestDigest"), "source.target.manifestDigest")
              or (image_id if is_digest(image_id) else ""))
    identity = ImageIdentity(
        name=name, tag=tag, digest=digest,
        os=jf.text(doc, target.get("os"), "source.target.os"),
        architecture=jf.text(doc, target.get("architecture"), "source.target.architecture"),
        evidence=(doc.evidence("/source/target"),),
    )
    return identity, user_input


READER = GrypeReader()
