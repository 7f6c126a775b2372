"""What an assessment concluded, as every writer reads it: the Report and the result types in it.

The engine (scc.engine.run) produces a :class:`Report` from facts, rules, a :class:`Policy` and the
assessment time; the writers (scc.writers) render one and never import the engine. Nothing here
decides a verdict: these are plain typed records, frozen where the engine is done with them.

One definition each lives here: what makes a result *open* (:attr:`Verdict.is_open`; an open
finding is :attr:`scc.facts.model.Finding.is_open`), DISA's severity categories
(:func:`severity_category`), and the remediation items every view shows (:class:`RemediationItem`,
computed once by scc.engine.remediation).
"""
from __future__ import annotations

import hashlib
import re
import uuid as _uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

from scc._version import __version__
from scc.facts.model import Evidence, Finding, ImageFacts
from scc.profile import EMPTY_PROFILE, SystemProfile
from scc.registry_policy import RegistryPolicy
from scc.severity import category_label, raw_severity, severity_category

if TYPE_CHECKING:
    from scc.content.model import Baseline, Benchmark, Catalog, CciList, Control
    from scc.engine.tables import DataTables
    from scc.ssdf import SsdfMapping, SsdfResults

__all__ = [
    "BASIS_ASSESSMENT", "BASIS_FIX", "BASIS_MALICIOUS", "BASIS_NONE", "BASIS_PREVIOUS", "BASIS_PUBLISHED", "BASIS_RISK_ACCEPTED",
    "BASIS_SCAN", "DEFAULT_BASELINE", "DEFAULT_BENCHMARKS", "DEFAULT_SLA_DAYS", "EMPTY_CONTENT", "Attestation",
    "ContentFile", "ContentSnapshot", "ContentSource", "ControlResult", "Override", "Policy", "RemediationClock",
    "RemediationItem", "Report", "Rule", "RuleResult", "SourceFile", "SrgRef", "Verdict", "category_label",
    "combine_verdicts", "control_sort_key", "deterministic_uuid", "raw_severity", "severity_category",
]

DEFAULT_SLA_DAYS: Mapping[str, int] = MappingProxyType({"critical": 15, "high": 30, "medium": 90, "low": 180})
DEFAULT_BENCHMARKS = ("gpos-srg", "ctr-srg")
#: the baseline the component definition claims against when none is chosen
DEFAULT_BASELINE = "moderate"
_UUID_NAMESPACE = _uuid.UUID("5d6b8f3e-7c1a-4e0b-9b7e-2f1f6c0a9d11")
_UUID_PREFIX = f"{_UUID_NAMESPACE}/"      # formatted once: str(UUID) per call was a third of the function

_CONTROL_ID = re.compile(r"^([a-z]{2})-(\d+)(?:\.(\d+))?$")


def control_sort_key(control_id: str) -> tuple[str, int, int]:
    """ac-2 < ac-2.1 < ac-3 < ac-10 (catalog order, not string order)."""
    match = _CONTROL_ID.match(control_id)
    if not match:
        return (control_id, 0, 0)
    return (match.group(1), int(match.group(2)), int(match.group(3) or 0))


def combine_verdicts(verdicts: list[Verdict]) -> Verdict:
    """Any failure fails; all satisfied satisfies; satisfied mixed with undecided is partial."""
    kinds = set(verdicts)
    if not kinds:
        return Verdict.MANUAL
    if Verdict.NOT_SATISFIED in kinds:
        return Verdict.NOT_SATISFIED
    decided = kinds - {Verdict.NOT_APPLICABLE}
    if not decided:
        return Verdict.NOT_APPLICABLE
    if decided == {Verdict.SATISFIED}:
        return Verdict.SATISFIED
    if decided == {Verdict.MANUAL}:
        return Verdict.MANUAL
    return Verdict.PARTIAL


def deterministic_uuid(name: str) -> str:
    """A hash-derived UUID carrying version-4 bits: deterministic, and accepted by trestle's models
    (which reject version 5 although the OSCAL schema allows it)."""
    digest = bytearray(hashlib.sha256((_UUID_PREFIX + name).encode()).digest()[:16])
    # the bits uuid.UUID(bytes=digest, version=4) sets, set on the bytes (a writer makes ~6 per finding)
    digest[6] = digest[6] & 0x0F | 0x40
    digest[8] = digest[8] & 0x3F | 0x80
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


