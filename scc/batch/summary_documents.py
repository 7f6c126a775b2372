"""The catalog summary as a workbook (summary.xlsx) and a self-contained web page (summary.html).

The page is rendered from templates/batch-summary.html.j2 with autoescaping on (image names are
hostile text); its only style is inline, allowed by a Content-Security-Policy that names that style's
sha256 and forbids everything else (no scripts, images, fonts or fetches of any kind).
The workbook's dates (document properties and zip entries) are the batch's assessment time.
"""
from __future__ import annotations

from typing import Any

from scc._version import __version__
from scc.batch.summary import BatchSummary, image_columns, image_row, summary_csv, summary_json
from scc.clock import iso

TEMPLATE = "batch-summary.html.j2"
STYLE = "batch-summary.css"


def summary_html(summary: BatchSummary) -> bytes:
    """The summary page: the images table and the controls x images matrix, nothing fetched from anywhere."""
    from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from scc.resources import pack_dir
    from scc.templating import csp_hash, shipped_asset

    templates = pack_dir("templates")
    environment = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(str(templates)), undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        keep_trailing_newline=True)
    style = shipped_asset(STYLE)
    page = environment.get_template(TEMPLATE).render(
        generator=f"scc {__version__}", assessed_at=iso(summary.assessed_at), catalog=summary.catalog,
        status_counts=summary.status_counts(), exit_code=summary.exit_code, columns=image_columns(),
        image_rows=[{"status": image.status.value, "cells": image_row(summary, image)} for image in summary.images],
        images=summary.images, controls=summary.controls, style=style, style_hash=csp_hash(style))
    return page.encode("utf-8")


def summary_xlsx(summary: BatchSummary) -> bytes:
    """Two sheets: Images (one row per image) and Controls (the controls x images matrix)."""
    from openpyxl import Workbook

    from scc.writers.poam_xlsx import workbook_bytes  # the POA&M's own reproducible workbook bytes

    workbook = Workbook()
    images = workbook.worksheets[0]
    images.title = "Images"
    _write_rows(images, [image_columns(), *(image_row(summary, image) for image in summary.images)])
    controls = workbook.create_sheet("Controls")
    header = ["control", "title", *(image.folder for image in summary.images)]
    _write_rows(controls, [header, *([row.control_id, row.title, *row.verdicts] for row in summary.controls)])
    for sheet in (images, controls):
        sheet.freeze_panes = "B2"
    workbook.properties.creator = "scc"
    workbook.properties.title = "scc batch summary"
    return workbook_bytes(workbook, summary.assessed_at.replace(tzinfo=None))


def _write_rows(sheet: Any, rows: list[list[Any]]) -> None:
    from scc.writers._text import spreadsheet_text

    for row in rows:
        sheet.append([spreadsheet_text(cell) if isinstance(cell, str) else cell for cell in row])


def summary_files(summary: BatchSummary) -> dict[str, bytes]:
    """file name -> bytes of every summary file, summary.json last (it lists the others' digests)."""
    files = {"summary.csv": summary_csv(summary), "summary.html": summary_html(summary),
             "summary.xlsx": summary_xlsx(summary)}
    files["summary.json"] = summary_json(summary, files)
    return files
