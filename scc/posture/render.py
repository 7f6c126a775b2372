"""A :class:`~scc.posture.model.PostureDiff` as text (terminal), markdown (pull-request comment) or HTML
(notebooks). Every value from a package is untrusted text: markdown cells escape pipes, backticks,
brackets and HTML; the HTML view escapes everything."""
from __future__ import annotations

import html as _html
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scc.posture.model import ComponentChange, PostureDiff

#: tables longer than this are folded into a <details> block in markdown
COLLAPSE_AFTER = 10
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()|~])")

Row = tuple[str, ...]


def _sections(d: PostureDiff) -> list[tuple[str, Row, list[Row]]]:
    """(title, header, rows) of every non-empty part, in reading order."""
    def srg(ids: Sequence[str]) -> str:
        return ", ".join(ids)

    parts: list[tuple[str, Row, list[Row]]] = [
        ("Controls", ("control", "old", "new", "change"), [(c.id, c.old, c.new, c.direction) for c in d.controls]),
        ("Rules", ("rule", "SRG", "severity", "old", "new", "change"),
         [(r.id, srg(r.srg), r.severity, r.old, r.new, r.direction) for r in d.rules]),
        ("STIG checklist rows", ("benchmark", "V- id", "requirement", "severity", "old", "new", "change"),
         [(*c.id.split(" ", 1), srg(c.srg), c.severity, c.old, c.new, c.direction) for c in d.checklist]),
        ("Findings opened", ("vulnerability", "package", "severity", "due"),
         [(f.vulnerability, f.package, f.severity, f.due) for f in d.findings_opened]),
        ("Findings closed", ("vulnerability", "package", "severity"),
         [(f.vulnerability, f.package, f.severity) for f in d.findings_closed]),
        ("Findings re-severitied", ("vulnerability", "package", "old", "new"),
         [(f.vulnerability, f.package, f.old_severity, f.severity) for f in d.findings_severity_changed]),
        ("Components added", ("component", "versions"),
         [(_component(c), ", ".join(c.versions)) for c in d.components_added or ()]),
        ("Components removed", ("component", "versions"),
         [(_component(c), ", ".join(c.versions)) for c in d.components_removed or ()]),
        ("Components upgraded", ("component", "old", "new"),
         [(_component(c), ", ".join(c.old_versions), ", ".join(c.versions)) for c in d.components_upgraded or ()]),
        ("Overrides and attestations", ("kind", "rule", "change", "action", "expires", "by"),
         [(x.kind, x.rule, x.change, x.action if not x.old_action or x.old_action == x.action
           else f"{x.old_action} -> {x.action}", x.expires, x.by) for x in d.decisions]),
        ("Rules and content", ("kind", "name", "old", "new"), [(c.kind, c.name, c.old, c.new) for c in d.content]),
    ]
    return [part for part in parts if part[2]]


def _component(change: ComponentChange) -> str:
    """The component's name, and its version-free key when that does not end with the name."""
    return change.key if change.key.endswith(f"/{change.name}") or change.key == change.name \
        else f"{change.name} ({change.key})"


def summary(d: PostureDiff) -> str:
    """One line: regressed or not, and the count of each kind of change."""
    def count(items: Sequence[Any], one: str, many: str) -> str:
        return f"{len(items)} {one if len(items) == 1 else many}" if items else ""

    worse = [c for c in (*d.controls, *d.rules) if c.direction == "worse"]
    better = [c for c in (*d.controls, *d.rules) if c.direction == "better"]
    components = [*(d.components_added or ()), *(d.components_removed or ()), *(d.components_upgraded or ())]
    parts = [count(worse, "verdict worse", "verdicts worse"), count(better, "better", "better"),
             count(d.checklist, "checklist row changed", "checklist rows changed"),
             count(d.findings_opened, "finding opened", "findings opened"), count(d.findings_closed, "closed", "closed"),
             count(d.findings_severity_changed, "re-severitied", "re-severitied"),
             count(components, "component change", "component changes"),
             count(d.decisions, "override/attestation change", "override/attestation changes")]
    if d.old_cat1 != d.new_cat1:
        parts.append(f"CAT I open {d.old_cat1} -> {d.new_cat1}")
    verdict = "posture regressed" if d.regressed else "no regression"
    if d.empty:
        return f"{verdict}: no change"
    return f"{verdict}: " + ", ".join(p for p in parts if p) + (" (rules or content changed)" if d.content else "")


