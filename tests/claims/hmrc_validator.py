"""HMRC's own schedule validator, read line by line into Python for the tests: how it reads an
.ods (hmrc/charities-claims-validation, services/documentvalidation/OdsReaderService.scala)
and what it refuses in a Gift Aid schedule (GiftAidValidationService.scala,
CommonFileValidation.scala, models/validation/DocumentRow.scala and DocumentRowDecoder.scala).

Each error is (field, message number), as HMRC's service reports them: ("earliestDonationDate",
2) is its "validationService.giftAid.message.2", "Enter the earliest donation date". It is
written apart from the project's own schedule code (and with the standard library's XML
parser, not odfpy, which writes our files), so that a schedule we write is judged by HMRC's
reading, not by our idea of it.
"""

import io
import re
import zipfile
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.dom import minidom

#: DocumentRow.scala: GiftAidDonationRow's layout and its two single cells (0-based)
DONATION_ROWS = range(24, 1025)
DONATION_CELLS = range(1, 12)
EARLIEST_DONATION_DATE = (12, 3)
PREVIOUSLY_OVERCLAIMED = (16, 3)
POSTCODE = re.compile(
    r"^(GIR 0AA)|((([A-Z][0-9][0-9]?)|(([A-Z][A-HJ-Y][0-9][0-9]?)|(([A-Z][0-9][A-Z])"
    r"|([A-Z][A-HJ-Y][0-9][A-Z])))) [0-9][A-Z]{2})$"
)
TITLE = re.compile(r"^[A-Za-z][A-Za-z'-]{1,3}$")
ITEM = re.compile(r"^[1-9][0-9]{0,3}$")


# --- OdsReaderService -----------------------------------------------------------------------


def _elements(node, name: str) -> list:
    """getElementsByTagName: every descendant of that name, in document order."""
    return node.getElementsByTagName(name)


def _repeat(element, attribute: str) -> int:
    value = element.getAttribute(attribute)
    return int(value) if value.isdigit() and int(value) >= 1 else 1


def _text(node) -> str:
    if node.nodeType == node.TEXT_NODE:
        return node.data
    if node.nodeType != node.ELEMENT_NODE:
        return ""
    if node.tagName == "text:s":
        value = node.getAttribute("text:c")
        return " " * (int(value) if value.isdigit() else 1)
    return "".join(_text(child) for child in node.childNodes)


def cell_text(cell) -> str:
    """extractCellText: each text:p's text (text:s as spaces), joined by new lines, trimmed.
    Never the cell's office:value."""
    return "\n".join(_text(p) for p in _elements(cell, "text:p")).strip()


def _first_table(document):
    tables = _elements(document, "table:table")
    return tables[0] if tables else None


def rows(document, limit: int) -> list:
    """extractRows: the first table's own table-row children, repeats expanded."""
    table = _first_table(document)
    if table is None:
        return []
    found = []
    for child in table.childNodes:
        if child.nodeType == child.ELEMENT_NODE and child.tagName == "table:table-row":
            found.extend([child] * _repeat(child, "table:number-rows-repeated"))
    return found[:limit]


def cells(row, limit: int) -> list[str]:
    """extractCells: every table-cell below the row (covered cells are not counted), repeats
    expanded, padded with blanks."""
    found = []
    for cell in _elements(row, "table:table-cell"):
        found.extend([cell_text(cell)] * _repeat(cell, "table:number-columns-repeated"))
    found = found[:limit]
    return found + [""] * (limit - len(found))


def single_cell(document, at: tuple[int, int]) -> str:
    """cellFromDocument: the row (repeats expanded), then its n-th table-cell element with
    repeats NOT expanded."""
    row_index, cell_index = at
    found = rows(document, row_index + 1)
    if len(found) <= row_index:
        return ""
    elements = _elements(found[row_index], "table:table-cell")
    return cell_text(elements[cell_index]) if len(elements) > cell_index else ""


def sheet_name(document) -> str:
    table = _first_table(document)
    return table.getAttribute("table:name") if table is not None else ""


# --- GiftAidValidationService ----------------------------------------------------------------


def western(text: str, spacing: bool = False) -> str:
    """removeNonWesternCharacters."""
    kept = re.sub(r"[^\x20-\x7E\xA1-\xFF]", "", text).strip()
    return re.sub(r"\s+", " ", kept) if spacing else kept


def _date(text: str) -> date | None:
    """dd/MM/uu, strict: two digits each."""
    if not re.fullmatch(r"[0-9]{2}/[0-9]{2}/[0-9]{2}", text):
        return None
    day, month, year = (int(part) for part in text.split("/"))
    try:
        return date(2000 + year, month, day)
    except ValueError:
        return None


def _two_places(text: str) -> Decimal | None:
    """Java's BigDecimal of the text, kept only with exactly two places and at most 15
    digits (Python's Decimal also reads "1_000", "NaN" and "Infinity": Java does not)."""
    text = text.replace(",", "")
    if "_" in text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount.as_tuple().exponent != -2:
        return None
    if len(str(abs(int(amount.scaleb(2))))) > 15:
        return None
    return amount


def _decoded(selected: list[str]) -> dict | None:
    names = (
        "item",
        "title",
        "first",
        "last",
        "house",
        "postcode",
        "aggregated",
        "sponsored",
        "date",
        "amount",
    )
    row = {name: selected[i].strip() for i, name in enumerate(names)}
    if not any(row[name] for name in names[1:]):
        return None
    return row


