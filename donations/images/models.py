from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from donations.extensions import UTCDateTime, db, utcnow


class StoredImage(db.Model):
    """An image staff uploaded, as the site serves it: decoded and encoded again, so nothing
    of the uploaded file (its metadata, anything hidden in it, its name) is kept. Never
    changed once stored: a new upload is a new image, so each may be cached for ever."""

    __tablename__ = "images"

    id: Mapped[int] = mapped_column(primary_key=True)
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    variants: Mapped[list["ImageVariant"]] = relationship(
        order_by="ImageVariant.width", cascade="all, delete-orphan"
    )


class ImageVariant(db.Model):
    """One width of an image, for `srcset`: kept in the database, so every host serves it."""

    __tablename__ = "image_variants"

    image_id: Mapped[int] = mapped_column(ForeignKey("images.id"), primary_key=True)
    width: Mapped[int] = mapped_column(primary_key=True)
    height: Mapped[int]
    media_type: Mapped[str] = mapped_column(String(20))
    data: Mapped[bytes] = mapped_column(LargeBinary)
