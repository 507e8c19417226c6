"""Reading an offline-gifts file, row by row: exactly which row, which field and what is said,
for each way a row or a file can be wrong (the pages show these words as they are)."""

from datetime import date

import pytest

from donations.finance import offline_file
from donations.finance.offline import LENGTHS, read_date
from donations.gifts import offline

TODAY = date(2026, 11, 30)
HEADER = (
    "fund,amount,received_on,method,receipt_reference,title,first_name,last_name,email,"
    "gift_aid,declaration_date,house,address,postcode,overseas,marketing_consent"
)
GOOD = "actimus,12.50,2026-11-02,cheque,CHQ-1,Dr,Mary,Seacole,,no,,,,,no,no"


def read(*lines: str, header: str = HEADER):
    return offline_file.read_file("\r\n".join([header, *lines]).encode() + b"\r\n", TODAY)


def problems(*lines: str, header: str = HEADER):
    return read(*lines, header=header)[1]


def row(**changes) -> str:
    cells = dict(zip(HEADER.split(","), GOOD.split(","), strict=True))
    cells.update(changes)
    return ",".join(cells.values())


def test_a_good_row_is_one_gift_with_every_field_read(app):
    gifts, found = read(
        row(
            amount="1250.5",
            email="Mary@Example.org",
            gift_aid="yes",
            declaration_date="2026-10-30",
            house="14",
            postcode="sw1a1aa",
            marketing_consent="y",
        )
    )
    assert found == []
    [gift] = gifts
    assert (gift.fund.slug, gift.amount_pence, gift.received_on, gift.method) == (
        "actimus",
        125050,
        date(2026, 11, 2),
        "cheque",
    )
    assert (gift.receipt_reference, gift.title, gift.first_name, gift.last_name) == (
        "CHQ-1",
        "Dr",
        "Mary",
        "Seacole",
    )
    assert (gift.email, gift.gift_aid, gift.house, gift.postcode, gift.overseas) == (
        "mary@example.org",
        True,
        "14",
        "SW1A 1AA",
        False,
    )
    assert (gift.declared_on, gift.marketing_consent, gift.sponsored) == (
        date(2026, 10, 30),
        True,
        False,
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"fund": "nope"}, ("Fund", "Choose a fund: stem-cell-audit, actimus.")),
        ({"amount": ""}, ("Amount", "Enter the amount.")),
        ({"amount": "0"}, ("Amount", "Enter an amount from £0.01 to £1,000,000.")),
        ({"amount": "1000000.01"}, ("Amount", "Enter an amount from £0.01 to £1,000,000.")),
        ({"received_on": ""}, ("Date received", "Enter the date the gift was received.")),
        (
            {"received_on": "31/02/2026"},
            (
                "Date received",
                "Date received: write the date as YYYY-MM-DD or DD/MM/YYYY, like 2026-11-20.",
            ),
        ),
        (
            {"received_on": "2026-12-01"},
            ("Date received", "Date received cannot be in the future."),
        ),
        ({"received_on": "1999-12-31"}, ("Date received", "Date received is too long ago.")),
        (
            {"method": "bitcoin"},
            ("How it came", "Choose how it came: cheque, cash, contactless, bank_transfer, event."),
        ),
        ({"receipt_reference": ""}, ("Receipt reference", "Enter the receipt reference.")),
        (
            {"receipt_reference": "R" * 41},
            ("Receipt reference", "Receipt reference must be 40 characters or fewer."),
        ),
        ({"first_name": ""}, ("First name", "Enter the first name.")),
        (
            {"last_name": "<b>Seacole</b>"},
            ("Last name", "Last name cannot contain HTML or control characters."),
        ),
        (
            {"email": "not-an-address"},
            ("E-mail address", "Enter an e-mail address like name@example.org, or leave it empty."),
        ),
        ({"gift_aid": "perhaps"}, ("Gift Aid", "Gift Aid: write yes or no.")),
        (
            {"marketing_consent": "maybe"},
            ("Marketing consent", "Marketing consent: write yes or no."),
        ),
        (
            {"gift_aid": "yes", "house": "14", "postcode": "SW1A 1AA"},
            ("Date of the Gift Aid declaration", "Enter the date on the Gift Aid declaration."),
        ),
        (
            {"gift_aid": "yes", "house": "14", "postcode": "SW1A 1AA", "declaration_date": "x"},
            (
                "Date of the Gift Aid declaration",
                "Date of the Gift Aid declaration: write the date as YYYY-MM-DD or DD/MM/YYYY, "
                "like 2026-11-20.",
            ),
        ),
        (
            {"overseas": "abroad"},
            ("Lives outside the UK", "Lives outside the UK: write yes or no."),
        ),
    ],
)
def test_each_bad_field_is_named_with_its_row(app, changes, expected):
    assert problems(GOOD, row(**{"receipt_reference": "CHQ-2", **changes})) == [(3, *expected)]


