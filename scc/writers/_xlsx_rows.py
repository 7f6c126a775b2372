"""openpyxl's worksheet rows serialised as text, straight into the sheet's file (issue #12).

Hand-written because openpyxl's own cell writer (``openpyxl.cell._writer.lxml_write_cell``) is far slower at
scale: for every cell it opens two or three lxml ``xmlfile`` contexts and hashes the cell's style array to
look up its id, so the 400,000 cells of a 20,000-item POA&M took about 4 s (building the same elements with
lxml's API is no faster). Here each row is formatted as the very text openpyxl writes (the same elements,
attributes and order, and lxml's escaping in its default ASCII output: ``& < >`` and CR as entities, every
other non-ASCII character as a decimal reference), each distinct style array's id is looked up once, and the
rows are written to the sheet's file between lxml's own output. A row this module cannot write exactly as
openpyxl would (row dimensions, a comment, a hyperlink, a formula, rich text, a time-zoned date, a character
XML 1.0 forbids) is handed to openpyxl's own ``write_row``, which writes it or raises its own error.
tests/test_xlsx_rows.py checks whole sheets byte for byte against openpyxl's.
"""
from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
from typing import Any, cast

from openpyxl.compat import safe_string
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel, to_ISO8601
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import xmlfile

from scc.writers._text import NOT_XML_CHAR

_PLAIN_TYPES = frozenset({"s", "n", "b", "e", "d"})
_BATCH = 2000   # rows formatted before they are written out


class _Unwritable(Exception):
    """A row this module leaves to openpyxl."""


def _escaped(text: str) -> str:
    if NOT_XML_CHAR.search(text):
        raise _Unwritable
    # str.replace is many times faster than str.translate with a table
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


class RowsAsTextWorksheetWriter(WorksheetWriter):
    """openpyxl's WorksheetWriter, writing the rows it can as text instead of cell by cell."""

    def __init__(self, ws: Any, out: Any = None) -> None:
        self._raw: Any = None
        self._style_ids: dict[int, tuple[Any, str]] = {}
        super().__init__(ws, out)

    def get_stream(self) -> Generator[Any, Any, None]:
        """openpyxl's get_stream, on a file this writer holds so that rows can be written to it directly."""
        with open(cast(str, self.out), "wb") as raw, xmlfile(raw) as xf:
            self._raw = raw
            with xf.element("worksheet", xmlns=SHEET_MAIN_NS):
                try:
                    while True:
                        element = (yield)
                        if element is True:
                            yield xf
                        elif element is not None:
                            xf.write(element)
                except GeneratorExit:
                    pass

    def write_rows(self) -> None:
        xf: Any = self.xf.send(True)
        pending: list[str] = []
        with xf.element("sheetData"):
            for row_idx, row in self.rows():
                text = self._row_text(row, row_idx)
                if text is None:
                    self._write_out(xf, pending)
                    self.write_row(xf, row, row_idx)
                    continue
                pending.append(text)
                if len(pending) >= _BATCH:
                    self._write_out(xf, pending)
            self._write_out(xf, pending)
        self.xf.send(None)

    def _write_out(self, xf: Any, pending: list[str]) -> None:
        if pending:
            xf.flush()      # lxml's buffered output first, so the file keeps document order
            self._raw.write("".join(pending).encode("ascii", "xmlcharrefreplace"))
            pending.clear()

    def _row_text(self, row: list[Any], row_idx: int) -> str | None:
        if row_idx in cast(Any, self.ws).row_dimensions:
            return None
        parts = [f'<row r="{row_idx}">']
        try:
            for cell in row:
                if cell.comment is not None or cell.hyperlink is not None:
                    return None
                style = self._style_attribute(cell)
                if cell._value is not None or style:
                    parts.append(self._cell_text(cell, style))
        except _Unwritable:
            return None
        parts.append("</row>")
        return "".join(parts)

    def _cell_text(self, cell: Any, style: str) -> str:
        data_type, value = cell.data_type, cell._value
        if data_type == "s":
            kind = "inlineStr"
        elif data_type == "d":
            kind, value = self._date_value(cell, value)
        elif data_type in _PLAIN_TYPES:
            kind = data_type
        else:
            raise _Unwritable
        head = f'<c r="{get_column_letter(cell.column)}{cell.row}"{style} t="{kind}">'
        if value is None or value == "":
            return head + "</c>"
        if data_type != "s":
            return f"{head}<v>{_escaped(safe_string(value))}</v></c>"
        if not isinstance(value, str):   # rich text
            raise _Unwritable
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f"{head}<is><t{space}>{_escaped(value)}</t></is></c>"

    def _style_attribute(self, cell: Any) -> str:
        """' s="ID"' for a styled cell, '' for one without a style (openpyxl's Cell.has_style)."""
        style = cell._style
        known = self._style_ids.get(id(style))
        if known is None or known[0] is not style:
            # the entry holds the array, so its id is not reused while the sheet is written
            known = (style, f' s="{cell.style_id}"' if cell.has_style else "")
            self._style_ids[id(style)] = known
        return known[1]

    @staticmethod
    def _date_value(cell: Any, value: Any) -> tuple[str, Any]:
        if getattr(value, "tzinfo", None) is not None:
            raise _Unwritable    # openpyxl refuses it, with its own error
        workbook = cell.parent.parent
        if workbook.iso_dates and not isinstance(value, timedelta):
            return "d", to_ISO8601(value)  # type: ignore[no-untyped-call]
        return "n", to_excel(value, workbook.epoch)  # type: ignore[no-untyped-call]


class RowsAsTextExcelWriter(ExcelWriter):
    """openpyxl's ExcelWriter with RowsAsTextWorksheetWriter for a workbook's (not write-only) sheets."""

    def write_worksheet(self, ws: Any) -> None:
        if self.workbook.write_only:
            super().write_worksheet(ws)
            return
        from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing

        # the body of ExcelWriter.write_worksheet (openpyxl 3.1), with the writer class swapped
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = RowsAsTextWorksheetWriter(ws)
        writer.write()
        ws._rels = writer._rels  # type: ignore[attr-defined]  # set by WorksheetWriter.__init__; the stubs omit it
        self._archive.write(writer.out, ws.path[1:])  # type: ignore[attr-defined]
        self.manifest.append(ws)
        writer.cleanup()


def excel_writer() -> type[ExcelWriter]:
    """RowsAsTextExcelWriter where it was written for (openpyxl 3.1 on lxml, whose output it reproduces),
    otherwise openpyxl's own ExcelWriter: the same bytes either way, sooner with the first."""
    import openpyxl

    if openpyxl.LXML and openpyxl.__version__.startswith("3.1."):
        return RowsAsTextExcelWriter
    return ExcelWriter
