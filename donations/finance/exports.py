"""The records as CSV and XLSX, streamed: rows are read from the database a batch at a time
and written as they come, so memory stays flat however many there are. Columns, formats and
formula neutralising are docs/CONTRACT.md's contract.

The database writes each row's text itself (pounds with two decimals, UK dates, yes/no,
neutralised text), in one query: at a million rows the export then costs little more than
the database's own CSV dump of the same query, instead of several times it in Python.
"""

import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import xlsxwriter
from sqlalchemy import Integer, String, and_, case, cast, func, literal, null, select, type_coerce

from donations.extensions import db
from donations.finance.listing import ONLINE, Filters, records_subquery
from donations.ledger import standing
from donations.text import FORMULA_STARTS

#: how a column is written: plain text, text someone typed (neutralised, always quoted in
#: CSV), or pounds (a number in XLSX)
PLAIN, TYPED, MONEY = "plain", "typed", "money"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    #: the SQL giving the cell's text, from the records subquery and the figures worked out
    #: from it
    text: Callable


def _money_columns(*names: str) -> list[Column]:
    return [Column(name, MONEY, lambda r, f, n=name: _pounds(r.c[n])) for name in names]


#: docs/CONTRACT.md's columns, in order: the one list the CSV, the XLSX and their header read
COLUMN_SPECS: tuple[Column, ...] = (
    Column("reference", PLAIN, lambda r, f: r.c.reference),
    Column("date", PLAIN, lambda r, f: _uk_day(r.c.at)),
    Column("fund", TYPED, lambda r, f: r.c.fund),
    Column("frequency", PLAIN, lambda r, f: r.c.frequency),
    Column("status", PLAIN, lambda r, f: r.c.status),
    Column("channel", PLAIN, lambda r, f: r.c.channel),
    *_money_columns("amount", "fees_covered", "refunded", "disputed", "stripe_fee"),
    Column("net_received", MONEY, lambda r, f: case((f.received, _pounds(f.net)), else_=null())),
    Column("gift_aid", PLAIN, lambda r, f: _yes(r.c.gift_aid)),
    Column("gift_aid_amount", MONEY, lambda r, f: _pounds(f.gift_aid)),
    Column("gift_aid_claim", PLAIN, lambda r, f: r.c.claim),
    *(
        Column(name, TYPED, lambda r, f, n=name: _neutralised(r.c[n]))
        for name in ("title", "first_name", "last_name", "email", "house", "postcode")
    ),
    Column("anonymous", PLAIN, lambda r, f: _yes(r.c.anonymous)),
    Column("marketing_consent", PLAIN, lambda r, f: _yes(r.c.marketing_consent)),
    Column("source_ref", TYPED, lambda r, f: _neutralised(r.c.source_ref)),
    Column("payout", TYPED, lambda r, f: _neutralised(r.c.payout)),
    Column(
        "net_remaining",
        MONEY,
        lambda r, f: case(
            (and_(f.received, f.net.is_not(None)), _signed_pounds(f.remaining)), else_=null()
        ),
    ),
    Column("appeal", TYPED, lambda r, f: r.c.appeal),
    Column("fundraiser", TYPED, lambda r, f: r.c.fundraiser),
)
COLUMNS = tuple(column.name for column in COLUMN_SPECS)
MONEY_AT = tuple(i for i, column in enumerate(COLUMN_SPECS) if column.kind == MONEY)
#: the day of each record: a date cell in the XLSX, so a spreadsheet can group by month
DATE_AT = COLUMNS.index("date")
BATCH = 5000
#: XLSX's last row; past it the records go on in another sheet
XLSX_ROWS = 1_048_576


def pounds_text(pence: int | None) -> str:
    """25.00 from 2500; empty for an amount not known."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}{whole}.{part:02d}"


# --- the same, in SQL (SQLite and PostgreSQL alike) -------------------------------------------


def _text(value):
    return cast(value, String)


def _pounds(pence):
    """pounds_text in SQL, for amounts that are never negative (whole-number division)."""
    pence = type_coerce(pence, Integer)
    part = pence % 100
    return _text(pence // 100) + "." + case((part < 10, "0"), else_="") + _text(part)


def _signed_pounds(pence):
    pence = type_coerce(pence, Integer)
    return case((pence < 0, "-" + _pounds(-pence)), else_=_pounds(pence))


def _yes(flag):
    return case((flag == literal(True), "yes"), else_="no")


def _neutralised(text):
    first = func.substr(text, 1, 1)
    return case((first.in_(FORMULA_STARTS), "'" + text), else_=func.coalesce(text, ""))


def _uk_day(moment):
    """The UK date of a UTC moment. PostgreSQL knows Europe/London; for SQLite, British
    Summer Time is worked out: from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
    last Sunday of October."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(func.timezone("Europe/London", moment), "YYYY-MM-DD")
    year = func.strftime("%Y", moment)

    def last_sunday(month_end: str):
        sunday = func.date(year + month_end, "-6 days", "weekday 0")
        return func.datetime(sunday, "+1 hour")

    summer = and_(moment >= last_sunday("-03-31"), moment < last_sunday("-10-31"))
    return case((summer, func.date(moment, "+1 hour")), else_=func.date(moment))


