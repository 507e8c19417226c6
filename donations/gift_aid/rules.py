"""How much Gift Aid money carries, at the configured basic rate of income tax."""

from datetime import datetime

from donations.gift_aid.models import GiftAidDeclaration
from donations.ledger.standing import gift_aid_due


def gift_aid_on(net_pence: int) -> int:
    """Gift Aid reclaimable on what stands of a gift (`ledger.standing.gift_aid_due`)."""
    return gift_aid_due(net_pence)


def carries_gift_aid(declaration: GiftAidDeclaration | None, on: datetime) -> bool:
    """Whether a gift made on this date is covered by this declaration."""
    if declaration is None:
        return False
    return declaration.cancelled_at is None or declaration.cancelled_at > on
