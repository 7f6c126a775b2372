"""Trivy JSON reports (`trivy image -f json`, SchemaVersion 2; also the pre-0.20 bare array): findings,
packages, scan record, image.

A report has one Result per package class (OS packages, each language ecosystem); every
Results[i].Vulnerabilities[j] is a Finding and, with --list-all-pkgs, Results[i].Packages[j] a
Component. Metadata.ImageConfig carries the image config, read like a stand-alone config.

The secret scanner (on by default for images since Trivy 0.27) writes Results of Class "secret" whose
Secrets[j] become SecretFindings: rule, category, severity, title, file (the Result's Target) and
line only -- Match and Code.Lines hold the secret (Trivy masks the match, not always the context
lines) and are never read. The misconfig scanner writes Results of Class "config" whose
Misconfigurations[j] with Status FAIL become Misconfigurations (PASS and EXCEPTION ones, listed with
--include-non-failures, are not findings; a missing Status reads as FAIL, since Trivy lists only
failures unless asked otherwise). The JSON does not say which scanners ran: the scan
record's ``kinds`` holds what the report evidently contains, plus "vuln" for an image report.
VEX- and .trivyignore-suppressed vulnerabilities (ExperimentalModifiedFindings) are closed findings
(scc.facts.scans.suppressed).
"""
from __future__ import annotations

from typing import Any

from scc.clock import parse_time
from scc.facts import jsonfields as jf
from scc.facts.counting import input_record
from scc.facts.image.image_config import read_config
from scc.facts.interface import Reader
from scc.facts.model import (
    Component,
    CvssScore,
    Finding,
    ImageFacts,
    ImageIdentity,
    Misconfiguration,
    ScanRecord,
    SecretFinding,
    Severity,
)
from scc.facts.scans.suppressed import read_trivy_modified
from scc.facts.scans.vulnparse import (
    build_purl,
    cvss_score,
    digest_from_repo_digests,
    scanner_state,
    severity,
    split_image_reference,
    split_versions,
    valid_purl,
)
from scc.facts.source import InputDocument

#: Trivy Result Type -> (purl type, purl namespace) where the mapping is unambiguous
_PURL_TYPES = {
    "alpine": ("apk", "alpine"), "wolfi": ("apk", "wolfi"), "chainguard": ("apk", "chainguard"),
    "debian": ("deb", "debian"), "ubuntu": ("deb", "ubuntu"),
    "redhat": ("rpm", "redhat"), "centos": ("rpm", "centos"), "rocky": ("rpm", "rocky"),
    "alma": ("rpm", "alma"), "amazon": ("rpm", "amazon"), "oracle": ("rpm", "oracle"),
    "fedora": ("rpm", "fedora"), "photon": ("rpm", "photon"),
    "npm": ("npm", ""), "yarn": ("npm", ""), "pnpm": ("npm", ""), "node-pkg": ("npm", ""),
    "pip": ("pypi", ""), "pipenv": ("pypi", ""), "poetry": ("pypi", ""), "python-pkg": ("pypi", ""),
    "gomod": ("golang", ""), "gobinary": ("golang", ""),
    "bundler": ("gem", ""), "gemspec": ("gem", ""), "cargo": ("cargo", ""), "rust-binary": ("cargo", ""),
    "composer": ("composer", ""), "nuget": ("nuget", ""), "dotnet-core": ("nuget", ""),
    "jar": ("maven", ""), "pom": ("maven", ""), "gradle": ("maven", ""),
}