def test_a_file_missing_a_column_names_the_missing_ones_on_row_one(app):
    assert problems(header="fund,amount") == [
        (
            1,
            "file",
            "The first row must name the columns; missing: received_on, method, "
            "receipt_reference, first_name, last_name",
        )
    ]


def test_a_row_with_more_cells_than_the_header_is_named(app):
    assert problems(GOOD + ",extra") == [(2, "file", "This row has more cells than the first row.")]


def test_the_same_receipt_twice_names_the_first_row(app):
    assert problems(GOOD, row(amount="3")) == [(3, "Receipt reference", "The same as row 2.")]


def test_blank_rows_are_passed_over_and_a_file_of_none_says_so(app):
    gifts, found = read(",,,,,,,,,,,,,,,", GOOD)
    assert (len(gifts), found) == (1, [])
    assert problems() == [(0, "file", "The file holds no gifts.")]


def test_a_file_of_more_than_the_most_rows_is_refused_at_the_first_row_past_it(app, monkeypatch):
    monkeypatch.setattr(offline_file, "MAX_ROWS", 3)
    lines = [row(receipt_reference=f"CHQ-{n}") for n in range(4)]
    gifts, found = read(*lines[:3])
    assert (len(gifts), found) == (3, [])
    assert problems(*lines) == [(5, "file", "Import at most 3 gifts at a time.")]


def test_an_unclosed_quote_or_a_huge_cell_is_refused_at_its_row(app):
    assert problems(GOOD, 'actimus,5,2026-11-01,cash,"B') == [(3, "file", offline_file.UNREADABLE)]
    assert problems(header=HEADER + "," + "x" * 140_000) == [(1, "file", offline_file.UNREADABLE)]


def test_an_empty_or_foreign_file_is_refused_in_words(app):
    assert offline_file.read_file(b"  \r\n", TODAY) == ([], [(0, "file", "The file is empty.")])
    assert offline_file.read_file(b"\x81\x8d\x8f", TODAY) == (
        [],
        [(0, "file", offline_file.NOT_TEXT)],
    )


def test_rows_after_a_blank_one_or_a_bad_one_are_still_read(app):
    second = row(receipt_reference="CHQ-2", first_name="Ben")
    gifts, found = read(GOOD, ",,,,,,,,,,,,,,,", second)
    assert ([g.first_name for g in gifts], found) == (["Mary", "Ben"], [])
    wide = GOOD + ",EXTRA"
    assert problems(wide, row(receipt_reference="CHQ-2", amount="nine")) == [
        (2, "file", "This row has more cells than the first row."),
        (3, "Amount", problems(row(amount="nine"))[0][2]),
    ]
    assert [
        p[0] for p in problems(row(amount="x"), row(receipt_reference="CHQ-2", amount="y"))
    ] == [2, 3]


