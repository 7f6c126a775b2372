"""Readers and the merged ImageFacts.

    facts = scc.facts.read_inputs(["sbom.cdx.json", "grype.json", "config.json"])
    facts = scc.facts.read_inputs(paths, context=ReadContext.from_env(keys=load_verification_keys(pems)))

Each module that defines ``READER`` is one input format; the format of an input is decided by
sniffing its content, in the order of ``scc.facts.registry.READER_MODULES``. How inputs are read
(verification keys, size caps, platform, workdir) is the ReadContext passed in; without one,
``ReadContext.from_env()`` (no keys, the SCC_* environment's caps).
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from scc.errors import InputError
from scc.facts.context import ReadContext
from scc.facts.interface import Reader, read_with
from scc.facts.model import ImageFacts, InputFile
from scc.facts.provenance.signing import load_verification_keys
from scc.facts.safety import make_safe
from scc.facts.source import InputDocument, text_encoding
from scc.gcpause import collector_paused
from scc.interrupts import signals_as_exceptions
from scc.package_dir import scc_written_names
from scc.progress import phase, size_label

__all__ = ["ImageFacts", "ReadContext", "available_readers", "detect_reader", "expand_inputs", "load_verification_keys",
           "read_input", "read_inputs"]


@lru_cache(maxsize=1)
def available_readers() -> tuple[Reader, ...]:
    """Every reader, in sniffing order (scc.facts.registry)."""
    from scc.facts.registry import registered_readers

    return registered_readers()


def detect_reader(doc: InputDocument) -> Reader:
    """The first reader (in registry order) whose sniff claims the document; InputError naming the file when
    none does."""
    for reader in available_readers():
        try:
            if reader.sniff(doc):
                return reader
        except InputError:
            raise
        except Exception:  # noqa: BLE001, S112 - a sniff must never take the run down; the next reader may claim it
            continue
    raise doc.fail(_unknown_format_reason(doc))


def _unknown_format_reason(doc: InputDocument) -> str:
    if doc.is_dir:
        return "directory is neither an OCI image layout nor a root filesystem scc recognises"
    if doc.is_xml:
        _ = doc.xml  # raises for hostile or malformed XML with a precise reason
        return f"XML with root element {doc.xml_root_tag() or '?'} is not a format scc reads"
    if doc.text is not None and doc.text.lstrip()[:1] in ("{", "[", ""):
        return doc.json_problem()
    if doc.text is None and (not doc.data[:512].count(b"\0") or text_encoding(doc.data) != "utf-8-sig"):
        return doc.text_problem()
    return "unrecognised format (not an SBOM, scan, VEX, attestation, image config or image scc reads)"


def read_input(path: str, context: ReadContext | None = None) -> tuple[InputFile, ImageFacts]:
    """Read one input and return what it contributed (with its InputFile record)."""
    doc = InputDocument(path, context)
    with phase(doc.context.progress, _reading_label(doc)):
        reader = detect_reader(doc)
        with signals_as_exceptions():   # SIGTERM mid-read still removes a reader's temporary files
            facts = read_with(reader, doc)
    record = facts.inputs[0] if facts.inputs else InputFile(doc.display_path, doc.sha256, doc.size, reader.format)
    facts.inputs = [record]
    facts = make_safe(facts, jobs=doc.context.jobs)   # the facts boundary: safe text, no secrets, for every reader
    return facts.inputs[0], facts


def _reading_label(doc: InputDocument) -> str:
    """The progress line of one input: "reading grype.json (3.2 MB)", "reading image (folder)"."""
    if doc.is_dir:
        return f"reading {doc.display_path} (folder)"
    try:
        return f"reading {doc.display_path} ({size_label(doc.path.stat().st_size)})"
    except OSError:
        return f"reading {doc.display_path}"


# Files that sit beside inputs in an evidence folder but are not evidence themselves.
_NOT_INPUTS = (".md", ".txt", ".rst", ".pub", ".pem", ".key", ".crt", ".py", ".sh", ".yaml", ".yml")


def expand_inputs(paths: Iterable[str], passed_over: list[str] | None = None,
                  context: ReadContext | None = None) -> tuple[list[str], list[str]]:
    """Inputs with folders of inputs opened up; returns (inputs, notes about files passed over).

    A directory that a reader claims (an OCI layout, a root filesystem) is one input; any other
    directory stands for the inputs inside it, in name order, README/key files passed over, and so
    are a package scc wrote and the files an scc manifest.json lists as its outputs (noted in
    ``passed_over`` when given, else among the notes).
    """
    inputs: list[str] = []
    notes: list[str] = []
    scc_notes = notes if passed_over is None else passed_over
    context = context if context is not None else ReadContext.from_env()
    for path in paths:
        doc = InputDocument(path, context)
        written = scc_written_names(doc.path) if doc.is_dir else frozenset()
        if written and written.issuperset(c.name for c in doc.path.iterdir() if not c.name.startswith(".")):
            scc_notes.append(f"{doc.display_path}: passed over (a package scc wrote)")
            continue
        if not doc.is_dir or _claimed(doc):
            inputs.append(path)
            continue
        for child in sorted(doc.path.iterdir()):
            if child.name.startswith("."):
                continue
            if child.name in written:
                scc_notes.append(f"{child}: passed over (an output listed in scc's manifest.json)")
                continue
            if context.is_setting(child):
                continue
            if child.is_file() and child.suffix.lower() in _NOT_INPUTS and not _kubernetes_manifest(child, context):
                notes.append(f"{child}: passed over (not an evidence format)")
                continue
            more, more_notes = expand_inputs([str(child)], scc_notes, context)
            inputs.extend(more)
            notes.extend(more_notes)
    return inputs, notes


def _kubernetes_manifest(path: Path, context: ReadContext) -> bool:
    """A YAML file in an evidence folder is evidence when it is a Kubernetes manifest (other YAML beside
    the evidence, such as an overrides file or a system profile, is not)."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        return False
    from scc.facts.deploy.kubernetes import READER

    try:
        return READER.sniff(InputDocument(path, context))
    except InputError:
        return False


def _claimed(doc: InputDocument) -> bool:
    try:
        detect_reader(doc)
    except InputError:
        return False
    return True


def read_inputs(paths: Iterable[str], context: ReadContext | None = None) -> ImageFacts:
    """Read every input (folders opened up) and merge them into one ImageFacts for one image.

    ``context`` carries the verification keys and caps (default: ``ReadContext.from_env()``).
    """
    from scc.facts.merge import merge_facts

    paths = [str(p) for p in paths]
    context = context if context is not None else ReadContext.from_env()
    passed_over: list[str] = []
    inputs, notes = expand_inputs(paths, passed_over, context)
    if not inputs:
        raise InputError(", ".join(paths) or "(no inputs)",
                         "give at least one SBOM, scan, image config or image")
    from scc.facts.attestation_sets import exclude_foreign

    with collector_paused():
        merged = merge_facts(exclude_foreign([read_input(p, context)[1] for p in inputs]))
    merged.notes.extend(notes)
    merged.passed_over.extend(passed_over)
    return merged

