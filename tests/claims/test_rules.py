"""The rules one at a time: HMRC's row rules and what they change or refuse, the four-year
window and the accounting period, the UK day a gift belongs to, and each reason a gift may
not be claimed, in the words a finance user reads."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from donations.claims import eligibility, hmrc
from donations.claims import services as claims
from donations.gift_aid import services as declarations
from donations.gift_aid.models import GiftAidDeclaration
from donations.uk_time import uk_date, uk_midnight

TODAY = date(2026, 11, 26)


@dataclass
class Declared:
    """A declaration's name and address, as the schedule reads them."""

    first_name: str = "Ada"
    last_name: str = "Lovelace"
    title: str | None = None
    house: str = "12"
    address: str | None = None
    postcode: str | None = "SW1A 1AA"
    overseas: bool = False


def row(declared=None, given_on=TODAY, amount=2500):
    return hmrc.row_for(declared or Declared(), given_on, amount, sponsored=False, today=TODAY)


# --- what HMRC keeps, and what is changed for it ----------------------------------------------


def test_a_row_hmrc_takes_as_it_is_has_no_changes_and_no_problems():
    made = row()
    assert (made.title, made.first_name, made.last_name, made.house, made.postcode) == (
        "",
        "Ada",
        "Lovelace",
        "12",
        "SW1A 1AA",
    )
    assert (made.changes, made.problems) == ([], [])


def test_each_change_names_the_field_and_both_forms():
    made = row(Declared(first_name="Łukasz", last_name="Smith-Jones", title="Mr."))
    assert made.changes == [
        'Title "Mr." written as "Mr".',
        'First name "Łukasz" written as "Lukasz".',
        'Last name "Smith-Jones" written as "Smith Jones".',
    ]


def test_a_hyphen_in_a_first_name_is_kept():
    assert row(Declared(first_name="Mary-Jane")).first_name == "Mary-Jane"


def test_spaces_are_single_and_trimmed_and_saying_so():
    made = row(Declared(first_name="  Ada  ", last_name="de  la Mare"))
    assert (made.first_name, made.last_name) == ("Ada", "de la Mare")
    assert made.changes == []  # spacing alone is no change to the name


@pytest.mark.parametrize(
    ("title", "written", "said"),
    [
        ("Dr", "Dr", None),
        ("Mrs.", "Mrs", 'Title "Mrs." written as "Mrs".'),
        ("Mr .", "Mr", 'Title "Mr ." written as "Mr".'),
        ("Professor", "", 'Title "Professor" left out: HMRC takes a title of 2 to 4 letters'),
        ("M", "", 'Title "M" left out'),
        ("", "", None),
        (None, "", None),
    ],
)
def test_titles_hmrc_takes_and_those_left_out(title, written, said):
    made = row(Declared(title=title))
    assert made.title == written
    if said is None:
        assert made.changes == []
    else:
        assert made.changes[0].startswith(said)
    assert made.problems == []


def test_transliteration_keeps_latin_1_and_replaces_the_rest():
    assert hmrc.transliterate("Zoë Ørsted") == "Zoë Ørsted"
    assert hmrc.transliterate("Dvořák Łódź") == "Dvorák Lódz"  # ó is Latin-1
    assert hmrc.transliterate("王") == "Wang"
    assert hmrc.transliterate("Ǆenana Ǉubić Eﬃe") == "DZenana LJubic Effie"  # one letter, two
    assert hmrc.transliterate("e\u0301") == "e"  # a combining accent HMRC would strip


def test_a_lower_case_unspaced_postcode_is_written_hmrcs_way_and_said():
    made = row(Declared(postcode="sw1a1aa"))
    assert made.postcode == "SW1A 1AA"
    assert made.changes == ['Postcode "sw1a1aa" written as "SW1A 1AA".']


def test_a_postcode_hmrc_refuses_is_a_problem_naming_it():
    made = row(Declared(postcode="12345"))
    assert made.problems == ['Postcode "12345" is not a UK postcode HMRC accepts.']
    assert row(Declared(postcode=None)).problems == [
        'Postcode "" is not a UK postcode HMRC accepts.'
    ]


