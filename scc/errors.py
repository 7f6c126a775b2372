"""The one error family scc raises for anything a user can fix.

The CLI turns every SccError into a single line on stderr and exit code 2; library callers
catch SccError (or a subclass) and read ``str(err)``.
"""
from __future__ import annotations


class SccError(Exception):
    """A failure a user can act on; its message is one line."""


class InputError(SccError):
    """An input file that scc cannot read: names the file and what is wrong with it."""

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class RulePackError(SccError):
    """A rule pack (controls/ or stig/ YAML) that is malformed or names an unknown check."""


class ContentError(SccError):
    """Official content (catalog, baselines, CCI list, SRG/STIG) that is missing, tampered or unreadable."""


class OutputError(SccError):
    """An output that could not be written or failed its own validation."""


class UsageError(SccError):
    """A malformed option value, e.g. a gate threshold that is not a number."""
