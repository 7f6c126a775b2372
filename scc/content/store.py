"""The content cache: where fetched or imported official content lives, verified on every load.

``ContentStore`` parses each source once per store, after checking the file's sha256 and size
against the lock file; a file that does not match is refused with its name (ContentError).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from scc.content import registry
from scc.content.lock import LOCK_NAME, LockEntry, check_bytes, read_capped, read_lock
from scc.content.model import Baseline, Benchmark, Catalog, CciList
from scc.errors import ContentError

T = TypeVar("T")


def default_directory() -> Path:
    """The content cache directory: $SCC_CONTENT_DIR when set, else the user cache directory's scc/content."""
    configured = os.environ.get("SCC_CONTENT_DIR")
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_cache_path

    return user_cache_path("scc") / "content"


class ContentStore:
    """Official content in one cache directory (SCC_CONTENT_DIR, or the user cache dir scc/content)."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = Path(directory).expanduser() if directory else default_directory()
        self._parsed: dict[str, Any] = {}
        self._guard = threading.RLock()

    def __repr__(self) -> str:
        return f"ContentStore({str(self.directory)!r})"

    # --- the lock and raw bytes -------------------------------------------------------------

    def lock(self) -> dict[str, LockEntry]:
        """The lock file's entries by source name (empty when nothing was fetched or imported)."""
        return read_lock(self.directory)

    def has(self, name: str) -> bool:
        """True when the named source is in the lock and its file is in the cache."""
        entry = self.lock().get(name)
        return entry is not None and (self.directory / entry.file).is_file()

    def read_verified(self, name: str) -> bytes | None:
        """The bytes of a cached source after checking them against the lock; None when not cached."""
        entry = self.lock().get(name)
        if entry is None:
            return None
        path = self.directory / entry.file
        if not path.is_file():
            return None
        data = read_capped(path)
        problem = check_bytes(entry, data, str(path))
        if problem:
            raise ContentError(f"{problem} (re-run `scc content fetch {name}` or import a trusted bundle)")
        return data

    def _load(self, key: str, name: str, parse: Callable[[bytes, str], T]) -> T | None:
        with self._guard:
            if key not in self._parsed:
                data = self.read_verified(name)
                self._parsed[key] = None if data is None else parse(data, str(self.directory / _file(name)))
                self._check_release(name, self._parsed[key])
            return cast("T | None", self._parsed[key])

    def _check_release(self, name: str, parsed: Any) -> None:
        """The release the parsed file states must be the one its lock entry recorded at fetch/import."""
        entry = self.lock().get(name)
        attribute = {"benchmark": "release", "catalog": "version", "cci": "version"}.get(registry.BY_NAME[name].kind)
        stated = getattr(parsed, attribute, None) if attribute else None
        if entry is None or not entry.release or stated is None or stated == entry.release:
            return
        raise ContentError(f"{self.directory / entry.file}: states release {stated}, the lock recorded "
                           f"{entry.release}; re-fetch {name}")

    # --- parsed content ------------------------------------------------------------------------

    def catalog(self) -> Catalog | None:
        """The NIST SP 800-53 rev5 catalog, verified against the lock and parsed once; None when not cached."""
        from scc.content.oscal import parse_catalog

        return self._load("catalog", registry.CATALOG, parse_catalog)

    def baseline(self, name: str) -> Baseline | None:
        """The named rev5 baseline profile (low, moderate, high, privacy, FedRAMP's) resolved against the
        catalog; None when not cached. ContentError for an unknown name."""
        from scc.content.oscal import parse_baseline

        level = name.strip().lower()
        source = registry.baseline_source(level)
        if source is None:
            raise ContentError(f"unknown baseline {name!r} (known: {', '.join(registry.ALL_BASELINES)})")
        return self._load(f"baseline:{level}", source.name,
                          lambda data, where: parse_baseline(data, where, level, self._resolve_import))

    def cci(self) -> CciList | None:
        """DISA's CCI list (CCI -> 800-53 control); None when not cached."""
        from scc.content.disa import parse_cci_list

        return self._load("cci", registry.CCI, parse_cci_list)

    def benchmark(self, name: str) -> Benchmark | None:
        """The named DISA benchmark (an SRG or STIG from the registry); None when not cached. ContentError
        for an unknown name."""
        from scc.content.disa import parse_benchmark

        source = registry.BY_NAME.get(name)
        if source is None or source.kind != "benchmark":
            raise ContentError(f"unknown benchmark {name!r} (known: {', '.join(registry.benchmark_names())})")
        return self._load(f"benchmark:{name}", name, parse_benchmark)

    def benchmarks(self) -> dict[str, Benchmark]:
        """Every registry benchmark that is cached, by name."""
        return {name: b for name in registry.benchmark_names() if (b := self.benchmark(name)) is not None}

    def _resolve_import(self, href: str, body: dict[str, Any]) -> Catalog | dict[str, Any]:
        """Map a profile import (a back-matter rlink such as ../../nist.gov/.../catalog.json) to cached content."""
        from scc.content.oscal import import_target, loads_json

        candidates = import_target(href, body)
        for candidate in candidates:
            base = candidate.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
            for source in registry.SOURCES:
                if source.filename != base:
                    continue
                if source.kind == "catalog":
                    catalog = self.catalog()
                    if catalog is None:
                        raise ContentError(f"profile imports {base}, which is not cached: {_HOW}")
                    return catalog
                if source.kind == "profile":
                    data = self.read_verified(source.name)
                    if data is not None:
                        return loads_json(data, source.filename)
        raise ContentError(f"profile import {href!r} ({', '.join(candidates) or 'no rlink'}) "
                           "does not name content in the scc registry")

    # --- status --------------------------------------------------------------------------------

    def missing(self) -> list[str]:
        """The default sources not in the cache (a fetch or import would bring them)."""
        lock = self.lock()
        return [s.name for s in registry.DEFAULT_SOURCES
                if s.name not in lock or not (self.directory / lock[s.name].file).is_file()]

    def missing_message(self) -> str | None:
        """One line saying which default sources are missing and how to get them; None when none is."""
        missing = self.missing()
        if not missing:
            return None
        return (f"official content not found in {self.directory}: {', '.join(missing)} — "
                f"{_HOW}; scc continues from the rule packs alone")

    def verify(self) -> list[str]:
        """One line per problem: a cached file that is missing, does not match its lock entry, or is untrusted.

        Untrusted: its sha256 is neither pinned by scc (pins.py) nor accepted with --accept-new.
        """
        from scc.content.pins import pins_for

        problems: list[str] = []
        try:
            lock = self.lock()
        except ContentError as exc:
            return [str(exc)]
        for name, entry in sorted(lock.items()):
            path = self.directory / entry.file
            if not path.is_file():
                problems.append(f"{path}: listed in the lock for {name} but missing")
                continue
            try:
                problem = check_bytes(entry, read_capped(path), str(path))
            except ContentError as exc:
                problem = str(exc)
            if problem:
                problems.append(problem)
            elif entry.trust != "accepted" and not any(pin.sha256 == entry.sha256 for pin in pins_for(name)):
                problems.append(f"{path}: {name} sha256 {entry.sha256} is not a release scc has pinned and was "
                                "not accepted with --accept-new; re-fetch it or import it with --accept-new")
        return problems

    def forget(self) -> None:
        """Drop parsed objects (after a fetch or import changed the cache)."""
        with self._guard:
            self._parsed.clear()


_HOW = "run `scc content fetch` (online) or `scc content import BUNDLE` (air-gapped)"


def _file(name: str) -> str:
    return registry.BY_NAME[name].filename


_DEFAULT: ContentStore | None = None
_DEFAULT_GUARD = threading.Lock()
_WARNED: set[str] = set()


def default_store() -> ContentStore:
    """The process-wide store for the current SCC_CONTENT_DIR (a new one if that setting changed)."""
    global _DEFAULT
    with _DEFAULT_GUARD:
        directory = default_directory()
        if _DEFAULT is None or _DEFAULT.directory != directory:
            _DEFAULT = ContentStore(directory)
        return _DEFAULT


def missing_warning_once(store: ContentStore | None = None) -> str | None:
    """The missing-content message the first time it is asked for per directory in this process, else None."""
    store = store or default_store()
    message = store.missing_message()
    key = str(store.directory)
    if message is None or key in _WARNED:
        return None
    _WARNED.add(key)
    return message


__all__ = ["LOCK_NAME", "ContentStore", "default_directory", "default_store", "missing_warning_once"]
