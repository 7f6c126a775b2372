"""The batch catalog: which images to assess, each with its inputs and the settings it overrides.

A catalog is either a folder whose subfolders are per-image evidence folders (each one what
``scc package FOLDER`` accepts), or a YAML file listing the images::

    images:
      - name: demo-api                       # any text; the package folder gets a safe form of it
        inputs: [demo-image/]                # files or folders, relative to the YAML file
        profile: demo-image/system-profile.yaml
        overrides: demo-image/overrides.yaml
        attestations: attestations.yaml
        keys: [demo-image/demo-signing.pub]
        baseline: moderate
        system_name: Demo API

(a bare list of such entries is accepted too). The YAML is checked as a whole before any image is
assessed: a malformed entry is one ``CatalogError`` naming the file and the entry. Whether the files
an entry names exist is left to that image's assessment, so one missing file fails one image only.
"""
from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scc.errors import SccError

#: the files a batch writes beside the packages: no package folder may take one of these names
SUMMARY_NAMES = ("summary.csv", "summary.html", "summary.json", "summary.xlsx")
BASELINES = ("low", "moderate", "high", "privacy", "fedramp-low", "fedramp-moderate", "fedramp-high",
             "fedramp-li-saas")
_ENTRY_KEYS = ("name", "inputs", "profile", "overrides", "attestations", "keys", "baseline", "system_name")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_NAME = 80
_WINDOWS_RESERVED = re.compile(r"(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?", re.IGNORECASE)


class CatalogError(SccError):
    """A catalog scc cannot use: the message names the file (and the entry) and what is wrong."""


@dataclass(frozen=True)
class ImageEntry:
    """One image of the catalog: its name as given, its package folder name, inputs and per-image settings.

    A setting left ``None`` (``keys`` included) means "the batch's common option applies".
    """

    name: str
    folder: str                       # the safe, unique folder name under the batch's --out
    inputs: tuple[str, ...]
    where: str                        # "catalog.yaml: entry 3 (demo-api)", for messages
    profile: str | None = None
    overrides: str | None = None
    attestations: str | None = None
    keys: tuple[str, ...] | None = None
    baseline: str | None = None
    system_name: str | None = None


def load_catalog(path: str | os.PathLike[str]) -> tuple[ImageEntry, ...]:
    """The images of a catalog folder or YAML file, in catalog order, with unique safe folder names."""
    catalog = Path(path)
    if catalog.is_dir():
        entries = _folder_entries(catalog)
    elif catalog.is_file():
        entries = _yaml_entries(catalog)
    else:
        raise CatalogError(f"{catalog}: no such catalog (give a folder of evidence folders or a YAML file)")
    if not entries:
        raise CatalogError(f"{catalog}: the catalog lists no images")
    return tuple(entries)


# -- a folder of evidence folders ----------------------------------------------------------------------
def _folder_entries(catalog: Path) -> list[ImageEntry]:
    folders = sorted((p for p in catalog.iterdir() if p.is_dir() and not p.name.startswith(".")),
                     key=lambda p: p.name)
    names = unique_folder_names(p.name for p in folders)
    return [ImageEntry(name=p.name, folder=folder, inputs=(str(p),), where=f"{catalog}: folder {p.name}")
            for p, folder in zip(folders, names, strict=True)]


# -- a YAML list -------------------------------------------------------------------------------------------
def _yaml_entries(catalog: Path) -> list[ImageEntry]:
    from scc.yamlsafe import YamlRefused, load_file

    try:
        document = load_file(catalog)
    except YamlRefused as exc:
        raise CatalogError(f"{catalog}: {exc}") from exc
    raw = document.get("images") if isinstance(document, dict) and set(document) == {"images"} else document
    if not isinstance(raw, list):
        raise CatalogError(f"{catalog}: expected a list of images (or 'images:' with a list), "
                           f"got {type(document).__name__}")
    parsed = [_parse_entry(catalog, index, item) for index, item in enumerate(raw, start=1)]
    folders = unique_folder_names(f["name"] for f in parsed)
    return [ImageEntry(folder=folder, **fields) for fields, folder in zip(parsed, folders, strict=True)]


def _parse_entry(catalog: Path, index: int, item: Any) -> dict[str, Any]:
    where = f"{catalog}: entry {index}"
    if not isinstance(item, dict):
        raise CatalogError(f"{where}: expected a mapping with name and inputs, got {type(item).__name__}")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CatalogError(f"{where}: 'name' must be a non-empty string")
    where = f"{where} ({name})"
    unknown = sorted(str(k) for k in item if k not in _ENTRY_KEYS)
    if unknown:
        raise CatalogError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(_ENTRY_KEYS)})")
    base = catalog.parent
    inputs = _paths(item.get("inputs"), "inputs", where, base)
    if not inputs:
        raise CatalogError(f"{where}: 'inputs' must list at least one file or folder")
    keys = _paths(item["keys"], "keys", where, base) if "keys" in item else None
    baseline = item.get("baseline")
    if baseline is not None and (not isinstance(baseline, str) or baseline.strip().lower() not in BASELINES):
        raise CatalogError(f"{where}: 'baseline' must be one of {', '.join(BASELINES)}, got {baseline!r}")
    system_name = item.get("system_name")
    if system_name is not None and not isinstance(system_name, str):
        raise CatalogError(f"{where}: 'system_name' must be a string")
    return {
        "name": name, "inputs": inputs, "where": where, "keys": keys,
        "baseline": baseline.strip().lower() if isinstance(baseline, str) else None, "system_name": system_name,
        **{key: _path(item.get(key), key, where, base) for key in ("profile", "overrides", "attestations")},
    }


def _paths(value: Any, key: str, where: str, base: Path) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise CatalogError(f"{where}: '{key}' must be a path or a list of paths")
    return tuple(str(base / v) for v in values)


def _path(value: Any, key: str, where: str, base: Path) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(f"{where}: '{key}' must be a path")
    return str(base / value)


# -- folder names ---------------------------------------------------------------------------------------
def safe_folder_name(name: str) -> str:
    """A folder name that is safe on every file system: ASCII letters, digits, '.', '_' and '-' only, never
    '.', '..', hidden, a Windows device name or a summary file's name, at most 80 characters."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = _UNSAFE.sub("-", text).strip(".-_")[:_MAX_NAME].strip(".-_")
    if not text:
        return "image"
    if _WINDOWS_RESERVED.fullmatch(text) or text.lower() in SUMMARY_NAMES:
        return f"{text}-image"
    return text


def unique_folder_names(names: Iterable[str]) -> list[str]:
    """``safe_folder_name`` of each name, made unique (ignoring case) by a -2, -3 ... suffix in order."""
    taken: set[str] = set()
    result = []
    for name in names:
        base = safe_folder_name(name)
        candidate, number = base, 1
        while candidate.lower() in taken:
            number += 1
            candidate = f"{base}-{number}"
        taken.add(candidate.lower())
        result.append(candidate)
    return result


def catalog_inputs(entries: Iterable[ImageEntry]) -> list[str]:
    """Every path the catalog names (inputs and per-image setting files): none may lie inside --out."""
    paths: list[str] = []
    for entry in entries:
        paths += [*entry.inputs, *(entry.keys or ())]
        paths += [p for p in (entry.profile, entry.overrides, entry.attestations) if p]
    return paths

