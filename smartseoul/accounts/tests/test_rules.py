"""The one verification gate (`accounts.rules.require_verified`): the rule is shared, the refusal
stays the calling module's own error, code and wording."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from smartseoul.accounts.errors import AccountError, AccountForbidden
from smartseoul.accounts.models import Role, Verification
from smartseoul.accounts.rules import require_verified
from smartseoul.core.errors import PermissionDenied

GATE: dict[str, Any] = {"error": AccountForbidden, "code": "verification_required",
                        "signed_out": "Sign in.", "unverified": "Verify first."}


@pytest.mark.django_db
def test_signed_out_inactive_and_unverified_are_refused_with_the_callers_error(make_user: Any) -> None:
    closed = make_user(verification=Verification.REAL_NAME)
    closed.is_active = False
    for who in (None, AnonymousUser(), closed):
        with pytest.raises(AccountError) as caught:
            require_verified(who, Verification.PHONE, **GATE, required_level=2)
        assert isinstance(caught.value, PermissionDenied)
        refusal = caught.value
        assert (refusal.message, refusal.code, refusal.status) == ("Sign in.", "verification_required", 403)
        assert caught.value.details == {"required_level": 2}
    with pytest.raises(AccountForbidden) as caught:
        require_verified(make_user(verification=Verification.PHONE), Verification.REAL_NAME, **GATE)
    assert caught.value.message == "Verify first." and caught.value.details == {}


@pytest.mark.django_db
def test_a_verified_user_passes_and_officials_only_when_exempt(make_user: Any) -> None:
    citizen = make_user(verification=Verification.PHONE)
    assert require_verified(citizen, Verification.PHONE, **GATE) is citizen
    official = make_user(role=Role.OFFICIAL, verification=Verification.UNVERIFIED)
    official.second_factor_ok = True
    with pytest.raises(AccountForbidden):
        require_verified(official, Verification.PHONE, **GATE)
    assert require_verified(official, Verification.PHONE, **GATE, officials_exempt=True) is official
    low = make_user(verification=Verification.UNVERIFIED)
    with pytest.raises(AccountForbidden):
        require_verified(low, Verification.PHONE, **GATE, officials_exempt=True)
