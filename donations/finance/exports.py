"""The records as CSV and XLSX, streamed: rows are read from the database a batch at a time
and written as they come, so memory stays flat however many there are. Columns, formats and
formula neutralising are DESIGN.md's contract."""

import csv
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import xlsxwriter
from flask import current_app

from donations.extensions import db
from donations.finance.records import Filters, records_query
from donations.money import gift_aid_at, pounds

UK = ZoneInfo("Europe/London")
COLUMNS = (
    "reference",
    "date",
    "fund",
    "frequency",
    "status",
    "channel",
    "amount",
    "fees_covered",
    "refunded",
    "disputed",
    "stripe_fee",
    "net_received",
    "gift_aid",
    "gift_aid_amount",
    "gift_aid_claim",
    "title",
    "first_name",
    "last_name",
    "email",
    "house",
    "postcode",
    "anonymous",
    "marketing_consent",
    "source_ref",
    "payout",
)
MONEY = {
    "amount",
    "fees_covered",
    "refunded",
    "disputed",
    "stripe_fee",
    "net_received",
    "gift_aid_amount",
}
#: what a spreadsheet would read as the start of a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 2000
#: XLSX's last row; past it the records go on in another sheet
XLSX_ROWS = 1_048_576


def neutralised(text: str | None) -> str:
    """Text no spreadsheet will run: one that starts like a formula gets a leading '."""
    if not text:
        return ""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def pounds_text(pence: int | None) -> str:
    """25.00 from 2500; empty for an amount not known."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}{whole}.{part:02d}"


def _yes(value) -> str:
    return "yes" if value else "no"


def _uk_day(moment: datetime) -> str:
    return moment.astimezone(UK).date().isoformat()


def _rows(filters: Filters, rate: int) -> Iterator[tuple]:
    """Each record as a tuple in COLUMNS' order: amounts in pence, text neutralised."""
    query = records_query(filters).execution_options(stream_results=True, yield_per=BATCH)
    for r in db.session.execute(query):
        kept = r.amount - r.refunded - r.disputed
        received = r.entry_id is not None
        # an offline gift arrives whole; an online one is what Stripe paid in, once known
        net = r.net_received if r.channel == "online" else r.amount
        yield (
            r.reference,
            _uk_day(r.at),
            r.fund,
            r.frequency,
            r.status,
            r.channel,
            r.amount,
            r.fees_covered,
            r.refunded,
            r.disputed,
            r.stripe_fee,
            net if received else None,
            _yes(r.gift_aid),
            gift_aid_at(kept, rate) if received and r.gift_aid else 0,
            "",
            neutralised(r.title),
            neutralised(r.first_name),
            neutralised(r.last_name),
            neutralised(r.email),
            neutralised(r.house),
            neutralised(r.postcode),
            _yes(r.anonymous),
            _yes(r.marketing_consent),
            neutralised(r.source_ref),
            neutralised(r.payout),
        )


MONEY_AT = tuple(i for i, name in enumerate(COLUMNS) if name in MONEY)


def _as_text(row: tuple) -> list:
    out = list(row)
    for i in MONEY_AT:
        out[i] = pounds_text(out[i])
    return out


class _Line:
    """A file-like target for csv.writer that hands back what was written."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


def csv_chunks(filters: Filters, counted: list[int] | None = None) -> Iterator[bytes]:
    """The CSV, UTF-8 with a byte-order mark (so Excel reads accents right), in chunks of a
    batch of rows each. `counted`, if given, ends holding the number of records."""
    line = _Line()
    writer = csv.writer(line, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield ("\ufeff" + line.take()).encode()
    batch, rows = [], 0
    for row in _rows(filters, current_app.config["GIFT_AID_BASIC_RATE"]):
        batch.append(_as_text(row))
        if len(batch) == BATCH:
            rows += len(batch)
            writer.writerows(batch)
            batch.clear()
            yield line.take().encode()
    rows += len(batch)
    writer.writerows(batch)
    yield line.take().encode()
    if counted is not None:
        counted.append(rows)


def write_csv(filters: Filters, out) -> int:
    """Write the CSV to a binary file; returns the number of records."""
    counted: list[int] = []
    for chunk in csv_chunks(filters, counted):
        out.write(chunk)
    return counted[0]


def write_xlsx(filters: Filters, path: str) -> int:
    """Write the XLSX to a file (XlsxWriter's constant-memory mode: a row at a time, flushed
    as it goes). Amounts are numbers in pounds, shown with two decimals, so the sheet can
    add them up; dates are ISO 8601 text, as in the CSV. Returns the number of records."""
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False})
    money = workbook.add_format({"num_format": "0.00"})
    bold = workbook.add_format({"bold": True})
    sheet, row_number, count, sheets = None, XLSX_ROWS, 0, 0
    for row in _rows(filters, current_app.config["GIFT_AID_BASIC_RATE"]):
        if row_number == XLSX_ROWS:
            sheets += 1
            sheet = workbook.add_worksheet("Donations" if sheets == 1 else f"Donations {sheets}")
            sheet.write_row(0, 0, COLUMNS, bold)
            sheet.freeze_panes(1, 0)
            row_number = 1
        _write_xlsx_row(sheet, row_number, row, money)
        row_number += 1
        count += 1
    if sheet is None:
        sheet = workbook.add_worksheet("Donations")
        sheet.write_row(0, 0, COLUMNS, bold)
    workbook.close()
    return count


def _write_xlsx_row(sheet, row_number: int, row: tuple, money) -> None:
    for column, value in enumerate(row):
        if column in MONEY_AT:
            if value is not None:
                sheet.write_number(row_number, column, float(pounds(value)), money)
        elif value:
            sheet.write_string(row_number, column, value)


def xlsx_chunks(filters: Filters) -> Iterator[bytes]:
    """The XLSX, written to a temporary file and then sent from it in chunks."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(filters, path)
        with open(path, "rb") as made:
            yield from iter(lambda: made.read(64 * 1024), b"")
    finally:
        os.unlink(path)
