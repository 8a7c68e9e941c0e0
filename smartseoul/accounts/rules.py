"""Who may take part: the verification gate every module's services share.

The rule lives here once; the wording and the error class stay the caller's, so a refusal keeps
its module's code, status and message (`except BudgetError` still catches a budget refusal).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from smartseoul.core.errors import DomainError

    from .models import User


def require_verified(
    user: User | AnonymousUser | None,
    level: int,
    *,
    error: type[DomainError],
    code: str,
    signed_out: str,
    unverified: str,
    officials_exempt: bool = False,
    **details: Any,
) -> User:
    """The signed-in, active `user` verified to at least `level` (`Verification`), or raises
    `error(signed_out)` for a visitor without a usable account and `error(unverified)` for one
    below `level`, both with `code`. `officials_exempt`: officials pass whatever their level."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise error(signed_out, code=code, **details)
    if user.verification < level and not (officials_exempt and user.is_official):
        raise error(unverified, code=code, **details)
    return user
