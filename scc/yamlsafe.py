"""The one YAML loader scc uses: safe, bounded, and plain data only.

Every YAML scc reads (rule packs, data tables, an organisation's overrides, Kubernetes manifests) goes
through ``load_file``, ``load_text`` or, for a ``---``-separated stream, ``load_all_text``. On top of PyYAML's
SafeLoader (libyaml's C parser and composer when PyYAML has them, else the pure-Python ones) it:

- refuses anchors (``&a``) and aliases (``*a``) as soon as the parser meets one, before anything is
  composed, so an alias bomb ("billion laughs") costs nothing (with libyaml a first C pass over each
  document's events checks anchors, aliases and depth before the C composer, which has no hook, runs);
- refuses nesting deeper than ``MAX_DEPTH`` (50,000 ``[`` would otherwise overflow the recursive
  composer), and files larger than a byte cap, read without ever loading more than the cap;
- refuses a key given twice in one mapping (PyYAML would silently keep the last one);
- keeps dates as the text they are written as (YAML 1.2 has no timestamp type), so a caller
  checks ``2027-02-30`` itself and can say which entry is wrong.

Every failure is a ``YamlRefused`` with a one-line message that gives the line and column.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import MappingNode, Node

from scc.errors import InputError

MAX_BYTES = 1 << 20          # 1 MiB: far above any overrides file or shipped rule pack (60 kB)
MAX_DEPTH = 64               # nesting levels; real documents (Kubernetes included) stay under 20


MAX_DOCUMENTS = 10_000      # documents in one stream (a Helm chart renders tens; kustomize hundreds)

#: libyaml (PyYAML's C extension) parses and composes; without it the pure-Python loader does (same guards)
_LIBYAML: bool = bool(getattr(yaml, "__with_libyaml__", False))
_LIBYAML_MAX_NESTING = 1000  # libyaml >= 0.2.5 refuses deeper flow or block nesting in its scanner
_LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"


class YamlRefused(Exception):
    """A YAML text scc will not load; the message is one line (problem, then line and column)."""


def load_text(text: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """The plain data (dicts, lists, str, int, float, bool, None) of one YAML document."""
    with _reading(max_depth), _loader(text, max_depth) as (loader, checked):
        if checked is not None:
            next(checked, None)  # the document's events pass the guards before libyaml composes it
        return loader.get_single_data()


@dataclass(frozen=True)
class YamlDocument:
    """One document of a multi-document stream: its position (1-based), its lines, and its plain data."""

    index: int
    first_line: int          # 1-based line where its content starts
    last_line: int           # 1-based line where its content ends
    data: Any


def load_all_text(text: str, *, max_depth: int = MAX_DEPTH,
                  max_documents: int = MAX_DOCUMENTS) -> list[YamlDocument]:
    """Every document of a ``---``-separated YAML stream, with the same guards as ``load_text``
    (no anchors or aliases, bounded nesting, no key given twice) and at most ``max_documents``."""
    with _reading(max_depth), _loader(text, max_depth) as (loader, checked):
        return _documents(loader, max_documents, checked)


def _documents(loader: _GuardedLoader | _GuardedCLoader, max_documents: int,
               checked: Iterator[None] | None) -> list[YamlDocument]:
    """Compose and construct the stream's documents one by one; with the C loader each document's events
    have passed the guards (``checked``) before the C composer, which has no hook, builds its nodes."""
    documents: list[YamlDocument] = []
    while loader.check_node():
        if len(documents) >= max_documents:
            raise YamlRefused(f"more than {max_documents} YAML documents in one stream")
        if checked is not None:
            next(checked, None)
        node = loader.get_node()
        data = loader.construct_document(node) if node is not None else None
        start, end = (node.start_mark.line + 1, node.end_mark.line + 1) if node is not None else (0, 0)
        documents.append(YamlDocument(len(documents) + 1, start, end, data))
    return documents


@contextmanager
def _loader(text: str, max_depth: int) -> Iterator[tuple[_GuardedLoader | _GuardedCLoader, Iterator[None] | None]]:
    """The loader of ``text``: libyaml's when PyYAML has it, with the guard pass over its events; else the
    pure-Python one, whose composer checks each event itself."""
    if _LIBYAML:
        loader: _GuardedLoader | _GuardedCLoader = _GuardedCLoader(text)
        checked: Iterator[None] | None = _checked_documents(text, max_depth)
    else:
        loader, checked = _GuardedLoader(text, max_depth), None
    try:
        yield loader, checked
    finally:
        loader.dispose()


@contextmanager
def _reading(max_depth: int) -> Iterator[None]:
    """Every failure of a load as one ``YamlRefused`` line."""
    try:
        yield
    except yaml.MarkedYAMLError as exc:
        if exc.problem == _LIBYAML_TOO_DEEP and max_depth < _LIBYAML_MAX_NESTING:
            # libyaml's scanner, looking ahead for a key, met its own limit before the guard saw the events
            exc.problem = f"nested more than {max_depth} levels deep"
        raise YamlRefused(_describe(exc)) from exc
    except yaml.YAMLError as exc:
        raise YamlRefused(_first_line(exc)) from exc
    except (ValueError, OverflowError, RecursionError) as exc:  # e.g. an int of 5,000 digits
        raise YamlRefused(f"unreadable value: {_first_line(exc)}") from exc


def load_file(path: Path | str, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """``load_text`` of a UTF-8 file of at most ``max_bytes`` bytes (reads no more than that)."""
    try:
        with open(path, "rb") as stream:
            data = stream.read(max_bytes + 1)
    except OSError as exc:
        raise YamlRefused(exc.strerror or _first_line(exc)) from exc
    if len(data) > max_bytes:
        raise YamlRefused(f"larger than {_size(max_bytes)}, the most scc reads from a YAML file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlRefused(f"not UTF-8 text (byte {exc.start})") from exc
    return load_text(text, max_depth=max_depth)


def _refusal(event: Event, depth: int, max_depth: int) -> ConstructorError | None:
    """Why a node event (scalar, collection start, alias) at ``depth`` open collections is refused, if it is."""
    if isinstance(event, AliasEvent):
        return ConstructorError(None, None, f"YAML aliases (*{event.anchor}) are not accepted",
                                event.start_mark)  # type: ignore[arg-type]  # stubs: two Mark classes
    if isinstance(event, NodeEvent) and event.anchor is not None:
        return ConstructorError(None, None, f"YAML anchors (&{event.anchor}) are not accepted",
                                event.start_mark)  # type: ignore[arg-type]  # stubs: two Mark classes
    if depth >= max_depth:
        return ConstructorError(None, None, f"nested more than {max_depth} levels deep",
                                event.start_mark)  # type: ignore[arg-type]  # stubs: two Mark classes
    return None


def _checked_documents(text: str, max_depth: int) -> Iterator[None]:
    """Run libyaml's parser over ``text`` ahead of the composer, refusing what ``_GuardedLoader.compose_node``
    refuses (at the same event, with the same message), and yield once each document's events have passed."""
    depth = 0  # collections open around the next event
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        kind = type(event)
        if kind in _NODE_EVENTS:
            if event.anchor is not None or depth >= max_depth:  # type: ignore[attr-defined]  # a NodeEvent
                refused = _refusal(event, depth, max_depth)
                if refused is not None:
                    raise refused
            if kind is not ScalarEvent:  # an alias is refused above, so this opens a collection
                depth += 1
        elif kind in _COLLECTION_ENDS:
            depth -= 1
        elif kind is DocumentEndEvent:
            yield