class TrivyReader(Reader):
    format = "trivy-json"

    def sniff(self, doc: InputDocument) -> bool:
        data = doc.json
        if isinstance(data, list):  # Trivy < 0.20 wrote the bare Results array
            return bool(data) and isinstance(data[0], dict) and "Target" in data[0] and (
                "Vulnerabilities" in data[0] or "Type" in data[0])
        return (isinstance(data, dict) and "SchemaVersion" in data
                and ("Results" in data or "ArtifactName" in data))

    def read(self, doc: InputDocument) -> ImageFacts:
        if isinstance(doc.json, list):
            return self._read_legacy(doc)
        data = jf.obj(doc, doc.json, "document")
        schema = jf.text(doc, data.get("SchemaVersion"), "SchemaVersion")
        if schema not in ("2", "2.0"):
            raise doc.fail(f"SchemaVersion: Trivy JSON schema {schema} is not supported (2 is)")
        created = parse_time(jf.text(doc, data.get("CreatedAt"), "CreatedAt"))
        facts = ImageFacts()
        for r_index, result in enumerate(jf.objs(doc, data.get("Results"), "Results")):
            _read_result(doc, result, r_index, facts, created, "Results")
        metadata = jf.obj(doc, data.get("Metadata"), "Metadata")
        facts.identity = _identity(doc, data, metadata)
        image_config = jf.obj(doc, metadata.get("ImageConfig"), "Metadata.ImageConfig")
        # sbom/fs/rootfs/repo reports carry Go's zero-valued ImageConfig (no os, no architecture)
        if "config" in image_config and (image_config.get("os") or image_config.get("architecture")):
            facts.config = read_config(doc, image_config["config"], "/Metadata/ImageConfig/config",
                                       "Metadata.ImageConfig.config")
        version = jf.text(doc, jf.obj(doc, data.get("Trivy"), "Trivy").get("Version"), "Trivy.Version")
        artifact_type = jf.text(doc, data.get("ArtifactType"), "ArtifactType")
        facts.scans.append(ScanRecord(
            scanner="trivy", scanner_version=version, timestamp=created,
            target=jf.text(doc, data.get("ArtifactName"), "ArtifactName"),
            finding_count=len(facts.findings), evidence=(doc.evidence(""),),
            kinds=_kinds(doc, data.get("Results"), artifact_type), artifact_type=artifact_type,
        ))
        facts.inputs = [input_record(doc, self.format, facts, schema, "trivy")]
        return facts

    def _read_legacy(self, doc: InputDocument) -> ImageFacts:
        """The pre-0.20 report: a JSON array of Results, no metadata, no scan time."""
        facts = ImageFacts()
        for r_index, result in enumerate(jf.objs(doc, doc.json, "document")):
            _read_result(doc, result, r_index, facts, None, "")
        target = jf.text(doc, doc.json[0].get("Target"), "[0].Target") if doc.json else ""
        facts.scans.append(ScanRecord(scanner="trivy", target=target, finding_count=len(facts.findings),
                                      evidence=(doc.evidence(""),), kinds=("vuln",)))
        facts.inputs = [input_record(doc, self.format, facts, "1", "trivy")]
        return facts


def _read_result(doc: InputDocument, result: dict[str, Any], r_index: int, facts: ImageFacts, created,
                 key: str) -> None:
    where, at = (f"{key}[{r_index}]", f"/{key}/{r_index}") if key else (f"[{r_index}]", f"/{r_index}")
    rtype = jf.text(doc, result.get("Type"), f"{where}.Type")
    for v_index, vuln in enumerate(jf.objs(doc, result.get("Vulnerabilities"), f"{where}.Vulnerabilities")):
        finding = _finding(doc, vuln, f"{where}.Vulnerabilities[{v_index}]", rtype)
        finding.evidence = [doc.evidence(f"{at}/Vulnerabilities/{v_index}")]
        finding.first_seen = created
        facts.findings.append(finding)
    read_trivy_modified(doc, result, where, at, lambda vuln, w: _finding(doc, vuln, w, rtype), facts, created)
    for p_index, package in enumerate(jf.objs(doc, result.get("Packages"), f"{where}.Packages")):
        component = _component(doc, package, f"{where}.Packages[{p_index}]", rtype)
        component.evidence = [doc.evidence(f"{at}/Packages/{p_index}")]
        facts.components.append(component)
    target = jf.text(doc, result.get("Target"), f"{where}.Target")
    for s_index, secret in enumerate(jf.objs(doc, result.get("Secrets"), f"{where}.Secrets")):
        facts.secrets.append(_secret(doc, secret, f"{where}.Secrets[{s_index}]", target,
                                     doc.evidence(f"{at}/Secrets/{s_index}")))
    for m_index, misconf in enumerate(jf.objs(doc, result.get("Misconfigurations"), f"{where}.Misconfigurations")):
        found = _misconfiguration(doc, misconf, f"{where}.Misconfigurations[{m_index}]", target,
                                  doc.evidence(f"{at}/Misconfigurations/{m_index}"))
        if found.status == "FAIL":
            facts.misconfigurations.append(found)


#: Result Class -> the scanner that writes it
_CLASS_KINDS = {"os-pkgs": "vuln", "lang-pkgs": "vuln", "secret": "secret", "config": "misconfig",
                "license": "license", "license-file": "license"}


