"""Per-input counts, shown by `scc facts` and recorded in InputFile.counts."""
from __future__ import annotations

from scc.facts.model import ImageFacts, InputFile
from scc.facts.source import InputDocument


def count_facts(facts: ImageFacts) -> tuple[tuple[str, int], ...]:
    counts = {
        "components": len(facts.components),
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
        "config": 1 if facts.config else 0,
        "filesystem": 1 if facts.filesystem else 0,
    }
    return tuple((k, v) for k, v in counts.items() if v)


def input_record(doc: InputDocument, fmt: str, facts: ImageFacts, version: str = "", tool: str = "") -> InputFile:
    """The InputFile a reader attaches to what it read (call last, when facts are complete)."""
    return InputFile(doc.display_path, doc.sha256, doc.size, fmt, version, tool, count_facts(facts))
