"""Cells for spreadsheet exports (CSV now, XLSX later) that a spreadsheet program cannot run as a formula.

Excel, LibreOffice and Google Sheets treat a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, once
trimmed, a tab or carriage return before one) as a formula, so text an officer typed - an incident reference,
an area - could run a formula on the reader's machine (CSV or formula injection; OWASP). Such a cell gets a
leading apostrophe, which the spreadsheet shows as text and does not display.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """``value`` as spreadsheet text: empty for None, Yes/No for booleans, and never a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
