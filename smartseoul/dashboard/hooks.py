"""What the dashboard module itself offers through the registry: facility (POI) layers, widgets
about facilities and theme maps, and the `smartseoul poi import` command. All cheap: small
indexed aggregates, cached by the dashboard like every other widget."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from smartseoul.core import poi
from smartseoul.core.registry import Command, LayerQuery, MapLayer, Widget, WidgetQuery


def _bilingual(ko: str, en: str) -> str:
    return en if (get_language() or "ko").startswith("en") and en else ko


bilingual = lazy(_bilingual, str)


def _poi_features(type_key: str) -> Any:
    def features(query: LayerQuery) -> Mapping[str, Any]:
        return poi.poi_geojson(type_key, query.bbox)

    return features


def poi_layers() -> tuple[MapLayer, ...]:
    """One layer per standard facility type (types imported later join the catalogue from the database)."""
    return tuple(
        MapLayer(
            key=f"poi-{spec.key}", title=bilingual(spec.name_ko, spec.name_en), features=_poi_features(spec.key),
            style={"color": spec.color, "icon": spec.icon, "kind": "point"},
            legend={spec.color: bilingual(spec.description_ko, spec.description_en)}, category="facilities",
        )
        for spec in poi.DEFAULT_TYPES
    )


def facilities_by_district(query: WidgetQuery) -> Mapping[str, Any]:
    by_district = poi.poi_counts_by_district()
    data: dict[str, Any] = {"value": sum(by_district.values()), "unit": "", "by_district": by_district}
    if query.district_code:
        by_dong = poi.poi_counts_by_neighborhood(query.district_code)
        data["value"] = by_district.get(query.district_code, 0)
        data["by_neighborhood"] = by_dong
        if query.neighborhood_code:
            data["value"] = by_dong.get(query.neighborhood_code, 0)
    return data


def newest_theme_maps(query: WidgetQuery) -> Mapping[str, Any]:
    from . import selectors

    qs = selectors.published_themes()
    if query.district_code:
        qs = qs.filter(points__district_code=query.district_code).distinct()
    items = [{"title": t.title, "url": f"/map/themes/{t.pk}/",
              "meta": str(_("city")) if t.by_official else str(_("citizens"))} for t in qs[:6]]
    return {"value": qs.count(), "items": items}


def theme_proposals(query: WidgetQuery) -> Mapping[str, Any]:
    from . import selectors

    series = selectors.theme_proposals_by_day(query.period.start, query.period.end, query.district_code)
    return {"value": sum(p["v"] for p in series), "unit": "", "series": series}


def theme_moderation_queue(query: WidgetQuery) -> Mapping[str, Any]:
    """Officials only: how many citizen theme maps wait for a moderator, and the oldest wait."""
    from smartseoul.core import clock

    from . import selectors

    pending = list(selectors.pending_themes().values_list("submitted_at", flat=True)[:500])
    oldest = min((p for p in pending if p is not None), default=None)
    waited = round((clock.now() - oldest).total_seconds() / 3600, 1) if oldest else 0
    return {"value": len(pending), "unit": "", "detail": {"oldest_wait_hours": waited},
            "items": [{"title": str(_("Oldest proposal waiting (hours)")), "meta": str(waited)}]}


def widgets() -> tuple[Widget, ...]:
    return (
        Widget("dashboard.facilities", _("Public facilities by district"), "districts", facilities_by_district,
               section="city", order=900),
        Widget("dashboard.theme_maps", _("Newest theme maps"), "list", newest_theme_maps, section="participation",
               order=900),
        Widget("dashboard.theme_proposals", _("Theme maps proposed by citizens"), "series", theme_proposals,
               section="participation", order=910),
        Widget("dashboard.theme_moderation", _("Theme maps awaiting moderation"), "stat", theme_moderation_queue,
               section="participation", internal=True, order=920),
    )


def commands() -> tuple[Command, ...]:
    return (
        Command("import", "import points of interest (CSV or GeoJSON) of one facility type, with a report of bad rows",
                poi.cli_import_arguments, poi.cli_import, group="poi"),
        Command("types", "create the standard facility types (Wi-Fi, restrooms, chargers …)",
                lambda parser: None, _cli_types, group="poi"),
    )


def _cli_types(args: Any) -> int:
    from rich.console import Console

    created = poi.poi_types_ensure_defaults()
    Console().print(f"facility types: {created} created, {poi.poi_types().count()} in all")
    return 0
