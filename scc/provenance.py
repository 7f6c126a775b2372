"""What produced a package: scc's version, the rule pack files, the official content, overrides and settings.

``provenance(report)`` is a plain, deterministic record (no cache directory, no wall clock), read
from the Report alone; the files' hashes were taken when the policy was loaded (``pack_files``,
``source_files``) and the content files' when the content snapshot was taken:

* every rule pack file (``controls/*.yaml``, ``stig/*.yaml`` or the --rule-dirs given) with its sha256;
* every official content file the package's documents can draw on (the catalog, the CCI list, the
  chosen baseline and the benchmarks of the STIG views) that is cached: registry id, file name, the
  release as stated inside the file (catalog/baseline ``metadata.version``, CCI list version,
  benchmark ``V<version>R<release>`` and its release-info text), sha256 and the publisher URL;
* the overrides file, verification keys and registry policy (``--registry-policy``) with their sha256;
* the settings: SLA days, baseline, benchmarks, max scan age.

manifest.json carries it whole; each OSCAL document carries the settings as metadata props and each
file as a back-matter resource with an rlink and its hash (``_oscal_common.provenance_resources``).
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scc.report import SourceFile

if TYPE_CHECKING:
    from scc.report import Policy, Report


@dataclass(frozen=True)
class ProducedBy:
    """One file that shaped the package: a rule pack, a content file, the overrides file or a key."""

    role: str                 # rule-pack | content | overrides | verification-key | registry-policy
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


def provenance(report: Report) -> dict[str, Any]:
    """The provenance record of one assessment (manifest.json's "provenance")."""
    policy = report.policy
    return {
        "scc-version": report.scc_version,
        "settings": settings_record(policy),
        "rule-packs": [f.to_json() for f in rule_pack_files(policy)],
        "content": [f.to_json() for f in content_files(report)],
        "overrides": next((f.to_json() for f in _given(policy, "overrides")), None),
        "verification-keys": [f.to_json() for f in _given(policy, "verification-key")],
        "registry-policy": next((f.to_json() for f in _given(policy, "registry-policy")), None),
    }


def settings_record(policy: Policy) -> dict[str, Any]:
    return {
        "sla-days": dict(sorted(policy.sla_days.items())),
        "baseline": policy.baseline or None,
        "benchmarks": list(policy.benchmarks),
        "max-scan-age-days": policy.max_scan_age_days,
    }


def produced_by(report: Report) -> list[ProducedBy]:
    """Every file of the record, in a stable order (OSCAL back-matter)."""
    policy = report.policy
    return [*rule_pack_files(policy), *content_files(report), *_given(policy, "overrides"),
            *_given(policy, "verification-key"), *_given(policy, "registry-policy")]


def rule_pack_files(policy: Policy) -> list[ProducedBy]:
    """Each YAML file of the pack directories (data tables too: they decide verdicts as much as rules)."""
    return _given(policy, "rule-pack")


def content_files(report: Report) -> list[ProducedBy]:
    """The cached official content the documents draw on (the catalog, the CCI list, the chosen baseline,
    the benchmarks of the STIG views); empty when none is cached."""
    files = report.content.files
    benchmarks = {f.name: f for f in files if f.kind == "benchmark"}
    chosen = [f for f in files if f.kind != "benchmark"]
    chosen += [benchmarks[name] for name in report.benchmark_names() if name in benchmarks]
    return [ProducedBy("content", f.name, f.file, f.sha256, f.release, f.release_info, f.url) for f in chosen]


def _given(policy: Policy, role: str) -> list[ProducedBy]:
    return [ProducedBy(f.role, f.name, f.file, f.sha256) for f in policy.files if f.role == role]


def source_files(role: str, paths: Iterable[str | Path]) -> list[SourceFile]:
    """The files given for ``role`` (overrides, verification keys) with their sha256 ('' when not a file)."""
    files = []
    for given in paths:
        path = Path(given)
        digest = _sha256(path) if path.is_file() else ""
        files.append(SourceFile(role, str(path), str(path), digest))
    return files


def pack_files(rule_dirs: Iterable[str | Path] | None) -> list[SourceFile]:
    """Each YAML file of the rule pack directories (the shipped controls/ and stig/ without --rule-dirs)."""
    from scc.resources import pack_dir

    directories = [Path(d) for d in rule_dirs] if rule_dirs is not None else [pack_dir("controls"), pack_dir("stig")]
    files = []
    for directory in directories:
        for path in sorted(directory.glob("*.yaml")):
            name = f"{directory.name}/{path.name}"
            files.append(SourceFile("rule-pack", name, name, _sha256(path)))
    return files


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
