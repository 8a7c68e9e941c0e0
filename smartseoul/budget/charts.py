"""Server-rendered SVG charts (results page and PDF report): no script, readable in print."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    highlight: bool = False
    note: str = ""


def bars_svg(bars: Sequence[Bar], *, title: str, width: int = 640, row: int = 26, label_width: int = 230) -> str:
    """A horizontal bar chart as an accessible SVG string (role="img" with a title)."""
    top = max((b.value for b in bars), default=0) or 1
    height = row * len(bars) + 10
    plot = width - label_width - 90
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
             f'width="100%" aria-label="{escape(title)}" class="bars"><title>{escape(title)}</title>']
    for i, b in enumerate(bars):
        y = 5 + i * row
        w = max(1.0, plot * b.value / top) if b.value else 0
        color = "#2a7d4f" if b.highlight else "#9aa5b1"
        label = b.label if len(b.label) <= 32 else b.label[:31] + "…"
        parts.append(f'<text x="{label_width - 6}" y="{y + row * 0.62:.1f}" text-anchor="end" font-size="12">'
                     f'{escape(label)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{color}"/>')
        parts.append(f'<text x="{label_width + w + 4:.1f}" y="{y + row * 0.62:.1f}" font-size="11">'
                     f'{escape(b.note or f"{b.value:,.0f}")}</text>')
    parts.append("</svg>")
    return "".join(parts)