def _kinds(doc: InputDocument, results: Any, artifact_type: str) -> tuple[str, ...]:
    """What the report evidently holds. An image report counts as a vulnerability scan (Trivy's default)
    even with no Results; that the secret scanner ran cannot be seen unless it found something."""
    kinds = {"vuln"} if artifact_type == "container_image" else set()
    for index, result in enumerate(jf.objs(doc, results, "Results")):
        klass = jf.text(doc, result.get("Class"), f"Results[{index}].Class")
        kinds.add(_CLASS_KINDS.get(klass, ""))
        for key, kind in (("Vulnerabilities", "vuln"), ("Secrets", "secret"), ("Misconfigurations", "misconfig"),
                          ("MisconfSummary", "misconfig"), ("Licenses", "license")):
            if result.get(key):
                kinds.add(kind)
    return tuple(k for k in ("vuln", "secret", "misconfig", "license") if k in kinds)


def _line(doc: InputDocument, value: Any, where: str) -> int:
    number = jf.number(doc, value, where)
    return int(number) if number is not None and number > 0 else 0


def _secret(doc: InputDocument, secret: dict[str, Any], where: str, target: str, evidence) -> SecretFinding:
    """RuleID, Category, Severity, Title, StartLine of a Secrets entry; Match and Code are never read."""
    rule_id = jf.text(doc, secret.get("RuleID"), f"{where}.RuleID")
    if not rule_id:
        raise doc.fail(f"{where}.RuleID: missing")
    return SecretFinding(
        rule_id=rule_id,
        category=jf.text(doc, secret.get("Category"), f"{where}.Category"),
        severity=Severity.parse(jf.text(doc, secret.get("Severity"), f"{where}.Severity")),
        title=jf.text(doc, secret.get("Title"), f"{where}.Title"),
        path=target, line=_line(doc, secret.get("StartLine"), f"{where}.StartLine"),
        scanner="trivy", evidence=(evidence,),
    )


def _misconfiguration(doc: InputDocument, item: dict[str, Any], where: str, target: str,
                      evidence) -> Misconfiguration:
    """ID (else AVDID), Title, Severity, Status, Message, Resolution; CauseMetadata's code lines are not read."""
    check_id = (jf.text(doc, item.get("ID"), f"{where}.ID") or jf.text(doc, item.get("AVDID"), f"{where}.AVDID"))
    if not check_id:
        raise doc.fail(f"{where}.ID: missing")
    return Misconfiguration(
        id=check_id,
        title=jf.text(doc, item.get("Title"), f"{where}.Title"),
        severity=Severity.parse(jf.text(doc, item.get("Severity"), f"{where}.Severity")),
        status=jf.text(doc, item.get("Status"), f"{where}.Status").upper() or "FAIL",
        path=target,
        message=jf.text(doc, item.get("Message"), f"{where}.Message"),
        resolution=jf.text(doc, item.get("Resolution"), f"{where}.Resolution"),
        scanner="trivy", evidence=(evidence,),
    )


def _purl(doc: InputDocument, item: dict[str, Any], where: str, rtype: str, name: str, version: str) -> str:
    identifier = jf.obj(doc, item.get("PkgIdentifier") or item.get("Identifier"), f"{where}.PkgIdentifier")
    given = valid_purl(jf.text(doc, identifier.get("PURL"), f"{where}.PkgIdentifier.PURL"))
    if given or rtype not in _PURL_TYPES:
        return given
    ptype, namespace = _PURL_TYPES[rtype]
    if ptype == "maven":
        if name.count(":") != 1:
            return ""
        namespace, name = name.split(":")
    elif ptype in ("golang", "npm") and "/" in name:
        namespace, _, name = name.rpartition("/")
    return build_purl(ptype, name, version, namespace)


def _finding(doc: InputDocument, vuln: dict[str, Any], where: str, rtype: str) -> Finding:
    vuln_id = jf.text(doc, vuln.get("VulnerabilityID"), f"{where}.VulnerabilityID")
    if not vuln_id:
        raise doc.fail(f"{where}.VulnerabilityID: missing")
    name = jf.text(doc, vuln.get("PkgName"), f"{where}.PkgName")
    version = jf.text(doc, vuln.get("InstalledVersion"), f"{where}.InstalledVersion")
    scores = _cvss(doc, vuln.get("CVSS"), f"{where}.CVSS")
    urls = [jf.text(doc, vuln.get("PrimaryURL"), f"{where}.PrimaryURL")]
    urls += jf.texts(doc, vuln.get("References"), f"{where}.References")
    return Finding(
        id=vuln_id,
        package=name,
        installed_version=version,
        purl=_purl(doc, vuln, where, rtype, name, version),
        aliases=set(jf.texts(doc, vuln.get("VendorIDs"), f"{where}.VendorIDs")) - {vuln_id},
        severity=severity(jf.text(doc, vuln.get("Severity"), f"{where}.Severity"), scores),
        cvss=scores,
        fixed_versions=split_versions(jf.text(doc, vuln.get("FixedVersion"), f"{where}.FixedVersion")),
        state=scanner_state(jf.text(doc, vuln.get("Status"), f"{where}.Status")),
        title=jf.text(doc, vuln.get("Title"), f"{where}.Title"),
        description=jf.text(doc, vuln.get("Description"), f"{where}.Description"),
        urls=[u for u in dict.fromkeys(urls) if u],
        published=parse_time(jf.text(doc, vuln.get("PublishedDate"), f"{where}.PublishedDate")),
        sources={"trivy"},
        cwes=jf.texts(doc, vuln.get("CweIDs"), f"{where}.CweIDs"),
        databases=_data_source(doc, vuln, where),
    )


