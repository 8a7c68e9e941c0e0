"""Dashboard widgets: small aggregate queries over the daily usage table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from smartseoul.core.registry import WidgetQuery

from . import selectors

USAGE_LABELS = {"views": _("views"), "downloads": _("downloads"), "api_calls": _("API calls")}


def usage_today(query: WidgetQuery) -> Mapping[str, Any]:
    today = selectors.usage_today()
    return {
        "value": today["views"] + today["downloads"] + today["api_calls"],
        "unit": "",
        # labels people read (the widget is computed per language), not the counters' keys
        "items": [{"title": str(USAGE_LABELS.get(k, k)), "value": v} for k, v in today.items()],
    }


def usage_series(query: WidgetQuery) -> Mapping[str, Any]:
    data = selectors.usage_by_category(30)
    return {"series": [{"t": d["day"], "v": d["views"] + d["downloads"] + d["api_calls"]} for d in data["per_day"]]}


def popular(query: WidgetQuery) -> Mapping[str, Any]:
    return {
        "items": [
            {"title": r["dataset__title_ko"], "url": f"/opendata/dataset/{r['dataset__name']}/", "value": r["total"]}
            for r in selectors.top_datasets(30, 5)
        ]
    }


def requests_due(query: WidgetQuery) -> Mapping[str, Any]:
    qs = selectors.data_requests(status="submitted")
    if query.district_code:
        qs = qs.filter(department_code__startswith=query.district_code)
    return {"value": qs.count(), "unit": ""}
