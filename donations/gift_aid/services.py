"""Making declarations. Services flush; callers commit."""

from flask import current_app

from donations.gift_aid.models import GiftAidDeclaration
from donations.gift_aid.wording import WORDING_VERSION, declaration_wording


def new_declaration(
    donor_id: int,
    *,
    title: str | None,
    first_name: str,
    last_name: str,
    house: str,
    address: str | None,
    postcode: str | None,
    overseas: bool,
) -> GiftAidDeclaration:
    """A declaration in today's wording, naming the charity as configured."""
    return GiftAidDeclaration(
        donor_id=donor_id,
        wording_version=WORDING_VERSION,
        wording=declaration_wording(current_app.config["CHARITY_NAME"]),
        title=title,
        first_name=first_name,
        last_name=last_name,
        house=house,
        address=address,
        postcode=None if overseas else postcode,
        overseas=overseas,
    )
