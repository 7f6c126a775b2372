"""An earlier scc package (``--previous DIR``): the first detection of each finding it recorded.

The record lives in the package's OSCAL POA&M (oscal-poam.json): every vulnerability poam-item carries,
in scc's prop namespace, ``finding-identity`` (vulnerability id | package purl without version, see
scc.engine.remediation) and ``first-detected`` (the earliest detection known when that package was
written), beside ``weakness`` and ``package``. scc writes the same props in every package, so the
chain holds run after run. The POA&M is trusted only when its sha256 is the one the package's
manifest.json records; an item without the props (an older scc) carries nothing over and is counted
in a note.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scc.clock import parse_time
from scc.errors import InputError, UsageError
from scc.facts.model import InputFile, PriorDetection
from scc.facts.source import InputDocument

SCC_NS = "https://scc.dev/ns/oscal"
POAM_FILE = "oscal-poam.json"
MANIFEST_FILE = "manifest.json"
FORMAT = "scc-previous-poam"


@dataclass
class PreviousPackage:
    """What an earlier package recorded: its first detections, the POA&M read (an input), notes."""

    input: InputFile
    detections: list[PriorDetection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_previous_package(directory: str | Path) -> PreviousPackage:
    """The first detections an earlier package recorded; exit-2 errors name the file and the problem."""
    root = Path(directory)
    if not root.is_dir():
        raise UsageError(f"--previous {root}: not a directory (give the folder an earlier `scc package` wrote)")
    for name in (MANIFEST_FILE, POAM_FILE):
        if not (root / name).is_file():
            raise UsageError(f"--previous {root}: no {name}; not a package written by `scc package` "
                             "(or one written without the oscal-poam format)")
    poam = InputDocument(root / POAM_FILE)
    _check_manifest(InputDocument(root / MANIFEST_FILE), poam)
    items = _poam_items(poam)
    found = PreviousPackage(input=InputFile(poam.display_path, poam.sha256, poam.size, FORMAT, tool="scc"))
    unmarked = 0
    for index, item in enumerate(items):
        values = _scc_props(poam, item, index)
        if values.get("poam-kind") != "vulnerability":
            continue
        detection = _detection(poam, values, index)
        if detection is None:
            unmarked += 1
        else:
            found.detections.append(detection)
    if unmarked:
        found.notes.append(f"{poam.display_path}: {unmarked} vulnerability item(s) carry no finding-identity / "
                           "first-detected (an older scc wrote them); their first detection is not carried over")
    return found


def _check_manifest(manifest: InputDocument, poam: InputDocument) -> None:
    data = manifest.json
    if not isinstance(data, dict) or not isinstance(data.get("outputs"), list):
        raise manifest.fail("not an scc package manifest (no outputs list)")
    recorded = [o.get("sha256") for o in data["outputs"] if isinstance(o, dict) and o.get("path") == POAM_FILE]
    if not recorded:
        raise manifest.fail(f"lists no {POAM_FILE}, so the previous POA&M cannot be trusted")
    if recorded[0] != poam.sha256:
        raise InputError(poam.display_path, f"sha256 {poam.sha256} is not the {recorded[0]} that "
                                            f"{MANIFEST_FILE} records: the package was altered after it was written")


def _poam_items(poam: InputDocument) -> list[Any]:
    data = poam.json
    document = data.get("plan-of-action-and-milestones") if isinstance(data, dict) else None
    if not isinstance(document, dict) or not isinstance(document.get("poam-items"), list):
        raise poam.fail("not an OSCAL plan-of-action-and-milestones (no poam-items)")
    return document["poam-items"]


def _scc_props(poam: InputDocument, item: Any, index: int) -> dict[str, str]:
    if not isinstance(item, dict) or not isinstance(item.get("props", []), list):
        raise poam.fail(f"/plan-of-action-and-milestones/poam-items/{index}: not a poam-item object")
    values: dict[str, str] = {}
    for entry in item.get("props", []):
        if isinstance(entry, dict) and entry.get("ns") == SCC_NS and isinstance(entry.get("value"), str):
            values.setdefault(str(entry.get("name")), entry["value"])
    return values


def _detection(poam: InputDocument, values: dict[str, str], index: int) -> PriorDetection | None:
    identity, stamp = values.get("finding-identity", ""), values.get("first-detected", "")
    if not identity or not stamp:
        return None
    when = parse_time(stamp)
    pointer = f"/plan-of-action-and-milestones/poam-items/{index}"
    if when is None:
        raise poam.fail(f"{pointer}: first-detected {stamp!r} is not a date")
    return PriorDetection(identity=identity, weakness=values.get("weakness", ""), package=values.get("package", ""),
                          first_detected=when, evidence=(poam.evidence(pointer),))
