"""Agent photos: uploaded ones are re-encoded, missing ones get an initials avatar made here."""

import io

from PIL import Image, ImageDraw, ImageFont, ImageOps

PHOTO_SIZE = 256
MAX_UPLOAD_PIXELS = 40_000_000


class BadImage(ValueError):
    pass


def normalise_photo(data: bytes) -> bytes:
    """Decode, check, square-crop and re-encode as JPEG, dropping EXIF and anything hidden in the file."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_UPLOAD_PIXELS:
                raise BadImage("The picture is too large; please use one under 40 megapixels.")
            probe.verify()
        with Image.open(io.BytesIO(data)) as opened:
            upright = ImageOps.exif_transpose(opened).convert("RGB")
            square = ImageOps.fit(upright, (PHOTO_SIZE, PHOTO_SIZE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            square.save(out, "JPEG", quality=88, optimize=True)
            return out.getvalue()
    except BadImage:
        raise
    except Exception as exc:
        raise BadImage("That file is not a picture we can read (use JPEG, PNG, GIF or WebP).") from exc


def initials_avatar(initials: str, colour: str, size: int = PHOTO_SIZE) -> bytes:
    """A PNG of white initials on the person's colour; made locally, no external service."""
    image = Image.new("RGB", (size, size), colour)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=int(size * 0.42))
    draw.text((size / 2, size / 2), initials[:2], fill="white", font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