class Verdict(str, Enum):
    """What a rule decided about its requirement; the OSCAL, XCCDF and CKL vocabularies are derived from it."""

    SATISFIED = "satisfied"
    NOT_SATISFIED = "not-satisfied"
    PARTIAL = "partial"
    NOT_APPLICABLE = "not-applicable"
    MANUAL = "manual"          # cannot be decided from facts: the statement says what to look at

    @property
    def xccdf_result(self) -> str:
        """The XCCDF 1.2 result word (pass, fail, notapplicable, notchecked); partial reads fail."""
        return _XCCDF[self]

    @property
    def ckl_status(self) -> str:
        """The STIG Viewer checklist status (NotAFinding, Open, Not_Applicable, Not_Reviewed)."""
        return _CKL[self]

    @property
    def is_open(self) -> bool:
        """An open item for a POA&M / checklist (a finding)."""
        return self in (Verdict.NOT_SATISFIED, Verdict.PARTIAL)


_XCCDF = {
    Verdict.SATISFIED: "pass", Verdict.NOT_SATISFIED: "fail", Verdict.PARTIAL: "fail",
    Verdict.NOT_APPLICABLE: "notapplicable", Verdict.MANUAL: "notchecked",
}
_CKL = {
    Verdict.SATISFIED: "NotAFinding", Verdict.NOT_SATISFIED: "Open", Verdict.PARTIAL: "Open",
    Verdict.NOT_APPLICABLE: "Not_Applicable", Verdict.MANUAL: "Not_Reviewed",
}


@dataclass(frozen=True)
class CheckParams:
    """The parameters of a check that takes none; every check's own parameters class derives from it
    (scc.engine.params validates a rule pack's ``params:`` into it)."""


@dataclass(frozen=True)
class SrgRef:
    """An official DISA requirement a rule evidences, with the ids exactly as DISA publishes them."""

    benchmark: str            # content name, e.g. "gpos-srg", "ctr-srg"
    version: str              # SRG-OS-000480-GPOS-00227 (the Rule/version element)
    group_id: str = ""        # V-203591 (Group/Vuln id)
    rule_id: str = ""         # SV-203591r557031_rule
    ccis: tuple[str, ...] = ()
    severity: str = "medium"  # high | medium | low  (CAT I | II | III)
    title: str = ""

    @property
    def category(self) -> str:
        """The DISA category of the severity: CAT I (high), CAT II (medium), CAT III (low)."""
        return category_label(self.severity)


@dataclass(frozen=True)
class Rule:
    """One authored rule of a pack: the controls and SRG requirements it evidences, its check and typed
    params, statements."""

    id: str
    title: str
    controls: tuple[str, ...]                 # lower-case OSCAL ids: cm-7, ac-6.10
    check: str                                # a name from the check vocabulary
    params: CheckParams = field(default_factory=lambda: CheckParams(), hash=False)   # the check's own params class
    statements: dict[str, str] = field(default_factory=dict, hash=False)   # verdict value -> Jinja template
    description: str = ""
    manual: str = ""                          # what an assessor must look at when facts cannot decide
    srg: tuple[SrgRef, ...] = ()
    check_text: str = ""                      # the official check text (for manual/Not_Reviewed results)
    fix_text: str = ""
    pack: str = ""                            # controls | stig
    source: str = ""                          # the YAML file it came from


@dataclass(frozen=True)
class Override:
    """An organisation's decision on a rule: not-applicable, an accepted risk, or a severity override."""

    rule: str
    action: str                 # not-applicable | accept-risk | severity
    justification: str
    approver: str
    expires: date
    severity: str = ""
    source: str = ""
    entry: str = ""             # where in the source, e.g. "overrides[2]"
    finding: str = ""           # a finding override (malicious packages): the vulnerability id or an alias
    package: str = ""           # ... and, optionally, its package: purl (with or without version) or name


