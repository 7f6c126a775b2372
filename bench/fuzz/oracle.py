"""The oracle, run inside the fuzz worker process: read a mutated input, and maybe assess and render it.

A reader either returns facts or raises scc.errors.InputError whose message is one line and names
the file. In pipeline mode the facts are assessed and every writer renders (the PDF only every few
cases, it is slow); each output must pass its validator: JSON parses strictly as UTF-8, OSCAL
documents pass the NIST OSCAL 1.2.1 JSON schema, XML parses with lxml, the xlsx loads in openpyxl,
the PDF has a header and a trailer. Anything else is a crash, described by a signature (exception
type and the innermost scc frame) so repeats of one bug count once.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import tempfile
import traceback
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from seeds import SHARED

OSCAL_MODELS = {"component-definition.json": "component", "oscal-assessment-results.json": "assessment-results",
                "oscal-poam.json": "poam"}
INPUT_NAME = "fuzzinput"


@dataclass
class Outcome:
    status: str            # "facts" | "refused" | "crash"
    signature: str = ""    # for crashes: what went wrong, where
    detail: str = ""       # for crashes: the traceback or validator message


def run_case(files: dict[str, bytes], is_dir: bool, pipeline: bool, pdf: bool) -> Outcome:
    workdir = Path(tempfile.mkdtemp(prefix="scc-fuzz-"))
    try:
        target = _materialise(workdir, files, is_dir)
        return _check(target, pipeline, pdf)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _materialise(workdir: Path, files: dict[str, bytes], is_dir: bool) -> Path:
    if not is_dir:
        (name, data), = files.items()
        target = workdir / (INPUT_NAME + "".join(Path(name).suffixes[-2:]))
        target.write_bytes(data)
        return target
    root = workdir / INPUT_NAME
    for relative, data in files.items():
        path = (root / relative).resolve()
        if root.resolve() not in path.parents:
            continue
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except (OSError, ValueError):
            continue
    root.mkdir(exist_ok=True)
    return root


def _check(target: Path, pipeline: bool, pdf: bool) -> Outcome:
    from scc.errors import InputError

    stage = "read"
    try:
        from scc.facts import read_inputs

        facts = read_inputs([str(target)])
        if not pipeline:
            return Outcome("facts")
        stage = "assess"
        from scc.assessment import Assessment

        assessment = Assessment(facts, rules=_shipped_rules())
        stage = "render"
        problems = _render_and_validate(assessment, pdf)
        if problems:
            return Outcome("crash", f"invalid output: {problems[0][0]}", "\n".join(long for _, long in problems))
        return Outcome("facts")
    except InputError as err:
        if stage != "read":
            return Outcome("crash", f"InputError after reading ({stage})", traceback.format_exc())
        message = str(err)
        if "\n" in message or "\r" in message:
            return Outcome("crash", "InputError message is not one line", message[:2000])
        if INPUT_NAME not in message:
            return Outcome("crash", "InputError message does not name the file", message[:2000])
        return Outcome("refused")
    except Exception as err:  # noqa: BLE001 - every other exception is exactly what we hunt
        return Outcome("crash", f"{stage}: {_signature(err)}", traceback.format_exc()[-6000:])


@cache
def _shipped_rules():
    """The shipped rule packs, parsed once per worker (the engine never mutates them)."""
    from scc.engine.rules import load_rule_packs

    return load_rule_packs(None)


def _signature(err: BaseException) -> str:
    frames = traceback.extract_tb(err.__traceback__)
    inside = [f for f in frames if f"{os.sep}scc{os.sep}" in f.filename] or frames
    where = f"{Path(inside[-1].filename).name}:{inside[-1].lineno}" if inside else "?"
    return f"{type(err).__name__} at {where}"


def _render_and_validate(assessment, pdf: bool) -> list[tuple[str, str]]:
    """(short signature, full message) for every output that fails its validator."""
    from scc.package import _extra_documents, manifest
    from scc.writers import available_writers
    from scc.writers.ssp_pdf import render_html

    outputs: dict[str, bytes] = {}
    for writer in available_writers():
        if writer.filename.endswith(".pdf") and not pdf:
            render_html(assessment)
            continue
        outputs[writer.filename] = writer.render(assessment)
        outputs.update(_extra_documents(writer, assessment))
    outputs["manifest.json"] = manifest(assessment, {n: (d, "") for n, d in outputs.items()})
    problems: list[tuple[str, str]] = []
    for name, data in sorted(outputs.items()):
        try:
            problems.extend((f"{name}: {short}", f"{name}: {long}") for short, long in validate_output(name, data))
        except Exception as err:  # noqa: BLE001 - a validator refusing to even load the file is a finding
            problems.append((f"{name}: {type(err).__name__}", f"{name}: {type(err).__name__}: {str(err)[:500]}"))
    return problems


def validate_output(name: str, data: bytes) -> list[tuple[str, str]]:
    """(short, full) reasons ``data`` is not a valid ``name`` output (empty when it is); raises when
    the file does not even parse."""
    if name.endswith((".json", ".cklb")):
        document = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
        if name == "hdf.json":
            return _hdf_errors(document)
        return _oscal_errors(document, OSCAL_MODELS[name]) if name in OSCAL_MODELS else []
    if name.endswith((".xml", ".ckl")):
        from lxml import etree

        etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
        return []
    if name.endswith(".xlsx"):
        import openpyxl

        workbook = openpyxl.load_workbook(io.BytesIO(data))
        for sheet in workbook.worksheets:
            for _row in sheet.iter_rows(values_only=True):
                pass
        return []
    if name.endswith(".pdf"):
        return [] if data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:] else [("truncated", "not a complete PDF")]
    return [("unvalidated", f"no validator for {name}")]


def _refuse_constant(token: str):
    raise ValueError(f"{token} is not JSON")


@cache
def _oscal_validator(model: str):
    """Draft 7 validator for the OSCAL 1.2.1 schema, with \\p{L}-capable patterns (as tests/validators.py)."""
    import jsonschema
    import regex

    schema = json.loads((SHARED / "oscal-schemas" / "1.2.1" / f"oscal_{model}_schema.json").read_text("utf-8"))

    def pattern(validator, expected, instance, _schema):
        if validator.is_type(instance, "string") and not regex.search(expected, instance):
            yield jsonschema.ValidationError(f"{instance[:80]!r} does not match {expected!r}")

    cls = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": pattern})
    return cls(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def _oscal_errors(document, model: str) -> list[tuple[str, str]]:
    errors = sorted(_oscal_validator(model).iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    found = []
    for error in errors[:5]:
        path = "/" + "/".join(map(str, error.absolute_path))
        found.append((f"OSCAL schema {re.sub(r'/[0-9]+', '/*', path)} ({error.validator})",
                      f"OSCAL {model} schema: {path}: {error.message[:300]}"))
    return found


@cache
def _hdf_validator():
    """Draft 7 validator for MITRE's HDF exec-json schema (the copy under tests/data/hdf)."""
    import jsonschema

    path = Path(__file__).resolve().parents[2] / "tests" / "data" / "hdf" / "exec-json.schema.json"
    return jsonschema.Draft7Validator(json.loads(path.read_text("utf-8")))


def _hdf_errors(document) -> list[tuple[str, str]]:
    errors = sorted(_hdf_validator().iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    found = []
    for error in errors[:5]:
        path = "/" + "/".join(map(str, error.absolute_path))
        found.append((f"HDF schema {re.sub(r'/[0-9]+', '/*', path)} ({error.validator})",
                      f"HDF exec-json schema: {path}: {error.message[:300]}"))
    return found
