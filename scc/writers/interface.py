"""The writer axis: one module per output format, each exposing ``WRITER = SomeWriter()``.

A writer renders a Report (scc.report) to bytes. It reads verdicts; it never decides them, and it
never imports the engine.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from scc.report import Report


class Writer(ABC):
    #: stable output name, e.g. "oscal-component-definition"
    name: ClassVar[str]
    #: file name inside an ATO package
    filename: ClassVar[str]
    #: media type recorded in the manifest
    media_type: ClassVar[str] = "application/octet-stream"
    #: package order (manifest and writing order only)
    order: ClassVar[int] = 50
    #: short name for ``scc package --formats/--skip`` (e.g. "pdf", "oscal-ar"); '' means ``name``. The part
    #: before the first "-" names a family too: "oscal" chooses every oscal-* writer (scc.writers.select_writers)
    format: ClassVar[str] = ""
    #: rough render time relative to the cheap writers (1): how the package divides writers among processes
    cost: ClassVar[int] = 1

    @abstractmethod
    def render(self, report: Report) -> bytes:
        """The complete output document."""
