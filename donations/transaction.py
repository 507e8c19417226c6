"""The request (or command) boundary: commit once, then run what asked to follow the commit.

Features register their own after-commit work (receipts ask to be sent); this module knows
none of them. Work registered in a transaction that rolls back is dropped with it.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from donations.extensions import db

AFTER_COMMIT = "after_commit"


def after_commit(callback: Callable[[], object]) -> None:
    """Run callback once, after the current transaction commits (never if it rolls back)."""
    waiting = db.session.info.setdefault(AFTER_COMMIT, [])
    if callback not in waiting:
        waiting.append(callback)


def commit() -> None:
    db.session.commit()
    for callback in db.session.info.pop(AFTER_COMMIT, []):
        callback()


@contextmanager
def undone_on(*refusals: type[BaseException]) -> Iterator[None]:
    """Work that may be refused: when it raises one of these, all it wrote is undone (back to
    a savepoint) and the refusal goes on to the caller, which answers it. A view never rolls
    the session back itself."""
    savepoint = db.session.begin_nested()
    try:
        yield
        savepoint.commit()  # writes what is pending: a refusal there is undone too
    except refusals:
        savepoint.rollback()
        raise


def rollback() -> None:
    db.session.rollback()
    db.session.info.pop(AFTER_COMMIT, None)
