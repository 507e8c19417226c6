from decimal import Decimal

import babel.numbers
import pytest
from sqlalchemy import Integer, literal, select

from donations.extensions import db
from donations.ledger.standing import gift_aid_due
from donations.money import (
    AmountError,
    fee_cover,
    format_gbp,
    parse_gift,
    parse_pounds,
    pounds,
)


@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("25", 2500),
        ("25.5", 2550),
        ("£1,000.00", 100000),
        ("0.01", 1),
        (" 7.05 ", 705),
        ("1,234,567", 123456700),
    ],
)
def test_amounts_parse_to_exact_pence(text, pence):
    assert parse_pounds(text) == pence


@pytest.mark.parametrize(
    "text",
    [
        "1e5",
        "NaN",
        "1_000",
        "0x19",
        "٣",
        "12.345",
        "1,00",
        "£",
        "-5",
        "+5",
        "5.",
        ".5",
        "25 00",
        "Infinity",
        "1,0000",
    ],
)
def test_anything_else_is_refused(text):
    with pytest.raises(AmountError):
        parse_pounds(text)


def test_gift_limits():
    assert parse_gift("1") == 100
    assert parse_gift("25000") == 2_500_000
    with pytest.raises(AmountError):
        parse_gift("0.99")
    with pytest.raises(AmountError):
        parse_gift("25000.01")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Enter an amount in pounds, for example 15 or 15.50."),
        ("   ", "Enter an amount in pounds, for example 15 or 15.50."),
        ("ten", "Enter the amount in pounds using numbers only, for example 15 or 15.50."),
        ("0.99", "The smallest gift we can take online is £1.00."),
        (
            "25000.01",
            "The largest gift we can take online is £25,000.00. "
            "For a larger gift, please contact us and we will help.",
        ),
    ],
)
def test_each_refusal_tells_the_donor_what_to_do(text, says):
    """These words are what a donor reads beside the amount box."""
    with pytest.raises(AmountError) as refused:
        parse_gift(text)
    assert str(refused.value) == says


@pytest.mark.parametrize(
    ("gift", "cover"),
    [(1000, 36), (2500, 59), (5000, 97), (10000, 173), (100, 22), (2_500_000, 38_092)],
)
def test_fee_cover_grosses_up_so_the_charity_nets_the_gift(gift, cover):
    assert fee_cover(gift, 150, 20) == cover
    total = gift + cover
    fee = Decimal(total) * Decimal("0.015") + 20
    assert total - fee >= gift, "the charity nets at least the gift"
    one_less = total - 1
    assert one_less - (Decimal(one_less) * Decimal("0.015") + 20) < gift, "and no more than needed"


def test_formatting():
    assert format_gbp(123456) == "£1,234.56"
    assert format_gbp(2500, drop_zero_pence=True) == "£25"
    assert format_gbp(2550, drop_zero_pence=True) == "£25.50"
    assert pounds(2550) == Decimal("25.50")


def test_money_reads_the_uk_way_whatever_the_servers_own_locale(monkeypatch):
    # Babel falls back to the server's locale when it is not told one: a German server
    # would write £1.000
    monkeypatch.setattr(babel.numbers, "LC_MONETARY", "de_DE")
    monkeypatch.setattr(babel.numbers, "LC_NUMERIC", "de_DE")
    assert format_gbp(123456) == "£1,234.56"
    assert format_gbp(10000000, drop_zero_pence=True) == "£100,000"


@pytest.mark.parametrize(
    ("net", "gift_aid"), [(1235, 308), (1236, 309), (100, 25), (3, 0), (4, 1), (0, 0), (-500, 0)]
)
def test_gift_aid_is_a_quarter_rounded_down_to_whole_pence(app, net, gift_aid):
    assert gift_aid_due(net) == gift_aid
    as_sql = db.session.execute(select(gift_aid_due(literal(net, Integer)))).scalar_one()
    assert as_sql == gift_aid, "the database does the same arithmetic"


def test_gift_aid_follows_the_basic_rate(app):
    app.config["GIFT_AID_BASIC_RATE"] = 25
    assert gift_aid_due(10_000) == 3333
    assert db.session.execute(select(gift_aid_due(literal(10_000, Integer)))).scalar_one() == 3333
