"""Demo accounts for trying the platform locally. Never created in production."""

from __future__ import annotations

import os

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from smartseoul.core.models import Department, District

from .models import Capability, Role, User, Verification
from .services import user_grant_capability, user_set_phone_verified

DEMO_PASSWORD_ENV = "SMARTSEOUL_DEMO_PASSWORD"  # noqa: S105  (the variable name, not a password)
DEFAULT_DEMO_PASSWORD = "seoul-demo-2026"  # noqa: S105  (development demo only; refused in production)

# username, role, department code, home district, capabilities
DEMO_USERS: list[tuple[str, str, str | None, str | None, tuple[str, ...]]] = [
    ("citizen", Role.CITIZEN, None, "11110", ()),
    ("resident", Role.CITIZEN, None, "11680", ()),
    ("official", Role.OFFICIAL, "11110-parking", None, (Capability.PUBLISHER,)),
    (
        "planner",
        Role.OFFICIAL,
        "seoul-democracy",
        None,
        (Capability.PROPOSAL_SELECTION, Capability.MODERATOR, Capability.VOTE_OWNER),
    ),
    ("analyst", Role.OFFICIAL, "seoul-data", None, (Capability.ANALYST, Capability.PUBLISHER)),
    ("caseworker", Role.OFFICIAL, "11110-welfare", None, (Capability.CASEWORKER,)),
    ("mayor", Role.CITY_ADMIN, None, None, (Capability.MAYOR,)),
]


# What each demo account is for, in words, and the page to start from (shown by `smartseoul demo`,
# `smartseoul serve` in development and the home page's demo hint).
DEMO_GUIDE: dict[str, tuple[StrOrPromise, StrOrPromise, str]] = {
    "citizen": (
        _("Citizen, resident of Jongno-gu"),
        _("Report a problem with a photo, follow it on the Talk Map, vote"),
        "/complaints/new/",
    ),
    "resident": (
        _("Citizen, resident of Gangnam-gu"),
        _("Vote in a Gangnam-gu vote, the participatory budget"),
        "/voting/",
    ),
    "official": (
        _("Official, Jongno-gu parking team"),
        _("Answer reports in the office queue, publish open data"),
        "/complaints/office/",
    ),
    "planner": (
        _("Official, Democracy Seoul team"),
        _("Select citizens' proposals, moderate, open votes"),
        "/office/",
    ),
    "analyst": (
        _("Official, Seoul data team"),
        _("Run analyses, publish datasets"),
        "/analytics/",
    ),
    "caseworker": (
        _("Official, Jongno-gu welfare team"),
        _("Welfare case work in the back office"),
        "/office/",
    ),
    "mayor": (
        _("Mayor (city administrator)"),
        _("The mayor's dashboard, budget stages, the audit log"),
        "/mayor/",
    ),
}


def demo_password() -> tuple[str, bool]:
    """(the demo password, whether it comes from SMARTSEOUL_DEMO_PASSWORD rather than the default)."""
    chosen = os.environ.get(DEMO_PASSWORD_ENV, "")
    return (chosen, True) if chosen else (DEFAULT_DEMO_PASSWORD, False)


@transaction.atomic
def load_demo_accounts() -> None:
    if settings.PRODUCTION:
        return
    password, _from_env = demo_password()
    for n, (username, role, department, district, caps) in enumerate(DEMO_USERS, start=1):
        if User.objects.filter(username=username).exists():
            continue
        user = User.objects.create_user(username, password=password)
        user.role = role
        user.is_staff = role != Role.CITIZEN
        user.is_superuser = role == Role.CITY_ADMIN
        user.department = Department.objects.filter(code=department).first() if department else None
        user.home_district = District.objects.filter(code=district).first() if district else None
        user.birth_year = 1985
        user.save()
        user_set_phone_verified(user=user, phone=f"010-9000-{n:04d}")
        if district:
            user.verification = Verification.RESIDENT
            user.save(update_fields=["verification"])
        for cap in caps:
            user_grant_capability(user=user, capability=cap)
