"""Streaming many plain rows into one sheet of a workbook that openpyxl has written.

openpyxl builds the quarterly pack (its formats, charts, print titles and frozen panes) but spends about 13 µs on
every cell it writes, even in write-only mode: half a minute for the 2,000,000 cells of a Met-sized quarter's
record-level sheet. So the pack asks openpyxl for that sheet with its header row only, and ``fill_sheet`` copies
the saved workbook, inserting the rows into the sheet's ``sheetData`` as inline strings and numbers, which costs
about a microsecond a cell. Everything else in the file is openpyxl's, byte for byte.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import IO
from xml.etree import ElementTree

from openpyxl.utils import get_column_letter

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Characters XML 1.0 cannot carry at all; text from a form never has them, but a cell must never break the file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_DIMENSION = re.compile(rb"<dimension [^>]*/>")
Value = str | int | float | None


def fill_sheet(workbook: IO[bytes], out: IO[bytes], sheet_title: str, rows: Iterable[Sequence[Value]],
               first_row: int) -> int:
    """Copy the XLSX ``workbook`` to ``out`` with ``rows`` appended to the sheet titled ``sheet_title``, numbered
    from ``first_row`` (the row after those openpyxl wrote). Returns the number of rows written.

    Values are written as they are: text as inline strings (the caller has made it safe from formula injection),
    numbers as numbers, None as an empty cell."""
    with zipfile.ZipFile(workbook) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        part = _sheet_part(source, sheet_title)
        written = 0
        for info in source.infolist():
            if info.filename != part:
                target.writestr(info, source.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)
                continue
            head, tail = _split(source.read(part))
            member = zipfile.ZipInfo(part, date_time=info.date_time)
            member.compress_type = zipfile.ZIP_DEFLATED  # a ZipInfo is stored uncompressed unless told
            with target.open(member, "w", force_zip64=True) as sheet:
                sheet.write(head)
                for number, row in enumerate(rows, start=first_row):
                    sheet.write(_row_xml(number, row).encode())
                    written += 1
                sheet.write(tail)
    return written


def _sheet_part(source: zipfile.ZipFile, sheet_title: str) -> str:
    """The zip member holding the sheet titled ``sheet_title``, found through the workbook's relationships."""
    # Both parts are the ones openpyxl has just written, never outside input.
    book = ElementTree.fromstring(source.read("xl/workbook.xml"))  # noqa: S314
    sheet = next(s for s in book.iter(f"{_MAIN}sheet") if s.get("name") == sheet_title)
    relationship = sheet.get(f"{_RELATIONSHIPS}id")
    links = ElementTree.fromstring(source.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    target = next(link.get("Target", "") for link in links.iter(f"{_PACKAGE_RELATIONSHIPS}Relationship")
                  if link.get("Id") == relationship)
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _split(xml: bytes) -> tuple[bytes, bytes]:
    """The sheet's XML before and after where new rows go (the end of its ``sheetData``). The dimension element,
    which would now understate the sheet, is dropped: it is optional."""
    xml = _DIMENSION.sub(b"", xml, count=1)
    if b"</sheetData>" in xml:
        at = xml.index(b"</sheetData>")
        return xml[:at], xml[at:]
    at = xml.index(b"<sheetData/>")
    return xml[:at] + b"<sheetData>", b"</sheetData>" + xml[at + len(b"<sheetData/>"):]


_COLUMNS = [get_column_letter(index) for index in range(1, 257)]


def _row_xml(number: int, values: Sequence[Value]) -> str:
    cells = []
    for column, value in zip(_COLUMNS, values, strict=False):
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            raise TypeError("write yes/no answers as text")
        if isinstance(value, int | float):
            cells.append(f'<c r="{column}{number}"><v>{value}</v></c>')
            continue
        cells.append(f'<c r="{column}{number}" t="inlineStr">{_inline_string(value)}</c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


# A sheet's text repeats (areas, labels, statuses): each distinct text is escaped once.
@lru_cache(maxsize=65536)
def _inline_string(value: str) -> str:
    text = _NOT_XML.sub("", value).translate(_ESCAPES)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<is><t{space}>{text}</t></is>"
