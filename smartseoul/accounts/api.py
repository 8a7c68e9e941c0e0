from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from smartseoul.core import ratelimit
from smartseoul.core.auth import request_user, session_auth

from . import services
from .schemas import CodeIn, MeOut, PhoneIn

router = Router(auth=session_auth)


def _me(user: Any) -> dict[str, Any]:
    return {
        "username": user.username,
        "role": user.role,
        "verification": user.verification,
        "has_phone": user.has_phone,
        "home_district": user.home_district.code if user.home_district_id else None,
        "department": user.department.code if user.department_id else None,
    }


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> Any:
    return _me(request_user(request))


@router.post("/phone", response={202: dict})
def phone_start(request: HttpRequest, body: PhoneIn) -> Any:
    ratelimit.hit(f"sms:{ratelimit.client_ip(request)}", limit=10, window_seconds=3600)
    services.phone_challenge_start(user=request_user(request), phone=body.phone)
    return 202, {"sent": True}


@router.post("/phone/confirm", response=MeOut)
def phone_confirm(request: HttpRequest, body: CodeIn) -> Any:
    return _me(services.phone_challenge_confirm(user=request_user(request), code=body.code))
