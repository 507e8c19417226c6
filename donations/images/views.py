"""Serving stored images. An image never changes once stored (a new upload is a new image),
so each answer may be kept by browsers and caches for a year."""

from flask import Blueprint, Response

from donations.images.services import variant
from donations.web import found_or_404

bp = Blueprint("images", __name__)

FOR_EVER = "public, max-age=31536000, immutable"


@bp.get("/images/<id:image_id>/<int:width>.webp")
def serve(image_id: int, width: int):
    found = found_or_404(variant(image_id, width))
    response = Response(found.data, mimetype=found.media_type)
    response.headers["Cache-Control"] = FOR_EVER
    response.headers["Content-Disposition"] = "inline"
    return response
