"""The `scc content` (fetch/list/verify/export/import) and `scc rules lint` command groups.

scc/cli/app.py adds both groups to the main command. Heavy modules load inside each command, so
importing this module costs only click.
"""
from __future__ import annotations

import sys
import time

import click

from scc.errors import SccError

_DIR_HELP = "content cache directory (default: SCC_CONTENT_DIR or the user cache dir scc/content)"


def _store(directory: str | None):
    from scc.content.store import ContentStore

    return ContentStore(directory)


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group("content")
def content() -> None:
    """Official NIST and DISA content: fetch, list, verify, and carry it across an air gap."""


def _note(line: str) -> None:
    click.echo(f"note: {line}", err=True)


_ACCEPT_HELP = ("accept a release scc has no pin for (or other bytes for a pinned one) after you checked it; "
                "its sha256 is printed and recorded in the lock")


@content.command("fetch")
@click.argument("names", nargs=-1)
@click.option("--url", "urls", multiple=True, metavar="NAME=URL", help="download NAME from URL instead (https)")
@click.option("--mirror", metavar="URL",
              help="fetch every source from this mirror (file names kept); may be http on this machine or file://")
@click.option("--accept-new", is_flag=True, help=_ACCEPT_HELP)
@click.option("--dir", "directory", type=click.Path(file_okay=False), help=_DIR_HELP)
def fetch_command(names: tuple[str, ...], urls: tuple[str, ...], mirror: str | None, accept_new: bool,
                  directory: str | None) -> None:
    """Download NAMES (default: every registry source) from their publishers into the cache."""
    from scc.content.fetch import Limits, fetch

    overrides = {}
    for item in urls:
        name, sep, url = item.partition("=")
        if not sep or not url:
            _fail(f"--url takes NAME=URL, got {item!r}")
        overrides[name.strip()] = url.strip()
    store = _store(directory)
    try:
        done, failures = fetch(store, list(names) or None, overrides, mirror=mirror,
                               limits=Limits(accept_new=accept_new), notify=_note)
    except SccError as exc:
        _fail(str(exc))
    for fetched in done:
        entry = fetched.entry
        click.echo(f"fetched {entry.name}: {entry.file} (release {entry.release or 'not stated'}, {entry.size} bytes, "
                   f"sha256 {entry.sha256}, {entry.trust})")
        if fetched.note:
            _note(f"{fetched.note}; sha256 {entry.sha256} recorded in the lock")
    for line in failures:
        click.echo(f"error: {line}", err=True)
    if failures:
        sys.exit(2)


