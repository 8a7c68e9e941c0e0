"""Server-rendered SVG charts (results page and PDF report): no script, readable in print."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

_QUOTES = {'"': "&quot;", "'": "&#x27;"}  # an attribute value needs its quotes escaped too


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    highlight: bool = False
    note: str = ""


def _fit(label: str, room: float, size: float = 12) -> str:
    """The label, shortened with … to about `room` pixels (Hangul is about twice as wide as Latin)."""
    used = 0.0
    for i, ch in enumerate(label):
        used += size * (1.0 if ord(ch) > 0x2E80 else 0.56)
        if used > room:
            return label[: max(1, i - 1)] + "…"
    return label


def bars_svg(bars: Sequence[Bar], *, title: str, width: int = 480, row: int = 26, label_width: int = 190,
             axis: str = "") -> str:
    """A horizontal bar chart as an accessible SVG string (role="img" with a title). Drawn narrow
    enough that its text stays readable when a phone shrinks it to the screen's width. `axis`
    names what the bars measure, with its unit, under the bars."""
    top = max((b.value for b in bars), default=0) or 1
    height = row * len(bars) + 10 + (22 if axis else 0)
    plot = width - label_width - 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
             f'width="100%" aria-label="{escape(title, _QUOTES)}" class="bars"><title>{escape(title)}</title>']
    for i, b in enumerate(bars):
        y = 5 + i * row
        w = max(1.0, plot * b.value / top) if b.value else 0
        color = "#2a7d4f" if b.highlight else "#9aa5b1"
        label = _fit(b.label, label_width - 10)
        parts.append(f'<text x="{label_width - 6}" y="{y + row * 0.62:.1f}" text-anchor="end" font-size="12">'
                     f'{escape(label)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{color}"/>')
        parts.append(f'<text x="{label_width + w + 4:.1f}" y="{y + row * 0.62:.1f}" font-size="11">'
                     f'{escape(b.note or f"{b.value:,.0f}")}</text>')
    if axis:
        y = row * len(bars) + 10
        parts.append(f'<line x1="{label_width}" y1="{y}" x2="{label_width + plot}" y2="{y}" stroke="#6b7785"/>')
        parts.append(f'<text x="{label_width}" y="{y + 16}" font-size="11" fill="#464c53">{escape(axis)} →</text>')
    parts.append("</svg>")
    return "".join(parts)
