"""What a donor asks for: the gift's fields, declared once.

The form fills a GiftDetails from the fields of the same names, the gift domain makes a
donation from one, and a cancelled donation gives one back to refill the form.
"""

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class GiftDetails:
    """A validated request for a gift: the form's field names (docs/CONTRACT.md), in pence."""

    amount_pence: int
    fee_cover_pence: int
    frequency: str
    title: str | None
    first_name: str
    last_name: str
    email: str
    gift_aid: bool
    house: str | None
    address: str | None
    postcode: str | None
    overseas: bool
    anonymous: bool
    display_name: str | None
    message: str | None
    marketing_consent: bool
    form_token: str


#: computed from what was chosen, not typed into a field of the same name
CHOSEN = ("amount_pence", "fee_cover_pence", "form_token")
#: typed or ticked by the donor into the form field of the same name
TYPED = tuple(f.name for f in fields(GiftDetails) if f.name not in CHOSEN)
#: kept only with a Gift Aid declaration
GIFT_AID_ONLY = ("house", "address", "postcode", "overseas")
