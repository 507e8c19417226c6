"""The request (or command) boundary: commit once, then run what asked to follow the commit.

Features register their own after-commit work (receipts ask to be sent); this module knows
none of them. Work registered in a transaction that rolls back is dropped with it.
"""

from collections.abc import Callable

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


def rollback() -> None:
    db.session.rollback()
    db.session.info.pop(AFTER_COMMIT, None)
