"""What applying news about a payment did, in words a log reader understands."""

from typing import NamedTuple


class Outcome(NamedTuple):
    #: processed (applied, or already so) | held (ours, but it cannot apply) | ignored (not ours)
    result: str
    note: str
    #: what a held event waits for (a payment's PaymentIntent id), to be applied once it comes
    waiting_for: str | None = None


def processed(note: str) -> Outcome:
    return Outcome("processed", note)


def held(note: str, waiting_for: str | None = None) -> Outcome:
    return Outcome("held", note, waiting_for)


def ignored(note: str) -> Outcome:
    return Outcome("ignored", note)
