"""Reading NIST's OSCAL catalog and baseline profiles into Catalog / Baseline objects.

The catalog is read with the standard json module, not trestle's pydantic models: the full rev5
catalog (10 MB) parses and renders in a fraction of the time (bench/content_load.py has the figures).
trestle remains the writer and validator of the OSCAL scc produces.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from scc.content.model import Baseline, Catalog, Control, Param
from scc.errors import ContentError

_INSERT = re.compile(r"\{\{\s*insert:\s*param,\s*([\w.\-]+)\s*\}\}")
_ORG = "organization-defined"


def loads_json(data: bytes, name: str) -> dict[str, Any]:
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise ContentError(f"{name}: not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise ContentError(f"{name}: an OSCAL document must be a JSON object")
    return document


def parse_catalog(data: bytes, name: str) -> Catalog:
    body = loads_json(data, name).get("catalog")
    if not isinstance(body, dict) or not isinstance(body.get("groups"), list):
        raise ContentError(f"{name}: not an OSCAL catalog (no catalog.groups)")
    metadata = body.get("metadata") or {}
    controls: dict[str, Control] = {}
    families: dict[str, str] = {}
    try:
        for group in body["groups"]:
            family_id, family_title = str(group.get("id", "")), str(group.get("title", ""))
            families[family_id] = family_title
            for raw in group.get("controls") or []:
                _add_control(raw, family_id, family_title, "", {}, controls)
    except (AttributeError, TypeError, KeyError) as exc:
        raise ContentError(f"{name}: malformed OSCAL catalog control ({type(exc).__name__}: {exc})") from exc
    return Catalog(
        title=str(metadata.get("title", "")), version=str(metadata.get("version", "")),
        controls=controls, families=families, source=name,
    )


def _add_control(raw: dict[str, Any], family_id: str, family_title: str, parent: str,
                 inherited: dict[str, Param], out: dict[str, Control]) -> None:
    control_id = str(raw["id"]).lower()
    params = {p["id"]: _param(p) for p in raw.get("params") or []}
    scope = {**inherited, **params}
    parts = raw.get("parts") or []
    children = raw.get("controls") or []
    out[control_id] = Control(
        id=control_id,
        title=str(raw.get("title", "")),
        family_id=family_id,
        family_title=family_title,
        statement_text=_render_statement(parts, scope),
        guidance=_prose_of(parts, "guidance", scope),
        params=tuple(params.values()),
        enhancement_of=parent,
        withdrawn=_prop(raw, "status") == "withdrawn",
        label=_label(raw),
        enhancements=tuple(str(child["id"]).lower() for child in children),
        statement_parts=tuple(_statement_part_ids(parts)),
    )
    for child in children:
        _add_control(child, family_id, family_title, control_id, scope, out)


def _statement_part_ids(parts: list[dict[str, Any]]) -> list[str]:
    """The ids of the statement part and of every item part below it, in document order."""
    ids: list[str] = []
    pending = [p for p in parts if p.get("name") == "statement"][::-1]
    while pending:
        part = pending.pop()
        if isinstance(part.get("id"), str):
            ids.append(part["id"])
        pending.extend([c for c in part.get("parts") or [] if c.get("name") == "item"][::-1])
    return ids


def _param(raw: dict[str, Any]) -> Param:
    select = raw.get("select") or {}
    return Param(
        id=str(raw["id"]),
        label=str(raw.get("label", "")),
        choices=tuple(str(c) for c in select.get("choice") or []),
        how_many=str(select.get("how-many", "")),
        values=tuple(str(v) for v in raw.get("values") or []),
    )


def _prop(raw: dict[str, Any], name: str) -> str:
    for prop in raw.get("props") or []:
        if prop.get("name") == name:
            return str(prop.get("value", ""))
    return ""


def _label(raw: dict[str, Any]) -> str:
    for prop in raw.get("props") or []:
        if prop.get("name") == "label" and not prop.get("class"):
            return str(prop.get("value", ""))
    return _prop(raw, "label")


def substitute(prose: str, params: dict[str, Param], depth: int = 0) -> str:
    """Replace {{ insert: param, id }} with the value or '[Assignment: organization-defined ...]'."""
    def one(match: re.Match[str]) -> str:
        param = params.get(match.group(1))
        if param is None or depth > 4:
            return f"[Assignment: {match.group(1)}]"
        if param.values:
            return param.render()
        if param.choices:
            choices = [substitute(choice, params, depth + 1) for choice in param.choices]
            many = " (one or more)" if param.how_many == "one-or-more" else ""
            return f"[Selection{many}: {'; '.join(choices)}]"
        label = param.label or param.id
        return f"[Assignment: {label if label.startswith(_ORG) else f'{_ORG} {label}'}]"
    return _INSERT.sub(one, prose)


def _render_statement(parts: list[dict[str, Any]], params: dict[str, Param]) -> str:
    lines: list[str] = []
    for part in parts:
        if part.get("name") == "statement":
            _render_part(part, params, 0, lines, top=True)
    return "\n".join(lines)


def _render_part(part: dict[str, Any], params: dict[str, Param], depth: int, lines: list[str], top: bool) -> None:
    prose = substitute(str(part.get("prose", "")), params).strip()
    label = "" if top else _prop(part, "label")
    text = " ".join(x for x in (label, prose) if x)
    if text:
        lines.append("  " * depth + text)
    for child in part.get("parts") or []:
        if child.get("name") == "item":
            _render_part(child, params, depth + (0 if top else 1), lines, top=False)


_LINK = re.compile(r"\[([^\]]+)\]\(#[^)]*\)")


def _prose_of(parts: list[dict[str, Any]], name: str, params: dict[str, Param]) -> str:
    """A part's prose as plain text: parameters substituted, '[AC-3](#ac-3)' links reduced to 'AC-3'."""
    for part in parts:
        if part.get("name") == name:
            return _LINK.sub(r"\1", substitute(str(part.get("prose", "")), params)).strip()
    return ""


# --- profiles ---------------------------------------------------------------------------------

ImportResolver = Callable[[str, dict[str, Any]], "Catalog | dict[str, Any]"]


def profile_body(document: dict[str, Any], name: str) -> dict[str, Any]:
    body = document.get("profile")
    if not isinstance(body, dict) or not isinstance(body.get("imports"), list):
        raise ContentError(f"{name}: not an OSCAL profile (no profile.imports)")
    return body


def parse_baseline(data: bytes, name: str, level: str, resolve: ImportResolver) -> Baseline:
    """A baseline's control ids, resolving its import chain down to the catalog."""
    body = profile_body(loads_json(data, name), name)
    ids, _ = selected_controls(body, name, resolve, depth=0)
    metadata = body.get("metadata") or {}
    return Baseline(name=level, title=str(metadata.get("title", "")), control_ids=tuple(ids),
                    version=str(metadata.get("version", "")))


def selected_controls(body: dict[str, Any], name: str, resolve: ImportResolver,
                      depth: int) -> tuple[list[str], Catalog | None]:
    """The ids a profile selects (in order) and the catalog at the bottom of its import chain."""
    if depth > 5:
        raise ContentError(f"{name}: profile import chain is deeper than 5 (a cycle?)")
    selected: dict[str, None] = {}
    catalog: Catalog | None = None
    for entry in body["imports"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("href"), str):
            raise ContentError(f"{name}: profile import without an href")
        target = resolve(entry["href"], body)
        if isinstance(target, Catalog):
            catalog, available = target, list(target.controls)
        else:
            href = entry["href"]
            available, catalog = selected_controls(profile_body(target, href), href, resolve, depth + 1)
        for control_id in _apply_import(entry, available, catalog):
            selected.setdefault(control_id, None)
    return list(selected), catalog


def _apply_import(entry: dict[str, Any], available: list[str], catalog: Catalog | None) -> list[str]:
    pool = set(available)
    chosen: list[str] = []
    if entry.get("include-all") is not None:
        chosen = list(available)
    for rule in entry.get("include-controls") or []:
        chosen.extend(_matching(rule, available, pool, catalog))
    excluded: set[str] = set()
    for rule in entry.get("exclude-controls") or []:
        excluded.update(_matching(rule, available, pool, catalog))
    seen: dict[str, None] = {}
    for control_id in chosen:
        if control_id not in excluded:
            seen.setdefault(control_id, None)
    return list(seen)


def _matching(rule: dict[str, Any], available: list[str], pool: set[str], catalog: Catalog | None) -> list[str]:
    ids = [str(i).lower() for i in rule.get("with-ids") or [] if str(i).lower() in pool]
    for matcher in rule.get("matching") or []:
        pattern = re.compile(_glob(str(matcher.get("pattern", ""))))
        ids.extend(i for i in available if pattern.fullmatch(i))
    if rule.get("with-child-controls") == "yes" and catalog is not None:
        ids = [d for i in ids for d in _with_descendants(i, catalog) if d in pool]
    return ids


def _glob(pattern: str) -> str:
    return "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern.lower())


def _with_descendants(control_id: str, catalog: Catalog) -> list[str]:
    out = [control_id]
    control = catalog.control(control_id)
    for child in control.enhancements if control else ():
        out.extend(_with_descendants(child, catalog))
    return out


def import_target(href: str, body: dict[str, Any]) -> list[str]:
    """The candidate locations an import href names: back-matter rlinks for '#uuid', else the href itself."""
    if not href.startswith("#"):
        return [href]
    uuid = href[1:]
    for resource in (body.get("back-matter") or {}).get("resources") or []:
        if resource.get("uuid") == uuid:
            links = [r for r in resource.get("rlinks") or [] if isinstance(r.get("href"), str)]
            links.sort(key=lambda r: 0 if "json" in str(r.get("media-type", "")) else 1)
            return [r["href"] for r in links]
    return []