def donation_rows(document) -> list[dict]:
    found = rows(document, DONATION_ROWS.stop)
    decoded = []
    for index in DONATION_ROWS:
        if index >= len(found):
            continue
        every = cells(found[index], DONATION_CELLS.stop)
        row = _decoded([every[i] for i in DONATION_CELLS])
        if row is not None:
            decoded.append(row)
    return decoded


def _row_errors(index: int, row: dict, today: date) -> list[tuple[str, int]]:
    """validateRow: each rule in HMRC's order."""
    aggregated = bool(western(row["aggregated"]).strip())
    errors = _item_errors(index, row)
    errors += _conflicts(index, row) if aggregated else _donor_errors(index, row)
    if len(western(row["aggregated"], spacing=True)) > 35:
        errors.append((f"aggregateDonations[{index}]", 5))
    if not aggregated:
        sponsored = western(row["sponsored"].strip().lower())
        if sponsored and sponsored != "yes":
            errors.append((f"sponsoredEvent[{index}]", 22))
    errors += _date_errors(index, western(row["date"]), today)
    return errors + _money_errors(index, western(row["amount"]), aggregated)


def _item_errors(index: int, row: dict) -> list[tuple[str, int]]:
    item = western(row["item"])
    if not ITEM.match(item) or not 1 <= int(item) <= 1000:
        return [(f"item[{index}]", 6)]
    return []


def _conflicts(index: int, row: dict) -> list[tuple[str, int]]:
    """validateAggregateDonationRules: an aggregated row holds no donor."""
    fields = (
        ("sponsored", 23),
        ("title", 24),
        ("first", 25),
        ("last", 26),
        ("house", 27),
        ("postcode", 28),
    )
    return [(f"aggregateDonationsConflict[{index}]", n) for name, n in fields if row[name].strip()]


def _donor_errors(index: int, row: dict) -> list[tuple[str, int]]:
    errors = []
    title = western(row["title"])
    if title and not TITLE.match(title):
        errors.append((f"donorTitle[{index}]", 13))
    for name, key, missing, long in (
        ("first", "donorFirstName", 14, 16),
        ("last", "donorLastName", 15, 17),
        ("house", "donorHouse", 18, 19),
    ):
        value = western(row[name], spacing=True)
        limit = 40 if name == "house" else 35
        if not value:
            errors.append((f"{key}[{index}]", missing))
        elif len(value) > limit:
            errors.append((f"{key}[{index}]", long))
    postcode = western(row["postcode"].strip())
    if not postcode:
        errors.append((f"postcode[{index}]", 20))
    elif not (postcode == "X" or POSTCODE.match(postcode.upper())):
        errors.append((f"postcode[{index}]", 21))
    return errors


def _date_errors(index: int, given: str, today: date) -> list[tuple[str, int]]:
    if not given:
        return [(f"donationDate[{index}]", 7)]
    day = _date(given)
    if day is None:
        return [(f"donationDate[{index}]", 8)]
    if day > today:
        return [(f"donationDate[{index}]", 9)]
    return []


def _money_errors(index: int, text: str, aggregated: bool) -> list[tuple[str, int]]:
    field = f"donationAmount[{index}]"
    if not text:
        return [(field, 11)]
    amount = _two_places(text)
    if amount is None or amount < Decimal("0.01"):
        return [(field, 10)]
    if aggregated and amount > 1000:
        return [(field, 12)]
    if not aggregated and amount > Decimal("9999999999999.99"):
        return [(field, 10)]
    return []


def _content(ods: bytes):
    with zipfile.ZipFile(io.BytesIO(ods)) as archive:
        # our own schedules and HMRC's example files: not untrusted input
        return minidom.parseString(archive.read("content.xml"))  # noqa: S318


def validate(ods: bytes, today: date | None = None) -> list[tuple[str, int]]:
    """What HMRC's validator says of a Gift Aid schedule: [] when it takes it."""
    today = today or date.today()  # noqa: DTZ011  (HMRC's own LocalDate.now)
    document = _content(ods)
    if not sheet_name(document).strip().startswith("R68GAD_V1_00_0"):
        return [("fileError", 3)]
    found = donation_rows(document)
    if not found:
        return [("giftAidDonation", 1)]
    errors = []
    earliest = western(single_cell(document, EARLIEST_DONATION_DATE))
    if not earliest:
        errors.append(("earliestDonationDate", 2))
    elif _date(earliest) is None:
        errors.append(("earliestDonationDate", 3))
    over = western(single_cell(document, PREVIOUSLY_OVERCLAIMED)).strip().replace(",", "")
    if over and ((amount := _two_places(over)) is None or amount <= 0):
        errors.append(("previouslyOverClaimedAmount", 4))
    for index, row in enumerate(found):
        errors.extend(_row_errors(index, row, today))
    return errors


def read(ods: bytes) -> dict:
    """What HMRC reads of a schedule: D13, D17 and each donation row's ten cells."""
    document = _content(ods)
    return {
        "sheet": sheet_name(document),
        "earliest": single_cell(document, EARLIEST_DONATION_DATE),
        "over_claimed": single_cell(document, PREVIOUSLY_OVERCLAIMED),
        "rows": donation_rows(document),
    }
