"""Assessment: one image's facts, the verdicts the rules reached, and every view of them.

    a = scc.assess(["sbom.cdx.json", "grype.json", "image-config.json"])
    a.controls_df(); a.write_oscal("cd.json"); a.write_package("ato/")
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from scc.clock import assessment_time
from scc.engine.pipeline import conclude, run
from scc.facts.model import ImageFacts
from scc.gcpause import collector_paused
from scc.profile import EMPTY_PROFILE, SystemProfile
from scc.progress import NO_PROGRESS, Progress, phase
from scc.report import (
    DEFAULT_BASELINE,
    DEFAULT_BENCHMARKS,
    EMPTY_CONTENT,
    ContentFile,
    ContentSnapshot,
    ContentSource,
    ControlResult,
    Policy,
    RemediationClock,
    RemediationItem,
    Report,
    Rule,
    RuleResult,
    deterministic_uuid,
)
from scc.report import DEFAULT_SLA_DAYS as _DEFAULT_SLA_DAYS

if TYPE_CHECKING:
    import pandas
    from matplotlib.figure import Figure

    from scc.content.model import Control
    from scc.content.store import ContentStore
    from scc.registry_policy import RegistryPolicy

DEFAULT_SLA_DAYS = _DEFAULT_SLA_DAYS     # read-only: copy it to change it

__all__ = ["DEFAULT_SLA_DAYS", "Assessment", "Settings", "assess", "content_snapshot", "deterministic_uuid",
           "load_policy"]


@dataclass
class Settings:
    """What an organisation decides, not what the image shows."""

    sla_days: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_SLA_DAYS))
    max_scan_age_days: int = 30
    baseline: str | None = None            # low | moderate | high | privacy
    overrides: Path | None = None          # per-organisation rule overrides YAML
    attestations: Path | None = None       # people's attestations closing manual checks (YAML/JSON/SAF xlsx)
    keys: list[Path] = field(default_factory=list)   # public keys for DSSE/cosign verification
    benchmarks: tuple[str, ...] = DEFAULT_BENCHMARKS
    system_name: str = ""
    organization: str = ""
    marking: str = ""                      # classification / CUI banner of the POA&M (never guessed)
    rule_dirs: list[Path] | None = None
    previous: Path | None = None           # an earlier scc package: first detections carry over (POA&M)
    profile: Path | None = None            # system profile YAML (scc.profile): what the image cannot show
    templates: Path | None = None          # organisation SSP templates overriding blocks of templates/ssp.html.j2
    registry_policy: Path | None = None    # registry allow-list YAML (scc.registry_policy): where images may come from


class Assessment:
    """One image's assessment: facts -> rule results -> control results, and every view of them.

    Create one with :func:`scc.assess` (``scc.assess(["sbom.json", "grype.json"], baseline="moderate")``)
    rather than directly. It is the façade over one frozen :class:`scc.report.Report`: the policy is
    loaded here (overrides, attestations, profile and the official content are read from disk), the
    engine's pure ``run`` produces the report, and every view and writer reads ``self.report``.

    Results:
        ``verdict_counts()`` (controls per verdict), ``control_results`` / ``control_result("si-2")``,
        ``rule_results``, ``srg_results`` (the checklist rows), ``remediation_items`` (the POA&M: open
        findings and rules with due dates and their basis), ``facts`` (components, findings, VEX, image
        config, each with its evidence), ``notes`` (what the run could not read or decide), ``content``
        (the official content used).

    Tables (pandas DataFrames; severities and verdicts are ordered categoricals, worst first):
        ``controls_df()``, ``baseline_df()``, ``rules_df()``, ``findings_df()``, ``components_df()``,
        ``evidence_df()``, ``poam_df()``; ``frame(name)`` by name.

    Charts (matplotlib Figures): ``plot("posture")``, ``plot("findings")``, ``plot("categories")``.

    Documents:
        ``write_package(dir)`` (everything, all-or-nothing, with manifest.json), ``write_oscal(path)``,
        ``write_xccdf(path)``, ``write_pdf(path)``, ``write(writer_name, path)`` / ``render(writer_name)``
        for any writer of :func:`scc.writers.available_writers`.

    Comparing runs: ``scc.diff(old, new)`` takes two assessments or package folders.

    In a notebook the object shows a summary: the counts and the worst items.
    """

    def __init__(self, facts: ImageFacts, settings: Settings | None = None,
                 rules: list[Rule] | None = None, assessed_at: datetime | None = None,
                 content: ContentSource | None = None, *, progress: Progress = NO_PROGRESS, jobs: int = 1) -> None:
        from scc.content.official_text import cited_official_benchmarks
        from scc.engine.rules import with_official_text

        self.settings = settings or Settings()
        with phase(progress, "loading rule packs and official content"):
            loaded = rules if rules is not None else _load_rule_packs(self.settings.rule_dirs)
            policy = load_policy(self.settings, facts, loaded, content)
            rules = with_official_text(loaded, cited_official_benchmarks(loaded, policy.content))  # DISA's prose
        with phase(progress, f"assessing {len(rules)} rules"):
            self.report: Report = run(facts, rules, policy, assessed_at or assessment_time(), jobs=jobs)

    # -- the report, under the names callers always used --------------------------------------------
    @property
    def facts(self) -> ImageFacts:
        """The merged facts of every input (scc.facts.ImageFacts)."""
        return self.report.facts

    @facts.setter
    def facts(self, facts: ImageFacts) -> None:
        self.report = replace(self.report, facts=facts)

    @property
    def assessed_at(self) -> datetime:
        """The assessment time (SOURCE_DATE_EPOCH when set): the clock every due date is counted from."""
        return self.report.assessed_at

    @property
    def policy(self) -> Policy:
        """What the organisation decided and the content it was assessed against (scc.engine.Policy)."""
        return self.report.policy

    @property
    def rules(self) -> list[Rule]:
        """The rules assessed, with the official DISA text filled in when the content is cached."""
        return list(self.report.rules)

    @rules.setter
    def rules(self, rules: Iterable[Rule]) -> None:
        self.report = replace(self.report, rules=tuple(rules))

    @property
    def rule_results(self) -> tuple[RuleResult, ...]:
        """Each rule's verdict, statement, reason and evidence."""
        return self.report.rule_results

    @rule_results.setter
    def rule_results(self, results: Iterable[RuleResult]) -> None:
        """Results built by hand (tests): the control roll-up and remediation items follow them."""
        report = self.report
        self.report = conclude(report.facts, report.rules, list(results), report.policy, report.assessed_at,
                               report.notes, report.override_notes)

    @property
    def control_results(self) -> tuple[ControlResult, ...]:
        """Each 800-53 control's verdict, rolled up from its rules' results."""
        return self.report.control_results

    @control_results.setter
    def control_results(self, controls: Iterable[ControlResult]) -> None:
        self.report = replace(self.report, control_results=tuple(controls))

    @property
    def notes(self) -> list[str]:
        """Notes from reading the inputs and from the engine (overrides, attestations, missing content)."""
        return list(self.report.notes)

    @property
    def override_notes(self) -> list[str]:
        """Expired or unmatched overrides and attestations (also in notes; `scc gate` prints these)."""
        return list(self.report.override_notes)

    @property
    def fingerprint(self) -> str:
        """A digest of the inputs, the rules and the assessment time: the seed of every generated id."""
        return self.report.fingerprint

    def uuid(self, *names: object) -> str:
        """A stable UUID for a generated object: same inputs, same id (OSCAL uuids, XCCDF ids)."""
        return self.report.uuid(*names)

    @property
    def profile(self) -> SystemProfile:
        """The system profile (scc.profile.SystemProfile) from settings.profile; empty when none is given."""
        return self.report.profile

    @property
    def remediation(self) -> Mapping[int, RemediationClock]:
        """id(finding) -> RemediationClock: the remediation due dates every view shows (scc.engine.remediation)."""
        return self.report.clocks

    @property
    def remediation_items(self) -> tuple[RemediationItem, ...]:
        """Every open finding and rule with its remediation due date and the basis of that date."""
        return self.report.remediation_items

    @property
    def content(self) -> ContentSnapshot:
        """The official content this assessment used (falsy when none was available)."""
        return self.report.content

    def __getattr__(self, name: str) -> Any:
        """Anything else a Report offers (benchmark_names, open_findings, remediation_items ...), so code
        written against the Report reads an Assessment the same way."""
        if name == "report":      # not set yet: __init__ failed or is still running
            raise AttributeError(name)
        return getattr(self.report, name)

    def control(self, control_id: str) -> Control | None:
        """The official control (title, statement text) or None when the catalog is not available."""
        return self.report.control(control_id)

    # -- views -----------------------------------------------------------------------------------
    def control_result(self, control_id: str) -> ControlResult | None:
        """The result of one control (lower-case OSCAL id, e.g. 'ac-6.10'), or None when no rule reached it."""
        return self.report.control_result(control_id)

    @property
    def srg_results(self) -> list[RuleResult]:
        """The rule results that evidence DISA SRG/STIG requirements (the checklist rows)."""
        return self.report.srg_results

    def verdict_counts(self) -> dict[str, int]:
        """How many controls reached each verdict (every verdict present, 0 when none)."""
        return self.report.verdict_counts()

    def attested_counts(self) -> dict[str, dict[str, int]]:
        """Verdicts that rest on a person's attestation, kept apart from automated ones (Report.attested_counts)."""
        return self.report.attested_counts()

    def frame(self, view: str) -> pandas.DataFrame:
        """The DataFrame of one view by name: controls, baseline, rules, findings, components, evidence, poam
        (scc.frames; the same rows the HTML report and the charts use)."""
        from scc.frames import frame

        return frame(self.report, view)

    def controls_df(self) -> pandas.DataFrame:
        """One row per control a rule reached: control, family, title, status (ordered worst first), rules,
        attested, statement, evidence."""
        return self.frame("controls")

    def baseline_df(self) -> pandas.DataFrame:
        """One row per control of the chosen baseline (then any other control a rule reached): whether this
        image evidences it and its status. Without the baseline's content only evidenced controls are listed."""
        return self.frame("baseline")

    def rules_df(self) -> pandas.DataFrame:
        """One row per rule result: rule, title, verdict, CAT, severity, controls, SRG ids, origin (facts,
        xccdf-scan, override, attestation), attested, statement, evidence."""
        return self.frame("rules")

    def findings_df(self) -> pandas.DataFrame:
        """One row per vulnerability finding: id, aliases, package, installed, purl, fixed, fix_available,
        severity (ordered categorical, critical first), cvss, state, open, VEX status and justification,
        published, first_seen, due date and its basis, overdue, sources, evidence."""
        return self.frame("findings")

    def components_df(self) -> pandas.DataFrame:
        """One row per component: name, version, type, purl, licenses, supplier, open findings, evidence."""
        return self.frame("components")

    def evidence_df(self) -> pandas.DataFrame:
        """One row per piece of evidence a rule result cites: source, sha256, pointer, citation, cited_by."""
        return self.frame("evidence")

    def poam_df(self) -> pandas.DataFrame:
        """One row per POA&M item (open finding or open rule): severity, CAT, start, basis, due, overdue,
        risk accepted, explanation."""
        return self.frame("poam")

    def plot(self, chart: str = "posture") -> Figure:
        """A matplotlib Figure: ``posture`` (controls by family and verdict), ``findings`` (by severity,
        open/closed) or ``categories`` (open CAT I/II/III results)."""
        from scc import plots

        charts = {"posture": plots.posture_by_family, "findings": plots.findings_by_severity,
                  "categories": plots.open_categories}
        if chart not in charts:
            raise KeyError(f"no chart named {chart!r}; charts: {', '.join(charts)}")
        return charts[chart](self.report)

    def _repr_html_(self) -> str:
        """The notebook summary: image, time, verdict counts, open findings by severity, the worst items."""
        from scc.summary_html import assessment_summary

        return assessment_summary(self.report)

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {v}" for v, n in self.verdict_counts().items() if n)
        return f"<scc.Assessment of {self.facts.identity.reference}: {counts or 'no controls'}>"

    # -- outputs ---------------------------------------------------------------------------------
    def render(self, writer_name: str) -> bytes:
        """The bytes the named writer produces (see scc.writers.available_writers())."""
        from scc.writers import writer

        return writer(writer_name).render(self.report)

    def write(self, writer_name: str, path: str | Path) -> Path:
        """Render with the named writer and write the file atomically; returns its path."""
        from scc.atomic import write_bytes_atomic

        return write_bytes_atomic(path, self.render(writer_name))

    def write_oscal(self, path: str | Path) -> Path:
        """Write the OSCAL component definition (JSON) to ``path``."""
        return self.write("oscal-component-definition", path)

    def write_xccdf(self, path: str | Path) -> Path:
        """Write the XCCDF 1.2 results to ``path``."""
        return self.write("xccdf-results", path)

    def write_pdf(self, path: str | Path) -> Path:
        """Write the PDF System Security Plan to ``path``."""
        return self.write("ssp-pdf", path)

    def write_package(self, out_dir: str | Path, *, formats: Iterable[str] | None = None, skip: Iterable[str] = (),
                      jobs: int = 1, progress: Progress = NO_PROGRESS) -> Path:
        """Write the outputs and the manifest into ``out_dir`` (replaced as a whole; refused where it would
        overwrite an input).

        ``formats`` chooses outputs by format name or family (default: all), ``skip`` leaves some out, e.g.
        ``write_package("ato", formats=["oscal", "xlsx"])`` or ``write_package("ato", skip=["pdf"])``;
        the names are those of ``scc package --formats`` (docs/usage.md), a UsageError lists them when one is
        unknown. manifest.json is always written and names the formats left out. ``jobs`` > 1 renders
        independent outputs in that many processes (byte for byte the serial result); ``progress`` hears of
        each output being written.
        """
        from scc.package import write_package
        from scc.writers import available_writers
        from scc.writers.selection import select_writers

        chosen = select_writers(available_writers(), formats, skip)
        return write_package(self, Path(out_dir), chosen, jobs=jobs, progress=progress)


