"""What produced a package: scc's version, the rule pack files, the official content, overrides and settings.

``provenance(assessment)`` is a plain, deterministic record (no cache directory, no wall clock):

* every rule pack file (``controls/*.yaml``, ``stig/*.yaml`` or the --rule-dirs given) with its sha256;
* every official content file the package's documents can draw on (the catalog, the CCI list, the
  chosen baseline and the benchmarks of the STIG views) that is cached: registry id, file name, the
  release as stated inside the file (catalog/baseline ``metadata.version``, CCI list version,
  benchmark ``V<version>R<release>`` and its release-info text), sha256 and the publisher URL;
* the overrides file and verification keys with their sha256;
* the settings: SLA days, baseline, benchmarks, max scan age.

manifest.json carries it whole; each OSCAL document carries the settings as metadata props and each
file as a back-matter resource with an rlink and its hash (``_oscal_common.provenance_resources``).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scc.assessment import Assessment


@dataclass(frozen=True)
class ProducedBy:
    """One file that shaped the package: a rule pack, a content file, the overrides file or a key."""

    role: str                 # rule-pack | content | overrides | verification-key
    name: str                 # controls/access.yaml, gpos-srg, the overrides path as given
    file: str                 # the path as a package reader can resolve it (relative for packs/content)
    sha256: str
    release: str = ""         # content: the release as the file itself states it
    release_info: str = ""    # content: the benchmark's release-info text
    url: str = ""             # content: the publisher URL the cache recorded

    def to_json(self) -> dict[str, str]:
        data = {"role": self.role, "name": self.name, "file": self.file, "sha256": self.sha256}
        data.update({k: v for k, v in (("release", self.release), ("release-info", self.release_info),
                                       ("url", self.url)) if v})
        return data


def provenance(assessment: Assessment) -> dict[str, Any]:
    """The provenance record of one assessment (manifest.json's "provenance")."""
    import scc

    settings = assessment.settings
    return {
        "scc-version": scc.__version__,
        "settings": settings_record(assessment),
        "rule-packs": [f.to_json() for f in rule_pack_files(assessment)],
        "content": [f.to_json() for f in content_files(assessment)],
        "overrides": next((f.to_json() for f in _given_files(settings.overrides and [settings.overrides],
                                                              "overrides")), None),
        "verification-keys": [f.to_json() for f in _given_files(settings.keys, "verification-key")],
    }


def settings_record(assessment: Assessment) -> dict[str, Any]:
    settings = assessment.settings
    return {
        "sla-days": dict(sorted(settings.sla_days.items())),
        "baseline": settings.baseline or None,
        "benchmarks": list(settings.benchmarks),
        "max-scan-age-days": settings.max_scan_age_days,
    }


def produced_by(assessment: Assessment) -> list[ProducedBy]:
    """Every file of the record, in a stable order (OSCAL back-matter)."""
    settings = assessment.settings
    return [*rule_pack_files(assessment), *content_files(assessment),
            *_given_files(settings.overrides and [settings.overrides], "overrides"),
            *_given_files(settings.keys, "verification-key")]


def rule_pack_files(assessment: Assessment) -> list[ProducedBy]:
    """Each YAML file of the pack directories (data tables too: they decide verdicts as much as rules)."""
    from scc.resources import pack_dir

    dirs = assessment.settings.rule_dirs
    directories = [Path(d) for d in dirs] if dirs is not None else [pack_dir("controls"), pack_dir("stig")]
    files = []
    for directory in directories:
        for path in sorted(directory.glob("*.yaml")):
            name = f"{directory.name}/{path.name}"
            files.append(ProducedBy("rule-pack", name, name, _sha256(path)))
    return files


def content_files(assessment: Assessment) -> list[ProducedBy]:
    """The cached official content the documents draw on; empty when none is cached."""
    try:
        from scc.content import default_store, registry
    except ImportError:            # the content package is not part of this installation
        return []
    store = default_store()
    lock = store.lock()
    wanted = [registry.CATALOG, registry.CCI]
    baseline = registry.baseline_source(assessment.settings.baseline) if assessment.settings.baseline else None
    if baseline is not None:
        wanted.append(baseline.name)
    wanted += [n for n in _benchmark_names(assessment) if n in registry.BY_NAME]
    files = []
    for name in dict.fromkeys(wanted):
        entry = lock.get(name)
        if entry is None or not (store.directory / entry.file).is_file():
            continue
        release, info = _stated_release(store, name)
        files.append(ProducedBy("content", name, entry.file, entry.sha256, release, info, entry.url))
    return files


def _benchmark_names(assessment: Assessment) -> list[str]:
    from scc.writers._stig_rows import benchmark_names

    return benchmark_names(assessment)


def _stated_release(store: Any, name: str) -> tuple[str, str]:
    """The release the file states about itself (never the registry's expectation)."""
    from scc.content import registry

    source = registry.BY_NAME[name]
    if source.kind == "catalog":
        catalog = store.catalog()
        return (catalog.version if catalog else ""), ""
    if source.kind == "profile":
        found = store.baseline(source.baseline)
        return (found.version if found else ""), ""
    if source.kind == "cci":
        cci = store.cci()
        return (cci.version if cci else ""), ""
    benchmark = store.benchmark(name)
    return (benchmark.release, benchmark.release_info) if benchmark else ("", "")


def _given_files(paths: Any, role: str) -> list[ProducedBy]:
    files = []
    for path in paths or ():
        path = Path(path)
        digest = _sha256(path) if path.is_file() else ""
        files.append(ProducedBy(role, str(path), str(path), digest))
    return files


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
