"""``scc diff OLD NEW``: the posture change between two ``scc package`` folders (scc.diff does the work).

Exit codes: 0 no regression (or no --fail-on), 1 posture regressed with ``--fail-on regressed``, 2 bad
input (not a package, a file altered after the package was written).
"""
from __future__ import annotations

import sys

import click

SEVERITIES = ("critical", "high", "medium", "low", "negligible", "unknown")


@click.command("diff")
@click.argument("old", type=click.Path(file_okay=False))
@click.argument("new", type=click.Path(file_okay=False))
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="text for a terminal, json (documented shape), markdown for a PR comment.")
@click.option("--fail-on", type=click.Choice(["regressed"]), default=None,
              help="Exit 1 when posture regressed (a verdict got worse, a new open finding at or above "
                   "--fail-severity, or more open CAT I).")
@click.option("--fail-severity", type=click.Choice(SEVERITIES), default="high", show_default=True,
              help="Lowest severity of a new open finding that counts as a regression.")
def diff(old: str, new: str, output_format: str, fail_on: str | None, fail_severity: str) -> None:
    """Compare two `scc package` folders: verdicts, findings, components, overrides, content."""
    from scc.posture import diff as posture_diff

    result = posture_diff(old, new, fail_severity=fail_severity)
    rendered = {"text": result.to_text, "json": result.to_json, "markdown": result.to_markdown}[output_format]()
    click.echo(rendered, nl=False)
    if fail_on == "regressed" and result.regressed:
        sys.exit(1)
