"""What applying news about a payment did, in words a log reader understands."""

from typing import NamedTuple


class Outcome(NamedTuple):
    #: processed (applied, or already so) | held (ours, but it cannot apply) | ignored (not ours)
    result: str
    note: str


def processed(note: str) -> Outcome:
    return Outcome("processed", note)


def held(note: str) -> Outcome:
    return Outcome("held", note)


def ignored(note: str) -> Outcome:
    return Outcome("ignored", note)
