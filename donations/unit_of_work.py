"""The request (or command) boundary: commit once, then do what must follow a commit."""

from donations.extensions import db
from donations.receipts import services as receipts


def commit() -> None:
    db.session.commit()
    if db.session.info.pop(receipts.QUEUED_FLAG, False):
        receipts.send_queued()


def rollback() -> None:
    db.session.rollback()
    db.session.info.pop(receipts.QUEUED_FLAG, None)
