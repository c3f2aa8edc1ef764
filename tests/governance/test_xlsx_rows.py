"""Rows streamed into a workbook openpyxl wrote read back exactly, with everything openpyxl set kept."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from uof.services.xlsx_rows import fill_sheet


def _workbook() -> io.BytesIO:
    wb = Workbook(write_only=True)
    wb.create_sheet("Summary").append(["Total", 3])
    records = wb.create_sheet("Records")
    records.freeze_panes = "B2"
    records.append(["Reference", "Area", "Policy version", "Note"])
    made = io.BytesIO()
    wb.save(made)
    made.seek(0)
    return made


def test_rows_are_appended_after_the_header_and_read_back() -> None:
    out = io.BytesIO()
    rows = [["UOF-000001", "Birmingham & <Solihull>", 2, None],
            ["UOF-000002", "  spaced  ", 1.5, "bad\x01control\x0bcharacters"],
            ["UOF-000003", "'=HYPERLINK(\"x\")", 1, "Ünïcödé — “quotes”"]]
    assert fill_sheet(_workbook(), out, "Records", rows, first_row=2) == 3
    out.seek(0)
    book = load_workbook(out)
    assert [[cell.value for cell in row] for row in book["Summary"].iter_rows()] == [["Total", 3]]
    sheet = book["Records"]
    assert sheet.freeze_panes == "B2"
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values == [["Reference", "Area", "Policy version", "Note"],
                      ["UOF-000001", "Birmingham & <Solihull>", 2, None],
                      ["UOF-000002", "  spaced  ", 1.5, "badcontrolcharacters"],
                      ["UOF-000003", "'=HYPERLINK(\"x\")", 1, "Ünïcödé — “quotes”"]]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_every_part_is_compressed() -> None:
    """A Met-sized quarter's record sheet is over 100 MB of XML stored, a few MB deflated."""
    out = io.BytesIO()
    fill_sheet(_workbook(), out, "Records", [[f"UOF-{n:06d}", "Birmingham", 1, None] for n in range(1000)], 2)
    with zipfile.ZipFile(out) as written:
        parts = written.infolist()
    assert parts
    assert {part.compress_type for part in parts} == {zipfile.ZIP_DEFLATED}


def test_no_rows_leaves_the_header_alone() -> None:
    out = io.BytesIO()
    assert fill_sheet(_workbook(), out, "Records", [], first_row=2) == 0
    out.seek(0)
    assert len(list(load_workbook(out, read_only=True)["Records"].iter_rows())) == 1


def test_yes_no_answers_must_already_be_text() -> None:
    with pytest.raises(TypeError):
        fill_sheet(_workbook(), io.BytesIO(), "Records", [[True]], first_row=2)