@dataclass(frozen=True)
class Attestation:
    """A person's recorded judgment on a check the facts could not decide (MITRE SAF's ``attest``).

    It closes a manual rule only: passed reads satisfied, failed reads not-satisfied, until it expires.
    One naming an SSDF task or CISA form item is recorded on that task or item (scc.engine.ssdf).
    """

    target: str                 # a rule id (any alias) or an 800-53 control id, as written; an SSDF task or
                                # CISA form item id as frameworks/ssdf.yaml names it
    kind: str                   # rule | control | id (SAF's control_id: a rule alias, else a control) | ssdf | cisa
    status: str                 # passed | failed
    explanation: str
    updated_by: str
    updated: date
    expires: date               # the last day it applies: updated + frequency, or the explicit expiry
    frequency: str = ""         # as written (monthly, 3m, 1y ...); empty when an expiry date was given
    evidence: tuple[Evidence, ...] = ()   # the attestation entry itself, then any evidence file
    source: str = ""
    entry: str = ""             # where in the source, e.g. "attestations[2]" or "row 5"

    @property
    def verdict(self) -> Verdict:
        """The verdict the attestation gives a manual rule: passed reads satisfied, failed not-satisfied."""
        return Verdict.SATISFIED if self.status == "passed" else Verdict.NOT_SATISFIED

    def sentence(self) -> str:
        """How every view states it: a human judgment, who, when, until when, and why."""
        return (f"Attested {self.status} by {self.updated_by} on {self.updated.isoformat()} "
                f"(human judgment, valid until {self.expires.isoformat()}): {self.explanation}")


@dataclass
class RuleResult:
    """A rule's result: verdict, statement, reason and evidence, plus what replaced the fact-based verdict."""

    rule: Rule
    verdict: Verdict
    statement: str
    reason: str
    evidence: list[Evidence] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    origin: str = "facts"             # facts | xccdf-scan | override | attestation
    override: Override | None = None
    attestation: Attestation | None = None   # set when a person's attestation decided a manual rule
    severity_override: str = ""
    scan_disagreement: str = ""       # set when an existing STIG scan and scc's facts disagree
    computed_verdict: Verdict | None = None   # the fact-based verdict before an override/scan replaced it

    @property
    def is_scan_result(self) -> bool:
        """A requirement decided by an existing scan alone: scc has no rule for it (engine/scan_requirements)."""
        return self.rule.pack == "xccdf-scan"

    @property
    def label(self) -> str:
        """How views name what decided this result: "scc rule <id>" or "scan result of <scanner>"."""
        if self.is_scan_result:
            return f"scan result of {self.details.get('scanner') or 'an XCCDF scan'} ({self.rule.srg[0].rule_id})"
        return f"scc rule {self.rule.id}"

    @property
    def severity(self) -> str:
        """The result's severity: an override's when one was applied, else the first SRG's (medium when
        none)."""
        if self.severity_override:
            return self.severity_override
        return self.rule.srg[0].severity if self.rule.srg else "medium"


def unique_evidence(results: Iterable[RuleResult]) -> list[Evidence]:
    """The evidence of these rule results, each piece once, in first-seen order."""
    seen: dict[Evidence, None] = {}
    for result in results:
        for item in result.evidence:
            seen.setdefault(item, None)
    return list(seen)


@dataclass
class ControlResult:
    """One 800-53 control's verdict, aggregated from the results of the rules that cite it."""

    control_id: str
    verdict: Verdict
    rule_results: list[RuleResult] = field(default_factory=list)
    title: str = ""             # official control title when content is loaded
    statement_text: str = ""    # official control statement (parameters substituted) when content is loaded

    @property
    def evidence(self) -> list[Evidence]:
        """The evidence of all its rule results, each piece once, in first-seen order."""
        return unique_evidence(self.rule_results)


# -- the remediation clock ------------------------------------------------------------------------------
BASIS_PREVIOUS = "first detected in previous package"
BASIS_FIX = "fix available"
BASIS_PUBLISHED = "published"
BASIS_SCAN = "scan time"
BASIS_NONE = "undated"
BASIS_ASSESSMENT = "assessment date"
BASIS_RISK_ACCEPTED = "risk acceptance expiry"
BASIS_MALICIOUS = "malicious package first detected"