_NODE_EVENTS = frozenset({ScalarEvent, AliasEvent, SequenceStartEvent, MappingStartEvent})
_COLLECTION_ENDS = frozenset({SequenceEndEvent, MappingEndEvent})


class _NoDuplicateKeys(SafeConstructor):
    """SafeConstructor refusing a key given twice in one mapping (PyYAML keeps the last one)."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key; the base class reports it
                continue
            if duplicate:
                raise ConstructorError(None, None, f"key {key!r} is given twice in one mapping",
                                       key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


class _GuardedLoader(_NoDuplicateKeys, yaml.SafeLoader):
    """The pure-Python SafeLoader, checking each node's event before composing it (used without libyaml)."""

    def __init__(self, text: str, max_depth: int) -> None:
        super().__init__(text)
        self._max_depth = max_depth
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        refused = _refusal(self.peek_event(), self._depth, self._max_depth)
        if refused is not None:
            raise refused
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


if _LIBYAML:
    class _GuardedCLoader(_NoDuplicateKeys, yaml.CSafeLoader):
        """libyaml's parser and composer (C, several times faster); the text's events pass
        ``_checked_documents`` before it composes a document."""
else:  # pragma: no cover - PyYAML built without libyaml
    _GuardedCLoader = _GuardedLoader  # type: ignore[misc,assignment]

# Dates stay text: YAML 1.2 has no timestamp type and PyYAML raises a bare ValueError on 2027-02-30.
_GuardedLoader.add_constructor(  # type: ignore[type-var]  # stubs: the loader's own class is not accepted
    "tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)
_GuardedCLoader.add_constructor(  # type: ignore[type-var]  # stubs: the loader's own class is not accepted
    "tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)


def _describe(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or exc.context or "malformed YAML"
    mark = exc.problem_mark or exc.context_mark
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    return f"{_first_line(problem)}{where}"


def _first_line(value: object) -> str:
    lines = str(value).strip().splitlines()
    return lines[0] if lines else type(value).__name__


def _size(count: int) -> str:
    return f"{count // (1 << 20)} MiB" if count % (1 << 20) == 0 else f"{count} bytes"


def entry_text(path: str | Path, where: str, key: str, value: Any) -> str:
    """A text field of a YAML entry (numbers read as text); anything else is an InputError naming the entry."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InputError(str(path), f"{where}: {key} must be text, not {type(value).__name__}")
    return str(value).strip()
