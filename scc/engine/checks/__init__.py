"""The check vocabulary: named, parameterised checks that rules in controls/ and stig/ refer to.

Each submodule registers its checks with ``@check(name, ParamsClass)``, where ParamsClass is a frozen
dataclass of the check's parameters and their defaults (scc.engine.params). A check takes the
ImageFacts, its parameters (validated into that class when the rule pack loads) and the CheckContext, and returns a CheckOutcome: a verdict,
one sentence of reason an assessor would accept, the evidence it used, and template details.
Rule YAML never holds code; it only names a check and sets its parameters.

Each check also declares the facts it ``consults`` ("filesystem.sshd_settings", "config", "components",
...): `scc rules lint` fails when a check consults a fact no reader collects.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

from scc.engine.model import CheckOutcome
from scc.engine.params import CheckParams
from scc.engine.tables import DataTables, load_tables
from scc.facts.model import ImageFacts

if TYPE_CHECKING:
    from scc.registry_policy import RegistryPolicy
    from scc.report import RemediationClock


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
    # id(finding) -> its remediation clock for these facts, when the caller computed it once for the run
    # (scc.engine.run does); checks compute it themselves otherwise
    remediation: Mapping[int, RemediationClock] | None = field(default=None, hash=False, compare=False, repr=False)
    registry_policy: RegistryPolicy | None = field(default=None, hash=False)   # --registry-policy (None: not given)


CheckFunction = Callable[[ImageFacts, Any, CheckContext], CheckOutcome]   # Any: the check's own params class
P = TypeVar("P", bound=CheckParams)


@dataclass(frozen=True)
class CheckSpec:
    """A registered check: its function, its parameters class, its docstring and the facts it consults."""

    name: str
    function: CheckFunction
    params: type[CheckParams]
    doc: str
    consults: tuple[str, ...] | None = None      # None: not declared (`scc rules lint` reports it)

    @property
    def defaults(self) -> dict[str, Any]:
        """Each parameter's default value, by name."""
        instance = self.params()
        return {f.name: getattr(instance, f.name) for f in fields(instance)}


_REGISTRY: dict[str, CheckSpec] = {}
#: What the supply-chain and vulnerability checks consult, declared here (their modules change often).
_CONSULTS: dict[str, tuple[str, ...]] = {
    "provenance_present": ("provenance", "attestations"),
    "provenance_covers_image": ("provenance", "identity.digest", "attestations"),
    "slsa_build_level": ("provenance", "attestations"),
    "signature_verified": ("signatures", "provenance"),
    "component_authenticity": ("provenance", "identity.digest", "sboms", "components"),
    "vulnerability_scan_current": ("scans",),
    "findings_remediated_within_sla": ("findings", "vex", "scans"),
    "findings_without_fix": ("findings", "vex"),
    "findings_vex_triaged": ("findings", "vex"),
}


def check(
    name: str, params: type[P], consults: tuple[str, ...] | None = None
) -> Callable[[Callable[[ImageFacts, P, CheckContext], CheckOutcome]],
              Callable[[ImageFacts, P, CheckContext], CheckOutcome]]:
    """Register a check under ``name``; ``params`` is its frozen parameters dataclass (CheckParams when it
    takes none); ``consults`` names the ImageFacts fields it reads (dotted for FilesystemFacts fields,
    e.g. "filesystem.pam_auth")."""

    def register(
        function: Callable[[ImageFacts, P, CheckContext], CheckOutcome]
    ) -> Callable[[ImageFacts, P, CheckContext], CheckOutcome]:
        if name in _REGISTRY:
            raise RuntimeError(f"check {name!r} registered twice")
        _REGISTRY[name] = CheckSpec(name, function, params, (function.__doc__ or "").strip(),
                                    tuple(consults) if consults is not None else _CONSULTS.get(name))
        return function

    return register


@lru_cache(maxsize=1)
def registry() -> dict[str, CheckSpec]:
    """Every registered check by name (importing each check module once)."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return dict(_REGISTRY)