def _load_rule_packs(rule_dirs: list[Path] | None) -> list[Rule]:
    from scc.engine.rules import load_rule_packs

    return load_rule_packs(rule_dirs)


def load_policy(settings: Settings, facts: ImageFacts, rules: Iterable[Rule],
                content: ContentSource | None = None) -> Policy:
    """Everything the engine needs besides facts and rules, read from disk now: the overrides and
    attestations files, the system profile, the official content (``content``, else the cache) and the
    hashes of the rule pack files and keys for provenance."""
    from scc.engine.attestations import load_attestations
    from scc.engine.overrides import load_overrides
    from scc.engine.ssdf import load_ssdf_mapping
    from scc.engine.tables import load_tables
    from scc.provenance import pack_files, source_files

    overrides = tuple(load_overrides(settings.overrides)) if settings.overrides else ()
    ssdf = load_ssdf_mapping()
    attestations, attestation_notes = load_attestations(settings.attestations, ssdf) if settings.attestations else ([], [])
    rules = list(rules)
    files = [*pack_files(settings.rule_dirs), *source_files("overrides", [settings.overrides] if settings.overrides else []),
             *source_files("verification-key", settings.keys),
             *source_files("registry-policy", [settings.registry_policy] if settings.registry_policy else [])]
    return Policy(
        sla_days=MappingProxyType(dict(settings.sla_days)),
        max_scan_age_days=settings.max_scan_age_days,
        overrides=overrides,
        attestations=tuple(attestations),
        attestation_notes=tuple(attestation_notes),
        baseline=settings.baseline,
        benchmarks=tuple(settings.benchmarks),
        content=content_snapshot(settings, facts, rules, content),
        system_name=settings.system_name,
        organization=settings.organization,
        marking=settings.marking,
        profile=_profile(settings.profile),
        files=tuple(files),
        tables=load_tables(),
        templates=settings.templates,
        registry_policy=_registry_policy(settings.registry_policy),
        ssdf=ssdf,
    )


