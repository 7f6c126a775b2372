"""The check vocabulary: named, parameterised checks that rules in controls/ and stig/ refer to.

Each submodule registers its checks with ``@check(name, **param_defaults)``. A check takes the
ImageFacts, its validated parameters and the CheckContext, and returns a CheckOutcome: a verdict,
one sentence of reason an assessor would accept, the evidence it used, and template details.
Rule YAML never holds code; it only names a check and sets its parameters.

Each check also declares the facts it ``consults`` ("filesystem.sshd_settings", "config", "components",
...): `scc rules lint` fails when a check consults a fact no reader collects.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from scc.engine.model import CheckOutcome
from scc.engine.tables import DataTables, load_tables
from scc.facts.model import ImageFacts


@dataclass(frozen=True)
class CheckContext:
    """What every check may consult besides the facts: the clock, policy values and the data tables.

    ``tables`` defaults to the shipped controls/ tables, read when the context is made (never inside
    a check); tests and callers pass their own DataTables to decide with other data.
    """

    now: datetime
    sla_days: dict[str, int] = field(default_factory=dict, hash=False)   # severity -> days to remediate
    max_scan_age_days: int = 30
    tables: DataTables = field(default_factory=load_tables, hash=False)


CheckFunction = Callable[[ImageFacts, dict[str, Any], CheckContext], CheckOutcome]


@dataclass(frozen=True)
class CheckSpec:
    name: str
    function: CheckFunction
    defaults: dict[str, Any]
    doc: str
    consults: tuple[str, ...] | None = None      # None: not declared (`scc rules lint` reports it)


_REGISTRY: dict[str, CheckSpec] = {}
#: What the supply-chain and vulnerability checks consult, declared here (their modules change often).
_CONSULTS: dict[str, tuple[str, ...]] = {
    "provenance_present": ("provenance",),
    "provenance_covers_image": ("provenance", "identity.digest"),
    "slsa_build_level": ("provenance",),
    "signature_verified": ("signatures", "provenance"),
    "component_authenticity": ("provenance", "identity.digest", "sboms", "components"),
    "vulnerability_scan_current": ("scans",),
    "findings_remediated_within_sla": ("findings", "vex", "scans"),
    "findings_without_fix": ("findings", "vex"),
    "findings_vex_triaged": ("findings", "vex"),
}


def check(name: str, consults: tuple[str, ...] | None = None, **defaults: Any) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under ``name``; ``consults`` names the ImageFacts fields it reads (dotted for
    FilesystemFacts fields, e.g. "filesystem.pam_auth"); keyword arguments are its parameters with
    their defaults."""

    def register(function: CheckFunction) -> CheckFunction:
        if name in _REGISTRY:
            raise RuntimeError(f"check {name!r} registered twice")
        _REGISTRY[name] = CheckSpec(name, function, defaults, (function.__doc__ or "").strip(),
                                    tuple(consults) if consults is not None else _CONSULTS.get(name))
        return function

    return register


@lru_cache(maxsize=1)
def registry() -> dict[str, CheckSpec]:
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return dict(_REGISTRY)
