from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from . import geography, selectors
from .auth import request_user, session_auth
from .schemas import DistrictOut, NotificationOut, Page, PlaceOut

router = Router()


@router.get("/districts", response=list[DistrictOut])
def list_districts(request: HttpRequest) -> Any:
    return selectors.districts()


@router.get("/locate", response=PlaceOut)
def locate(request: HttpRequest, lat: float, lon: float) -> Any:
    """The district and neighbourhood of a point; 400 `outside_city` when it is not in the city."""
    return geography.district_for_point(lat, lon)


@router.get("/inbox", response=list[NotificationOut], auth=session_auth)
def my_inbox(request: HttpRequest, page: Query[Page]) -> Any:
    return page.window(selectors.inbox(request_user(request)))
