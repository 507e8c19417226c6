"""The schedule HMRC receives, read back with other readers than the one that wrote it
(python-calamine for the cells' values, the file's own XML for their displayed text), held
to every rule of GIFT_AID.md's table."""

import csv
import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook

from donations.claims import schedule as schedules
from donations.claims import services as claims
from donations.claims.hmrc import KEPT, TITLE
from donations.extensions import db
from donations.gift_aid.address import UK_POSTCODE
from tests import factories
from tests.claims import hmrc_validator

NOW = datetime.now(UTC)
TODAY = NOW.date()
ODS_NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}
DATE = re.compile(r"\d\d/\d\d/\d\d")
MONEY = re.compile(r"\d+\.\d\d")


def donor(**fields):
    values = {"amount_pence": 2500, "gift_aid": True, "commit_now": False}
    values.update(fields)
    return factories.payment(**values)


def displayed(content: bytes) -> list[list[str]]:
    """Each cell's displayed text, row by row, from the file's own XML (repeats expanded)."""
    # our own file, just written: not untrusted input
    root = ElementTree.fromstring(  # noqa: S314
        zipfile.ZipFile(io.BytesIO(content)).read("content.xml")
    )
    table = root.find(".//table:table", ODS_NS)
    assert table.get(f"{{{ODS_NS['table']}}}name") == "R68GAD_V1_00_0_EN"
    rows = []
    for row in table.findall("table:table-row", ODS_NS):
        cells = []
        for cell in row.findall("table:table-cell", ODS_NS):
            repeat = int(cell.get(f"{{{ODS_NS['table']}}}number-columns-repeated", "1"))
            text = "".join(p.text or "" for p in cell.findall("text:p", ODS_NS))
            cells.extend([text] * repeat)
        repeat = int(row.get(f"{{{ODS_NS['table']}}}number-rows-repeated", "1"))
        rows.extend([cells] * repeat)
    return rows


def values(content: bytes) -> list[list]:
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name(
        "R68GAD_V1_00_0_EN"
    )
    return sheet.to_python(skip_empty_area=False)


def donation_rows(content: bytes) -> list[list[str]]:
    shown = displayed(content)
    found = []
    for row in shown[24:]:
        padded = (row + [""] * 11)[:11]
        if any(padded):
            found.append(padded)
    return found


def _day(text: str):
    return datetime.strptime(text, "%d/%m/%y").replace(tzinfo=UTC).date()


def assert_hmrc_accepts(content: bytes) -> None:
    """HMRC's validator, read faithfully, finds nothing to refuse; and GIFT_AID.md's table,
    cell by cell."""
    assert hmrc_validator.validate(content, today=TODAY) == []
    shown = displayed(content)
    assert hmrc_validator.read(content)["earliest"] == shown[12][3], "D13 as HMRC reads it"
    assert DATE.fullmatch(shown[12][3])  # D13
    header = shown[23][1:11]
    assert header[0] == "Item"
    assert header[-1] == "Amount"
    rows = donation_rows(content)
    earliest = min(_day(row[9]) for row in rows)
    assert shown[12][3] == earliest.strftime("%d/%m/%y")
    for number, row in enumerate(rows, start=1):
        _, item, title, first, last, house, postcode, aggregated, sponsored, day, amount = row
        assert item == str(number)  # no gaps
        for text in (title, first, last, house, postcode, aggregated):
            assert text == text.strip()
            assert all(KEPT.fullmatch(char) for char in text)
        if title:
            assert TITLE.fullmatch(title)
        if aggregated:
            assert not title
            assert not first
            assert not last
            assert not house
            assert not postcode
            assert not sponsored
            assert len(aggregated) <= 35
            assert float(amount) <= 1000
        else:
            assert first
            assert len(first) <= 35
            assert last
            assert len(last) <= 35
            assert "-" not in last
            assert house
            assert len(house) <= 40
            assert postcode == "X" or UK_POSTCODE.fullmatch(postcode)
        assert sponsored in ("", "Yes")
        assert DATE.fullmatch(day)
        assert _day(day) <= TODAY
        assert MONEY.fullmatch(amount)
        assert float(amount) >= 0.01
    # the same rows, read as values by another reader
    read = values(content)
    assert len([row for row in read[24:] if any(cell != "" for cell in row)]) == len(rows)
    for row, shown_row in zip(read[24:], rows, strict=False):
        assert f"{row[10]:.2f}" == shown_row[10]


