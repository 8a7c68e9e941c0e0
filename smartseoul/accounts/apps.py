from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from smartseoul.core.registry import ModuleManifest


class AccountsConfig(AppConfig):
    name = "smartseoul.accounts"
    label = "accounts"
    verbose_name = _("Accounts and identity")

    def manifest(self) -> ModuleManifest:
        from .api import router
        from .demo import load_demo_accounts

        return ModuleManifest(
            name="accounts",
            title=str(_("Accounts")),
            router=router,
            api_prefix="/accounts",
            urls="smartseoul.accounts.urls",
            url_prefix="accounts/",
            demo=load_demo_accounts,
        )
