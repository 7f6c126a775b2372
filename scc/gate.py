"""CI gates: thresholds on open STIG findings by category and open vulnerabilities by severity.

Only what is open counts: a vulnerability VEX marks not_affected or fixed never counts, a rule
result only counts when its verdict is open (not-satisfied or partial). Severities are the
normalised ones, whatever the scanner's case or vocabulary.

Known malicious packages (Finding.malicious) have their own threshold, ``malicious``
(``--max-malicious``), which is 0 whenever the gate runs and it is not given: a gate on CAT I findings
or critical vulnerabilities that passed an image shipping malware would be a gate in name only. Each
also counts under its scanner's severity.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scc.errors import UsageError
from scc.facts.model import Severity

#: a requirement whose severity has no DISA category counts as CAT II: never as nothing
UNRATED_CATEGORY = 2

if TYPE_CHECKING:
    from scc.assessment import Assessment
    from scc.report import Report



#: the threshold of known malicious packages, and its value when the gate runs without it
MALICIOUS = "malicious"
MALICIOUS_DEFAULT = 0


@dataclass(frozen=True)
class Threshold:
    """A gate limit: at most ``maximum`` open items of one STIG category (cat1-3), vulnerability severity,
    or of known malicious packages."""

    name: str          # cat1 | cat2 | cat3 | critical | high | medium | low | negligible | unknown | malicious
    maximum: int
    default: bool = False   # not given: the gate's own default (the malicious threshold)


def effective_thresholds(thresholds: list[Threshold]) -> list[Threshold]:
    """The thresholds the gate applies: those given, plus ``malicious`` at 0 when it was not given."""
    if not thresholds or any(t.name == MALICIOUS for t in thresholds):
        return list(thresholds)
    return [*thresholds, Threshold(MALICIOUS, MALICIOUS_DEFAULT, default=True)]


def parse_threshold(name: str, value: object) -> Threshold:
    """A threshold from a CLI/config value; anything but a whole number >= 0 is an error, never a pass."""
    text = str(value).strip()
    if not text.isdigit():
        raise UsageError(f"{option_name(name)} needs a whole number >= 0, got {value!r}")
    return Threshold(name, int(text))


def option_name(name: str) -> str:
    """The CLI option that sets a threshold: --max-cat1 for STIG categories, --max-open-high for severities,
    --max-malicious for known malicious packages."""
    return f"--max-{name}" if name.startswith("cat") or name == MALICIOUS else f"--max-open-{name}"


def open_counts(assessment: Assessment | Report) -> dict[str, int]:
    """Open items by gate name: open SRG results by category (cat1-3), open findings by normalised severity,
    open known malicious packages."""
    from scc.report import severity_category  # not at import: the CLI imports this module for every command

    counts = {"cat1": 0, "cat2": 0, "cat3": 0}
    for result in assessment.srg_results:
        if result.verdict.is_open:
            counts[f"cat{severity_category(result.severity) or UNRATED_CATEGORY}"] += 1
    for severity in Severity:
        counts[severity.value] = 0
    counts[MALICIOUS] = 0
    for finding in assessment.facts.open_findings:
        counts[Severity.parse(finding.severity).value] += 1
        counts[MALICIOUS] += finding.malicious is not None
    return counts


def breaches(assessment: Assessment, thresholds: list[Threshold]) -> list[str]:
    """One line per breached threshold (empty when the gate passes), the malicious default included."""
    counts = open_counts(assessment)
    lines = []
    for threshold in effective_thresholds(thresholds):
        if threshold.name not in counts:
            raise UsageError(f"unknown gate threshold {threshold.name!r}")
        actual = counts[threshold.name]
        if actual > threshold.maximum:
            default = f" (the default; {option_name(threshold.name)} N to change it)" if threshold.default else ""
            lines.append(f"gate: {_describe(threshold.name)}: {actual} open, at most {threshold.maximum} allowed"
                         f"{default}")
    return lines


def gate_result(assessment: Assessment, thresholds: list[Threshold]) -> dict[str, Any]:
    """The gate as data (``--json``): passed, each threshold with its open count (the malicious default marked
    ``"default": true``), the breach lines, every open count, and the unknown-severity line ('' when none)."""
    counts = open_counts(assessment)
    lines = breaches(assessment, thresholds)
    return {
        "passed": not lines,
        "thresholds": [{"name": t.name, "option": option_name(t.name), "maximum": t.maximum,
                        "open": counts[t.name], "breached": counts[t.name] > t.maximum,
                        **({"default": True} if t.default else {})} for t in effective_thresholds(thresholds)],
        "breaches": lines,
        "open": counts,
        "unknown-severity": unknown_severity_line(assessment, thresholds),
    }


def unknown_severity_line(assessment: Assessment, thresholds: list[Threshold]) -> str:
    """The open findings of unknown severity, said whether or not a threshold gates them ('' when none).

    A finding no scanner rated and whose CVSS vector (if any) does not compute is never silently passed:
    the gate names how many there are and the option that gates them.
    """
    count = open_counts(assessment)[Severity.UNKNOWN.value]
    if not count:
        return ""
    gated = any(t.name == Severity.UNKNOWN.value for t in thresholds)
    hint = "" if gated else f" (not gated: add {option_name(Severity.UNKNOWN.value)} N to gate them)"
    return (f"gate: {count} open vulnerabilit{'y has' if count == 1 else 'ies have'} unknown severity: no "
            f"severity word and no CVSS score or computable vector{hint}")


def _describe(name: str) -> str:
    if name.startswith("cat"):
        return f"CAT {'I' * int(name[-1])} STIG findings"
    if name == Severity.UNKNOWN.value:
        return "vulnerabilities of unknown severity"
    if name == MALICIOUS:
        return "known malicious packages (CAT I)"
    return f"{name} vulnerabilities"
