from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from smartseoul.core.registry import ModuleManifest, Tile


class AnalyticsConfig(AppConfig):
    name = "smartseoul.analytics"
    label = "analytics"
    verbose_name = _("Big-data administration")

    def manifest(self) -> ModuleManifest:
        from .api import router
        from .commands import COMMANDS
        from .registry_hooks import EXPORTS, LAYERS, WIDGETS
        from .selectors import is_analyst
        from .services import demo_load

        return ModuleManifest(
            name="analytics", title=_("Big data"), router=router, api_prefix="/analytics",
            urls="smartseoul.analytics.urls", url_prefix="analytics/",
            layers=LAYERS, exports=EXPORTS, widgets=WIDGETS,
            tiles=(
                Tile(_("My neighbourhood analysis"), "analytics:commerce", "store", "data",
                     _("Start-up traffic light by area and business"), order=40),
                Tile(_("Big-data analysis"), "analytics:home", "hexagon", "office",
                     _("Night demand, Owl-bus routes, facility siting"), order=40, allowed=is_analyst),
            ),
            demo=demo_load, commands=COMMANDS,
        )
