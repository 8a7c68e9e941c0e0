from __future__ import annotations

import sys
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from smartseoul.core.registry import Command, ModuleManifest


class AccountsConfig(AppConfig):
    name = "smartseoul.accounts"
    label = "accounts"
    verbose_name = _("Accounts and identity")

    def manifest(self) -> ModuleManifest:
        from .api import router
        from .demo import load_demo_accounts

        return ModuleManifest(
            name="accounts",
            title=_("Accounts"),
            router=router,
            api_prefix="/accounts",
            urls="smartseoul.accounts.urls",
            url_prefix="accounts/",
            demo=load_demo_accounts,
            commands=(
                Command("staff-keys", "list (and with --revoke revoke) staff API keys made without the second factor",
                        _staff_keys_args, _staff_keys),
            ),
        )


def _staff_keys_args(parser: Any) -> None:
    parser.add_argument("--revoke", action="store_true", help="revoke every key listed")


def _staff_keys(args: Any) -> int:
    from .services import api_key_revoke, api_keys_without_second_factor

    keys = list(api_keys_without_second_factor())
    for key in keys:
        sys.stdout.write(f"{key.prefix}…\t{key.owner.username}\t{key.name}\t{' '.join(key.scopes)}\t"
                         f"{key.created_at:%Y-%m-%d}\n")
        if args.revoke:
            api_key_revoke(owner=None, key_id=key.pk)
    verb = "revoked" if args.revoke else "to revoke (run again with --revoke)"
    sys.stdout.write(f"{len(keys)} staff key(s) made without the second factor {verb}.\n")
    return 0
