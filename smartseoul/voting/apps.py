from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from smartseoul.core.registry import ModuleManifest


class VotingConfig(AppConfig):
    name = "smartseoul.voting"
    label = "voting"
    verbose_name = _("mVoting")

    def manifest(self) -> ModuleManifest:
        return ModuleManifest(name="voting", title=str(_("mVoting")))
