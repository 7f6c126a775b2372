"""Choosing outputs by format name: ``scc package --formats oscal,pdf --skip oscal-ssp``.

Every writer has one short format name (``Writer.format``; its ``name`` when it sets none). The part
of a name before the first "-" is also a family name that stands for all of its members: ``oscal``
is oscal-component, oscal-ssp, oscal-ar and oscal-poam; ``xccdf`` is xccdf-results and xccdf-arf.
The names are read from the writers, so a new writer is choosable without touching this module.
"""
from __future__ import annotations

from collections.abc import Iterable

from scc.errors import UsageError
from scc.writers.interface import Writer

__all__ = ["format_choices", "format_name", "format_names", "select_writers", "split_names"]


def format_name(writer: Writer) -> str:
    """The name ``--formats`` and ``--skip`` know ``writer`` by."""
    return writer.format or writer.name


def format_names(writers: Iterable[Writer]) -> list[str]:
    """The format names of ``writers``, in their order."""
    return [format_name(w) for w in writers]


def _families(writers: tuple[Writer, ...]) -> dict[str, list[str]]:
    """family -> its member formats, for every prefix before "-" that two or more formats share."""
    members: dict[str, list[str]] = {}
    for name in format_names(writers):
        family, dash, _rest = name.partition("-")
        if dash:
            members.setdefault(family, []).append(name)
    return {family: names for family, names in members.items() if len(names) > 1}


def format_choices(writers: tuple[Writer, ...]) -> str:
    """Every name ``--formats`` accepts, families with their members: "oscal (oscal-component, ...), ckl"."""
    families = _families(writers)
    said: list[str] = []
    shown: set[str] = set()
    for name in format_names(writers):
        family = name.partition("-")[0]
        if family in families and family not in shown:
            said.append(f"{family} ({', '.join(families[family])})")
            shown.add(family)
        elif family not in families:
            said.append(name)
    return ", ".join(said)


def _expand(names: Iterable[str], writers: tuple[Writer, ...]) -> set[str]:
    families = _families(writers)
    known = set(format_names(writers))
    chosen: set[str] = set()
    for name in names:
        if name in families:
            chosen.update(families[name])
        elif name in known:
            chosen.add(name)
        else:
            raise UsageError(f"unknown output format {name!r}; valid formats: {format_choices(writers)}")
    return chosen


def split_names(values: Iterable[str]) -> list[str]:
    """Names given as repeated options and/or comma lists ("oscal,pdf", "xlsx"), lower-cased, blanks dropped."""
    return [part.strip().lower() for value in values for part in value.split(",") if part.strip()]


def select_writers(writers: tuple[Writer, ...], formats: Iterable[str] | None = None,
                   skip: Iterable[str] = ()) -> tuple[Writer, ...]:
    """The writers ``formats`` chooses (all when None), less those ``skip`` names, in package order.

    UsageError, listing the valid names, for a name that is neither a format nor a family, and when
    nothing would be left to write.
    """
    wanted = _expand(split_names(formats), writers) if formats is not None else set(format_names(writers))
    unwanted = _expand(split_names(skip), writers)
    chosen = tuple(w for w in writers if format_name(w) in wanted and format_name(w) not in unwanted)
    if not chosen:
        raise UsageError(f"no output format left to write; valid formats: {format_choices(writers)}")
    return chosen
