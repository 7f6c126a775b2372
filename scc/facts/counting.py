"""Per-input counts, shown by `scc facts` and recorded in InputFile.counts."""
from __future__ import annotations

from scc.facts.model import Component, ImageFacts, InputFile
from scc.facts.source import InputDocument

#: CycloneDX component types that describe the subject (the image, its distro, a scanned path), not software
SUBJECT_TYPES = frozenset({"operating-system", "container", "file"})


def is_software(component: Component) -> bool:
    """An installed package or library; the distro record, the image or the scanned directory are the subject."""
    return component.type.lower() not in SUBJECT_TYPES or bool(component.purl and component.type == "file")


def software_count(components: list[Component]) -> int:
    return sum(1 for c in components if is_software(c))


def count_facts(facts: ImageFacts) -> tuple[tuple[str, int], ...]:
    counts = {
        "components": software_count(facts.components),
        "findings": len(facts.findings),
        "vex_statements": len(facts.vex),
        "provenance": len(facts.provenance),
        "signatures": len(facts.signatures),
        "fips_modules": len(facts.fips_modules),
        "xccdf_results": len(facts.xccdf_results),
        "secrets": len(facts.secrets),
        "misconfigurations": len(facts.misconfigurations),
        "scans": len(facts.scans),
        "sboms": len(facts.sboms),
        "scorecards": len(facts.scorecards),
        "config": 1 if facts.config else 0,
        "filesystem": 1 if facts.filesystem else 0,
    }
    return tuple((k, v) for k, v in counts.items() if v)


def input_record(doc: InputDocument, fmt: str, facts: ImageFacts, version: str = "", tool: str = "") -> InputFile:
    """The InputFile a reader attaches to what it read (call last, when facts are complete)."""
    return InputFile(doc.display_path, doc.sha256, doc.size, fmt, version, tool, count_facts(facts))
