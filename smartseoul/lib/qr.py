"""QR codes drawn as inline SVG (segno), for pages under a strict CSP: no script, no image request."""

from __future__ import annotations

import segno


def qr_svg(data: str, *, title: str = "", scale: int = 4) -> str:
    """An `<svg>` element drawing `data` as a QR code (error correction M, quiet zone of 4 modules).

    The SVG has a fixed viewBox and scales with CSS; `title` becomes its accessible name."""
    code = segno.make(data, error="m", micro=False)
    return str(
        code.svg_inline(
            scale=scale, border=4, dark="#000", light="#fff", title=title or None, svgclass="qr", omitsize=True
        )
    )


def group_key(key: str, size: int = 4) -> str:
    """A long key split into groups of `size` characters, for typing it by hand: `ABCD EFGH …`."""
    return " ".join(key[i : i + size] for i in range(0, len(key), size))
