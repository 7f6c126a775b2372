"""The one YAML loader scc uses: safe, bounded, and plain data only.

Every YAML scc reads (rule packs, data tables, an organisation's overrides, Kubernetes manifests) goes
through ``load_file``, ``load_text`` or, for a ``---``-separated stream, ``load_all_text``. On top of PyYAML's SafeLoader it:

- refuses anchors (``&a``) and aliases (``*a``) as soon as the parser meets one, before anything is
  composed, so an alias bomb ("billion laughs") costs nothing;
- refuses nesting deeper than ``MAX_DEPTH`` (50,000 ``[`` would otherwise overflow the recursive
  composer), and files larger than a byte cap, read without ever loading more than the cap;
- refuses a key given twice in one mapping (PyYAML would silently keep the last one);
- keeps dates as the text they are written as (YAML 1.2 has no timestamp type), so a caller
  checks ``2027-02-30`` itself and can say which entry is wrong.

Every failure is a ``YamlRefused`` with a one-line message that gives the line and column.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, Node

from scc.errors import InputError

MAX_BYTES = 1 << 20          # 1 MiB: far above any overrides file or shipped rule pack (60 kB)
MAX_DEPTH = 64               # nesting levels; real documents (Kubernetes included) stay under 20


MAX_DOCUMENTS = 10_000      # documents in one stream (a Helm chart renders tens; kustomize hundreds)


class YamlRefused(Exception):
    """A YAML text scc will not load; the message is one line (problem, then line and column)."""


def load_text(text: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """The plain data (dicts, lists, str, int, float, bool, None) of one YAML document."""
    loader = _GuardedLoader(text, max_depth)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        raise YamlRefused(_describe(exc)) from exc
    except yaml.YAMLError as exc:
        raise YamlRefused(_first_line(exc)) from exc
    except (ValueError, OverflowError, RecursionError) as exc:  # e.g. an int of 5,000 digits
        raise YamlRefused(f"unreadable value: {_first_line(exc)}") from exc
    finally:
        loader.dispose()


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
    loader = _GuardedLoader(text, max_depth)
    documents: list[YamlDocument] = []
    try:
        while loader.check_node():
            if len(documents) >= max_documents:
                raise YamlRefused(f"more than {max_documents} YAML documents in one stream")
            node = loader.get_node()
            data = loader.construct_document(node) if node is not None else None
            start, end = (node.start_mark.line + 1, node.end_mark.line + 1) if node is not None else (0, 0)
            documents.append(YamlDocument(len(documents) + 1, start, end, data))
    except yaml.MarkedYAMLError as exc:
        raise YamlRefused(_describe(exc)) from exc
    except yaml.YAMLError as exc:
        raise YamlRefused(_first_line(exc)) from exc
    except (ValueError, OverflowError, RecursionError) as exc:
        raise YamlRefused(f"unreadable value: {_first_line(exc)}") from exc
    finally:
        loader.dispose()
    return documents


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


class _GuardedLoader(yaml.SafeLoader):
    """SafeLoader that checks each node's event before composing it."""

    def __init__(self, text: str, max_depth: int) -> None:
        super().__init__(text)
        self._max_depth = max_depth
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise ConstructorError(None, None, f"YAML aliases (*{event.anchor}) are not accepted",
                                   event.start_mark)  # type: ignore[arg-type]  # stubs: two Mark classes
        if isinstance(event, (ScalarEvent, CollectionStartEvent)) and event.anchor is not None:
            raise ConstructorError(None, None, f"YAML anchors (&{event.anchor}) are not accepted",
                                   event.start_mark)  # type: ignore[arg-type]  # stubs: two Mark classes
        if self._depth >= self._max_depth:
            raise ConstructorError(None, None, f"nested more than {self._max_depth} levels deep",
                                   event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

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


# Dates stay text: YAML 1.2 has no timestamp type and PyYAML raises a bare ValueError on 2027-02-30.
_GuardedLoader.add_constructor(  # type: ignore[type-var]  # stubs: the loader's own class is not accepted
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
