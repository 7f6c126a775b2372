"""The data tables checks decide with: SLSA builders, CMVP-validated modules, least-functionality packages
and the file names of least-functionality tools.

Each is YAML in controls/ that a compliance reviewer reads and edits without touching Python (loaded
through scc.yamlsafe, hashed into every package's provenance with the rule packs). ``load_tables()``
reads them once, outside any check, into a frozen DataTables that travels in the CheckContext; checks
only look things up in it.

    slsa-builders.yaml            build platforms and the highest SLSA Build level each is known to meet
    fips-modules.yaml             CMVP certificates for exact module name + version
    configuration.yaml packages:  which packages count as a shell, a package manager, a compiler (CM-7)
    crypto.yaml packages:         which packages suggest a FIPS module, which are crypto libraries (SC-13)
    configuration.yaml executables:  which file names in a bin/ or sbin/ directory are a shell, a package
                                  manager, a compiler (the filesystem reader records every such file,
                                  unclassified, as FilesystemFacts.executables)
    malicious.yaml malicious_packages:  which findings are known malicious packages (id prefixes, CWEs,
                                  advisory titles) and which scanners consult a malicious-package
                                  database (scc.engine.malicious)

The package lists sit in the rule packs of the rules that use them, under a top-level ``packages:``
beside ``rules:``, so a reviewer reads each rule and what it counts together.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scc.engine.malicious import MALICIOUS_TABLE, MaliciousTable, load_malicious_table
from scc.errors import RulePackError
from scc.yamlsafe import YamlRefused, load_file

SLSA_BUILDERS = "slsa-builders.yaml"
FIPS_MODULES = "fips-modules.yaml"
#: the package lists (by the key the checks use) and the pack file whose ``packages:`` holds them
PACKAGE_LISTS: dict[str, str] = {
    "shell": "configuration.yaml", "package manager": "configuration.yaml", "compiler": "configuration.yaml",
    "fips": "crypto.yaml", "crypto": "crypto.yaml",
}
#: the pack file whose ``executables:`` holds the tool file-name lists, and their kinds in the order a file
#: name matching two lists is counted (the first wins)
EXECUTABLE_LISTS = "configuration.yaml"
EXECUTABLE_KINDS = ("shell", "package manager", "compiler")


@dataclass(frozen=True)
class KnownBuilder:
    """A build platform of slsa-builders.yaml: its builder id (or stem) and the level it is known to meet."""

    id: str
    name: str
    level: int
    reference: str = ""


@dataclass(frozen=True)
class CmvpModule:
    """One row of fips-modules.yaml: a module (kind, exact name and version) and its CMVP certificate."""

    kind: str
    name: str
    version: str
    certificate: str
    standard: str = ""


@dataclass(frozen=True)
class DataTables:
    """Every data table the checks consult (empty tables decide nothing: no builder known, no certificate)."""

    slsa_builders: tuple[KnownBuilder, ...] = ()
    fips_modules: tuple[CmvpModule, ...] = ()
    packages: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)   # PACKAGE_LISTS -> globs
    executables: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)  # EXECUTABLE_KINDS -> globs
    malicious: MaliciousTable = field(default_factory=MaliciousTable)   # malicious.yaml malicious_packages:

    def package_patterns(self, kind: str) -> tuple[str, ...]:
        """The glob patterns of package names that count as ``kind`` ('shell', 'compiler', ...)."""
        return self.packages.get(kind, ())

    def executable_kind(self, name: str) -> str | None:
        """The first of EXECUTABLE_KINDS whose file-name globs match ``name`` exactly (case counts), else None."""
        for kind in EXECUTABLE_KINDS:
            if any(fnmatch.fnmatchcase(name, pattern) for pattern in self.executables.get(kind, ())):
                return kind
        return None


def load_tables(directory: Path | None = None) -> DataTables:
    """The data tables from ``directory`` (default: the shipped controls/)."""
    if directory is None:
        from scc.resources import pack_dir

        directory = pack_dir("controls")
    return DataTables(
        slsa_builders=load_slsa_builders(directory / SLSA_BUILDERS),
        fips_modules=load_fips_modules(directory / FIPS_MODULES),
        packages=load_package_lists(directory),
        executables=load_executable_lists(directory / EXECUTABLE_LISTS),
        malicious=load_malicious_table(directory / MALICIOUS_TABLE),
    )


def load_slsa_builders(path: Path) -> tuple[KnownBuilder, ...]:
    """The builders of slsa-builders.yaml (RulePackError naming the file when it is malformed)."""
    try:
        document = load_file(path)
        entries = document["builders"]
        return tuple(
            KnownBuilder(str(e["id"]), str(e.get("name") or e["id"]), int(e["level"]), str(e.get("reference", "")))
            for e in entries
        )
    except (YamlRefused, KeyError, TypeError, ValueError) as exc:
        raise RulePackError(f"{path}: cannot read the SLSA builder list ({exc})") from exc


def load_fips_modules(path: Path) -> tuple[CmvpModule, ...]:
    """The modules of fips-modules.yaml (entries that are not mappings are passed over; an unreadable
    file is an empty table, so no certificate is ever claimed from it)."""
    try:
        document = load_file(path)
    except YamlRefused:
        return ()
    entries: Any = document.get("modules") if isinstance(document, dict) else None
    return tuple(
        CmvpModule(str(e.get("kind", "")), str(e.get("name", "")), str(e.get("version", "")),
                   str(e.get("certificate", "")), str(e.get("standard", "")))
        for e in entries or () if isinstance(e, dict)
    )


def load_package_lists(directory: Path) -> dict[str, tuple[str, ...]]:
    """The package-name globs of every PACKAGE_LISTS key, from the ``packages:`` of its pack file."""
    result: dict[str, tuple[str, ...]] = {}
    for name in dict.fromkeys(PACKAGE_LISTS.values()):
        path = directory / name
        kinds = [kind for kind, file in PACKAGE_LISTS.items() if file == name]
        lists = _glob_lists(path, "packages", kinds, "package lists")
        for kind in kinds:
            patterns = lists[kind]
            if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
                raise RulePackError(f"{path}: packages.{kind} must be a list of package-name globs")
            result[kind] = tuple(patterns)
    return result


def _glob_lists(path: Path, key: str, kinds: list[str], what: str) -> dict[str, Any]:
    """The ``key:`` mapping of a pack file, which must name exactly ``kinds`` (RulePackError naming the file)."""
    try:
        document = load_file(path)
    except YamlRefused as exc:
        raise RulePackError(f"{path}: cannot read the {what} ({exc})") from exc
    lists = document.get(key) if isinstance(document, dict) else None
    if not isinstance(lists, dict) or sorted(map(str, lists)) != sorted(kinds):
        raise RulePackError(f"{path}: '{key}' must map each of {', '.join(kinds)} to a list")
    return lists


def load_executable_lists(path: Path) -> dict[str, tuple[str, ...]]:
    """The file-name globs of every EXECUTABLE_KINDS key, from the ``executables:`` of ``path``."""
    lists = _glob_lists(path, "executables", list(EXECUTABLE_KINDS), "executable lists")
    result: dict[str, tuple[str, ...]] = {}
    for kind in EXECUTABLE_KINDS:
        patterns = lists[kind]
        if not isinstance(patterns, list) or not all(isinstance(p, str) and p and "/" not in p for p in patterns):
            raise RulePackError(f"{path}: executables.{kind} must be a list of file-name globs (no '/')")
        result[kind] = tuple(patterns)
    return result