def _content_warning(d: PostureDiff) -> str:
    if not d.content:
        return ""
    return ("The two runs used different rules, official content, settings or scc versions: verdict changes "
            "may come from that rather than from the image.")


# -- text -------------------------------------------------------------------------------------------
def text(d: PostureDiff) -> str:
    """The terminal report: header, summary, regressions, then one aligned block per part."""
    lines = [f"scc diff: {_line(d.old)} -> {_line(d.new)}", f"image: {_line(d.old_image)} -> {_line(d.new_image)}",
             f"assessed: {d.old_assessed_at} -> {d.new_assessed_at}", summary(d)]
    lines += [f"  regression: {_line(reason)}" for reason in d.regressions]
    if d.content:
        lines.append(f"note: {_content_warning(d)}")
    lines += [f"note: {_line(n)}" for n in d.notes]
    for title, header, rows in _sections(d):
        lines.append("")
        lines.append(f"{title} ({len(rows)}):")
        widths = [max(len(_line(row[i])) for row in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            lines.append("  " + "  ".join(_line(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines) + "\n"


def _line(value: str) -> str:
    """One printable line: control characters and newlines become spaces."""
    return "".join(ch if ch.isprintable() else " " for ch in str(value))


# -- markdown -------------------------------------------------------------------------------------------
def md_escape(value: str) -> str:
    """Text made inert in a markdown table cell: HTML entities for < > &, backslash before markdown
    punctuation (pipes, backticks, brackets, emphasis), newlines and control characters as spaces."""
    flat = _html.escape(_line(value), quote=False)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)


def _md_table(header: Row, rows: list[Row]) -> list[str]:
    lines = ["| " + " | ".join(md_escape(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(md_escape(cell) or " " for cell in row) + " |" for row in rows]
    return lines


def markdown(d: PostureDiff) -> str:
    """The pull-request comment: a bold summary line, the regressions, one table per part (folded into
    <details> when longer than COLLAPSE_AFTER rows)."""
    lines = [f"**scc diff: {md_escape(summary(d))}**", "",
             (f"{md_escape(d.old_image or d.old)} ({md_escape(d.old_assessed_at)}) → "
             f"{md_escape(d.new_image or d.new)} ({md_escape(d.new_assessed_at)})")]
    if d.regressions:
        lines += ["", "Regressions:", ""] + [f"- {md_escape(reason)}" for reason in d.regressions]
    if d.content:
        lines += ["", f"> {md_escape(_content_warning(d))}"]
    lines += [f"\n> note: {md_escape(n)}" for n in d.notes]
    for title, header, rows in _sections(d):
        lines += ["", f"### {md_escape(title)} ({len(rows)})", ""]
        table = _md_table(header, rows)
        if len(rows) > COLLAPSE_AFTER:
            lines += ["<details><summary>" + _html.escape(f"{len(rows)} {title.lower()}") + "</summary>", "",
                      *table, "", "</details>"]
        else:
            lines += table
    return "\n".join(lines) + "\n"


# -- HTML (notebooks) -------------------------------------------------------------------------------
def html(d: PostureDiff) -> str:
    """A compact HTML view for Jupyter: summary, regressions, one table per part; all text escaped."""
    esc: Callable[[str], str] = lambda value: _html.escape(_line(value))
    out = [(f"<div class='scc-diff'><p><b>scc diff: {esc(summary(d))}</b><br>{esc(d.old_image or d.old)} "
           f"&rarr; {esc(d.new_image or d.new)}</p>")]
    if d.regressions:
        out.append("<ul>" + "".join(f"<li>{esc(r)}</li>" for r in d.regressions) + "</ul>")
    if d.content:
        out.append(f"<p><i>{esc(_content_warning(d))}</i></p>")
    for title, header, rows in _sections(d):
        out.append(f"<details{' open' if len(rows) <= COLLAPSE_AFTER else ''}><summary>{esc(title)} "
                   f"({len(rows)})</summary><table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr>")
        out += ["<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows]
        out.append("</table></details>")
    out.append("</div>")
    return "".join(out)
