"""The `scc` command: wires readers, engine and writers together; no logic of its own.

Every user-fixable failure is one line on stderr and exit code 2; a breached gate is exit 1.
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from scc import __version__
from scc.errors import SccError
from scc.gate import option_name
from scc.gcpause import no_last_collection, paused_then_kept
from scc.progress import NO_PROGRESS, Progress

GATE_OPTIONS = ("cat1", "cat2", "cat3", "critical", "high", "medium", "low", "unknown", "malicious")


def _parse_sla(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dict[str, int] | None:
    if not value:
        return None
    from scc.assessment import DEFAULT_SLA_DAYS

    sla = dict(DEFAULT_SLA_DAYS)
    for item in value.split(","):
        severity, _, days = item.partition("=")
        severity = severity.strip().lower()
        if severity not in sla or not days.strip().isdigit():
            raise click.BadParameter(f"{item!r}: use SEVERITY=DAYS with severity one of {', '.join(sla)}")
        sla[severity] = int(days)
    return sla


def assessment_options(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.argument("inputs", nargs=-1, required=True, type=click.Path())(settings_options(function))


def settings_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The options that make the Settings (baseline, SLA, overrides, keys, profile ...): package, gate, batch."""
    options = [
        click.option("--baseline", type=click.Choice(["low", "moderate", "high", "privacy", "fedramp-low", "fedramp-moderate",
                                                     "fedramp-high", "fedramp-li-saas"]),
                     help="800-53 rev5 baseline whose coverage the SSP reports (needs official content)."),
        click.option("--sla", callback=_parse_sla, metavar="SEV=DAYS,...",
                     help="Remediation SLA in days, e.g. critical=15,high=30,medium=90,low=180."),
        click.option("--max-scan-age", type=click.IntRange(min=0), default=30, show_default=True,
                     help="Days after which a vulnerability scan counts as stale (RA-5)."),
        click.option("--overrides", type=click.Path(dir_okay=False), help="Organisation overrides YAML."),
        click.option("--attestations", type=click.Path(dir_okay=False),
                     help="Attestations closing manual checks (scc YAML, SAF JSON/YAML or SAF xlsx)."),
        click.option("--key", "keys", multiple=True, type=click.Path(dir_okay=False),
                     help="Public key (PEM) to verify DSSE/cosign signatures; repeatable."),
        click.option("--system-name", default="", help="System name for the SSP title page."),
        click.option("--previous", type=click.Path(), default=None, metavar="DIR",
                     help="An earlier `scc package` folder: each finding's first detection carries over "
                          "into the remediation due dates and the POA&M."),
        click.option("--benchmark", "benchmarks", multiple=True, metavar="NAME",
                     help="SRG/STIG to report against (e.g. gpos-srg, rhel9-stig; repeatable; needs its "
                          "official content). Default: gpos-srg and ctr-srg, official content if cached."),
        click.option("--profile", type=click.Path(dir_okay=False), default=None, metavar="FILE",
                     help="System profile YAML (`scc init-profile` writes a template)."),
        click.option("--registry-policy", type=click.Path(dir_okay=False), default=None, metavar="FILE",
                     help="Registry allow-list YAML: where the image, its base image and the images of the "
                          "deployment manifests may come from; scc's own file, or the Kyverno ClusterPolicy, "
                          "Gatekeeper K8sAllowedRepos or Sigstore ClusterImagePolicy the platform enforces "
                          "(docs/registry-policy.md)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def gate_options(function: Callable[..., Any]) -> Callable[..., Any]:
    for name in reversed(GATE_OPTIONS):
        label = f"CAT {'I' * int(name[-1])} STIG findings" if name.startswith("cat") else f"{name} vulnerabilities"
        label = "vulnerabilities of unknown severity" if name == "unknown" else label
        label = "known malicious packages (default 0 whenever a gate runs)" if name == "malicious" else label
        function = click.option(option_name(name), f"max_{name}", default=None, metavar="N",
                                help=f"Fail (exit 1) when more than N open {label}.")(function)
    return function


def _assess(inputs: tuple[str, ...], baseline: str | None, sla: dict[str, int] | None, max_scan_age: int,
            overrides: str | None, keys: tuple[str, ...], system_name: str, previous: str | None = None,
            benchmarks: tuple[str, ...] = (), attestations: str | None = None, profile: str | None = None,
            templates: str | None = None, progress: Progress = NO_PROGRESS, registry_policy: str | None = None,
            jobs: int = 1):
    from scc.assessment import assess
    from scc.content.required import require_content

    require_content(baseline, benchmarks)   # asked for by name and not cached: exit 2 before any work
    return assess(inputs, build_settings(baseline, sla, max_scan_age, overrides, keys, system_name, previous,
                                         benchmarks, attestations, profile, templates,
                                         registry_policy=registry_policy), progress=progress, jobs=jobs)


def build_settings(baseline: str | None, sla: dict[str, int] | None, max_scan_age: int, overrides: str | None,
                   keys: tuple[str, ...], system_name: str, previous: str | None = None,
                   benchmarks: tuple[str, ...] = (),
                   attestations: str | None = None, profile: str | None = None, templates: str | None = None,
                   registry_policy: str | None = None):
    """The Settings the assessment options give (the caller checks the named content is cached)."""
    from scc.assessment import Settings

    settings = Settings(baseline=baseline, max_scan_age_days=max_scan_age,
                        overrides=Path(overrides) if overrides else None,
                        attestations=Path(attestations) if attestations else None,
                        keys=[Path(k) for k in keys], system_name=system_name,
                        previous=Path(previous) if previous else None,
                        profile=Path(profile) if profile else None,
                        templates=Path(templates) if templates else None,
                        registry_policy=Path(registry_policy) if registry_policy else None)
    if benchmarks:
        settings.benchmarks = tuple(dict.fromkeys(benchmarks))
    if sla:
        settings.sla_days = sla
    return settings


def _thresholds(options: dict[str, Any]):
    from scc.gate import parse_threshold

    return [parse_threshold(name, options[f"max_{name}"]) for name in GATE_OPTIONS
            if options.get(f"max_{name}") is not None]


def _run_gate(assessment, thresholds, quiet: bool = False) -> None:
    from scc.gate import breaches, unknown_severity_line

    unknown = unknown_severity_line(assessment, thresholds)
    if unknown and not quiet:
        click.echo(unknown, err=True)
    lines = breaches(assessment, thresholds)
    for line in lines:
        click.echo(line, err=True)
    if lines:
        sys.exit(1)


def _gate_document(assessment, thresholds) -> dict[str, Any] | None:
    from scc.gate import gate_result

    return gate_result(assessment, thresholds) if thresholds else None


def run_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--quiet and --verbose: how much a command says on stderr besides errors."""
    function = click.option("-v", "--verbose", is_flag=True,
                            help="Also print every note and how long each phase took (stderr).")(function)
    return click.option("-q", "--quiet", is_flag=True,
                        help="Print only errors and gate breaches: no progress, notes or summary line.")(function)


def _check_run_options(quiet: bool, verbose: bool) -> None:
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose exclude each other")


def _default_jobs() -> int:
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if callable(affinity) else (os.cpu_count() or 1)


def _chosen_writers(formats: tuple[str, ...], skip: tuple[str, ...]):
    from scc.writers import available_writers
    from scc.writers.selection import select_writers

    return select_writers(available_writers(), formats or None, skip)


def _echo_notes(notes: list[str]) -> None:
    for note in sorted(set(notes)):
        click.echo(f"note: {note}", err=True)


def _say_notes(assessment) -> None:
    _echo_notes([*assessment.notes, *assessment.facts.passed_over])
    from scc.content import missing_warning_once
    from scc.content.required import CONTENT_NOTE_PREFIX

    message = missing_warning_once()   # marks the message as said; the notes above already said it
    if message and not any(n.startswith(CONTENT_NOTE_PREFIX) for n in assessment.notes):
        click.echo(f"note: {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scc")
def cli() -> None:
    """Container image facts -> NIST 800-53 / DISA STIG accreditation evidence."""


_FORMATS_HELP = ("Outputs to write, by format name or family, comma-separated or repeated (default: all), e.g. "
                 "oscal,xlsx or oscal-ar,pdf; an unknown name lists every valid one (docs/usage.md). "
                 "manifest.json is always written.")


@cli.command()
@assessment_options
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Package directory.")
@click.option("--templates", type=click.Path(exists=True, file_okay=False), default=None, metavar="DIR",
              help="Directory whose ssp.html.j2 overrides blocks of the SSP PDF template (docs/ssp.md).")
@click.option("--formats", "formats", multiple=True, metavar="NAMES", help=_FORMATS_HELP)
@click.option("--skip", "skip", multiple=True, metavar="NAMES",
              help="Outputs to leave out (the names of --formats), e.g. --skip pdf.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Processes for assessing a large image and writing outputs (default: the CPUs; 1 = serial).")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON summary (outputs, counts, verdicts, notes, gate) on stdout.")
@run_options
@gate_options
def package(inputs, baseline, sla, max_scan_age, overrides, attestations, keys, system_name, previous, benchmarks,
            profile, registry_policy, out_dir, templates, formats, skip, jobs, as_json, quiet, verbose, **gate) -> None:
    """Assess INPUTS and write the ATO package (OSCAL, XCCDF, CKL, POA&M, SSP PDF, manifest) to --out."""
    _check_run_options(quiet, verbose)
    thresholds = _thresholds(gate)  # a malformed threshold fails before any work is done
    chosen = _chosen_writers(formats, skip)   # so does an unknown format name
    from scc.cli.progress import run_reporter
    from scc.package_dir import check_out_dir

    side_inputs = (overrides, previous, attestations, profile, templates, registry_policy)
    check_out_dir(out_dir, [*inputs, *keys, *(p for p in side_inputs if p)])  # before any reading
    with run_reporter(quiet, verbose) as reporter:
        with paused_then_kept():   # the writers' allocations need not traverse the facts and the Report
            assessment = _assess(inputs, baseline, sla, max_scan_age, overrides, keys, system_name, previous,
                                 benchmarks=benchmarks, attestations=attestations, profile=profile,
                                 templates=templates, progress=reporter, registry_policy=registry_policy,
                                 jobs=jobs or _default_jobs())
        target = assessment.write_package(out_dir, formats=formats or None, skip=skip,
                                          jobs=jobs or _default_jobs(), progress=reporter)
    if not quiet:
        _say_notes(assessment)
    reporter.say_timings()
    if as_json:
        from scc.cli.summaries import echo_json, package_summary

        echo_json(package_summary(assessment, Path(target), chosen, _gate_document(assessment, thresholds)))
    elif not quiet:
        counts = assessment.verdict_counts()
        summary = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
        attested = sum(assessment.attested_counts()["rules"].values())
        summary += f" ({attested} rule verdicts attested by people)" if attested else ""
        click.echo(f"wrote {target}/ for {assessment.facts.identity.reference}: {summary}")
    _run_gate(assessment, thresholds, quiet or as_json)


@cli.command()
@assessment_options
@click.option("--json", "as_json", is_flag=True,
              help="Print the thresholds, open counts, breaches and pass/fail as JSON on stdout.")
@run_options
@gate_options
def gate(inputs, baseline, sla, max_scan_age, overrides, attestations, keys, system_name, previous, benchmarks,
         profile, registry_policy, as_json, quiet, verbose, **gate_values) -> None:
    """Exit non-zero with one line per breached threshold (for CI)."""
    _check_run_options(quiet, verbose)
    thresholds = _thresholds(gate_values)
    if not thresholds:
        raise click.UsageError("give at least one threshold, e.g. --max-cat1 0 --max-open-critical 0")
    from scc.cli.progress import run_reporter

    with run_reporter(quiet, verbose) as reporter, paused_then_kept():
        assessment = _assess(inputs, baseline, sla, max_scan_age, overrides, keys, system_name, previous,
                             benchmarks=benchmarks, attestations=attestations, profile=profile, progress=reporter,
                             registry_policy=registry_policy)
    if verbose:
        _say_notes(assessment)
    elif not quiet:
        _echo_notes(assessment.override_notes)  # the same lines `scc package` prints for them
    reporter.say_timings()
    if as_json:
        from scc.cli.summaries import echo_json, gate_summary

        echo_json(gate_summary(assessment, _gate_document(assessment, thresholds) or {}))
    _run_gate(assessment, thresholds, quiet or as_json)
    if not (quiet or as_json):
        click.echo("gate: passed")


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--key", "keys", multiple=True, type=click.Path(dir_okay=False), help="Public key (PEM).")
@run_options
def facts(inputs, as_json, keys, quiet, verbose) -> None:
    """Show what scc understood from each input and the merged image facts."""
    _check_run_options(quiet, verbose)
    from dataclasses import replace

    from scc.cli.progress import run_reporter
    from scc.engine.slsa import assess_level
    from scc.engine.tables import load_tables
    from scc.facts import ReadContext, load_verification_keys
    from scc.facts.summary import facts_report, render_facts_report

    context = ReadContext.from_env(keys=load_verification_keys([Path(k) for k in keys]))
    builders = load_tables().slsa_builders
    with run_reporter(quiet, verbose) as reporter, paused_then_kept():
        report = facts_report(list(inputs), replace(context, progress=reporter, jobs=_default_jobs()),
                              lambda p: assess_level(p, builders).level)
    reporter.say_timings()
    click.echo(json.dumps(report, indent=2) if as_json else render_facts_report(report))


@cli.command()
@click.option("--file", "path", required=True, type=click.Path(dir_okay=False), help="Attestations YAML to append to.")
@click.option("--rule", default=None, metavar="ID", help="Rule id, SRG version, V- or SV- id.")
@click.option("--control", default=None, metavar="ID", help="800-53 control id (every manual rule of it).")
@click.option("--ssdf", default=None, metavar="TASK", help="NIST SSDF task id (PO.1.1), as frameworks/ssdf.yaml names it.")
@click.option("--cisa", default=None, metavar="ITEM", help="CISA attestation form item id (1a, 2, 4c).")
@click.option("--status", required=True, type=click.Choice(["passed", "failed"]))
@click.option("--explanation", required=True, help="What the person checked and found.")
@click.option("--by", "updated_by", required=True, metavar="NAME", help="Who attests (name, role).")
@click.option("--date", "updated", default=None, metavar="YYYY-MM-DD", help="Attestation date (default: today).")
@click.option("--frequency", default=None, help="How often it is renewed: monthly, quarterly, annually, 90d ...")
@click.option("--expires", default=None, metavar="YYYY-MM-DD", help="Last day it applies (instead of --frequency).")
@click.option("--evidence", default=None, type=click.Path(dir_okay=False), help="Evidence file (its sha256 is kept).")
def attest(path, rule, control, ssdf, cisa, status, explanation, updated_by, updated, frequency, expires,
           evidence) -> None:
    """Append one attestation (a person's judgment on a manual check, an SSDF task or a CISA form item) to
    --file, after validating it."""
    from scc.engine.attestations import append_attestation

    entry = append_attestation(Path(path), rule=rule, control=control, status=status, explanation=explanation,
                               updated_by=updated_by, updated=updated, frequency=frequency, expires=expires,
                               evidence=Path(evidence) if evidence else None, ssdf=ssdf, cisa=cisa)
    target = next(entry[k] for k in ("rule", "control", "ssdf", "cisa") if k in entry)
    click.echo(f"{path}: attested {entry['status']} for {target}, "
               f"valid until {entry['valid_until']}")


@cli.command("init-profile")
@click.argument("path", type=click.Path(dir_okay=False))
def init_profile(path) -> None:
    """Write a commented system profile template to PATH (for --profile)."""
    from scc.profile import write_template

    click.echo(f"wrote {write_template(path)}")


def _register_optional_groups() -> None:
    from scc.cli.batch import SharedOptions, batch_command
    from scc.cli.content import content, rules
    from scc.cli.diff import diff

    cli.add_command(content)
    cli.add_command(rules)
    cli.add_command(diff)
    cli.add_command(batch_command(SharedOptions(settings_options, gate_options, build_settings, _thresholds)))


def main(argv: list[str] | None = None) -> None:
    no_last_collection()
    try:
        _register_optional_groups()
        cli.main(args=argv, prog_name="scc", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("scc: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        click.echo(f"scc: error: {exc.format_message()}", err=True)
        sys.exit(2)
    except SccError as exc:
        click.echo(f"scc: error: {exc}", err=True)
        sys.exit(2)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - the promise is one line, never a traceback
        click.echo(f"scc: internal error: {type(exc).__name__}: {exc} (please report this)", err=True)
        sys.exit(3)