def _registry_policy(path: Path | None) -> RegistryPolicy | None:
    from scc.registry_policy import load_registry_policy

    return load_registry_policy(path) if path else None


def _profile(path: Path | None) -> SystemProfile:
    from scc.profile import load_profile

    return load_profile(path) if path else EMPTY_PROFILE


def content_snapshot(settings: Settings, facts: ImageFacts, rules: Iterable[Rule],
                     source: ContentSource | None = None) -> ContentSnapshot:
    """The official content this assessment can use, loaded once: the catalog, the chosen baseline (MODERATE
    when none is: the component definition claims against it), the CCI list and the benchmarks the
    settings name or the rules cite (every cached one when the inputs carry XCCDF scan results, which may
    belong to any). ``source`` stands in for the content cache (tests); without it the cache is used, and
    only when it holds the catalog or the CCI list. Empty when the content package is not installed."""
    try:
        from scc.content import registry
        from scc.content.required import content_note
        from scc.content.store import ContentStore, default_store
    except ImportError:          # the content package is not part of this installation
        return EMPTY_CONTENT
    benchmark_ids: dict[str, str] = {}
    for entry in registry.SOURCES:
        if entry.benchmark_id:
            benchmark_ids.setdefault(entry.benchmark_id, entry.name)
    known = registry.benchmark_names()
    cited = [ref.benchmark for rule in rules for ref in rule.srg]
    wanted = set(known) if facts.xccdf_results else {*settings.benchmarks, *cited}
    names = [n for n in dict.fromkeys([*settings.benchmarks, *known]) if n in known and n in wanted]
    store: ContentSource = source if source is not None else default_store()
    note = ""
    files: tuple[ContentFile, ...] = ()
    if isinstance(store, ContentStore):
        note = content_note(store) or ""
        files = _content_files(store, settings.baseline, names)
    catalog, cci = store.catalog(), store.cci()
    if source is None and catalog is None and cci is None:
        return ContentSnapshot(benchmark_ids=MappingProxyType(benchmark_ids), files=files, missing_note=note)
    benchmarks = {name: found for name in names if (found := store.benchmark(name)) is not None}
    return ContentSnapshot(
        catalog_=catalog, baseline_=store.baseline(settings.baseline or DEFAULT_BASELINE), cci_=cci,
        benchmarks=MappingProxyType(benchmarks), benchmark_ids=MappingProxyType(benchmark_ids), files=files,
        missing_note=note,
    )


