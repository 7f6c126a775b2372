"""Malicious packages: which findings are known malicious packages, decided once per run from a data table.

Readers record what each scanner and VEX document wrote (ids, aliases, CWEs, advisory databases);
the decision is this module's, from ``malicious_packages:`` in controls/malicious.yaml, a table a
compliance reviewer reads:

    malicious_packages:
      id_prefixes: [MAL-]          # OpenSSF malicious-packages records in OSV (osv.dev)
      cwes: [CWE-506]              # Embedded Malicious Code
      summaries:                   # GitHub's malware advisory titles, for GHSA ids only
        id_prefixes: [GHSA-]
        patterns: ["Malware in *", "Embedded Malicious Code in *"]
      due_days: 0                  # a malicious package is removed at once
      databases: [...]             # which scanners consult a malicious-package database

:func:`mark_malicious` returns a copy of the facts whose findings carry ``Finding.malicious`` (None when
not one); the facts passed in are left as they were (the engine is a pure function of its inputs), and
the Report holds the marked copy, so a run with another table leaves no trace of the last. A malicious package is CAT I; a VEX not_affected / fixed statement or the
scanner's own not-affected state leaves it open (``MaliciousMark.closure_set_aside``) unless an
organisation override for the finding, naming an approver, lets the closure stand.
"""
from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from scc.errors import RulePackError
from scc.facts.model import Finding, ImageFacts, MaliciousMark, VexStatement
from scc.report import Override
from scc.yamlsafe import YamlRefused, load_file

MALICIOUS_TABLE = "malicious.yaml"
#: the CAT I severity word of a malicious package's remediation clock and POA&M item (scc.severity)
MALICIOUS_SEVERITY = "malicious"


@dataclass(frozen=True)
class MalwareDatabase:
    """A scanner whose vulnerability database holds malicious-package records, and which ecosystems (purl types)."""

    scanner: str
    holds: str
    ecosystems: tuple[str, ...] = ()


@dataclass(frozen=True)
class MaliciousTable:
    """``malicious_packages:`` of controls/malicious.yaml (empty: nothing is recognised as malicious)."""

    id_prefixes: tuple[str, ...] = ()
    cwes: tuple[str, ...] = ()
    summary_id_prefixes: tuple[str, ...] = ()
    summary_patterns: tuple[str, ...] = ()
    due_days: int = 0
    databases: tuple[MalwareDatabase, ...] = ()
    blind: tuple[tuple[str, str], ...] = ()      # (scanner, why its database holds no malicious-package records)

    def database_of(self, scanner: str) -> MalwareDatabase | None:
        """The malicious-package database ``scanner`` consults, or None."""
        return next((d for d in self.databases if d.scanner == scanner.strip().lower()), None)

    def blind_reason(self, scanner: str) -> str:
        return next((why for name, why in self.blind if name == scanner.strip().lower()), "")


