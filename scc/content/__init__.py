"""Official control content: NIST SP 800-53 rev5 (OSCAL catalog and baselines), DISA CCIs and SRG/STIGs.

This package owns the registry of publisher sources, their download and air-gap transfer, the
verified cache, and the parsers into plain objects. Importing it is cheap: the submodules (and
requests, lxml, json parsing) load only when something is asked for.

    store = default_store()            # SCC_CONTENT_DIR or the user cache dir scc/content
    catalog = store.catalog()          # None when the catalog has not been fetched/imported
    store.missing_message()            # one line saying what is missing and how to get it
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "ContentStore": "scc.content.store",
    "default_store": "scc.content.store",
    "default_directory": "scc.content.store",
    "missing_warning_once": "scc.content.store",
    "Catalog": "scc.content.model",
    "Control": "scc.content.model",
    "Param": "scc.content.model",
    "Baseline": "scc.content.model",
    "Cci": "scc.content.model",
    "CciList": "scc.content.model",
    "Benchmark": "scc.content.model",
    "BenchmarkRule": "scc.content.model",
    "controls_for_cci": "scc.content.disa",
    "control_ids_from_index": "scc.content.disa",
    "SOURCES": "scc.content.registry",
    "Source": "scc.content.registry",
}

if TYPE_CHECKING:
    from scc.content.disa import control_ids_from_index, controls_for_cci
    from scc.content.model import Baseline, Benchmark, BenchmarkRule, Catalog, Cci, CciList, Control, Param
    from scc.content.registry import SOURCES, Source
    from scc.content.store import ContentStore, default_directory, default_store, missing_warning_once


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'scc.content' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "SOURCES", "Baseline", "Benchmark", "BenchmarkRule", "Catalog", "Cci", "CciList", "ContentStore", "Control",
    "Param", "Source", "control_ids_from_index", "controls_for_cci", "default_directory", "default_store",
    "missing_warning_once",
]
