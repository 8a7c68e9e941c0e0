from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _

from .registry import ModuleManifest, Periodic, Tile


class BackOfficeAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "smartseoul.core.admin_site.BackOfficeSite"


class CoreConfig(AppConfig):
    default = True
    name = "smartseoul.core"
    label = "core"
    verbose_name = _("City and platform")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the production start-up checks)

    def manifest(self) -> ModuleManifest:
        from .api import router

        return ModuleManifest(
            name="core",
            title=_("City"),
            router=router,
            api_prefix="/city",
            periodic=(Periodic("notifications-retry", 60, _retry_notifications),),
            tiles=(Tile(_("Notifications"), "core:inbox", "bell", "life", _("Messages from the city"), order=90),),
        )


def _retry_notifications() -> int:
    from .services import notification_retry_pending

    return notification_retry_pending()
