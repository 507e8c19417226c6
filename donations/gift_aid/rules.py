"""How much Gift Aid money carries, at the configured basic rate of income tax."""

from datetime import datetime

from flask import current_app

from donations.gift_aid.models import GiftAidDeclaration
from donations.money import gift_aid_at


def gift_aid_on(net_pence: int) -> int:
    """Gift Aid reclaimable on a gift's net amount: basic_rate / (100 - basic_rate), whole pence."""
    return gift_aid_at(net_pence, current_app.config["GIFT_AID_BASIC_RATE"])


def carries_gift_aid(declaration: GiftAidDeclaration | None, on: datetime) -> bool:
    """Whether a gift made on this date is covered by this declaration."""
    if declaration is None:
        return False
    return declaration.cancelled_at is None or declaration.cancelled_at > on