def _content_files(store: ContentStore, baseline: str | None, benchmarks: list[str]) -> tuple[ContentFile, ...]:
    """The cached files among the catalog, the CCI list, the chosen baseline and ``benchmarks``, each with
    the release it states about itself (never the registry's expectation)."""
    from scc.content import registry

    lock = store.lock()
    wanted = [registry.CATALOG, registry.CCI]
    chosen = registry.baseline_source(baseline) if baseline else None
    if chosen is not None:
        wanted.append(chosen.name)
    wanted += benchmarks
    files = []
    for name in dict.fromkeys(wanted):
        entry = lock.get(name)
        if entry is None or not (store.directory / entry.file).is_file():
            continue
        kind = registry.BY_NAME[name].kind
        release, info = _stated_release(store, name)
        files.append(ContentFile(name, kind, entry.file, entry.sha256, release, info, entry.url))
    return tuple(files)


def _stated_release(store: ContentStore, name: str) -> tuple[str, str]:
    from scc.content import registry

    source = registry.BY_NAME[name]
    if source.kind == "catalog":
        catalog = store.catalog()
        return (catalog.version if catalog else ""), ""
    if source.kind == "profile":
        found = store.baseline(source.baseline)
        return (found.version if found else ""), ""
    if source.kind == "cci":
        cci = store.cci()
        return (cci.version if cci else ""), ""
    benchmark = store.benchmark(name)
    return (benchmark.release, benchmark.release_info) if benchmark else ("", "")


