"""SARIF 2.1.0 reader for container scanners (Trivy, Grype, Docker Scout, Snyk Container) and others.

Each ``runs[i].results[j]`` becomes one Finding (sources = the driver name lower-cased, evidence
``/runs/i/results/j``); each run becomes a ScanRecord. Scanners put the package facts in different
places, all of which are read, the per-result ones first:

* Trivy: result message ``Package: X / Installed Version: Y / Vulnerability CVE-.. / Severity: ..
  / Fixed Version: ..``; the run's ``properties`` name the image (imageName, repoTags, repoDigests).
* Grype: rule id ``CVE-..-<package>``, rule help ``Severity / Package / Version / Fix Version``,
  message "... reports <pkg> at version <v> ...".
* Docker Scout: rule ``properties`` purls / purl, cvssV3_severity, fixed_version ("not fixed");
  message lines ``Package : pkg:...`` and ``Fixed version : ..``.
* Snyk Container: rule id SNYK-..., shortDescription "High severity - ...", fullDescription
  "(CVE-..) name@version", logicalLocations fullyQualifiedName ``name@version``.

Severity: the scanner's own word (message/help ``Severity:``, cvssV3_severity, Snyk's "High
severity", a severity tag) wins, because Grype's numeric ``security-severity`` is the highest CVSS of
any source and can contradict the distro rating Grype itself reports; then ``security-severity``
through Severity.from_cvss; then the SARIF level (error/warning/note). The numeric score is kept as
a CvssScore. A SARIF from a non-vulnerability tool is read the same way: findings keep the rule id.

Trivy also writes its secret and misconfiguration results into SARIF, with rule ``name`` "Secret" /
"Misconfiguration" and first tag "secret" / "misconfiguration". Those become SecretFindings (rule id,
title, severity, file, line; never the rule's fullDescription, help or the result message, which
carry the matched text) and Misconfigurations (Trivy's SARIF has no Status and lists failures
unless --include-non-failures was given), not vulnerability Findings.
"""
from __future__ import annotations

import re
from typing import Any

from scc.clock import parse_time
from scc.facts.counting import input_record
from scc.facts.interface import Reader
from scc.facts.jsonfields import arr, as_list, as_obj, obj
from scc.facts.model import CvssScore, Finding, ImageFacts, ImageIdentity, ScanRecord, Severity
from scc.facts.scans.sarif_trivy import misconfiguration, secret_finding, trivy_kind
from scc.facts.scans.vulnparse import (
    cvss_score,
    digest_from_repo_digests,
    split_image_reference,
    split_versions,
)
from scc.facts.source import InputDocument, json_pointer

_CWE_TAG = re.compile(r"\bcwe-(\d+)$", re.IGNORECASE)
_VULN_ID = re.compile(
    r"\b(CVE-\d{4}-\d{4,}|GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}|GMS-\d{4}-\d+|MAL-\d{4}-\d+|"
    r"(?:ALAS|ALAS2|ALAS2022|ALAS2023|RHSA|RHBA|RHEA|ELSA|DSA|DLA|USN|GO|PYSEC|RUSTSEC|OSV)-[\w.:-]+)",
)
_FIELD_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z .]*?)\s*:\s*(.*?)\s*$")
_GRYPE_MESSAGE = re.compile(r"reports (\S+) at version (\S+)")
_OSV_SCANNER_MESSAGE = re.compile(r"^Package '(.+)@([^'@]+)' is vulnerable to ")
_NAME_AT_VERSION = re.compile(r"^(?:\(([^)]*)\)\s*)?(\S+)@(\S+)$")
_LINK = re.compile(r"\]\((https?://[^)\s]+)\)")
_NOT_FIXED = {"", "not fixed", "none", "n/a"}


def _text(value: Any) -> str:
    """message/description objects -> their text; anything else -> ''."""
    if isinstance(value, dict):
        value = value.get("text")
    return value.strip() if isinstance(value, str) else ""


