"""What a receipt says: who from, what was charged, Gift Aid, the next monthly payment, and who
the charity is; in plain text and in HTML."""

import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from donations.gifts.dates import next_payment
from tests import factories
from tests.support import PRODUCTION


def sent_email(app):
    [eml] = Path(app.config["OUTBOX_DIR"]).glob("*.eml")
    return message_from_bytes(eml.read_bytes(), policy=policy.default)


def parts(email) -> tuple[str, str]:
    text = email.get_body(preferencelist=("plain",)).get_content()
    html = email.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_a_receipt_has_both_parts_from_the_charitys_sender(make_app, reset_database):
    app = make_app(
        **{
            k: v
            for k, v in PRODUCTION.items()
            if k.startswith(("CHARITY", "CONTACT", "PRIVACY", "MAIL"))
        }
    )
    reset_database(app)
    with app.app_context():
        reference = factories.payment(
            amount_pence=2500, fee_cover_pence=59, gift_aid=True, first_name="Ada"
        ).reference
        email = sent_email(app)
    assert email["From"] == "donations@charity.example"
    assert email["Reply-To"] == "supporters@charity.example"
    assert email["Subject"] == "Thank you for your gift to the ACTiMuS trial"
    assert re.fullmatch(r"<outbox-\d+@charity\.example>", email["Message-ID"])
    assert str(email["Date"]).endswith(" -0000"), "UTC, as RFC 5322 writes a zone not known"
    text, html = parts(email)
    for body in (text, html):
        assert "Dear Ada" in body
        assert reference in body
        assert "£25.00" in body, "the gift"
        assert "£0.59" in body, "the fee cover"
        assert "£25.59" in body, "the total charged"
        assert "£6.25" in body, "the Gift Aid"
        assert "The Example MS Research Trust" in body
        assert "1234567" in body, "the charity number"
        assert "1 High Street, Exampletown EX1 1AA" in body
        assert "supporters@charity.example" in body
    assert "Total charged: £25.59" in text
    assert "<table" in html


@pytest.mark.parametrize(
    ("sender", "domain"),
    [
        ('"gifts@home"@charity.example', "charity.example"),  # the domain is after the last @
        ("Donations <>", "localhost"),  # no address, so no domain to name it by
    ],
)
def test_each_message_is_named_at_the_senders_domain(make_app, reset_database, sender, domain):
    app = make_app(MAIL_FROM=sender)
    reset_database(app)
    with app.app_context():
        factories.payment(amount_pence=2500)
        email = sent_email(app)
    assert re.fullmatch(rf"<outbox-\d+@{re.escape(domain)}>", email["Message-ID"])


def test_a_monthly_receipt_says_when_the_next_gift_is_taken_and_how_to_stop(app):
    factories.payment(amount_pence=1000, frequency="monthly", source_ref="in_first")
    text, html = parts(sent_email(app))
    assert "monthly gift of £10.00" in text
    next_date = next_payment(datetime.now(UTC)).strftime("%-d %B %Y")
    for body in (text, html):
        assert f"taken on {next_date}" in body.replace("<strong>", "").replace("</strong>", "")
        assert "/donate/manage/" in body, "a link to change or stop the gift"
    assert "To change or stop it at any time, use this link" in text
    assert "Change or stop your monthly gift</a>" in html


def test_a_one_off_receipt_says_nothing_of_a_next_gift(app):
    factories.payment(amount_pence=1000)
    text, _ = parts(sent_email(app))
    assert "next gift" not in text
    assert "cover the fees" not in text


def test_the_next_payment_is_the_same_day_next_month_or_its_last_day():
    def on(*args):
        return next_payment(datetime(*args, tzinfo=UTC)).isoformat()

    assert on(2026, 1, 15, 12) == "2026-02-15"
    assert on(2026, 1, 31, 12) == "2026-02-28"
    assert on(2028, 1, 31, 12) == "2028-02-29"
    assert on(2026, 12, 5, 12) == "2027-01-05"
    assert on(2026, 6, 30, 23, 30) == "2026-08-01", "23:30 UTC is already 1 July in London"


def test_a_year_on_is_the_same_day_next_year_or_the_end_of_february():
    def on(*args):
        return next_payment(datetime(*args, tzinfo=UTC), "year").isoformat()

    assert on(2026, 3, 15, 12) == "2027-03-15"
    assert on(2028, 2, 29, 12) == "2029-02-28"
    assert on(2026, 6, 30, 23, 30) == "2027-07-01", "23:30 UTC is already 1 July in London"
    assert next_payment(datetime(2026, 3, 15, tzinfo=UTC), None) is None


def test_an_annual_receipt_says_a_year_each_year_and_how_to_stop(app):
    factories.payment(amount_pence=10000, frequency="annual", source_ref="in_first_year")
    text, html = parts(sent_email(app))
    assert "annual gift of £100.00" in text
    next_date = next_payment(datetime.now(UTC), "year").strftime("%-d %B %Y")
    for body in (text, html):
        plain = body.replace("<strong>", "").replace("</strong>", "")
        assert f"taken on {next_date}, and on the same day each year after that" in plain
        assert "/donate/manage/" in body
        assert "month" not in plain.replace("two months", ""), "nothing said of months"
    assert "Total charged: £100.00 (this year)" in text
    assert "Change or stop your annual gift</a>" in html
