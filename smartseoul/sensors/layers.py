"""Dashboard widgets, map layers and open-data exports (cheap reads of precomputed values)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import get_language

from smartseoul.core.registry import LayerQuery, WidgetQuery
from smartseoul.lib.geo import feature_collection, point_feature
from smartseoul.lib.indices import DUST_GRADES

from . import selectors


def air_quality_widget(query: WidgetQuery) -> Mapping[str, Any]:
    """The latest hour's fine-dust grade by district (by dong when drilling into a district), on
    the grade scale with its colours, names and ranges; `value` is the worst grade shown."""
    from django.utils.translation import gettext as _

    from .grades import dust_scale
    from .timeutil import local_zone

    by_district = selectors.air_quality_by_district()
    data: dict[str, Any] = {"unit": "", "categories": dust_scale(), "no_data_label": _("no sensor data")}
    if query.district_code:
        by_dong = selectors.air_quality_by_dong(query.district_code)
        data["by_neighborhood"] = by_dong
        if query.neighborhood_code:
            shown = [by_dong[query.neighborhood_code]] if query.neighborhood_code in by_dong else []
        else:
            shown = [by_district[query.district_code]] if query.district_code in by_district else []
    else:
        data["by_district"] = by_district
        shown = list(by_district.values())
    data["value"] = max(shown, key=DUST_GRADES.index, default="")
    hour = selectors.latest_condition_hour()
    if hour is not None:
        data["detail"] = _("As of %(time)s") % {"time": hour.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M")}
    return data


def alerts_widget(query: WidgetQuery) -> Mapping[str, Any]:
    from smartseoul.core.selectors import district_names

    from .grades import label
    from .timeutil import local_zone

    names = district_names()
    english = (get_language() or "ko").startswith("en")
    items = []
    for ep in selectors.open_episodes(("heat", "dust")):
        if query.district_code and ep.district_code != query.district_code:
            continue
        name = names.get(ep.district_code, {}).get("en" if english else "ko") or ep.district_code
        items.append(
            {
                "title": f"{name} · {ep.get_kind_display()} · {label(ep.level)}",
                "meta": ep.started_at.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M"),
                "url": "/sensors/alerts/",
                "district_code": ep.district_code,
                "since": ep.started_at.isoformat(),
            }
        )
    return {"items": items, "value": len(items)}


def boxes_layer(query: LayerQuery) -> Mapping[str, Any]:
    qs = selectors.boxes().exclude(lat=None)
    if query.bbox:
        west, south, east, north = query.bbox
        qs = qs.filter(lon__gte=west, lon__lte=east, lat__gte=south, lat__lte=north)
    boxes = list(qs.values("pk", "serial", "lat", "lon", "district_code"))
    latest = selectors.latest_values([b["pk"] for b in boxes], ("pm10", "pm25"))
    features = []
    for b in boxes:
        values = latest.get(b["pk"], {})
        pm10 = values.get("pm10", (None, None))
        pm25 = values.get("pm25", (None, None))
        at = pm25[1] or pm10[1]
        features.append(
            point_feature(
                b["lon"] or 0.0,
                b["lat"] or 0.0,
                {
                    "serial": b["serial"],
                    "district_code": b["district_code"],
                    "pm10": pm10[0],
                    "pm25": pm25[0],
                    "updated_at": at.isoformat() if at else None,
                    "url": f"/sensors/boxes/{b['serial']}/",
                },
                feature_id=b["serial"],
            )
        )
    return feature_collection(features)


def parking_layer(query: LayerQuery) -> Mapping[str, Any]:
    """Shared car parks with their free spaces now; `description` says it in the page's language
    (the district's name, the free spaces, whether the lot is shared now)."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from smartseoul.core.selectors import district_names

    names = district_names()
    english = (get_language() or "ko").startswith("en")
    features = []
    for lot in selectors.parking_availability():
        if query.bbox:
            west, south, east, north = query.bbox
            if not (west <= lot["lon"] <= east and south <= lot["lat"] <= north):
                continue
        free = ngettext("%(free)s of %(spots)s space free", "%(free)s of %(spots)s spaces free", lot["spots"]) % {
            "free": lot["free"], "spots": lot["spots"]}
        sharing = _("shared now") if lot["shared_now"] else _("not shared now")
        district = names.get(lot["district_code"], {}).get("en" if english else "ko") or lot["district_code"]
        features.append(
            point_feature(
                lot["lon"],
                lot["lat"],
                {
                    "name": lot["name"],
                    "name_en": lot["name_en"],
                    "description": f"{district} · {free} · {sharing}",
                    "free": lot["free"],
                    "spots": lot["spots"],
                    "shared_now": lot["shared_now"],
                    "sharing_hours": lot["sharing_hours"],
                    "district_code": lot["district_code"],
                },
                feature_id=lot["id"],
            )
        )
    return feature_collection(features)


def district_hourly_export() -> Iterable[Mapping[str, Any]]:
    from .services.derive import district_hourly_rows

    return district_hourly_rows(days=7)
