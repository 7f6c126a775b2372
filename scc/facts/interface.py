"""The reader axis: one module per input format, each exposing ``READER = SomeReader()``.

A reader claims a document by content (``sniff``), never by file name, and turns it into a
partial ImageFacts whose every fact carries Evidence pointing into that document.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from scc.errors import InputError
from scc.facts.model import ImageFacts
from scc.facts.source import InputDocument


class Reader(ABC):
    #: stable format name shown to users and stored in InputFile.format, e.g. "cyclonedx-json"
    format: ClassVar[str]

    @abstractmethod
    def sniff(self, doc: InputDocument) -> bool:
        """True when this reader recognises the document's content. Must be cheap and never raise."""

    @abstractmethod
    def read(self, doc: InputDocument) -> ImageFacts:
        """Read the facts; raise InputError (doc.fail(...)) naming the field when the content is malformed."""


def read_with(reader: Reader, doc: InputDocument) -> ImageFacts:
    """``reader.read(doc)``, with malformed content reported as one InputError naming the file.

    Readers check the shape of what they read (scc.facts.jsonfields, ``doc.fail``), so only two
    slips of the content itself are translated here: nesting too deep to parse safely, and a value
    of the right type that a parser refuses (ValueError, e.g. a date, number or base64 that is not
    one). Anything else (KeyError, TypeError, AttributeError, IndexError ...) is a bug in scc and
    propagates, so the CLI reports it as such (exit 3) instead of blaming the input.
    """
    try:
        return reader.read(doc)
    except InputError:
        raise
    except RecursionError as exc:
        raise doc.fail(f"{reader.format}: nested too deeply to read safely") from exc
    except ValueError as exc:
        raise doc.fail(f"{reader.format}: unexpected content ({type(exc).__name__}: {exc})") from exc
