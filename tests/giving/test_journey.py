"""A gift through the form and the sandbox, end to end."""

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from donations.extensions import db
from donations.gifts.dates import next_payment
from donations.gifts.models import Donation
from donations.ledger.models import LedgerEntry
from donations.ledger.totals import drift
from donations.receipts.models import OutboxMessage
from tests.support import (
    count,
    form_tokens,
    fund_totals,
    give,
    plain_text,
    sandbox_pay,
    sandbox_pay_by_direct_debit,
    submit_gift,
)


def test_a_card_gift_ends_paid_with_one_ledger_row_totals_and_a_receipt(app, client):
    response = submit_gift(
        client,
        amount="other",
        other_amount="12.34",
        cover_fees="y",
        gift_aid="y",
        house="10",
        postcode="sw1a1aa",
    )
    assert response.status_code == 303
    checkout_url = response.headers["Location"]
    assert "/sandbox/checkout/cs_test_" in checkout_url

    paid = sandbox_pay(client, checkout_url)
    assert paid.status_code == 303
    thanks = client.get(paid.headers["Location"])
    page = thanks.get_data(as_text=True)
    assert thanks.status_code == 200
    assert "£12.34 to the ACTiMuS trial is confirmed" in page

    donation = db.session.execute(select(Donation)).scalar_one()
    assert donation.status == "paid"
    assert donation.amount_pence == 1234
    assert donation.fee_cover_pence == 40  # ceil((1234 + 20) / 0.985) - 1234
    assert donation.declaration.postcode == "SW1A 1AA"

    entries = db.session.execute(select(LedgerEntry)).scalars().all()
    assert [(e.kind, e.amount_pence, e.fee_cover_pence) for e in entries] == [("payment", 1234, 40)]
    assert entries[0].source_ref.startswith("pi_test_")

    totals = fund_totals("actimus")
    assert (
        totals.raised_pence,
        totals.gift_aid_pence,
        totals.donor_count,
        totals.donation_count,
        totals.pending_pence,
    ) == (1234, 308, 1, 1, 0)
    assert fund_totals("stem-cell-audit").raised_pence == 0
    assert drift() == []

    messages = db.session.execute(select(OutboxMessage)).scalars().all()
    assert len(messages) == 1
    assert messages[0].to_address == "ada@example.org"
    assert messages[0].sent_at is not None
    sent = list(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))
    assert len(sent) == 1
    body = plain_text(sent[0].read_bytes())
    assert "£12.34" in body
    assert "Gift Aid" in body
    assert "UK taxpayer" in body


def test_the_declined_card_records_nothing_and_says_why(client):
    checkout_url = submit_gift(client).headers["Location"]
    declined = sandbox_pay(client, checkout_url, card_number="4000 0000 0000 0002")
    assert declined.status_code == 402
    assert "Your card was declined" in declined.get_data(as_text=True)
    insufficient = sandbox_pay(client, checkout_url, card_number="4000000000009995")
    assert "insufficient funds" in insufficient.get_data(as_text=True)
    invalid = sandbox_pay(client, checkout_url, card_number="4111 1111 1111 1111")
    assert "not one of the sandbox" in invalid.get_data(as_text=True)

    assert count(LedgerEntry) == 0
    assert count(OutboxMessage) == 0
    assert fund_totals("actimus").raised_pence == 0
    assert db.session.execute(select(Donation.status)).scalar_one() == "created"


def test_bacs_stays_pending_until_settled(app, client, runner):
    checkout_url = submit_gift(client, amount="50").headers["Location"]
    done = sandbox_pay_by_direct_debit(client, checkout_url)
    thanks = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "has not been collected yet" in thanks
    totals = fund_totals("actimus")
    assert (totals.raised_pence, totals.pending_pence) == (0, 5000)
    assert count(OutboxMessage) == 0

    reference = db.session.execute(select(Donation.reference)).scalar_one()
    result = runner.invoke(args=["sandbox", "settle", reference])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    totals = fund_totals("actimus")
    assert (totals.raised_pence, totals.pending_pence, totals.donation_count) == (5000, 0, 1)
    assert count(OutboxMessage) == 1
    assert runner.invoke(args=["sandbox", "settle", reference]).exit_code != 0
    assert drift() == []