def build(claim, aggregate=0):
    schedule = schedules.build(claim, aggregate)
    return schedule, schedules.ods_files(schedule)


def test_every_row_of_the_schedule_keeps_hmrcs_rules(app):
    donor(title="Mr.", first_name="Seán", last_name="O'Brien", postcode="sw1a1aa")
    donor(title="Mrs", first_name="Ann", last_name="Smith-Jones", postcode="m1 1ae")
    donor(first_name="Zoë", last_name="Ørsted", postcode="EH1 1YZ")
    donor(first_name="Łukasz", last_name="Dvořák", postcode="CF10 1EP")
    donor(
        first_name="Ana",
        last_name="García",
        overseas=True,
        postcode=None,
        house="Calle Mayor 5",
        address="Madrid, Spain",
        email="ana@example.org",
    )
    sponsored = donor(first_name="Sam", last_name="Runner", email="sam@example.org")
    sponsored.sponsored = True
    db.session.commit()
    claim = claims.create(TODAY - timedelta(days=1), TODAY, "finance@example.org")
    schedule, files = build(claim)
    assert schedule.problems == []
    assert len(files) == 1
    assert_hmrc_accepts(files[0])
    rows = {row[4]: row for row in donation_rows(files[0])}
    assert rows["O'Brien"][2:7] == ["Mr", "Seán", "O'Brien", "1", "SW1A 1AA"]
    assert rows["Smith Jones"][6] == "M1 1AE"
    assert rows["Ørsted"][3] == "Zoë"  # Latin-1: HMRC keeps it
    assert rows["Dvorák"][3] == "Lukasz"  # ř is not Latin-1, á is
    assert rows["García"][5:7] == ["Calle Mayor 5, Madrid, Spain", "X"]
    assert rows["Runner"][8] == "Yes"
    changes = " ".join(change for _, change in schedule.changes)
    for said in (
        '"Mr." written as "Mr"',
        '"Smith-Jones" written as "Smith Jones"',
        '"Łukasz" written as "Lukasz"',
        '"Dvořák" written as "Dvorák"',
    ):
        assert said in changes


def test_a_row_hmrc_would_refuse_is_named_until_the_donor_is_fixed(app):
    # the form takes at most 35 characters, as HMRC does; this name's 30 become 40 in the
    # Latin letters HMRC keeps
    long_name = "Хрущёва-Щербакова-Шапошниковых"
    paid = donor(last_name=long_name)
    db.session.commit()
    claim = claims.create(TODAY, TODAY, "finance@example.org")
    schedule, _ = build(claim)
    assert [problem for _, problem in schedule.problems] == [
        "Last name is 40 characters; HMRC takes at most 35."
    ]
    assert '"Khrushcheva Shcherbakova Shaposhnikovykh"' in schedule.changes[0][1]
    assert [row.declaration_id for row, _ in schedule.problems] == [paid.declaration.id]
    paid.declaration.last_name = "Khrushcheva"
    db.session.commit()
    schedule, files = build(claim)
    assert schedule.problems == []
    assert_hmrc_accepts(files[0])


def test_small_gifts_are_aggregated_when_asked_and_larger_ones_are_not(app):
    for n in range(3):
        donor(amount_pence=2000, email=f"small{n}@example.org")
    donor(amount_pence=2001, email="larger@example.org", last_name="Larger")
    db.session.commit()
    claim = claims.create(TODAY, TODAY, "finance@example.org")
    _schedule, files = build(claim, aggregate=2000)
    assert_hmrc_accepts(files[0])
    rows = donation_rows(files[0])
    assert [(row[7], row[10]) for row in rows if row[7]] == [
        ("Small online and offline gifts (3)", "60.00")
    ]
    assert [(row[4], row[10]) for row in rows if not row[7]] == [("Larger", "20.01")]
    _plain, files = build(claim)
    assert len(donation_rows(files[0])) == 4
    assert schedules.file_names(claim, _plain) == [f"{claim.reference}.ods"]


