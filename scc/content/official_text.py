"""The official benchmarks a set of rules cites, read from a content store, for the rules' official text.

Rule packs carry DISA's ids but not DISA's prose; ``scc.engine.rules.with_official_text`` fills the
prose in from the mapping this module builds. Names outside the registry, and benchmarks that are
not cached, are simply absent (the rules then say the official text was not available).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from scc.content.registry import BY_NAME

if TYPE_CHECKING:
    from scc.content.model import Benchmark
    from scc.engine.model import Rule
    from scc.report import ContentSource


def cited_official_benchmarks(rules: Iterable[Rule], store: ContentSource | None) -> dict[str, Benchmark]:
    """Benchmark name -> the cached official benchmark, for every registry benchmark the rules cite."""
    if store is None:
        return {}
    found: dict[str, Benchmark] = {}
    for name in dict.fromkeys(ref.benchmark for rule in rules for ref in rule.srg):
        source = BY_NAME.get(name)
        if source is None or source.kind != "benchmark":
            continue
        benchmark = store.benchmark(name)
        if benchmark is not None:
            found[name] = benchmark
    return found