def test_a_donor_abroad_has_x_for_a_postcode_and_their_address_in_the_house_column():
    made = row(Declared(overseas=True, postcode=None, house="Calle Mayor 5", address="Madrid"))
    assert (made.house, made.postcode, made.problems) == ("Calle Mayor 5, Madrid", "X", [])
    at_home = row(Declared(address="Flat 2"))
    assert at_home.house == "12"  # a UK donor's house column is the house alone


def test_an_address_with_characters_hmrc_strips_is_changed_and_said():
    made = row(Declared(house="Tŷ Gwyn"))
    assert made.house == "Ty Gwyn"
    assert made.changes == ['Address "Tŷ Gwyn" written as "Ty Gwyn".']


@pytest.mark.parametrize(("field", "limit"), [("first_name", 35), ("last_name", 35), ("house", 40)])
def test_lengths_up_to_hmrcs_limit_pass_and_one_more_is_a_problem(field, limit):
    labels = {"first_name": "First name", "last_name": "Last name", "house": "House name or number"}
    assert row(Declared(**{field: "a" * limit})).problems == []
    assert row(Declared(**{field: "a" * (limit + 1)})).problems == [
        f"{labels[field]} is {limit + 1} characters; HMRC takes at most {limit}."
    ]
    assert row(Declared(**{field: ""})).problems == [f"{labels[field]} is missing."]


def test_a_gift_dated_in_the_future_or_of_nothing_is_a_problem():
    assert row(given_on=TODAY).problems == []
    assert row(given_on=TODAY + timedelta(days=1)).problems == ["The gift's date is in the future."]
    assert row(amount=1).problems == []
    assert row(amount=0).problems == ["The amount must be at least £0.01."]


# --- the window and the accounting period ------------------------------------------------------


def test_the_accounting_period_ends_on_the_configured_day(app):
    assert eligibility.accounting_period_end(date(2026, 3, 31)) == date(2026, 3, 31)
    assert eligibility.accounting_period_end(date(2026, 4, 1)) == date(2027, 3, 31)
    assert eligibility.accounting_period_end(date(2026, 1, 1)) == date(2026, 3, 31)
    app.config["ACCOUNTING_YEAR_END"] = "12-31"
    assert eligibility.accounting_period_end(date(2026, 6, 1)) == date(2026, 12, 31)


def test_the_window_closes_four_years_after_the_end_of_the_gifts_period(app):
    given = date(2021, 6, 1)  # its period ends 31 March 2022
    assert eligibility.within_window(given, date(2026, 3, 31))
    assert not eligibility.within_window(given, date(2026, 4, 1))


