"""scc.writers._xlsx_rows writes a worksheet's rows as text (issue #12); every sheet it writes must be the very
bytes openpyxl's own writer makes of the same workbook, and what openpyxl refuses must still be refused."""
from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.writer.excel import ExcelWriter

from scc.writers._xlsx_rows import RowsAsTextExcelWriter, excel_writer

hypothesis = pytest.importorskip("hypothesis")
given, settings, st = hypothesis.given, hypothesis.settings, hypothesis.strategies


def _parts(workbook: Workbook, writer: type) -> dict[str, bytes]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        writer(workbook, archive).save()
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _outcome(build, writer: type) -> dict[str, bytes] | tuple[type, str]:
    try:
        return _parts(_dated(build()), writer)
    except (TypeError, ValueError) as refused:
        return type(refused), str(refused)


def _same_as_openpyxl(build) -> dict[str, bytes]:
    """Both writers' parts of a workbook ``build()`` makes afresh (writing changes a workbook's state), or
    the same error from both."""
    ours, theirs = _outcome(build, RowsAsTextExcelWriter), _outcome(build, ExcelWriter)
    if isinstance(theirs, tuple):
        assert ours == theirs
        return {}
    assert isinstance(ours, dict) and ours.keys() == theirs.keys()
    for name in theirs:
        assert ours[name] == theirs[name], name
    return ours


def _dated(workbook: Workbook) -> Workbook:
    workbook.properties.created = workbook.properties.modified = datetime(2026, 12, 3)
    return workbook


def _sheet(parts: dict[str, bytes]) -> bytes:
    return parts["xl/worksheets/sheet1.xml"]


text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
values = st.one_of(text, st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
                   st.booleans(), st.dates(), st.datetimes(), st.none())


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 30), st.integers(1, 12), values, st.booleans()), max_size=25),
       st.booleans())
def test_any_cells_give_openpyxls_bytes_or_its_error(cells, iso_dates):
    def build():
        workbook = Workbook(iso_dates=iso_dates)
        sheet = workbook.active
        for row, column, value, styled in cells:
            cell = sheet.cell(row=row, column=column)
            try:
                cell.value = value
            except IllegalCharacterError:   # openpyxl refuses most characters XML forbids when they are set
                continue
            if styled:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        return workbook

    _same_as_openpyxl(build)


def test_escaping_whitespace_and_non_ascii_are_written_as_lxml_writes_them():
    hostile = ['a & b < c > d "e" \'f\'', "line\r\nbreak\ttab", " leading", "trailing ", "é€😀\x85\u2028",
               "=SUM(A1)", "#N/A", "", "]]>", "&amp;"]

    def build():
        workbook = Workbook()
        sheet = workbook.active
        for row, value in enumerate(hostile, start=1):
            sheet.cell(row=row, column=2, value=value)
        return workbook

    sheet = _sheet(_same_as_openpyxl(build))
    assert b'<t xml:space="preserve"> leading</t>' in sheet and b"&#233;&#8364;&#128512;" in sheet
    assert b"a &amp; b &lt; c &gt; d" in sheet and b"line&#13;\nbreak" in sheet


def test_rows_openpyxl_must_write_are_left_to_it_in_document_order():
    def build():
        workbook = Workbook()
        sheet = workbook.active
        sheet["A1"] = "plain before"
        sheet["A2"] = "with a comment"
        sheet["A2"].comment = Comment("note", "scc")
        sheet["B3"] = "=1+1"
        sheet["C4"].hyperlink = "https://example.org/"
        sheet["C4"].value = "link"
        sheet["D5"] = CellRichText(["rich ", TextBlock(InlineFont(b=True), "bold")])
        sheet["A6"] = "tall row"
        sheet.row_dimensions[6].height = 30
        sheet.merge_cells("A7:C7")
        sheet["A7"] = "merged"
        sheet["E8"].font = Font(bold=True)      # styled, no value
        sheet["A9"] = timedelta(hours=5)
        sheet["A10"] = date(2026, 12, 3)
        sheet["A11"] = "plain after"
        return workbook

    sheet = _sheet(_same_as_openpyxl(build))
    order = [sheet.index(text) for text in (b"plain before", b"with a comment", b"1+1", b"link", b"bold",
                                            b"tall row", b"merged", b'r="E8"', b"plain after")]
    assert order == sorted(order)


def test_a_time_zoned_date_is_refused_as_openpyxl_refuses_it():
    def build():
        workbook = Workbook()
        workbook.active["A1"] = "fine"
        workbook.active["A2"] = datetime(2026, 12, 3, tzinfo=UTC)
        return workbook

    refused = _outcome(build, RowsAsTextExcelWriter)
    assert refused == _outcome(build, ExcelWriter) and refused[0] is TypeError


def test_a_character_xml_forbids_is_refused_not_written():
    # set past openpyxl's value check, as scc's POA&M writer sets its already cleaned text
    def build():
        workbook = Workbook()
        cell = workbook.active["A1"]
        cell._value, cell.data_type = "bell\x07", "s"
        return workbook

    refused = _outcome(build, RowsAsTextExcelWriter)
    assert refused == _outcome(build, ExcelWriter) and refused[0] is ValueError
    assert "XML compatible" in refused[1]


def test_many_rows_cross_the_batches_in_order():
    def build():
        workbook = Workbook()
        sheet = workbook.active
        for row in range(1, 5003):
            sheet.cell(row=row, column=1 + row % 5, value=f"row {row}")
            if row % 1999 == 0:
                sheet.cell(row=row, column=7).comment = Comment(f"comment {row}", "scc")
        return workbook

    sheet = _sheet(_same_as_openpyxl(build))
    assert sheet.count(b"<row ") == 5002


def test_the_workbooks_scc_writes_go_through_the_row_writer_with_the_openpyxl_installed():
    # were openpyxl upgraded past what the row writer reproduces, workbooks would silently take the slow path
    assert excel_writer() is RowsAsTextExcelWriter
