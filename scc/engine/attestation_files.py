"""Attestation files as written: scc's YAML, MITRE SAF's JSON/YAML list, and SAF's xlsx template.

    attestations:                       # scc's form (``scc attest`` appends to it)
      - rule: SRG-OS-000480-GPOS-00227  # or control: ac-2, or SAF's control_id
        status: passed
        ...

SAF's ``saf attest create`` writes a plain list of ``{control_id, explanation, frequency, status,
updated, updated_by}`` as JSON or YAML, or fills the "attestations" sheet of its template
(columns Control_ID, Explanation, Frequency, Status, Updated, Updated_By). All three are read here
into raw entries (where in the file, plain dict); scc.engine.attestations validates them.

YAML goes through scc.yamlsafe; JSON is capped at the same 1 MiB and refuses a key given twice; the
workbook is opened read-only and at most ``MAX_ROWS`` rows are read.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scc.errors import InputError
from scc.yamlsafe import MAX_BYTES, YamlRefused, load_file, load_text

if TYPE_CHECKING:
    from scc.report import Attestation

SAF_SHEET = "attestations"
SAF_COLUMNS = ("control_id", "explanation", "frequency", "status", "updated", "updated_by")
#: the other headers SAF's own xlsx reader (hdf-converters parseXLSXAttestations) accepts
_SAF_HEADER_ALIASES = {"id": "control_id", "control": "control_id", "explain": "explanation",
                       "updated_at": "updated"}
MAX_ROWS = 10_000
MAX_XLSX_BYTES = 10 << 20


@dataclass(frozen=True)
class RawEntry:
    where: str          # attestations[2] / row 5: what an error message names
    pointer: str        # the spot cited as evidence: /attestations/2, /2, attestations!A5:F5
    data: dict[str, Any]


@dataclass(frozen=True)
class AttestationFile:
    path: Path
    sha256: str
    entries: list[RawEntry]
    form: str           # scc | saf-list | saf-xlsx


def read_attestation_file(path: Path) -> AttestationFile:
    """The raw entries of an attestation file in any accepted form; InputError when it is unreadable."""
    try:
        data = path.read_bytes() if path.stat().st_size <= MAX_XLSX_BYTES else None
    except OSError as exc:
        raise InputError(path, f"cannot read attestations: {exc.strerror or exc}") from exc
    if data is None:
        raise InputError(path, "cannot read attestations: larger than 10 MiB")
    digest = hashlib.sha256(data).hexdigest()
    if data[:4] == b"PK\x03\x04" or path.suffix.lower() in (".xlsx", ".xlsm"):
        return AttestationFile(path, digest, _xlsx_entries(path), "saf-xlsx")
    if len(data) > MAX_BYTES:
        raise InputError(path, "cannot read attestations: larger than 1 MiB, the most scc reads")
    document = _json_document(path, data) if path.suffix.lower() == ".json" else _yaml_document(path, data)
    form, entries = _document_entries(path, document)
    return AttestationFile(path, digest, entries, form)


def _yaml_document(path: Path, data: bytes) -> Any:
    try:
        return load_text(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(path, f"cannot read attestations: not UTF-8 text (byte {exc.start})") from exc
    except YamlRefused as exc:
        raise InputError(path, f"cannot read attestations: {exc}") from exc


def _json_document(path: Path, data: bytes) -> Any:
    def refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"key {repeated[0]!r} is given twice in one object")
        return dict(pairs)

    try:
        return json.loads(data.decode("utf-8-sig"), object_pairs_hook=refuse_duplicates)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InputError(path, f"cannot read attestations: not valid JSON ({str(exc).splitlines()[0]})") from exc


def _document_entries(path: Path, document: Any) -> tuple[str, list[RawEntry]]:
    if isinstance(document, list):      # SAF's own form: a bare list of attestations
        return "saf-list", [RawEntry(f"attestations[{i}]", f"/{i}", e) for i, e in enumerate(document)]
    if isinstance(document, dict) and set(document) == {"attestations"} and isinstance(document["attestations"], list):
        return "scc", [RawEntry(f"attestations[{i}]", f"/attestations/{i}", e)
                       for i, e in enumerate(document["attestations"])]
    legacy = document.get("plugins", {}) if isinstance(document, dict) else {}
    legacy = legacy.get("inspec-reporter-json-hdf", {}) if isinstance(legacy, dict) else {}
    if isinstance(legacy, dict) and isinstance(legacy.get("attestations"), list):
        base = "/plugins/inspec-reporter-json-hdf/attestations"
        return "saf-list", [RawEntry(f"attestations[{i}]", f"{base}/{i}", e)
                            for i, e in enumerate(legacy["attestations"])]
    raise InputError(path, "attestations file must be a mapping with one 'attestations:' list, "
                           "or SAF's list of attestations")


def _xlsx_entries(path: Path) -> list[RawEntry]:
    import openpyxl

    try:
        with open(path, "rb") as stream:     # a file object: openpyxl then ignores the file's extension
            workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
            try:
                return _sheet_entries(path, workbook)
            finally:
                workbook.close()
    except InputError:
        raise
    except Exception as exc:  # a hostile workbook fails in many ways; each is one line
        raise InputError(path, f"cannot read attestations: not a readable xlsx workbook "
                               f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})") from exc


def _sheet_entries(path: Path, workbook: Any) -> list[RawEntry]:
    sheet = workbook[SAF_SHEET] if SAF_SHEET in workbook.sheetnames else workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1)
    header = [_header(cell) for cell in next(rows, ())]
    if "control_id" not in header:
        raise InputError(path, f"sheet {sheet.title!r}: row 1 has no Control_ID column "
                               f"(SAF's template: {', '.join(c.title() for c in SAF_COLUMNS)})")
    entries = []
    for number, row in enumerate(rows, start=2):
        if all(cell is None or str(cell).strip() == "" for cell in row):
            continue
        values = {key: _cell(value) for key, value in zip(header, row, strict=False) if key}
        entries.append(RawEntry(f"sheet {sheet.title!r} row {number}", f"{sheet.title}!A{number}", values))
    return entries


def _header(cell: Any) -> str:
    key = "_".join(str(cell or "").strip().lower().split())
    return _SAF_HEADER_ALIASES.get(key, key)


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


# -- writing (scc attest) ----------------------------------------------------------------------------
_HEADER = ("# Attestations: a person's judgment on checks the image facts cannot decide (scc attest appends).\n"
           "# Each entry closes one manual rule (or every manual rule of a control) until it expires.\n")


def entry_yaml(entry: dict[str, str]) -> str:
    """One list item of scc's form, every value a quoted scalar (safe for any text)."""
    lines = []
    for number, (key, value) in enumerate(entry.items()):
        lead = "  - " if number == 0 else "    "
        lines.append(f"{lead}{key}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def appended_text(path: Path, entry: dict[str, str]) -> str:
    """The file's text with ``entry`` appended to its attestations list (comments and order kept).

    The result is re-read and must hold exactly the old entries plus the new one; otherwise (a flow-style
    list, another key after it, SAF's list or xlsx form) nothing is written and the error says why.
    """
    if not path.exists():
        text = f"{_HEADER}attestations:\n{entry_yaml(entry)}"
        _expect(path, text, [], entry)
        return text
    try:
        old = load_file(path)
        original = path.read_text(encoding="utf-8-sig")
    except (YamlRefused, OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot append an attestation: {exc}") from exc
    if not (isinstance(old, dict) and set(old) == {"attestations"} and isinstance(old["attestations"], list)):
        raise InputError(path, "scc attest appends to scc's form (a mapping with one 'attestations:' list); "
                               "give a new file for SAF's list form")
    text = original if original.endswith("\n") or not original else original + "\n"
    text += entry_yaml(entry)
    _expect(path, text, old["attestations"], entry)
    return text


def _expect(path: Path, text: str, old: list[Any], entry: dict[str, str]) -> None:
    try:
        document = load_text(text)
    except YamlRefused as exc:
        raise InputError(path, f"cannot append an attestation safely: {exc}") from exc
    entries = document.get("attestations") if isinstance(document, dict) else None
    if entries != [*old, entry]:
        raise InputError(path, "cannot append an attestation safely: the 'attestations:' list must be the "
                               "last thing in the file, in block style (one '- ' item per entry)")


def latest_of_history(candidates: list[Attestation], subject: str) -> Attestation:
    """The most recent of the entries that reach ``subject`` (the file is a history).

    Two entries of that newest day that say different things are refused: which one counts would be a guess."""
    newest = max(a.updated for a in candidates)
    latest = [a for a in candidates if a.updated == newest]
    if len({(a.status, a.explanation, a.expires) for a in latest}) > 1:
        first, second = latest[:2]
        raise InputError(first.source, f"{first.entry} and {second.entry} both attest {subject} "
                                       f"on {newest.isoformat()}; keep one")
    return latest[0]
