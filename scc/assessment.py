"""Assessment: one image's facts, the verdicts the rules reached, and every view of them.

    a = scc.assess(["sbom.cdx.json", "grype.json", "image-config.json"])
    a.controls_df(); a.write_oscal("cd.json"); a.write_package("ato/")
"""
from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scc.clock import assessment_time
from scc.engine.model import ControlResult, Rule, RuleResult, Verdict
from scc.facts.model import ImageFacts

if TYPE_CHECKING:
    import pandas

DEFAULT_SLA_DAYS = {"critical": 15, "high": 30, "medium": 90, "low": 180}
_UUID_NAMESPACE = uuid.UUID("5d6b8f3e-7c1a-4e0b-9b7e-2f1f6c0a9d11")


@dataclass
class Settings:
    """What an organisation decides, not what the image shows."""

    sla_days: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_SLA_DAYS))
    max_scan_age_days: int = 30
    baseline: str | None = None            # low | moderate | high | privacy
    overrides: Path | None = None          # per-organisation rule overrides YAML
    attestations: Path | None = None       # people's attestations closing manual checks (YAML/JSON/SAF xlsx)
    keys: list[Path] = field(default_factory=list)   # public keys for DSSE/cosign verification
    benchmarks: tuple[str, ...] = ("gpos-srg", "ctr-srg")
    system_name: str = ""
    organization: str = ""
    marking: str = ""                      # classification / CUI banner of the POA&M (never guessed)
    rule_dirs: list[Path] | None = None
    previous: Path | None = None           # an earlier scc package: first detections carry over (POA&M)
    profile: Path | None = None            # system profile YAML (scc.profile): what the image cannot show
    templates: Path | None = None          # organisation SSP templates overriding blocks of templates/ssp.html.j2


def deterministic_uuid(name: str) -> str:
    """A hash-derived UUID carrying version-4 bits: deterministic, and accepted by trestle's models
    (which reject version 5 although the OSCAL schema allows it)."""
    digest = bytearray(hashlib.sha256(f"{_UUID_NAMESPACE}/{name}".encode()).digest()[:16])
    return str(uuid.UUID(bytes=bytes(digest), version=4))


