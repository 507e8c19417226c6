"""Whether a gift carries Gift Aid: the declaration that covers it on its date (how much it
carries is `ledger.standing.gift_aid_due`)."""

from datetime import datetime

from donations.gift_aid.models import GiftAidDeclaration


def carries_gift_aid(declaration: GiftAidDeclaration | None, on: datetime) -> bool:
    """Whether a gift made on this date is covered by this declaration."""
    if declaration is None:
        return False
    return declaration.cancelled_at is None or declaration.cancelled_at > on