def test_a_gift_belongs_to_its_uk_day():
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time)
    assert uk_date(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == date(2026, 7, 1)
    assert uk_midnight(date(2026, 7, 1)) == datetime(2026, 6, 30, 23, tzinfo=UTC)
    assert uk_midnight(date(2026, 12, 1)) == datetime(2026, 12, 1, tzinfo=UTC)


# --- each reason, in words ----------------------------------------------------------------------


def facts(**changes):
    values = {
        "occurred_at": datetime(2026, 11, 20, 12, tzinfo=UTC),
        "gift_pence": 4000,
        "refunded_pence": 0,
        "disputed_pence": 0,
        "carries_declaration": True,
        "declaration": GiftAidDeclaration(cancelled_at=None),
        "claimed_in": None,
    }
    values.update(changes)
    return eligibility.GiftFacts(**values)


def test_an_eligible_gift_is_claimed_whole_with_its_gift_aid(app):
    found = eligibility.assess(facts(), TODAY)
    assert (found.gift_pence, found.remaining_pence) == (4000, 4000)
    assert (found.claimable_pence, found.gift_aid_pence, found.reasons) == (4000, 1000, [])
    assert found.notes == [], "nothing was taken from it, so there is nothing to explain"
    assert found.eligible


def test_without_a_declaration_a_gift_is_refused_saying_so(app):
    for changed in ({"carries_declaration": False}, {"declaration": None}):
        found = eligibility.assess(facts(**changed), TODAY)
        assert found.reasons == ["No Gift Aid declaration covered this gift when it was made."]
        assert (found.claimable_pence, found.gift_aid_pence) == (0, 0)


def test_a_declaration_cancelled_before_the_gift_refuses_it_and_one_cancelled_after_does_not(app):
    gift_at = datetime(2026, 11, 20, 12, tzinfo=UTC)
    before = GiftAidDeclaration(cancelled_at=gift_at - timedelta(days=3))
    at = GiftAidDeclaration(cancelled_at=gift_at)
    after = GiftAidDeclaration(cancelled_at=gift_at + timedelta(seconds=1))
    assert eligibility.assess(facts(declaration=before), TODAY).reasons == [
        "The donor's declaration was cancelled from 17 November 2026, before this gift."
    ]
    assert not eligibility.assess(facts(declaration=at), TODAY).eligible
    assert eligibility.assess(facts(declaration=after), TODAY).eligible


def test_what_remains_after_refunds_and_disputes_is_claimed(app):
    partly = eligibility.assess(facts(refunded_pence=1000, disputed_pence=500), TODAY)
    assert (partly.remaining_pence, partly.claimable_pence, partly.gift_aid_pence) == (
        2500,
        2500,
        625,
    )
    assert partly.notes == [
        "£15.00 of it was refunded or lost to a dispute; only the £25.00 that remains may be "
        "claimed."
    ]
    assert eligibility.assess(facts(refunded_pence=4000), TODAY).reasons == ["Refunded in full."]
    assert eligibility.assess(facts(disputed_pence=4000), TODAY).reasons == ["Lost to a dispute."]
    one_penny = eligibility.assess(facts(refunded_pence=3999), TODAY)
    assert (one_penny.claimable_pence, one_penny.reasons) == (1, [])
    last_penny_disputed = eligibility.assess(facts(refunded_pence=3999, disputed_pence=1), TODAY)
    assert last_penny_disputed.reasons == ["Lost to a dispute."]


def test_every_reason_a_gift_is_refused_is_given_in_order(app):
    found = eligibility.assess(
        facts(
            occurred_at=datetime(2020, 5, 1, tzinfo=UTC),
            refunded_pence=4000,
            carries_declaration=False,
            claimed_in="GA-ABCDEFGH",
        ),
        TODAY,
    )
    assert found.why == (
        "No Gift Aid declaration covered this gift when it was made. Refunded in full. "
        "Received more than four years before the end of its accounting period: too late to "
        "claim. Already in Gift Aid claim GA-ABCDEFGH."
    )


def test_a_gift_in_a_claim_keeps_its_gift_aid_but_cannot_be_claimed_again(app):
    found = eligibility.assess(facts(claimed_in="GA-ABCDEFGH"), TODAY)
    assert found.reasons == ["Already in Gift Aid claim GA-ABCDEFGH."]
    assert (found.claimable_pence, found.gift_aid_pence) == (0, 1000)


def test_a_gift_too_old_says_so(app):
    old = eligibility.assess(facts(occurred_at=datetime(2020, 5, 1, tzinfo=UTC)), TODAY)
    assert old.reasons == [
        "Received more than four years before the end of its accounting period: too late to claim."
    ]
    assert old.given_on == date(2020, 5, 1)


# --- periods, references, cancellations ----------------------------------------------------


def test_a_claims_period_is_refused_in_words(app):
    today = datetime.now(UTC).date()
    with pytest.raises(claims.ClaimRefused, match=r"^The period must start on or before"):
        claims.create(today, today - timedelta(days=1), "finance@example.org")
    with pytest.raises(claims.ClaimRefused, match=r"^The period cannot end in the future\.$"):
        claims.create(today, today + timedelta(days=1), "finance@example.org")


def test_a_claim_reference_is_ga_and_eight_unambiguous_letters_and_digits(app):
    made = {claims._new_reference() for _ in range(50)}
    assert len(made) == 50
    for reference in made:
        assert reference.startswith("GA-")
        assert len(reference) == 11
        assert set(reference[3:]) <= set(claims.REFERENCE_ALPHABET)


def test_a_cancellation_is_refused_in_words(app):
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    declaration = GiftAidDeclaration(cancelled_at=None)
    with pytest.raises(declarations.CancellationRefused, match=r"^A cancellation takes effect"):
        declarations.cancel(declaration, now - timedelta(seconds=1), now)
    declarations.cancel(declaration, now, now)
    assert declaration.cancelled_at == now
    with pytest.raises(declarations.CancellationRefused, match=r"^That declaration is already"):
        declarations.cancel(declaration, now, now)
