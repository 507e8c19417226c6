"""A paid gift's donor: found by e-mail address or made, holding the names given with the
gift; a gift without an address is a donor of its own."""

from sqlalchemy import select

from donations.extensions import db
from donations.gift_aid.models import GiftAidDeclaration
from donations.gifts.models import Donor
from tests import factories
from tests.support import count


def donors() -> list[tuple]:
    found = db.session.execute(select(Donor).order_by(Donor.id)).scalars()
    return [(d.email, d.title, d.first_name, d.last_name) for d in found]


def test_a_paid_gift_makes_its_donor_with_the_names_given(app):
    gift = factories.payment(title="Dr", first_name="Ada", last_name="Lovelace")
    assert donors() == [("ada@example.org", "Dr", "Ada", "Lovelace")]
    assert gift.donor.created_at is not None
    assert gift.donor.key == "ada@example.org", "one donor by address, however many records"


def test_the_donors_next_paid_gift_gives_them_its_names(app):
    factories.payment(title="Dr", first_name="Ada", last_name="Lovelace")
    factories.payment(title=None, first_name="Augusta", last_name="King")
    assert donors() == [("ada@example.org", None, "Augusta", "King")]


def test_each_offline_gift_without_an_address_is_a_donor_of_its_own(app):
    first = factories.offline_gift(title="Revd")
    second = factories.offline_gift(title="Revd")
    assert donors() == [(None, "Revd", "Mary", "Seacole"), (None, "Revd", "Mary", "Seacole")]
    assert (first.donor.key, second.donor.key) == (
        f"donor:{first.donor_id}",
        f"donor:{second.donor_id}",
    )


def test_an_offline_gift_with_gift_aid_makes_one_declaration(app):
    gift = factories.offline_gift(gift_aid=True, house="7", postcode="M1 1AE")
    assert count(GiftAidDeclaration) == 1
    assert (gift.declaration.donor_id, gift.declaration.house) == (gift.donor_id, "7")


def test_a_gift_without_gift_aid_makes_no_declaration(app):
    gift = factories.payment()
    assert (gift.declaration, count(GiftAidDeclaration)) == (None, 0)