def _fields(*texts: str) -> dict[str, str]:
    """'Key: value' lines (the first text that names a key wins) keyed by lower-case key."""
    found: dict[str, str] = {}
    for body in texts:
        for line in body.splitlines():
            match = _FIELD_LINE.match(line)
            if match:
                found.setdefault(" ".join(match.group(1).lower().split()), match.group(2))
            elif line.startswith("Vulnerability "):
                found.setdefault("vulnerability", line.split(None, 1)[1].strip())
    return found


class SarifReader(Reader):
    format = "sarif"

    def sniff(self, doc: InputDocument) -> bool:
        if '"runs"' not in doc.head:
            return False
        data = doc.json
        if not isinstance(data, dict) or not isinstance(data.get("runs"), list):
            return False
        return "sarif" in str(data.get("$schema", "")).lower() or str(data.get("version")) == "2.1.0"

    def read(self, doc: InputDocument) -> ImageFacts:
        data = obj(doc, doc.json, "SARIF document")
        facts = ImageFacts()
        tools = []
        for i, run in enumerate(arr(doc, data.get("runs"), "runs")):
            run = obj(doc, run, f"runs[{i}]")
            scan = self._run(doc, i, run, facts)
            facts.scans.append(scan)
            tools.append(f"{scan.scanner} {scan.scanner_version}".strip())
            if not (facts.identity.name or facts.identity.digest):
                facts.identity = _identity(doc, i, run)
        version = str(data.get("version", ""))
        facts.inputs = [input_record(doc, self.format, facts, version, ", ".join(dict.fromkeys(tools)))]
        return facts

    def _run(self, doc: InputDocument, i: int, run: dict[str, Any], facts: ImageFacts) -> ScanRecord:
        driver = obj(doc, obj(doc, run.get("tool"), f"runs[{i}].tool").get("driver"), f"runs[{i}].tool.driver")
        scanner = str(driver.get("name") or "unknown").strip().lower()
        rules = [obj(doc, r, f"runs[{i}].tool.driver.rules[{k}]")
                 for k, r in enumerate(arr(doc, driver.get("rules"), f"runs[{i}].tool.driver.rules"))]
        by_id = {str(r.get("id")): r for r in rules if r.get("id")}
        findings: list[Finding] = []
        kinds: set[str] = set()
        props = as_obj(run.get("properties"))
        image_run = scanner == "trivy" and bool(props.get("imageName"))   # Trivy names only images here
        if image_run:
            kinds.add("vuln")
        for j, result in enumerate(arr(doc, run.get("results"), f"runs[{i}].results")):
            result = obj(doc, result, f"runs[{i}].results[{j}]")
            rule = _rule_for(result, rules, by_id)
            pointer = json_pointer("runs", i, "results", j)
            kind = trivy_kind(rule) if scanner == "trivy" else ""
            if kind:
                _add_trivy_result(doc, kind, result, rule, pointer, facts)
            else:
                findings.append(_finding(doc, scanner, result, rule, pointer))
                kind = "vuln"
            kinds.add(kind)
        facts.findings.extend(findings)
        invocation = next((x for x in run.get("invocations") or () if isinstance(x, dict)), {})
        return ScanRecord(
            scanner=scanner,
            scanner_version=str(driver.get("version") or driver.get("semanticVersion") or ""),
            timestamp=parse_time(invocation.get("endTimeUtc") or invocation.get("startTimeUtc")),
            target=str(props.get("imageName") or ""),
            finding_count=len(findings),
            evidence=(doc.evidence(json_pointer("runs", i)),),
            kinds=tuple(k for k in ("vuln", "secret", "misconfig") if k in kinds),
            artifact_type="container_image" if image_run else "",
        )


def _rule_for(result: dict[str, Any], rules: list[dict[str, Any]], by_id: dict[str, dict]) -> dict[str, Any]:
    index = result.get("ruleIndex")
    if (isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(rules)
            and (not result.get("ruleId") or rules[index].get("id") == result.get("ruleId"))):
        return rules[index]
    rule = by_id.get(str(result.get("ruleId") or ""))
    if rule is None and isinstance(result.get("rule"), dict):
        rule = by_id.get(str(result["rule"].get("id") or ""))
    return rule or {}


