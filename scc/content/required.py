"""Content a run asked for by name must be there: an explicit baseline or benchmark that is not cached is an error.

The default run (no baseline, the default benchmarks) works from the rule packs alone and says so
once: ``content_note`` is the one sentence the output, manifest.json and the SSP carry.
"""
from __future__ import annotations

from collections.abc import Iterable

from scc.content import registry
from scc.errors import ContentError, UsageError

CONTENT_NOTE_PREFIX = "official content not cached"


def require_content(baseline: str | None, benchmarks: Iterable[str] = (), store=None) -> None:
    """Raise ContentError naming what is missing and the command that gets it; UsageError for unknown names."""
    from scc.content.store import default_store

    store = store or default_store()
    needed: dict[str, str] = {}      # registry name -> what asked for it
    if baseline:
        source = registry.baseline_source(baseline)
        if source is None:
            raise UsageError(f"unknown baseline {baseline!r} (known: {', '.join(registry.ALL_BASELINES)})")
        for name in (source.name, registry.CATALOG):   # a profile is resolved against the catalog
            needed.setdefault(name, f"baseline {baseline}")
    known = registry.benchmark_names()
    for name in benchmarks:
        if name not in known:
            raise UsageError(f"unknown benchmark {name!r} (known: {', '.join(known)})")
        needed.setdefault(name, f"benchmark {name}")
    missing = [name for name in needed if not store.has(name)]
    if missing:
        what = ", ".join(f"{name} (for {needed[name]})" if needed[name] != f"benchmark {name}" else name
                         for name in missing)
        raise ContentError(
            f"official content asked for is not in the content cache {store.directory}: {what}; run "
            f"`scc content fetch {' '.join(missing)}` (online) or `scc content import BUNDLE` (air-gapped)")


def content_note(store=None) -> str | None:
    """One path-free sentence when official content is missing, for the output and the package; else None."""
    from scc.content.store import default_store

    store = store or default_store()
    missing = store.missing()
    if not missing:
        return None
    everything = len(missing) == len(registry.DEFAULT_SOURCES)
    return (f"{CONTENT_NOTE_PREFIX} ({'none at all' if everything else 'missing: ' + ', '.join(missing)}): "
            "this assessment comes from scc's rule packs alone, without the official catalog text, baselines, "
            "CCI-to-control mappings or SRG/STIG requirement lists that are missing; run `scc content fetch` "
            "(online) or `scc content import BUNDLE` (air-gapped)")