def test_a_receipt_reference_already_recorded_is_named_in_the_column_staff_know(app):
    [gift], _ = read(GOOD)
    donation, _ = offline.record(gift)
    assert problems(GOOD) == [], "the same gift again is simply not recorded twice"
    assert problems(row(amount="99")) == [
        (
            2,
            "Receipt reference",
            f"Receipt reference CHQ-1 is already recorded for another gift ({donation.reference}).",
        )
    ]


def test_a_file_as_a_uk_bank_or_excel_writes_it_reads_the_same(app):
    """Windows-1252 (a name with an accent, the pound sign), semicolons, dates as DD/MM/YYYY;
    and UTF-8 with Excel's byte-order mark."""
    utf8 = offline_file.read_file(
        ("\r\n".join([HEADER, row(first_name="Seán", received_on="2026-11-02")]) + "\r\n").encode(),
        TODAY,
    )
    bank = offline_file.read_file(
        (
            "\r\n".join(
                [
                    HEADER.replace(",", ";"),
                    row(first_name="Seán", received_on="2/11/2026").replace(",", ";"),
                ]
            )
            + "\r\n"
        ).encode("cp1252"),
        TODAY,
    )
    excel = offline_file.read_file(
        b"\xef\xbb\xbf" + ("\r\n".join([HEADER, row(first_name="Seán")]) + "\r\n").encode(), TODAY
    )
    for gifts, found in (utf8, bank, excel):
        assert found == []
        [gift] = gifts
        assert (gift.first_name, gift.received_on, gift.amount_pence) == (
            "Seán",
            date(2026, 11, 2),
            1250,
        )


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2026-11-02", date(2026, 11, 2)),
        ("02/11/2026", date(2026, 11, 2)),
        ("2/1/2026", date(2026, 1, 2)),
    ],
)
def test_a_date_is_read_the_uk_way_or_the_iso_way(typed, day):
    assert read_date(typed) == day


@pytest.mark.parametrize(
    "typed", ["11/02/26", "2026/11/02", "31/02/2026", "2-11-2026", "2 Nov 2026"]
)
def test_a_date_in_any_other_shape_is_refused(typed):
    with pytest.raises(ValueError, match=r"."):
        read_date(typed)


def test_the_smallest_and_largest_amounts_are_taken(app):
    gifts, found = read(row(amount="0.01"), row(receipt_reference="CHQ-2", amount="1000000"))
    assert found == []
    assert [gift.amount_pence for gift in gifts] == [1, 100_000_000]


def test_a_donor_abroad_with_gift_aid_is_read_as_abroad(app):
    abroad = row(
        gift_aid="yes",
        declaration_date="2026-10-30",
        house="Apt 12",
        address="Calle Mayor 5 Madrid",
        overseas="yes",
    )
    [gift], found = read(abroad)
    assert found == []
    assert (gift.overseas, gift.address, gift.postcode) == (
        True,
        "Calle Mayor 5 Madrid",
        None,
    )


def test_money_for_a_page_there_is_not_is_refused_in_words(app):
    header = HEADER + ",fundraiser"
    assert problems(GOOD + ",nobody-runs", header=header) == [
        (2, "Fundraising page (optional)", "There is no fundraising page at that web address.")
    ]


def test_how_it_came_may_be_written_in_the_forms_own_words(app):
    gifts, found = read(
        row(method="At an event"),
        row(receipt_reference="CHQ-2", method="contactless card (a card reader)"),
        row(receipt_reference="CHQ-3", method="BANK TRANSFER"),
    )
    assert found == []
    assert [gift.method for gift in gifts] == ["event", "contactless", "bank_transfer"]


def test_a_name_as_long_as_its_column_is_taken_and_one_longer_is_not(app):
    limit = LENGTHS["last_name"]
    gifts, found = read(row(last_name="L" * limit))
    assert found == []
    assert gifts[0].last_name == "L" * limit
    assert problems(row(last_name="L" * (limit + 1))) == [
        (2, "Last name", f"Last name must be {limit} characters or fewer.")
    ]
