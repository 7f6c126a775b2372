"""Checks on what scanners found inside the image's files: embedded secrets (IA-5(7)) and failed
configuration checks (CM-6).

A secret is only ever named by its rule, file and line: the matched text is never a fact, so it
can never reach a reason, a detail or an output. Trivy's JSON does not record which scanners ran;
a container-image report counts as a secret scan because the secret scanner is Trivy's default for
images (since 0.27), and the reason says that this is an assumption.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from scc.engine.checks import CheckContext, check
from scc.engine.checks.support import capped, gather, listing, manual, outcome, plural
from scc.engine.model import CheckOutcome, Verdict
from scc.engine.params import CheckParams
from scc.facts.model import ImageFacts, Misconfiguration, ScanRecord, SecretFinding

ROW_CAP = 20
#: Trivy releases before this had no secret scanner
_FIRST_SECRET_TRIVY = (0, 27)
_NO_SECRET_SCAN = (
    "No scan able to find embedded secrets was supplied; supply a Trivy scan of the image "
    "(secret scanner, on by default for images) or equivalent."
)
_NO_CONFIG_SCAN = (
    "No misconfiguration scan was supplied; supply a Trivy report run with --scanners misconfig "
    "(or `trivy config` of the image's Dockerfile) to decide this."
)


def _version(text: str) -> tuple[int, ...] | None:
    match = re.match(r"v?(\d+)\.(\d+)", text.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def _secret_capable(scan: ScanRecord) -> bool:
    """The report shows its secret scanner ran, or it is a Trivy image scan (secret scanning by default)."""
    if "secret" in scan.kinds:
        return True
    if scan.scanner != "trivy" or scan.artifact_type != "container_image":
        return False
    version = _version(scan.scanner_version)
    return version is None or version >= _FIRST_SECRET_TRIVY


def _report(scan: ScanRecord) -> str:
    return scan.evidence[0].source if scan.evidence else "the report"


def _where(item: SecretFinding | Misconfiguration) -> str:
    line = getattr(item, "line", 0)
    return f"{item.path or '?'}:{line}" if line else (item.path or "?")


def _secret_row(secret: SecretFinding) -> dict[str, Any]:
    return {"rule_id": secret.rule_id, "category": secret.category, "severity": secret.severity.value,
            "title": secret.title, "path": secret.path, "line": secret.line, "scanner": secret.scanner}


@check("no_embedded_secrets", CheckParams, consults=("secrets", "scans"))
def no_embedded_secrets(facts: ImageFacts, params: CheckParams, ctx: CheckContext) -> CheckOutcome:
    """No secret scanner reported a secret in the image's files (rule id and file only, never the secret)."""
    capable = [s for s in facts.scans if _secret_capable(s)]
    if facts.secrets:
        ordered = sorted(facts.secrets, key=lambda s: (-s.severity.rank, s.path, s.line, s.rule_id))
        files = {s.path for s in ordered}
        severities = Counter(s.severity.value for s in ordered)
        return outcome(
            Verdict.NOT_SATISFIED,
            f"{plural(len(ordered), 'embedded secret')} found in {plural(len(files), 'file')} of the image: "
            f"{listing(f'{s.rule_id} in {_where(s)}' for s in ordered)}; remove them from the image and "
            "revoke or rotate each one.",
            gather(ordered),
            secrets=[_secret_row(s) for s in ordered[:ROW_CAP]],
            secret_count=len(ordered),
            more=max(0, len(ordered) - ROW_CAP),
            files=capped(sorted(files)),
            by_severity=dict(sorted(severities.items())),
            scanners=sorted({s.scanner for s in ordered if s.scanner}),
        )
    if not capable:
        others = sorted({f"{s.scanner} ({_report(s)})" for s in facts.scans})
        hint = f" The scans given ({', '.join(others)}) do not show a secret scan." if others else ""
        return manual(_NO_SECRET_SCAN + hint, gather(facts.scans), scanners=others)
    scan = capable[0]
    shown = [s for s in capable if "secret" in s.kinds]
    if not shown:
        return manual(
            f"{scan.scanner} {scan.scanner_version}".strip() + f" scanned {scan.target or 'the image'} "
            f"(report {_report(scan)}) and reported no embedded secrets, but its JSON does not record which "
            "scanners ran (a scan run with --scanners vuln looks the same); confirm the secret scanner ran, or "
            "supply a report that shows it (e.g. `trivy image --scanners vuln,secret`).",
            gather(capable),
            reports=sorted({_report(s) for s in capable}),
            assumed=True,
        )
    scan = shown[0]
    return outcome(
        Verdict.SATISFIED,
        f"{scan.scanner} {scan.scanner_version}".strip() + f" scanned {scan.target or 'the image'} "
        f"(report {_report(scan)}), whose report shows its secret scanner ran, and reported no embedded secrets.",
        gather(shown),
        reports=sorted({_report(s) for s in shown}),
        assumed=False,
    )


def _misconfig_row(item: Misconfiguration) -> dict[str, Any]:
    return {"id": item.id, "severity": item.severity.value, "title": item.title, "path": item.path,
            "message": item.message, "resolution": item.resolution, "scanner": item.scanner}


@dataclass(frozen=True)
class NoFailedMisconfigurationsParams(CheckParams):
    """Parameters of `no_failed_misconfigurations` (rule packs set them under ``params:``)."""

    severities: list[str] = field(default_factory=lambda: ["critical", "high"])


@check(
    "no_failed_misconfigurations", NoFailedMisconfigurationsParams,
    consults=("misconfigurations", "scans"),
)
def no_failed_misconfigurations(
    facts: ImageFacts, params: NoFailedMisconfigurationsParams, ctx: CheckContext
) -> CheckOutcome:
    """No failed configuration check (Dockerfile, image config); failures of the given severities make it
    not-satisfied, lower ones partial. PASS results never count."""
    scans = [s for s in facts.scans if "misconfig" in s.kinds]
    failed = [m for m in facts.misconfigurations if m.status.upper() == "FAIL"]
    if not failed and not scans:
        return manual(_NO_CONFIG_SCAN)
    if not failed:
        return outcome(
            Verdict.SATISFIED,
            f"The misconfiguration scan ({', '.join(sorted({_report(s) for s in scans}))}) reported no "
            "failed configuration check.",
            gather(scans),
            reports=sorted({_report(s) for s in scans}),
        )
    wanted = {s.lower() for s in params.severities}
    ordered = sorted(failed, key=lambda m: (-m.severity.rank, m.id, m.path))
    serious = [m for m in ordered if m.severity.value in wanted]
    details = {
        "failed": [_misconfig_row(m) for m in ordered[:ROW_CAP]],
        "failed_count": len(ordered),
        "serious_count": len(serious),
        "more": max(0, len(ordered) - ROW_CAP),
        "by_severity": dict(sorted(Counter(m.severity.value for m in ordered).items())),
    }
    names = listing(f"{m.id} ({m.severity.value}) in {_where(m)}" for m in ordered)
    if serious:
        return outcome(
            Verdict.NOT_SATISFIED,
            f"{plural(len(ordered), 'configuration check')} failed, {len(serious)} of them "
            f"{'/'.join(params.severities)}: {names}.",
            gather(ordered), **details,
        )
    return outcome(
        Verdict.PARTIAL,
        f"{plural(len(ordered), 'configuration check')} failed, none "
        f"{'/'.join(params.severities)}: {names}; fix them or record the accepted deviation (CM-6 c).",
        gather(ordered), **details,
    )
