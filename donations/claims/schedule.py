"""HMRC's claim schedule: an OpenDocument spreadsheet laid out exactly as GIFT_AID.md says
(sheet `R68GAD_V1_00_0_EN`; D13 the earliest gift's date, D17 the Gift Aid over-claimed
before; headers on row 24; a gift a row from row 25, columns B to K; at most 1,000 rows a
file), written with odfpy; and a CSV of the same rows beside it, for checking by eye."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from odf.number import Number, NumberStyle
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import Style
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import P
from sqlalchemy import select

from donations.claims import hmrc
from donations.claims.models import ClaimItem, GiftAidClaim
from donations.extensions import db
from donations.gift_aid.models import GiftAidDeclaration
from donations.gifts.models import Donation
from donations.money import pounds
from donations.text import neutralised
from donations.uk_time import uk_today

SHEET = "R68GAD_V1_00_0_EN"
ROWS_PER_FILE = 1000
HEADER_ROW = 23  # 0-based: row 24
FIRST_ROW = 24  # 0-based: row 25
HEADERS = (
    "Item",
    "Title",
    "First name or initial",
    "Last name",
    "House name or number",
    "Postcode",
    "Aggregated donations",
    "Sponsored event",
    "Donation date",
    "Amount",
)
AGGREGATED_WORDS = "Small online and offline gifts"


@dataclass
class ScheduleRow:
    """One row of the schedule: a donor's gift, or small gifts added up (aggregated)."""

    row: hmrc.Row
    aggregated: str = ""
    references: list[str] = field(default_factory=list)
    #: the declaration a donor's row comes from, where its details are fixed
    declaration_id: int | None = None


@dataclass
class Schedule:
    rows: list[ScheduleRow]
    over_claimed_pence: int

    @property
    def problems(self) -> list[tuple[ScheduleRow, str]]:
        return [(row, problem) for row in self.rows for problem in row.row.problems]

    @property
    def changes(self) -> list[tuple[ScheduleRow, str]]:
        return [(row, change) for row in self.rows for change in row.row.changes]

    @property
    def files(self) -> list[list[ScheduleRow]]:
        """The rows a file at a time: HMRC takes at most 1,000 on one schedule."""
        return [
            self.rows[start : start + ROWS_PER_FILE]
            for start in range(0, len(self.rows), ROWS_PER_FILE)
        ] or [[]]

    @property
    def total_pence(self) -> int:
        return sum(row.row.amount_pence for row in self.rows)


def _gifts(claim: GiftAidClaim):
    return db.session.execute(
        select(ClaimItem, Donation, GiftAidDeclaration)
        .join(Donation, Donation.id == ClaimItem.donation_id)
        .join(GiftAidDeclaration, GiftAidDeclaration.id == ClaimItem.declaration_id)
        .where(ClaimItem.claim_id == claim.id)
        .order_by(ClaimItem.given_on, ClaimItem.id)
    ).all()


def build(claim: GiftAidClaim, aggregate_up_to_pence: int) -> Schedule:
    """The claim's rows as HMRC will read them. Gifts of at most `aggregate_up_to_pence`
    (0: none) and not sponsorship are added up into rows of at most £1,000."""
    today = uk_today()
    single, small = [], []
    for item, donation, declaration in _gifts(claim):
        row = hmrc.row_for(
            declaration, item.given_on, item.amount_pence, sponsored=item.sponsored, today=today
        )
        if (
            aggregate_up_to_pence
            and item.amount_pence <= aggregate_up_to_pence
            and not item.sponsored
        ):
            small.append((item, donation))
        else:
            single.append(
                ScheduleRow(row, references=[donation.reference], declaration_id=declaration.id)
            )
    rows = single + _aggregated(small, today)
    rows.sort(key=lambda found: found.row.given_on)
    over = sum(over.gift_aid_pence for over in claim.over_claims)
    return Schedule(rows, over)


def _aggregated(small, today: date) -> list[ScheduleRow]:
    rows, batch, total = [], [], 0
    for item, donation in small:
        if batch and total + item.amount_pence > hmrc.AGGREGATE_TOTAL_MAX_PENCE:
            rows.append(_aggregate_row(batch, total, today))
            batch, total = [], 0
        batch.append((item, donation))
        total += item.amount_pence
    if batch:
        rows.append(_aggregate_row(batch, total, today))
    return rows


def _aggregate_row(batch, total: int, today: date) -> ScheduleRow:
    last = max(item.given_on for item, _ in batch)
    row = hmrc.Row("", "", "", "", "", last, total)
    if last > today:
        row.problems.append("The gift's date is in the future.")
    words = f"{AGGREGATED_WORDS} ({len(batch)})"[: hmrc.AGGREGATE_DESCRIPTION_MAX]
    return ScheduleRow(row, aggregated=words, references=[d.reference for _, d in batch])