def test_an_aggregated_row_holds_at_most_a_thousand_pounds_to_the_penny(app):
    for n in range(51):
        donor(amount_pence=2000, email=f"small{n}@example.org")
    db.session.commit()
    claim = claims.create(TODAY, TODAY, "finance@example.org")
    _schedule, files = build(claim, aggregate=2000)
    assert_hmrc_accepts(files[0])
    assert [(row[7], row[10]) for row in donation_rows(files[0])] == [
        ("Small online and offline gifts (50)", "1000.00"),
        ("Small online and offline gifts (1)", "20.00"),
    ]


def test_an_aggregated_row_dated_after_today_is_named_as_a_problem(app, monkeypatch):
    for n in range(2):
        donor(amount_pence=1000, email=f"small{n}@example.org")
    db.session.commit()
    claim = claims.create(TODAY, TODAY, "finance@example.org")

    def aggregated_problems(today):
        monkeypatch.setattr(schedules, "uk_today", lambda: today)
        schedule = schedules.build(claim, 2000)
        return [found.row.problems for rows in schedule.files for found in rows]

    assert aggregated_problems(TODAY) == [[]], "a gift made today is not in the future"
    assert aggregated_problems(TODAY - timedelta(days=1)) == [["The gift's date is in the future."]]


def test_a_small_sponsored_gift_is_never_aggregated(app):
    """HMRC: sponsorship is claimed donor by donor, never in an aggregated row."""
    for n in range(2):
        donor(amount_pence=1000, email=f"small{n}@example.org")
    sponsor = donor(amount_pence=1000, email="sponsor@example.org", last_name="Sponsor")
    sponsor.sponsored = True
    db.session.commit()
    claim = claims.create(TODAY, TODAY, "finance@example.org")
    _schedule, files = build(claim, aggregate=2000)
    assert_hmrc_accepts(files[0])
    rows = donation_rows(files[0])
    assert [(row[7], row[10]) for row in rows if row[7]] == [
        ("Small online and offline gifts (2)", "20.00")
    ]
    assert [(row[4], row[8], row[10]) for row in rows if not row[7]] == [
        ("Sponsor", "Yes", "10.00")
    ]


def test_over_a_thousand_gifts_make_two_files_each_numbered_from_one(app):
    owed = donor(amount_pence=4000, email="owed@example.org")  # claimed, then refunded
    db.session.commit()
    claims.mark_submitted(claims.create(TODAY, TODAY, "finance@example.org"), "f@example.org")
    db.session.commit()
    factories.refund(owed, 4000)
    for n in range(1001):
        donor(amount_pence=1000 + n, email=f"d{n}@example.org")
    db.session.commit()
    claim = claims.create(TODAY, TODAY, "finance@example.org")
    _schedule, files = build(claim)
    assert len(files) == 2
    assert schedules.file_names(claim, _schedule) == [
        f"{claim.reference}-1-of-2.ods",
        f"{claim.reference}-2-of-2.ods",
    ]
    first, second = (donation_rows(content) for content in files)
    assert (len(first), len(second)) == (1000, 1)
    assert second[0][1] == "1"
    for content in files:
        assert_hmrc_accepts(content)
    owed_back = [hmrc_validator.read(content)["over_claimed"] for content in files]
    assert owed_back == ["10.00", ""], "what is owed back is claimed once, on the first file"
    total = sum(round(float(row[10]) * 100) for row in first + second)
    assert total == sum(1000 + n for n in range(1001))


def test_the_over_claimed_tax_goes_in_box_2(app):
    paid = donor(amount_pence=4000)
    db.session.commit()
    first = claims.create(TODAY, TODAY, "finance@example.org")
    claims.mark_submitted(first, "finance@example.org")
    db.session.commit()
    factories.refund(paid, 4000)
    donor(amount_pence=1000, email="next@example.org")
    db.session.commit()
    second = claims.create(TODAY, TODAY, "finance@example.org")
    _, files = build(second)
    assert displayed(files[0])[16][3] == "10.00"
    assert values(files[0])[16][3] == 10.0
    assert hmrc_validator.read(files[0])["over_claimed"] == "10.00", "D17 as HMRC reads it"
    assert_hmrc_accepts(files[0])


EXAMPLES = Path(__file__).parent / "hmrc_examples"


