"""One length per field: what the database holds is what every form and import allows."""

from wtforms.validators import Length

from donations.extensions import length_of
from donations.finance.gift_aid import FIXABLE
from donations.finance.offline import LENGTHS
from donations.gift_aid.models import GiftAidDeclaration
from donations.gifts.models import Donation
from donations.giving.forms import DonationForm


def test_every_form_and_import_allows_what_the_database_holds_and_no_more(app):
    """Field lengths are read from the model's columns: the donation form, the offline gift
    form and import, and the declaration's fix page agree with the database."""
    with app.test_request_context():
        form = DonationForm(meta={"csrf": False})
    stored = ("title", "first_name", "last_name", "email", "house", "address", "display_name")
    for name in (*stored, "message"):
        limits = [v.max for v in getattr(form, name).validators if isinstance(v, Length)]
        assert limits == [length_of(getattr(Donation, name))], name
    for name in ("title", "first_name", "last_name", "email", "house", "address"):
        assert LENGTHS[name] == length_of(getattr(Donation, name)), name
    for name in ("title", "first_name", "last_name", "house", "address"):
        assert FIXABLE[name] == length_of(getattr(GiftAidDeclaration, name)), name
    assert length_of(Donation.house) == length_of(GiftAidDeclaration.house)
