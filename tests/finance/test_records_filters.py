"""What each of the records' filters lets through, at its edges: a UK day from its first
moment to its last, online or offline, a search by reference, name or e-mail, and totals of
nothing that are nothing."""

import re
from datetime import date, datetime

from donations.extensions import db
from donations.finance import exports, listing
from donations.finance.listing import Filters, parse_filters
from donations.gifts import lifecycle
from tests import factories
from tests.support import sign_in


def _references(filters: Filters) -> set[str]:
    return {row.reference for row in db.session.execute(listing.records_query(filters))}


def _paid_at(moment: str, email: str):
    donation = factories.donation(email=email)
    lifecycle.mark_paid(donation, f"pi_{email[:5]}", occurred_at=datetime.fromisoformat(moment))
    db.session.commit()
    return donation.reference


def test_a_date_range_runs_from_the_first_moment_of_its_first_uk_day_to_the_last_of_its_last(
    app,
):
    # June is summer time: a UK day runs from 23:00 UTC the evening before
    before = _paid_at("2026-05-31T22:59:59+00:00", "may@example.org")
    first = _paid_at("2026-05-31T23:00:00+00:00", "first@example.org")
    last = _paid_at("2026-06-30T22:59:59+00:00", "last@example.org")
    after = _paid_at("2026-06-30T23:00:00+00:00", "july@example.org")
    june = _references(Filters(start=date(2026, 6, 1), end=date(2026, 6, 30)))
    assert june == {first, last}
    assert _references(Filters(start=date(2026, 6, 1))) == {first, last, after}
    assert _references(Filters(end=date(2026, 6, 30))) == {before, first, last}
    assert _references(Filters(start=date(2026, 7, 1), end=date(2026, 7, 1))) == {after}


def test_one_day_may_be_both_the_start_and_the_end(client, app):
    on_the_day = _paid_at("2026-06-01T10:00:00+00:00", "day@example.org")
    filters = parse_filters({"from": "2026-06-01", "to": "2026-06-01"}, ["actimus"])
    assert (filters.start, filters.end) == (date(2026, 6, 1), date(2026, 6, 1))
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    page = client.get("/finance/donations", query_string={"from": "2026-06-01", "to": "2026-06-01"})
    assert page.status_code == 200
    assert on_the_day in page.get_data(as_text=True)


def test_a_search_of_the_longest_length_allowed_is_taken(app):
    longest = "x" * listing.MAX_QUERY
    assert parse_filters({"q": longest}, ["actimus"]).q == longest


def test_online_and_offline_each_list_only_their_own(app):
    online = factories.payment(email="online@example.org").reference
    cheque = factories.offline_gift().reference
    assert _references(Filters(channel="online")) == {online}
    assert _references(Filters(channel="offline")) == {cheque}
    assert _references(Filters()) == {online, cheque}


def test_a_search_finds_a_reference_a_name_a_whole_name_or_an_e_mail(app):
    ann = factories.payment(first_name="Ann", last_name="Smith", email="ann@example.org")
    bob = factories.payment(first_name="Bob", last_name="Jones", email="bj@example.net")
    assert _references(Filters(q=ann.reference)) == {ann.reference}
    assert _references(Filters(q=bob.reference.lower())) == {bob.reference}
    assert _references(Filters(q="ann smith")) == {ann.reference}, "a whole name"
    assert _references(Filters(q="n s")) == {ann.reference}, "across the space"
    assert _references(Filters(q="jones")) == {bob.reference}
    assert _references(Filters(q="example.net")) == {bob.reference}


def test_a_search_reads_a_wildcard_in_a_last_name_as_itself(app):
    apostrophe = factories.payment(first_name="Sean", last_name="O_Neil", email="s@example.org")
    factories.payment(first_name="Sean", last_name="Oxneil", email="t@example.org")
    factories.payment(first_name="Sean", last_name="O\\xNeil", email="u@example.org")
    assert _references(Filters(q="o_n")) == {apostrophe.reference}


def test_a_search_reads_a_wildcard_in_an_e_mail_address_as_itself(app):
    underscored = factories.payment(first_name="Jo", last_name="Bloggs", email="jo_b@example.org")
    factories.payment(first_name="Jo", last_name="Bloggs", email="joxb@example.org")
    assert _references(Filters(q="jo_b@")) == {underscored.reference}


def test_totals_of_records_with_no_money_received_are_nothing(app):
    factories.payment("actimus", amount_pence=5000, fee_cover_pence=96, gift_aid=True)
    nothing = listing.totals(Filters(fund="stem-cell-audit"))
    assert nothing == listing.Totals(0, 0, 0, 0, 0, 0)
    everything = listing.totals(Filters())
    assert (everything.received_pence, everything.fees_covered_pence) == (5000, 96)


def test_records_given_at_the_same_moment_come_in_the_order_they_were_entered(app):
    moment = "2026-06-01T10:00:00+00:00"
    entered = [_paid_at(moment, f"same{n}@example.org") for n in range(3)]
    order = [row.reference for row in db.session.execute(listing.records_query(Filters()))]
    assert order == entered


def test_the_filters_offer_every_fund_status_channel_and_frequency_by_name(client, app):
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    page = client.get("/finance/donations").get_data(as_text=True)

    def offered(name: str) -> list[str]:
        found = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
        return re.findall(r'<option value="([^"]+)"', found[1])

    assert offered("fund") == ["stem-cell-audit", "actimus"]
    assert ">UK MS stem cell service audit</option>" in page
    assert offered("status") == list(listing.STATUSES)
    assert offered("channel") == ["online", "offline"]
    assert offered("frequency") == ["one-off", "monthly", "annual"]


def test_a_short_list_is_one_page_and_page_nought_is_the_first(client, app):
    only = factories.payment(email="only@example.org").reference
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    for asked in ({}, {"page": "0"}):
        response = client.get("/finance/donations", query_string=asked)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert only in page
        assert "Page 1 of" not in page, "one page needs no pages"
        assert "Newest first</caption>" in page


def test_a_donations_page_names_where_its_receipt_went_to_finance_staff(client, app):
    paid = factories.payment(email="receipt.to@example.org")
    factories.staff("finance")
    sign_in(client, "finance@example.org")
    page = client.get(f"/finance/donations/{paid.reference}").get_data(as_text=True)
    assert "Receipt queued to receipt.to@example.org" in page


def test_an_export_of_several_batches_counts_every_record(app, monkeypatch, tmp_path):
    monkeypatch.setattr(exports, "BATCH", 2)
    made = {factories.payment(email=f"b{n}@example.org").reference for n in range(5)}
    with (tmp_path / "all.csv").open("wb") as out:
        assert exports.write_csv(Filters(), out) == 5
    written = (tmp_path / "all.csv").read_text(encoding="utf-8-sig").splitlines()
    assert {line.split(",")[0] for line in written[1:]} == made


def test_an_unpaid_record_has_nothing_refunded_or_disputed(app):
    unpaid = factories.donation(email="unpaid@example.org").reference
    (row,) = db.session.execute(listing.records_query(Filters(q=unpaid))).all()
    assert (row.refunded, row.disputed) == (0, 0)
