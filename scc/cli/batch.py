"""`scc batch CATALOG --out DIR`: many images in one run (the work is scc.batch's; this only wires it).

Exit code: the worst any image reached: 3 when scc hit a bug on some image, else 2 when some image had
bad input (or the catalog / --out / an option is unusable, before any image runs), else 1 when some
image breached a gate threshold, else 0.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


@dataclass(frozen=True)
class SharedOptions:
    """What `scc batch` reuses from `scc package`, handed over by scc.cli.app (which owns them), so that
    the batch command has the same options, parsed the same way, without importing the app back."""

    settings_options: Decorator                 # --baseline, --sla, --overrides, --key, --profile ...
    gate_options: Decorator                     # --max-cat1 ... --max-open-unknown
    build_settings: Callable[..., Any]          # those option values -> scc.assessment.Settings
    thresholds: Callable[[dict[str, Any]], Any]  # the gate option values -> [scc.gate.Threshold]


def batch_command(shared: SharedOptions) -> click.Command:
    """The `scc batch` command, built with the package command's own option decorators."""

    @click.command()
    @click.argument("catalog", type=click.Path())
    @shared.settings_options
    @click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
                  help="Batch directory: one package per image in DIR/<image>/, and DIR/summary.{csv,xlsx,html,json}.")
    @click.option("--templates", type=click.Path(exists=True, file_okay=False), default=None, metavar="DIR",
                  help="Directory whose ssp.html.j2 overrides blocks of the SSP PDF template (docs/ssp.md).")
    @click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
                  help="Images assessed at once: local processes, or LocalCluster workers with --executor dask.")
    @click.option("--executor", type=click.Choice(["processes", "dask"]), default="processes", show_default=True,
                  help="Local processes (concurrent.futures) or dask.distributed (pip install 'scc[batch]').")
    @click.option("--scheduler", default=None, metavar="ADDRESS",
                  help="With --executor dask: an existing cluster's scheduler (tcp://host:8786) instead of a "
                       "LocalCluster; its workers must see the same files.")
    @click.option("--formats", "formats", multiple=True, metavar="NAMES",
                  help="Outputs to write in every package, as `scc package --formats` (default: all), e.g. "
                       "--formats oscal,xlsx; manifest.json is always written.")
    @click.option("--skip", "skip", multiple=True, metavar="NAMES",
                  help="Outputs to leave out of every package (the names of `scc package --formats`), e.g. --skip pdf.")
    @shared.gate_options
    def batch(catalog, baseline, sla, max_scan_age, overrides, attestations, keys, system_name, previous,
              benchmarks, profile, registry_policy, out_dir, templates, jobs, executor, scheduler, formats, skip,
              **gate) -> None:
        """Assess every image of CATALOG (a folder of evidence folders, or a YAML list) into --out.

        The options apply to every image unless its catalog entry sets them; --previous is an earlier
        `scc batch` directory (each image carries over from its own package there). One image failing
        never stops the others: its error is in the summary, and the exit code says it.
        """
        from scc.batch import run_batch
        from scc.content.required import require_content
        from scc.writers import available_writers
        from scc.writers.selection import select_writers

        thresholds = shared.thresholds(gate)   # a malformed threshold fails before any work is done
        select_writers(available_writers(), formats or None, skip)   # an unknown output name fails before any work too
        if scheduler and executor != "dask":
            raise click.UsageError("--scheduler needs --executor dask")
        if executor == "dask":
            _require_dask()
        require_content(baseline, benchmarks)
        settings = shared.build_settings(baseline, sla, max_scan_age, overrides, keys, system_name, previous,
                                         benchmarks, attestations, profile, templates,
                                         registry_policy=registry_policy)
        result = run_batch(catalog, out_dir, settings, thresholds=thresholds, jobs=jobs, executor=executor,
                           scheduler=scheduler, on_outcome=_say_outcome, formats=formats or None,
                           skip=skip)
        counts = ", ".join(f"{count} {status}" for status, count in result.summary.status_counts().items() if count)
        click.echo(f"wrote {out_dir}/ for {len(result.outcomes)} images: {counts}; summary in "
                   f"{out_dir}/summary.html (exit {result.exit_code})")
        if result.exit_code:
            sys.exit(result.exit_code)

    return batch


def _require_dask() -> None:
    import importlib.util

    from scc.batch.executors import DASK_MISSING

    if importlib.util.find_spec("dask") is None or importlib.util.find_spec("distributed") is None:
        raise click.UsageError(DASK_MISSING)


def _say_outcome(outcome) -> None:
    """One stderr line per image that did not pass, as it finishes."""
    if outcome.error:
        click.echo(f"scc: {outcome.folder}: {outcome.status.value}: {outcome.error}", err=True)
    for line in outcome.gate_lines:
        click.echo(f"scc: {outcome.folder}: {line}", err=True)
