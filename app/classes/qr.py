"""The check-in QR code the trainer projects next to the session code (inline SVG, made on the server)."""

import re

import segno
from markupsafe import Markup

CODE = re.compile(r"[0-9]{6}")


def checkin_qr_svg(url: str) -> Markup:
    """Return an inline SVG QR code that encodes `url`."""
    # A full QR code (never Micro QR, which phone cameras do not read), medium error correction
    # for projectors; no title or description, so the SVG holds only segno's own path data.
    qr = segno.make_qr(url, error="m")
    svg = qr.svg_inline(border=4, omitsize=True, svgclass="checkin-qr", lineclass=None, dark="#000",
                        light="#fff")
    return Markup(svg)  # noqa: S704 - segno's output, the URL is not in it as text


def prefill_code(value: str | None) -> str:
    """Return `value` if it is a 6-digit check-in code, else an empty string."""
    return value if value and CODE.fullmatch(value) else ""
