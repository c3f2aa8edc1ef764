"""Small-number suppression for published figures, so that no published count can point to a person.

Two rules, applied to each row of a published table (one month in one area, for one measure):

- Primary: a count from 1 to ``THRESHOLD - 1`` is not published; it reads "fewer than 5". Zero is published:
  it says nothing about anyone.
- Secondary: if a row has exactly one primary-suppressed cell, it could be worked out by subtracting the others
  from the month's number of reports (which is published). So the smallest other non-zero published count in
  that row is suppressed too; it reads "suppressed". Rows with two or more suppressed cells already hide each
  other. No totals over months or areas are published, so columns need no such rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

THRESHOLD = 5
SHOWN = "shown"
PRIMARY = "primary"
SECONDARY = "secondary"
FEWER_THAN = f"fewer than {THRESHOLD}"
SUPPRESSED = "suppressed"


@dataclass(frozen=True)
class Cell:
    count: int
    status: str = SHOWN

    @property
    def suppressed(self) -> bool:
        return self.status != SHOWN

    @property
    def text(self) -> str:
        """What a reader sees: the count, "fewer than 5" or "suppressed"."""
        if self.status == PRIMARY:
            return FEWER_THAN
        return SUPPRESSED if self.status == SECONDARY else str(self.count)

    @property
    def published(self) -> int | None:
        """The count if it may be published, else None."""
        return None if self.suppressed else self.count


def is_small(count: int) -> bool:
    if count < 0:
        raise ValueError("a count cannot be negative")
    return 0 < count < THRESHOLD


def suppress_row(counts: Sequence[int]) -> list[Cell]:
    """The row's cells with both rules applied, in the order given."""
    cells = [Cell(count, PRIMARY if is_small(count) else SHOWN) for count in counts]
    if sum(cell.status == PRIMARY for cell in cells) == 1:
        candidates = [index for index, cell in enumerate(cells) if not cell.suppressed and cell.count > 0]
        if candidates:
            smallest = min(candidates, key=lambda index: cells[index].count)
            cells[smallest] = Cell(cells[smallest].count, SECONDARY)
    return cells