class Assessment:
    """Facts -> rule results -> control results, plus the documents written from them."""

    def __init__(self, facts: ImageFacts, settings: Settings | None = None,
                 rules: list[Rule] | None = None, assessed_at: datetime | None = None) -> None:
        from scc.engine.pipeline import run_engine
        from scc.engine.rules import load_rule_packs

        self.facts = facts
        self.settings = settings or Settings()
        self.assessed_at = assessed_at or assessment_time()
        self.rules = rules if rules is not None else load_rule_packs(self.settings.rule_dirs)
        output = run_engine(self)
        self.rule_results = output.rule_results
        self.control_results = output.control_results
        self.notes: list[str] = list(facts.notes) + output.notes + _content_notes()
        self.override_notes: list[str] = list(output.override_notes)  # expired or unmatched overrides

    # -- identity and determinism ----------------------------------------------------------------
    @cached_property
    def fingerprint(self) -> str:
        """A digest of the inputs, the rules and the assessment time: the seed of every generated id."""
        digest = hashlib.sha256()
        for item in sorted(self.facts.inputs, key=lambda i: (i.path, i.sha256)):
            digest.update(f"{item.path}\0{item.sha256}\n".encode())
        digest.update(self.assessed_at.isoformat().encode())
        for rule in self.rules:
            digest.update(rule.id.encode())
        return digest.hexdigest()

    def uuid(self, *names: object) -> str:
        """A stable UUID for a generated object: same inputs, same id (OSCAL uuids, XCCDF ids)."""
        return deterministic_uuid(self.fingerprint + "/" + "/".join(map(str, names)))

    @cached_property
    def profile(self):
        """The system profile (scc.profile.SystemProfile) from settings.profile; empty when none is given."""
        from scc.profile import EMPTY_PROFILE, load_profile

        return load_profile(self.settings.profile) if self.settings.profile else EMPTY_PROFILE

    @cached_property
    def remediation(self):
        """id(finding) -> RemediationClock: the remediation due dates every view shows (scc.engine.remediation)."""
        from scc.engine.remediation import remediation_schedule

        return remediation_schedule(self.facts, self.settings.sla_days, self.assessed_at)

    # -- content (official catalog / baselines), optional ----------------------------------------
    @cached_property
    def content(self):
        """The official content store when any content is cached, else None."""
        from scc.content import default_store

        store = default_store()
        return store if store.catalog() is not None or store.cci() is not None else None

    def control(self, control_id: str):
        """The official control (title, statement text) or None when the catalog is not available."""
        catalog = self.content.catalog() if self.content else None
        return catalog.control(control_id) if catalog is not None and control_id in catalog else None

    # -- views -----------------------------------------------------------------------------------
    def control_result(self, control_id: str) -> ControlResult | None:
        return next((c for c in self.control_results if c.control_id == control_id), None)

    @property
    def srg_results(self) -> list[RuleResult]:
        return [r for r in self.rule_results if r.rule.srg]

    def verdict_counts(self) -> dict[str, int]:
        counts = {v.value: 0 for v in Verdict}
        for result in self.control_results:
            counts[result.verdict.value] += 1
        return counts

    def attested_counts(self) -> dict[str, dict[str, int]]:
        """Verdicts that rest on a person's attestation, kept apart from automated ones.

        ``rules``: attested rule verdicts; ``controls``: control verdicts at least one attested rule shares.
        """
        rules = {v.value: 0 for v in (Verdict.SATISFIED, Verdict.NOT_SATISFIED)}
        for result in self.rule_results:
            if result.attestation is not None:
                rules[result.verdict.value] += 1
        controls = {v.value: 0 for v in Verdict}
        for control in self.control_results:
            if any(r.attestation is not None for r in control.rule_results):
                controls[control.verdict.value] += 1
        return {"rules": rules, "controls": {k: n for k, n in controls.items() if n}}

    def controls_df(self) -> pandas.DataFrame:
        import pandas as pd

        rows = [
            {
                "control": c.control_id,
                "title": c.title,
                "status": c.verdict.value,
                "statement": " ".join(r.statement for r in c.rule_results),
                "rules": ", ".join(r.rule.id for r in c.rule_results),
                "evidence": "; ".join(e.cite() for e in c.evidence),
            }
            for c in self.control_results
        ]
        return pd.DataFrame(rows, columns=["control", "title", "status", "statement", "rules", "evidence"])

    def rules_df(self) -> pandas.DataFrame:
        import pandas as pd

        rows = [
            {
                "rule": r.rule.id, "title": r.rule.title, "verdict": r.verdict.value,
                "controls": ", ".join(r.rule.controls),
                "srg": ", ".join(s.version for s in r.rule.srg), "severity": r.severity,
                "statement": r.statement, "origin": r.origin,
            }
            for r in self.rule_results
        ]
        return pd.DataFrame(rows, columns=["rule", "title", "verdict", "controls", "srg", "severity",
                                           "statement", "origin"])

    def findings_df(self) -> pandas.DataFrame:
        import pandas as pd

        rows = [
            {
                "id": f.id, "package": f.package, "installed": f.installed_version,
                "fixed": ", ".join(f.fixed_versions), "severity": f.severity.value, "cvss": f.max_cvss,
                "state": f.state.value, "sources": ", ".join(sorted(f.sources)),
                "vex": f.vex.justification if f.vex else "",
            }
            for f in self.facts.findings
        ]
        return pd.DataFrame(rows, columns=["id", "package", "installed", "fixed", "severity", "cvss",
                                           "state", "sources", "vex"])

    # -- outputs ---------------------------------------------------------------------------------
    def render(self, writer_name: str) -> bytes:
        from scc.writers import writer

        return writer(writer_name).render(self)

    def write(self, writer_name: str, path: str | Path) -> Path:
        from scc.atomic import write_bytes_atomic

        return write_bytes_atomic(path, self.render(writer_name))

    def write_oscal(self, path: str | Path) -> Path:
        return self.write("oscal-component-definition", path)

    def write_xccdf(self, path: str | Path) -> Path:
        return self.write("xccdf-results", path)

    def write_pdf(self, path: str | Path) -> Path:
        return self.write("ssp-pdf", path)

    def write_package(self, out_dir: str | Path) -> Path:
        from scc.package import write_package

        return write_package(self, Path(out_dir))


def _content_notes() -> list[str]:
    """The one note saying official content is missing (the run then stands on the rule packs alone)."""
    try:
        from scc.content.required import content_note
    except ImportError:          # the content package is not part of this installation
        return []
    note = content_note()
    return [note] if note else []


def assess(inputs: Iterable[str | Path], settings: Settings | None = None, **options: Any) -> Assessment:
    """Read the inputs (merged into one ImageFacts) and assess them with the shipped rule packs.

    Keyword options are Settings fields, e.g. ``assess(paths, baseline="moderate", sla_days={...})``;
    ``attestations="attestations.yaml"`` closes manual checks with people's attestations;
    ``previous="ato-2026-10/"`` carries each finding's first detection over from an earlier package.
    A baseline, or benchmarks given as an option, must be in the content cache (ContentError otherwise).
    """
    from scc.content.required import require_content
    from scc.facts import read_inputs

    settings = settings or Settings(**options)
    if settings.previous is not None:
        settings.previous = Path(settings.previous)
    require_content(settings.baseline, options.get("benchmarks", ()))
    if settings.attestations is not None:
        settings.attestations = Path(settings.attestations)
    if settings.profile is not None:
        from scc.profile import load_profile

        settings.profile = Path(settings.profile)
        load_profile(settings.profile)   # a malformed profile fails before any input is read
    if settings.keys:
        from scc.facts import configure_verification_keys

        configure_verification_keys(settings.keys)
    facts = read_inputs([str(p) for p in inputs])
    if settings.previous is not None:
        from scc.facts.previous_package import read_previous_package

        earlier = read_previous_package(settings.previous)
        facts.prior_detections.extend(earlier.detections)
        facts.inputs.append(earlier.input)
        facts.notes.extend(earlier.notes)
    return Assessment(facts, settings)
