"""The engine: ``run(facts, rules, policy, clock) -> Report`` (scc.engine.pipeline), a pure function."""
from __future__ import annotations

from scc.engine.pipeline import run
from scc.report import Policy, Report

__all__ = ["Policy", "Report", "run"]