def _finding(doc: InputDocument, scanner: str, result: dict[str, Any], rule: dict[str, Any],
             pointer: str) -> Finding:
    props = as_obj(rule.get("properties"))
    message = _text(result.get("message"))
    help_text = _text(rule.get("help"))
    fields = _fields(message, help_text)
    rule_id = str(result.get("ruleId") or rule.get("id") or "")
    vuln_id, aliases = _vulnerability_ids(rule_id, fields, rule)
    package, version, purl = _package(result, rule, props, fields, message)
    scores = _scores(scanner, props)
    return Finding(
        id=vuln_id, package=package, installed_version=version, purl=purl, aliases=aliases,
        severity=_severity(result, rule, props, fields), cvss=scores,
        fixed_versions=_fixed(props, fields),
        title=_text(rule.get("shortDescription")), description=_text(rule.get("fullDescription")),
        urls=_urls(rule, help_text, message), sources={scanner}, evidence=[doc.evidence(pointer)],
        cwes=_cwes(props),
    )


def _cwes(props: dict[str, Any]) -> list[str]:
    """CWE ids among the rule's ``properties.tags`` ("CWE-506", "external/cwe/cwe-506"), as CWE-N."""
    found = [m.group(1) for tag in as_list(props.get("tags")) if isinstance(tag, str) for m in [_CWE_TAG.search(tag)] if m]
    return list(dict.fromkeys(f"CWE-{n}" for n in found))


def _add_trivy_result(doc: InputDocument, kind: str, result: dict[str, Any], rule: dict[str, Any], pointer: str,
                      facts: ImageFacts) -> None:
    """A Trivy secret or misconfiguration result: severity from its tags/message, never its text kept."""
    props = as_obj(rule.get("properties"))
    fields = _fields(_text(result.get("message")), _text(rule.get("help")))
    found = _severity(result, rule, props, fields)
    if kind == "secret":
        facts.secrets.append(secret_finding(result, rule, found, doc.evidence(pointer)))
    else:
        facts.misconfigurations.append(misconfiguration(result, rule, fields, found, doc.evidence(pointer)))


def _vulnerability_ids(rule_id: str, fields: dict[str, str], rule: dict[str, Any]) -> tuple[str, set[str]]:
    candidates = [rule_id, fields.get("vulnerability", ""), _text(rule.get("fullDescription"))[:200],
                  *(i for i in as_list(rule.get("deprecatedIds")) if isinstance(i, str))]   # osv-scanner's aliases
    found: list[str] = []
    for text in candidates:
        found.extend(m.group(1) for m in _VULN_ID.finditer(text))
    found = list(dict.fromkeys(found))
    cves = [f for f in found if f.startswith("CVE-")]
    vuln_id = cves[0] if cves else (found[0] if found else rule_id)
    aliases = set(found) - {vuln_id}
    if rule_id and rule_id != vuln_id and not rule_id.startswith(f"{vuln_id}-"):
        aliases.add(rule_id)  # Snyk's SNYK-... id, Trivy template '[HIGH] CVE-..' ids stay findable
    return vuln_id or "unknown", aliases


def _package(result: dict[str, Any], rule: dict[str, Any], props: dict[str, Any], fields: dict[str, str],
             message: str) -> tuple[str, str, str]:
    """(name, installed version, purl) from message fields, rule properties, logical locations."""
    purl = next((v for v in (fields.get("package", ""), fields.get("purl", "")) if v.startswith("pkg:")), "")
    purls: list[Any] = props["purls"] if isinstance(props.get("purls"), list) else [props.get("purl")]
    purl = purl or next((p for p in purls if isinstance(p, str) and p.startswith("pkg:")), "")
    if purl:
        name, version = _from_purl(purl)
        return name, version, purl
    name = fields.get("package", "")
    version = fields.get("installed version") or fields.get("version") or ""
    grype = _GRYPE_MESSAGE.search(message) or _OSV_SCANNER_MESSAGE.search(message)
    if grype and not name:
        name, version = grype.group(1), grype.group(2)
    if not name:
        name, version = _from_logical_locations(result) or _from_full_description(rule) or ("", "")
    return name, version, ""


