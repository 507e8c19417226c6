"""The one place that says which status of a donation may follow which."""

from donations.gifts.models import Donation, DonationStatus

S = DonationStatus

ALLOWED: dict[DonationStatus, frozenset[DonationStatus]] = {
    S.CREATED: frozenset({S.PENDING, S.PAID, S.FAILED, S.EXPIRED}),
    S.PENDING: frozenset({S.PAID, S.FAILED}),
    S.PAID: frozenset(),
    S.FAILED: frozenset(),
    S.EXPIRED: frozenset(),
}


class IllegalTransition(RuntimeError):
    """A donation was asked to move to a status that may not follow its own."""

    def __init__(self, donation: Donation, to: DonationStatus):
        super().__init__(f"{donation.reference}: {donation.status} -> {to}")
        self.donation = donation
        self.to = to


def can_move(donation: Donation, to: DonationStatus) -> bool:
    return to in ALLOWED[DonationStatus(donation.status)]


def move(donation: Donation, to: DonationStatus) -> None:
    if not can_move(donation, to):
        raise IllegalTransition(donation, to)
    donation.status = to