@content.command("list")
@click.option("--dir", "directory", type=click.Path(file_okay=False), help=_DIR_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the sources and their cache state as JSON on stdout.")
def list_command(directory: str | None, as_json: bool) -> None:
    """Every registry source, its publisher URL, and whether (and when) it is cached."""
    from scc.content.registry import SOURCES

    store = _store(directory)
    try:
        lock = store.lock()
    except SccError as exc:
        _fail(str(exc))
    if as_json:
        from scc.cli.summaries import content_summary, echo_json

        echo_json(content_summary(store))
        return
    click.echo(f"content directory: {store.directory}")
    for source in SOURCES:
        entry = lock.get(source.name)
        state = "not cached (optional: fetched when asked for by name)" if source.optional else "missing"
        if entry:
            release = entry.release or "release not recorded"
            if entry.release and source.release and entry.release != source.release:
                release += f" (scc pins {source.release})"
            state = (f"cached {release} {entry.retrieved} ({entry.origin}, {entry.trust or 'unchecked'}) "
                     f"sha256 {entry.sha256[:12]}")
        click.echo(f"{source.name:26} {source.kind:9} {state}")
        click.echo(f"{'':26} {source.url}")


@content.command("verify")
@click.option("--dir", "directory", type=click.Path(file_okay=False), help=_DIR_HELP)
def verify_command(directory: str | None) -> None:
    """Check every cached file against the lock (sha256, size) and that it parses."""
    from scc.content.registry import SOURCES

    store = _store(directory)
    try:
        empty = not store.lock()
    except SccError as exc:
        _fail(str(exc), 1)
    if empty:
        click.echo(f"error: no content in {store.directory}: nothing to verify "
                   "(run `scc content fetch` online or `scc content import BUNDLE`)", err=True)
        sys.exit(1)
    problems = store.verify()
    if not problems:
        for source in SOURCES:
            if not store.has(source.name):
                continue
            started = time.perf_counter()
            try:
                _load(store, source)
            except SccError as exc:
                problems.append(str(exc))
                continue
            click.echo(f"ok {source.name} ({(time.perf_counter() - started) * 1000:.0f} ms)")
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if problems:
        sys.exit(1)
    missing = store.missing()
    if missing:
        click.echo(f"not cached: {', '.join(missing)}")


def _load(store, source) -> None:
    if source.kind == "catalog":
        store.catalog()
    elif source.kind == "profile":
        store.baseline(source.baseline)
    elif source.kind == "cci":
        store.cci()
    else:
        store.benchmark(source.name)


@content.command("export")
@click.argument("bundle", type=click.Path(dir_okay=False))
@click.option("--name", "names", multiple=True, help="export only these sources")
@click.option("--dir", "directory", type=click.Path(file_okay=False), help=_DIR_HELP)
def export_command(bundle: str, names: tuple[str, ...], directory: str | None) -> None:
    """Write the verified cache (files + lock) to BUNDLE.tar.gz for transfer into an enclave."""
    from scc.content.bundle import export_bundle

    try:
        exported = export_bundle(_store(directory), bundle, list(names) or None, notify=_note)
    except SccError as exc:
        _fail(str(exc))
    click.echo(f"exported {len(exported)} sources to {bundle}: {', '.join(exported)}")


@content.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--accept-new", is_flag=True, help=_ACCEPT_HELP)
@click.option("--dir", "directory", type=click.Path(file_okay=False), help=_DIR_HELP)
def import_command(paths: tuple[str, ...], accept_new: bool, directory: str | None) -> None:
    """Import a bundle (checked against its lock) or directories of publisher files (recognised by content)."""
    from scc.content.bundle import import_content

    store = _store(directory)
    try:
        entries = import_content(store, list(paths), accept_new=accept_new, notify=_note)
    except SccError as exc:
        _fail(str(exc))
    for entry in entries:
        click.echo(f"imported {entry.name}: {entry.file} (release {entry.release or 'not stated'}, "
                   f"sha256 {entry.sha256}, {entry.trust})")
    missing = store.missing()
    if missing:
        click.echo(f"still missing: {', '.join(missing)}")


@click.group("rules")
def rules() -> None:
    """Rule pack maintenance."""


@rules.command("lint")
@click.option("--dir", "directory", type=click.Path(file_okay=False), help=_DIR_HELP)
@click.option("--packs", multiple=True, type=click.Path(file_okay=False, exists=True),
              help="rule pack directories (default: the shipped controls/ and stig/)")
def lint_command(directory: str | None, packs: tuple[str, ...]) -> None:
    """Check every control, SRG/STIG id and CCI the rule packs cite against the official content, and every
    rule the SSDF / CISA form mapping (frameworks/ssdf.yaml) names against the rule packs."""
    from pathlib import Path

    from scc.content.lint import lint_rules, lint_ssdf
    from scc.engine.rules import load_rule_packs

    try:
        loaded = load_rule_packs([Path(p) for p in packs] if packs else None)
        problems = lint_rules(loaded, _store(directory))
        if not packs:   # the shipped SSDF mapping names the shipped rules
            problems += lint_ssdf(loaded)
    except SccError as exc:
        _fail(str(exc))
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problems in {len(loaded)} rules", err=True)
        sys.exit(1)
    checked = "; the SSDF mapping names only rules that exist" if not packs else ""
    click.echo(f"{len(loaded)} rules agree with the official content{checked}")