def _from_purl(purl: str) -> tuple[str, str]:
    try:
        from packageurl import PackageURL

        parsed = PackageURL.from_string(purl)
    except ValueError:
        return "", ""
    if parsed.type in ("deb", "rpm", "apk", "alpm") or not parsed.namespace:
        return parsed.name, parsed.version or ""
    separator = ":" if parsed.type == "maven" else "/"
    return f"{parsed.namespace}{separator}{parsed.name}", parsed.version or ""


def _from_logical_locations(result: dict[str, Any]) -> tuple[str, str] | None:
    for location in result.get("locations") or ():
        for logical in (location.get("logicalLocations") or ()) if isinstance(location, dict) else ():
            name = logical.get("fullyQualifiedName") if isinstance(logical, dict) else None
            match = _NAME_AT_VERSION.match(name) if isinstance(name, str) else None
            if match:
                return match.group(2), match.group(3)
    return None


def _from_full_description(rule: dict[str, Any]) -> tuple[str, str] | None:
    match = _NAME_AT_VERSION.match(_text(rule.get("fullDescription")))
    return (match.group(2).rsplit("/", 1)[-1], match.group(3)) if match else None


def _severity(result: dict[str, Any], rule: dict[str, Any], props: dict[str, Any],
              fields: dict[str, str]) -> Severity:
    words = [fields.get("severity", ""), str(props.get("cvssV3_severity") or "")]
    short = _text(rule.get("shortDescription"))
    if " severity" in short.lower():
        words.append(short.split()[0])
    tags = as_list(props.get("tags"))
    words.extend(str(t) for t in tags)
    for word in words:
        parsed = Severity.parse(word)
        if parsed is not Severity.UNKNOWN and word.strip().lower() not in ("error", "warning", "note"):
            return parsed
    number = _number(props.get("security-severity"))
    if number is not None:
        return Severity.from_cvss(number)
    config = as_obj(rule.get("defaultConfiguration"))
    return Severity.parse(result.get("level") or config.get("level") or "")


def _number(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _scores(scanner: str, props: dict[str, Any]) -> list[CvssScore]:
    """Snyk's cvssv3_baseScore is a CVSS v3 base score. ``security-severity`` is not kept as a CVSS
    score: Trivy derives it from its severity word (LOW -> 2.0), Grype takes the highest of any source."""
    score = cvss_score(_number(props.get("cvssv3_baseScore")), version="3", source=scanner)
    return [score] if score else []


def _fixed(props: dict[str, Any], fields: dict[str, str]) -> list[str]:
    """The first place that states a fix decides, even when it says "not fixed" (Scout's message is per
    result; its rule's fixed_version describes only one of the rule's packages)."""
    for value in (fields.get("fixed version"), fields.get("fix version"), props.get("fixed_version")):
        if isinstance(value, str):
            return [] if value.strip().lower() in _NOT_FIXED else split_versions(value)
    return []


def _urls(rule: dict[str, Any], *texts: str) -> list[str]:
    urls = [rule["helpUri"]] if isinstance(rule.get("helpUri"), str) and rule["helpUri"] else []
    for text in texts:
        urls.extend(_LINK.findall(text))
    return list(dict.fromkeys(urls))


def _identity(doc: InputDocument, i: int, run: dict[str, Any]) -> ImageIdentity:
    """The scanned image from a run's properties (Trivy: imageName, repoTags, repoDigests)."""
    props = as_obj(run.get("properties"))
    tags = [t for t in props.get("repoTags") or () if isinstance(t, str)]
    digests = [d for d in props.get("repoDigests") or () if isinstance(d, str)]
    image = str(props.get("imageName") or "")
    if not (tags or digests or image):
        return ImageIdentity()
    name, tag, digest = split_image_reference(tags[0] if tags else (digests[0] if digests else image))
    digest = digest or digest_from_repo_digests(digests, name)
    return ImageIdentity(name=name, tag=tag, digest=digest,
                         evidence=(doc.evidence(json_pointer("runs", i, "properties")),))


READER = SarifReader()