# --- the spreadsheet -------------------------------------------------------------------------


def _day(day: date) -> str:
    return day.strftime("%d/%m/%y")


def _money(pence: int) -> str:
    return f"{pounds(pence):.2f}"


class _Sheet:
    """A table filled a row at a time, blank rows written as one repeated row."""

    def __init__(self, document: OpenDocumentSpreadsheet):
        money = NumberStyle(name="N2")
        money.addElement(Number(decimalplaces=2, minintegerdigits=1))
        document.automaticstyles.addElement(money)
        self.money_style = Style(name="Money", family="table-cell", datastylename="N2")
        document.automaticstyles.addElement(self.money_style)
        self.table = Table(name=SHEET)
        self.table.addElement(TableColumn(numbercolumnsrepeated=11))
        self.next_row = 0

    def row(self, at: int, cells: dict[int, object]) -> None:
        """Row `at` (0-based) holding `cells` by column. Every cell up to the last is its own
        element: HMRC reads D13 and D17 as their row's 4th cell element, not expanding
        repeated cells (GIFT_AID.md)."""
        if at > self.next_row:
            blank = TableRow(numberrowsrepeated=at - self.next_row)
            blank.addElement(TableCell())
            self.table.addElement(blank)
        row = TableRow()
        for column in range(max(cells) + 1):
            row.addElement(self._cell(cells[column]) if column in cells else TableCell())
        self.table.addElement(row)
        self.next_row = at + 1

    def _cell(self, value) -> TableCell:
        if isinstance(value, int) and not isinstance(value, bool):  # pence
            shown = _money(value)
            cell = TableCell(valuetype="float", value=shown, stylename=self.money_style)
        else:
            shown = str(value)
            cell = TableCell(valuetype="string")
        cell.addElement(P(text=shown))
        return cell


def _cells(number: int, found: ScheduleRow) -> dict[int, object]:
    row = found.row
    values = {1: str(number)}
    if found.aggregated:
        values[7] = found.aggregated
    else:
        values.update({2: row.title, 3: row.first_name, 4: row.last_name, 5: row.house})
        values[6] = row.postcode
        if row.sponsored:
            values[8] = "Yes"
    values[9] = _day(row.given_on)
    values[10] = row.amount_pence
    return {column: value for column, value in values.items() if value != ""}


def write_ods(rows: list[ScheduleRow], over_claimed_pence: int, out) -> None:
    """One schedule file (at most 1,000 rows) to a binary file."""
    document = OpenDocumentSpreadsheet()
    sheet = _Sheet(document)
    earliest = min((found.row.given_on for found in rows), default=None)
    top = {12: {2: "Earliest donation date in the period of claim (DD/MM/YY)"}}
    if earliest is not None:
        top[12][3] = _day(earliest)
    top[16] = {2: "Previously over-claimed amount (£)"}
    if over_claimed_pence:
        top[16][3] = over_claimed_pence
    for at, cells in top.items():
        sheet.row(at, cells)
    sheet.row(HEADER_ROW, dict(enumerate(HEADERS, start=1)))
    for number, found in enumerate(rows, start=1):
        sheet.row(FIRST_ROW + number - 1, _cells(number, found))
    document.spreadsheet.addElement(sheet.table)
    document.write(out)


def file_names(claim: GiftAidClaim, schedule: Schedule) -> list[str]:
    count = len(schedule.files)
    if count == 1:
        return [f"{claim.reference}.ods"]
    return [f"{claim.reference}-{n}-of-{count}.ods" for n in range(1, count + 1)]


def ods_files(schedule: Schedule) -> list[bytes]:
    """Each file's bytes; the over-claimed amount goes on the first."""
    made = []
    for number, rows in enumerate(schedule.files):
        buffer = io.BytesIO()
        write_ods(rows, schedule.over_claimed_pence if number == 0 else 0, buffer)
        made.append(buffer.getvalue())
    return made


def csv_text(schedule: Schedule) -> str:
    """The rows as CSV, with the file each is in and the gifts behind it, for checking."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["file", "item", *HEADERS[1:], "donations", "changes made for HMRC"])
    for file_number, rows in enumerate(schedule.files, start=1):
        for number, found in enumerate(rows, start=1):
            cells = _cells(number, found)
            writer.writerow(
                [
                    file_number,
                    number,
                    *(
                        _money(cells[c]) if c == 10 else neutralised(cells.get(c, ""))
                        for c in range(2, 11)
                    ),
                    " ".join(found.references),
                    " ".join(found.row.changes),
                ]
            )
    return out.getvalue()
