from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from smartseoul.core.registry import ModuleManifest, Periodic, Tile


class DashboardConfig(AppConfig):
    name = "smartseoul.dashboard"
    label = "dashboard"
    verbose_name = _("Digital Mayor's Office and Smart Seoul Map")

    def manifest(self) -> ModuleManifest:
        from . import hooks
        from .api import router
        from .demo import load_demo_and_figures
        from .selectors import can_see_internal
        from .services import figures_refresh_due, is_moderator, refresh_seconds

        return ModuleManifest(
            name="dashboard",
            title=_("City dashboard and map"),
            router=router,
            api_prefix="/dashboard",
            urls="smartseoul.dashboard.urls",
            url_prefix="map/",
            root_urls="smartseoul.dashboard.root_urls",
            widgets=hooks.widgets(),
            layers=hooks.poi_layers(),
            tiles=(
                Tile(_("Digital Mayor's Office"), "mayor:index", "building", "live",
                     _("The whole city live on one screen"), order=10),
                Tile(_("Smart Seoul Map"), "dashboard:map", "map", "live",
                     _("Layers, heat maps and citizens' theme maps"), order=20),
                Tile(_("Around me"), "dashboard:around", "pin", "life",
                     _("Wi-Fi, restrooms, chargers and shelters nearby"), order=10),
                Tile(_("Mayor's office (internal)"), "mayor:office", "building", "office",
                     _("Internal figures: overdue by department, workload"), order=10, allowed=can_see_internal),
                Tile(_("Theme map moderation"), "dashboard:moderation", "map", "office",
                     _("Citizens' theme maps awaiting review"), order=60, allowed=is_moderator),
            ),
            demo=load_demo_and_figures,
            commands=hooks.commands(),
            periodic=(Periodic("dashboard-figures", min(60, refresh_seconds()), figures_refresh_due),),
        )
