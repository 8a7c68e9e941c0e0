from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from smartseoul.core.registry import ModuleManifest, Tile, Widget


def _site_search(query: str, user: Any, limit: int) -> Any:
    from .selectors import site_search_hits

    return site_search_hits(query, user, limit)


class OpendataConfig(AppConfig):
    name = "smartseoul.opendata"
    label = "opendata"
    verbose_name = _("Open Data Plaza")

    def manifest(self) -> ModuleManifest:
        from . import commands, demo, widgets
        from .api import router
        from .selectors import can_manage_documents, is_publisher
        from .tasks import on_day

        return ModuleManifest(
            name="opendata",
            search=_site_search,
            title=_("Open Data Plaza"),
            router=router,
            api_prefix="/opendata",
            urls="smartseoul.opendata.urls",
            url_prefix="opendata/",
            root_urls="smartseoul.opendata.root_urls",
            widgets=(
                Widget(
                    "opendata.usage_today",
                    _("Open data use today"),
                    "stat",
                    widgets.usage_today,
                    section="opendata",
                    order=10,
                ),
                Widget(
                    "opendata.usage_30d",
                    _("Open data use, last 30 days"),
                    "series",
                    widgets.usage_series,
                    section="opendata",
                    order=20,
                ),
                Widget(
                    "opendata.popular", _("Most used datasets"), "list", widgets.popular, section="opendata", order=30
                ),
                Widget(
                    "opendata.requests_due",
                    _("Data requests awaiting an answer"),
                    "stat",
                    widgets.requests_due,
                    section="opendata",
                    internal=True,
                    order=40,
                ),
            ),
            tiles=(
                Tile(
                    _("Open Data Plaza"),
                    "opendata:index",
                    "chart",
                    "data",
                    _("Datasets, Open API, charts and maps"),
                    order=10,
                ),
                Tile(
                    _("Information Open Plaza"),
                    "opendata:documents",
                    "folder",
                    "data",
                    _("Administrative documents of the city"),
                    order=20,
                ),
                Tile(_("App gallery"), "opendata:apps", "phone", "data", _("Apps made with open data"), order=30),
                Tile(
                    _("Publish open data"),
                    "opendata:publish",
                    "upload",
                    "office",
                    _("Upload tables, check them, publish"),
                    order=40,
                    allowed=is_publisher,
                ),
                Tile(
                    _("Document disclosure"),
                    "opendata:documents-office",
                    "catalogue",
                    "office",
                    _("Personal-data check before publishing"),
                    order=41,
                    allowed=can_manage_documents,
                ),
            ),
            on_day=on_day,
            demo=demo.load_demo,
            commands=commands.COMMANDS,
        )
