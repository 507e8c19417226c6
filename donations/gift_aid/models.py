from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from donations.extensions import UTCDateTime, db, utcnow


class GiftAidDeclaration(db.Model):
    """What the donor declared, in the words shown to them, with the address they gave."""

    __tablename__ = "gift_aid_declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    donor_id: Mapped[int] = mapped_column(ForeignKey("donors.id"), index=True)
    wording_version: Mapped[str] = mapped_column(String(40))
    #: the declaration text exactly as the donor saw it
    wording: Mapped[str] = mapped_column(Text)
    #: "this donation, the past 4 years and the future"
    covers_past_and_future: Mapped[bool] = mapped_column(default=True)
    title: Mapped[str | None] = mapped_column(String(20))
    first_name: Mapped[str] = mapped_column(String(35))
    last_name: Mapped[str] = mapped_column(String(35))
    house: Mapped[str] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(200))
    #: normalised UK postcode; None for a donor living outside the UK
    postcode: Mapped[str | None] = mapped_column(String(8))
    overseas: Mapped[bool] = mapped_column(default=False)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def audit_subject(declaration_id: int) -> str:
    """How the audit log names a declaration (its corrections and cancellation)."""
    return f"declaration {declaration_id}"
