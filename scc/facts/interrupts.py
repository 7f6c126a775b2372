"""Termination signals as exceptions while scc holds temporary files: see scc.interrupts.

It lives outside scc.facts because the package writer (scc.package_dir) needs it too, and scc.facts
imports scc.package_dir; this module keeps the readers' import path.
"""
from __future__ import annotations

from scc.interrupts import Terminated, signals_as_exceptions

__all__ = ["Terminated", "signals_as_exceptions"]