def _data_source(doc: InputDocument, vuln: dict[str, Any], where: str) -> list[str]:
    """DataSource.ID as Trivy writes it ("ghsa", "osv", "alpine"): the advisory database of the match."""
    source = jf.obj(doc, vuln.get("DataSource"), f"{where}.DataSource")
    name = jf.text(doc, source.get("ID"), f"{where}.DataSource.ID")
    return [name] if name else []


def _cvss(doc: InputDocument, value: Any, where: str) -> list[CvssScore]:
    """CVSS: {"nvd": {"V3Vector", "V3Score", "V2Vector", "V2Score", "V40Vector", "V40Score"}, ...}."""
    scores = []
    for source, entry in jf.obj(doc, value, where).items():
        entry = jf.obj(doc, entry, f"{where}.{source}")
        for key, version in (("V40", "4.0"), ("V3", "3.1"), ("V2", "2.0")):
            score = cvss_score(
                jf.number(doc, entry.get(f"{key}Score"), f"{where}.{source}.{key}Score"),
                jf.text(doc, entry.get(f"{key}Vector"), f"{where}.{source}.{key}Vector"),
                version, source,
            )
            if score is not None and score not in scores:
                scores.append(score)
    return scores


def _component(doc: InputDocument, package: dict[str, Any], where: str, rtype: str) -> Component:
    name = jf.text(doc, package.get("Name"), f"{where}.Name")
    if not name:
        raise doc.fail(f"{where}.Name: missing")
    version = jf.text(doc, package.get("Version"), f"{where}.Version")
    release = jf.text(doc, package.get("Release"), f"{where}.Release")
    if release and not version.endswith(f"-{release}"):
        version = f"{version}-{release}"
    epoch = jf.number(doc, package.get("Epoch"), f"{where}.Epoch")
    if epoch:
        version = f"{int(epoch)}:{version}"
    return Component(
        name=name, version=version, type=rtype,
        purl=_purl(doc, package, where, rtype, name, version),
        licenses=tuple(jf.texts(doc, package.get("Licenses"), f"{where}.Licenses")),
        bom_ref=jf.text(doc, package.get("ID"), f"{where}.ID"),
    )


def _identity(doc: InputDocument, data: dict[str, Any], metadata: dict[str, Any]) -> ImageIdentity:
    if jf.text(doc, data.get("ArtifactType"), "ArtifactType") not in ("container_image", ""):
        return ImageIdentity()
    tags = jf.texts(doc, metadata.get("RepoTags"), "Metadata.RepoTags")
    repo_digests = jf.texts(doc, metadata.get("RepoDigests"), "Metadata.RepoDigests")
    artifact = jf.text(doc, data.get("ArtifactName"), "ArtifactName")
    name, tag, digest = split_image_reference(tags[0] if tags else artifact)
    digest = (digest or split_image_reference(artifact)[2] or digest_from_repo_digests(repo_digests, name)
              or jf.text(doc, metadata.get("ImageID"), "Metadata.ImageID"))
    config = jf.obj(doc, metadata.get("ImageConfig"), "Metadata.ImageConfig")
    return ImageIdentity(
        name=name, tag=tag, digest=digest,
        os=jf.text(doc, config.get("os"), "Metadata.ImageConfig.os"),
        architecture=jf.text(doc, config.get("architecture"), "Metadata.ImageConfig.architecture"),
        created=parse_time(jf.text(doc, config.get("created"), "Metadata.ImageConfig.created")),
        evidence=(doc.evidence("/Metadata"),),
    )


READER = TrivyReader()
