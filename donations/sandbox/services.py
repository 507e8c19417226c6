"""The practice checkout's side of a payment: Stripe's test cards, and Bacs."""

from donations.sandbox import movements
from donations.sandbox.models import SandboxSession
from donations.sandbox.movements import SandboxError
from donations.sandbox.store import session as session_row

SUCCEEDS = "4242424242424242"
CARD_OUTCOMES = {
    SUCCEEDS: None,
    "4000000000000002": "Your card was declined. No money has been taken. "
    "Please try another card or pay by Direct Debit.",
    "4000000000009995": "Your card has insufficient funds. No money has been taken. "
    "Please try another card or pay by Direct Debit.",
}

__all__ = ["SandboxError", "card_problem", "pay_by_bacs", "pay_by_card", "session_row"]


def card_problem(number: str) -> str | None:
    """None for the card that succeeds; otherwise what the donor is told."""
    digits = "".join(number.split())
    if digits not in CARD_OUTCOMES:
        return (
            "That is not one of the sandbox's test cards. "
            "Use 4242 4242 4242 4242 for a payment that succeeds."
        )
    return CARD_OUTCOMES[digits]


def pay_by_card(row: SandboxSession, card_number: str) -> str | None:
    """Complete the session with a test card; returns the donor-facing problem, if any."""
    problem = card_problem(card_number)
    if problem:
        return problem
    movements.complete(row, paid=True)
    return None


def pay_by_bacs(row: SandboxSession) -> None:
    """Bacs Direct Debit: the session completes unpaid until the collection settles."""
    movements.complete(row, paid=False)