@dataclass(frozen=True)
class _Figures:
    """What some columns are worked out from, once per query."""

    received: object
    net: object
    gift_aid: object
    remaining: object


def _figures(r) -> _Figures:
    received = r.c.entry_id.is_not(None)
    kept = type_coerce(standing.what_stands(r.c.amount, r.c.refunded, r.c.disputed), Integer)
    gift_aid = case(
        (and_(received, r.c.gift_aid == literal(True)), standing.gift_aid_due(kept)), else_=0
    )
    # an offline gift arrives whole; an online one is what Stripe paid in, once known
    net = case((r.c.channel == ONLINE, r.c.net_received), else_=r.c.amount)
    # what the charity keeps: what reached it, less what went back (refunds, disputes lost)
    remaining = standing.what_stands(net, r.c.refunded, r.c.disputed)
    return _Figures(received, net, gift_aid, remaining)


def _columns(filters: Filters):
    """The columns as SQL giving each one's text, with whether a CSV must quote it; and the
    order to read the records in."""
    r = records_subquery(filters)
    figures = _figures(r)
    columns = [(column.text(r, figures), column.kind == TYPED) for column in COLUMN_SPECS]
    return columns, (r.c.at, r.c.entry_id)


def export_query(filters: Filters):
    """Every record the filters ask for, oldest first, as the text of docs/CONTRACT.md's columns."""
    columns, order = _columns(filters)
    return select(*(column for column, _ in columns)).order_by(*order)


def _csv_field(column, quoted: bool):
    if not quoted:
        return func.coalesce(column, "")
    escaped = '"' + func.replace(column, '"', '""') + '"'
    return case((column.is_(None), ""), else_=escaped)


def csv_line_query(filters: Filters):
    """The same records, each as one line of CSV made by the database: typed text is always
    quoted, its quotes doubled (RFC 4180); everything else is plain."""
    columns, order = _columns(filters)
    line = _csv_field(*columns[0])
    for column, quoted in columns[1:]:
        line = line + "," + _csv_field(column, quoted)
    return select(line).order_by(*order)


def _batches(query) -> Iterator[list[tuple]]:
    """The rows, a batch at a time, straight from the database's cursor (a server-side one on
    PostgreSQL), so memory holds one batch."""
    result = db.session.connection().execute(query.execution_options(stream_results=True))
    while batch := result.fetchmany(BATCH):
        yield batch


# --- CSV ------------------------------------------------------------------------------------


def csv_chunks(filters: Filters, counted: list[int] | None = None) -> Iterator[bytes]:
    """The CSV, UTF-8 with a byte-order mark (so Excel reads accents right), in chunks of a
    batch of rows each. `counted`, if given, ends holding the number of records."""
    yield ("\ufeff" + ",".join(COLUMNS) + "\r\n").encode()
    rows = 0
    for batch in _batches(csv_line_query(filters)):
        rows += len(batch)
        yield ("\r\n".join(line for (line,) in batch) + "\r\n").encode()
    if counted is not None:
        counted.append(rows)


def write_csv(filters: Filters, out) -> int:
    """Write the CSV to a binary file; returns the number of records."""
    counted: list[int] = []
    for chunk in csv_chunks(filters, counted):
        out.write(chunk)
    return counted[0]


# --- XLSX -----------------------------------------------------------------------------------


def write_xlsx(filters: Filters, path: str) -> int:
    """Write the XLSX to a file (XlsxWriter's constant-memory mode: a row at a time, flushed
    as it goes). Amounts are numbers in pounds, shown with two decimals, so the sheet can
    add them up; each record's day is a date cell (shown as in the CSV, 2026-11-20), so it
    can group by month. Returns the number of records."""
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False})
    money = workbook.add_format({"num_format": "0.00"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    bold = workbook.add_format({"bold": True})
    sheet, row_number, count, sheets = None, XLSX_ROWS, 0, 0
    for batch in _batches(export_query(filters)):
        for row in batch:
            if row_number == XLSX_ROWS:
                sheets += 1
                name = "Donations" if sheets == 1 else f"Donations {sheets}"
                sheet = workbook.add_worksheet(name)
                sheet.write_row(0, 0, COLUMNS, bold)
                sheet.freeze_panes(1, 0)
                row_number = 1
            _write_xlsx_row(sheet, row_number, row, money, day)
            row_number += 1
        count += len(batch)
    if sheet is None:
        workbook.add_worksheet("Donations").write_row(0, 0, COLUMNS, bold)
    workbook.close()
    return count


def _write_xlsx_row(sheet, row_number: int, row: tuple, money, day) -> None:
    for column, value in enumerate(row):
        if not value:
            continue
        if column == DATE_AT:
            sheet.write_datetime(row_number, column, date.fromisoformat(value), day)
        elif column in MONEY_AT:
            # the pounds text, as a Decimal; shown with two decimals in the sheet
            sheet.write_number(row_number, column, Decimal(value), money)
        else:
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