def test_a_failed_direct_debit_leaves_nothing_pending(client, runner):
    checkout_url = submit_gift(client, amount="10").headers["Location"]
    sandbox_pay(
        client,
        checkout_url,
        method="bacs",
        account_holder="Ada Lovelace",
        sort_code="108800",
        account_number="00012345",
    )
    reference = db.session.execute(select(Donation.reference)).scalar_one()
    assert runner.invoke(args=["sandbox", "fail", reference]).exit_code == 0
    db.session.expire_all()
    assert db.session.execute(select(Donation.status)).scalar_one() == "failed"
    totals = fund_totals("actimus")
    assert (totals.raised_pence, totals.pending_pence) == (0, 0)


def test_a_monthly_gift_is_keyed_by_its_invoice(client):
    checkout_url = submit_gift(client, frequency="monthly", amount="10").headers["Location"]
    sandbox_pay(client, checkout_url)
    entry = db.session.execute(select(LedgerEntry)).scalar_one()
    assert entry.source_ref.startswith("in_test_")
    donation = db.session.execute(select(Donation)).scalar_one()
    assert donation.subscription_id.startswith("sub_test_")


def test_submitting_the_same_form_twice_leads_to_the_same_checkout(client):
    tokens = form_tokens(client)
    first = submit_gift(client, tokens=tokens)
    second = submit_gift(client, tokens=tokens)
    assert first.headers["Location"] == second.headers["Location"]
    assert count(Donation) == 1


def test_going_back_and_changing_the_amount_makes_a_new_checkout(client):
    tokens = form_tokens(client)
    ten = submit_gift(client, tokens=tokens, amount="10").headers["Location"]
    twenty_five = submit_gift(client, tokens=tokens, amount="25").headers["Location"]
    again = submit_gift(client, tokens=tokens, amount="25").headers["Location"]
    assert ten != twenty_five
    assert again == twenty_five
    amounts = db.session.execute(select(Donation.amount_pence).order_by(Donation.id)).scalars()
    assert list(amounts) == [1000, 2500]


def test_cancel_returns_to_the_form_with_what_was_typed(client):
    checkout_url = submit_gift(
        client, amount="other", other_amount="33.50", first_name="Grace"
    ).headers["Location"]
    page = client.get(checkout_url.split("localhost", 1)[-1]).get_data(as_text=True)
    assert "Cancel and go back" in page
    back = client.get("/donate/actimus?cancelled=1").get_data(as_text=True)
    assert "nothing was taken" in back
    assert 'value="Grace"' in back
    assert 'value="33.50"' in back


def test_unknown_thank_you_session_is_a_404(client):
    assert client.get("/donate/thanks?session_id=cs_nope").status_code == 404
    assert client.get("/donate/thanks").status_code == 404


def test_a_monthly_thank_you_says_when_the_next_gift_is_taken_and_how_to_stop(app, client):
    checkout_url = submit_gift(client, frequency="monthly", amount="10").headers["Location"]
    thanks = client.get(sandbox_pay(client, checkout_url).headers["Location"])
    html = thanks.get_data(as_text=True)
    assert "monthly gift of £10.00" in html
    next_date = next_payment(datetime.now(UTC)).strftime("%-d %B %Y")
    assert f"taken on <strong>{next_date}</strong>" in html
    assert "change or stop it at any time" in html
    assert app.config["CONTACT_EMAIL"] in html


def test_a_direct_debit_thank_you_gives_stripes_timing_and_the_guarantee(client):
    checkout_url = submit_gift(client, amount="50").headers["Location"]
    done = sandbox_pay(
        client,
        checkout_url,
        method="bacs",
        account_holder="Ada Lovelace",
        sort_code="10-88-00",
        account_number="00012345",
    )
    html = client.get(done.headers["Location"]).get_data(as_text=True)
    assert (
        "usually takes 4 working days to collect, and up to 7 working days when it is new" in html
    )
    assert "Direct Debit Guarantee" in html


def test_the_thank_you_page_shows_the_gift_aid_it_adds(client):
    paid = give(
        client, amount="other", other_amount="12.35", gift_aid="y", house="1", postcode="M1 1AE"
    )
    assert "Gift Aid adds £3.08 to your gift" in client.get(paid.headers["Location"]).get_data(
        as_text=True
    )


def test_the_practice_direct_debit_asks_for_the_account_holder(client):
    checkout_url = submit_gift(client).headers["Location"]
    page = client.get(checkout_url).get_data(as_text=True)
    assert "The Direct Debit Guarantee" in page
    refused = sandbox_pay(
        client, checkout_url, method="bacs", sort_code="10-88-00", account_number="00012345"
    )
    assert refused.status_code == 400
    assert "Enter the name on the bank account." in refused.get_data(as_text=True)
