"""Dashboard widgets of the voting module: cheap, indexed queries only (the dashboard caches them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import ngettext

from smartseoul.core import clock
from smartseoul.core.registry import WidgetQuery

from .models import Ballot, Status, Vote


def open_votes(query: WidgetQuery) -> Mapping[str, Any]:
    """Open votes with their ballot counts; live counts only where the vote shows live results."""
    now = clock.now()
    qs = Vote.objects.filter(status=Status.PUBLISHED, opens_at__lte=now, closes_at__gt=now).order_by("closes_at")
    if query.district_code:
        qs = qs.filter(owner_body__in=["city", "education", query.district_code])
    items = []
    for v in qs.only("pk", "title", "kind", "closes_at", "live_results", "log_size")[:10]:
        item: dict[str, Any] = {"title": v.title, "url": reverse("voting:detail", args=[v.pk]), "kind": v.kind,
                                "closes_at": v.closes_at.isoformat()}
        if v.live_results or query.internal:
            item["value"] = v.log_size
        items.append(item)
    return {"value": qs.count(), "unit": "", "items": items}


def ballots_today(query: WidgetQuery) -> Mapping[str, Any]:
    start = clock.today_local().replace(hour=0, minute=0, second=0, microsecond=0)
    qs = Ballot.objects.filter(cast_at__gte=start)
    if query.district_code:
        qs = qs.filter(district_code=query.district_code)
    n = qs.count()
    return {"value": n, "unit": ngettext("ballot", "ballots", n)}