def test_hmrcs_own_good_example_passes_the_same_reading_and_its_bad_one_does_not():
    """The reading the schedules are held to gives HMRC's own answers for HMRC's own files:
    none for the good example, and the 42 errors HMRC's validator's tests list for the bad."""
    good = (EXAMPLES / "Gift-Aid-Schedule-Excel-GoodData.ods").read_bytes()
    assert hmrc_validator.validate(good) == []
    read = hmrc_validator.read(good)
    assert (read["earliest"], read["over_claimed"], len(read["rows"])) == ("10/11/17", "", 4)
    bad = hmrc_validator.validate((EXAMPLES / "Gift-Aid-Schedule-Excel-BadData.ods").read_bytes())
    assert len(bad) == 42
    assert bad[:4] == [
        ("earliestDonationDate", 2),
        ("previouslyOverClaimedAmount", 4),
        ("donorFirstName[0]", 14),
        ("donorLastName[1]", 15),
    ]
    assert bad[-1] == ("postcode[25]", 20)


def claim_owing_back(next_gift_pence: int):
    """A claim's files, and the first one's XML, after a claimed £40 gift was refunded: £10
    over-claimed goes in Box 2 (D17) beside a gift of `next_gift_pence`."""
    paid = donor(amount_pence=4000)
    db.session.commit()
    claims.mark_submitted(claims.create(TODAY, TODAY, "finance@example.org"), "f@example.org")
    db.session.commit()
    factories.refund(paid, 4000)
    donor(amount_pence=next_gift_pence, email="next@example.org")
    db.session.commit()
    _, files = build(claims.create(TODAY, TODAY, "finance@example.org"))
    # our own file, just written: not untrusted input
    return files, ElementTree.fromstring(zipfile.ZipFile(io.BytesIO(files[0])).read("content.xml"))  # noqa: S314


def test_d13_and_d17_are_their_rows_fourth_cells_as_hmrc_counts_them(app):
    """HMRC takes the 4th cell element of rows 13 and 17 without expanding repeated cells:
    a row starting with one cell repeated over A-B had a blank D13 to HMRC."""
    files, root = claim_owing_back(next_gift_pence=1000)
    table = root.find(".//table:table", ODS_NS)
    repeated = f"{{{ODS_NS['table']}}}number-columns-repeated"
    for at in (12, 16):
        row = hmrc_validator_rows(table)[at]
        first_four = row.findall("table:table-cell", ODS_NS)[:4]
        assert [cell.get(repeated) for cell in first_four] == [None] * 4, f"row {at + 1}"
    read = hmrc_validator.read(files[0])
    assert read["earliest"] == TODAY.strftime("%d/%m/%y")
    assert read["over_claimed"] == "10.00"


def hmrc_validator_rows(table) -> list:
    rows = []
    for row in table.findall("table:table-row", ODS_NS):
        rows.extend([row] * int(row.get(f"{{{ODS_NS['table']}}}number-rows-repeated", "1")))
    return rows


def test_the_checking_csv_has_every_row_as_hmrc_reads_it_with_the_gifts_behind_it(app):
    plain = donor(title="Mr.", first_name="Seán", last_name="O'Brien", postcode="sw1a1aa")
    sneaky = donor(first_name="=HYPERLINK(1)", last_name="+Plus", email="s@example.org")
    small = [donor(amount_pence=1000, email=f"small{n}@example.org") for n in range(2)]
    db.session.commit()
    claim = claims.create(TODAY, TODAY, "finance@example.org")
    schedule, files = build(claim, aggregate=1000)
    rows = list(csv.reader(io.StringIO(schedules.csv_text(schedule))))
    assert rows[0] == [
        "file",
        "item",
        *schedules.HEADERS[1:],
        "donations",
        "changes made for HMRC",
    ]
    by_name = {row[4]: row for row in rows[1:]}
    assert by_name["O'Brien"][:8] == [
        "1",
        by_name["O'Brien"][1],
        "Mr",
        "Seán",
        "O'Brien",
        "1",
        "SW1A 1AA",
        "",
    ]
    assert by_name["O'Brien"][10:12] == ["25.00", plain.reference]
    assert by_name["O'Brien"][12] == (
        'Title "Mr." written as "Mr". Postcode "sw1a1aa" written as "SW1A 1AA".'
    ), "each change, a space between"
    assert by_name["'+Plus"][3] == "'=HYPERLINK(1)", (
        "a name that starts like a formula is neutralised"
    )
    assert by_name["'+Plus"][11] == sneaky.reference
    [aggregated] = [row for row in rows[1:] if row[7]]
    assert (aggregated[7], aggregated[10]) == ("Small online and offline gifts (2)", "20.00")
    behind = " ".join(sorted(d.reference for d in small))
    assert " ".join(sorted(aggregated[11].split(" "))) == behind, "both gifts, a space between"
    assert aggregated[2:7] == ["", "", "", "", ""], "an aggregated row names no one"
    items = [row[1] for row in rows[1:]]
    assert items == [str(n) for n in range(1, len(rows))], "numbered as in the file"
    assert len(rows) - 1 == len(donation_rows(files[0]))


