"""The engine: ``run(facts, rules, policy, clock) -> Report`` (scc.engine.pipeline), a pure function."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scc.engine.pipeline import run
    from scc.report import Policy, Report

__all__ = ["Policy", "Report", "run"]


def __getattr__(name: str) -> Any:
    """The names above, imported when first asked for: importing a submodule (scc.engine.slsa for
    `scc facts`) does not import the whole engine."""
    if name == "run":
        from scc.engine.pipeline import run

        return run
    if name in ("Policy", "Report"):
        import scc.report

        return getattr(scc.report, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