def _settings_files(settings: Settings) -> frozenset[Path]:
    """The files and folders the run uses as settings, resolved: not evidence, and not "passed over"."""
    used = (settings.overrides, settings.attestations, settings.profile, settings.templates, settings.registry_policy,
            *settings.keys)
    return frozenset(Path(p).resolve() for p in used if p)


def assess(inputs: Iterable[str | Path], settings: Settings | None = None, *, progress: Progress = NO_PROGRESS,
           rules: list[Rule] | None = None, content: ContentSource | None = None, assessed_at: datetime | None = None,
           jobs: int = 1, **options: Any) -> Assessment:
    """Read the inputs (merged into one ImageFacts) and assess them with the shipped rule packs.

    Keyword options are Settings fields, e.g. ``assess(paths, baseline="moderate", sla_days={...})``;
    ``attestations="attestations.yaml"`` closes manual checks with people's attestations;
    ``previous="ato-2026-10/"`` carries each finding's first detection over from an earlier package.
    ``registry_policy="registry-policy.yaml"`` judges where the image, its base image and the images of
    the deployment manifests come from against the organisation's allow-list (docs/registry-policy.md).
    A baseline, or benchmarks given as an option, must be in the content cache (ContentError otherwise).
    ``progress`` (scc.progress.Progress) hears of each long phase: reading each input, assessing.
    ``rules``, ``content`` and ``assessed_at`` are passed to :class:`Assessment` (rule packs and official
    content loaded once for many images, one clock for a whole batch: scc.batch); ``jobs`` > 1 lets the facts
    boundary's census of a large input's strings and the checks of a large image share worker processes (the
    same result, sooner).
    """
    from scc.content.required import require_content
    from scc.facts import ReadContext, load_verification_keys, read_inputs

    settings = settings or Settings(**options)
    if settings.previous is not None:
        settings.previous = Path(settings.previous)
    require_content(settings.baseline, options.get("benchmarks", ()))
    if settings.attestations is not None:
        settings.attestations = Path(settings.attestations)
    if settings.registry_policy is not None:
        from scc.registry_policy import load_registry_policy

        settings.registry_policy = Path(settings.registry_policy)
        load_registry_policy(settings.registry_policy)   # a malformed policy fails before any input is read
    if settings.profile is not None:
        from scc.profile import load_profile

        settings.profile = Path(settings.profile)
        load_profile(settings.profile)   # a malformed profile fails before any input is read
    context = replace(ReadContext.from_env(keys=load_verification_keys(settings.keys)),   # this run's keys only
                      settings_files=_settings_files(settings), progress=progress, jobs=jobs)
    # From the first input read to the Report: the facts (millions of objects at 100k components) are young
    # until a collection has traversed them, and every collection the content and rule loading between read
    # and engine trigger would traverse them again (about 1 s at 100k components), for no garbage.
    with collector_paused():
        facts = read_inputs([str(p) for p in inputs], context=context)
        if settings.previous is not None:
            from scc.facts.previous_package import read_previous_package

            earlier = read_previous_package(settings.previous)
            facts.prior_detections.extend(earlier.detections)
            if earlier.input is not None:
                facts.inputs.append(earlier.input)
            facts.notes.extend(earlier.notes)
        return Assessment(facts, settings, rules=rules, assessed_at=assessed_at, content=content,
                          progress=progress, jobs=jobs)