STYLE_NS = {
    **ODS_NS,
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "number": "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0",
}


def _attribute(element, name: str) -> str | None:
    prefix, local = name.split(":")
    return element.get(f"{{{STYLE_NS[prefix]}}}{local}")


def test_the_schedule_opens_in_a_spreadsheet_as_a_valid_file_with_amounts_to_the_penny(app):
    """What a person (or LibreOffice) opening the file sees: the sheet's eleven columns A-K,
    every repeat a positive count as the ODF schema asks, each label beside the box it names,
    and every amount a number shown with two decimal places, as HMRC's own example has them."""
    files, root = claim_owing_back(next_gift_pence=1250)
    table = root.find(".//table:table", STYLE_NS)

    columns = table.findall("table:table-column", STYLE_NS)
    assert [_attribute(column, "table:number-columns-repeated") for column in columns] == ["11"]
    for element in table.iter():
        for name in ("table:number-rows-repeated", "table:number-columns-repeated"):
            count = _attribute(element, name)
            assert count is None or (count.isdigit() and int(count) >= 1), (name, count)
    for row in table.findall("table:table-row", STYLE_NS):
        assert len(row.findall("table:table-cell", STYLE_NS)) <= 11

    shown = displayed(files[0])
    assert shown[12][2] == "Earliest donation date in the period of claim (DD/MM/YY)"
    assert shown[16][2] == "Previously over-claimed amount (£)"

    styles = {
        _attribute(style, "style:name"): style
        for style in root.iter(f"{{{STYLE_NS['style']}}}style")
    }
    number_styles = {
        _attribute(style, "style:name"): style
        for style in root.iter(f"{{{STYLE_NS['number']}}}number-style")
    }
    amounts = [
        cell
        for cell in table.iter(f"{{{STYLE_NS['table']}}}table-cell")
        if "".join(cell.itertext()) in ("12.50", "10.00")
    ]
    assert len(amounts) == 2  # the gift in K25 and what was over-claimed in D17
    for cell in amounts:
        assert _attribute(cell, "office:value-type") == "float"
        style = styles[_attribute(cell, "table:style-name")]
        assert _attribute(style, "style:family") == "table-cell"
        number = number_styles[_attribute(style, "style:data-style-name")]
        (digits,) = number.findall("number:number", STYLE_NS)
        assert _attribute(digits, "number:decimal-places") == "2"
        assert _attribute(digits, "number:min-integer-digits") == "1"
    assert sorted(float(_attribute(cell, "office:value")) for cell in amounts) == [10.0, 12.5]


def test_the_schedule_lists_gifts_by_the_day_given_whatever_order_they_came_in(app):
    days = [NOW - timedelta(days=ago) for ago in (5, 25, 15)]
    for n, day in enumerate(days):
        donor(email=f"day{n}@example.org", last_name=f"Giver{n}", paid_at=day)
    db.session.commit()
    claim = claims.create(days[1].date(), TODAY, "finance@example.org")
    _schedule, files = build(claim)
    assert [row[4] for row in donation_rows(files[0])] == ["Giver1", "Giver2", "Giver0"]


def test_small_gifts_are_added_up_in_the_order_they_were_given(app):
    """A thousand pounds' row holds the earliest fifty; the fifty-first, given last, is in a
    row of its own, dated the day it was given (they were recorded latest first)."""
    for n in range(51):
        donor(amount_pence=2000, email=f"small{n}@example.org", paid_at=NOW - timedelta(hours=n))
    db.session.commit()
    claim = claims.create(TODAY - timedelta(days=3), TODAY, "finance@example.org")
    _schedule, files = build(claim, aggregate=2000)
    rows = donation_rows(files[0])
    assert [row[10] for row in rows] == ["1000.00", "20.00"]
    assert rows[1][9] == NOW.strftime("%d/%m/%y")
