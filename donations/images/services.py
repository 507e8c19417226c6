"""Taking an uploaded image: refused unless it really is a PNG, JPEG or WebP of a sensible
size, then decoded and encoded again at a few widths, so nothing of the file as uploaded
(metadata, a script hidden after the picture, its name) is ever kept or served.
Services flush; callers commit."""

import io
import warnings

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from donations.extensions import db
from donations.images.models import ImageVariant, StoredImage

#: the formats an upload may be, by what its bytes are (never by its name)
FORMATS = ("PNG", "JPEG", "WEBP")
MAX_BYTES = 10 * 1024 * 1024
#: a 6,000 x 6,000 photograph; a larger canvas is refused before it is decoded
MAX_PIXELS = 36_000_000
#: the widths served for `srcset`; none wider than the image itself
WIDTHS = (480, 960, 1600)
MEDIA_TYPE = "image/webp"


class ImageRefused(ValueError):
    """An upload that is not a picture we can use, in words for the person who sent it."""


def _opened(data: bytes) -> Image.Image:
    if not data:
        raise ImageRefused("The file is empty.")
    if len(data) > MAX_BYTES:
        raise ImageRefused("The image is larger than 10 MB: please send a smaller one.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            if image.width * image.height > MAX_PIXELS:
                raise ImageRefused(
                    f"The image is {image.width:,} x {image.height:,} pixels: "
                    "please send one of at most 36 million pixels (6,000 x 6,000)."
                )
            _load_whole(image)
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageRefused("The image is far too large in pixels to be a photograph.") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageRefused("That is not a PNG, JPEG or WebP image we can read.") from error
    return image


def _load_whole(image: Image.Image) -> None:
    """Decode every byte of the picture: one cut short is refused, whatever another library
    in the process has told Pillow (WeasyPrint, once loaded, tells it to accept them)."""
    accepting = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        image.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = accepting


def _upright(image: Image.Image) -> Image.Image:
    """The picture as a person sees it: turned as its camera said, in plain colours."""
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB")


def _encoded(image: Image.Image, width: int) -> ImageVariant:
    height = max(1, round(image.height * width / image.width))
    sized = image if width == image.width else image.resize((width, height), Image.LANCZOS)
    out = io.BytesIO()
    sized.save(out, "WEBP", quality=82, method=4)  # no exif, no icc: nothing of the upload
    return ImageVariant(width=width, height=height, media_type=MEDIA_TYPE, data=out.getvalue())


def widths_for(original: int) -> list[int]:
    """The widths kept of an image this wide: each of WIDTHS it is wider than, and its own
    width up to the largest."""
    return sorted({*(w for w in WIDTHS if w < original), min(original, WIDTHS[-1])})


#: what a form says when an image comes without words for people who cannot see it
ALT_NEEDED = "Say what the image shows, for people who cannot see it."


def store_upload(upload) -> StoredImage | None:
    """The file sent in a form's file field (a werkzeug FileStorage), checked and kept; None
    when none was sent. ImageRefused says why one cannot be used."""
    if upload is None or not upload.filename:
        return None
    return store(upload.read())


def store(data: bytes) -> StoredImage:
    """Check and keep an uploaded image; ImageRefused says why not."""
    picture = _upright(_opened(data))
    stored = StoredImage(width=picture.width, height=picture.height)
    stored.variants = [_encoded(picture, w) for w in widths_for(picture.width)]
    db.session.add(stored)
    db.session.flush()
    return stored


def forget(image_id: int | None) -> None:
    """Delete an image and every width of it (a person's photo, when they are forgotten)."""
    stored = image(image_id)
    if stored is not None:
        db.session.delete(stored)
        db.session.flush()


def variant(image_id: int, width: int) -> ImageVariant | None:
    return db.session.get(ImageVariant, (image_id, width))


def image(image_id: int | None) -> StoredImage | None:
    return db.session.get(StoredImage, image_id) if image_id else None
