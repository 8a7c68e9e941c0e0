"""How people read the derived indices: each grade's name in Korean and English, its colour on
every map, and the range of values it covers (from the threshold table in force).

The stored values stay stable codes (`good`, `very_high` …); pages, legends and widgets show
these names instead."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from smartseoul.lib.indices import DUST_GRADES

DUST_LABELS: dict[str, Any] = {
    "good": pgettext_lazy("fine-dust grade", "Good"),
    "normal": pgettext_lazy("fine-dust grade", "Moderate"),
    "bad": pgettext_lazy("fine-dust grade", "Bad"),
    "very_bad": pgettext_lazy("fine-dust grade", "Very bad"),
}
DUST_COLOURS = {"good": "#1e88e5", "normal": "#43a047", "bad": "#fb8c00", "very_bad": "#e53935"}

UV_LEVELS = ("low", "moderate", "high", "very_high", "extreme")
UV_LABELS: dict[str, Any] = {
    "low": pgettext_lazy("UV level", "Low"),
    "moderate": pgettext_lazy("UV level", "Moderate"),
    "high": pgettext_lazy("UV level", "High"),
    "very_high": pgettext_lazy("UV level", "Very high"),
    "extreme": pgettext_lazy("UV level", "Extreme"),
}

HEAT_LABELS: dict[str, Any] = {
    "advisory": _("heat-wave advisory"),
    "warning": _("heat-wave warning"),
}

NO_DATA_COLOUR = "#bdbdbd"


def label(code: str | None) -> str:
    """The name of any grade or level code, or "–" for none."""
    if not code:
        return "–"
    for table in (DUST_LABELS, UV_LABELS, HEAT_LABELS):
        if code in table:
            return str(table[code])
    return code


def _ranges(bands: Sequence[Sequence[Any]]) -> dict[str, tuple[float | None, float | None]]:
    """{label: (lowest value, highest value or None)} of ascending integer bands."""
    out: dict[str, tuple[float | None, float | None]] = {}
    low: float | None = 0
    for upper, name in bands:
        out[str(name)] = (low, None if upper is None else float(upper))
        low = None if upper is None else float(upper) + 1
    return out


def _span(low: float | None, high: float | None) -> str:
    def n(v: float) -> str:
        return f"{v:g}"

    if high is None:
        return f"{n(low or 0)}+"
    return f"{n(low or 0)}–{n(high)}"


def dust_scale(on: date | None = None) -> list[dict[str, str]]:
    """The fine-dust grades in order of severity, each with its name, colour and the PM10 and
    PM2.5 ranges (µg/m³) of the threshold tables in force on `on`."""
    from . import selectors

    pm10 = _ranges(selectors.threshold("pm10_grade", on).table)
    pm25 = _ranges(selectors.threshold("pm25_grade", on).table)
    scale = []
    for grade in DUST_GRADES:
        parts = []
        if grade in pm10:
            parts.append(f"PM10 {_span(*pm10[grade])}")
        if grade in pm25:
            parts.append(f"PM2.5 {_span(*pm25[grade])}")
        scale.append(
            {
                "key": grade,
                "label": str(DUST_LABELS[grade]),
                "color": DUST_COLOURS[grade],
                "range": (" · ".join(parts) + " µg/m³") if parts else "",
            }
        )
    return scale
