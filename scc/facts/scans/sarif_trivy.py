"""Trivy's secret and misconfiguration results in SARIF, as SecretFinding and Misconfiguration facts.

Trivy's SARIF writer (pkg/report/sarif.go) gives every rule a ``name`` from the Result class
("Secret", "Misconfiguration", "OsPackageVulnerability", ...) and ``properties.tags`` of
[kind, "security", SEVERITY], kind being "secret", "misconfiguration" or "vulnerability". For a
secret the rule's fullDescription and help and the result's message carry the matched text: only the
rule id, the title (shortDescription), the file and the start line are kept. Trivy's SARIF has no
misconfiguration Status; it lists failures unless --include-non-failures was given, so each reads as
FAIL. Used by scc.facts.scans.sarif; registers no reader.
"""
from __future__ import annotations

from typing import Any

from scc.facts.model import Evidence, Misconfiguration, SecretFinding, Severity


def trivy_kind(rule: dict[str, Any]) -> str:
    """'secret' / 'misconfig' for Trivy's secret and misconfiguration rules (name or first tag), else ''."""
    props = rule.get("properties") if isinstance(rule.get("properties"), dict) else {}
    tags = props.get("tags") if isinstance(props.get("tags"), list) else []
    first = str(tags[0]).lower() if tags else ""
    name = str(rule.get("name") or "")
    if name == "Secret" or first == "secret":
        return "secret"
    if name == "Misconfiguration" or first == "misconfiguration":
        return "misconfig"
    return ""


def _text(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("text")
    return value.strip() if isinstance(value, str) else ""


def _location(result: dict[str, Any]) -> tuple[str, int]:
    """(artifact uri, start line) of the first physical location; a missing line reads as 0."""
    for location in result.get("locations") or ():
        physical = location.get("physicalLocation") if isinstance(location, dict) else None
        if not isinstance(physical, dict):
            continue
        artifact = physical.get("artifactLocation") if isinstance(physical.get("artifactLocation"), dict) else {}
        region = physical.get("region") if isinstance(physical.get("region"), dict) else {}
        line = region.get("startLine")
        uri = artifact.get("uri") if isinstance(artifact.get("uri"), str) else ""
        return uri, line if isinstance(line, int) and not isinstance(line, bool) and line > 0 else 0
    return "", 0


def _rule_id(result: dict[str, Any], rule: dict[str, Any]) -> str:
    return str(result.get("ruleId") or rule.get("id") or "unknown")


def secret_finding(result: dict[str, Any], rule: dict[str, Any], severity: Severity,
                   evidence: Evidence) -> SecretFinding:
    path, line = _location(result)
    return SecretFinding(
        rule_id=_rule_id(result, rule), severity=severity, title=_text(rule.get("shortDescription")),
        path=path, line=line, scanner="trivy", evidence=(evidence,),
    )


def misconfiguration(result: dict[str, Any], rule: dict[str, Any], fields: dict[str, str], severity: Severity,
                     evidence: Evidence) -> Misconfiguration:
    """``fields`` are the 'Key: value' lines of the message and help (Artifact, Check, Message)."""
    path, _line = _location(result)
    return Misconfiguration(
        id=_rule_id(result, rule), title=fields.get("check") or _text(rule.get("shortDescription")),
        severity=severity, status="FAIL", path=fields.get("artifact") or path,
        message=fields.get("message", ""), scanner="trivy", evidence=(evidence,),
    )