@dataclass(frozen=True)
class RemediationClock:
    """One finding's remediation deadline and the date it counts from (scc.engine.remediation)."""

    identity: str
    start: datetime | None           # when the clock started (None: no date at all)
    basis: str                       # BASIS_PREVIOUS | BASIS_FIX | BASIS_PUBLISHED | BASIS_SCAN | BASIS_NONE
    severity: str
    sla_days: int | None             # None: no SLA for the severity
    first_detected: datetime         # earliest detection known: previous package, this scan, or this assessment
    evidence: tuple[Evidence, ...] = ()   # where the start date is written

    @property
    def due(self) -> datetime | None:
        if self.start is None or self.sla_days is None:
            return None
        return self.start + timedelta(days=self.sla_days)

    @property
    def due_date(self) -> date | None:
        due = self.due
        return due.date() if due is not None else None

    def days_overdue(self, now: datetime) -> int:
        due = self.due
        return max(0, (now - due).days) if due is not None else 0

    def is_overdue(self, now: datetime) -> bool:
        due = self.due
        return due is not None and now > due

    @property
    def explanation(self) -> str:
        """The basis in words, as every view shows it next to the due date."""
        if self.start is None:
            return "no first-detection, fix, publication or scan date"
        if self.basis == BASIS_MALICIOUS:
            days = f" + {self.sla_days} days" if self.sla_days else " (remove at once)"
            return f"{self.basis} {self.start.date().isoformat()}{days}; a fix does not extend it"
        if self.basis == BASIS_ASSESSMENT and self.sla_days is None:
            return f"no SLA for severity {self.severity}"
        if self.sla_days is None:
            return f"{self.basis} {self.start.date().isoformat()}; no SLA for severity {self.severity}"
        return (f"{self.basis} {self.start.date().isoformat()} + {self.sla_days} days "
                f"(sla_days[{self.severity}])")


@dataclass(frozen=True)
class RemediationItem:
    """One open weakness and when it must be remediated: an open vulnerability finding (not closed by
    VEX) or an open rule result. A rule whose risk the organisation accepted is due when the
    acceptance expires."""

    kind: str                        # vulnerability | rule
    key: str                         # "vuln/<finding identity>" or "rule/<rule id>": stable from run to run
    clock: RemediationClock
    finding: Finding | None = None
    result: RuleResult | None = None

    @property
    def identity(self) -> str:
        return self.clock.identity

    @property
    def severity(self) -> str:
        return self.clock.severity

    @property
    def start(self) -> datetime | None:
        return self.clock.start

    @property
    def days(self) -> int | None:
        """The SLA days for the severity (None: no SLA for it)."""
        return self.clock.sla_days

    @property
    def first_detected(self) -> datetime:
        return self.clock.first_detected

    @property
    def override(self) -> Override | None:
        return self.result.override if self.result is not None else None

    @property
    def risk_accepted(self) -> bool:
        override = self.override
        return override is not None and override.action == "accept-risk"

    @property
    def basis(self) -> str:
        """What the due date counts from (a BASIS_* word)."""
        return BASIS_RISK_ACCEPTED if self.risk_accepted else self.clock.basis

    @property
    def due_date(self) -> date | None:
        override = self.override
        if override is not None and self.risk_accepted:
            return override.expires
        return self.clock.due_date

    @property
    def explanation(self) -> str:
        """The due date's basis in words, as the POA&M and the SSP show it."""
        return BASIS_RISK_ACCEPTED if self.risk_accepted else self.clock.explanation


# -- official content as one assessment used it --------------------------------------------------------
class ContentSource(Protocol):
    """What a content snapshot is taken from: scc.content.ContentStore, or a stand-in with its reads."""

    def catalog(self) -> Catalog | None: ...
    def baseline(self, name: str) -> Baseline | None: ...
    def cci(self) -> CciList | None: ...
    def benchmark(self, name: str) -> Benchmark | None: ...


class _PicklesAsPlainDicts:
    """Pickling for frozen records holding read-only mappings (MappingProxyType cannot pickle): each proxy
    travels as a plain dict and is wrapped again on load, so a Report can be sent to a worker process."""

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        proxied = sorted(k for k, v in state.items() if isinstance(v, MappingProxyType))
        return {**state, **{k: dict(state[k]) for k in proxied}, "_proxied": proxied}

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        for name in state.pop("_proxied", ()):
            state[name] = MappingProxyType(state[name])
        for name, value in state.items():
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class ContentFile:
    """One cached official content file the package's documents draw on (for provenance)."""

    name: str                 # registry id: nist-800-53-rev5-catalog, gpos-srg, ...
    kind: str                 # catalog | profile | cci | benchmark
    file: str                 # the file name in the cache
    sha256: str
    release: str = ""         # the release as the file itself states it
    release_info: str = ""    # a benchmark's release-info text
    url: str = ""             # the publisher URL the cache recorded


