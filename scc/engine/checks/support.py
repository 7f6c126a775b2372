"""Helpers shared by the checks: capped name lists, evidence gathering, dates and input provenance.

Registers no check. Everything here is pure and small so each check module reads as its decision.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache
from operator import attrgetter
from typing import Any

from scc.engine.model import CheckOutcome, Verdict
from scc.engine.tables import DataTables
from scc.facts.model import Component, Evidence, FileEntry, FilesystemFacts, ImageFacts

NAME_CAP = 20


def capped(names: Iterable[str], limit: int = NAME_CAP) -> dict[str, Any]:
    """{'names': first `limit` names, 'count': all of them, 'more': how many were left off}."""
    unique = list(dict.fromkeys(n for n in names if n))
    return {"names": unique[:limit], "count": len(unique), "more": max(0, len(unique) - limit)}


def listing(names: Iterable[str], limit: int = 5) -> str:
    """'a, b, c and 4 more' for a reason sentence."""
    unique = list(dict.fromkeys(n for n in names if n))
    shown = ", ".join(unique[:limit])
    return f"{shown} and {len(unique) - limit} more" if len(unique) > limit else shown


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def outcome(verdict: Verdict, reason: str, evidence: Iterable[Evidence] = (), **details: Any) -> CheckOutcome:
    return CheckOutcome(verdict, reason, tuple(dict.fromkeys(evidence)), details)


def manual(reason: str, evidence: Iterable[Evidence] = (), **details: Any) -> CheckOutcome:
    """Facts cannot decide: the reason names the input or the look that would."""
    return outcome(Verdict.MANUAL, reason, evidence, **details)


def gather(items: Iterable[Any], limit: int = 50) -> list[Evidence]:
    """The evidence of fact records (each has .evidence as list or tuple), capped to keep results small."""
    found: dict[Evidence, None] = {}
    for item in items:
        for ev in getattr(item, "evidence", ()) or ():
            found.setdefault(ev, None)
            if len(found) >= limit:
                return list(found)
    return list(found)


def day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else "unknown"


def age_days(now: datetime, then: datetime) -> int:
    return (now - then).days


def sbom_sources(facts: ImageFacts) -> set[str]:
    """The input files that are SBOMs (a component cited by one of them is in the inventory)."""
    return {ev.source for record in facts.sboms for ev in record.evidence}


def sbom_components(facts: ImageFacts) -> list[Component]:
    sources = sbom_sources(facts)
    cited = attrgetter("source")
    return [c for c in facts.components if not sources.isdisjoint(map(cited, c.evidence))]


def matches_any(name: str, patterns: Iterable[str]) -> bool:
    """Whether ``name`` matches one of the glob ``patterns`` (fnmatch, case-insensitive)."""
    return _glob_matcher(tuple(patterns))(name.lower()) is not None


def name_matcher(patterns: Iterable[str]) -> Callable[[str], bool]:
    """``matches_any`` with the patterns fixed: for testing every component against the same patterns."""
    match = _glob_matcher(tuple(patterns))
    return lambda name: match(name.lower()) is not None


@lru_cache(maxsize=512)
def _glob_matcher(patterns: tuple[str, ...]) -> Callable[[str], re.Match[str] | None]:
    """One compiled alternation of the patterns' fnmatch translations: ``fnmatchcase`` against each in turn,
    in one regex match (checks test every component against a dozen patterns)."""
    if not patterns:
        return lambda _name: None
    return re.compile("|".join(f"(?:{fnmatch.translate(p.lower())})" for p in patterns)).match


def executables_of(fs: FilesystemFacts, kind: str, tables: DataTables) -> list[FileEntry]:
    """The image's executables that the tables count as ``kind`` ('shell', 'package manager', 'compiler'),
    in the order the filesystem reader found them."""
    return [e for e in fs.executables if tables.executable_kind(e.path.rpartition("/")[2]) == kind]


def component_label(component: Component) -> str:
    return f"{component.name} {component.version}".strip()


def cite_files(fs: FilesystemFacts, paths: Iterable[str]) -> list[Evidence]:
    """Evidence for image paths ('/etc/ssh/sshd_config', or '/etc/pam.d/common-auth line 3') read from
    the filesystem input ``fs`` came from; the filesystem's own evidence when nothing is cited."""
    if not fs.evidence:
        return []
    base = fs.evidence[0]
    cited = [Evidence(base.source, base.sha256, f"rootfs:{p}") for p in dict.fromkeys(paths) if p]
    return cited or fs.evidence[:1]


def at_most(result: CheckOutcome, best: str, why: str) -> CheckOutcome:
    """``result`` with a satisfied verdict lowered to ``best`` (a rule's ceiling: the facts can show the image's
    part of the requirement but not the rest, which ``why`` names)."""
    if best not in {v.value for v in Verdict}:
        from scc.errors import RulePackError

        raise RulePackError(f"verdict ceiling {best!r} is not a verdict ({', '.join(v.value for v in Verdict)})")
    if result.verdict is not Verdict.SATISFIED or best == Verdict.SATISFIED.value:
        return result
    reason = f"{result.reason} {why}".strip() if why else result.reason
    return CheckOutcome(Verdict(best), reason, result.evidence, result.details)