def load_malicious_table(path: Path) -> MaliciousTable:
    """The ``malicious_packages:`` table of ``path`` (RulePackError naming the file when malformed;
    an absent file is an empty table)."""
    if not path.is_file():
        return MaliciousTable()
    try:
        document = load_file(path)
        table = document["malicious_packages"]
        summaries = table.get("summaries") or {}
        return MaliciousTable(
            id_prefixes=_texts(table, "id_prefixes"), cwes=tuple(c.upper() for c in _texts(table, "cwes")),
            summary_id_prefixes=_texts(summaries, "id_prefixes"), summary_patterns=_texts(summaries, "patterns"),
            due_days=_days(table.get("due_days", 0)),
            databases=tuple(MalwareDatabase(str(d["scanner"]).lower(), str(d["holds"]),
                                            tuple(map(str, d.get("ecosystems") or ())))
                            for d in table.get("databases") or ()),
            blind=tuple((str(d["scanner"]).lower(), str(d["why"])) for d in table.get("no_malware_database") or ()),
        )
    except (YamlRefused, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RulePackError(f"{path}: cannot read the malicious_packages table ({exc})") from exc


def _texts(table: Any, key: str) -> tuple[str, ...]:
    values = table.get(key) or []
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise ValueError(f"{key} must be a list of text")
    return tuple(v.strip() for v in values)


def _days(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("due_days must be a whole number >= 0")
    return value


# -- recognition ---------------------------------------------------------------------------------------
def recognise(finding: Finding, statements: Iterable[VexStatement], table: MaliciousTable) -> list[str]:
    """Each signal that makes ``finding`` a known malicious package, in words (empty: it is not one)."""
    ids = [finding.id, *sorted(finding.aliases)]
    cwes = list(finding.cwes)
    for statement in statements:
        ids += [statement.vulnerability, *statement.aliases]
        cwes += statement.cwes
    signals = [f"id {i} (prefix {p})" for i in dict.fromkeys(ids) for p in table.id_prefixes
               if i.upper().startswith(p.upper())]
    signals += [f"{c} named for it" for c in dict.fromkeys(c.upper() for c in cwes) if c in table.cwes]
    signals += _summary_signals(finding, ids, table)
    return list(dict.fromkeys(signals))


def _summary_signals(finding: Finding, ids: list[str], table: MaliciousTable) -> list[str]:
    """The advisory title convention (GitHub titles its malware advisories "Malware in <package>"), read
    only for the ids it is the convention of: a CVE whose text begins "Malware in" is not one."""
    if not any(i.upper().startswith(p.upper()) for i in ids for p in table.summary_id_prefixes):
        return []
    signals = []
    for text in (finding.title, finding.description):
        first_line = text.strip().split("\n", 1)[0]
        pattern = next((p for p in table.summary_patterns if fnmatch.fnmatch(first_line.lower(), p.lower())), None)
        if pattern is not None:
            signals.append(f"advisory title {first_line[:80]!r} (GitHub malware advisory convention {pattern!r})")
    return signals


# -- marking ---------------------------------------------------------------------------------------------
def mark_malicious(facts: ImageFacts, table: MaliciousTable, overrides: Iterable[Override],
                   today: date) -> tuple[ImageFacts, list[str]]:
    """(a copy of ``facts`` whose every finding carries ``Finding.malicious``, one note per override that
    expired or matched no malicious finding). ``facts`` itself is not changed."""
    overrides = [o for o in overrides if o.finding]
    used: set[int] = set()
    notes: list[str] = []
    by_id = _statements_by_id(facts.vex)
    findings: list[Finding] = []
    for finding in facts.findings:
        statements = [s for s in (finding.vex, *finding.vex_conflicts) if s is not None]
        statements += [s for i in (finding.id, *finding.aliases) for s in by_id.get(i.upper(), ())]
        signals = recognise(finding, dict.fromkeys(statements), table)
        mark = None
        if signals:
            override = next((o for o in overrides if _reaches(o, finding, statements)), None)
            if override is not None:
                used.add(id(override))
            mark = _mark(finding, signals, statements, override, today, notes)
        findings.append(finding if finding.malicious == mark else replace(finding, malicious=mark))
    notes += [f"override for finding {o.finding} ({o.source} {o.entry}) matches no malicious-package finding; "
              "ignored" for o in overrides if id(o) not in used]
    return replace(facts, findings=findings), notes


def _statements_by_id(statements: Iterable[VexStatement]) -> dict[str, list[VexStatement]]:
    index: dict[str, list[VexStatement]] = {}
    for statement in statements:
        for name in (statement.vulnerability, *statement.aliases):
            index.setdefault(name.upper(), []).append(statement)
    return index


def _mark(finding: Finding, signals: list[str], statements: list[VexStatement], override: Override | None,
          today: date, notes: list[str]) -> MaliciousMark:
    evidence = [*finding.evidence[:1]]
    evidence += [e for s in statements for e in s.evidence[:1] if e not in evidence]
    closure = _closure(finding)
    accepted = entry = ""
    if closure and override is not None:
        if override.expires < today:
            notes.append(f"override not-affected for finding {override.finding} expired on "
                         f"{override.expires.isoformat()} (approver {override.approver}); the malicious package "
                         f"{finding.package} stays open")
        else:
            accepted = (f"approved by {override.approver} until {override.expires.isoformat()}: "
                        f"{override.justification}")
            entry = f"{override.source} {override.entry}".strip()
    return MaliciousMark(basis=tuple(signals), scanner_severity=finding.severity.value, evidence=tuple(evidence),
                         closure_set_aside=closure, accepted_by=accepted, override_entry=entry)


def _closure(finding: Finding) -> str:
    """The closure a malicious package would otherwise have had, in words ('' when it is open anyway)."""
    vex = finding.vex
    if vex is not None and not vex.status.is_open:
        by = f" by {vex.author}" if vex.author else ""
        return f"{vex.format or 'VEX'} statement{by} ({vex.status.value}{': ' + vex.justification if vex.justification else ''})"
    if not finding.state.is_open:
        return f"the scanner's own state {finding.state.value}"
    return ""


def _reaches(override: Override, finding: Finding, statements: Iterable[VexStatement]) -> bool:
    """An override names the finding by its id or an alias (its own, or one a VEX statement about it gives),
    and (when it names one) its package: a purl without version, the full purl, or the package name."""
    names = {finding.id, *finding.aliases}
    for statement in statements:
        names.update((statement.vulnerability, *statement.aliases))
    if override.finding.upper() not in {n.upper() for n in names}:
        return False
    if not override.package:
        return True
    purl = finding.purl.split("@", 1)[0].split("?", 1)[0]
    return override.package in {finding.purl, purl, finding.package}