@dataclass(frozen=True)
class ContentSnapshot(_PicklesAsPlainDicts):
    """The official content one assessment used: catalog, chosen baseline, CCI list, benchmarks.

    Read like the content store (``catalog()``, ``baseline(name)``, ``cci()``, ``benchmark(name)``)
    but loaded once, before the engine runs, so neither the engine nor a writer touches the cache.
    Falsy when it holds nothing (no content cached).
    """

    catalog_: Catalog | None = None
    baseline_: Baseline | None = None
    cci_: CciList | None = None
    benchmarks: Mapping[str, Benchmark] = field(default_factory=lambda: MappingProxyType({}))
    #: registry name of each benchmark by its DISA XCCDF id (General_Purpose_Operating_System -> gpos-srg)
    benchmark_ids: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    files: tuple[ContentFile, ...] = ()
    missing_note: str = ""    # the one sentence saying official content is missing ('' when it is all there)

    def __bool__(self) -> bool:
        return self.catalog_ is not None or self.cci_ is not None or bool(self.benchmarks)

    def catalog(self) -> Catalog | None:
        return self.catalog_

    def baseline(self, name: str | None) -> Baseline | None:
        """The chosen baseline when ``name`` is its name (the only one a snapshot holds), else None."""
        if self.baseline_ is None or not name:
            return None
        return self.baseline_ if name.strip().lower() == self.baseline_.name else None

    def cci(self) -> CciList | None:
        return self.cci_

    def benchmark(self, name: str) -> Benchmark | None:
        return self.benchmarks.get(name)

    def control(self, control_id: str) -> Control | None:
        """The official control (title, statement text, label) or None without the catalog."""
        catalog = self.catalog_
        return catalog.control(control_id) if catalog is not None else None


EMPTY_CONTENT = ContentSnapshot()


# -- what the organisation decided, and what was loaded for it -----------------------------------------
@dataclass(frozen=True)
class SourceFile:
    """A file that shaped the package besides the inputs: a rule pack file, the overrides file, a key."""

    role: str                 # rule-pack | overrides | verification-key
    name: str
    file: str
    sha256: str


@dataclass(frozen=True)
class Policy(_PicklesAsPlainDicts):
    """What an organisation decides, and what was loaded for it before the engine runs.

    Files (overrides, attestations, profile, content) are read and parsed by scc.assess / Assessment;
    the engine only reads this object.
    """

    sla_days: Mapping[str, int] = field(default_factory=lambda: DEFAULT_SLA_DAYS)
    max_scan_age_days: int = 30
    overrides: tuple[Override, ...] = ()
    attestations: tuple[Attestation, ...] = ()
    attestation_notes: tuple[str, ...] = ()     # notes from reading the attestations file
    baseline: str | None = None
    benchmarks: tuple[str, ...] = DEFAULT_BENCHMARKS
    content: ContentSnapshot = EMPTY_CONTENT
    system_name: str = ""
    organization: str = ""
    marking: str = ""
    profile: SystemProfile = EMPTY_PROFILE       # the system profile (scc.profile; empty when none is given)
    files: tuple[SourceFile, ...] = ()           # rule packs, overrides file, keys (provenance)
    tables: DataTables | None = None             # the checks' data tables (None: the shipped ones, read by run)
    templates: Path | None = None                # organisation SSP templates (scc package --templates DIR)
    registry_policy: RegistryPolicy | None = None   # the registry allow-list (--registry-policy FILE)
    ssdf: SsdfMapping | None = None              # the SSDF / CISA form mapping (None: the shipped one, read by run)


@dataclass(frozen=True)
class ComponentScorecard:
    """The OpenSSF Scorecard result the engine matched to one component (scc.engine.scorecard): which result,
    by which route and field, for the views to show beside the component. The verdicts are the rules'."""

    component: str                 # Component.key
    repository: str                # the result's repo.name, as written
    route: str                     # purl | sbom-reference
    field: str                     # what linked them: the purl, or "vcs https://..."
    score: float | None = None
    date: datetime | None = None
    evidence: tuple[Evidence, ...] = ()

    def summary(self) -> str:
        """'github.com/org/repo: score 6.4 (2026-11-16), matched by purl pkg:github/org/repo@v1'."""
        score = "no score" if self.score is None else f"score {self.score:g}"
        when = self.date.date().isoformat() if self.date else "undated"
        return f"{self.repository}: {score} ({when}), matched by {self.route} {self.field}"


