"""The risk columns of the eMASS POA&M, derived by one documented rule (docs/usage.md, "eMASS POA&M").

scc knows a weakness's severity, its CVSS vector and whether a fix exists; it knows nothing of the
system's threat environment or compensating controls. So the derivation is NIST SP 800-30 Rev. 1's,
fed with those facts only, and every value is one of the template's Very Low ... Very High:

* Severity = the weakness's (effective) severity: a known malicious package and critical Very High, high High, medium Moderate,
  low Low, negligible Very Low; unknown severity leaves every risk column empty.
* Relevance of Threat (a stand-in for the likelihood of threat-event initiation, SP 800-30 Table G-2):
  from the CVSS attack vector of a vulnerability: network High, adjacent Moderate, local Low,
  physical Very Low; Moderate where no vector is stated and for configuration (rule) weaknesses.
* Likelihood = SP 800-30 Table G-5 (overall likelihood) of Relevance of Threat and Severity (the
  likelihood the event results in adverse impact, Table G-4).
* Impact = Severity (the magnitude of harm the severity rating describes, Table H-3).
* Residual Risk Level = SP 800-30 Table I-2 (level of risk) of Likelihood and Impact. No mitigation is
  credited (scc cannot see one); a risk acceptance does not lower the level.
* Resources Required: an image rebuild with the fixed package versions (fixable vulnerability),
  engineering analysis (no fix known), an image rebuild with the corrected configuration (rule; with
  the fixed package versions for a rule about vulnerability findings, SI-2 / RA-5),
  none while an accepted risk is in force.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from scc.writers._emass_layout import RISK_LEVELS

if TYPE_CHECKING:
    from scc.writers._poam_items import PoamEntry

SEVERITY_LEVEL = {"malicious": "Very High", "critical": "Very High", "high": "High", "medium": "Moderate", "low": "Low",
                  "negligible": "Very Low"}
ATTACK_VECTOR_THREAT = {"N": "High", "A": "Moderate", "L": "Low", "P": "Very Low"}
DEFAULT_THREAT = "Moderate"
_VL, _L, _M, _H, _VH = RISK_LEVELS
#: SP 800-30 Table G-5: rows likelihood of initiation, columns likelihood of adverse impact (Very Low..Very High)
OVERALL_LIKELIHOOD = {
    _VH: (_L, _M, _H, _VH, _VH),
    _H: (_L, _M, _M, _H, _VH),
    _M: (_L, _L, _M, _M, _H),
    _L: (_VL, _L, _L, _M, _M),
    _VL: (_VL, _VL, _L, _L, _L),
}
#: SP 800-30 Table I-2: rows likelihood, columns impact (Very Low..Very High)
LEVEL_OF_RISK = {
    _VH: (_VL, _L, _M, _H, _VH),
    _H: (_VL, _L, _M, _H, _VH),
    _M: (_VL, _L, _M, _M, _H),
    _L: (_VL, _L, _L, _L, _M),
    _VL: (_VL, _VL, _VL, _L, _L),
}


@dataclass(frozen=True)
class RiskColumns:
    severity: str
    relevance_of_threat: str
    likelihood: str
    impact: str
    residual_risk: str
    basis: str          # one sentence saying where the values come from (goes into Comments)


def risk_columns(entry: PoamEntry) -> RiskColumns:
    """The five risk columns of one item (all empty for an unknown severity)."""
    level = SEVERITY_LEVEL.get(entry.severity, "")
    if not level:
        return RiskColumns("", "", "", "", "", "Risk levels not derived: the weakness's severity is unknown.")
    threat, why = relevance_of_threat(entry)
    likelihood = OVERALL_LIKELIHOOD[threat][RISK_LEVELS.index(level)]
    residual = LEVEL_OF_RISK[likelihood][RISK_LEVELS.index(level)]
    basis = (f"Risk levels derived by scc from the {entry.severity} severity and {why} (NIST SP 800-30 "
             "Tables G-5 and I-2, no mitigation credited); review them against the system's threat assessment.")
    return RiskColumns(level, threat, likelihood, level, residual, basis)


def relevance_of_threat(entry: PoamEntry) -> tuple[str, str]:
    """(level, the reason in words)."""
    if entry.finding is None:
        return DEFAULT_THREAT, "no threat information for a configuration weakness"
    vector = attack_vector(entry)
    if vector in ATTACK_VECTOR_THREAT:
        words = {"N": "network", "A": "adjacent network", "L": "local", "P": "physical"}[vector]
        return ATTACK_VECTOR_THREAT[vector], f"the CVSS attack vector ({words})"
    return DEFAULT_THREAT, "no CVSS attack vector stated"


def attack_vector(entry: PoamEntry) -> str:
    """AV of the highest-scoring CVSS vector that states one ('' when none does)."""
    scores = sorted(entry.finding.cvss if entry.finding else [], key=lambda c: -(c.score or 0.0))
    for score in scores:
        for part in score.vector.split("/"):
            key, _, value = part.partition(":")
            if key == "AV" and value:
                return value[0].upper()
    return ""


def resources_required(entry: PoamEntry) -> str:
    if entry.risk_accepted:
        return "None while the risk acceptance is in force."
    if entry.finding is not None:
        if entry.fix_available:
            return "Image rebuild with fixed package versions, and a rescan."
        return "Engineering analysis: no fixed version is known (mitigate, replace the component or seek a risk acceptance)."
    if is_vulnerability_rule(entry):
        return "Image rebuild with fixed package versions for the findings named, and a rescan."
    return "Image rebuild with the corrected configuration, and a reassessment."


def is_vulnerability_rule(entry: PoamEntry) -> bool:
    """A rule about the image's vulnerability findings (flaw remediation / scanning), not its configuration."""
    return entry.finding is None and bool({c.split(".")[0] for c in entry.controls} & {"si-2", "ra-5"})
