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
    #: how it was made: online (the form), paper, phone (a written record must be sent),
    #: phone_recorded (the call's recording is kept)
    source: Mapped[str] = mapped_column(String(20), default="online", server_default="online")
    #: when the written record of a declaration made by phone went to the donor
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeclarationCover(db.Model):
    """A gift made before its donor's declaration that the declaration covers (one made by
    phone or on paper "for this gift, the past four years and the future"): it may be claimed
    as though it had carried the declaration when it was made."""

    __tablename__ = "gift_aid_declaration_covers"

    ledger_entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("gift_aid_declarations.id"), index=True)


#: how a declaration may be made, in words
SOURCES = {
    "online": "on the donation form",
    "paper": "on paper",
    "phone": "by phone (a written record is sent)",
    "phone_recorded": "by phone (the call was recorded)",
}


def needs_written_record(declaration: GiftAidDeclaration | None) -> bool:
    """HMRC: a declaration made by phone, unless the call was recorded, needs a written record
    sent to the donor (with the tax note, the right to cancel within 30 days, and the dates)."""
    return declaration is not None and declaration.source == "phone"


def audit_subject(declaration_id: int) -> str:
    """How the audit log names a declaration (its corrections and cancellation)."""
    return f"declaration {declaration_id}"