@dataclass(frozen=True)
class Report(_PicklesAsPlainDicts):
    """One assessment's conclusions: everything every writer renders, nothing left to decide."""

    facts: ImageFacts
    rules: tuple[Rule, ...]
    rule_results: tuple[RuleResult, ...]
    control_results: tuple[ControlResult, ...]
    remediation_items: tuple[RemediationItem, ...]
    clocks: Mapping[int, RemediationClock]       # id(finding) -> its clock, for every finding
    notes: tuple[str, ...]
    override_notes: tuple[str, ...]              # expired or unmatched overrides/attestations (also in notes)
    policy: Policy
    assessed_at: datetime
    scc_version: str = __version__
    ssdf: SsdfResults | None = None              # SSDF task and CISA form item results (scc.engine.ssdf)
    component_scorecards: tuple[ComponentScorecard, ...] = ()   # the Scorecard result matched to each component

    def __getstate__(self) -> dict[str, Any]:
        """The clocks are keyed by id(finding), which no other process shares: they travel in the order of
        facts.findings and are keyed by the unpickled findings' ids on load."""
        state = super().__getstate__()
        state["clocks"] = [self.clocks.get(id(f)) for f in self.facts.findings]
        state["_proxied"] = [n for n in state["_proxied"] if n != "clocks"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        findings = state["facts"].findings
        state["clocks"] = MappingProxyType({id(f): c for f, c in zip(findings, state["clocks"]) if c is not None})
        super().__setstate__(state)

    # -- what the writers read under the names they always had -----------------------------------
    @property
    def settings(self) -> Policy:
        """The organisation's settings (SLA days, baseline, benchmarks, system name, organisation, marking)."""
        return self.policy

    @property
    def content(self) -> ContentSnapshot:
        return self.policy.content

    @property
    def profile(self) -> SystemProfile:
        return self.policy.profile

    @property
    def remediation(self) -> Mapping[int, RemediationClock]:
        """id(finding) -> RemediationClock (the clock of every finding; see remediation_items)."""
        return self.clocks

    def control(self, control_id: str) -> Control | None:
        return self.content.control(control_id)

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

    # -- views -----------------------------------------------------------------------------------
    @property
    def open_findings(self) -> list[Finding]:
        """Open vulnerability findings (no VEX closed them), most severe first, in a stable order."""
        return [item.finding for item in self.remediation_items if item.finding is not None]

    @property
    def srg_results(self) -> list[RuleResult]:
        return [r for r in self.rule_results if r.rule.srg]

    def benchmark_names(self) -> list[str]:
        """Every benchmark named in the settings, plus any other one a rule or a carried scan result cites."""
        names = list(dict.fromkeys(self.policy.benchmarks))
        for result in self.srg_results:
            for ref in result.rule.srg:
                if ref.benchmark not in names:
                    names.append(ref.benchmark)
        return names

    def control_result(self, control_id: str) -> ControlResult | None:
        return next((c for c in self.control_results if c.control_id == control_id), None)

    def verdict_counts(self) -> dict[str, int]:
        counts = {v.value: 0 for v in Verdict}
        for result in self.control_results:
            counts[result.verdict.value] += 1
        return counts

    def attested_counts(self) -> dict[str, dict[str, int]]:
        """Verdicts that rest on a person's attestation, kept apart from automated ones.

        ``rules``: attested rule verdicts; ``controls``: control verdicts at least one attested rule shares;
        ``ssdf_tasks`` / ``cisa_items`` (only when a person attested one): the results carrying an attestation.
        """
        rules = {v.value: 0 for v in (Verdict.SATISFIED, Verdict.NOT_SATISFIED)}
        for result in self.rule_results:
            if result.attestation is not None:
                rules[result.verdict.value] += 1
        controls = {v.value: 0 for v in Verdict}
        for control in self.control_results:
            if any(r.attestation is not None for r in control.rule_results):
                controls[control.verdict.value] += 1
        counts: dict[str, dict[str, int]] = {"rules": rules, "controls": {k: n for k, n in controls.items() if n}}
        if self.ssdf is not None:
            for key, results in (("ssdf_tasks", self.ssdf.tasks), ("cisa_items", self.ssdf.cisa_items)):
                attested = self.ssdf.attested_counts(results)
                if attested:
                    counts[key] = attested
        return counts
