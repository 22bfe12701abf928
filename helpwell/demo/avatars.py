"""Colourful generated portraits for the demo team: a gradient in the person's colour, soft shapes and
their initials. Made locally with Pillow, distinct per person, and stored as their photo, so the demo shows
photos everywhere a real team would (the ticket thread, the team page, the reply email)."""

import colorsys
import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

SIZE = 512
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _shift(rgb: tuple[int, int, int], hue: float, light: float) -> tuple[int, int, int]:
    h, lum, s = colorsys.rgb_to_hls(*(c / 255 for c in rgb))
    r, g, b = colorsys.hls_to_rgb((h + hue) % 1.0, min(max(lum + light, 0.0), 1.0), s)
    return int(r * 255), int(g * 255), int(b * 255)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size=size)


def portrait(initials: str, colour: str, seed: int) -> bytes:
    """A PNG: diagonal gradient, a few translucent circles placed by `seed`, white initials."""
    rng = random.Random(seed)
    base = _rgb(colour)
    start, end = _shift(base, -0.04, 0.08), _shift(base, 0.06, -0.10)
    gradient = Image.new("RGB", (SIZE, SIZE))
    pixels = gradient.load()
    assert pixels is not None
    for y in range(SIZE):
        for x in range(0, SIZE, 4):
            t = (x + y) / (2 * SIZE)
            c = tuple(int(start[i] + (end[i] - start[i]) * t) for i in range(3))
            for dx in range(4):
                pixels[x + dx, y] = c
    shapes = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(shapes)
    for _ in range(4):
        r = rng.randint(SIZE // 6, SIZE // 2)
        cx, cy = rng.randint(-r // 2, SIZE + r // 2), rng.randint(-r // 2, SIZE + r // 2)
        tint = _shift(base, rng.uniform(-0.12, 0.12), rng.uniform(0.05, 0.25))
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*tint, rng.randint(50, 110)))
    shapes = shapes.filter(ImageFilter.GaussianBlur(6))
    image = Image.alpha_composite(gradient.convert("RGBA"), shapes)
    text = ImageDraw.Draw(image)
    font = _font(int(SIZE * 0.34))
    centre = (SIZE / 2, SIZE / 2 + SIZE * 0.02)
    text.text((centre[0] + 4, centre[1] + 6), initials[:2], font=font, anchor="mm", fill=(0, 0, 0, 60))
    text.text(centre, initials[:2], font=font, anchor="mm", fill=(255, 255, 255, 255))
    out = io.BytesIO()
    image.convert("RGB").save(out, "PNG")
    return out.getvalue()
